//! What the real-window tests share: Xvfb, tauri-driver + WebKitWebDriver launching the
//! built app over a temp PATCHBAY_HOME, the CLI built next to it, the test servers of
//! `tests/servers/`, and small WebDriver helpers.
#![allow(dead_code)] // each test file uses its own part

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

pub use patchbay_testsupport::{Guard, describe_log, log_file, log_stdio};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub fn wait_for_port(port: u16, what: &str) {
    patchbay_testsupport::wait_for_port(port, what, Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A private X server when none is given (`Xvfb -displayfd` tells which display it took).
pub fn display() -> (String, Option<Guard>) {
    if let Ok(d) = std::env::var("DISPLAY")
        && !d.is_empty()
    {
        return (d, None);
    }
    let log = log_file("xvfb");
    let mut xvfb = Guard::spawn(
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
                // No reset when the last client leaves: a client connecting during one
                // is refused (seen under load).
                "-noreset",
            ])
            .stdout(Stdio::piped())
            .stderr(log_stdio(&log)),
        "Xvfb",
    );
    let mut lines = patchbay_testsupport::Lines::new(xvfb.0.stdout.take().expect("stdout"), "Xvfb");
    let n = match lines.try_next(Duration::from_secs(20)) {
        Ok(n) => n,
        Err(why) => panic!(
            "waited 20 s for Xvfb to print its display number: {why:?}{}",
            describe_log("Xvfb's stderr", &log)
        ),
    };
    (format!(":{}", n.trim()), Some(xvfb))
}

pub fn tauri_driver() -> PathBuf {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cargo"));
    cargo_home.join("bin/tauri-driver")
}

pub struct App {
    pub client: Client,
    pub display: String,
    /// tauri-driver's output, with WebKitWebDriver's and the app's (they inherit it).
    pub log: PathBuf,
    home: PathBuf,
    keychain: Keychain,
    driver: Option<Guard>,
    /// Dropped with the app: ends its watchdog thread.
    _watchdog: std::sync::mpsc::Sender<()>,
    _xvfb: Option<Guard>,
    /// The app's HOME (and XDG_CONFIG_HOME, CODEX_HOME, MCP_REMOTE_CONFIG_DIR in it) unless
    /// the test gives its own: the Import card never reads the developer's MCP clients' files.
    _user_home: tempfile::TempDir,
    /// One app at a time per test binary (instances on one D-Bus session are single-instance);
    /// declared last so it is released after the app and its driver are gone.
    _slot: tokio::sync::OwnedMutexGuard<()>,
}

impl App {
    /// The `XDG_CONFIG_HOME` the app sees (in its own scratch HOME).
    pub fn config_home(&self) -> PathBuf {
        self._user_home.path().join(".config")
    }

    /// End the WebDriver session (bounded), then stop the driver and wait until the app's
    /// process is gone, so that the next launch never hands over to it.
    pub async fn close(self) {
        self.end_session().await;
        drop(self);
    }

    /// [`App::close`], failing unless the app exits by itself within `within` of its
    /// session and driver ending (one that lingers is still stopped, for the next launch).
    pub async fn close_expecting_exit(mut self, within: Duration) {
        self.end_session().await;
        drop(self.driver.take());
        let home = self.home.clone();
        let exited = patchbay_testsupport::until("the app to exit by itself", within, || {
            apps_of(&home).is_empty().then_some(())
        });
        drop(self);
        if let Err(e) = exited {
            panic!("the app for {}: {e}", home.display());
        }
    }

    async fn end_session(&self) {
        match tokio::time::timeout(SESSION_CLOSE, self.client.clone().close()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!(
                "closing the WebDriver session failed: {e}{}",
                describe_log("tauri-driver", &self.log)
            ),
            Err(_) => panic!(
                "waited {SESSION_CLOSE:?} for the WebDriver session to close; it did not{}",
                describe_log("tauri-driver", &self.log)
            ),
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        drop(self.driver.take());
        // The app normally goes with its driver; one that lingers is stopped, so that the
        // next launch starts a fresh instance rather than handing over to this one.
        if let Err(e) = wait_gone(&self.home, self.keychain) {
            eprintln!("{e}");
        }
    }
}

/// How long a WebDriver session may take to close.
pub const SESSION_CLOSE: Duration = Duration::from_secs(15);
/// How long the app may take from launch to an open WebDriver session (about a second on a
/// quiet machine; much more while a build loads both cores).
pub const SESSION_OPEN: Duration = Duration::from_secs(90);
/// How long a previous instance may take to go away.
pub const INSTANCE_GONE: Duration = Duration::from_secs(15);
/// The D-Bus name an instance holds (tauri-plugin-single-instance: identifier + suffix).
pub const SINGLE_INSTANCE_NAME: &str = "dev.patchbay.app.SingleInstance";

/// Processes of the app whose environment has `PATCHBAY_HOME=home`.
pub fn apps_of(home: &Path) -> Vec<u32> {
    let needle = format!("PATCHBAY_HOME={}", home.display());
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            exe.file_name().is_some_and(|n| n == "patchbay-desktop")
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .map(|env| env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()))
                    .unwrap_or(false)
        })
        .collect()
}

