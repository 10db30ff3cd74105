//! The tray icon (a StatusNotifierItem through libayatana-appindicator on Linux): its look
//! says the overall state (all healthy, something needs you, gateway off), its menu lists
//! what needs the user (each opens the screen that fixes it), Open Patchbay, the gateway's
//! switch and Quit. While a tray host is there, closing the window keeps the app running
//! in the tray when the gateway is on or an action asks for confirmation (`closeToTray`).
//! Where no tray host exists, the app says so once and closing the window quits.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use patchbay_core::Patchbay;
use patchbay_core::attention::{Glance, GlanceState};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::{DATA_CHANGED, DEEP_LINK, Shell, show_main};

/// The D-Bus name of the StatusNotifierWatcher a tray host runs (KDE's, used by GNOME's
/// AppIndicator extension, XFCE, Cinnamon, waybar...).
const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// How long asking the session bus whether a tray host is there may take.
const PROBE_WITHIN: Duration = Duration::from_secs(2);

/// The first time the window goes to the tray, a hint says so; this file in the profile
/// remembers that it was shown.
const HINT_SHOWN_FILE: &str = "tray-hint-shown";

#[derive(Default)]
pub struct Tray {
    icon: Mutex<Option<TrayIcon>>,
    /// What the icon and its menu show now.
    shown: Mutex<Option<Glance>>,
    /// A tray host was there at the last look.
    host: AtomicBool,
    /// "No tray here" was said already.
    told_no_host: AtomicBool,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray")
            .field("host", &self.host.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The session bus, connected once.
static BUS: std::sync::OnceLock<zbus::blocking::Connection> = std::sync::OnceLock::new();

/// Whether a tray host is registered with the session bus's StatusNotifierWatcher; `Err`
/// says why it could not be asked.
fn probe_host() -> Result<bool, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("tray-probe".into())
        .spawn(move || {
            let asked = (|| -> zbus::Result<bool> {
                let bus = match BUS.get() {
                    Some(b) => b.clone(),
                    None => {
                        let b = zbus::blocking::Connection::session()?;
                        let _ = BUS.set(b.clone());
                        b
                    }
                };
                let dbus = zbus::blocking::fdo::DBusProxy::new(&bus)?;
                if !dbus.name_has_owner(WATCHER.try_into()?)? {
                    return Ok(false);
                }
                let watcher =
                    zbus::blocking::Proxy::new(&bus, WATCHER, "/StatusNotifierWatcher", WATCHER)?;
                watcher.get_property::<bool>("IsStatusNotifierHostRegistered")
            })();
            let _ = tx.send(asked.map_err(|e| e.to_string()));
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    rx.recv_timeout(PROBE_WITHIN).unwrap_or_else(|_| {
        Err(format!(
            "the session bus did not answer within {} s",
            PROBE_WITHIN.as_secs()
        ))
    })
}

/// The app's icon with a dot in the corner in the state's colour.
fn icon_for(base: &Image<'_>, state: GlanceState) -> Image<'static> {
    let (w, h) = (base.width(), base.height());
    let mut rgba = base.rgba().to_vec();
    let [r, g, b] = match state {
        GlanceState::Healthy => [0x22, 0xa3, 0x5a],
        GlanceState::NeedsYou => [0xe8, 0x8a, 0x10],
        GlanceState::GatewayOff => [0x8a, 0x8f, 0x98],
    };
    let size = w.min(h) as f32;
    let radius = size * 0.26;
    let ring = size * 0.05;
    let (cx, cy) = (w as f32 - radius - ring, h as f32 - radius - ring);
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
            let px = ((y * w + x) * 4) as usize;
            let Some(p) = rgba.get_mut(px..px + 4) else {
                continue;
            };
            if d <= radius {
                p.copy_from_slice(&[r, g, b, 0xff]);
            } else if d <= radius + ring {
                p.copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
            }
        }
    }
    Image::new_owned(rgba, w, h)
}

fn menu_for(app: &AppHandle, g: &Glance) -> tauri::Result<Menu<Wry>> {
    let mut items: Vec<Box<dyn IsMenuItem<Wry>>> = Vec::new();
    items.push(Box::new(MenuItem::with_id(
        app,
        "status",
        g.state.words(g.items.len()),
        false,
        None::<&str>,
    )?));
    for (n, item) in g.items.iter().enumerate() {
        items.push(Box::new(MenuItem::with_id(
            app,
            format!("fix:{n}:{}", item.screen),
            // Shown as written: `&` marks a mnemonic in menus (muda escapes `_` itself).
            item.label.replace('&', "&&"),
            true,
            None::<&str>,
        )?));
    }
    items.push(Box::new(PredefinedMenuItem::separator(app)?));
    items.push(Box::new(MenuItem::with_id(
        app,
        "open",
        "Open Patchbay",
        true,
        None::<&str>,
    )?));
    items.push(Box::new(CheckMenuItem::with_id(
        app,
        "gateway",
        "Gateway",
        true,
        g.gateway_on,
        None::<&str>,
    )?));
    items.push(Box::new(PredefinedMenuItem::separator(app)?));
    items.push(Box::new(MenuItem::with_id(
        app,
        "quit",
        "Quit Patchbay",
        true,
        None::<&str>,
    )?));
    let refs: Vec<&dyn IsMenuItem<Wry>> = items.iter().map(|i| i.as_ref()).collect();
    Menu::with_items(app, &refs)
}

impl Tray {
    /// Create the icon (it shows once a tray host picks it up). Whether there is a host is
    /// asked off the start-up path ([`Tray::look_for_host`]).
    pub fn create(&self, app: &AppHandle, pb: &Patchbay) {
        let glance = match pb.glance() {
            Ok(g) => g,
            Err(e) => return eprintln!("patchbay: no tray icon: {e}"),
        };
        let Some(base) = app.default_window_icon().cloned() else {
            return eprintln!("patchbay: no tray icon: the app has no icon");
        };
        let built = menu_for(app, &glance).and_then(|menu| {
            TrayIconBuilder::with_id("main")
                .icon(icon_for(&base, glance.state))
                .tooltip("Patchbay")
                .menu(&menu)
                .show_menu_on_left_click(true)
                .on_menu_event(on_menu)
                .build(app)
        });
        match built {
            Ok(icon) => {
                *self.icon.lock().unwrap_or_else(|p| p.into_inner()) = Some(icon);
                *self.shown.lock().unwrap_or_else(|p| p.into_inner()) = Some(glance);
            }
            Err(e) => eprintln!("patchbay: no tray icon: {e}"),
        }
    }

    /// [`Tray::create`], unless the icon is there already.
    pub fn create_once(&self, app: &AppHandle, pb: &Patchbay) {
        let made = self
            .icon
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if !made {
            self.create(app, pb);
        }
    }

    /// Ask the session bus whether a tray host is there (a panel may start after the app,
    /// or stop); the first time there is none, say so.
    pub fn look_for_host(&self) {
        let host = match probe_host() {
            Ok(h) => h,
            Err(e) => {
                if !self.told_no_host.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "patchbay: cannot tell whether the desktop has a tray ({e}): closing the window quits the app"
                    );
                }
                false
            }
        };
        if !host && !self.told_no_host.swap(true, Ordering::Relaxed) {
            eprintln!(
                "patchbay: this desktop shows no tray (no StatusNotifier host on the session bus): closing the window quits the app"
            );
        }
        self.host.store(host, Ordering::Relaxed);
    }

