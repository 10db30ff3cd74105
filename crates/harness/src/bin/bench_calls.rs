//! `patchbay-bench-calls ACTION N`: what Patchbay adds to `tools/call`, side by side in one
//! run, against the same MCP server and the same access token:
//! - direct: rmcp's own Streamable HTTP client with the bearer token fixed in its config;
//! - patchbay: `McpConnection::call` (`patchbay call`'s path), which fetches the action's
//!   credential for every request and logs every call;
//! - gateway (when `GATEWAY_URL` and `GATEWAY_KEY` are set): rmcp's client against
//!   `patchbay gateway serve` with an access key, calling `ACTION__echo`; with
//!   `GATEWAY_TOKEN`, also with that OAuth access token (`gateway_oauth`).
//!
//! Measured:
//! - N sequential calls of `echo` on each path, interleaved in 10 rounds so machine noise
//!   falls on each alike (p50 / p99);
//! - throughput with `CLIENTS` (64) concurrent clients, each its own session, direct and
//!   through the gateway, `PER_CLIENT` (50) calls each, in 3 alternating rounds (median);
//! - with `LIST_KEY`: `tools/list` through the gateway for a key opening the wide actions
//!   (10 × 50 tools in the benchmark), N / 4 sequential, and the same on one of them
//!   directly (`LIST_DIRECT_URL`, no auth);
//! - with `GATEWAY_PID`: the gateway's resident memory before its first request, the peak
//!   sampled every 20 ms under the concurrent load, and after it;
//! - the floor (`--forward URL`, started here): the least any proxy process costs on this
//!   machine, a pass-through that forwards each MCP HTTP request's bytes upstream with the
//!   fixed token and streams the answer back, parsing nothing; measured beside direct and the
//!   gateway in the same rounds (sequential and concurrent), with its CPU per call;
//! - the rmcp floor (`--relay URL`, started here): rmcp's Streamable HTTP server (the
//!   gateway's configuration) whose tools are those of one shared rmcp client session on the
//!   same server with the fixed token, and nothing else (no key, no log row, no breaker):
//!   what any gateway built on rmcp on both sides costs here, in the same rounds;
//! - with `GATEWAY_BEFORE_URL` (and `GATEWAY_BEFORE_PID`): a second gateway, an earlier
//!   build serving a copy of the same profile, with the same key, in the same rounds
//!   (`gateway_before`), so a change is measured before and after in one run;
//! - the breakdown of the gateway's extra time: `ping` (no handler work, no upstream) direct
//!   and through the gateway, and the same rmcp server as the gateway's with a trivial echo
//!   tool in a process of its own (`--null-server MODE`), default configuration and variants.
//!
//! Prints one JSON object. The access key is read from the environment and never printed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use patchbay_core::runtime::McpOptions;
use patchbay_core::{ExposeSecret, Kind, Patchbay};
use patchbay_harness::rss_kib;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientRequest, ContentBlock,
    ErrorData, Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{RoleClient, RoleServer, ServerHandler, ServiceExt};

type Client = RunningService<RoleClient, ()>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn lat(mut v: Vec<f64>) -> serde_json::Value {
    v.sort_by(|a, b| a.total_cmp(b));
    serde_json::json!({ "n": v.len(), "p50_ms": pct(&v, 0.5), "p99_ms": pct(&v, 0.99) })
}

fn echo(tool: &str) -> CallToolRequestParams {
    let mut p = CallToolRequestParams::new(tool.to_string());
    p.arguments = serde_json::json!({"text": "bench"}).as_object().cloned();
    p
}

fn ms(s: Instant) -> f64 {
    s.elapsed().as_secs_f64() * 1000.0
}

/// An rmcp client on `url`, its own HTTP client, `bearer` fixed (none when empty).
async fn connect(url: &str, bearer: &str) -> Result<Client, BoxError> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    if !bearer.is_empty() {
        config = config.auth_header(bearer.to_string());
    }
    let transport = StreamableHttpClientTransport::with_client(reqwest013::Client::new(), config);
    Ok(().serve(transport).await?)
}