/// Who holds the single-instance name on the test run's bus: `Some(pid)`, or `None` when
/// it is free.
pub fn single_instance_owner() -> Option<u32> {
    let out = patchbay_testsupport::run(
        Command::new("dbus-send").args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            &format!("string:{SINGLE_INSTANCE_NAME}"),
        ]),
        Duration::from_secs(10),
        "dbus-send (who owns the single-instance name)",
    );
    // No owner: the bus answers an error.
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .skip_while(|w| *w != "uint32")
        .nth(1)
        .and_then(|p| p.parse().ok())
}

fn describe_pid(pid: u32) -> String {
    let cmd = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .unwrap_or_else(|_| "(gone)".into());
    format!("pid {pid}: {}", cmd.trim())
}

/// Wait until no app of `home` runs (SIGKILL for one that lingers past the bound) and, on
/// the shared bus, until no instance holds the single-instance name.
fn wait_gone(home: &Path, keychain: Keychain) -> Result<(), String> {
    if patchbay_testsupport::until("the app to exit", INSTANCE_GONE, || {
        apps_of(home).is_empty().then_some(())
    })
    .is_err()
    {
        for pid in apps_of(home) {
            eprintln!(
                "the app ({}) did not exit within {INSTANCE_GONE:?} of its driver: killing it",
                describe_pid(pid)
            );
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        patchbay_testsupport::until("the killed app to go", Duration::from_secs(5), || {
            apps_of(home).is_empty().then_some(())
        })?;
    }
    wait_name_free(keychain)
}

fn wait_name_free(keychain: Keychain) -> Result<(), String> {
    if keychain != Keychain::Shared {
        return Ok(()); // a private bus of its own: nothing else holds the name there
    }
    let mut owner = None;
    patchbay_testsupport::until(
        &format!("{SINGLE_INSTANCE_NAME} to be free on the session bus"),
        INSTANCE_GONE,
        || {
            owner = single_instance_owner();
            owner.is_none().then_some(())
        },
    )
    .map_err(|e| {
        format!(
            "{e}: a previous instance still holds it ({}); a new launch would hand over to it and exit",
            owner.map(describe_pid).unwrap_or_default()
        )
    })
}

/// The keychain the app sees.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Keychain {
    /// The test run's own (the session `scripts/with-keyring.sh` started around `cargo test`).
    Shared,
    /// A private bus and keyring of its own, locked before the app starts.
    Locked,
}

pub async fn launch(home: &Path, keychain: Keychain) -> App {
    launch_with(home, keychain, &[]).await
}

/// Apps launched by one test binary run one after another: the app is single-instance on
/// its D-Bus session, so a second one would hand over to the first and exit.
static APP_SLOT: std::sync::LazyLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(|| std::sync::Arc::new(tokio::sync::Mutex::new(())));

/// Take the one-app slot for an app started some other way (e.g. by a proxy), once the
/// previous instance is gone.
pub async fn app_slot() -> tokio::sync::OwnedMutexGuard<()> {
    let slot = APP_SLOT.clone().lock_owned().await;
    if let Err(e) = wait_name_free(Keychain::Shared) {
        panic!("{e}");
    }
    slot
}

/// Why a launch got no WebDriver session.
#[derive(Debug)]
enum NoSession {
    /// The app started and exited before the session opened (e.g. it handed over to an
    /// instance that was still there).
    AppExited,
    /// The driver refused or failed the session request.
    Refused(String),
    /// No app process appeared (it failed to start, or exited at once).
    NeverStarted(Duration),
    /// Nothing within the bound.
    TimedOut { app_seen: bool },
}