    /// Look for a tray host now (bounded) and say whether there is one: the Settings
    /// screen's question, answered in the window, not only on stderr.
    pub fn look_for_host_now(&self) -> bool {
        self.look_for_host();
        self.has_host()
    }

    /// Whether a tray host was there at the last look.
    pub fn has_host(&self) -> bool {
        self.host.load(Ordering::Relaxed)
    }

    /// Show the current state, when it changed since the last time. No lock is held while
    /// the icon changes: that runs on the main thread, which may be waiting for one.
    pub fn refresh(&self, app: &AppHandle, pb: &Patchbay) {
        let Ok(glance) = pb.glance() else { return };
        let before = self.shown.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if before.as_ref() == Some(&glance) {
            return;
        }
        let Some(icon) = self.icon.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
            return;
        };
        if let Some(base) = app.default_window_icon()
            && before.map(|s| s.state) != Some(glance.state)
            && let Err(e) = icon.set_icon(Some(icon_for(base, glance.state)))
        {
            eprintln!("patchbay: cannot update the tray icon: {e}");
        }
        match menu_for(app, &glance) {
            Ok(menu) => {
                if let Err(e) = icon.set_menu(Some(menu)) {
                    eprintln!("patchbay: cannot update the tray menu: {e}");
                }
            }
            Err(e) => eprintln!("patchbay: cannot build the tray menu: {e}"),
        }
        *self.shown.lock().unwrap_or_else(|p| p.into_inner()) = Some(glance);
    }

    /// The window was asked to close: true when the app stays in the tray (the window is
    /// then hidden), false when closing it quits, as without a tray.
    pub fn keep_running(&self, pb: &Patchbay) -> bool {
        if self.icon.lock().map(|i| i.is_none()).unwrap_or(true) {
            return false;
        }
        // Asked now (bounded): a panel may have come or gone since the last look.
        self.look_for_host();
        if !self.has_host() {
            return false;
        }
        let s = pb.settings();
        if !s.close_to_tray {
            return false;
        }
        s.gateway_enabled || pb.glance().is_ok_and(|g| g.confirmations)
    }
}