#[derive(Clone, Copy)]
enum Op {
    Echo,
    Ping,
    List,
}

async fn once(c: &Client, op: Op, tool: &str) -> Result<(), BoxError> {
    match op {
        Op::Echo => {
            c.call_tool(echo(tool)).await?;
        }
        Op::Ping => {
            c.send_request(ClientRequest::PingRequest(Default::default()))
                .await?;
        }
        // Not `list_tools`: that one may answer from rmcp's client-side cache.
        Op::List => {
            c.send_request(ClientRequest::ListToolsRequest(Default::default()))
                .await?;
        }
    }
    Ok(())
}

/// `n` sequential requests; their latencies in ms.
async fn seq(c: &Client, op: Op, tool: &str, n: usize) -> Result<Vec<f64>, BoxError> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let s = Instant::now();
        once(c, op, tool).await?;
        v.push(ms(s));
    }
    Ok(v)
}

/// `clients` clients, each with its own session, connected first; then `per` calls each, all
/// at once. Calls per second (a failed call counts against it: it is an error).
async fn throughput(
    url: &str,
    bearer: &str,
    tool: &str,
    clients: usize,
    per: usize,
) -> Result<f64, BoxError> {
    let mut cs = Vec::with_capacity(clients);
    for _ in 0..clients {
        cs.push(Arc::new(connect(url, bearer).await?));
    }
    let start = Arc::new(tokio::sync::Barrier::new(clients + 1));
    let mut tasks = Vec::new();
    for c in &cs {
        let (c, start, tool) = (c.clone(), start.clone(), tool.to_string());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            for _ in 0..per {
                c.call_tool(echo(&tool)).await?;
            }
            Ok::<(), BoxError>(())
        }));
    }
    start.wait().await;
    let t = Instant::now();
    for task in tasks {
        task.await??;
    }
    let secs = t.elapsed().as_secs_f64();
    for c in cs {
        if let Ok(c) = Arc::try_unwrap(c) {
            let _ = c.cancel().await;
        }
    }
    Ok((clients * per) as f64 / secs)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// CPU time (user + system) of `pid` so far, in ms (the kernel counts in 10 ms ticks).
fn cpu_ms(pid: &str) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = s.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

/// CPU ms per call of each process in `pids` (name, pid) while `f` makes `calls` calls.
async fn cpu_per_call<T>(
    pids: &[(&str, String)],
    calls: usize,
    f: impl Future<Output = T>,
) -> (T, serde_json::Value) {
    let before: Vec<Option<f64>> = pids.iter().map(|(_, p)| cpu_ms(p)).collect();
    let out = f.await;
    let mut per = serde_json::Map::new();
    for ((name, pid), b) in pids.iter().zip(before) {
        if let (Some(b), Some(a)) = (b, cpu_ms(pid)) {
            per.insert(name.to_string(), ((a - b) / calls as f64).into());
        }
    }
    (out, per.into())
}

/// The peak resident memory of `pid` while `f` runs, sampled every 20 ms.
async fn peak_rss<T>(pid: Option<u32>, f: impl Future<Output = T>) -> (T, Option<u64>) {
    let Some(pid) = pid else {
        return (f.await, None);
    };
    let (peak, stop) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(r) = rss_kib(pid) {
                    peak.fetch_max(r, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let out = f.await;
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    (out, Some(peak.load(Ordering::Relaxed)))
}

// ---- the null server: the gateway's rmcp server with a trivial tool -------------------------

#[derive(Clone)]
struct Null;

/// A server offering tools, named `name`.
fn tools_server(name: &str) -> ServerConfig {
    ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
        .with_server_info(Implementation::new(name, "1"))
}

impl ServerHandler for Null {
    fn get_info(&self) -> ServerConfig {
        tools_server("null")
    }

    async fn list_tools(
        &self,
        _r: Option<PaginatedRequestParams>,
        _c: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let schema =
            serde_json::json!({"type": "object", "properties": {"text": {"type": "string"}}});
        Ok(ListToolsResult {
            tools: vec![Tool::new(
                "echo",
                "Echo the text",
                schema.as_object().cloned().unwrap_or_default(),
            )],
            ..Default::default()
        })
    }

    async fn call_tool(
        &self,
        r: CallToolRequestParams,
        _c: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let text = r
            .arguments
            .as_ref()
            .and_then(|a| a.get("text"))
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_string();
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]).into())
    }
}