impl std::fmt::Display for NoSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoSession::AppExited => {
                write!(f, "the app started, then exited before the session opened")
            }
            NoSession::Refused(e) => write!(f, "the driver failed the session request: {e}"),
            NoSession::NeverStarted(within) => write!(
                f,
                "no app process appeared within {within:?} of the session request \
                 (it did not start, or exited at once)"
            ),
            NoSession::TimedOut { app_seen } => write!(
                f,
                "no answer within {SESSION_OPEN:?} (the app process was {})",
                if *app_seen { "running" } else { "never seen" }
            ),
        }
    }
}

/// Ask the driver on `port` for a session with the app, bounded, watching the app's
/// process meanwhile (WebKitWebDriver waits for a browser that is gone without end).
async fn open_session(
    port: u16,
    app: &str,
    home: &Path,
    start_within: Duration,
) -> Result<Client, NoSession> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let mut builder = ClientBuilder::native();
    builder.capabilities(caps);
    let connect = builder.connect(&url);
    tokio::pin!(connect);
    let started = Instant::now();
    let mut app_seen = false;
    loop {
        tokio::select! {
            r = &mut connect => return r.map_err(|e| NoSession::Refused(e.to_string())),
            () = tokio::time::sleep(Duration::from_millis(50)) => {
                if apps_of(home).is_empty() {
                    if app_seen {
                        // Give the driver a moment to answer on its own.
                        return match tokio::time::timeout(Duration::from_secs(2), &mut connect).await {
                            Ok(Ok(c)) => Ok(c),
                            _ => Err(NoSession::AppExited),
                        };
                    }
                } else {
                    app_seen = true;
                }
                if !app_seen && started.elapsed() > start_within {
                    return Err(NoSession::NeverStarted(start_within));
                }
                if started.elapsed() > SESSION_OPEN {
                    return Err(NoSession::TimedOut { app_seen });
                }
            }
        }
    }
}

/// Launch with extra environment for the app (tauri-driver passes its own on). Waits until
/// the previous instance is gone; retries once when the new app exits (or the session
/// fails) before the session opens; fails naming what it waited for, with the driver's log.
pub async fn launch_with(home: &Path, keychain: Keychain, env: &[(&str, String)]) -> App {
    launch_app(
        home,
        keychain,
        env,
        env!("CARGO_BIN_EXE_patchbay-desktop"),
        APP_START,
    )
    .await
}

/// How long after the session request the app's process must have appeared (a tenth of a
/// second on a quiet machine).
pub const APP_START: Duration = Duration::from_secs(30);

/// [`launch_with`] for any application binary (a test gives a broken one), which must
/// appear as a `patchbay-desktop` process within `start_within`.
pub async fn launch_app(
    home: &Path,
    keychain: Keychain,
    env: &[(&str, String)],
    app: &str,
    start_within: Duration,
) -> App {
    let slot = APP_SLOT.clone().lock_owned().await;
    if let Err(e) = wait_gone(home, keychain) {
        panic!("before launching the app: {e}");
    }
    let (display, xvfb) = display();
    let user_home = tempfile::tempdir().expect("a scratch HOME for the app");
    let mut failures = Vec::new();
    for attempt in 1..=2 {
        let port = free_port();
        let native = free_port();
        let log = log_file("tauri-driver");
        let driver = spawn_driver(
            port,
            native,
            keychain,
            &display,
            (home, user_home.path()),
            env,
            &log,
        );
        if let Err(e) =
            patchbay_testsupport::wait_for_port(port, "tauri-driver", Duration::from_secs(30))
        {
            panic!("{e}{}", describe_log("tauri-driver", &log));
        }
        match open_session(port, app, home, start_within).await {
            Ok(client) => {
                let watchdog = watchdog(driver.0.id(), home, &log);
                return App {
                    client,
                    display: display.clone(),
                    log,
                    home: home.to_path_buf(),
                    keychain,
                    driver: Some(driver),
                    _watchdog: watchdog,
                    _xvfb: xvfb,
                    _user_home: user_home,
                    _slot: slot,
                };
            }
            Err(why) => {
                eprintln!(
                    "launch attempt {attempt} of 2 got no WebDriver session with {app}: {why} (driver log: {})",
                    log.display()
                );
                drop(driver);
                let gone = wait_gone(home, keychain);
                failures.push(format!(
                    "attempt {attempt}: {why}{}{}",
                    gone.err()
                        .map(|e| format!(" (then: {e})"))
                        .unwrap_or_default(),
                    describe_log("tauri-driver, WebKitWebDriver and the app", &log)
                ));
            }
        }
    }
    panic!(
        "waited for a WebDriver session with the app {app} (PATCHBAY_HOME={}) twice; none opened:\n{}",
        home.display(),
        failures.join("\n")
    );
}

