//! `patchbay gateway serve` killed with SIGKILL at random moments while
//! - (a) `gateway key add` runs in another process,
//! - (b) a custom OAuth client signs in (authorization code + PKCE) and refreshes (each
//!   refresh rotates the refresh token) in a loop at the gateway's `/token`,
//! - (c) `tools/call` requests with an access key are in flight.
//!
//! The action `demo` is signed in to the MCP test server; the gateway serves it on a fixed
//! port. After each kill the gateway is started again on that port and must print its URL
//! (a dead process's lock does not block it); then:
//! - the key `gateway key add` printed (if it printed one) opens `tools/call`;
//! - the client's last access token (the last one it got in a 200 answer) opens
//!   `tools/call`, and its last refresh token gets a 200 answer: no issued token is lost (a
//!   refresh the gateway committed but whose answer the kill swallowed leaves the client's
//!   token replaced but its successor unused: within the grace window it still works);
//! - the first key still opens `tools/call`; `gateway key list` reads the database.
//!
//! Every 20 kills, and at the end: a refresh token two rotations old (its successor has
//! been used) must be refused (`invalid_grant`): none is double-valid; and, as documented,
//! that reuse ends the whole sign-in, so the current refresh token is refused too. The
//! client then signs in again.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use patchbay_testsupport::Lines;
use serde_json::{Value, json};
use sha2::Digest;

use crate::common::{
    Cli, Rng, Servers, Tally, check_keychain, check_no_secret_on_disk, connected_profile,
    free_port, http, initialize, kill_group, with_browser,
};

const REDIRECT: &str = "http://127.0.0.1:8765/callback";

struct Gateway {
    child: Child,
    _lines: Lines,
    killed: bool,
}

impl Gateway {
    /// SIGKILL its process group (once: a reaped group's id may be reused): whether it had
    /// ended first.
    fn kill(&mut self) -> bool {
        if std::mem::replace(&mut self.killed, true) {
            return true;
        }
        kill_group(&mut self.child)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve(cli: &Cli, port: u16) -> Result<(Gateway, String), String> {
    use std::os::unix::process::CommandExt;
    let mut child = cli
        .cmd(&["gateway", "serve", "--port", &port.to_string()])
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the gateway: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = Lines::new(stdout, "patchbay gateway serve");
    match lines.try_next(Duration::from_secs(30)) {
        Ok(url) => Ok((
            Gateway {
                child,
                _lines: lines,
                killed: false,
            },
            url.trim().to_string(),
        )),
        Err(why) => {
            kill_group(&mut child);
            Err(format!(
                "the gateway did not print its URL within 30 s ({why:?})"
            ))
        }
    }
}

/// The client's side: what it last got in a 200 answer.
#[derive(Default, Clone)]
struct Tokens {
    access: String,
    refresh: String,
    /// Every refresh token of the current sign-in, oldest first.
    chain: Vec<String>,
}

struct OAuth {
    authorize: String,
    token: String,
    id: String,
    secret: String,
}

fn post_form(
    url: &str,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> Result<(u16, Value), String> {
    let r = http()
        .post(url)
        .basic_auth(id, Some(secret))
        .form(form)
        .timeout(Duration::from_secs(10))
        .send()
        .map_err(|e| format!("no answer: {e}"))?;
    let status = r.status().as_u16();
    Ok((status, r.json().unwrap_or(Value::Null)))
}

impl OAuth {
    /// Authorization code + PKCE S256 (a custom client signs in without a consent prompt).
    fn sign_in(&self, rng: &mut Rng) -> Result<Tokens, String> {
        let verifier: String = (0..48)
            .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.below(36) as usize]))
            .collect();
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        let state = format!("s{}", rng.next());
        let mut url = url::Url::parse(&self.authorize).map_err(|e| e.to_string())?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.id)
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("scope", "mcp");
        let r = http()
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .map_err(|e| format!("no answer from /authorize: {e}"))?;
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("/authorize answered {} without a redirect", r.status()))?;
        let code = url::Url::parse(location)
            .ok()
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "code")
                    .map(|(_, v)| v.into_owned())
            })
            .ok_or_else(|| format!("no code in {location}"))?;
        let (status, v) = post_form(
            &self.token,
            &self.id,
            &self.secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ],
        )?;
        tokens_of(status, &v).map(|(access, refresh)| Tokens {
            access,
            chain: vec![refresh.clone()],
            refresh,
        })
    }

    /// A refresh: Ok(Ok(tokens)) on 200, Ok(Err(error)) on an OAuth error, Err on no answer.
    fn refresh(&self, rt: &str) -> Result<Result<(String, String), String>, String> {
        let (status, v) = post_form(
            &self.token,
            &self.id,
            &self.secret,
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )?;
        Ok(tokens_of(status, &v))
    }
}