/// The variants of the null server, by name.
const NULL_MODES: [&str; 5] = [
    "default",
    "default+spawn_blocking",
    "no-sse-retry",
    "stateless",
    "stateless+json",
];

/// A runtime shaped like the gateway's: 2 worker threads.
fn gateway_shaped() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Serve `router` on `listener` as the gateway serves (TCP_NODELAY), its URL alone on the
/// first line of stdout, until stdin closes.
async fn serve_on(listener: tokio::net::TcpListener, router: axum::Router) -> Result<(), BoxError> {
    let port = listener.local_addr()?.port();
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    println!("http://127.0.0.1:{port}/mcp");
    let stdin_closed = async {
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        })
        .await;
    };
    axum::serve(listener, router)
        .with_graceful_shutdown(stdin_closed)
        .await?;
    Ok(())
}

/// `--null-server MODE`: serve [`Null`] on 127.0.0.1 as the gateway serves (rmcp's
/// Streamable HTTP service under axum, TCP_NODELAY, a 2-thread runtime), print the URL alone
/// on the first line, serve until stdin closes.
fn null_server(mode: &str) -> Result<(), BoxError> {
    gateway_shaped()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut config = StreamableHttpServerConfig::default()
            .with_allowed_hosts([format!("127.0.0.1:{port}"), format!("localhost:{port}")]);
        match mode {
            "default" | "default+spawn_blocking" => {}
            "no-sse-retry" => config = config.with_sse_retry(None),
            "stateless" => config = config.with_legacy_session_mode(false),
            "stateless+json" => {
                config = config
                    .with_legacy_session_mode(false)
                    .with_json_response(true)
            }
            other => return Err(format!("unknown null-server mode '{other}'").into()),
        }
        let service = StreamableHttpService::new(
            || Ok(Null),
            Arc::new(LocalSessionManager::default()),
            config,
        );
        let mut router = axum::Router::new().route_service("/mcp", service);
        if mode == "default+spawn_blocking" {
            // What the gateway's key check costs besides its work: one trip to the blocking pool.
            router = router.layer(axum::middleware::from_fn(
                |req: axum::extract::Request, next: axum::middleware::Next| async move {
                    let _ = tokio::task::spawn_blocking(|| std::hint::black_box(1)).await;
                    next.run(req).await
                },
            ));
        }
        serve_on(listener, router).await
    })
}

/// A null server in a process of its own; killed when dropped.
struct NullServer {
    child: std::process::Child,
    url: String,
}

impl Drop for NullServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_null(mode: &str) -> Result<NullServer, BoxError> {
    spawn_child(
        &["--null-server", mode],
        &[],
        &format!("the null server ({mode})"),
    )
}

/// This program with `args` in a process of its own, once it printed its URL.
fn spawn_child(args: &[&str], env: &[(&str, &str)], what: &str) -> Result<NullServer, BoxError> {
    use std::io::BufRead;
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let mut server = NullServer {
        child,
        url: String::new(),
    };
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| format!("waited 30 s for {what} to print its URL; it did not"))?;
    server.url = line.trim().to_string();
    Ok(server)
}

// ---- the floor: a pass-through proxy that parses nothing -----------------------------------

/// `--forward URL`: serve 127.0.0.1/mcp as a bare pass-through to `URL` (the MCP request's
/// method, headers and body bytes forwarded, `Authorization` replaced by `FORWARD_TOKEN`;
/// the answer's status, headers and body streamed back), with the gateway's runtime shape
/// (2 worker threads, TCP_NODELAY). Prints the URL alone on the first line, serves until
/// stdin closes.
fn forwarder(upstream: String) -> Result<(), BoxError> {
    let token = std::env::var("FORWARD_TOKEN").unwrap_or_default();
    gateway_shaped()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let state = Arc::new(Forward {
            client: reqwest013::Client::new(),
            upstream,
            token,
        });
        let router = axum::Router::new()
            .route("/mcp", axum::routing::any(forward))
            .with_state(state);
        serve_on(listener, router).await
    })
}