/// How long one app may live in a test. Past it, the test is stuck (a WebDriver request
/// has no bound of its own): the watchdog says so, naming the last step, and stops the
/// driver and the app, so the stuck request fails and the test with it.
pub const APP_LIFETIME: Duration = Duration::from_secs(360);

static LAST_STEP: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Note what the test is doing (the WebDriver helpers call this), for the watchdog.
pub fn step(what: impl Into<String>) {
    *LAST_STEP.lock().unwrap_or_else(|p| p.into_inner()) = what.into();
}

fn watchdog(driver_pid: u32, home: &Path, log: &Path) -> std::sync::mpsc::Sender<()> {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let home = home.to_path_buf();
    let log = log.to_path_buf();
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(APP_LIFETIME) {
            let last = LAST_STEP.lock().unwrap_or_else(|p| p.into_inner()).clone();
            eprintln!(
                "watchdog: {test} still has its app after {APP_LIFETIME:?}; the last step was {last:?}. \
                 Stopping tauri-driver and the app so the test fails.{}",
                describe_log("tauri-driver, WebKitWebDriver and the app", &log)
            );
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{driver_pid}")])
                .status();
            for pid in apps_of(&home) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
    });
    tx
}

fn spawn_driver(
    port: u16,
    native: u16,
    keychain: Keychain,
    display: &str,
    (home, user_home): (&Path, &Path),
    env: &[(&str, String)],
    log: &Path,
) -> Guard {
    let driver_args = [
        "--port".to_string(),
        port.to_string(),
        "--native-port".to_string(),
        native.to_string(),
    ];
    let mut cmd = match keychain {
        Keychain::Shared => {
            let mut c = Command::new(tauri_driver());
            c.args(&driver_args);
            c
        }
        Keychain::Locked => {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let script = format!(
                "dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
                   org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null \
                 && exec '{}' {}",
                tauri_driver().display(),
                driver_args.join(" ")
            );
            let mut c = Command::new(root.join("scripts/with-keyring.sh"));
            c.args(["sh", "-c", &script])
                .env_remove("PATCHBAY_PRIVATE_BUS");
            c
        }
    };
    cmd.env("DISPLAY", display)
        .env("PATCHBAY_HOME", home)
        .env("HOME", user_home)
        .env("XDG_CONFIG_HOME", user_home.join(".config"))
        .env("CODEX_HOME", user_home.join(".codex"))
        .env("MCP_REMOTE_CONFIG_DIR", user_home.join(".mcp-auth"))
        .env("PATCHBAY_NO_SCHEME_REGISTRATION", "1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(log_stdio(log))
        .stderr(log_stdio(log));
    Guard::spawn(&mut cmd, "tauri-driver")
}

pub fn cli() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_patchbay-desktop"));
    let p = exe.with_file_name(format!("patchbay{}", std::env::consts::EXE_SUFFIX));
    assert!(
        p.exists(),
        "the CLI is built next to the app ({}); run `cargo build --workspace` first",
        p.display()
    );
    p
}

/// What the user sees of an element. (WebKitWebDriver's Get Element Text answers "" for
/// table rows, so ask the page.)
pub async fn inner_text(c: &Client, el: &Element) -> String {
    try_inner_text(c, el).await.expect("innerText")
}

/// [`inner_text`], or why it could not be read (e.g. the element was re-rendered away
/// since it was found: a stale element reference).
async fn try_inner_text(c: &Client, el: &Element) -> Result<String, String> {
    let v = bounded(
        "read an element's text",
        c.execute(
            "return arguments[0].innerText;",
            vec![serde_json::to_value(el).expect("element ref")],
        ),
    )
    .await
    .map_err(|e| format!("{e:?}"))?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

pub async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("PATCHBAY_SCREENSHOT_DIR") {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = bounded(&format!("take the screenshot {name}"), client.screenshot())
            .await
            .expect("screenshot");
        std::fs::write(Path::new(&dir).join(name), png).expect("write screenshot");
    }
}