fn tokens_of(status: u16, v: &Value) -> Result<(String, String), String> {
    match (
        status,
        v["access_token"].as_str(),
        v["refresh_token"].as_str(),
    ) {
        (200, Some(a), Some(r)) => Ok((a.to_string(), r.to_string())),
        _ => Err(v["error"].as_str().unwrap_or("no_tokens").to_string()),
    }
}

/// An MCP session at `url` with `bearer`: initialize, then `tools/call demo__echo`; Ok when
/// the echo comes back.
fn echo(url: &str, bearer: &str, text: &str) -> Result<(), String> {
    let c = http();
    let post = |body: &Value, session: Option<&str>| {
        let mut r = c
            .post(url)
            .bearer_auth(bearer)
            .header("Accept", "application/json, text/event-stream")
            .timeout(Duration::from_secs(20))
            .json(body);
        if let Some(s) = session {
            r = r
                .header("Mcp-Session-Id", s)
                .header("MCP-Protocol-Version", "2025-06-18");
        }
        r.send()
    };
    let r = post(&initialize(), None).map_err(|e| format!("initialize: {e}"))?;
    if r.status().as_u16() != 200 {
        return Err(format!("initialize answered {}", r.status()));
    }
    let session = r
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let _ = r.text();
    let _ = post(
        &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        session.as_deref(),
    );
    let r = post(
        &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "demo__echo", "arguments": {"text": text}}}),
        session.as_deref(),
    )
    .map_err(|e| format!("tools/call: {e}"))?;
    let status = r.status().as_u16();
    let body = r.text().unwrap_or_default();
    let answered = body.lines().any(|l| {
        serde_json::from_str::<Value>(l.trim_start_matches("data:").trim())
            .is_ok_and(|v| v["id"] == 2 && v["result"]["content"][0]["text"] == text)
    });
    if answered {
        Ok(())
    } else {
        Err(format!(
            "tools/call answered {status}: {}",
            body.chars().take(300).collect::<String>()
        ))
    }
}

