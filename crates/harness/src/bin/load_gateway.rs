//! `patchbay-load-gateway CLI MCP_URL GATEWAY_PID`: a bounded load test of `patchbay gateway
//! serve` on loopback (issue 21). `CLIENTS` (64) clients, each its own MCP session (rmcp's
//! Streamable HTTP client), for `ROUND_SECONDS` (60) per round, `ROUNDS` (2) rounds:
//! - most clients hold an access key: `KEYS` (7) keys made with `CLI gateway key add` at the
//!   start, the clients spread over them; every `REVOKE_EVERY` (6) seconds another key is
//!   replaced: a new one is added and the old one revoked, each by its own CLI process, so its
//!   clients get a 401 on their next request and come back with the new key;
//! - `OAUTH_CLIENTS` (8) clients hold OAuth access tokens of the gateway's authorization
//!   server (a public custom client, `CLIENT_ID` with `REDIRECT_URI`: PKCE sign-in at the
//!   start), which they refresh (`/token`, rotating) shortly before each expires (the profile's
//!   `gatewayAccessTokenSecs` is set short by the script);
//! - each client's requests are 80% `tools/call` of `TOOL` and 20% `tools/list`, one at a
//!   time, each bounded by 10 s;
//! - the upstream action's own tokens expire every few seconds too (the script's
//!   authorization server), so the gateway's runtime refreshes them under the load.
//!
//! Counted: requests by kind, errors by kind (a 401 after a revocation or an expiry is
//! expected and counted apart; anything else is a failure), p50 / p99 of each kind, and the
//! gateway's resident memory: idle before, the peak (sampled every 100 ms), right after the
//! round, 10 s after its clients left, and `SETTLE_SECONDS` (70) after (rmcp keeps each
//! finished request's stream 60 s for a late resume, and a session its client never closed
//! 300 s). A second round on the same gateway tells growth
//! that comes back (the allocator keeping pages, sessions not yet expired) from a leak.
//!
//! Prints one JSON object; exits 1 when any request failed unexpectedly. Keys and tokens stay
//! in memory and are never printed.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use patchbay_harness::rss_kib;
use rand_core::{OsRng, RngCore};
use rmcp::model::{CallToolRequestParams, ClientRequest};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceError, ServiceExt};
use sha2::{Digest, Sha256};

type Client = RunningService<RoleClient, ()>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Every request's bound.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mib(kib: Option<u64>) -> serde_json::Value {
    kib.map(|k| (k as f64 / 1024.0 * 10.0).round() / 10.0)
        .into()
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * sorted.len() as f64) as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A small deterministic generator (xorshift64*): the mix of requests, repeatable per seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// What every client records: latencies by request kind, errors by kind.
#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<f64>>,
    errors: BTreeMap<String, u64>,
    /// Errors that are not expected (anything but a 401 after a revocation or an expiry).
    unexpected: u64,
    /// The first few unexpected errors, in words (no key or token is in them).
    samples: Vec<String>,
}

impl Tally {
    fn ok(&mut self, kind: &'static str, ms: f64) {
        self.latencies.entry(kind).or_default().push(ms);
    }
    fn err(&mut self, kind: &str, expected: bool, detail: String) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
        if !expected {
            self.unexpected += 1;
            if self.samples.len() < 10 {
                self.samples.push(format!("{kind}: {detail}"));
            }
        }
    }
    fn merge(&mut self, other: Tally) {
        for (k, v) in other.latencies {
            self.latencies.entry(k).or_default().extend(v);
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.unexpected += other.unexpected;
        for s in other.samples {
            if self.samples.len() < 10 {
                self.samples.push(s);
            }
        }
    }
}

/// The access keys in use, by slot; the revoker swaps one at a time.
struct Keys {
    slots: Mutex<Vec<(String, String)>>, // (name, key)
}

impl Keys {
    fn get(&self, slot: usize) -> (String, String) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots[slot % slots.len()].clone()
    }
}