/// The first time the window goes to the tray: what to say about where the app went (a
/// desktop notification, and on stderr); `None` after that.
pub fn first_time_hint(pb: &Patchbay) -> Option<(&'static str, &'static str)> {
    let marker = pb.home().join(HINT_SHOWN_FILE);
    if marker.exists() {
        return None;
    }
    let _ = std::fs::write(&marker, b"");
    let hint = (
        "Patchbay keeps running in the tray",
        "While the gateway is on or an action asks for confirmation, closing the window leaves Patchbay in the tray. Quit from its menu, or turn off \u{201c}Close to tray\u{201d} in Settings.",
    );
    eprintln!("patchbay: {}: {}", hint.0, hint.1);
    Some(hint)
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    let id = event.id().as_ref();
    match id {
        "open" => show_main(app),
        "quit" => app.exit(0),
        "gateway" => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let shell = app.state::<Shell>();
                let Some(pb) = shell.core() else { return };
                let on = pb.settings().gateway_enabled;
                if let Err(e) = shell.set_gateway_enabled(!on).await {
                    eprintln!("patchbay: the tray's gateway switch: {}", e.message);
                }
                let _ = app.emit(DATA_CHANGED, ());
                app.state::<Tray>().refresh(&app, &pb);
            });
        }
        _ => {
            if let Some(screen) = id.strip_prefix("fix:").and_then(|r| r.split(':').nth(1)) {
                show_main(app);
                let _ = app.emit(DEEP_LINK, format!("patchbay://{screen}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_keeps_its_size_and_gets_a_dot_of_the_states_colour() {
        let base = Image::new_owned(vec![0; 32 * 32 * 4], 32, 32);
        let healthy = icon_for(&base, GlanceState::Healthy);
        assert_eq!((healthy.width(), healthy.height()), (32, 32));
        let corner = |i: &Image<'_>| {
            let px = ((26 * 32 + 26) * 4) as usize;
            i.rgba()[px..px + 4].to_vec()
        };
        assert_eq!(corner(&healthy), [0x22, 0xa3, 0x5a, 0xff]);
        assert_eq!(
            corner(&icon_for(&base, GlanceState::NeedsYou)),
            [0xe8, 0x8a, 0x10, 0xff]
        );
        assert_eq!(
            corner(&icon_for(&base, GlanceState::GatewayOff)),
            [0x8a, 0x8f, 0x98, 0xff]
        );
        assert_eq!(
            &healthy.rgba()[..4],
            [0, 0, 0, 0],
            "the rest is the app's icon"
        );
    }
}