pub fn run(bin: &Path, kills: u32, rng: &mut Rng) -> Tally {
    let mut t = Tally::new();
    let Ok(dir) = tempfile::tempdir() else {
        t.fail("no temp folder");
        return t;
    };
    let s = Servers::start(json!({}));
    let cli = with_browser(Cli::new(bin, dir.path().join("home")));
    let within = Duration::from_secs(30);
    let setup = || -> Result<(String, OAuth, u16, Gateway, String), String> {
        connected_profile(&cli, &s)?;
        let key = cli
            .ok(
                &["gateway", "key", "add", "k0", "--actions", "demo"],
                "",
                within,
            )?
            .stdout
            .trim()
            .to_string();
        let made = cli
            .ok(
                &[
                    "--json",
                    "gateway",
                    "client",
                    "add",
                    "app",
                    "--type",
                    "confidential",
                    "--redirect-uri",
                    REDIRECT,
                    "--actions",
                    "demo",
                ],
                "",
                within,
            )?
            .json()
            .unwrap_or(Value::Null);
        let port = free_port();
        let (gw, url) = serve(&cli, port)?;
        let issuer = url.trim_end_matches("/mcp").to_string();
        let meta: Value = http()
            .get(format!("{issuer}/.well-known/oauth-authorization-server"))
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("the gateway's metadata: {e}"))?;
        let oauth = OAuth {
            authorize: meta["authorization_endpoint"]
                .as_str()
                .unwrap_or_default()
                .into(),
            token: meta["token_endpoint"].as_str().unwrap_or_default().into(),
            id: made["clientId"].as_str().unwrap_or_default().into(),
            secret: made["clientSecret"].as_str().unwrap_or_default().into(),
        };
        Ok((key, oauth, port, gw, url))
    };
    let (key0, oauth, port, mut gw, url) = match setup() {
        Ok(v) => v,
        Err(e) => {
            t.fail(format!("cannot set up the gateway: {e}"));
            return t;
        }
    };
    let oauth = Arc::new(oauth);
    let mut secrets: Vec<String> = vec![key0.clone(), oauth.secret.clone()];
    let tokens = match oauth.sign_in(rng) {
        Ok(tk) => tk,
        Err(e) => {
            t.fail(format!("the client's first sign-in: {e}"));
            return t;
        }
    };
    let state = Arc::new(Mutex::new(tokens));
    let mut restart_ms: Vec<u64> = Vec::new();

    for i in 0..kills {
        let kind = rng.below(3);
        let stop = Arc::new(AtomicBool::new(false));
        let mut printed_key: Option<String> = None;
        let worker = match kind {
            0 => {
                t.count("(a) during gateway key add");
                let child = cli
                    .cmd(&[
                        "gateway",
                        "key",
                        "add",
                        &format!("k{}", i + 1),
                        "--actions",
                        "demo",
                    ])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn();
                std::thread::sleep(rng.moment(Duration::from_millis(150)));
                let ended = gw.kill();
                t.killed(ended);
                match child
                    .map_err(|e| e.to_string())
                    .and_then(|c| crate::common::finish(c, "", within, "`gateway key add`"))
                {
                    Ok(o) if o.ok() => printed_key = Some(o.stdout.trim().to_string()),
                    Ok(o) => t.fail(format!(
                        "kill {i}: `gateway key add` failed while the gateway died ({}): {}",
                        o.code,
                        o.stderr.trim()
                    )),
                    Err(e) => t.fail(format!("kill {i}: {e}")),
                }
                None
            }
            1 => {
                t.count("(b) during /token sign-ins and rotations");
                let (o, st, stop2) = (oauth.clone(), state.clone(), stop.clone());
                let mut local = Rng(rng.next() | 1);
                Some(std::thread::spawn(move || {
                    let mut n = 0u32;
                    loop {
                        if stop2.load(Ordering::Relaxed) {
                            return (n, false);
                        }
                        let current = st.lock().map(|s| s.clone()).unwrap_or_default();
                        n += 1;
                        if n.is_multiple_of(8) {
                            match o.sign_in(&mut local) {
                                Ok(tk) => {
                                    if let Ok(mut s) = st.lock() {
                                        *s = tk;
                                    }
                                }
                                Err(_) => return (n, true),
                            }
                        } else {
                            match o.refresh(&current.refresh) {
                                Ok(Ok((a, r))) => {
                                    if let Ok(mut s) = st.lock() {
                                        s.access = a;
                                        s.refresh = r.clone();
                                        s.chain.push(r);
                                    }
                                }
                                _ => return (n, true),
                            }
                        }
                    }
                }))
            }
            _ => {
                t.count("(c) during tools/call in flight");
                let (u, k, stop2) = (url.clone(), key0.clone(), stop.clone());
                Some(std::thread::spawn(move || {
                    let mut n = 0;
                    loop {
                        if stop2.load(Ordering::Relaxed) {
                            return (n, false);
                        }
                        if echo(&u, &k, &format!("in flight {n}")).is_err() {
                            return (n, true);
                        }
                        n += 1;
                    }
                }))
            }
        };
        if let Some(w) = worker {
            std::thread::sleep(rng.moment(Duration::from_millis(400)));
            let ended = gw.kill();
            t.killed(ended);
            stop.store(true, Ordering::Relaxed);
            if let Ok((done, cut)) = w.join() {
                let what = if kind == 1 {
                    "/token answers"
                } else {
                    "tools/call answers"
                };
                *t.counts
                    .entry(format!("{what} before the kills"))
                    .or_default() += done;
                if cut {
                    t.count(if kind == 1 {
                        "a /token request cut by the kill"
                    } else {
                        "a tools/call cut by the kill"
                    });
                }
            }
        }

        // The next serve starts on the same port.
        let began = Instant::now();
        match serve(&cli, port) {
            Ok((g, _)) => {
                gw = g;
                restart_ms.push(began.elapsed().as_millis() as u64);
            }
            Err(e) => {
                t.fail(format!("kill {i}: the next serve: {e}"));
                break;
            }
        }
        if let Some(k) = printed_key {
            secrets.push(k.clone());
            match echo(&url, &k, "new key") {
                Ok(()) => t.count("key printed before the kill works"),
                Err(e) => t.fail(format!("kill {i}: the key `gateway key add` printed: {e}")),
            }
        }
        if let Err(e) = echo(&url, &key0, "first key") {
            t.fail(format!("kill {i}: the first key: {e}"));
        }
        let current = state.lock().map(|s| s.clone()).unwrap_or_default();
        if replaced(&cli.home, &current.refresh) {
            // The gateway committed a rotation whose answer the kill swallowed.
            t.count("rotation committed, answer lost: grace window used");
        }
        secrets.push(current.access.clone());
        secrets.push(current.refresh.clone());
        if let Err(e) = echo(&url, &current.access, "client") {
            t.fail(format!("kill {i}: the client's last access token: {e}"));
        }
        match oauth.refresh(&current.refresh) {
            Ok(Ok((a, r))) => {
                t.count("client's last refresh token works");
                if let Ok(mut s) = state.lock() {
                    s.access = a;
                    s.refresh = r.clone();
                    s.chain.push(r);
                }
            }
            other => t.fail(format!(
                "kill {i}: the client's last refresh token (issued in a 200 answer) was lost: {other:?}"
            )),
        }
        if let Err(e) = cli.ok(&["--json", "gateway", "key", "list"], "", within) {
            t.fail(format!("kill {i}: {e}"));
        }
        if i % 20 == 19 || i + 1 == kills {
            double_valid(&oauth, &state, &cli.home, rng, i, &mut t);
        }
    }
    gw.kill();
    if !restart_ms.is_empty() {
        restart_ms.sort_unstable();
        t.counts.insert(
            "restart to URL, median ms".into(),
            restart_ms[restart_ms.len() / 2] as u32,
        );
    }
    check_keychain(&cli.home, &mut t);
    check_no_secret_on_disk(&cli.home, &secrets, &mut t);
    let _ = std::io::stderr().flush();
    t
}

