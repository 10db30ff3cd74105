//! Desktop notifications, received by a real notification daemon (Debian's dunst) on the
//! test run's own D-Bus session and watched there with dbus-monitor: a confirmation waiting
//! (a click on it, through `dunstctl action`, opens the Actions screen), a new gateway client,
//! a confirmation expiring unanswered, an action turning Unhealthy, each once per change, and
//! none of a kind switched off in Settings.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use patchbay_testsupport::Guard;
use serde_json::json;

use crate::gateway::{client_report, gateway_client};
use crate::support::{
    Keychain, cli, cli_ok, click, describe_log, find, free_port, go, launch_with, log_file,
    log_stdio, screenshot, wait_text,
};
use crate::tray::Guarded;

/// How long a notification may take to reach the daemon.
const NOTIFY_WITHIN: Duration = Duration::from_secs(20);

/// dunst on `display`, owning org.freedesktop.Notifications on the test run's bus, and
/// dbus-monitor writing every `Notify` call into a log.
pub(crate) struct Daemon {
    _dunst: Guard,
    _monitor: Guard,
    calls: std::path::PathBuf,
    dunst_log: std::path::PathBuf,
}

impl Daemon {
    pub fn start(display: &str) -> Daemon {
        let calls = log_file("notify-calls");
        let monitor = Guard::spawn(
            Command::new("dbus-monitor")
                .args([
                    "--session",
                    "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
                ])
                .stdin(Stdio::null())
                .stdout(log_stdio(&calls))
                .stderr(log_stdio(&calls)),
            "dbus-monitor",
        );
        let dunst_log = log_file("dunst");
        let dunst = Guard::spawn(
            Command::new("dunst")
                .args(["-config", "/dev/null"])
                .env("DISPLAY", display)
                .stdin(Stdio::null())
                .stdout(log_stdio(&dunst_log))
                .stderr(log_stdio(&dunst_log)),
            "dunst",
        );
        // Until dunst owns the name (it answers GetServerInformation).
        let started = Instant::now();
        loop {
            let out = patchbay_testsupport::run(
                Command::new("dbus-send").args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.Notifications",
                    "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications.GetServerInformation",
                ]),
                Duration::from_secs(10),
                "dbus-send GetServerInformation",
            );
            if String::from_utf8_lossy(&out.stdout).contains("dunst") {
                break;
            }
            if started.elapsed() > Duration::from_secs(20) {
                panic!(
                    "waited 20 s for dunst to own org.freedesktop.Notifications; it did not{}",
                    describe_log("dunst", &dunst_log)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Daemon {
            _dunst: dunst,
            _monitor: monitor,
            calls,
            dunst_log,
        }
    }

    /// How many `Notify` calls carried this summary, as dbus-monitor saw them.
    fn count(&self, summary: &str) -> usize {
        std::fs::read_to_string(&self.calls)
            .unwrap_or_default()
            .matches(&format!("string \"{summary}\""))
            .count()
    }

    /// Until a `Notify` call with this summary and body text was on the bus.
    pub fn wait(&self, summary: &str, body_part: &str) {
        let deadline = Instant::now() + NOTIFY_WITHIN;
        while Instant::now() < deadline {
            let text = std::fs::read_to_string(&self.calls).unwrap_or_default();
            if let Some(at) = text.find(&format!("string \"{summary}\"")) {
                let after: String = text[at..].lines().take(3).collect::<Vec<_>>().join("\n");
                assert!(
                    after.contains(body_part),
                    "the notification {summary:?} says {body_part:?}: {after}"
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "waited {NOTIFY_WITHIN:?} for a notification {summary:?} on the bus; none came{}{}",
            describe_log("dbus-monitor", &self.calls),
            describe_log("dunst", &self.dunst_log)
        );
    }

    /// Click the newest notification shown (its default action), as a user would.
    fn click_newest(&self) {
        let out = patchbay_testsupport::run(
            Command::new("dunstctl").args(["action", "0"]),
            Duration::from_secs(10),
            "dunstctl action 0",
        );
        assert!(
            out.status.success(),
            "dunstctl action 0: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Make `name` an action whose test fails (nothing listens at its URL), tested by the CLI.
fn failing_action(home: &Path, name: &str) {
    let url = format!("http://127.0.0.1:{}/mcp", free_port());
    cli_ok(home, &["action", "add", name, "--url", &url]);
    let out = patchbay_testsupport::run(
        Command::new(cli())
            .args(["test", name])
            .env("PATCHBAY_HOME", home),
        Duration::from_secs(60),
        &format!("patchbay test {name}"),
    );
    assert!(!out.status.success(), "{name} fails its test");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_the_daemon_once_per_change_and_a_click_opens_the_screen() {
    let w = Guarded::new();
    let h = w.home.path();
    // A confirmation that nobody answers expires in 4 s.
    let app = launch_with(
        h,
        Keychain::Shared,
        &[("PATCHBAY_CONFIRM_TIMEOUT_SECS", "4".to_string())],
    )
    .await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    let daemon = Daemon::start(&app.display);

    // A confirmation waits: told with the tool and the action; a click opens Actions.
    go(c, "#/settings").await;
    find(c, "[data-testid=settings-form]").await;
    let client = gateway_client(&w.url(), &w.key, "guarded__echo", json!({"text": "hi"}));
    daemon.wait("Confirm echo on guarded?", "asks to run it");
    daemon.click_newest();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let hash = c
            .execute("return window.location.hash;", vec![])
            .await
            .expect("hash");
        if hash.as_str() == Some("#/actions") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the click on the notification did not open the Actions screen within 15 s: the window is at {hash}{}",
            describe_log("dunst", &daemon.dunst_log)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_text(c, "[data-testid=approval-prompt]", "echo").await;
    screenshot(c, "desktop-notification-opened.png").await;
    click(c, "[data-testid=approval-approve]").await;
    let r = client_report(client);
    assert_eq!(r["calls"][0]["ok"], true, "{r}");

    // Its first call makes the key a new gateway client.
    daemon.wait(
        "New gateway client: e2e",
        "The access key 'e2e' called guarded__echo through the gateway.",
    );

    // Unanswered, a confirmation expires: told once.
    let client = gateway_client(&w.url(), &w.key, "guarded__echo", json!({"text": "late"}));
    daemon.wait("A confirmation expired: echo on guarded", "denied");
    let r = client_report(client);
    assert_ne!(r["calls"][0]["ok"], true, "denied: {r}");
    assert_eq!(
        daemon.count("Confirm echo on guarded?"),
        2,
        "one per waiting call"
    );

    // An action turning Unhealthy: once, however often it fails again.
    failing_action(h, "broken");
    daemon.wait("broken is unhealthy", "");
    failing_action(h, "broken2");
    daemon.wait("broken2 is unhealthy", "");
    let out = patchbay_testsupport::run(
        Command::new(cli())
            .args(["test", "broken"])
            .env("PATCHBAY_HOME", h),
        Duration::from_secs(60),
        "patchbay test broken (again)",
    );
    assert!(!out.status.success());

    // Switched off, health says nothing more (the next notice of another kind shows the
    // app has looked since).
    cli_ok(h, &["settings", "set", "notifyHealth", "false"]);
    failing_action(h, "quiet");
    let client = gateway_client(&w.url(), &w.key, "guarded__echo", json!({"text": "again"}));
    daemon.wait("Confirm echo on guarded?", "asks to run it");
    let deadline = Instant::now() + NOTIFY_WITHIN;
    while daemon.count("Confirm echo on guarded?") < 3 {
        assert!(
            Instant::now() < deadline,
            "the third confirmation was not told"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(daemon.count("quiet is unhealthy"), 0, "notifyHealth is off");
    assert_eq!(daemon.count("broken is unhealthy"), 1, "once per change");
    find(c, "[data-testid=approval-prompt]").await;
    click(c, "[data-testid=approval-approve]").await;
    let r = client_report(client);
    assert_eq!(r["calls"][0]["ok"], true, "{r}");
    app.close().await;
}
