//! The real desktop window, end to end: the built app under Xvfb, driven through
//! tauri-driver + WebKitWebDriver, over a temp PATCHBAY_HOME that the real CLI writes to.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// A child process killed (SIGTERM, then SIGKILL) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").arg("-TERM").arg(&pid).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
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
    let mut child = Command::new("Xvfb")
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
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (scripts/setup.sh installs it)");
    let mut out = child.stdout.take().expect("stdout");
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
    (format!(":{}", n.trim()), Some(Guard(child)))
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
    _driver: Guard,
    _xvfb: Option<Guard>,
}

async fn launch(home: &Path) -> App {
    let (display, xvfb) = display();
    let port = free_port();
    let native = free_port();
    let driver = Command::new(tauri_driver())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &display)
        .env("PATCHBAY_HOME", home)
        .env("PATCHBAY_NO_SCHEME_REGISTRATION", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver is installed (scripts/setup.sh: cargo install tauri-driver)");
    let driver = Guard(driver);
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
    let app = launch(home.path()).await;
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

    app.client.clone().close().await.expect("close the session");
}