// ---- The test servers (tests/servers/*.mjs) ----------------------------------------

pub fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

pub use patchbay_testsupport::Server;

/// Start `script` with its JSON config in `env`; returns once it printed its ready line
/// (bounded; its stderr is kept in the run's log folder).
pub fn start_server(script: &str, env: &str, config: serde_json::Value) -> Server {
    patchbay_testsupport::start_server(&servers_dir(), script, env, config)
}

/// An authorization server (oidc-provider) and an MCP server it protects.
pub struct Servers {
    pub auth: Server,
    pub mcp: Server,
}

impl Servers {
    pub fn new(auth: serde_json::Value, mcp: serde_json::Value) -> Self {
        let auth = start_server("auth-server.mjs", "AUTH_SERVER_CONFIG", auth);
        let mut mcp_cfg = mcp;
        mcp_cfg["authServer"] = auth.ready["issuer"].clone();
        let mcp = start_server("mcp-server.mjs", "MCP_SERVER_CONFIG", mcp_cfg);
        Servers { auth, mcp }
    }
    pub fn mcp_url(&self) -> String {
        self.mcp.ready["url"].as_str().expect("url").to_string()
    }
    pub fn issuer(&self) -> String {
        self.auth.ready["issuer"]
            .as_str()
            .expect("issuer")
            .to_string()
    }
}

/// The environment that makes the app's browser the headless consent script, reading its
/// mode from `mode_file` at each launch (`consent`, `deny`, `login-as=...`).
pub fn browser_env(mode_file: &Path) -> Vec<(&'static str, String)> {
    vec![
        (
            "BROWSER",
            format!("node {}", servers_dir().join("browser.mjs").display()),
        ),
        (
            "PATCHBAY_TEST_BROWSER_FILE",
            mode_file.display().to_string(),
        ),
        // Any free port per sign-in (the test servers accept any loopback port).
        ("PATCHBAY_CALLBACK_PORT", "0".into()),
        (
            "PATCHBAY_TEST_APP_LINK_HANDLER",
            env!("CARGO_BIN_EXE_patchbay-desktop").to_string(),
        ),
    ]
}

/// The JSON a test client (`tests/servers/*-client.mjs`) prints on stdout, once it exits
/// (within 120 s); `what` names it in failure messages.
pub fn client_json(child: std::process::Child, what: &str) -> serde_json::Value {
    let out = patchbay_testsupport::output_within(child, Duration::from_secs(120), what);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what} printed {:?}: {e}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// How long one CLI command may take in these tests.
pub const CLI_WITHIN: Duration = Duration::from_secs(60);

/// Run the CLI on `home`; panics with its stderr when it fails.
pub fn cli_ok(home: &Path, args: &[&str]) -> String {
    let out = patchbay_testsupport::run(
        Command::new(cli())
            .args(args)
            .env("PATCHBAY_HOME", home)
            // Start at login's entry goes under the user's config folder: never the
            // developer's own.
            .env("XDG_CONFIG_HOME", home.join("xdg-config")),
        CLI_WITHIN,
        &format!("patchbay {args:?}"),
    );
    assert!(
        out.status.success(),
        "patchbay {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

// ---- WebDriver helpers -------------------------------------------------------------

pub const WAIT: Duration = Duration::from_secs(20);
/// How long one WebDriver command may go unanswered.
pub const COMMAND: Duration = Duration::from_secs(30);

/// One WebDriver exchange, bounded (fantoccini's requests have no time limit of their own).
pub async fn bounded<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    step(what);
    match tokio::time::timeout(COMMAND, fut).await {
        Ok(v) => v,
        Err(_) => {
            panic!("waited {COMMAND:?} for WebDriver to {what}; no answer (the app may be hung)")
        }
    }
}

pub async fn find(c: &Client, css: &str) -> Element {
    step(format!("find {css}"));
    let found = tokio::time::timeout(
        WAIT + COMMAND,
        c.wait()
            .at_most(WAIT)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css)),
    )
    .await;
    match found {
        Ok(Ok(el)) => el,
        Ok(Err(e)) => {
            let shot = failure_screenshot(c).await;
            panic!("no element {css} within {WAIT:?}: {e} (the window then: {shot})")
        }
        Err(_) => panic!(
            "waited {:?} for WebDriver to look for {css}; no answer (the app may be hung)",
            WAIT + COMMAND
        ),
    }
}

