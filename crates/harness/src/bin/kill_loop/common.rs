//! What the kill loop's scenarios share: the seeded generator, the CLI over one profile,
//! a kill at a random moment, the tally a scenario reports, the real test servers, and the
//! end checks (the keychain after the start-up sweep, no secret in any file).

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use patchbay_core::Patchbay;
use serde_json::{Value, json};

/// A small deterministic generator (xorshift), so a failing run can be repeated by its seed.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A random moment within `window`.
    pub fn moment(&mut self, window: Duration) -> Duration {
        Duration::from_micros(self.below(window.as_micros().max(1) as u64))
    }
}

/// What one command printed, and how it ended.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn ok(&self) -> bool {
        self.code == 0
    }
    /// The `error.code` of a `--json` failure on stderr.
    pub fn error_code(&self) -> Option<String> {
        patchbay_testsupport::error_code(&self.stderr)
    }
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.stdout).ok()
    }
}

/// The CLI over one profile.
#[derive(Clone)]
pub struct Cli {
    pub bin: PathBuf,
    pub home: PathBuf,
    pub env: Vec<(String, String)>,
}

impl Cli {
    pub fn new(bin: &Path, home: PathBuf) -> Cli {
        Cli {
            bin: bin.to_path_buf(),
            home,
            env: Vec::new(),
        }
    }

    pub fn with_env(mut self, k: &str, v: &str) -> Cli {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(args)
            .env("PATCHBAY_HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env_remove("BROWSER")
            .env_remove("PATCHBAY_TEST_BROWSER")
            .env_remove("PATCHBAY_CALLBACK_PORT")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Run to the end, bounded: its exit code and output.
    pub fn run(&self, args: &[&str], stdin: &str, within: Duration) -> Result<Out, String> {
        let mut c = self.cmd(args);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = c
            .spawn()
            .map_err(|e| format!("cannot start patchbay: {e}"))?;
        finish(
            child,
            stdin,
            within,
            &format!("`patchbay {}`", args.join(" ")),
        )
    }

    /// Run to the end, bounded; Ok only when it succeeded.
    pub fn ok(&self, args: &[&str], stdin: &str, within: Duration) -> Result<Out, String> {
        let out = self.run(args, stdin, within)?;
        if out.ok() {
            Ok(out)
        } else {
            Err(format!(
                "`patchbay {}` failed ({}): {}",
                args.join(" "),
                out.code,
                out.stderr.trim()
            ))
        }
    }
}

/// Feed `stdin`, collect stdout and stderr, wait for the exit within `within` (past it the
/// process is killed and the error says what did not end).
pub fn finish(mut child: Child, stdin: &str, within: Duration, what: &str) -> Result<Out, String> {
    if let Some(mut s) = child.stdin.take() {
        let _ = s.write_all(stdin.as_bytes());
    }
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + within;
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} did not end within {within:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ok(Out {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Sleep `after`, then SIGKILL the child (and reap it): whether it had ended first.
pub fn kill_after(child: &mut Child, after: Duration) -> bool {
    std::thread::sleep(after);
    let ended = matches!(child.try_wait(), Ok(Some(_)));
    let _ = child.kill();
    let _ = child.wait();
    ended
}

/// SIGKILL a whole process group (a child started with `process_group(0)`), then reap it.
pub fn kill_group(child: &mut Child) -> bool {
    let ended = matches!(child.try_wait(), Ok(Some(_)));
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
    ended
}

/// What one scenario group reports.
#[derive(Default)]
pub struct Tally {
    pub kills: u32,
    pub ended_first: u32,
    pub counts: BTreeMap<String, u32>,
    pub failures: Vec<String>,
    pub started: Option<Instant>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            started: Some(Instant::now()),
            ..Tally::default()
        }
    }
    pub fn killed(&mut self, ended_first: bool) {
        self.kills += 1;
        if ended_first {
            self.ended_first += 1;
        }
    }
    pub fn count(&mut self, what: &str) {
        *self.counts.entry(what.to_string()).or_default() += 1;
    }
    pub fn fail(&mut self, what: impl Into<String>) {
        let what = what.into();
        eprintln!("kill-loop: FAILURE: {what}");
        self.failures.push(what);
    }
    pub fn json(&self) -> Value {
        json!({
            "kills": self.kills,
            "killed_mid_way": self.kills - self.ended_first,
            "ended_before_the_kill": self.ended_first,
            "outcomes": self.counts,
            "failures": self.failures,
            "seconds": self.started.map(|s| s.elapsed().as_secs()).unwrap_or(0),
        })
    }
}

/// After the start-up sweep, the keychain holds exactly the entries the rows own.
pub fn check_keychain(home: &Path, t: &mut Tally) {
    match Patchbay::open(home) {
        Ok(pb) => {
            // No process of the loop runs any more: what the start-up sweep removes once
            // its grace period is over.
            let _ = pb.sweep_orphans_older_than(0);
            match (pb.expected_vault_keys(), pb.vault().list()) {
                (Ok(expected), Ok(Some(entries))) => {
                    let present: HashSet<String> = entries.iter().map(|e| e.key.clone()).collect();
                    for k in &present {
                        if !expected.contains(k) {
                            t.fail(format!(
                                "an orphaned keychain entry survived the sweep: {k}"
                            ));
                        }
                    }
                    // A grant's DPoP key is allowed (kept by the sweep) but made only when
                    // its server takes proofs: not required.
                    for k in &expected {
                        if !present.contains(k) && !k.ends_with("/dpop_key") {
                            t.fail(format!("a row's keychain entry is missing: {k}"));
                        }
                    }
                }
                (Err(e), _) | (_, Err(e)) => t.fail(format!("cannot compare the keychain: {e}")),
                (_, Ok(None)) => t.fail("the keychain cannot list its entries"),
            }
        }
        Err(e) => t.fail(format!("the profile does not open: {e}")),
    }
}

/// No file under `dir` holds any of `secrets`.
pub fn check_no_secret_on_disk(dir: &Path, secrets: &[String], t: &mut Tally) {
    for (file, bytes) in files(dir) {
        for s in secrets.iter().filter(|s| s.len() >= 8) {
            if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                t.fail(format!("{} holds a secret", file.display()));
            }
        }
    }
}

pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p, b));
        }
    }
    out
}

