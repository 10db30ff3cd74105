//! What the real-window tests share: Xvfb, tauri-driver + WebKitWebDriver launching the
//! built app over a temp PATCHBAY_HOME, the CLI built next to it, the test servers of
//! `tests/servers/`, and small WebDriver helpers.
#![allow(dead_code)] // each test file uses its own part

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// A child process in its own process group; the whole group is stopped (SIGTERM, then
/// SIGKILL) when dropped, so wrappers take their children with them.
pub struct Guard(pub Child);

impl Guard {
    pub fn spawn(cmd: &mut Command, what: &str) -> Guard {
        use std::os::unix::process::CommandExt;
        let child = cmd.process_group(0).spawn().unwrap_or_else(|e| {
            panic!("cannot start {what}: {e} (scripts/setup.sh --test installs it)")
        });
        Guard(child)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 20 s");
}

/// A private X server when none is given (`Xvfb -displayfd` tells which display it took).
pub fn display() -> (String, Option<Guard>) {
    if let Ok(d) = std::env::var("DISPLAY")
        && !d.is_empty()
    {
        return (d, None);
    }
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
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "Xvfb",
    );
    let mut out = xvfb.0.stdout.take().expect("stdout");
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while std::io::Read::read(&mut out, &mut byte)
        .map(|n| n == 1)
        .unwrap_or(false)
        && byte[0] != b'\n'
    {
        buf.push(byte[0]);
    }
    let n = String::from_utf8(buf).expect("display number");
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
    _driver: Guard,
    _xvfb: Option<Guard>,
    /// One app at a time per test binary (instances on one D-Bus session are single-instance);
    /// declared last so it is released after the app and its driver are gone.
    _slot: tokio::sync::OwnedMutexGuard<()>,
}

/// The keychain the app sees.
#[derive(Clone, Copy, PartialEq)]
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

/// Take the one-app slot for an app started some other way (e.g. by a proxy).
pub async fn app_slot() -> tokio::sync::OwnedMutexGuard<()> {
    APP_SLOT.clone().lock_owned().await
}

/// Launch with extra environment for the app (tauri-driver passes its own on).
pub async fn launch_with(home: &Path, keychain: Keychain, env: &[(&str, String)]) -> App {
    let slot = APP_SLOT.clone().lock_owned().await;
    let (display, xvfb) = display();
    let port = free_port();
    let native = free_port();
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
    cmd.env("DISPLAY", &display)
        .env("PATCHBAY_HOME", home)
        .env("PATCHBAY_NO_SCHEME_REGISTRATION", "1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .stderr(if std::env::var_os("PATCHBAY_E2E_VERBOSE").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
    let driver = Guard::spawn(&mut cmd, "tauri-driver");
    wait_for_port(port, "tauri-driver");
    let app = env!("CARGO_BIN_EXE_patchbay-desktop");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session with the app");
    App {
        client,
        display: display.clone(),
        _driver: driver,
        _xvfb: xvfb,
        _slot: slot,
    }
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
    let v = c
        .execute(
            "return arguments[0].innerText;",
            vec![serde_json::to_value(el).expect("element ref")],
        )
        .await
        .expect("innerText");
    v.as_str().unwrap_or_default().to_string()
}

pub async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("PATCHBAY_SCREENSHOT_DIR") {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(Path::new(&dir).join(name), png).expect("write screenshot");
    }
}

// ---- The test servers (tests/servers/*.mjs) ----------------------------------------

pub fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers")
}

/// A node test server; stops when dropped.
pub struct Server {
    child: Child,
    _stdin: std::process::ChildStdin,
    pub ready: serde_json::Value,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `script` with its JSON config in `env`; returns once it printed its ready line.
pub fn start_server(script: &str, env: &str, config: serde_json::Value) -> Server {
    use std::io::BufRead;
    let mut child = Command::new("node")
        .arg(servers_dir().join(script))
        .env(env, config.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("start {script}: {e} (scripts/setup.sh --test installs tests/servers)")
        });
    let stdin = child.stdin.take().expect("stdin");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready line");
    let ready: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{script} ready line {line:?}: {e}"));
    assert_eq!(ready["ready"], true, "{script} is ready");
    Server {
        child,
        _stdin: stdin,
        ready,
    }
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

/// Run the CLI on `home`; panics with its stderr when it fails.
pub fn cli_ok(home: &Path, args: &[&str]) -> String {
    let out = Command::new(cli())
        .args(args)
        .env("PATCHBAY_HOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("run the CLI");
    assert!(
        out.status.success(),
        "patchbay {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

// ---- WebDriver helpers -------------------------------------------------------------

pub const WAIT: Duration = Duration::from_secs(20);

pub async fn find(c: &Client, css: &str) -> Element {
    match c
        .wait()
        .at_most(WAIT)
        .every(Duration::from_millis(50))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(el) => el,
        Err(e) => {
            let shot = failure_screenshot(c).await;
            panic!("no element {css} within {WAIT:?}: {e} (the window then: {shot})")
        }
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
    match c.screenshot().await {
        Ok(png) if std::fs::write(&path, &png).is_ok() => path.display().to_string(),
        _ => "no screenshot".into(),
    }
}

pub async fn click(c: &Client, css: &str) {
    let el = find(c, css).await;
    // Scrolled into view first: WebKitWebDriver refuses clicks on covered elements.
    let _ = c
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&el).expect("element ref")],
        )
        .await;
    if let Err(e) = el.click().await {
        let shot = failure_screenshot(c).await;
        panic!("click {css}: {e:?} (the window then: {shot})");
    }
}

/// Replace an input's text as a user would (select all, type).
pub async fn fill(c: &Client, css: &str, text: &str) {
    let el = find(c, css).await;
    el.clear()
        .await
        .unwrap_or_else(|e| panic!("clear {css}: {e}"));
    el.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Pick an option of a native `<select>` by its value, as the keyboard or the list would
/// (WebKitWebDriver's click on an `<option>` does not always fire `change`).
pub async fn select(c: &Client, css: &str, value: &str) {
    find(c, &format!("{css} option[value=\"{value}\"]")).await;
    let el = find(c, css).await;
    c.execute(
        "const s = arguments[0]; s.focus(); s.value = arguments[1]; \
         s.dispatchEvent(new Event('input', {bubbles: true})); \
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![
            serde_json::to_value(&el).expect("element ref"),
            serde_json::Value::String(value.to_string()),
        ],
    )
    .await
    .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    let now = el.prop("value").await.ok().flatten();
    assert_eq!(now.as_deref(), Some(value), "{css} now holds {value}");
}

/// Wait until the element's text contains `needle`; returns the text.
pub async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = inner_text(c, &el).await;
            if last.contains(needle) {
                return last;
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
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = el.attr(attr).await.ok().flatten();
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
    c.execute(&format!("window.location.hash = {hash:?};"), vec![])
        .await
        .expect("set the route");
}
