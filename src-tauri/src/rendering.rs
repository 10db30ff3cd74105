//! How WebKitGTK paints the window on a machine without a GPU.
//!
//! WebKitGTK (2.46 on) paints with Skia, on the GPU by default. Where there is no GPU to
//! render with (a virtual machine, a remote desktop, Xvfb), its OpenGL is Mesa's software
//! rasterizer (llvmpipe): the "GPU" painting then runs on the CPU through an emulated GPU,
//! which costs far more than Skia's own CPU painting. Measured on the first screen
//! (docs/benchmarks.md, the desktop section): its first frame took 104 ms from the list in the
//! DOM to the paint through llvmpipe and 49 ms with CPU painting. Chromium does the same
//! (no GPU rasterization on a software GL).
//!
//! So when the machine has no GPU render node and nobody chose otherwise, the app asks
//! WebKit for CPU painting (`WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`, read by the WebKit processes
//! the app starts). With a GPU nothing changes; a value already set (`0` or `1`) is kept.

use std::ffi::OsString;
use std::path::Path;

/// WebKitGTK's switch: `1` paints on the CPU.
pub const CPU_RENDERING_ENV: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Whether to ask for CPU painting: nobody chose (`chosen` is the variable's value, if set)
/// and there is no GPU to paint with (`has_render_node`), or Mesa was told to render in
/// software anyway (`LIBGL_ALWAYS_SOFTWARE` set to anything but `0` or empty).
pub fn wants_cpu_painting(
    chosen: Option<OsString>,
    has_render_node: bool,
    gl_always_software: Option<OsString>,
) -> bool {
    if chosen.is_some() {
        return false;
    }
    let software_gl = gl_always_software.is_some_and(|v| !v.is_empty() && v != "0");
    !has_render_node || software_gl
}

/// Whether `dri` (normally `/dev/dri`) holds a GPU render node (`renderD128`, ...). A missing
/// or unreadable folder counts as none.
pub fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Ask WebKit for CPU painting where [`wants_cpu_painting`] says so. Call it first thing in
/// `main`, while the process has only one thread (it sets an environment variable).
pub fn prefer_cpu_painting_without_gpu() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let wanted = wants_cpu_painting(
        std::env::var_os(CPU_RENDERING_ENV),
        has_render_node(Path::new("/dev/dri")),
        std::env::var_os("LIBGL_ALWAYS_SOFTWARE"),
    );
    if wanted {
        set_cpu_painting();
    }
}

#[allow(unsafe_code)]
fn set_cpu_painting() {
    // SAFETY: called from `main` before anything else runs (the docs above): no other thread
    // exists yet that could read or write the environment at the same time.
    unsafe { std::env::set_var(CPU_RENDERING_ENV, "1") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<OsString> {
        Some(OsString::from(s))
    }

    #[test]
    fn cpu_painting_without_a_render_node_unless_someone_chose() {
        assert!(wants_cpu_painting(None, false, None));
        assert!(!wants_cpu_painting(None, true, None));
        // A choice already made stands, whichever way.
        assert!(!wants_cpu_painting(os("0"), false, None));
        assert!(!wants_cpu_painting(os("1"), true, None));
    }

    #[test]
    fn cpu_painting_when_mesa_is_told_to_render_in_software() {
        assert!(wants_cpu_painting(None, true, os("1")));
        assert!(wants_cpu_painting(None, true, os("true")));
        assert!(!wants_cpu_painting(None, true, os("0")));
        assert!(!wants_cpu_painting(None, true, os("")));
    }

    #[test]
    fn render_nodes_are_found_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("card0"), b"").expect("card0");
        assert!(
            !has_render_node(dir.path()),
            "a display card alone renders nothing"
        );
        std::fs::write(dir.path().join("renderD128"), b"").expect("renderD128");
        assert!(has_render_node(dir.path()));
        assert!(!has_render_node(&dir.path().join("missing")));
    }
}
