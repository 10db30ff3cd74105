//! The start-up benchmark's report: when the app began, and when each phase was reached on
//! the way to the first rendered screen. The app writes it once to `PATCHBAY_READY_FILE`.

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// With this set to a file path, the app writes there, once, how long it took from its
/// start to its first rendered screen (what the start-up benchmark waits for), as JSON:
/// `{"ms": N, "phases": {...}}` (see [`Startup::ready`]).
pub use patchbay_core::env::READY_FILE as READY_FILE_ENV;

/// The page's own start-up marks, by name, as `performance.now()` values (ms since the page's
/// navigation began); `now` is the moment `app_ready` was sent.
pub type PageMarks = std::collections::BTreeMap<String, f64>;

pub(crate) fn ms_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Start-up milestones in ms since `started`.
#[derive(Debug)]
pub(crate) struct Startup {
    started: Instant,
    ready_ms: OnceLock<u64>,
    core_ms: u64,
    window_ms: OnceLock<u64>,
    setup_ms: OnceLock<u64>,
    first_call_ms: OnceLock<u64>,
    /// The first screen is up (`ready` was called), for the work that waits for it.
    shown: Mutex<bool>,
    shown_changed: Condvar,
}

impl Startup {
    pub(crate) fn new(started: Instant, core_ms: u64) -> Self {
        Startup {
            started,
            ready_ms: OnceLock::new(),
            core_ms,
            window_ms: OnceLock::new(),
            setup_ms: OnceLock::new(),
            first_call_ms: OnceLock::new(),
            shown: Mutex::new(false),
            shown_changed: Condvar::new(),
        }
    }

    /// Block until the window's first screen is up, or `at_most` passed (a window started
    /// hidden draws none). Background work that the first screen does not show (the tray's
    /// state, the keychain sweep) waits here, so it does not compete with the window for the
    /// CPU while it starts. True when the screen is up.
    pub(crate) fn wait_shown(&self, at_most: Duration) -> bool {
        let shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let (shown, _) = self
            .shown_changed
            .wait_timeout_while(shown, at_most, |shown| !*shown)
            .unwrap_or_else(|e| e.into_inner());
        *shown
    }

    /// The plugins and the window (its web view) are built: the setup hook starts.
    pub(crate) fn window_built(&self) {
        self.window_ms.get_or_init(|| ms_since(self.started));
    }

    pub(crate) fn setup_done(&self) {
        self.setup_ms.get_or_init(|| ms_since(self.started));
    }

    pub(crate) fn first_call(&self) {
        self.first_call_ms.get_or_init(|| ms_since(self.started));
    }

    /// The window's first screen rendered: record (and, for the benchmark, write to
    /// `PATCHBAY_READY_FILE`) the start-up time. Later calls return the first figure.
    ///
    /// The file also breaks the time down, each phase in ms since the start: `core` (the
    /// database open), `window` (the plugins and the window built), `setup` (the app's setup
    /// hook done),
    /// `firstCall` (the first command reached the backend), `painted` (the total), and,
    /// placed on the app's clock, `page` (the page began loading: `ready - marks.now`) and
    /// each of the page's own marks (listed in `ui/src/lib/startup.ts`).
    pub fn ready(&self, marks: Option<PageMarks>) -> u64 {
        let ms = *self.ready_ms.get_or_init(|| {
            let ms = ms_since(self.started);
            if let Some(path) = std::env::var_os(READY_FILE_ENV) {
                let report = self.report(ms, marks);
                if let Err(e) = std::fs::write(&path, format!("{report}\n")) {
                    eprintln!("patchbay: could not write {}: {e}", path.to_string_lossy());
                }
            }
            ms
        });
        *self.shown.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.shown_changed.notify_all();
        ms
    }

    fn report(&self, ms: u64, marks: Option<PageMarks>) -> serde_json::Value {
        let mut phases = serde_json::json!({
            "core": self.core_ms,
            "window": self.window_ms.get(),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(m: &[(&str, f64)]) -> PageMarks {
        m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn shell(core_ms: u64) -> Startup {
        Startup {
            window_ms: OnceLock::from(30),
            setup_ms: OnceLock::from(40),
            first_call_ms: OnceLock::from(300),
            ..Startup::new(Instant::now(), core_ms)
        }
    }

    #[test]
    fn work_waiting_for_the_first_screen_goes_on_when_it_is_up_or_after_the_bound() {
        let s = std::sync::Arc::new(shell(1));
        // Nothing shown: the wait ends at its bound, saying so.
        let t = Instant::now();
        assert!(!s.wait_shown(Duration::from_millis(50)));
        assert!(t.elapsed() >= Duration::from_millis(50));
        // Shown while a thread waits: it goes on at once, long before its bound.
        let waiter = {
            let s = s.clone();
            std::thread::spawn(move || {
                let t = Instant::now();
                (s.wait_shown(Duration::from_secs(30)), t.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        s.ready(None);
        let (shown, waited) = waiter.join().expect("the waiting thread");
        assert!(shown);
        assert!(waited < Duration::from_secs(10), "waited {waited:?}");
        // And later waits do not wait at all.
        let t = Instant::now();
        assert!(s.wait_shown(Duration::from_secs(30)));
        assert!(t.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn the_startup_report_places_the_pages_marks_on_the_apps_clock() {
        let marks = marks(&[("script", 50.4), ("listed", 180.0), ("now", 200.0)]);
        let r = shell(12).report(500, Some(marks));
        assert_eq!(
            r,
            serde_json::json!({"ms": 500, "phases": {
                "core": 12, "window": 30, "setup": 40, "page": 300.0, "script": 350.0,
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
            let r = shell(12).report(500, Some(m.clone()));
            assert_eq!(r["phases"].get("page"), None, "{m:?}");
            assert_eq!(r["phases"].get("script"), None, "{m:?}");
            assert_eq!(r["phases"]["painted"], 500);
        }
        let r = shell(12).report(500, None);
        assert_eq!(r["phases"].get("script"), None);
        // A mark after `now` (clock trouble) is clamped to `now`, one that is not a number
        // is null, and a page mark cannot overwrite the app's own phases.
        let m = marks(&[
            ("script", f64::INFINITY),
            ("listed", 400.0),
            ("core", 5.0),
            ("now", 100.0),
        ]);
        let r = shell(12).report(500, Some(m));
        assert_eq!(r["phases"]["script"], serde_json::Value::Null);
        assert_eq!(r["phases"]["core"], 12);
        assert_eq!(r["phases"]["listed"], 500.0);
    }
}
