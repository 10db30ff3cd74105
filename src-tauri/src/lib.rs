//! The desktop shell: plugins, state and the window. Everything Patchbay does is in
//! `patchbay-core`; commands (in `commands.rs`) are one-line adapters over it.

mod commands;
mod gateway;
mod notify;
pub mod rendering;
mod startup;
mod tray;

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use patchbay_core::forms::OwnerKind;
use patchbay_core::model::{AppStatus, GatewayView, GrantView};
use patchbay_core::{ErrorBody, Patchbay};
use tauri::{AppHandle, Emitter, Manager, RunEvent};
use tauri_plugin_deep_link::DeepLinkExt;

pub use startup::{PageMarks, READY_FILE_ENV};
use startup::{Startup, ms_since};

/// Event the window listens to: the database changed (in this process or another one).
pub const DATA_CHANGED: &str = "db-changed";
/// Event carrying a `patchbay://` or `dev.patchbay.app:` URL the app was opened with.
pub const DEEP_LINK: &str = "deep-link";
/// Event carrying how an app-link sign-in callback ended (`{ok, matched, title, message}`;
/// `matched`: a pending sign-in took it, and its Connect reports the outcome).
pub const SIGN_IN_RETURNED: &str = "sign-in-returned";
/// Event carrying a device sign-in's verification URL and code (`DeviceCodePrompt`) once the
/// server gave them, for the Sign in with a code dialog that started it.
pub const DEVICE_CODE: &str = "device-code";

/// How long background work waits for the window's first screen before it starts anyway
/// (a window started hidden in the tray draws none).
const SHOWN_WAIT: Duration = Duration::from_secs(2);
/// How long the app tries to take its profile's presence lock (`Patchbay::hold_app_presence`).
const PRESENCE_WAIT: Duration = Duration::from_secs(5);

/// The shared state: the core context, or why it could not be opened (the window then shows
/// the reason instead of failing to start).
#[derive(Debug)]
pub struct Shell {
    core: Result<Arc<Patchbay>, ErrorBody>,
    /// Start-up milestones (the start-up benchmark's report).
    startup: Startup,
    /// The local gateway this app serves while `gatewayEnabled` is on.
    gateway: Arc<gateway::GatewayHost>,
    /// The first `app_status` answer, worked out as the app starts ([`early_status`]).
    early_status: Mutex<Option<EarlyStatus>>,
}

/// The status begun at start-up, and when it was known.
type EarlyStatus = mpsc::Receiver<(Instant, AppStatus)>;

/// How long the first `app_status` waits for the status begun at start-up before asking again.
const EARLY_STATUS_WAIT: Duration = Duration::from_secs(10);
/// How old that status may be to be the first answer (a window started hidden may ask late).
const EARLY_STATUS_FRESH: Duration = Duration::from_secs(5);

/// Begin the app's status as the app starts. Its keychain probe (a secret written and
/// deleted through the Secret Service) took 43-96 ms in a debug build, and the first screen
/// waited for it after the page had asked; begun here, it runs while the window is built.
fn early_status(core: &Result<Arc<Patchbay>, ErrorBody>) -> Mutex<Option<EarlyStatus>> {
    let receiver = core.as_ref().ok().and_then(|pb| {
        let (tx, rx) = mpsc::channel();
        let pb = pb.clone();
        std::thread::Builder::new()
            .name("early-status".into())
            .spawn(move || {
                let status = pb.status();
                let _ = tx.send((Instant::now(), status));
            })
            .ok()
            .map(|_| rx)
    });
    Mutex::new(receiver)
}

fn internal(e: impl std::fmt::Display) -> ErrorBody {
    ErrorBody {
        code: patchbay_core::ErrorCode::Internal,
        message: format!("internal error: {e}"),
        hint: None,
        field: None,
    }
}

