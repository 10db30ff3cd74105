//! The desktop shell: plugins, state and the window. Everything Patchbay does is in
//! `patchbay-core`; commands (in `commands.rs`) are one-line adapters over it.

mod commands;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use patchbay_core::forms::OwnerKind;
use patchbay_core::model::GrantView;
use patchbay_core::{ErrorBody, Patchbay};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

/// Event the window listens to: the database changed (in this process or another one).
pub const DATA_CHANGED: &str = "db-changed";
/// Event carrying a `patchbay://` or `dev.patchbay.app:` URL the app was opened with.
pub const DEEP_LINK: &str = "deep-link";
/// Event carrying how an app-link sign-in callback ended (`{ok, matched, title, message}`;
/// `matched`: a pending sign-in took it, and its Connect reports the outcome).
pub const SIGN_IN_RETURNED: &str = "sign-in-returned";

/// The shared state: the core context, or why it could not be opened (the window then shows
/// the reason instead of failing to start).
#[derive(Debug)]
pub struct Shell {
    core: Result<Arc<Patchbay>, ErrorBody>,
    /// Sign-ins waiting for the browser, by "kind:name": the sender cancels one.
    sign_ins: Mutex<HashMap<String, tokio::sync::oneshot::Sender<()>>>,
    /// When `run` began, and how long until the window first rendered a screen.
    started: Instant,
    ready_ms: OnceLock<u64>,
    /// Start-up milestones in ms since `started` (the benchmark's breakdown, [`Shell::ready`]).
    core_ms: u64,
    setup_ms: OnceLock<u64>,
    first_call_ms: OnceLock<u64>,
}

/// With this set to a file path, the app writes there, once, how long it took from its
/// start to its first rendered screen (what the start-up benchmark waits for), as JSON:
/// `{"ms": N, "phases": {...}}` (see [`Shell::ready`]).
pub use patchbay_core::env::READY_FILE as READY_FILE_ENV;

/// The page's own start-up marks, by name, as `performance.now()` values (ms since the page's
/// navigation began); `now` is the moment `app_ready` was sent.
pub type PageMarks = std::collections::BTreeMap<String, f64>;

fn ms_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn internal(e: impl std::fmt::Display) -> ErrorBody {
    ErrorBody {
        code: patchbay_core::ErrorCode::Internal,
        message: format!("internal error: {e}"),
        hint: None,
        field: None,
    }
}

fn sign_in_key(kind: OwnerKind, name: &str) -> String {
    format!("{kind:?}:{}", name.to_lowercase())
}

impl Shell {
    /// Run a blocking core call off the UI thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ErrorBody>
    where
        T: Send + 'static,
        F: FnOnce(&Patchbay) -> patchbay_core::Result<T> + Send + 'static,
    {
        self.first_call_ms.get_or_init(|| ms_since(self.started));
        let pb = self.core.clone()?;
        tauri::async_runtime::spawn_blocking(move || f(&pb).map_err(|e| e.body()))
            .await
            .map_err(internal)?
    }