struct Forward {
    client: reqwest013::Client,
    upstream: String,
    token: String,
}

/// Headers that belong to one hop, not to the MCP exchange.
fn hop_header(name: &str) -> bool {
    matches!(
        name,
        "host" | "authorization" | "content-length" | "connection" | "transfer-encoding"
    )
}

async fn forward(
    axum::extract::State(f): axum::extract::State<Arc<Forward>>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, 4 << 20).await {
        Ok(b) => b,
        Err(e) => return (axum::http::StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let mut r = f.client.request(parts.method, &f.upstream);
    for (name, value) in &parts.headers {
        if !hop_header(name.as_str()) {
            r = r.header(name, value);
        }
    }
    if !f.token.is_empty() {
        r = r.bearer_auth(&f.token);
    }
    let up = match r.body(body).send().await {
        Ok(up) => up,
        Err(e) => return (axum::http::StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let mut out = axum::http::Response::builder().status(up.status());
    for (name, value) in up.headers() {
        if !hop_header(name.as_str()) {
            out = out.header(name, value);
        }
    }
    out.body(axum::body::Body::from_stream(up.bytes_stream()))
        .unwrap_or_else(|e| (axum::http::StatusCode::BAD_GATEWAY, e.to_string()).into_response())
}

/// The forwarder in a process of its own; killed when dropped.
fn spawn_forwarder(upstream: &str, token: &str) -> Result<NullServer, BoxError> {
    spawn_child(
        &["--forward", upstream],
        &[("FORWARD_TOKEN", token)],
        "the forwarder",
    )
}

// ---- the rmcp floor: rmcp's server in front of rmcp's client, and nothing else -------------

/// The rmcp floor's handler: every request passed to one shared upstream client session.
#[derive(Clone)]
struct Relay {
    up: Arc<Client>,
}

fn relayed(e: rmcp::ServiceError) -> ErrorData {
    match e {
        rmcp::ServiceError::McpError(e) => e,
        other => ErrorData::internal_error(other.to_string(), None),
    }
}

impl ServerHandler for Relay {
    fn get_info(&self) -> ServerConfig {
        tools_server("relay")
    }

    async fn list_tools(
        &self,
        r: Option<PaginatedRequestParams>,
        _c: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.up.list_tools(r).await.map_err(relayed)
    }

    async fn call_tool(
        &self,
        r: CallToolRequestParams,
        _c: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.up.call_tool(r).await.map(Into::into).map_err(relayed)
    }
}

/// `--relay URL`: serve 127.0.0.1/mcp with rmcp's Streamable HTTP server configured as the
/// gateway's (sessions, allowed hosts), each request passed on over one shared rmcp client
/// session to `URL` with `FORWARD_TOKEN`; the gateway's runtime shape. Prints the URL alone
/// on the first line, serves until stdin closes.
fn relay(upstream: String) -> Result<(), BoxError> {
    let token = std::env::var("FORWARD_TOKEN").unwrap_or_default();
    gateway_shaped()?.block_on(async move {
        let up = Arc::new(connect(&upstream, &token).await?);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let config = StreamableHttpServerConfig::default()
            .with_allowed_hosts([format!("127.0.0.1:{port}"), format!("localhost:{port}")]);
        let service = StreamableHttpService::new(
            move || Ok(Relay { up: up.clone() }),
            Arc::new(LocalSessionManager::default()),
            config,
        );
        serve_on(listener, axum::Router::new().route_service("/mcp", service)).await
    })
}

/// The rmcp floor in a process of its own; killed when dropped.
fn spawn_relay(upstream: &str, token: &str) -> Result<NullServer, BoxError> {
    spawn_child(
        &["--relay", upstream],
        &[("FORWARD_TOKEN", token)],
        "the rmcp floor (--relay)",
    )
}

// ---- main -------------------------------------------------------------------------------

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), BoxError> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.first().map(String::as_str) == Some("--null-server") {
        return null_server(a.get(1).map_or("default", String::as_str));
    }
    if a.first().map(String::as_str) == Some("--relay") {
        return relay(a.get(1).cloned().ok_or("--relay needs the upstream URL")?);
    }
    if a.first().map(String::as_str) == Some("--forward") {
        return forwarder(
            a.get(1)
                .cloned()
                .ok_or("--forward needs the upstream URL")?,
        );
    }
    let (Some(action), Some(n)) = (a.first(), a.get(1).and_then(|n| n.parse::<usize>().ok()))
    else {
        eprintln!(
            "usage: patchbay-bench-calls ACTION N  (or --null-server MODE, --forward URL, --relay URL)"
        );
        std::process::exit(2)
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()?
        .block_on(bench(action.clone(), n))
}

async fn bench(action: String, n: usize) -> Result<(), BoxError> {
    let clients = env_usize("CLIENTS", 64);
    let per = env_usize("PER_CLIENT", 50);
    let rounds = 10;
    let pb = Arc::new(Patchbay::open_default()?);
    let url = pb.get_action(&action)?.url;
    let token = pb.access_token(Kind::Action, &action).await?;
    let token = token.expose_secret().to_string();
    let gateway = match (std::env::var("GATEWAY_URL"), std::env::var("GATEWAY_KEY")) {
        (Ok(u), Ok(k)) => Some((u, k)),
        _ => None,
    };
    let gw_pid: Option<u32> = std::env::var("GATEWAY_PID")
        .ok()
        .and_then(|p| p.parse().ok());
    let rss_idle = gw_pid.and_then(rss_kib);
    let gw_tool = format!("{action}__echo");
    // The same calls through the gateway with an OAuth access token (`pbat_…`) instead.
    let oauth = std::env::var("GATEWAY_TOKEN").ok();

    // Sequential tools/call, interleaved rounds.
    let direct = connect(&url, &token).await?;
    let conn = pb.mcp_connect(&action, &McpOptions::default()).await?;
    let gw = match &gateway {
        Some((u, k)) => Some(connect(u, k).await?),
        None => None,
    };
    let gt = match (&gateway, &oauth) {
        (Some((u, _)), Some(t)) => Some(connect(u, t).await?),
        _ => None,
    };
    // The floor: a bare pass-through process in front of the same server, the same token.
    let floor = spawn_forwarder(&url, &token)?;
    let fl = connect(&floor.url, "").await?;
    // The rmcp floor: rmcp's server in front of one shared rmcp client session.
    let relay_floor = spawn_relay(&url, &token)?;
    let rl = connect(&relay_floor.url, "").await?;
    // An earlier gateway build, same key, a copy of the profile.
    let before_url = std::env::var("GATEWAY_BEFORE_URL").ok();
    let before_pid: Option<u32> = std::env::var("GATEWAY_BEFORE_PID")
        .ok()
        .and_then(|p| p.parse().ok());
    let gb = match (&before_url, &gateway) {
        (Some(u), Some((_, k))) => Some(connect(u, k).await?),
        _ => None,
    };
    // Warm-up: connections, the gateway's upstream session and caches.
    seq(&direct, Op::Echo, "echo", 20).await?;
    for _ in 0..20 {
        conn.call("echo", echo("echo").arguments).await?;
    }
    for g in gw.iter().chain(gt.iter()).chain(gb.iter()) {
        seq(g, Op::Echo, &gw_tool, 20).await?;
    }
    seq(&fl, Op::Echo, "echo", 20).await?;
    seq(&rl, Op::Echo, "echo", 20).await?;
    let (mut d, mut p, mut g, mut t) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut f, mut b, mut rf) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        d.extend(seq(&direct, Op::Echo, "echo", n / rounds).await?);
        for _ in 0..n / rounds {
            let s = Instant::now();
            conn.call("echo", echo("echo").arguments).await?;
            p.push(ms(s));
        }
        if let Some(gc) = &gw {
            g.extend(seq(gc, Op::Echo, &gw_tool, n / rounds).await?);
        }
        if let Some(tc) = &gt {
            t.extend(seq(tc, Op::Echo, &gw_tool, n / rounds).await?);
        }
        f.extend(seq(&fl, Op::Echo, "echo", n / rounds).await?);
        rf.extend(seq(&rl, Op::Echo, "echo", n / rounds).await?);
        if let Some(bc) = &gb {
            b.extend(seq(bc, Op::Echo, &gw_tool, n / rounds).await?);
        }
    }
    let mut out = serde_json::json!({
        "calls": n,
        "clients": clients,
        "per_client": per,
        "direct": lat(d),
        "patchbay": lat(p),
        "floor": lat(f),
        "rmcp_floor": lat(rf),
    });
    if !b.is_empty() {
        out["gateway_before"] = lat(b);
    }
    if !g.is_empty() {
        out["gateway"] = lat(g);
    }
    if !t.is_empty() {
        out["gateway_oauth"] = lat(t);
    }

    // The breakdown: ping direct and through the gateway (same rounds).
    let (mut pd, mut pg) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        pd.extend(seq(&direct, Op::Ping, "", n / rounds).await?);
        if let Some(gc) = &gw {
            pg.extend(seq(gc, Op::Ping, "", n / rounds).await?);
        }
    }
    out["ping"] = serde_json::json!({ "direct": lat(pd) });
    if !pg.is_empty() {
        out["ping"]["gateway"] = lat(pg);
    }

    // tools/list over the wide actions.
    if let (Some((gu, _)), Ok(lk)) = (&gateway, std::env::var("LIST_KEY")) {
        let lc = connect(gu, &lk).await?;
        let tools = lc.list_all_tools().await?.len();
        let ln = (n / 4).max(10);
        seq(&lc, Op::List, "", 5).await?;
        let mut lg = Vec::new();
        let mut ld = Vec::new();
        let dc = match std::env::var("LIST_DIRECT_URL") {
            Ok(u) => Some(connect(&u, "").await?),
            Err(_) => None,
        };
        for _ in 0..rounds {
            lg.extend(seq(&lc, Op::List, "", ln / rounds).await?);
            if let Some(dc) = &dc {
                ld.extend(seq(dc, Op::List, "", ln / rounds).await?);
            }
        }
        out["list"] = serde_json::json!({ "tools": tools, "gateway": lat(lg) });
        if !ld.is_empty() {
            out["list"]["direct_one_action"] = lat(ld);
        }
        let _ = lc.cancel().await;
        if let Some(dc) = dc {
            let _ = dc.cancel().await;
        }
    }
    let _ = direct.cancel().await;
    let _ = fl.cancel().await;
    let _ = rl.cancel().await;
    if let Some(bc) = gb {
        let _ = bc.cancel().await;
    }
    drop(conn);
    if let Some(g) = gw {
        let _ = g.cancel().await;
    }

    // Throughput: CLIENTS concurrent clients, alternating rounds; the gateway's peak memory;
    // the CPU each process spent per call (last round).
    let mut pids = vec![("client", "self".to_string())];
    if let Ok(p) = std::env::var("UPSTREAM_PID") {
        pids.push(("upstream", p));
    }
    let with = |name: &'static str, pid: Option<String>| {
        let mut v = pids.clone();
        v.extend(pid.map(|p| (name, p)));
        v
    };
    let pids_g = with("gateway", gw_pid.map(|p| p.to_string()));
    let pids_f = with("forwarder", Some(floor.child.id().to_string()));
    let pids_r = with("relay", Some(relay_floor.child.id().to_string()));
    let pids_b = with("gateway", before_pid.map(|p| p.to_string()));
    let (mut td, mut tg, mut tf, mut tb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut peak = None;
    let (mut cpu_d, mut cpu_g) = (serde_json::Value::Null, serde_json::Value::Null);
    let (mut cpu_f, mut cpu_b) = (serde_json::Value::Null, serde_json::Value::Null);
    let (mut tr, mut cpu_r) = (Vec::new(), serde_json::Value::Null);
    for _ in 0..3 {
        let (r, c) = cpu_per_call(
            &pids,
            clients * per,
            throughput(&url, &token, "echo", clients, per),
        )
        .await;
        td.push(r?);
        cpu_d = c;
        if let Some((gu, gk)) = &gateway {
            let load = peak_rss(gw_pid, throughput(gu, gk, &gw_tool, clients, per));
            let ((r, pk), c) = cpu_per_call(&pids_g, clients * per, load).await;
            tg.push(r?);
            peak = peak.max(pk);
            cpu_g = c;
        }
        let load = throughput(&floor.url, "", "echo", clients, per);
        let (r, c) = cpu_per_call(&pids_f, clients * per, load).await;
        tf.push(r?);
        cpu_f = c;
        let load = throughput(&relay_floor.url, "", "echo", clients, per);
        let (r, c) = cpu_per_call(&pids_r, clients * per, load).await;
        tr.push(r?);
        cpu_r = c;
        if let (Some(bu), Some((_, gk))) = (&before_url, &gateway) {
            let load = throughput(bu, gk, &gw_tool, clients, per);
            let (r, c) = cpu_per_call(&pids_b, clients * per, load).await;
            tb.push(r?);
            cpu_b = c;
        }
    }
    drop(floor);
    drop(relay_floor);
    out["floor"]["calls_per_s"] = median(tf).into();
    out["floor"]["cpu_ms_per_call"] = cpu_f;
    out["rmcp_floor"]["calls_per_s"] = median(tr).into();
    out["rmcp_floor"]["cpu_ms_per_call"] = cpu_r;
    if !tb.is_empty() {
        out["gateway_before"]["calls_per_s"] = median(tb).into();
        out["gateway_before"]["cpu_ms_per_call"] = cpu_b;
    }
    out["direct"]["calls_per_s"] = median(td).into();
    out["direct"]["cpu_ms_per_call"] = cpu_d;
    if !tg.is_empty() {
        out["gateway"]["calls_per_s"] = median(tg).into();
        out["gateway"]["cpu_ms_per_call"] = cpu_g;
    }
    // Patchbay's runtime alone under the same load: CLIENTS callers on one shared session,
    // as the gateway calls upstream; its CPU is this process's.
    let conn = Arc::new(pb.mcp_connect(&action, &McpOptions::default()).await?);
    let (r, c) = cpu_per_call(&pids, clients * per, async {
        let t = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let conn = conn.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..per {
                    conn.call("echo", echo("echo").arguments).await?;
                }
                Ok::<(), patchbay_core::Error>(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        Ok::<f64, BoxError>((clients * per) as f64 / t.elapsed().as_secs_f64())
    })
    .await;
    out["patchbay"]["calls_per_s"] = r?.into();
    out["patchbay"]["cpu_ms_per_call"] = c;
    drop(conn);
    if let Some(pid) = gw_pid {
        out["gateway_rss_kib"] = serde_json::json!({
            "idle": rss_idle,
            "peak_under_load": peak,
            "after_load": rss_kib(pid),
        });
    }

    // The null server: the gateway's rmcp server without the gateway, each variant.
    let mut null = serde_json::Map::new();
    for mode in NULL_MODES {
        let server = spawn_null(mode)?;
        let c = connect(&server.url, "").await?;
        seq(&c, Op::Echo, "echo", 50).await?;
        let echo_lat = seq(&c, Op::Echo, "echo", n / 2).await?;
        let ping_lat = seq(&c, Op::Ping, "", n / 2).await?;
        let _ = c.cancel().await;
        let mut v = serde_json::json!({ "echo": lat(echo_lat), "ping": lat(ping_lat) });
        if mode == "default" || mode == "stateless+json" {
            let np = [("server", server.child.id().to_string())];
            let (r, c) = cpu_per_call(
                &np,
                clients * per,
                throughput(&server.url, "", "echo", clients, per),
            )
            .await;
            v["calls_per_s"] = r?.into();
            v["cpu_ms_per_call"] = c["server"].clone();
        }
        null.insert(mode.to_string(), v);
    }
    out["null_server"] = null.into();
    println!("{out}");
    Ok(())
}
