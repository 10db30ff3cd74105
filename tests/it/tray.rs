//! The app as a resident of the tray, on the test run's own D-Bus session: a
//! StatusNotifierWatcher and host (`tray_host.py`, python3-dbus) picks up the app's
//! StatusNotifierItem and drives its menu through `com.canonical.dbusmenu`; the window is
//! closed as a window manager closes it (a `WM_DELETE_WINDOW` client message). With a host,
//! the app stays, its gateway keeps serving, a confirmation brings the window back, and Quit
//! from the menu stops the gateway and the process. Without one, closing the window quits.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use patchbay_testsupport::{Guard, Lines};
use serde_json::{Value, json};

use crate::desktop::cli_connect;
use crate::gateway::{client_report, gateway_client, post_initialize, wait_http};
use crate::support::{
    App, Keychain, Servers, apps_of, cli_ok, click, describe_log, find, free_port, go, launch_with,
    log_file, log_stdio, screenshot, wait_text,
};

/// How long a tray helper command may take.
const HELPER_WITHIN: Duration = Duration::from_secs(20);
/// How long the tray may take to show a change.
const TRAY_WITHIN: Duration = Duration::from_secs(20);

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/tray_host.py")
}

/// Debian's python3, which has python3-dbus, python3-gi and python3-xlib (a Python of the
/// developer's own may have none of them).
const PYTHON: &str = "/usr/bin/python3";

/// Run `tray_host.py ARGS` on `display` (bounded); its one line of JSON, or why it failed.
fn helper(display: &str, args: &[&str]) -> Result<Value, String> {
    let what = format!("tray_host.py {}", args.join(" "));
    let out = patchbay_testsupport::run(
        Command::new(PYTHON)
            .arg(script())
            .args(args)
            .env("DISPLAY", display),
        HELPER_WITHIN,
        &what,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            stdout.trim()
        ));
    }
    serde_json::from_str(stdout.trim()).map_err(|e| format!("{what} printed {stdout:?}: {e}"))
}

fn helper_ok(display: &str, args: &[&str]) -> Value {
    helper(display, args).unwrap_or_else(|e| panic!("{e}"))
}

/// The tray host, and the app's item once it registered.
struct TrayHost {
    _watcher: Guard,
    service: String,
    path: String,
    display: String,
}

impl TrayHost {
    /// Start the watcher and host, and wait (bounded) for the app's item to register.
    fn start(display: &str) -> TrayHost {
        let (watcher, lines, log) = Self::watcher();
        Self::wait_item(watcher, lines, &log, display)
    }

    /// Start the watcher and host; returns once it owns the watcher's name.
    fn watcher() -> (Guard, Lines, PathBuf) {
        let log = log_file("tray-host");
        let mut watcher = Guard::spawn(
            Command::new(PYTHON)
                .arg(script())
                .arg("watch")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(log_stdio(&log)),
            "tray_host.py watch",
        );
        let mut lines = Lines::new(
            watcher.0.stdout.take().expect("stdout"),
            "tray_host.py watch",
        );
        let ready = lines.try_next(HELPER_WITHIN).unwrap_or_else(|e| {
            panic!(
                "waited {HELPER_WITHIN:?} for the tray host to own org.kde.StatusNotifierWatcher: {e:?}{}",
                describe_log("its stderr", &log)
            )
        });
        assert!(ready.contains("\"ready\": true"), "{ready}");
        (watcher, lines, log)
    }

    /// Until the app's item registers with the host (the app registers it when a host
    /// appears, or at its start when one is there).
    fn wait_item(watcher: Guard, mut lines: Lines, log: &Path, display: &str) -> TrayHost {
        let item: Value = match lines.try_next(TRAY_WITHIN) {
            Ok(l) => serde_json::from_str(&l).expect("JSON"),
            Err(e) => panic!(
                "waited {TRAY_WITHIN:?} for the app's StatusNotifierItem to register with the host: {e:?}{}",
                describe_log("the host's stderr", log)
            ),
        };
        TrayHost {
            _watcher: watcher,
            service: item["service"].as_str().expect("service").into(),
            path: item["path"].as_str().expect("path").into(),
            display: display.into(),
        }
    }

    /// The item's icon, status and menu.
    fn show(&self) -> Value {
        helper_ok(&self.display, &["show", &self.service, &self.path])
    }

