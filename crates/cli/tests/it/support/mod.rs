//! What the CLI's integration tests share: the real test servers of `tests/servers/`
//! (oidc-provider, the MCP SDK server) and a `World` with a fresh profile using them.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use assert_cmd::Command as Cmd;
use serde_json::{Value, json};
use tempfile::TempDir;

pub fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/servers")
}

pub use patchbay_testsupport::{Lines, Server};

/// How long one CLI command may take in these tests (past it, it is killed and fails).
pub const CLI_WITHIN: Duration = Duration::from_secs(90);

/// Start a node test server of `tests/servers/`; returns once it printed its ready line
/// (bounded; its stderr is kept in the run's log folder).
pub fn start(script: &str, env: &str, config: Value) -> Server {
    patchbay_testsupport::start_server(&servers_dir(), script, env, config)
}

/// Real mcp-remote (npm) through `tests/servers/mcp-remote-client.mjs`: it bridges to `url`
/// (its callback on a free port, its token store in `store`), signs in through the headless
/// consent browser when asked, calls `tool` with `args`, and prints JSON once done. Also
/// returns its callback port.
pub fn spawn_mcp_remote(url: &str, store: &Path, tool: &str, args: &str) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("node")
        .arg(servers_dir().join("mcp-remote-client.mjs"))
        .args([url, port.to_string().as_str()])
        .arg(store)
        .args(["--call", tool, args])
        .env("BROWSER", servers_dir().join("browser.mjs"))
        .env_remove("PATCHBAY_TEST_BROWSER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node tests/servers/mcp-remote-client.mjs (scripts/setup.sh --test installs it)");
    (child, port)
}

pub struct World {
    pub home: TempDir,
    pub auth: Server,
    pub mcp: Server,
}

impl World {
    pub fn new(auth: Value, mcp: Value) -> Self {
        let auth = start("auth-server.mjs", "AUTH_SERVER_CONFIG", auth);
        let mut mcp_cfg = mcp;
        mcp_cfg["authServer"] = auth.ready["issuer"].clone();
        let mcp = start("mcp-server.mjs", "MCP_SERVER_CONFIG", mcp_cfg);
        World {
            home: tempfile::tempdir().expect("tempdir"),
            auth,
            mcp,
        }
    }
    pub fn simple() -> Self {
        Self::new(json!({}), json!({}))
    }
    pub fn url(&self) -> String {
        self.mcp.ready["url"].as_str().expect("url").to_string()
    }
    pub fn issuer(&self) -> String {
        self.auth.ready["issuer"]
            .as_str()
            .expect("issuer")
            .to_string()
    }
    pub fn cmd(&self) -> Cmd {
        let mut c = Cmd::cargo_bin("patchbay").expect("binary");
        c.timeout(CLI_WITHIN)
            .env("PATCHBAY_HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env(
                "BROWSER",
                format!("node {}", servers_dir().join("browser.mjs").display()),
            )
            .env_remove("PATCHBAY_TEST_BROWSER")
            .env_remove("PATCHBAY_CALLBACK_PORT");
        c
    }
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).write_stdin("").assert().success();
        String::from_utf8(out.get_output().stdout.clone()).expect("utf8")
    }
    /// `patchbay ARGS` until its output satisfies `done`, for at most 10 s (the last output
    /// either way): a long-running process (the gateway) writes its log rows in batches,
    /// within a few ms, so another process may read just before they land.
    pub fn ok_until(&self, args: &[&str], done: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let out = self.ok(args);
            if done(&out) || std::time::Instant::now() > deadline {
                return out;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    pub fn add(&self, extra: &[&str]) {
        let url = self.url();
        let mut args = vec!["action", "add", "demo", "--url", &url, "--auth", "oauth"];
        args.extend_from_slice(extra);
        self.ok(&args);
    }
    /// `patchbay connect demo` with a browser mode; returns (exit code, stdout, stderr JSON error code).
    pub fn connect(&self, mode: &str, extra: &[&str]) -> (i32, String, Option<String>) {
        let mut args = vec!["--json", "connect", "demo"];
        // Defaults a test can override: any free port, a short wait.
        if !extra.contains(&"--port") {
            args.extend(["--port", "0"]);
        }
        if !extra.contains(&"--timeout") {
            args.extend(["--timeout", "20"]);
        }
        args.extend_from_slice(extra);
        let out = self
            .cmd()
            .env("PATCHBAY_TEST_BROWSER", mode)
            .args(&args)
            .write_stdin("")
            .output()
            .expect("run connect");
        let code = error_code(&String::from_utf8_lossy(&out.stderr));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            code,
        )
    }
    /// `patchbay --json connect demo --no-browser EXTRA...` (no `PATCHBAY_CALLBACK_PORT`):
    /// the running child, and the authorization URL it printed alone on its first line.
    pub fn start_no_browser(&self, extra: &[&str]) -> (Child, url::Url) {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("patchbay"))
            .args(["--json", "connect", "demo", "--no-browser"])
            .args(extra)
            .env("PATCHBAY_HOME", self.home.path())
            .env_remove("PATCHBAY_CALLBACK_PORT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("connect");
        let mut lines = Lines::new(
            child.stdout.take().expect("stdout"),
            "patchbay connect --no-browser",
        );
        let first = lines.next(Duration::from_secs(30));
        let url = url::Url::parse(first.trim()).expect("authorization URL");
        (child, url)
    }
    /// Refresh-token grants the authorization server has answered since its stats were reset.
    pub fn refreshes(&self) -> u64 {
        stats(&self.issuer())["tags"]["grant_type:refresh_token"]
            .as_u64()
            .unwrap_or(0)
    }
    /// Sleep until the stored access token has expired (and 300 ms more).
    pub fn wait_for_expiry(&self) {
        let exp = self.status()["expiresAt"]
            .as_str()
            .expect("expiresAt")
            .to_string();
        let exp = time::OffsetDateTime::parse(&exp, &time::format_description::well_known::Rfc3339)
            .expect("rfc3339");
        let left = exp - time::OffsetDateTime::now_utc();
        if left.is_positive() {
            std::thread::sleep(left.unsigned_abs() + Duration::from_millis(300));
        }
    }
    pub fn status(&self) -> Value {
        serde_json::from_str(&self.ok(&["--json", "status", "demo"])).expect("status json")
    }
    /// An MCP initialize with the action's access token: what the real server thinks of it.
    pub fn mcp_status_with_token(&self) -> u16 {
        let token = self.ok(&["access-token", "demo"]);
        let token = token.trim_end_matches('\n');
        assert!(
            !token.is_empty() && !token.contains('\n'),
            "one token alone on stdout"
        );
        self.mcp_status(token)
    }
    /// What the real MCP server answers an initialize carrying this token.
    pub fn mcp_status(&self, token: &str) -> u16 {
        reqwest::blocking::Client::new()
            .post(self.url())
            .bearer_auth(token)
            .header("Accept", "application/json, text/event-stream")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}))
            .send()
            .expect("MCP request")
            .status()
            .as_u16()
    }
}