impl Shell {
    /// Run a blocking core call off the UI thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ErrorBody>
    where
        T: Send + 'static,
        F: FnOnce(&Patchbay) -> patchbay_core::Result<T> + Send + 'static,
    {
        self.startup.first_call();
        let pb = self.core.clone()?;
        tauri::async_runtime::spawn_blocking(move || f(&pb).map_err(|e| e.body()))
            .await
            .map_err(internal)?
    }

    /// The app's status: the first time, the one begun at start-up (waited for, bounded, and
    /// only while fresh); then a new one each time (the keychain may be locked or unlocked
    /// meanwhile).
    pub async fn app_status(&self) -> Result<AppStatus, ErrorBody> {
        let early = self
            .early_status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        self.run(move |pb| {
            let early = early.and_then(|rx| match rx.recv_timeout(EARLY_STATUS_WAIT) {
                Ok((at, status)) => (at.elapsed() < EARLY_STATUS_FRESH).then_some(status),
                Err(e) => {
                    eprintln!(
                        "patchbay: no app status from start-up after {EARLY_STATUS_WAIT:?} ({e}): asking the keychain again"
                    );
                    None
                }
            });
            Ok(early.unwrap_or_else(|| pb.status()))
        })
        .await
    }

    /// Run an async core call (network) as a task of the async runtime: the UI thread never
    /// waits on the network, and a sign-in waiting for the browser holds no thread.
    pub async fn run_async<T, F, Fut>(&self, f: F) -> Result<T, ErrorBody>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Patchbay>) -> Fut + Send + 'static,
        Fut: Future<Output = patchbay_core::Result<T>> + Send + 'static,
    {
        self.startup.first_call();
        let pb = self.core.clone()?;
        tauri::async_runtime::spawn(async move { f(pb).await.map_err(|e| e.body()) })
            .await
            .map_err(internal)?
    }

    /// Connect in the browser; a second Connect for the same target cancels the first.
    pub async fn connect(&self, kind: OwnerKind, name: String) -> Result<GrantView, ErrorBody> {
        self.run_async(move |pb| async move { pb.connect_in_browser(kind, &name).await })
            .await
    }

    /// Sign in with a code on another device; `app` hears the code as [`DEVICE_CODE`].
    pub async fn connect_with_code(
        &self,
        app: tauri::AppHandle,
        kind: OwnerKind,
        name: String,
    ) -> Result<GrantView, ErrorBody> {
        let show: patchbay_core::oauth::ShowDeviceCode = Arc::new(move |p| {
            let _ = app.emit(DEVICE_CODE, p.clone());
            Ok(())
        });
        self.run_async(move |pb| async move { pb.connect_with_code(kind, &name, show).await })
            .await
    }

    /// Stop a sign-in that waits for the browser; false when none was waiting.
    pub fn cancel_connect(&self, kind: OwnerKind, name: &str) -> bool {
        self.core
            .as_ref()
            .is_ok_and(|pb| pb.cancel_sign_in(kind, name))
    }

    /// The Gateway screen's state, with why the app's gateway does not run if it should.
    pub async fn gateway_view(&self) -> Result<GatewayView, ErrorBody> {
        let error = self.gateway.error();
        self.run(move |pb| pb.gateway_view(error)).await
    }

    /// The Gateway screen's switch: save `gatewayEnabled`, then start or stop the gateway
    /// (turning it on again retries a start that failed).
    pub async fn set_gateway_enabled(&self, enabled: bool) -> Result<GatewayView, ErrorBody> {
        self.run(move |pb| pb.set_setting("gatewayEnabled", &enabled.to_string()))
            .await?;
        let pb = self.core.clone()?;
        self.gateway.follow(&pb, enabled).await;
        self.gateway_view().await
    }

    /// The core context, when it opened.
    pub fn core(&self) -> Option<Arc<Patchbay>> {
        self.core.as_ref().ok().cloned()
    }

    /// The window's first screen rendered (see [`Startup::ready`]).
    pub fn ready(&self, marks: Option<PageMarks>) -> u64 {
        self.startup.ready(marks)
    }
}