/// Save what the window shows into the target folder, for a failing test's message.
pub async fn failure_screenshot(c: &Client) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!(
        "e2e-failure-{}.png",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default()
    ));
    match tokio::time::timeout(COMMAND, c.screenshot()).await {
        Ok(Ok(png)) if std::fs::write(&path, &png).is_ok() => path.display().to_string(),
        _ => "no screenshot".into(),
    }
}

/// Until no finite animation runs on the page (a dialog popping in moves its buttons: a click
/// aimed at one while it moves lands beside it, or the dialog closes with nothing done).
/// Endless ones (spinners) do not count. Gives up quietly after 2 s: the click then says what
/// went wrong, if anything.
pub async fn settled(c: &Client) {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < deadline {
        let running = bounded(
            "count the running animations",
            c.execute(
                "return document.getAnimations().filter((a) => a.playState === 'running' \
                   && a.effect?.getComputedTiming().endTime !== Infinity).length;",
                vec![],
            ),
        )
        .await;
        if !matches!(running, Ok(ref n) if n.as_u64() != Some(0)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn click(c: &Client, css: &str) {
    let el = find(c, css).await;
    settled(c).await;
    // Scrolled into view first: WebKitWebDriver refuses clicks on covered elements.
    let _ = bounded(
        &format!("scroll {css} into view"),
        c.execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&el).expect("element ref")],
        ),
    )
    .await;
    if let Err(e) = bounded(&format!("click {css}"), el.click()).await {
        let shot = failure_screenshot(c).await;
        panic!("click {css}: {e:?} (the window then: {shot})");
    }
}

/// Replace an input's text as a user would (select all, type).
pub async fn fill(c: &Client, css: &str, text: &str) {
    let el = find(c, css).await;
    bounded(&format!("clear {css}"), el.clear())
        .await
        .unwrap_or_else(|e| panic!("clear {css}: {e}"));
    bounded(&format!("type into {css}"), el.send_keys(text))
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Pick an option of a native `<select>` by its value, as the keyboard or the list would
/// (WebKitWebDriver's click on an `<option>` does not always fire `change`).
pub async fn select(c: &Client, css: &str, value: &str) {
    find(c, &format!("{css} option[value=\"{value}\"]")).await;
    let el = find(c, css).await;
    bounded(
        &format!("select {value} in {css}"),
        c.execute(
            "const s = arguments[0]; s.focus(); s.value = arguments[1]; \
             s.dispatchEvent(new Event('input', {bubbles: true})); \
             s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![
                serde_json::to_value(&el).expect("element ref"),
                serde_json::Value::String(value.to_string()),
            ],
        ),
    )
    .await
    .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    let now = bounded(&format!("read the value of {css}"), el.prop("value"))
        .await
        .ok()
        .flatten();
    assert_eq!(now.as_deref(), Some(value), "{css} now holds {value}");
}

/// Wait until the element's text contains `needle`; returns the text.
pub async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = bounded(
            &format!("find {css} (waiting for {needle:?})"),
            c.find(Locator::Css(css)),
        )
        .await
        {
            // A list that re-renders between the find and the read leaves a stale element:
            // look again on the next round.
            if let Ok(text) = try_inner_text(c, &el).await {
                last = text;
                if last.contains(needle) {
                    return last;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shot = failure_screenshot(c).await;
    panic!(
        "{css} did not show {needle:?} within {WAIT:?}; it shows {last:?} (the window then: {shot})"
    );
}

/// Wait until an attribute has a value.
pub async fn wait_attr(c: &Client, css: &str, attr: &str, value: &str) {
    let deadline = Instant::now() + WAIT;
    let mut last = None;
    while Instant::now() < deadline {
        let what = format!("find {css} (waiting for [{attr}={value:?}])");
        if let Ok(el) = bounded(&what, c.find(Locator::Css(css))).await {
            last = bounded(&what, el.attr(attr)).await.ok().flatten();
            if last.as_deref() == Some(value) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shot = failure_screenshot(c).await;
    panic!(
        "{css} [{attr}] did not become {value:?} within {WAIT:?}; it is {last:?} (the window then: {shot})"
    );
}

/// Go to a route (`#/actions/new`).
pub async fn go(c: &Client, hash: &str) {
    bounded(
        &format!("go to {hash}"),
        c.execute(&format!("window.location.hash = {hash:?};"), vec![]),
    )
    .await
    .expect("set the route");
}