    /// Until the menu's first line reads `status` and it has an entry containing each of
    /// `entries`; the menu then.
    fn wait_menu(&self, status: &str, entries: &[&str]) -> Value {
        let deadline = Instant::now() + TRAY_WITHIN;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            last = self.show();
            let labels: Vec<&str> = last["menu"]
                .as_array()
                .map(|m| m.iter().filter_map(|e| e["label"].as_str()).collect())
                .unwrap_or_default();
            if labels.first() == Some(&status)
                && entries
                    .iter()
                    .all(|want| labels.iter().any(|l| l.contains(want)))
            {
                return last;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "waited {TRAY_WITHIN:?} for the tray menu to read {status:?} with {entries:?}; it shows {last}"
        );
    }

    fn click(&self, label: &str) {
        helper_ok(&self.display, &["click", &self.service, &self.path, label]);
    }
}

/// The colour of the dot the icon carries in its corner (the state), read from the PNG the
/// tray host was given.
fn icon_dot(menu: &Value) -> [u8; 3] {
    let path = menu["icon"].as_str().expect("icon path");
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open the icon {path}: {e}"));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("the icon {path} is a PNG: {e}"));
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert_eq!(info.color_type, png::ColorType::Rgba, "{path}");
    // The dot's centre: 31% of the size in from the bottom-right corner.
    let (w, h) = (info.width as usize, info.height as usize);
    let (x, y) = (w * 69 / 100, h * 69 / 100);
    let p = (y * w + x) * 4;
    [buf[p], buf[p + 1], buf[p + 2]]
}

const GREEN: [u8; 3] = [0x22, 0xa3, 0x5a];
const AMBER: [u8; 3] = [0xe8, 0x8a, 0x10];

/// The app's process (one per test at a time).
fn app_pid(home: &Path) -> String {
    let pids = apps_of(home);
    assert_eq!(pids.len(), 1, "one app process: {pids:?}");
    pids[0].to_string()
}

/// Until the window is mapped (`true`) or not, bounded.
fn wait_mapped(app: &App, pid: &str, want: bool, what: &str) {
    wait_mapped_on(&app.display, pid, want, what);
}

fn wait_mapped_on(display: &str, pid: &str, want: bool, what: &str) {
    let mut last = Value::Null;
    let seen = patchbay_testsupport::until(what, Duration::from_secs(15), || {
        last = helper(display, &["window", pid]).unwrap_or_else(|e| json!(e));
        (last["mapped"] == want).then_some(())
    });
    if let Err(e) = seen {
        panic!("{e}: the window is {last}");
    }
}

/// Close the window as a window manager does.
fn close_window(app: &App, pid: &str) {
    helper_ok(&app.display, &["close", pid]);
}

fn count_in_log(log: &Path, needle: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches(needle)
        .count()
}

/// A profile with the action `guarded` (the test MCP server, OAuth, connected, asking for
/// confirmation), the gateway on a free port and an access key `e2e` for it.
pub(crate) struct Guarded {
    /// The OAuth and MCP servers, running as long as this.
    _servers: Servers,
    pub home: tempfile::TempDir,
    pub port: u16,
    pub key: String,
}