    /// Run an async core call (network) on a blocking thread of its own, so core futures
    /// need not be `Send` and the UI thread never waits on the network or the database.
    pub async fn run_async<T, F, Fut>(&self, f: F) -> Result<T, ErrorBody>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Patchbay>) -> Fut + Send + 'static,
        Fut: Future<Output = patchbay_core::Result<T>>,
    {
        self.first_call_ms.get_or_init(|| ms_since(self.started));
        let pb = self.core.clone()?;
        tauri::async_runtime::spawn_blocking(move || {
            tauri::async_runtime::block_on(f(pb)).map_err(|e| e.body())
        })
        .await
        .map_err(internal)?
    }

    /// Connect in the browser; a second Connect for the same target cancels the first.
    pub async fn connect(&self, kind: OwnerKind, name: String) -> Result<GrantView, ErrorBody> {
        let key = sign_in_key(kind, &name);
        let (tx, rx) = tokio::sync::oneshot::channel();
        if let Ok(mut m) = self.sign_ins.lock()
            && let Some(old) = m.insert(key.clone(), tx)
        {
            let _ = old.send(());
        }
        let result = self
            .run_async(move |pb| async move { pb.connect_in_browser(kind, &name, rx).await })
            .await;
        if let Ok(mut m) = self.sign_ins.lock()
            && m.get(&key).is_some_and(|tx| tx.is_closed())
        {
            m.remove(&key);
        }
        result
    }

    /// The window's first screen rendered: record (and, for the benchmark, write to
    /// `PATCHBAY_READY_FILE`) the start-up time. Later calls return the first figure.
    ///
    /// The file also breaks the time down, each phase in ms since the start: `core` (the
    /// database open), `setup` (the window built, then the app's setup hook done),
    /// `firstCall` (the first command reached the backend), `painted` (the total), and,
    /// placed on the app's clock, `page` (the page began loading: `ready - marks.now`) and
    /// each of the page's own marks (listed in `ui/src/lib/startup.ts`).
    pub fn ready(&self, marks: Option<PageMarks>) -> u64 {
        *self.ready_ms.get_or_init(|| {
            let ms = ms_since(self.started);
            if let Some(path) = std::env::var_os(READY_FILE_ENV) {
                let report = self.startup_report(ms, marks);
                if let Err(e) = std::fs::write(&path, format!("{report}\n")) {
                    eprintln!("patchbay: could not write {}: {e}", path.to_string_lossy());
                }
            }
            ms
        })
    }

    fn startup_report(&self, ms: u64, marks: Option<PageMarks>) -> serde_json::Value {
        let mut phases = serde_json::json!({
            "core": self.core_ms,
            "setup": self.setup_ms.get(),
            "firstCall": self.first_call_ms.get(),
            "painted": ms,
        });
        // The page's clock starts at its navigation: place its marks on the app's.
        let now = marks.as_ref().and_then(|m| m.get("now").copied());
        if let (Some(marks), Some(now)) = (&marks, now)
            && now.is_finite()
            && now >= 0.0
            && now <= ms as f64
        {
            let page = ms as f64 - now;
            phases["page"] = serde_json::json!(page.round());
            for (name, &x) in marks.iter().filter(|(k, _)| k.as_str() != "now") {
                // A mark after `now` (clock trouble) counts as `now`; junk is null.
                let at = (x.is_finite() && x >= 0.0).then(|| (page + x.min(now)).round());
                // The app's own phases keep their names.
                if phases.get(name).is_none() {
                    phases[name.as_str()] = serde_json::json!(at);
                }
            }
        }
        serde_json::json!({"ms": ms, "phases": phases})
    }

    fn setup_done(&self) {
        self.setup_ms.get_or_init(|| ms_since(self.started));
    }

    /// Stop a sign-in that waits for the browser; false when none was waiting.
    pub fn cancel_connect(&self, kind: OwnerKind, name: &str) -> bool {
        let tx = self
            .sign_ins
            .lock()
            .ok()
            .and_then(|mut m| m.remove(&sign_in_key(kind, name)));
        tx.is_some_and(|tx| tx.send(()).is_ok())
    }
}

fn open_core() -> Result<Arc<Patchbay>, ErrorBody> {
    let pb = Patchbay::open_default().map_err(|e| e.body())?;
    Ok(Arc::new(pb))
}

/// Emit `db-changed` whenever another process (a CLI, a proxy) commits to the database, and
/// bring the window forward when a tool call starts waiting for the user's confirmation.
fn watch_database(app: AppHandle, pb: Arc<Patchbay>) {
    std::thread::Builder::new()
        .name("db-watch".into())
        .spawn(move || {
            let mut last = pb.store().data_version().ok();
            let mut asked: std::collections::HashSet<String> = std::collections::HashSet::new();
            let mut first = true;
            loop {
                let now = pb.store().data_version().ok();
                if now != last || first {
                    last = now;
                    let _ = app.emit(DATA_CHANGED, ());
                    let pending = pb.pending_approvals().unwrap_or_default();
                    if pending.iter().any(|a| !asked.contains(&a.id)) {
                        show_main(&app);
                    }
                    asked = pending.into_iter().map(|a| a.id).collect();
                }
                first = false;
                std::thread::sleep(Duration::from_millis(250));
            }
        })
        .ok();
}

/// Run from a system package (`/usr/bin/patchbay-desktop` from the .deb): its desktop entry
/// already registers both URL schemes, so the app writes no per-user handler of its own.
fn installed_from_package() -> bool {
    std::env::current_exe().is_ok_and(|p| p.starts_with("/usr/") || p.starts_with("/opt/"))
}

fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