fn open_core() -> Result<Arc<Patchbay>, ErrorBody> {
    let pb = Patchbay::open_default().map_err(|e| e.body())?;
    Ok(Arc::new(pb))
}

/// Emit `db-changed` whenever another process (a CLI, a proxy) commits to the database, bring
/// the window forward when a tool call starts waiting for the user's confirmation or a local
/// app's browser sign-in for their consent, and have the
/// gateway follow its settings (and take it over once another process that held it stops).
///
/// It starts once the window's first screen is up (or [`SHOWN_WAIT`] passed), making the tray
/// icon first (unless a start at login made it already): that and its first pass (the tray's
/// state and host, notices, the gateway) must not compete with the window for the CPU while
/// that starts. A change made meanwhile is still seen (`last` is read first).
fn watch_database(app: AppHandle, pb: Arc<Patchbay>, gateway: Arc<gateway::GatewayHost>) {
    std::thread::Builder::new()
        .name("db-watch".into())
        .spawn(move || {
            let mut last = pb.store().data_version().ok();
            app.state::<Shell>().startup.wait_shown(SHOWN_WAIT);
            app.state::<tray::Tray>().create_once(&app, &pb);
            let mut asked: HashSet<String> = HashSet::new();
            let mut first = true;
            let mut ticks: u32 = 0;
            let mut notices = patchbay_core::notices::NoticeWatch::default();
            let tell = |notices: &mut patchbay_core::notices::NoticeWatch| {
                let notifier = app.state::<notify::Notifier>();
                for n in notices.next(&pb).unwrap_or_default() {
                    notifier.send(&app, &n.summary, &n.body, Some(n.screen));
                }
            };
            loop {
                let now = pb.store().data_version().ok();
                if first {
                    // Off the start-up path: is there a tray host (said once when not)?
                    app.state::<tray::Tray>().look_for_host();
                }
                if now != last || first {
                    // Only a change is news to the window (it read everything as it started).
                    if now != last {
                        let _ = app.emit(DATA_CHANGED, ());
                    }
                    last = now;
                    // A tool call or a browser sign-in newly waiting for the user.
                    let waiting: HashSet<String> = pb
                        .pending_approvals()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|a| a.id)
                        .chain(
                            pb.pending_gateway_consents()
                                .map(|c| c.pending)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| c.id),
                        )
                        .collect();
                    if waiting.iter().any(|id| !asked.contains(id)) {
                        show_main(&app);
                    }
                    asked = waiting;
                    app.state::<tray::Tray>().refresh(&app, &pb);
                    tell(&mut notices);
                    let (gateway, pb) = (gateway.clone(), pb.clone());
                    tauri::async_runtime::spawn(async move { gateway.follow(&pb, false).await });
                }
                first = false;
                // Every 2 s: take the gateway over once another process let it go; look for
                // a tray host (a panel may start after the app) and bring the tray up to
                // date with what this process changed (its own writes move no data_version).
                ticks = ticks.wrapping_add(1);
                if ticks.is_multiple_of(8) {
                    let tray = app.state::<tray::Tray>();
                    tray.look_for_host();
                    tray.refresh(&app, &pb);
                    tell(&mut notices);
                    let (gateway, pb) = (gateway.clone(), pb.clone());
                    tauri::async_runtime::spawn(async move { gateway.take_over(&pb).await });
                }
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
    let gateway = Arc::new(gateway::GatewayHost::default());
    let on_exit = gateway.clone();
    let logs_on_exit = core.as_ref().ok().cloned();
    let result = tauri::Builder::default()
        // Must come first: a second launch (e.g. the OS opening a patchbay:// link) hands
        // its arguments to this instance and exits; the deep-link feature forwards URLs.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // A second start at login stays in the tray, like the first.
            if !argv
                .iter()
                .any(|a| a == patchbay_core::autostart::HIDDEN_ARG)
            {
                show_main(app)
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .manage(Shell {
            early_status: early_status(&core),
            core: core.clone(),
            startup: Startup::new(started, core_ms),
            gateway: gateway.clone(),
        })
        .manage(tray::Tray::default())
        .manage(notify::Notifier::default())
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.label() == "main"
                && let Some(pb) = window.state::<Shell>().core()
                && window.state::<tray::Tray>().keep_running(&pb)
            {
                api.prevent_close();
                let _ = window.hide();
                if let Some((summary, body)) = tray::first_time_hint(&pb) {
                    // Off the UI thread: the notification service may be slow to answer.
                    let app = window.app_handle().clone();
                    std::thread::spawn(move || {
                        app.state::<notify::Notifier>()
                            .send(&app, summary, body, None);
                    });
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_actions,
            commands::app_status,
            commands::save_action,
            commands::set_action_enabled,
            commands::remove_action,
            commands::test_action,
            commands::connect,
            commands::connect_with_code,
            commands::list_idps,
            commands::tray_host,
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
            commands::pending_gateway_consents,
            commands::decide_gateway_consent,
            commands::attention,
            commands::export_preview,
            commands::export_write,
            commands::list_providers,
            commands::list_logs,
            commands::log_histogram,
            commands::health_series,
            commands::get_settings,
            commands::save_settings,
            commands::app_ready,
            commands::get_log,
            commands::export_logs,
            commands::gateway_status,
            commands::set_gateway_enabled,
            commands::list_gateway_keys,
            commands::add_gateway_key,
            commands::revoke_gateway_key,
            commands::gateway_tools,
            commands::list_gateway_clients,
            commands::add_gateway_client,
            commands::rotate_gateway_client_secret,
            commands::revoke_gateway_client,
            commands::reactivate_gateway_client,
            commands::doctor,
            commands::import_scan,
            commands::import_apply,
        ])
        .setup(move |app| {
            app.state::<Shell>().startup.window_built();
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
                // Off the UI thread: a proxy or the CLI asking whether the app runs holds the
                // lock for a moment, and the app waits that out (bounded) rather than give up.
                let presence = pb.clone();
                let handle = app.handle().clone();
                std::thread::spawn(move || match presence.hold_app_presence(PRESENCE_WAIT) {
                    Ok(Some(p)) => {
                        handle.manage(p);
                    }
                    Ok(None) => eprintln!(
                        "patchbay: another Patchbay app held this profile's presence lock for {PRESENCE_WAIT:?}: proxies will ask that one"
                    ),
                    Err(e) => eprintln!("patchbay: {e}"),
                });
                // Remove keychain entries no row owns (left by a crash), off the UI thread,
                // once the window is up.
                let sweeper = pb.clone();
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    handle.state::<Shell>().startup.wait_shown(SHOWN_WAIT);
                    let _ = sweeper.sweep_orphans();
                    let _ = sweeper.prune_rollup();
                });
                // Started at login: only the tray, when there is one to come back from; it is
                // made now. A window being shown gets it once its first screen is up (the
                // database watcher makes it): 10-56 ms in a debug build that the window's
                // start no longer waits for (docs/benchmarks.md).
                let hidden = std::env::args().any(|a| a == patchbay_core::autostart::HIDDEN_ARG);
                if hidden {
                    let tray = app.state::<tray::Tray>();
                    tray.create(app.handle(), &pb);
                    tray.look_for_host();
                    if tray.has_host()
                        && let Some(w) = app.get_webview_window("main")
                    {
                        let _ = w.hide();
                    }
                }
                watch_database(app.handle().clone(), pb, gateway);
            }
            app.state::<Shell>().startup.setup_done();
            Ok(())
        })
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(move |_, event| {
            if let RunEvent::Exit = event {
                // Calls in flight get their bounded time; the gateway's lock goes with it.
                tauri::async_runtime::block_on(on_exit.stop());
                // The log rows still queued (Tauri ends the process without dropping it).
                if let Some(pb) = &logs_on_exit {
                    pb.flush_logs();
                }
            }
        }),
        Err(e) => {
            eprintln!("patchbay: the desktop app could not start: {e}");
            std::process::exit(1);
        }
    }
}
