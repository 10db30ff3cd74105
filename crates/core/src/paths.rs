//! Where a profile lives: `PATCHBAY_HOME`, else `<platform data dir>/patchbay`
//! (`~/.local/share/patchbay` on Linux). The CLI and the app use the same folder.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use crate::env::HOME as HOME_ENV;
const PROFILE_FILE: &str = "profile-id";

/// Where files the user asked for go (a logs export): the platform's Downloads folder, else
/// the home folder.
pub fn downloads_dir() -> Result<PathBuf> {
    dirs::download_dir().or_else(dirs::home_dir).ok_or_else(|| {
        Error::invalid_with_hint(
            "cannot find a Downloads or home folder to write to",
            "set HOME (or XDG_DOWNLOAD_DIR) for the app",
        )
    })
}

pub fn resolve_home() -> Result<PathBuf> {
    if let Some(h) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    dirs::data_dir().map(|d| d.join("patchbay")).ok_or_else(|| {
        Error::invalid_with_hint(
            "cannot find the platform data folder",
            format!("set {HOME_ENV} to a folder for Patchbay's data"),
        )
    })
}

/// Create the folder (owner-only on Unix) if needed.
pub fn ensure_home(home: &Path) -> Result<()> {
    fs::create_dir_all(home)
        .map_err(|e| Error::io(format!("cannot create {}", home.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(home)
            .map_err(|e| Error::io(format!("cannot read {}", home.display()), e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            // Best effort: a shared folder the user chose stays as they set it.
            let _ = fs::set_permissions(home, fs::Permissions::from_mode(0o700));
        }
    }
    Ok(())
}

/// The profile id namespacing this folder's keychain entries; created atomically on first
/// run (two processes starting at once agree on one id).
pub fn profile_id(home: &Path) -> Result<String> {
    let path = home.join(PROFILE_FILE);
    if let Some(id) = read_profile(&path)? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let tmp = home.join(format!(".{PROFILE_FILE}.{id}"));
    {
        let mut f = fs::File::create(&tmp)
            .map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
        f.write_all(id.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
    }
    // hard_link fails if another process won the race; then its id is the one.
    let linked = fs::hard_link(&tmp, &path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(id),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_profile(&path)?
            .ok_or_else(|| Error::Internal(format!("{} is empty", path.display()))),
        Err(e) => Err(Error::io(format!("cannot write {}", path.display()), e)),
    }
}

fn read_profile(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(s) => {
            let id = s.trim();
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(Error::invalid_with_hint(
                    format!("{} is damaged", path.display()),
                    "restore it from a backup; deleting it detaches this profile from its keychain entries",
                ));
            }
            Ok(Some(id.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// The profile's keychain lock: its processes take turns at the keychain (see `vault`).
pub fn vault_lock(home: &Path) -> PathBuf {
    home.join("locks").join("vault.lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_id_is_created_once_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = profile_id(dir.path()).expect("created");
        let b = profile_id(dir.path()).expect("read back");
        assert_eq!(a, b);
        assert_eq!(a.len(), 36, "a uuid");
    }

    #[test]
    fn concurrent_first_runs_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        let ids: Vec<String> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|_| s.spawn(|| profile_id(&path).expect("id")))
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        assert!(
            ids.windows(2).all(|w| w[0] == w[1]),
            "all threads see one id: {ids:?}"
        );
    }

    #[test]
    fn a_damaged_profile_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(PROFILE_FILE), "not/an id\n").expect("write");
        let e = profile_id(dir.path()).expect_err("damaged");
        assert!(e.to_string().contains("damaged"), "{e}");
    }
}
