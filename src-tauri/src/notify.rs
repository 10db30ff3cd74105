//! Desktop notifications through the freedesktop notification service
//! (`org.freedesktop.Notifications` on the session bus), each with the `default` action, so
//! that a click opens the screen that fixes what it says. What to say comes from core
//! ([`patchbay_core::notices`]); this sends it and follows the clicks.
//!
//! Spoken over zbus directly rather than through notify-rust: notify-rust follows a click
//! by blocking one thread per notification until it is closed, with no bound, where one
//! listener on one connection follows the clicks of all of them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter};
use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::Value;

use crate::{DEEP_LINK, show_main};

const SERVICE: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
/// How long the notification service may take to answer a call.
const CALL_WITHIN: Duration = Duration::from_secs(5);
/// How many notifications' screens are kept for their clicks (the oldest go first).
const KEPT: usize = 200;

/// The screens of the notifications shown, by the service's notification id.
type Screens = Arc<Mutex<HashMap<u32, (u64, &'static str)>>>;

#[derive(Default)]
pub struct Notifier {
    bus: Mutex<Option<Connection>>,
    screens: Screens,
    sent: std::sync::atomic::AtomicU64,
    /// "No notification service" was said already.
    told: AtomicBool,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").finish_non_exhaustive()
    }
}

impl Notifier {
    /// The session bus, connected at the first notification, with the listener for clicks.
    fn bus(&self, app: &AppHandle) -> zbus::Result<Connection> {
        let mut bus = self.bus.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = bus.as_ref() {
            return Ok(b.clone());
        }
        let b = zbus::blocking::connection::Builder::session()?
            .method_timeout(CALL_WITHIN)
            .build()?;
        follow_clicks(app.clone(), b.clone(), self.screens.clone())?;
        *bus = Some(b.clone());
        Ok(b)
    }

    /// Show a notification; a click on it opens `screen` in the window (`None`: nothing to
    /// open). Where no notification service runs, say so once.
    pub fn send(&self, app: &AppHandle, summary: &str, body: &str, screen: Option<&'static str>) {
        let sent = (|| -> zbus::Result<u32> {
            let bus = self.bus(app)?;
            let proxy = Proxy::new(&bus, SERVICE, PATH, SERVICE)?;
            let actions: Vec<&str> = if screen.is_some() {
                vec!["default", "Open"]
            } else {
                Vec::new()
            };
            let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
            // The packaged desktop entry (Patchbay.desktop): its name and icon for the service.
            hints.insert("desktop-entry", Value::from("Patchbay"));
            proxy.call(
                "Notify",
                &(
                    "Patchbay",
                    0u32,
                    "patchbay-desktop",
                    summary,
                    body,
                    actions,
                    hints,
                    -1i32,
                ),
            )
        })();
        match sent {
            Ok(id) => {
                if let Some(screen) = screen {
                    let n = self.sent.fetch_add(1, Ordering::Relaxed);
                    let mut screens = self.screens.lock().unwrap_or_else(|p| p.into_inner());
                    screens.insert(id, (n, screen));
                    if screens.len() > KEPT
                        && let Some(oldest) = screens.iter().min_by_key(|(_, (n, _))| *n)
                    {
                        let oldest = *oldest.0;
                        screens.remove(&oldest);
                    }
                }
            }
            Err(e) => {
                if !self.told.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "patchbay: cannot show desktop notifications (no notification service on the session bus?): {e}"
                    );
                }
            }
        }
    }
}

/// Listen for the service's `ActionInvoked` (a click: open the notification's screen), for
/// as long as the app runs. (Closed notifications are not tracked: a click may come just
/// before its close, and the kept screens are bounded anyway.)
fn follow_clicks(app: AppHandle, bus: Connection, screens: Screens) -> zbus::Result<()> {
    let proxy = Proxy::new(&bus, SERVICE, PATH, SERVICE)?;
    let invoked = proxy.receive_signal("ActionInvoked")?;
    std::thread::Builder::new()
        .name("notify-clicks".into())
        .spawn(move || {
            for msg in invoked {
                let Ok((id, key)) = msg.body().deserialize::<(u32, String)>() else {
                    continue;
                };
                let screen = screens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&id)
                    .map(|(_, s)| *s);
                if let Some(screen) = screen
                    && key == "default"
                {
                    show_main(&app);
                    let _ = app.emit(DEEP_LINK, format!("patchbay://{screen}"));
                }
            }
        })
        .map_err(|e| zbus::Error::Failure(format!("cannot start a thread: {e}")))?;
    Ok(())
}