// ---- The real test servers -------------------------------------------------------------

pub fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/servers")
}

/// The OAuth server (oidc-provider, `auth` its config) and the MCP server using it.
pub struct Servers {
    pub auth: patchbay_testsupport::Server,
    pub mcp: patchbay_testsupport::Server,
}

impl Servers {
    pub fn start(auth: Value) -> Servers {
        let auth = patchbay_testsupport::start_server(
            &servers_dir(),
            "auth-server.mjs",
            "AUTH_SERVER_CONFIG",
            auth,
        );
        let mcp = patchbay_testsupport::start_server(
            &servers_dir(),
            "mcp-server.mjs",
            "MCP_SERVER_CONFIG",
            json!({"authServer": auth.ready["issuer"]}),
        );
        Servers { auth, mcp }
    }
    pub fn url(&self) -> String {
        self.mcp.ready["url"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    pub fn issuer(&self) -> String {
        self.auth.ready["issuer"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    /// Every refresh token the authorization server issued (secrets to look for on disk).
    pub fn refresh_tokens(&self) -> Vec<String> {
        http()
            .get(format!("{}/__admin/refresh-tokens", self.issuer()))
            .send()
            .and_then(|r| r.json::<Value>())
            .ok()
            .and_then(|v| {
                v["tokens"].as_array().map(|a| {
                    a.iter()
                        .filter_map(|t| t["value"].as_str().map(String::from))
                        .collect()
                })
            })
            .unwrap_or_default()
    }
    /// Whether the real MCP server accepts this access token (an initialize answered 200).
    pub fn accepts(&self, token: &str) -> bool {
        http()
            .post(self.url())
            .bearer_auth(token)
            .header("Accept", "application/json, text/event-stream")
            .json(&initialize())
            .send()
            .is_ok_and(|r| r.status().as_u16() == 200)
    }
}

/// A JWT access token's `exp` (seconds since the epoch), read without checking it.
pub fn jwt_exp(token: &str) -> Option<u64> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?["exp"].as_u64()
}

/// Whether this JWT's `exp` has passed (the MCP server then rightly refuses it).
pub fn expired(token: &str) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    jwt_exp(token).is_some_and(|exp| now >= exp)
}

pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|_| reqwest::blocking::Client::new())
}

pub fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "kill-loop", "version": "1"}}})
}

/// A profile with the action `demo` on the MCP test server, signed in through the test
/// browser (consent).
pub fn connected_profile(cli: &Cli, s: &Servers) -> Result<(), String> {
    cli.ok(
        &[
            "action",
            "add",
            "demo",
            "--url",
            &s.url(),
            "--auth",
            "oauth",
        ],
        "",
        Duration::from_secs(30),
    )?;
    connect(cli).map(|_| ())
}

/// `patchbay connect demo` to the end with the consent browser.
/// What a group over a connected action starts from: the test servers (configured by
/// `config`), the CLI with the test browser on a scratch profile, and `demo` connected.
pub struct Connected {
    pub s: Servers,
    pub cli: Cli,
    /// The scratch folder the profile lives in (removed last).
    pub dir: tempfile::TempDir,
}

pub fn connected_world(bin: &Path, config: Value) -> Result<Connected, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temp folder: {e}"))?;
    let s = Servers::start(config);
    let cli = with_browser(Cli::new(bin, dir.path().join("home")));
    connected_profile(&cli, &s).map_err(|e| format!("cannot set up a connected profile: {e}"))?;
    Ok(Connected { s, cli, dir })
}

pub fn connect(cli: &Cli) -> Result<Out, String> {
    let out = cli.run(&connect_args(), "", Duration::from_secs(60))?;
    if out.ok() {
        Ok(out)
    } else {
        Err(format!(
            "connect failed ({}): {}",
            out.code,
            out.stderr.trim()
        ))
    }
}

pub fn connect_args() -> [&'static str; 7] {
    [
        "--json",
        "connect",
        "demo",
        "--port",
        "0",
        "--timeout",
        "30",
    ]
}

/// The CLI with the consent browser as `$BROWSER`.
pub fn with_browser(cli: Cli) -> Cli {
    cli.with_env(
        "BROWSER",
        &format!("node {}", servers_dir().join("browser.mjs").display()),
    )
    .with_env("PATCHBAY_TEST_BROWSER", "consent")
}

/// `patchbay --json access-token demo`: Ok(token), or Err((error code or why, stderr)).
pub fn access_token(cli: &Cli) -> Result<String, (String, String)> {
    let out = cli
        .run(
            &["--json", "access-token", "demo"],
            "",
            Duration::from_secs(30),
        )
        .map_err(|e| (e, String::new()))?;
    if out.ok() {
        Ok(out.stdout.trim().to_string())
    } else {
        Err((
            out.error_code()
                .unwrap_or_else(|| format!("exit {} without an error code", out.code)),
            out.stderr,
        ))
    }
}

/// An answer that asks to reconnect says the command that does it.
pub fn says_how_to_reconnect(stderr: &str) -> bool {
    stderr.contains("patchbay connect demo")
}

/// How long a full run of `f` takes (for the kill window).
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}