impl Guarded {
    pub fn new() -> Guarded {
        let servers = Servers::new(json!({}), json!({}));
        let home = tempfile::tempdir().expect("tempdir");
        let h = home.path();
        let port = free_port();
        cli_ok(h, &["settings", "set", "gatewayPort", &port.to_string()]);
        cli_ok(h, &["settings", "set", "gatewayEnabled", "true"]);
        cli_ok(
            h,
            &[
                "action",
                "add",
                "guarded",
                "--url",
                &servers.mcp_url(),
                "--auth",
                "oauth",
                "--confirm",
            ],
        );
        cli_connect(h, "guarded");
        let key: Value = serde_json::from_str(&cli_ok(
            h,
            &[
                "gateway",
                "key",
                "add",
                "e2e",
                "--actions",
                "guarded",
                "--json",
            ],
        ))
        .expect("json");
        Guarded {
            key: key["key"].as_str().expect("key").to_string(),
            _servers: servers,
            home,
            port,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }
}

const NO_TRAY_SAID: &str = "this desktop shows no tray";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_tray_host_closing_the_window_keeps_the_app_serving_and_quit_stops_it() {
    let w = Guarded::new();
    let (h, port, key) = (w.home.path(), w.port, w.key.clone());

    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    wait_http(port, Some(&key), Some(200), "the app's gateway").await;
    let tray = TrayHost::start(&app.display);
    let pid = app_pid(h);

    // All healthy: the gateway on, the action connected, nothing waiting.
    let menu = tray.wait_menu(
        "All healthy",
        &["Open Patchbay", "Gateway", "Quit Patchbay"],
    );
    assert_eq!(menu["status"], "Active", "{menu}");
    let gateway = menu["menu"]
        .as_array()
        .expect("menu")
        .iter()
        .find(|e| e["label"] == "Gateway")
        .expect("a Gateway entry");
    assert_eq!(
        (gateway["toggle"].as_str(), gateway["checked"].as_bool()),
        (Some("checkmark"), Some(true)),
        "the gateway's switch, on: {menu}"
    );
    assert_eq!(icon_dot(&menu), GREEN, "the healthy dot: {menu}");

    // Closed as a window manager closes it: hidden, the process stays, the gateway serves.
    wait_mapped(&app, &pid, true, "the window to be shown");
    close_window(&app, &pid);
    wait_mapped(&app, &pid, false, "the window to hide on close");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(apps_of(h).len(), 1, "the app keeps running in the tray");
    assert_eq!(
        post_initialize(port, Some(&key)),
        Some(200),
        "the gateway still serves"
    );

    // A confirmed call through the gateway: the tray says it needs you, the window comes back
    // with the prompt.
    let client = gateway_client(
        &w.url(),
        &key,
        "guarded__echo",
        json!({"text": "from a resident app"}),
    );
    let menu = tray.wait_menu("1 thing needs you", &["Confirm echo on guarded: "]);
    assert_eq!(icon_dot(&menu), AMBER, "the needs-you dot: {menu}");
    wait_mapped(
        &app,
        &pid,
        true,
        "the window to come back for the confirmation",
    );
    let prompt = wait_text(c, "[data-testid=approval-prompt]", "echo").await;
    assert!(prompt.contains("from a resident app"), "{prompt}");
    screenshot(c, "desktop-tray-confirmation.png").await;

    // Closed again while it waits, then opened from the tray's entry for it.
    close_window(&app, &pid);
    wait_mapped(&app, &pid, false, "the window to hide on the second close");
    tray.click("Confirm echo on guarded");
    wait_mapped(&app, &pid, true, "the tray's entry to open the window");
    wait_text(c, "[data-testid=approval-prompt]", "from a resident app").await;
    click(c, "[data-testid=approval-approve]").await;
    let r = client_report(client);
    assert_eq!(r["calls"][0]["ok"], true, "{r}");
    assert_eq!(r["calls"][0]["text"], "from a resident app", "{r}");
    tray.wait_menu("All healthy", &[]);

    // Open Patchbay brings a closed window back.
    close_window(&app, &pid);
    wait_mapped(&app, &pid, false, "the window to hide on the third close");
    tray.click("Open Patchbay");
    wait_mapped(&app, &pid, true, "Open Patchbay to show the window");

    // The gateway's switch in the menu turns it off (and the icon says so), then on.
    tray.click("Gateway");
    tray.wait_menu("All healthy · gateway off", &[]);
    wait_http(port, Some(&key), None, "the gateway stopped from the tray").await;
    tray.click("Gateway");
    tray.wait_menu("All healthy", &[]);
    wait_http(
        port,
        Some(&key),
        Some(200),
        "the gateway back from the tray",
    )
    .await;

    // Quit: the gateway stops and the process goes.
    tray.click("Quit Patchbay");
    patchbay_testsupport::until(
        "the app to quit from the tray",
        Duration::from_secs(20),
        || apps_of(h).is_empty().then_some(()),
    )
    .unwrap_or_else(|e| panic!("{e}{}", describe_log("the app", &app.log)));
    assert_eq!(post_initialize(port, Some(&key)), None, "nothing listens");
    let st: Value =
        serde_json::from_str(&cli_ok(h, &["--json", "gateway", "status"])).expect("json");
    assert_eq!(st["running"], false, "{st}");
    assert_eq!(
        count_in_log(&app.log, "keeps running in the tray"),
        1,
        "the first close said where the app went, once"
    );
    drop(tray);
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_tray_host_the_app_says_so_once_and_closing_the_window_quits() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let port = free_port();
    cli_ok(h, &["settings", "set", "gatewayPort", &port.to_string()]);
    // Even with the gateway on and closeToTray on (its default): no tray, no resident.
    cli_ok(h, &["settings", "set", "gatewayEnabled", "true"]);
    let app = launch_with(h, Keychain::Shared, &[]).await;
    find(&app.client, "[data-testid=add-action]").await;
    wait_http(port, None, Some(401), "the app's gateway").await;
    let pid = app_pid(h);
    wait_mapped(&app, &pid, true, "the window to be shown");
    // The app looks again every 2 s: still said once.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        count_in_log(&app.log, NO_TRAY_SAID),
        1,
        "said once{}",
        describe_log("the app", &app.log)
    );
    // And in the window, where the user looks: beside the Close to tray switch.
    go(&app.client, "#/settings").await;
    wait_text(
        &app.client,
        "[data-testid=settings-no-tray]",
        "This desktop shows no system tray: closing the window quits Patchbay.",
    )
    .await;
    close_window(&app, &pid);
    patchbay_testsupport::until(
        "the app to quit when its window closed",
        Duration::from_secs(20),
        || apps_of(h).is_empty().then_some(()),
    )
    .unwrap_or_else(|e| panic!("{e}{}", describe_log("the app", &app.log)));
    wait_http(port, None, None, "the gateway gone with the app").await;
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_at_login_the_app_shows_only_its_tray_icon_until_opened() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let user_home = tempfile::tempdir().expect("tempdir");
    // One app at a time on the run's bus; this one started as the autostart entry does.
    let _slot = crate::support::app_slot().await;
    let (display, _xvfb) = crate::support::display();
    let (watcher, lines, host_log) = TrayHost::watcher();
    let log = log_file("app-hidden");
    let mut app = Guard::spawn(
        Command::new(env!("CARGO_BIN_EXE_patchbay-desktop"))
            .arg("--hidden")
            .env("PATCHBAY_HOME", h)
            .env("DISPLAY", &display)
            .env("HOME", user_home.path())
            .env("XDG_CONFIG_HOME", user_home.path().join(".config"))
            .env("PATCHBAY_NO_SCHEME_REGISTRATION", "1")
            .stdin(Stdio::null())
            .stdout(log_stdio(&log))
            .stderr(log_stdio(&log)),
        "patchbay-desktop --hidden",
    );
    let tray = TrayHost::wait_item(watcher, lines, &host_log, &display);
    let pid = app.0.id().to_string();
    tray.wait_menu("All healthy · gateway off", &["Open Patchbay"]);
    // It stays hidden (looked at twice, a second apart).
    for _ in 0..2 {
        let w = helper_ok(&display, &["window", &pid]);
        assert_eq!(
            w["mapped"],
            false,
            "no window at login: {w}{}",
            describe_log("the app", &log)
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tray.click("Open Patchbay");
    wait_mapped_on(&display, &pid, true, "Open Patchbay to show the window");
    tray.click("Quit Patchbay");
    let status = patchbay_testsupport::wait_child(
        &mut app.0,
        Duration::from_secs(20),
        "the app to quit from the tray",
    );
    assert!(
        status.success(),
        "{status}{}",
        describe_log("the app", &log)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_ends_an_app_left_resident_in_the_tray_and_the_next_launch_starts_fresh() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let port = free_port();
    cli_ok(h, &["settings", "set", "gatewayPort", &port.to_string()]);
    cli_ok(h, &["settings", "set", "gatewayEnabled", "true"]);
    let app = launch_with(h, Keychain::Shared, &[]).await;
    find(&app.client, "[data-testid=add-action]").await;
    let tray = TrayHost::start(&app.display);
    let pid = app_pid(h);
    tray.wait_menu("All healthy", &[]);
    close_window(&app, &pid);
    wait_mapped(&app, &pid, false, "the window to hide on close");
    assert_eq!(apps_of(h).len(), 1, "resident in the tray");

    // A test that ends here (or fails) leaves it resident: dropping the app ends it, the
    // tray host still there.
    let dropped = Instant::now();
    drop(app);
    let took = dropped.elapsed();
    assert!(apps_of(h).is_empty(), "the resident app is gone");
    assert!(
        took < Duration::from_secs(20),
        "ending the resident app took {took:?}"
    );
    drop(tray);
    // The next launch gets a window of its own, not a hand-over to a leftover.
    let app = launch_with(h, Keychain::Shared, &[]).await;
    find(&app.client, "[data-testid=add-action]").await;
    assert_eq!(apps_of(h).len(), 1);
    app.close().await;
}
