//! The real desktop window, end to end: the built app under Xvfb, driven through
//! tauri-driver + WebKitWebDriver, over a temp PATCHBAY_HOME that the real CLI writes to.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// A child process in its own process group; the whole group is stopped (SIGTERM, then
/// SIGKILL) when dropped, so wrappers take their children with them.
struct Guard(Child);

impl Guard {
    fn spawn(cmd: &mut Command, what: &str) -> Guard {
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn wait_for_port(port: u16, what: &str) {
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
fn display() -> (String, Option<Guard>) {
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

fn tauri_driver() -> PathBuf {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cargo"));
    cargo_home.join("bin/tauri-driver")
}

struct App {
    client: Client,
    display: String,
    _driver: Guard,
    _xvfb: Option<Guard>,
}

/// The keychain the app sees.
#[derive(Clone, Copy, PartialEq)]
enum Keychain {
    /// The test run's own (the session `scripts/with-keyring.sh` started around `cargo test`).
    Shared,
    /// A private bus and keyring of its own, locked before the app starts.
    Locked,
}

async fn launch(home: &Path, keychain: Keychain) -> App {
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
        .stdout(Stdio::null())
        .stderr(Stdio::null());
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
    }
}

fn cli() -> PathBuf {
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
async fn inner_text(c: &Client, el: &Element) -> String {
    let v = c
        .execute(
            "return arguments[0].innerText;",
            vec![serde_json::to_value(el).expect("element ref")],
        )
        .await
        .expect("innerText");
    v.as_str().unwrap_or_default().to_string()
}

async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("PATCHBAY_SCREENSHOT_DIR") {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(Path::new(&dir).join(name), png).expect("write screenshot");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_shows_what_the_cli_adds() {
    let home = tempfile::tempdir().expect("tempdir");
    let app = launch(home.path(), Keychain::Shared).await;
    let c = &app.client;

    let empty = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=actions-empty]"))
        .await
        .expect("the empty state invites adding an action");
    let text = inner_text(c, &empty).await;
    assert!(
        text.contains("Add Custom Action") || text.contains("No actions"),
        "empty state text: {text}"
    );
    assert_eq!(c.title().await.expect("title"), "Patchbay");
    screenshot(c, "actions-empty.png").await;

    // Another process (the CLI) writes to the same PATCHBAY_HOME...
    let out = Command::new(cli())
        .args([
            "action",
            "add",
            "linear",
            "--url",
            "https://mcp.linear.app/mcp",
            "--auth",
            "oauth",
            "--description",
            "Linear issues and projects",
        ])
        .env("PATCHBAY_HOME", home.path())
        .output()
        .expect("run the CLI");
    assert!(
        out.status.success(),
        "CLI add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added = Instant::now();

    // ...and the window shows it within 2 s, without a reload.
    let row = c
        .wait()
        .at_most(Duration::from_secs(5))
        .every(Duration::from_millis(50))
        .for_element(Locator::Css("[data-testid=action-row][data-name=linear]"))
        .await
        .expect("the new action appears in the list");
    let waited = added.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "the list refreshed after {waited:?}; expected < 2 s"
    );
    let row_text = inner_text(c, &row).await;
    assert!(
        row_text.contains("mcp.linear.app"),
        "row shows the URL: {row_text}"
    );
    let badge = row
        .find(Locator::Css("[data-testid=health-badge]"))
        .await
        .expect("health badge");
    assert_eq!(
        badge.attr("data-status").await.expect("attr").as_deref(),
        Some("unknown")
    );
    assert!(
        inner_text(c, &badge).await.contains("Unknown"),
        "a new action's health reads Unknown"
    );
    assert!(
        c.find(Locator::Css("[data-testid=actions-empty]"))
            .await
            .is_err(),
        "the empty state is gone"
    );

    // A second one, an HTTP action with a token, shows its kind and auth.
    for args in [
        vec![
            "token",
            "add",
            "gh-pat",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
            "--value-stdin",
        ],
        vec![
            "action",
            "add",
            "github-api",
            "--url",
            "https://api.github.com/user",
            "--http",
            "--auth",
            "token:gh-pat",
            "--description",
            "GitHub REST",
        ],
    ] {
        let mut child = Command::new(cli())
            .args(&args)
            .env("PATCHBAY_HOME", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the CLI");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("stdin"),
            b"ghp_exampletoken\n",
        )
        .expect("stdin");
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "CLI {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let row = c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(
            "[data-testid=action-row][data-name=github-api]",
        ))
        .await
        .expect("the HTTP action appears");
    let text = inner_text(c, &row).await;
    assert!(
        text.contains("HTTP") && text.contains("gh-pat"),
        "row shows kind and token: {text}"
    );
    let rows = c
        .find_all(Locator::Css("[data-testid=action-row]"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    screenshot(c, "actions-list.png").await;

    // A second launch with an app link is handed to this instance (single instance over
    // D-Bus) and exits at once instead of opening a second window.
    let started = Instant::now();
    let mut second = Command::new(env!("CARGO_BIN_EXE_patchbay-desktop"))
        .arg("patchbay://actions")
        .env("PATCHBAY_HOME", home.path())
        .env("PATCHBAY_NO_SCHEME_REGISTRATION", "1")
        .env("DISPLAY", &app.display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("second launch");
    let status = loop {
        if let Some(s) = second.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = second.kill();
            panic!("the second launch did not hand over and exit within 10 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.success(),
        "the second launch exits cleanly: {status}"
    );
    assert_eq!(
        c.windows().await.expect("windows").len(),
        1,
        "still one window"
    );
    let hash = c
        .execute("return window.location.hash;", vec![])
        .await
        .expect("hash");
    assert_eq!(
        hash.as_str(),
        Some("#/actions"),
        "the link routed the window"
    );

    app.client.clone().close().await.expect("close the session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_keychain_shows_a_banner_and_still_the_list() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = Command::new(cli())
        .args([
            "action",
            "add",
            "sentry",
            "--url",
            "https://mcp.sentry.dev/mcp",
            "--auth",
            "oauth",
        ])
        .env("PATCHBAY_HOME", home.path())
        .output()
        .expect("run the CLI");
    assert!(
        out.status.success(),
        "CLI add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = launch(home.path(), Keychain::Locked).await;
    let c = &app.client;
    let banner = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=vault-banner]"))
        .await
        .expect("a banner says the keychain is locked");
    let text = inner_text(c, &banner).await;
    assert!(
        text.to_lowercase().contains("locked"),
        "banner text: {text}"
    );
    assert!(text.contains("unlock"), "the banner names the fix: {text}");
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("[data-testid=action-row][data-name=sentry]"))
        .await
        .expect("the list still shows");
    screenshot(c, "keychain-locked.png").await;
    app.client.clone().close().await.expect("close the session");
}