/// Whether the gateway's database says this refresh token was already replaced.
fn replaced(home: &Path, refresh: &str) -> bool {
    let hash: String = sha2::Sha256::digest(refresh.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    rusqlite::Connection::open_with_flags(
        home.join("patchbay.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .and_then(|c| {
        c.busy_timeout(Duration::from_secs(10))?;
        c.query_row(
            "SELECT replaced_at IS NOT NULL FROM gateway_tokens WHERE hash = ?1",
            [&hash],
            |r| r.get(0),
        )
    })
    .unwrap_or(false)
}

/// A refresh token whose successor has been used must be refused, and (as documented) that
/// reuse ends the sign-in; then the client signs in again.
fn double_valid(
    oauth: &OAuth,
    state: &Arc<Mutex<Tokens>>,
    home: &Path,
    rng: &mut Rng,
    i: u32,
    t: &mut Tally,
) {
    let current = state.lock().map(|s| s.clone()).unwrap_or_default();
    if current.chain.len() >= 3 {
        let old = &current.chain[rng.below(current.chain.len() as u64 - 2) as usize];
        // The probe behind the "answer lost" count reads the database right.
        if !replaced(home, old) {
            t.fail(format!(
                "kill {i}: the database does not show a used refresh token as replaced"
            ));
        }
        match oauth.refresh(old) {
            Ok(Err(e)) if e == "invalid_grant" => t.count("old refresh token refused"),
            other => t.fail(format!(
                "kill {i}: a replaced refresh token still works: {other:?}"
            )),
        }
        match oauth.refresh(&current.refresh) {
            Ok(Err(e)) if e == "invalid_grant" => {}
            other => t.fail(format!(
                "kill {i}: the reuse did not end the sign-in: {other:?}"
            )),
        }
    }
    match oauth.sign_in(rng) {
        Ok(tk) => {
            if let Ok(mut s) = state.lock() {
                *s = tk;
            }
        }
        Err(e) => t.fail(format!("kill {i}: a new sign-in: {e}")),
    }
}