pub fn run() {
    let started = Instant::now();
    let core = open_core();
    let core_ms = ms_since(started);
    let result = tauri::Builder::default()
        // Must come first: a second launch (e.g. the OS opening a patchbay:// link) hands
        // its arguments to this instance and exits; the deep-link feature forwards URLs.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show_main(app)
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .manage(Shell {
            core: core.clone(),
            sign_ins: Mutex::new(HashMap::new()),
            started,
            ready_ms: OnceLock::new(),
            core_ms,
            setup_ms: OnceLock::new(),
            first_call_ms: OnceLock::new(),
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_actions,
            commands::app_status,
            commands::save_action,
            commands::set_action_enabled,
            commands::remove_action,
            commands::test_action,
            commands::connect,
            commands::cancel_connect,
            commands::oauth_status,
            commands::disconnect,
            commands::list_connections,
            commands::save_connection,
            commands::remove_connection,
            commands::callback_urls,
            commands::list_tokens,
            commands::save_text_token,
            commands::test_http_token_form,
            commands::add_http_token,
            commands::edit_http_token,
            commands::test_token,
            commands::remove_token,
            commands::pending_approvals,
            commands::decide_approval,
            commands::approval_counts,
            commands::export_preview,
            commands::export_write,
            commands::list_providers,
            commands::list_logs,
            commands::get_settings,
            commands::save_settings,
            commands::app_ready,
            commands::get_log,
            commands::export_logs,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                show_main(&handle);
                for url in event.urls() {
                    let url = url.to_string();
                    if patchbay_core::oauth::callback::is_app_link_callback(&url) {
                        // A sign-in coming back: finish its pending flow (the Connect that
                        // waits for it then resolves), and tell the window how it ended.
                        let handle = handle.clone();
                        tauri::async_runtime::spawn(async move {
                            let payload =
                                patchbay_core::oauth::callback::sign_in_returned(&url).await;
                            let _ = handle.emit(SIGN_IN_RETURNED, payload);
                        });
                    } else {
                        let _ = handle.emit(DEEP_LINK, url);
                    }
                }
            });
            // Installed packages register the schemes in their .desktop file; a build run from
            // source registers them for the current user (opt out for throwaway sessions).
            #[cfg(any(target_os = "linux", windows))]
            if std::env::var_os(patchbay_core::env::NO_SCHEME_REGISTRATION).is_none()
                && !installed_from_package()
                && let Err(e) = app.deep_link().register_all()
            {
                eprintln!("patchbay: could not register the patchbay:// URL schemes: {e}");
            }
            if let Ok(pb) = core {
                // Tell proxies the app runs (they start it when it does not, to ask the user).
                match pb.hold_app_presence() {
                    Ok(Some(p)) => {
                        app.manage(p);
                    }
                    Ok(None) => {}
                    Err(e) => eprintln!("patchbay: {e}"),
                }
                // Remove keychain entries no row owns (left by a crash), off the UI thread.
                let sweeper = pb.clone();
                std::thread::spawn(move || {
                    let _ = sweeper.sweep_orphans();
                });
                watch_database(app.handle().clone(), pb);
            }
            app.state::<Shell>().setup_done();
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("patchbay: the desktop app could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(m: &[(&str, f64)]) -> PageMarks {
        m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn shell(core_ms: u64) -> Shell {
        Shell {
            core: Err(internal("not opened in this test")),
            sign_ins: Mutex::new(HashMap::new()),
            started: Instant::now(),
            ready_ms: OnceLock::new(),
            core_ms,
            setup_ms: OnceLock::from(40),
            first_call_ms: OnceLock::from(300),
        }
    }

    #[test]
    fn the_startup_report_places_the_pages_marks_on_the_apps_clock() {
        let marks = marks(&[("script", 50.4), ("listed", 180.0), ("now", 200.0)]);
        let r = shell(12).startup_report(500, Some(marks));
        assert_eq!(
            r,
            serde_json::json!({"ms": 500, "phases": {
                "core": 12, "setup": 40, "page": 300.0, "script": 350.0,
                "firstCall": 300, "listed": 480.0, "painted": 500,
            }})
        );
    }

    #[test]
    fn marks_that_cannot_be_placed_are_left_out() {
        let bad = [
            // The page says it is older than the app.
            marks(&[("script", 1.0), ("now", 900.0)]),
            marks(&[("script", 1.0), ("now", f64::NAN)]),
            marks(&[("script", 1.0), ("now", -1.0)]),
            // No `now`: nothing to place the others with.
            marks(&[("script", 1.0)]),
        ];
        for m in bad {
            let r = shell(12).startup_report(500, Some(m.clone()));
            assert_eq!(r["phases"].get("page"), None, "{m:?}");
            assert_eq!(r["phases"].get("script"), None, "{m:?}");
            assert_eq!(r["phases"]["painted"], 500);
        }
        let r = shell(12).startup_report(500, None);
        assert_eq!(r["phases"].get("script"), None);
        // A mark after `now` (clock trouble) is clamped to `now`, one that is not a number
        // is null, and a page mark cannot overwrite the app's own phases.
        let m = marks(&[
            ("script", f64::INFINITY),
            ("listed", 400.0),
            ("core", 5.0),
            ("now", 100.0),
        ]);
        let r = shell(12).startup_report(500, Some(m));
        assert_eq!(r["phases"]["script"], serde_json::Value::Null);
        assert_eq!(r["phases"]["core"], 12);
        assert_eq!(r["phases"]["listed"], 500.0);
    }
}