pub use patchbay_testsupport::{Out, error_code};

pub fn stats(origin: &str) -> Value {
    reqwest::blocking::get(format!("{origin}/__stats"))
        .expect("stats")
        .json()
        .expect("json")
}

pub fn reset_stats(origin: &str) {
    reqwest::blocking::Client::new()
        .delete(format!("{origin}/__stats"))
        .send()
        .expect("reset");
}

/// A binary of the workspace's test harness crate (`crates/harness`), built when missing
/// (`scripts/test.sh` builds every binary first).
pub fn harness_bin(name: &str) -> PathBuf {
    let path = assert_cmd::cargo::cargo_bin(name);
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo)
            .args(["build", "--quiet", "-p", "patchbay-harness", "--bin", name])
            .spawn()
            .expect("run cargo build");
        let status = patchbay_testsupport::wait_child(
            &mut build,
            Duration::from_secs(1200),
            &format!("cargo build of {name}"),
        );
        assert!(status.success(), "build {name}");
    }
    path
}

/// A fresh profile and no servers: the CLI as a binary over a temp `PATCHBAY_HOME`, with no
/// `BROWSER` and none of the settings' environment overrides of the calling shell.
pub struct Home(pub TempDir);

impl Home {
    pub fn new() -> Self {
        Home(tempfile::tempdir().expect("tempdir"))
    }
    pub fn cmd(&self) -> Cmd {
        let mut c = Cmd::cargo_bin("patchbay").expect("patchbay binary");
        c.timeout(CLI_WITHIN)
            .env("PATCHBAY_HOME", self.0.path())
            // Start at login writes under the user's config folder: never the developer's.
            .env("XDG_CONFIG_HOME", self.config_dir())
            .env_remove("BROWSER");
        for var in [
            "PATCHBAY_CALLBACK_PORT",
            "PATCHBAY_CONSENT_TIMEOUT_SECS",
            "PATCHBAY_CONFIRM_TIMEOUT_SECS",
            "PATCHBAY_LOG_MAX_ROWS",
            "PATCHBAY_LOG_MAX_AGE_DAYS",
        ] {
            c.env_remove(var);
        }
        c
    }
    /// The `XDG_CONFIG_HOME` its commands see.
    pub fn config_dir(&self) -> std::path::PathBuf {
        self.0.path().join("config")
    }
    pub fn run(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd().args(args).write_stdin("").assert()
    }
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).success();
        String::from_utf8(out.get_output().stdout.clone()).expect("utf8")
    }
    /// `patchbay --json ARGS...`, which must succeed with JSON on stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        serde_json::from_str(&self.ok(&a)).expect("stdout is JSON")
    }
    /// Run `patchbay ARGS` with `stdin` and extra environment, whatever its exit code.
    pub fn out(&self, cmd: &mut Cmd, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
        for (k, v) in env {
            cmd.env(k, v);
        }
        let o = cmd
            .args(args)
            .write_stdin(stdin.to_string())
            .output()
            .expect("run patchbay");
        Out::from_output(&o)
    }
    pub fn with_stdin(&self, args: &[&str], stdin: &str) -> assert_cmd::assert::Assert {
        self.cmd()
            .args(args)
            .write_stdin(stdin.to_string())
            .assert()
    }
}

/// `tests/servers/http-server.mjs MODE` on 127.0.0.1 (`port` 0: any free one), stopped on drop.
pub struct HttpServer {
    child: std::process::Child,
    pub url: String,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn http_server(mode: &str, port: u16) -> HttpServer {
    start_http_server(mode, port, false)
}

/// The same over HTTPS with a fresh self-signed certificate, which no client trusts.
pub fn https_server(mode: &str) -> HttpServer {
    start_http_server(mode, 0, true)
}

fn start_http_server(mode: &str, port: u16, tls: bool) -> HttpServer {
    let mut child = std::process::Command::new("node")
        .arg(servers_dir().join("http-server.mjs"))
        .args([mode, &port.to_string(), if tls { "tls" } else { "plain" }])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node");
    let line = Lines::new(
        child.stdout.take().expect("stdout"),
        &format!("the '{mode}' HTTP test server"),
    )
    .next(std::time::Duration::from_secs(30));
    let scheme = if tls { "https" } else { "http" };
    let url = format!("{scheme}://127.0.0.1:{}/x", line.trim());
    HttpServer { child, url }
}