/// Runs the CLI with `args` and the profile of the environment; its stdout. A CLI that has
/// not answered within 30 s is killed and reported.
fn cli(bin: &str, args: &[&str]) -> Result<String, BoxError> {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {bin}: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("`patchbay {}` took over 30 s", args[..2].join(" ")).into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(format!(
            "`patchbay {}` failed: {}",
            args[..2.min(args.len())].join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn add_key(bin: &str, name: &str, action: &str) -> Result<String, BoxError> {
    let out = cli(
        bin,
        &["--json", "gateway", "key", "add", name, "--actions", action],
    )?;
    let v: serde_json::Value = serde_json::from_str(out.trim())?;
    Ok(v["key"]
        .as_str()
        .ok_or("`gateway key add --json` printed no key")?
        .to_string())
}

async fn connect(url: &str, bearer: &str) -> Result<Client, BoxError> {
    let config = StreamableHttpClientTransportConfig::with_uri(url.to_string())
        .auth_header(bearer.to_string());
    let transport = StreamableHttpClientTransport::with_client(reqwest013::Client::new(), config);
    let client = tokio::time::timeout(REQUEST_TIMEOUT, ().serve(transport))
        .await
        .map_err(|_| "the MCP session did not start within 10 s")??;
    Ok(client)
}

/// The HTTP status a bare request with `bearer` gets now: tells a revoked key or an expired
/// token (401) from anything else after a failed request.
async fn probe(http: &reqwest013::Client, url: &str, bearer: &str) -> Option<u16> {
    let r = http
        .post(url)
        .bearer_auth(bearer)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await
        .ok()?;
    Some(r.status().as_u16())
}

/// An OAuth session with the gateway's authorization server.
struct OAuth {
    http: reqwest013::Client,
    token_endpoint: String,
    client_id: String,
    resource: String,
    access: String,
    refresh: String,
    expires_at: Instant,
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl OAuth {
    /// Signs in as a public custom client: metadata, `/authorize` (302 with the code, no
    /// consent for a custom client), `/token` with the PKCE verifier.
    async fn sign_in(mcp_url: &str, client_id: &str, redirect: &str) -> Result<Self, BoxError> {
        let http = reqwest013::Client::builder()
            .redirect(reqwest013::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        // The MCP request without a token: 401 and where the metadata is (RFC 9728).
        let challenge = http
            .post(mcp_url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .send()
            .await?;
        let www = challenge
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let prm_url = www
            .split("resource_metadata=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .ok_or_else(|| format!("no resource_metadata in the 401's challenge: {www}"))?;
        let prm: serde_json::Value = http.get(prm_url).send().await?.json().await?;
        let resource = prm["resource"]
            .as_str()
            .ok_or("no resource in RFC 9728 metadata")?;
        let issuer = prm["authorization_servers"][0]
            .as_str()
            .ok_or("no authorization server in RFC 9728 metadata")?;
        let meta: serde_json::Value = http
            .get(format!("{issuer}/.well-known/oauth-authorization-server"))
            .send()
            .await?
            .json()
            .await?;
        let authorize = meta["authorization_endpoint"]
            .as_str()
            .ok_or("no authorization_endpoint")?;
        let token_endpoint = meta["token_endpoint"].as_str().ok_or("no token_endpoint")?;
        let mut raw = [0u8; 32];
        OsRng.fill_bytes(&mut raw);
        let verifier = URL_SAFE_NO_PAD.encode(raw);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let mut url = url::Url::parse(authorize)?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", "load")
            .append_pair("resource", resource)
            .append_pair("scope", "mcp offline_access");
        let back = http.get(url).send().await?;
        let location = back
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("/authorize answered {} without a redirect", back.status()))?;
        let code = url::Url::parse(location)?
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .ok_or("/authorize's redirect holds no code")?;
        let mut me = OAuth {
            http,
            token_endpoint: token_endpoint.to_string(),
            client_id: client_id.to_string(),
            resource: resource.to_string(),
            access: String::new(),
            refresh: String::new(),
            expires_at: Instant::now(),
        };
        me.token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", &verifier),
        ])
        .await?;
        Ok(me)
    }

    async fn token(&mut self, grant: &[(&str, &str)]) -> Result<(), BoxError> {
        let mut pairs = grant.to_vec();
        pairs.push(("client_id", &self.client_id));
        pairs.push(("resource", &self.resource));
        let r = self
            .http
            .post(&self.token_endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(&pairs))
            .send()
            .await?;
        let status = r.status();
        let v: serde_json::Value = r.json().await?;
        let (Some(access), Some(refresh)) =
            (v["access_token"].as_str(), v["refresh_token"].as_str())
        else {
            return Err(format!(
                "/token answered {status}: {}",
                v["error"].as_str().unwrap_or("no tokens")
            )
            .into());
        };
        self.access = access.to_string();
        self.refresh = refresh.to_string();
        self.expires_at =
            Instant::now() + Duration::from_secs(v["expires_in"].as_u64().unwrap_or(60));
        Ok(())
    }

    async fn refresh(&mut self) -> Result<(), BoxError> {
        let refresh = self.refresh.clone();
        self.token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
            .await
    }
}

enum Credential {
    Key { keys: Arc<Keys>, slot: usize },
    OAuth(Box<OAuth>),
}

impl Credential {
    fn bearer(&self) -> String {
        match self {
            Credential::Key { keys, slot } => keys.get(*slot).1,
            Credential::OAuth(o) => o.access.clone(),
        }
    }
}

/// One client until `stop`: requests one at a time, reconnecting after a revocation or a
/// refresh.
async fn client(
    url: String,
    tool: String,
    mut cred: Credential,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> Tally {
    let mut t = Tally::default();
    let mut rng = Rng(seed | 1);
    let http = reqwest013::Client::new();
    let mut session: Option<(Client, String)> = None;
    while !stop.load(Ordering::Relaxed) {
        // An OAuth client refreshes 2 s before its access token expires.
        if let Credential::OAuth(o) = &mut cred
            && o.expires_at.saturating_duration_since(Instant::now()) < Duration::from_secs(2)
        {
            let s = Instant::now();
            match tokio::time::timeout(REQUEST_TIMEOUT, o.refresh()).await {
                Ok(Ok(())) => t.ok("token refresh (gateway /token)", ms(s)),
                Ok(Err(e)) => t.err("token refresh failed", false, e.to_string()),
                Err(_) => t.err("timeout", false, "/token took over 10 s".into()),
            }
            if let Some((c, _)) = session.take() {
                let _ = tokio::time::timeout(REQUEST_TIMEOUT, c.cancel()).await;
            }
        }
        // A key client keeps its session, and so its key, until a request fails: it learns of
        // a revocation from the 401 on its next request, then comes back with the slot's
        // current key.
        if session.is_none() {
            let bearer = cred.bearer();
            let s = Instant::now();
            match connect(&url, &bearer).await {
                Ok(c) => {
                    t.ok("session start (initialize)", ms(s));
                    session = Some((c, bearer.clone()));
                }
                Err(e) => {
                    classify(&mut t, &http, &url, &bearer, &cred, e.to_string()).await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            }
        }
        let Some((c, bearer)) = &session else {
            continue;
        };
        let bearer = bearer.clone();
        let list = rng.next().is_multiple_of(5);
        let s = Instant::now();
        let req = if list {
            ClientRequest::ListToolsRequest(Default::default())
        } else {
            let mut p = CallToolRequestParams::new(tool.clone());
            p.arguments = serde_json::json!({"text": "load"}).as_object().cloned();
            ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(p))
        };
        let kind = if list { "tools/list" } else { "tools/call" };
        match tokio::time::timeout(REQUEST_TIMEOUT, c.send_request(req)).await {
            Ok(Ok(_)) => t.ok(kind, ms(s)),
            Ok(Err(ServiceError::McpError(e))) => {
                t.err("MCP error", false, format!("{kind}: {}", e.message));
            }
            Ok(Err(e)) => {
                session = None;
                classify(&mut t, &http, &url, &bearer, &cred, format!("{kind}: {e}")).await;
            }
            Err(_) => {
                session = None;
                t.err("timeout", false, format!("{kind} took over 10 s"));
            }
        }
    }
    if let Some((c, _)) = session.take() {
        let _ = tokio::time::timeout(REQUEST_TIMEOUT, c.cancel()).await;
    }
    t
}

/// A failed request: a 401 for a key that has since been replaced (revoked) or a token past
/// its expiry is expected; anything else is not.
async fn classify(
    t: &mut Tally,
    http: &reqwest013::Client,
    url: &str,
    bearer: &str,
    cred: &Credential,
    detail: String,
) {
    match probe(http, url, bearer).await {
        Some(401) => match cred {
            Credential::Key { keys, slot } if keys.get(*slot).1 != bearer => {
                t.err("401 after its key was revoked (expected)", true, detail)
            }
            Credential::OAuth(o) if o.expires_at <= Instant::now() + Duration::from_secs(1) => {
                t.err("401 after its token expired (expected)", true, detail)
            }
            _ => t.err("401 with a valid credential", false, detail),
        },
        Some(status) => t.err(
            &format!("transport error (HTTP {status} now)"),
            false,
            detail,
        ),
        None => t.err("transport error (no answer now)", false, detail),
    }
}

fn ms(s: Instant) -> f64 {
    s.elapsed().as_secs_f64() * 1000.0
}

struct Round {
    tally: Tally,
    revocations: u64,
    revoker_errors: Vec<String>,
    seconds: f64,
    rss_before: Option<u64>,
    rss_peak: Option<u64>,
    rss_after: Option<u64>,
    rss_settled: Option<u64>,
    rss_later: Option<u64>,
}

#[allow(clippy::too_many_arguments)]
async fn round(
    number: u64,
    bin: &str,
    url: &str,
    pid: u32,
    action: &str,
    tool: &str,
    keys: &Arc<Keys>,
    oauth: &mut Vec<OAuth>,
) -> Result<Round, BoxError> {
    let clients = env_num("CLIENTS", 64) as usize;
    let seconds = env_num("ROUND_SECONDS", 60);
    let revoke_every = env_num("REVOKE_EVERY", 6).max(1);
    let rss_before = rss_kib(pid);
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    let oauth_now: Vec<OAuth> = std::mem::take(oauth);
    let n_oauth = oauth_now.len();
    for (i, o) in oauth_now.into_iter().enumerate() {
        tasks.push(tokio::spawn(client(
            url.to_string(),
            tool.to_string(),
            Credential::OAuth(Box::new(o)),
            number * 1000 + i as u64,
            stop.clone(),
        )));
    }
    for i in n_oauth..clients {
        tasks.push(tokio::spawn(client(
            url.to_string(),
            tool.to_string(),
            Credential::Key {
                keys: keys.clone(),
                slot: i,
            },
            number * 1000 + i as u64,
            stop.clone(),
        )));
    }
    // The revoker: every REVOKE_EVERY seconds one slot gets a new key, then its old key is
    // revoked, each by its own CLI process (as a user would from another terminal).
    let revoker = {
        let (bin, action, keys, stop) = (
            bin.to_string(),
            action.to_string(),
            keys.clone(),
            stop.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let mut done = 0u64;
            let mut errors = Vec::new();
            let mut next = Instant::now() + Duration::from_secs(revoke_every);
            while !stop.load(Ordering::Relaxed) {
                if Instant::now() < next {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                next += Duration::from_secs(revoke_every);
                let slot_count = keys.slots.lock().unwrap_or_else(|e| e.into_inner()).len();
                let slot = (done as usize + number as usize) % slot_count;
                let new_name = format!("load-r{number}-{done}");
                match add_key(&bin, &new_name, &action) {
                    Ok(key) => {
                        let old = {
                            let mut slots = keys.slots.lock().unwrap_or_else(|e| e.into_inner());
                            std::mem::replace(&mut slots[slot], (new_name, key))
                        };
                        match cli(&bin, &["gateway", "key", "revoke", &old.0]) {
                            Ok(_) => done += 1,
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                    Err(e) => errors.push(e.to_string()),
                }
            }
            (done, errors)
        })
    };
    let start = Instant::now();
    let mut peak = rss_before.unwrap_or(0);
    while start.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        peak = peak.max(rss_kib(pid).unwrap_or(0));
    }
    stop.store(true, Ordering::Relaxed);
    let mut tally = Tally::default();
    for task in tasks {
        // Each client's last request is bounded by 10 s, its goodbye by 10 s more.
        match tokio::time::timeout(Duration::from_secs(30), task).await {
            Ok(Ok(t)) => tally.merge(t),
            Ok(Err(e)) => tally.err("client task panicked", false, e.to_string()),
            Err(_) => tally.err(
                "client did not stop",
                false,
                "a client was still busy 30 s after the round ended".into(),
            ),
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (revocations, revoker_errors) = tokio::time::timeout(Duration::from_secs(70), revoker)
        .await
        .map_err(|_| "the revoker's CLI call did not end within 70 s")??;
    let rss_after = rss_kib(pid);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let rss_settled = rss_kib(pid);
    // rmcp keeps each finished request's stream for 60 s (a late client may resume it):
    // what is still held after that is what the load left behind.
    let settle = env_num("SETTLE_SECONDS", 70).max(10);
    tokio::time::sleep(Duration::from_secs(settle - 10)).await;
    let rss_later = rss_kib(pid);
    // The OAuth clients of the next round sign in afresh.
    Ok(Round {
        tally,
        revocations,
        revoker_errors,
        seconds: elapsed,
        rss_before,
        rss_peak: Some(peak),
        rss_after,
        rss_settled,
        rss_later,
    })
}

fn report(r: &Round) -> serde_json::Value {
    let mut kinds = serde_json::Map::new();
    let mut total = 0usize;
    for (k, v) in &r.tally.latencies {
        let mut v = v.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        total += v.len();
        kinds.insert(
            k.to_string(),
            serde_json::json!({"count": v.len(), "p50_ms": pct(&v, 50.0), "p99_ms": pct(&v, 99.0)}),
        );
    }
    let errors: u64 = r.tally.errors.values().sum();
    serde_json::json!({
        "seconds": (r.seconds * 10.0).round() / 10.0,
        "requests": total as u64 + errors,
        "ok": total,
        "per_second": ((total as f64 / r.seconds) * 10.0).round() / 10.0,
        "kinds": kinds,
        "errors": r.tally.errors,
        "unexpected": r.tally.unexpected,
        "unexpected_samples": r.tally.samples,
        "revocations": r.revocations,
        "revoker_errors": r.revoker_errors,
        "rss_mib": {
            "before": mib(r.rss_before),
            "peak": mib(r.rss_peak),
            "after": mib(r.rss_after),
            "settled_10s": mib(r.rss_settled),
            "settled_later": mib(r.rss_later),
        },
    })
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bin, url, pid] = args.as_slice() else {
        eprintln!(
            "usage: patchbay-load-gateway CLI MCP_URL GATEWAY_PID\n(env: ACTION, TOOL, CLIENT_ID, REDIRECT_URI, CLIENTS, OAUTH_CLIENTS, KEYS, ROUND_SECONDS, ROUNDS, REVOKE_EVERY, SETTLE_SECONDS)"
        );
        std::process::exit(2);
    };
    let pid: u32 = pid.parse().map_err(|_| "GATEWAY_PID must be a number")?;
    let action = std::env::var("ACTION").unwrap_or_else(|_| "demo".into());
    let tool = std::env::var("TOOL").unwrap_or_else(|_| format!("{action}__echo"));
    let client_id = std::env::var("CLIENT_ID").map_err(|_| "CLIENT_ID is not set")?;
    let redirect = std::env::var("REDIRECT_URI").map_err(|_| "REDIRECT_URI is not set")?;
    let n_keys = env_num("KEYS", 7).max(1);
    let n_oauth = env_num("OAUTH_CLIENTS", 8) as usize;
    let rounds = env_num("ROUNDS", 2).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut slots = Vec::new();
    for i in 0..n_keys {
        let name = format!("load-k{i}");
        slots.push((name.clone(), add_key(bin, &name, &action)?));
    }
    let keys = Arc::new(Keys {
        slots: Mutex::new(slots),
    });
    let mut out = Vec::new();
    let mut failed = 0;
    for number in 1..=rounds {
        let report_json = rt.block_on(async {
            let mut oauth = Vec::new();
            for _ in 0..n_oauth {
                oauth.push(OAuth::sign_in(url, &client_id, &redirect).await?);
            }
            let r = round(number, bin, url, pid, &action, &tool, &keys, &mut oauth).await?;
            Ok::<_, BoxError>(report(&r))
        })?;
        failed += report_json["unexpected"].as_u64().unwrap_or(0);
        failed += report_json["revoker_errors"]
            .as_array()
            .map_or(0, |a| a.len() as u64);
        out.push(report_json);
    }
    println!(
        "{}",
        serde_json::json!({
            "clients": env_num("CLIENTS", 64),
            "oauth_clients": n_oauth,
            "keys": n_keys,
            "rounds": out,
        })
    );
    if failed > 0 {
        eprintln!("error: {failed} requests failed unexpectedly (see unexpected_samples)");
        std::process::exit(1);
    }
    Ok(())
}
