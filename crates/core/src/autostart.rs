//! Start at login (the `startAtLogin` setting): per OS user, not per profile. On Linux it is
//! the XDG autostart entry `$XDG_CONFIG_HOME/autostart/dev.patchbay.app.desktop` (else
//! `~/.config/autostart/…`), which starts the desktop app hidden in the tray. The entry's
//! presence is the setting: nothing is stored in a profile.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The entry's file name (the app's identifier, as desktop files are named).
pub const ENTRY_NAME: &str = "dev.patchbay.app.desktop";

/// The argument the entry starts the app with: no window, only the tray.
pub const HIDDEN_ARG: &str = "--hidden";

/// The user's configuration folder: `$XDG_CONFIG_HOME` when it is an absolute path (the XDG
/// Base Directory rule), else `~/.config`; `None` without a home folder.
pub fn user_config_dir() -> Option<PathBuf> {
    std::env::var_os(crate::env::XDG_CONFIG_HOME)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))
}

/// The autostart entry's path under a configuration folder.
pub fn entry_path(config_dir: &Path) -> PathBuf {
    config_dir.join("autostart").join(ENTRY_NAME)
}

/// Whether the entry is there.
pub fn enabled(config_dir: &Path) -> bool {
    entry_path(config_dir).is_file()
}

/// The desktop app's binary: `PATCHBAY_DESKTOP_BIN`, else `patchbay-desktop` next to this
/// program (the CLI's sibling, or the app itself), else the name, found on the PATH.
pub fn desktop_bin() -> PathBuf {
    std::env::var_os(crate::env::DESKTOP_BIN)
        .map(PathBuf::from)
        .or_else(|| {
            let sibling = std::env::current_exe()
                .ok()?
                .with_file_name(format!("patchbay-desktop{}", std::env::consts::EXE_SUFFIX));
            sibling.exists().then_some(sibling)
        })
        .unwrap_or_else(|| "patchbay-desktop".into())
}

/// One argument of a desktop entry's `Exec` key: quoted when it holds anything but plain
/// characters, with `"`, `` ` ``, `$` and `\` escaped (Desktop Entry Specification, "The
/// Exec key"); `%` is doubled, as field codes start with it.
fn exec_arg(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:=@".contains(c));
    let arg = arg.replace('%', "%%");
    if plain {
        return arg;
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The entry's text for the app at `bin`.
pub fn entry_text(bin: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Patchbay\n\
         Comment=Authenticated connections for AI agents (starts in the tray)\n\
         Exec={} {HIDDEN_ARG}\n\
         Icon=patchbay-desktop\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_arg(&bin.to_string_lossy())
    )
}

/// Write the entry (starting `bin` hidden) or remove it; removing one that is not there is
/// not an error.
pub fn set(config_dir: &Path, on: bool, bin: &Path) -> Result<()> {
    let path = entry_path(config_dir);
    if on {
        let dir = config_dir.join("autostart");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        std::fs::write(&path, entry_text(bin))
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
    } else {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::io(format!("cannot remove {}", path.display()), e))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_is_written_and_removed_under_the_config_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(!enabled(dir.path()));
        let bin = Path::new("/opt/Patch bay/patchbay-desktop");
        set(dir.path(), true, bin).expect("write");
        assert!(enabled(dir.path()));
        let text = std::fs::read_to_string(dir.path().join("autostart/dev.patchbay.app.desktop"))
            .expect("read");
        assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
        assert!(
            text.contains("\nExec=\"/opt/Patch bay/patchbay-desktop\" --hidden\n"),
            "{text}"
        );
        assert!(text.contains("\nType=Application\n"), "{text}");
        set(dir.path(), false, bin).expect("remove");
        assert!(!enabled(dir.path()));
        set(dir.path(), false, bin).expect("removing again is fine");
    }

    #[test]
    fn exec_arguments_are_quoted_and_escaped_as_the_spec_says() {
        assert_eq!(
            exec_arg("/usr/bin/patchbay-desktop"),
            "/usr/bin/patchbay-desktop"
        );
        assert_eq!(exec_arg("/a b/x"), "\"/a b/x\"");
        assert_eq!(exec_arg("/a$b/\"x\""), "\"/a\\$b/\\\"x\\\"\"");
        assert_eq!(exec_arg("/100%/x"), "\"/100%%/x\"");
        assert_eq!(exec_arg(""), "\"\"");
    }

    #[test]
    fn an_unwritable_config_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, "x").expect("write");
        let err = set(&file, true, Path::new("/usr/bin/patchbay-desktop")).expect_err("fails");
        assert!(
            err.to_string().contains("cannot create"),
            "names what failed: {err}"
        );
    }
}
