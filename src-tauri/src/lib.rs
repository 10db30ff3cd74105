//! The desktop shell: plugins, state and the window. Everything Patchbay does is in
//! `patchbay-core`; commands (in `commands.rs`) are one-line adapters over it.

mod commands;

use std::sync::Arc;
use std::time::Duration;

use patchbay_core::{ErrorBody, Patchbay};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

/// Event the window listens to: the database changed (in this process or another one).
pub const DATA_CHANGED: &str = "db-changed";
/// Event carrying a `patchbay://` or `dev.patchbay.app:` URL the app was opened with.
pub const DEEP_LINK: &str = "deep-link";

/// The shared state: the core context, or why it could not be opened (the window then shows
/// the reason instead of failing to start).
#[derive(Debug)]
pub struct Shell {
    core: Result<Arc<Patchbay>, ErrorBody>,
}

impl Shell {
    /// Run a blocking core call off the UI thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ErrorBody>
    where
        T: Send + 'static,
        F: FnOnce(&Patchbay) -> patchbay_core::Result<T> + Send + 'static,
    {
        let pb = self.core.clone()?;
        tauri::async_runtime::spawn_blocking(move || f(&pb).map_err(|e| e.body()))
            .await
            .map_err(|e| ErrorBody {
                code: patchbay_core::ErrorCode::Internal,
                message: format!("internal error: {e}"),
            })?
    }
}

fn open_core() -> Result<Arc<Patchbay>, ErrorBody> {
    let pb = Patchbay::open_default().map_err(|e| e.body())?;
    Ok(Arc::new(pb))
}

/// Emit `db-changed` whenever another process (a CLI) commits to the database.
fn watch_database(app: AppHandle, pb: Arc<Patchbay>) {
    std::thread::Builder::new()
        .name("db-watch".into())
        .spawn(move || {
            let mut last = pb.store().data_version().ok();
            loop {
                std::thread::sleep(Duration::from_millis(400));
                let now = pb.store().data_version().ok();
                if now != last {
                    last = now;
                    let _ = app.emit(DATA_CHANGED, ());
                }
            }
        })
        .ok();
}

fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

pub fn run() {
    let core = open_core();
    let result = tauri::Builder::default()
        // Must come first: a second launch (e.g. the OS opening a patchbay:// link) hands
        // its arguments to this instance and exits; the deep-link feature forwards URLs.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show_main(app)
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .manage(Shell { core: core.clone() })
        .invoke_handler(tauri::generate_handler![
            commands::list_actions,
            commands::app_status
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                show_main(&handle);
                for url in event.urls() {
                    let _ = handle.emit(DEEP_LINK, url.to_string());
                }
            });
            // Installed packages register the schemes in their .desktop file; a build run from
            // source registers them for the current user (opt out for throwaway sessions).
            #[cfg(any(target_os = "linux", windows))]
            if std::env::var_os("PATCHBAY_NO_SCHEME_REGISTRATION").is_none()
                && let Err(e) = app.deep_link().register_all()
            {
                eprintln!("patchbay: could not register the patchbay:// URL schemes: {e}");
            }
            if let Ok(pb) = core {
                // Remove keychain entries no row owns (left by a crash), off the UI thread.
                let sweeper = pb.clone();
                std::thread::spawn(move || {
                    let _ = sweeper.sweep_orphans();
                });
                watch_database(app.handle().clone(), pb);
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("patchbay: the desktop app could not start: {e}");
        std::process::exit(1);
    }
}
