//! The gateway's HTTP side: a Streamable HTTP MCP server (rmcp's `StreamableHttpService`
//! under axum) bound to 127.0.0.1 only. In front of it one layer checks, on every request,
//! the Host (`127.0.0.1:PORT` or `localhost:PORT`; DNS rebinding), the Origin when present,
//! and the access key (`Authorization: Bearer pbk_…`, looked up by its SHA-256 each time, so
//! a revocation by any process applies to the next request), and hands what the key opens to
//! the handler. The caller's key is never sent upstream.
//!
//! `/mcp` serves every enabled action the key opens: an MCP action's tools as `ACTION__TOOL`,
//! an HTTP action as one tool named after it, its arguments the `{{param}}`s of its URL,
//! headers and body.
//! `/a/NAME/mcp` serves one action with its tools' own names. An action that is down, disabled
//! or needs reconnecting costs its own tools only.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::RoleServer;
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ErrorData, GetPromptRequestParams,
    GetPromptResponse, GetPromptResult, Implementation, JsonObject, ListPromptsResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, Prompt,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::keys::KeyGrant;
use super::names;
use crate::Patchbay;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{ActionKind, ActionView};
use crate::runtime::{ANSWER_WITHIN, CallOutcome, Inbound, ListChange};

/// The header naming an MCP session.
const SESSION_HEADER: &str = "mcp-session-id";

/// Request bodies larger than this are refused.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How long one action may take to answer its part of a listing (`tools/list` and the
/// like): a hung upstream must not hold up every other action's tools.
const LIST_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// JSON-RPC error code of what the gateway refuses itself (implementation-defined range).
pub const GATEWAY_ERROR: i32 = -32002;

/// A gateway bound to its port, not serving yet. It holds the profile's gateway lock
/// (`locks/gateway.lock`, which names its process and URL) while it lives.
#[derive(Debug)]
pub struct BoundGateway {
    listener: tokio::net::TcpListener,
    port: u16,
    pb: Arc<Patchbay>,
    /// The upstream sessions and the list-change broadcast the clients' sessions listen to.
    upstreams: Arc<super::upstream::Upstreams>,
    _lock: std::fs::File,
}

/// Who serves this profile's gateway, from its lock file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Serving {
    pub pid: u32,
    pub port: u16,
    pub url: String,
}

fn lock_path(pb: &Patchbay) -> std::path::PathBuf {
    pb.home().join("locks").join("gateway.lock")
}

fn open_lock(pb: &Patchbay) -> Result<std::fs::File> {
    let path = lock_path(pb);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))
}

impl Patchbay {
    /// `gateway status`: running or not, where, and who called in the last 10 minutes.
    pub fn gateway_status(&self) -> Result<crate::model::GatewayStatus> {
        let serving = self.gateway_serving()?;
        Ok(crate::model::GatewayStatus {
            running: serving.is_some(),
            url: serving.as_ref().map(|s| s.url.clone()),
            port: serving
                .as_ref()
                .map_or_else(|| self.settings().gateway_port, |s| s.port),
            pid: serving.as_ref().map(|s| s.pid),
            keys: self.working_gateway_keys()?,
            clients: self.gateway_clients(std::time::Duration::from_secs(600))?,
        })
    }

    /// The process serving this profile's gateway, if one does.
    pub fn gateway_serving(&self) -> Result<Option<Serving>> {
        let file = open_lock(self)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(None),
            Err(std::fs::TryLockError::WouldBlock) => {
                let text = std::fs::read_to_string(lock_path(self)).unwrap_or_default();
                Ok(serde_json::from_str(text.trim()).ok())
            }
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io("cannot lock gateway.lock", e)),
        }
    }
}

impl BoundGateway {
    /// `http://127.0.0.1:PORT/mcp`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until `shutdown` resolves; calls in flight are cancelled with it.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let cancel = CancellationToken::new();
        let hosts = vec![
            format!("127.0.0.1:{}", self.port),
            format!("localhost:{}", self.port),
        ];
        let config = StreamableHttpServerConfig::default()
            .with_allowed_hosts(hosts)
            .with_max_request_body_bytes(MAX_BODY_BYTES)
            .with_cancellation_token(cancel.child_token());
        let pb = self.pb.clone();
        let upstreams = self.upstreams.clone();
        let cache = Arc::new(Cache::default());
        let handler_cache = cache.clone();
        let asking = Arc::new(Asking::default());
        let handler_asking = asking.clone();
        let recent = Arc::new(Recent::default());
        let handler_recent = recent.clone();
        let sessions = Arc::new(session_manager());
        let service = StreamableHttpService::new(
            move || {
                Ok(GatewayHandler {
                    pb: pb.clone(),
                    upstreams: upstreams.clone(),
                    cache: handler_cache.clone(),
                    asking: handler_asking.clone(),
                    recent: handler_recent.clone(),
                })
            },
            sessions.clone(),
            config,
        );
        let guard = Arc::new(Guard {
            pb: self.pb.clone(),
            port: self.port,
            cache,
            refused: std::sync::Mutex::new(std::collections::HashMap::new()),
            sessions,
            owners: Arc::new(Owners::default()),
            quiet: Quiet::default(),
        });
        let router = axum::Router::new()
            .route_service("/mcp", service.clone())
            .route_service("/a/{name}/mcp", service)
            .merge(authz_routes(self.pb.clone(), self.port))
            .layer(axum::middleware::from_fn_with_state(guard.clone(), check));
        let stop = cancel.clone();
        let url = self.url();
        // No Nagle: a small response must not wait for the client's delayed ACK (~40 ms).
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        self.pb.log_gateway(
            true,
            format!(
                "gateway listening at {url} (process {})",
                std::process::id()
            ),
        );
        let flusher = {
            let (recent, pb, guard) = (recent.clone(), self.pb.clone(), guard.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(RECENT_EVERY);
                let mut ticks: u64 = 0;
                loop {
                    every.tick().await;
                    ticks += 1;
                    let (recent, pb) = (recent.clone(), pb.clone());
                    let _ = tokio::task::spawn_blocking(move || recent.flush(&pb)).await;
                    if ticks.is_multiple_of(SWEEP_EVERY_TICKS) {
                        guard.end_sessions_of_dead_keys().await;
                    }
                    let live = guard.sessions.sessions.read().await.len();
                    if guard.quiet.due(live) {
                        let _ = tokio::task::spawn_blocking(give_back_memory).await;
                    }
                }
            })
        };
        let stopping = asking.clone();
        let stopping_pb = self.pb.clone();
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Calls waiting for a confirmation are denied, calls in flight get a
                // little time to finish; then every session ends.
                stopping
                    .stopping
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                let pb = stopping_pb.clone();
                let asking = stopping.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    asking.withdraw_all(&pb, "the gateway stopped")
                })
                .await;
                let deadline = tokio::time::Instant::now() + IN_FLIGHT_GRACE;
                while stopping.calls.load(std::sync::atomic::Ordering::SeqCst) > 0
                    && tokio::time::Instant::now() < deadline
                {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                stop.cancel();
            })
            .await;
        flusher.abort();
        recent.flush(&self.pb);
        // Confirmations still waiting are denied: nobody is left to carry the call out.
        asking.withdraw_all(&self.pb, "the gateway stopped");
        match served {
            Ok(()) => {
                self.pb
                    .log_gateway(true, format!("gateway at {url} stopped"));
                Ok(())
            }
            Err(e) => {
                self.pb
                    .log_gateway(false, format!("gateway at {url} stopped serving: {e}"));
                Err(Error::io("the gateway stopped serving", e))
            }
        }
    }
}

impl Patchbay {
    /// Bind the gateway to `127.0.0.1:port`. A busy port is an error naming the setting; the
    /// gateway never moves to another port (every URL it handed out names this one).
    pub async fn bind_gateway(self: &Arc<Self>, port: u16) -> Result<BoundGateway> {
        let lock = open_lock(self)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let who = self
                    .gateway_serving()?
                    .map(|s| format!("process {} serves it at {}", s.pid, s.url))
                    .unwrap_or_else(|| "another process serves it".into());
                return Err(Error::invalid_with_hint(
                    format!("this profile's gateway is already running: {who}"),
                    "use that one, or stop it first (one gateway per profile)",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io("cannot lock gateway.lock", e));
            }
        }
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                Error::oauth(
                    ErrorCode::PortBusy,
                    format!("port {port} on 127.0.0.1 (setting gatewayPort) is in use by another program, so the gateway cannot listen there"),
                    Some("stop what uses it, or choose another port: `patchbay settings set gatewayPort N`".into()),
                )
            } else {
                Error::io(format!("cannot listen on 127.0.0.1:{port}"), e)
            }
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the gateway's address", e))?
            .port();
        let serving = Serving {
            pid: std::process::id(),
            port,
            url: format!("http://127.0.0.1:{port}/mcp"),
        };
        let text = serde_json::to_string(&serving)
            .map_err(|e| Error::Internal(format!("cannot encode the gateway lock: {e}")))?;
        std::fs::write(lock_path(self), format!("{text}\n"))
            .map_err(|e| Error::io("cannot write gateway.lock", e))?;
        Ok(BoundGateway {
            listener,
            port,
            pb: self.clone(),
            upstreams: Arc::new(super::upstream::Upstreams::default()),
            _lock: lock,
        })
    }
}

struct Guard {
    pb: Arc<Patchbay>,
    port: u16,
    cache: Arc<Cache>,
    /// When each kind of refusal was last logged (one row per kind a minute).
    refused: std::sync::Mutex<std::collections::HashMap<&'static str, std::time::Instant>>,
    /// rmcp's sessions, so the guard can end those of a key that stopped working.
    sessions: Arc<LocalSessionManager>,
    /// Which credential opened which session, and what each is answering.
    owners: Arc<Owners>,
    /// When the last request came, to give memory back once the gateway goes quiet.
    quiet: Quiet,
}

/// How long a finished request's stream is kept for a client that lost the answer and asks
/// again with `Last-Event-ID` (rmcp's default is 60 s). Clients retry after 3 s (the
/// `retry` the stream announces); every answer kept costs memory, and under load a minute's
/// worth of answers per session adds up to tens of MiB.
const COMPLETED_STREAMS_KEPT: std::time::Duration = std::time::Duration::from_secs(15);

fn session_manager() -> LocalSessionManager {
    let mut m = LocalSessionManager::default();
    m.session_config.completed_cache_ttl = COMPLETED_STREAMS_KEPT;
    m
}

/// How often a client's list-change listener checks that its session still lives.
#[cfg(not(test))]
const SESSION_CHECK: std::time::Duration = std::time::Duration::from_secs(5);
#[cfg(test)]
const SESSION_CHECK: std::time::Duration = std::time::Duration::from_millis(50);

/// How many [`RECENT_EVERY`] ticks between sweeps for sessions of revoked or expired keys
/// (every tick in tests, which wait for a sweep).
#[cfg(not(test))]
const SWEEP_EVERY_TICKS: u64 = 30;
#[cfg(test)]
const SWEEP_EVERY_TICKS: u64 = 1;

/// Sessions by the credential that opened them (its SHA-256). A client whose key is revoked
/// or whose token expired learns it from a 401, and its goodbye (`DELETE`) carries the same
/// dead credential: rmcp would keep the session, and every answer cached in it, until its
/// idle timeout (5 minutes). So the guard honours a goodbye made with the credential that
/// opened the session, and ends an access key's sessions itself once the key stops working:
/// at the first request with the dead key, and in a sweep every 30 s for clients that never
/// come back. A session still answering a request sent before the revocation is left until
/// that answer has gone out. (An OAuth token's session outlives the token: its client goes on
/// in it with the refreshed one.)
#[derive(Default)]
struct Owners {
    by_session: std::sync::Mutex<std::collections::HashMap<String, Owner>>,
    /// Sessions the gateway ended itself (their key died), by the hash of the key that opened
    /// them, and when: that client's goodbye, if it comes, is answered as done (202), not 401.
    ended: std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>,
}

/// How long a session the gateway ended itself is remembered for its client's goodbye.
const ENDED_KEPT: std::time::Duration = std::time::Duration::from_secs(600);

struct Owner {
    /// The SHA-256 of the access key or OAuth token that opened the session.
    key_hash: String,
    /// An access key (ended with the key); an OAuth token's session outlives the token
    /// (its client goes on with the refreshed one).
    access_key: bool,
    /// Requests of this session being answered (their response bodies not yet done).
    busy: usize,
}

/// A request being answered in a session; dropped with its response body.
struct Busy {
    owners: Arc<Owners>,
    session: String,
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(o) = self.owners.lock().get_mut(&self.session) {
            o.busy = o.busy.saturating_sub(1);
        }
    }
}

impl Owners {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Owner>> {
        self.by_session.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert(&self, session: String, key_hash: String, access_key: bool) {
        self.lock().entry(session).or_insert(Owner {
            key_hash,
            access_key,
            busy: 0,
        });
    }

    fn ended(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (String, std::time::Instant)>>
    {
        self.ended.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `key_hash` opened `session` (still live, or ended by the gateway lately); if
    /// so, the session is forgotten.
    fn take_if_opened_by(&self, session: &str, key_hash: &str) -> bool {
        let mut map = self.lock();
        let opened = map.get(session).is_some_and(|o| o.key_hash == key_hash);
        if opened {
            map.remove(session);
            return true;
        }
        drop(map);
        let mut ended = self.ended();
        let was = ended.get(session).is_some_and(|(k, _)| k == key_hash);
        if was {
            ended.remove(session);
        }
        was
    }

    /// Forget the sessions ended by the gateway longer than [`ENDED_KEPT`] ago.
    fn prune_ended(&self) {
        self.ended().retain(|_, (_, at)| at.elapsed() < ENDED_KEPT);
    }

    fn forget(&self, session: &str) {
        self.lock().remove(session);
    }

    /// A request in `session` starts being answered (`None`: not a session a key opened).
    fn begin(self: &Arc<Self>, session: &str) -> Option<Busy> {
        let mut map = self.lock();
        let o = map.get_mut(session)?;
        o.busy += 1;
        Some(Busy {
            owners: self.clone(),
            session: session.to_string(),
        })
    }

    /// The sessions `key_hash` opened that answer nothing now, forgotten.
    fn take_idle_of(&self, key_hash: &str) -> Vec<String> {
        let mut map = self.lock();
        let ids: Vec<String> = map
            .iter()
            .filter(|(_, o)| o.access_key && o.key_hash == key_hash && o.busy == 0)
            .map(|(s, _)| s.clone())
            .collect();
        for id in &ids {
            map.remove(id);
        }
        drop(map);
        let now = std::time::Instant::now();
        let mut ended = self.ended();
        for id in &ids {
            ended.insert(id.clone(), (key_hash.to_string(), now));
        }
        ids
    }

    fn keys(&self) -> Vec<String> {
        let mut hashes: Vec<String> = self
            .lock()
            .values()
            .filter(|o| o.access_key)
            .map(|o| o.key_hash.clone())
            .collect();
        hashes.sort();
        hashes.dedup();
        hashes
    }
}

/// When the gateway last had a request and last gave memory back, to give it back when it
/// goes quiet: once after each burst of requests, and again whenever sessions ended since
/// (rmcp ends an idle session after 5 minutes, and frees the answers it kept for it).
#[derive(Default)]
struct Quiet {
    /// Milliseconds since the Unix epoch of the last request.
    last: std::sync::atomic::AtomicU64,
    /// Milliseconds since the Unix epoch of the last time memory was given back.
    trimmed: std::sync::atomic::AtomicU64,
    /// Live sessions then.
    sessions: std::sync::atomic::AtomicUsize,
}

/// How long the gateway must go without a request before it gives memory back.
const QUIET_FOR: std::time::Duration = std::time::Duration::from_secs(5);

fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Quiet {
    fn request(&self) {
        self.last
            .store(epoch_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether to give memory back now, with `live` sessions: no request for [`QUIET_FOR`],
    /// and requests came or sessions ended since memory was last given back. Called from
    /// one task.
    fn due(&self, live: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let (now, last) = (epoch_ms(), self.last.load(Relaxed));
        let quiet_ms = u64::try_from(QUIET_FOR.as_millis()).unwrap_or(u64::MAX);
        if last == 0 || now.saturating_sub(last) < quiet_ms {
            return false;
        }
        let requests_since = last >= self.trimmed.load(Relaxed);
        let sessions_ended = live < self.sessions.load(Relaxed);
        if !(requests_since || sessions_ended) {
            return false;
        }
        self.trimmed.store(now, Relaxed);
        self.sessions.store(live, Relaxed);
        true
    }
}

/// Hand the heap's free pages back to the system. glibc keeps what a burst of calls freed
/// (its arenas only shrink from the top), so without this a gateway that once served 64
/// clients stays at that size however long it then idles.
#[allow(unsafe_code)]
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers; it only walks glibc's own arenas under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Guard {
    /// End the sessions opened with this key (it stopped working).
    fn end_sessions_of(&self, key_hash: &str) {
        self.close_sessions(self.owners.take_idle_of(key_hash));
    }

    /// End these sessions (rmcp's worker stops, its cached answers are freed).
    fn close_sessions(&self, ids: Vec<String>) {
        if ids.is_empty() {
            return;
        }
        let sessions = self.sessions.clone();
        tokio::spawn(async move {
            for id in ids {
                let id: rmcp::transport::common::server_side_http::SessionId = id.into();
                let _ = rmcp::transport::streamable_http_server::session::SessionManager::close_session(
                    sessions.as_ref(),
                    &id,
                )
                .await;
            }
        });
    }

    /// End the sessions of keys revoked or expired since they opened them, and forget the
    /// sessions rmcp already ended (their clients said goodbye or went idle).
    async fn end_sessions_of_dead_keys(&self) {
        {
            let live = self.sessions.sessions.read().await;
            self.owners
                .lock()
                .retain(|s, _| live.contains_key(s.as_str()));
        }
        self.owners.prune_ended();
        let hashes = self.owners.keys();
        if hashes.is_empty() {
            return;
        }
        let pb = self.pb.clone();
        let asked = hashes.clone();
        let Ok(Ok(working)) =
            tokio::task::spawn_blocking(move || pb.gateway_key_hashes_working(&asked)).await
        else {
            return;
        };
        for h in hashes.iter().filter(|h| !working.contains(*h)) {
            self.end_sessions_of(h);
        }
    }
}

/// How often one kind of refused request is logged at most.
const REFUSAL_LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl Guard {
    /// Refuse a request, logging it (at most once a minute per `kind`, so a client looping on
    /// a dead key cannot flood the log).
    fn refuse(&self, kind: &'static str, response: Response) -> Response {
        let due = {
            let mut last = self.refused.lock().unwrap_or_else(|p| p.into_inner());
            let due = last
                .get(kind)
                .is_none_or(|at| at.elapsed() >= REFUSAL_LOG_EVERY);
            if due {
                last.insert(kind, std::time::Instant::now());
            }
            due
        };
        if due {
            let pb = self.pb.clone();
            let status = response.status().as_u16();
            drop(tokio::task::spawn_blocking(move || {
                pb.log_gateway(
                    false,
                    format!("gateway refused a request ({status}): {kind}"),
                )
            }));
        }
        response
    }
}

impl Patchbay {
    /// A `gateway` log row (never a key: none is ever passed here).
    pub(crate) fn log_gateway(&self, ok: bool, summary: String) {
        self.log(crate::logs::NewLog {
            kind: Some(crate::model::LogKind::Gateway),
            ok,
            summary,
            ..Default::default()
        });
    }
}

/// The confirmations the gateway is waiting for, denied when it stops.
#[derive(Default)]
struct Asking {
    ids: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Set when the gateway starts stopping: a confirmation dropped then was not the
    /// client's doing.
    stopping: std::sync::atomic::AtomicBool,
    /// Tool calls in flight (given [`IN_FLIGHT_GRACE`] to finish when the gateway stops).
    calls: std::sync::atomic::AtomicUsize,
}

/// How long a stopping gateway lets calls in flight finish before it ends their sessions.
const IN_FLIGHT_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// One tool call in flight, counted while it lives.
struct InFlight<'a>(&'a Asking);

impl<'a> InFlight<'a> {
    fn new(asking: &'a Asking) -> Self {
        asking
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight(asking)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .calls
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Asking {
    fn why_dropped(&self) -> &'static str {
        if self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
            "the gateway stopped"
        } else {
            "the client cancelled the call or went away"
        }
    }

    fn withdraw_all(&self, pb: &Patchbay, why: &str) {
        let ids: Vec<String> = self
            .ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .collect();
        for id in ids {
            let _ = pb.withdraw_approval(&id, why);
        }
    }
}

/// A confirmation being waited for; one dropped before its answer (the client cancelled the
/// call, or the gateway is stopping) is denied.
struct Waiting<'a> {
    pb: &'a Patchbay,
    asking: &'a Asking,
    id: String,
    answered: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let held = self
            .asking
            .ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
        if held && !self.answered {
            let _ = self
                .pb
                .withdraw_approval(&self.id, self.asking.why_dropped());
        }
    }
}

/// What the gateway read from SQLite, kept while nothing changed it: the store's change
/// stamp moves when any process commits (a revocation by the CLI, or by the window of the
/// app that serves this gateway; an edited action), and then everything here is read again. Key lookups are also read again after [`GRANT_TTL`], which keeps
/// `lastUsedAt` current; expiry is checked on every request.
#[derive(Default)]
struct Cache {
    inner: std::sync::Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    version: Option<(i64, u64)>,
    grants: std::collections::HashMap<String, (Option<KeyGrant>, std::time::Instant)>,
    actions: Option<Arc<Vec<ActionView>>>,
}

/// How long a key lookup is reused when nothing changed.
const GRANT_TTL: std::time::Duration = std::time::Duration::from_secs(30);

impl Cache {
    /// The cache, emptied first when the database changed since it was filled.
    fn fresh(&self, pb: &Patchbay) -> std::sync::MutexGuard<'_, CacheInner> {
        let version = pb.store().change_stamp().ok();
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if version.is_none() || inner.version != version {
            *inner = CacheInner {
                version,
                ..Default::default()
            };
        }
        inner
    }

    fn grant(&self, pb: &Patchbay, key: &str) -> Result<Option<KeyGrant>> {
        let hash = super::keys::key_hash(key);
        let cached = {
            let inner = self.fresh(pb);
            inner
                .grants
                .get(&hash)
                .filter(|(_, at)| at.elapsed() < GRANT_TTL)
                .map(|(g, _)| g.clone())
        };
        let grant = match cached {
            Some(g) => g,
            None => {
                let g = pb.gateway_key_grant(key)?;
                self.fresh(pb)
                    .grants
                    .insert(hash, (g.clone(), std::time::Instant::now()));
                g
            }
        };
        let now = crate::clock::rfc3339(pb.clock_now());
        Ok(grant.filter(|g| {
            g.expires_at
                .as_ref()
                .is_none_or(|e| e.as_str() > now.as_str())
        }))
    }

    fn actions(&self, pb: &Patchbay) -> Result<Arc<Vec<ActionView>>> {
        if let Some(a) = self.fresh(pb).actions.clone() {
            return Ok(a);
        }
        let a = Arc::new(pb.list_actions()?);
        self.fresh(pb).actions = Some(a.clone());
        Ok(a)
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

/// The authorization server's routes (RFC 8414 and 9728 metadata, authorize, token, revoke).
pub(super) fn authz_routes(pb: Arc<Patchbay>, port: u16) -> axum::Router {
    use axum::routing::{get, post};
    let a = Arc::new(super::authz::Authz::new(pb, port));
    axum::Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(super::authz::as_metadata),
        )
        .route(
            "/.well-known/oauth-protected-resource",
            get(super::authz::mcp_metadata),
        )
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(super::authz::mcp_metadata),
        )
        .route(
            "/.well-known/oauth-protected-resource/a/{name}/mcp",
            get(super::authz::action_metadata),
        )
        .route("/authorize", get(super::authz::authorize))
        .route("/authorize/continue", get(super::authz::authorize_continue))
        .route("/register", post(super::register::register))
        .route("/token", post(super::authz::token))
        .route("/revoke", post(super::authz::revoke))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(a)
}

/// 401 for an MCP endpoint: where its metadata is (RFC 9728), the scope to ask for, and
/// `error="invalid_token"` when a token was sent but does not work.
fn unauthorized(message: &str, port: u16, path: &str, token_sent: bool) -> Response {
    let mut r = refuse(StatusCode::UNAUTHORIZED, message);
    let invalid = if token_sent {
        ", error=\"invalid_token\""
    } else {
        ""
    };
    let value = format!(
        "Bearer resource_metadata=\"http://127.0.0.1:{port}/.well-known/oauth-protected-resource{path}\", scope=\"mcp\"{invalid}"
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// Whether `host` (a Host header or an Origin's authority) names this gateway.
fn local_authority(authority: &str, port: u16) -> bool {
    authority == format!("127.0.0.1:{port}") || authority == format!("localhost:{port}")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Host, Origin and the access key, on every request.
async fn check(State(g): State<Arc<Guard>>, mut req: Request, next: Next) -> Response {
    g.quiet.request();
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(|h| local_authority(h, g.port)) {
        return g.refuse(
            "a Host other than 127.0.0.1 or localhost on its port",
            refuse(
                StatusCode::FORBIDDEN,
                "this gateway answers only requests addressed to 127.0.0.1 or localhost on its port",
            ),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|a| local_authority(a, g.port));
        if !ok {
            return g.refuse(
                "an Origin other than this gateway's",
                refuse(
                    StatusCode::FORBIDDEN,
                    "requests from web pages of other origins are refused",
                ),
            );
        }
    }
    let path = req.uri().path().to_string();
    if path != "/mcp" && one_action(&path).is_none() {
        // The authorization server's own routes: no bearer token.
        return next.run(req).await;
    }
    let Some(key) = bearer(headers) else {
        return g.refuse(
            "no access key",
            unauthorized(
                "an access key is needed: Authorization: Bearer pbk_… (make one with `patchbay gateway key add`), or an OAuth access token",
                g.port,
                &path,
                false,
            ),
        );
    };
    let (pb, cache) = (g.pb.clone(), g.cache.clone());
    let key = key.to_string();
    // The credential's SHA-256: which sessions it opened (an access key's, or an OAuth
    // token's, which may end the session it opened even once expired).
    let credential = super::keys::key_hash(&key);
    let access_key = key.starts_with(super::keys::KEY_PREFIX);
    let port = g.port;
    let resource_path = path.clone();
    // An access key is almost always answered from the cache (a short read otherwise), so
    // it is checked here; an OAuth token is read from SQLite, off the async threads.
    let looked_up = if !key.starts_with("pbat_") {
        Ok(cache.grant(&pb, &key))
    } else {
        tokio::task::spawn_blocking(move || {
            let resource = match one_action(&resource_path) {
                None => format!("http://127.0.0.1:{port}/mcp"),
                Some(name) => {
                    let all = cache.actions(&pb)?;
                    let canonical = all
                        .iter()
                        .find(|a| a.name.eq_ignore_ascii_case(name))
                        .map_or_else(|| name.to_string(), |a| a.name.clone());
                    format!("http://127.0.0.1:{port}/a/{canonical}/mcp")
                }
            };
            pb.gateway_token_grant(&key, &resource)
        })
        .await
    };
    let grant = match looked_up {
        Ok(Ok(Some(grant))) => grant,
        Ok(Ok(None)) => {
            // A goodbye with the credential that opened the session is honoured even though
            // the credential no longer works (a revoked key, an expired token): else the
            // session would wait for rmcp's 5-minute idle timeout.
            if req.method() == axum::http::Method::DELETE
                && let Some(id) = req
                    .headers()
                    .get(SESSION_HEADER)
                    .and_then(|v| v.to_str().ok())
                && g.owners.take_if_opened_by(id, &credential)
            {
                g.close_sessions(vec![id.to_string()]);
                return StatusCode::ACCEPTED.into_response();
            }
            if access_key {
                g.end_sessions_of(&credential);
            }
            return g.refuse(
                "an unknown, revoked or expired access key",
                unauthorized(
                    "this access key is unknown, revoked or expired (or this token is for another endpoint)",
                    g.port,
                    &path,
                    true,
                ),
            );
        }
        Ok(Err(e)) => return refuse(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    if let Some(name) = one_action(req.uri().path()) {
        match g.cache.actions(&g.pb) {
            Ok(all) => {
                let opens = all.iter().any(|a| {
                    a.name.eq_ignore_ascii_case(name) && a.enabled && grant.opens_action(&a.id)
                });
                if !opens {
                    return g.refuse(
                        "an action the access key does not open",
                        refuse(
                            StatusCode::FORBIDDEN,
                            "this access key does not open that action",
                        ),
                    );
                }
            }
            Err(e) => return refuse(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
        }
    }
    req.extensions_mut().insert(grant);
    let goodbye = (req.method() == axum::http::Method::DELETE)
        .then(|| {
            req.headers()
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        })
        .flatten();
    // A request answered in a key's session keeps it from being ended under the answer.
    let busy = (req.method() == axum::http::Method::POST)
        .then(|| req.headers().get(SESSION_HEADER)?.to_str().ok())
        .flatten()
        .and_then(|id| g.owners.begin(id));
    let mut response = next.run(req).await;
    if let Some(busy) = busy {
        let body = std::mem::take(response.body_mut());
        let guarded = futures::StreamExt::map(body.into_data_stream(), move |chunk| {
            let _answering = &busy;
            chunk
        });
        *response.body_mut() = axum::body::Body::from_stream(guarded);
    }
    if let Some(id) = response
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        g.owners.insert(id.to_string(), credential, access_key);
    }
    if let Some(id) = goodbye {
        g.owners.forget(&id);
    }
    if response.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return as_jsonrpc_error(response).await;
    }
    response
}

/// rmcp answers a body that is not JSON-RPC with 415 and a line of text; a client gets a
/// JSON-RPC error instead (parse error, or invalid request for JSON that is not JSON-RPC).
async fn as_jsonrpc_error(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the request body could not be read",
        );
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(why) = text.strip_prefix("fail to deserialize request body") else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    let why = why.trim();
    let (code, message) = if why.contains("unrecognized JSON-RPC message") {
        (
            -32600,
            "Invalid Request: the body is JSON but not a JSON-RPC message".to_string(),
        )
    } else {
        (-32700, format!("Parse error: the body is not JSON ({why})"))
    };
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message},
    });
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        error.to_string(),
    )
        .into_response()
}

/// `NAME` of `/a/NAME/mcp`.
fn one_action(path: &str) -> Option<&str> {
    path.strip_prefix("/a/")?.strip_suffix("/mcp")
}

/// The MCP side: one per session, sharing the profile.
#[derive(Clone)]
struct GatewayHandler {
    pb: Arc<Patchbay>,
    /// One upstream session per action, shared by every client.
    upstreams: Arc<super::upstream::Upstreams>,
    cache: Arc<Cache>,
    /// Confirmations waiting for the user.
    asking: Arc<Asking>,
    /// Which key called which tool last, not yet written.
    recent: Arc<Recent>,
}

/// The last tool call of each access key and OAuth client, kept in memory and written once a second (the
/// Gateway screen's "who called"), so a call does not wait for or pay a SQLite write.
#[derive(Default)]
struct Recent {
    /// (name, an OAuth client rather than a key) → the last tool.
    pending: std::sync::Mutex<std::collections::HashMap<(String, bool), String>>,
}

/// How often the last calls are written.
const RECENT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl Recent {
    fn note(&self, name: &str, oauth_client: bool, tool: &str) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((name.to_string(), oauth_client), tool.to_string());
    }

    /// Write what was noted since the last flush.
    fn flush(&self, pb: &Patchbay) {
        let pending: Vec<((String, bool), String)> = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .collect();
        for ((name, oauth_client), tool) in pending {
            if let Err(e) = pb.note_gateway_call(&name, oauth_client, &tool) {
                eprintln!("patchbay gateway: cannot record a call: {e}");
            }
        }
    }
}

/// What a request may reach: the key's grant, and one action for `/a/NAME/mcp`.
struct Caller {
    grant: KeyGrant,
    only: Option<String>,
}

fn caller(ctx: &RequestContext<RoleServer>) -> std::result::Result<Caller, ErrorData> {
    let parts = ctx
        .extensions
        .get::<axum::http::request::Parts>()
        .ok_or_else(|| ErrorData::internal_error("the request's HTTP parts are missing", None))?;
    let grant = parts
        .extensions
        .get::<KeyGrant>()
        .cloned()
        .ok_or_else(|| ErrorData::internal_error("the request passed no key check", None))?;
    Ok(Caller {
        grant,
        only: one_action(parts.uri.path()).map(String::from),
    })
}

fn gateway_error(e: &Error) -> ErrorData {
    let mut message = e.to_string();
    if let Some(h) = e.hint() {
        message = format!("{message} ({h})");
    }
    ErrorData::new(
        rmcp::model::ErrorCode(GATEWAY_ERROR),
        message,
        Some(serde_json::json!({ "code": e.code().as_str() })),
    )
}

/// An HTTP action's one tool: its arguments are the `{{param}}` placeholders of its URL,
/// headers and body.
fn http_tool(name: String, a: &ActionView) -> Tool {
    let params = a
        .http
        .as_ref()
        .map(|h| h.params.clone())
        .unwrap_or_default();
    let mut properties = serde_json::Map::new();
    for p in &params {
        properties.insert(p.clone(), serde_json::json!({ "type": "string" }));
    }
    let schema: JsonObject = serde_json::from_value(serde_json::json!({
        "type": "object",
        "properties": properties,
        "required": params,
    }))
    .unwrap_or_default();
    let description = if a.description.is_empty() {
        format!("Send the HTTP request of '{}'", a.name)
    } else {
        a.description.clone()
    };
    Tool::new(name, description, schema)
}

impl GatewayHandler {
    /// The enabled actions this caller may reach.
    fn actions(&self, c: &Caller) -> Result<Vec<ActionView>> {
        Ok(self
            .cache
            .actions(&self.pb)?
            .iter()
            .filter(|a| a.enabled && c.grant.opens_action(&a.id))
            .filter(|a| {
                c.only
                    .as_ref()
                    .is_none_or(|n| n.eq_ignore_ascii_case(&a.name))
            })
            .cloned()
            .collect())
    }

    /// What `f` got from each MCP action the caller may use, asked all at once, in the
    /// actions' order. An action that cannot answer (within [`LIST_WITHIN`]) is left out: it
    /// costs its own part only; one that did not answer in time is left out of listings for
    /// a while without being asked (calls to it still try).
    async fn gather<T, F, Fut>(&self, c: &Caller, f: F) -> Result<Vec<(ActionView, T)>>
    where
        F: Fn(ActionView) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let asks = self
            .actions(c)?
            .into_iter()
            .filter(|a| a.kind == ActionKind::Mcp)
            .filter(|a| !self.upstreams.stalled(a))
            .map(|a| {
                let asked = tokio::time::timeout(LIST_WITHIN, f(a.clone()));
                async move {
                    match asked.await {
                        Ok(r) => (a, r.ok()),
                        Err(_) => {
                            self.upstreams.stall(&a);
                            (a, None)
                        }
                    }
                }
            });
        Ok(futures::future::join_all(asks)
            .await
            .into_iter()
            .filter_map(|(a, r)| r.map(|t| (a, t)))
            .collect())
    }

    /// The name a client sees for an action's tool or prompt `name`.
    fn exposed(c: &Caller, a: &ActionView, name: &str) -> String {
        if c.only.is_some() {
            name.to_string()
        } else {
            names::tool_name(&a.name, name)
        }
    }

    /// Every tool the caller may use, with the action and the upstream name of each.
    async fn tools(&self, c: &Caller) -> Result<Vec<(Tool, ActionView, String)>> {
        let pb = self.pb.clone();
        let mcp = self
            .gather(c, |a| {
                let (pb, upstreams) = (pb.clone(), self.upstreams.clone());
                async move { upstreams.tools(&pb, &a).await }
            })
            .await?;
        let mut out = Vec::new();
        for a in self.actions(c)? {
            match a.kind {
                ActionKind::Http => {
                    let name = if c.only.is_some() {
                        a.name.clone()
                    } else {
                        a.name.replace('.', "_")
                    };
                    out.push((http_tool(name, &a), a.clone(), a.name.clone()));
                }
                ActionKind::Mcp => {
                    let Some((_, tools)) = mcp.iter().find(|(m, _)| m.id == a.id) else {
                        continue;
                    };
                    for t in tools.iter() {
                        if !c.grant.opens_tool(&a.id, &t.name) {
                            continue;
                        }
                        let schema: JsonObject = match &t.input_schema {
                            serde_json::Value::Object(m) => m.clone(),
                            _ => JsonObject::new(),
                        };
                        let mut tool = Tool::new_with_raw(
                            Self::exposed(c, &a, &t.name),
                            t.description.clone().map(Into::into),
                            schema,
                        );
                        tool.title = t.title.clone();
                        tool.output_schema = match &t.output_schema {
                            Some(serde_json::Value::Object(m)) => Some(Arc::new(m.clone())),
                            _ => None,
                        };
                        tool.annotations = t
                            .annotations
                            .clone()
                            .and_then(|v| serde_json::from_value(v).ok());
                        out.push((tool, a.clone(), t.name.clone()));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Every prompt the caller may use, named like tools, with its action and upstream name.
    async fn prompts(&self, c: &Caller) -> Result<Vec<(Prompt, ActionView, String)>> {
        let pb = self.pb.clone();
        let got = self
            .gather(c, |a| {
                let (pb, upstreams) = (pb.clone(), self.upstreams.clone());
                async move { upstreams.prompts(&pb, &a).await }
            })
            .await?;
        Ok(got
            .into_iter()
            .flat_map(|(a, prompts)| {
                prompts.into_iter().map(move |mut p| {
                    let upstream = p.name.clone();
                    p.name = Self::exposed(c, &a, &upstream);
                    (p, a.clone(), upstream)
                })
            })
            .collect())
    }

    /// Every resource the caller may read, by its own URI; when two actions list one URI,
    /// the first action's wins.
    async fn resources(&self, c: &Caller) -> Result<Vec<(Resource, ActionView)>> {
        let pb = self.pb.clone();
        let got = self
            .gather(c, |a| {
                let (pb, upstreams) = (pb.clone(), self.upstreams.clone());
                async move { upstreams.resources(&pb, &a).await }
            })
            .await?;
        let mut seen = std::collections::HashSet::new();
        Ok(got
            .into_iter()
            .flat_map(|(a, list)| list.into_iter().map(move |r| (r, a.clone())))
            .filter(|(r, _)| seen.insert(r.uri.clone()))
            .collect())
    }
}

impl ServerHandler for GatewayHandler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_prompts()
                .enable_prompts_list_changed()
                .enable_resources()
                .enable_resources_list_changed()
                .build(),
        )
        .with_server_info(Implementation::new(
            "Patchbay gateway",
            env!("CARGO_PKG_VERSION"),
        ))
    }

    async fn on_initialized(&self, ctx: NotificationContext<RoleServer>) {
        // This client hears of the list changes of the actions its key opens, for as long as
        // its session lives: the task also ends once the session is gone (checked every
        // SESSION_CHECK), else every ended session would leave it (and the session's channel)
        // behind until the next list change.
        let grant = ctx
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<KeyGrant>().cloned());
        let mut changes = self.upstreams.changes.subscribe();
        let peer = ctx.peer.clone();
        let listening = super::upstream::Listening::new(&self.upstreams);
        drop(tokio::spawn(async move {
            let _listening = listening;
            let mut check = tokio::time::interval(SESSION_CHECK);
            check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let change = tokio::select! {
                    change = changes.recv() => change,
                    _ = check.tick() => {
                        if peer.is_transport_closed() {
                            return;
                        }
                        continue;
                    }
                };
                let (action_id, what) = match change {
                    Ok(change) => change,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                };
                if grant.as_ref().is_some_and(|g| !g.opens_action(&action_id)) {
                    continue;
                }
                let sent = match what {
                    ListChange::Tools => peer.notify_tool_list_changed().await,
                    ListChange::Prompts => peer.notify_prompt_list_changed().await,
                    ListChange::Resources => peer.notify_resource_list_changed().await,
                };
                if sent.is_err() || peer.is_transport_closed() {
                    return;
                }
            }
        }));
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> std::result::Result<ListToolsResult, ErrorData> {
        let c = caller(&ctx)?;
        let tools = self.tools(&c).await.map_err(|e| gateway_error(&e))?;
        Ok(ListToolsResult {
            tools: tools.into_iter().map(|(t, _, _)| t).collect(),
            ..Default::default()
        })
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> std::result::Result<ListPromptsResult, ErrorData> {
        let c = caller(&ctx)?;
        self.list_prompts_for(&c)
            .await
            .map_err(|e| gateway_error(&e))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> std::result::Result<GetPromptResponse, ErrorData> {
        let c = caller(&ctx)?;
        self.get_prompt_for(&c, request)
            .await
            .map(Into::into)
            .map_err(|e| gateway_error(&e))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> std::result::Result<ListResourcesResult, ErrorData> {
        let c = caller(&ctx)?;
        self.list_resources_for(&c)
            .await
            .map_err(|e| gateway_error(&e))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> std::result::Result<ReadResourceResponse, ErrorData> {
        let c = caller(&ctx)?;
        self.read_resource_for(&c, request)
            .await
            .map(Into::into)
            .map_err(|e| gateway_error(&e))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> std::result::Result<CallToolResponse, ErrorData> {
        let _in_flight = InFlight::new(&self.asking);
        let c = caller(&ctx)?;
        let (action, upstream) = self
            .resolve(&c, &request.name)
            .await
            .map_err(|e| gateway_error(&e))?;
        // Written with the next flush (once a second), not with each call.
        self.recent
            .note(&c.grant.name, c.grant.oauth_client, &request.name);
        let client = ctx
            .peer
            .peer_info()
            .map(|i| i.client_info.name.clone())
            .unwrap_or_else(|| "an MCP client".into());
        // Named in the call's log row and in a confirmation prompt; the key itself never is.
        let via = format!("the gateway: {client}, access key '{}'", c.grant.name);
        if action.confirm {
            let requester = format!(
                "{client} through the gateway (access key '{}')",
                c.grant.name
            );
            self.confirm(
                &action.name,
                &upstream,
                request.arguments.as_ref(),
                &requester,
                &ctx.ct,
            )
            .await
            .map_err(|e| gateway_error(&e))?;
        }
        let out = match action.kind {
            ActionKind::Http => {
                let o = self
                    .pb
                    .http_call_via(&action.name, request.arguments, Some(&via))
                    .await
                    .map_err(|e| gateway_error(&e))?;
                let text = o
                    .json
                    .as_ref()
                    .map(|j| j.to_string())
                    .unwrap_or_else(|| o.body.clone());
                let mut r = CallToolResult::success(vec![rmcp::model::ContentBlock::text(text)]);
                if !o.ok() {
                    r.is_error = Some(true);
                }
                r
            }
            ActionKind::Mcp => {
                let (route, inbound) = tokio::sync::mpsc::unbounded_channel();
                let call = self.upstreams.call(
                    &self.pb,
                    &action,
                    super::upstream::Call {
                        tool: &upstream,
                        args: request.arguments,
                        via: &via,
                        route,
                        cancel: &ctx.ct,
                    },
                );
                relay_while(call, inbound, &ctx)
                    .await
                    .map_err(|e| gateway_error(&e))?
                    .result
            }
        };
        Ok(out.into())
    }
}

impl GatewayHandler {
    async fn list_prompts_for(&self, c: &Caller) -> Result<ListPromptsResult> {
        Ok(ListPromptsResult {
            prompts: self
                .prompts(c)
                .await?
                .into_iter()
                .map(|(p, _, _)| p)
                .collect(),
            ..Default::default()
        })
    }

    async fn get_prompt_for(
        &self,
        c: &Caller,
        mut request: GetPromptRequestParams,
    ) -> Result<GetPromptResult> {
        let exposed = request.name.clone();
        let (_, action, upstream) = self
            .prompts(c)
            .await?
            .into_iter()
            .find(|(p, _, _)| p.name == exposed)
            .ok_or_else(|| {
                Error::invalid_with_hint(
                    format!(
                        "no prompt '{}' here that this access key opens",
                        crate::validate::printable(&exposed)
                    ),
                    "list the prompts with prompts/list",
                )
            })?;
        request.name = upstream;
        self.upstreams.prompt(&self.pb, &action, request).await
    }

    async fn list_resources_for(&self, c: &Caller) -> Result<ListResourcesResult> {
        Ok(ListResourcesResult {
            resources: self
                .resources(c)
                .await?
                .into_iter()
                .map(|(r, _)| r)
                .collect(),
            ..Default::default()
        })
    }

    async fn read_resource_for(
        &self,
        c: &Caller,
        request: ReadResourceRequestParams,
    ) -> Result<ReadResourceResult> {
        let action = self
            .resources(c)
            .await?
            .into_iter()
            .find(|(r, _)| r.uri == request.uri)
            .map(|(_, a)| a)
            .ok_or_else(|| {
                Error::invalid_with_hint(
                    format!(
                        "no resource '{}' here that this access key opens",
                        crate::validate::printable(&request.uri)
                    ),
                    "list the resources with resources/list",
                )
            })?;
        self.upstreams.read(&self.pb, &action, request).await
    }
}

impl GatewayHandler {
    /// The end-user confirmation of an action that requires it: the app asks (it is started
    /// when it does not run); a denial or no answer in time refuses the call.
    async fn confirm(
        &self,
        action: &str,
        tool: &str,
        args: Option<&JsonObject>,
        requester: &str,
        cancelled: &CancellationToken,
    ) -> Result<()> {
        let args = args.cloned().map(serde_json::Value::Object);
        let asked = self.pb.request_approval(
            action,
            tool,
            args.as_ref(),
            requester,
            self.pb.confirm_timeout(),
        )?;
        self.asking
            .ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(asked.id.clone());
        // Asked just as the gateway began stopping (after it withdrew what it held): no one
        // will carry the call out, so it is denied now.
        if self
            .asking
            .stopping
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            self.asking.withdraw_all(&self.pb, "the gateway stopped");
        }
        let mut waiting = Waiting {
            pb: &self.pb,
            asking: &self.asking,
            id: asked.id.clone(),
            answered: false,
        };
        if let Err(e) = self.pb.ensure_app_running() {
            eprintln!("patchbay gateway: {e}");
        }
        let answer = tokio::select! {
            answer = self.pb.await_approval(&asked.id) => answer.map_err(|e| {
                if self.asking.stopping.load(std::sync::atomic::Ordering::SeqCst) {
                    Error::oauth(
                        ErrorCode::AccessDenied,
                        format!("the call of '{tool}' on '{action}' was not confirmed: the gateway stopped"),
                        None,
                    )
                } else {
                    e
                }
            }),
            () = cancelled.cancelled() => Err(Error::oauth(
                ErrorCode::AccessDenied,
                format!(
                    "the call of '{tool}' on '{action}' was not confirmed: {}",
                    self.asking.why_dropped()
                ),
                None,
            )),
        };
        waiting.answered = answer.is_ok() || !cancelled.is_cancelled();
        answer
    }

    /// The action and upstream tool behind an exposed tool name, if the caller may use it.
    /// The name says it when it is plainly `ACTION__TOOL` (or the action itself on
    /// `/a/NAME/mcp`, or an HTTP action's name); a name that was cut or had dots replaced is
    /// found by listing.
    async fn resolve(&self, c: &Caller, exposed: &str) -> Result<(ActionView, String)> {
        let actions = self.actions(c)?;
        let plain = actions.iter().find_map(|a| match (&c.only, a.kind) {
            (Some(_), ActionKind::Mcp) => Some((a, exposed.to_string())),
            (Some(_), ActionKind::Http) => (exposed == a.name).then(|| (a, a.name.clone())),
            (None, ActionKind::Http) => {
                (exposed == a.name.replace('.', "_")).then(|| (a, a.name.clone()))
            }
            (None, ActionKind::Mcp) => {
                let (action, tool) = names::split(exposed)?;
                (action == a.name.replace('.', "_") && names::tool_name(&a.name, tool) == exposed)
                    .then(|| (a, tool.to_string()))
            }
        });
        if let Some((a, tool)) = plain
            && (a.kind == ActionKind::Http || c.grant.opens_tool(&a.id, &tool))
        {
            return Ok((a.clone(), tool));
        }
        let tools = self.tools(c).await?;
        tools
            .into_iter()
            .find(|(t, _, _)| t.name == exposed)
            .map(|(_, a, upstream)| (a, upstream))
            .ok_or_else(|| {
                Error::invalid_with_hint(
                    format!(
                        "no tool '{}' here that this access key opens",
                        crate::validate::printable(exposed)
                    ),
                    "list the tools with tools/list",
                )
            })
    }
}

/// Wait for `call`, passing the upstream's traffic for it to the client that made it:
/// progress under the client's own progress token (when it asked for progress), questions
/// for the user (elicitation) and for a model (sampling) as requests on the client's call.
async fn relay_while(
    call: impl Future<Output = Result<CallOutcome>>,
    mut inbound: tokio::sync::mpsc::UnboundedReceiver<Inbound>,
    ctx: &RequestContext<RoleServer>,
) -> Result<CallOutcome> {
    let progress_token = ctx.meta.get_progress_token();
    tokio::pin!(call);
    loop {
        tokio::select! {
            out = &mut call => return out,
            Some(event) = inbound.recv() => match event {
                Inbound::Progress(mut p) => {
                    if let Some(token) = &progress_token {
                        p.progress_token = token.clone();
                        let _ = ctx.peer.notify_progress(p).await;
                    }
                }
                Inbound::Elicit(params, answer) => {
                    let can = ctx
                        .peer
                        .peer_info()
                        .is_some_and(|i| i.capabilities.elicitation.is_some());
                    if !can {
                        let _ = answer.send(Err(ErrorData::invalid_request(
                            "the client that made this call cannot answer questions (it declared no elicitation capability)",
                            None,
                        )));
                        continue;
                    }
                    let asked = tokio::time::timeout(
                        ANSWER_WITHIN,
                        ctx.peer.send_request(rmcp::model::ServerRequest::ElicitRequest(
                            rmcp::model::ElicitRequest::new(params),
                        )),
                    )
                    .await;
                    let _ = answer.send(match asked {
                        Ok(Ok(rmcp::model::ClientResult::ElicitResult(r))) => Ok(r),
                        Ok(Ok(_)) => Err(ErrorData::internal_error("the client answered something else", None)),
                        Ok(Err(e)) => Err(passed_on_error(&e)),
                        Err(_) => Err(unanswered("elicitation request")),
                    });
                }
                Inbound::Sample(params, answer) => {
                    let _ = answer.send(sample(ctx, params).await);
                }
            },
        }
    }
}

#[expect(
    deprecated,
    reason = "sampling is still relayed for 2025-11-25 servers"
)]
async fn sample(
    ctx: &RequestContext<RoleServer>,
    params: rmcp::model::CreateMessageRequestParams,
) -> std::result::Result<rmcp::model::CreateMessageResult, ErrorData> {
    match tokio::time::timeout(ANSWER_WITHIN, ctx.peer.create_message(params)).await {
        Ok(answer) => answer.map_err(|e| passed_on_error(&e)),
        Err(_) => Err(unanswered("sampling request")),
    }
}

/// The upstream's question was put to the client, which did not answer within
/// [`ANSWER_WITHIN`].
fn unanswered(what: &str) -> ErrorData {
    ErrorData::internal_error(
        format!(
            "the client that made the call did not answer this {what} within {} s",
            ANSWER_WITHIN.as_secs()
        ),
        None,
    )
}

/// What the upstream hears when its question could not be put to the client.
fn passed_on_error(e: &rmcp::ServiceError) -> ErrorData {
    match e {
        rmcp::ServiceError::McpError(data) => data.clone(),
        other => ErrorData::internal_error(
            format!("the client that made the call could not be asked: {other}"),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_gateways_authorities_pass() {
        assert!(local_authority("127.0.0.1:47616", 47616));
        assert!(local_authority("localhost:47616", 47616));
        for bad in [
            "127.0.0.1",
            "localhost",
            "127.0.0.1:80",
            "evil.example:47616",
            "[::1]:47616",
        ] {
            assert!(!local_authority(bad, 47616), "{bad}");
        }
        assert_eq!(one_action("/a/linear/mcp"), Some("linear"));
        assert_eq!(one_action("/mcp"), None);
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer pbk_x"),
        );
        assert_eq!(bearer(&h), Some("pbk_x"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
    }

    /// A gateway on a loopback port, its profile and runtime, and an HTTP client for it.
    struct Served {
        rt: tokio::runtime::Runtime,
        p: crate::testing::Profile,
        base: String,
        /// Access keys "a" and "b", both for every action.
        a: String,
        b: String,
        http: reqwest::Client,
        /// The gateway's upstreams (for the count of list-change listeners).
        upstreams: Arc<super::super::upstream::Upstreams>,
    }

    /// A gateway on a loopback port with one action (its upstream refuses connections) and
    /// two access keys for every action.
    fn served() -> Served {
        let rt = runtime();
        let p = crate::testing::profile();
        p.pb.add_action(crate::actions::NewAction {
            name: "local".into(),
            url: "http://127.0.0.1:1/mcp".into(),
            ..Default::default()
        })
        .expect("an action");
        let key = |name: &str| {
            p.pb.add_gateway_key(super::super::keys::NewKey {
                name: name.into(),
                actions: super::super::keys::KeyActions::All,
                tools: Vec::new(),
                expires_in: None,
            })
            .expect("a key")
            .key
        };
        let (a, b) = (key("a"), key("b"));
        let bound = rt
            .block_on(p.pb.bind_gateway(0))
            .expect("the gateway binds a loopback port");
        let base = format!("http://127.0.0.1:{}", bound.port());
        let upstreams = bound.upstreams.clone();
        rt.spawn(bound.serve(std::future::pending()));
        Served {
            rt,
            p,
            base,
            a,
            b,
            http: http(),
            upstreams,
        }
    }

    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("http client")
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    }

    async fn initialize(http: &reqwest::Client, base: &str, key: &str) -> String {
        let init = serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "test", "version": "1"}},
        });
        http.post(format!("{base}/mcp"))
            .bearer_auth(key)
            .header("accept", "application/json, text/event-stream")
            .json(&init)
            .send()
            .await
            .expect("initialize answered")
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .expect("a session id")
            .to_string()
    }

    /// The status a ping in `session` gets with `key`.
    async fn ping(http: &reqwest::Client, base: &str, key: &str, session: &str) -> u16 {
        http.post(format!("{base}/mcp"))
            .bearer_auth(key)
            .header("accept", "application/json, text/event-stream")
            .header(SESSION_HEADER, session)
            .header("mcp-protocol-version", "2025-11-25")
            .json(&serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
            .send()
            .await
            .expect("ping answered")
            .status()
            .as_u16()
    }

    /// The status a goodbye (`DELETE`) of `session` gets with `key`.
    async fn goodbye(http: &reqwest::Client, base: &str, key: &str, session: &str) -> u16 {
        http.delete(format!("{base}/mcp"))
            .bearer_auth(key)
            .header(SESSION_HEADER, session)
            .header("mcp-protocol-version", "2025-11-25")
            .send()
            .await
            .expect("the goodbye answered")
            .status()
            .as_u16()
    }

    /// Poll until the session no longer exists (a ping with the other key gets 404), at most
    /// 5 s.
    async fn ended_within(
        http: &reqwest::Client,
        base: &str,
        key: &str,
        session: &str,
    ) -> std::result::Result<(), String> {
        let within = std::time::Duration::from_secs(5);
        let until = tokio::time::Instant::now() + within;
        loop {
            let status = ping(http, base, key, session).await;
            if status == 404 {
                return Ok(());
            }
            if tokio::time::Instant::now() >= until {
                return Err(format!(
                    "the session of the revoked key still answered {status} after {within:?}"
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    #[test]
    fn a_revoked_keys_session_ends_at_its_next_request() {
        let Served {
            rt,
            p,
            base,
            a,
            b,
            http,
            ..
        } = served();
        rt.block_on(async {
            let session = initialize(&http, &base, &a).await;
            assert_eq!(ping(&http, &base, &a, &session).await, 200);
            p.pb.revoke_gateway_key("a").expect("revoked");
            // The client learns of it, and its goodbye carries the same dead key.
            assert_eq!(ping(&http, &base, &a, &session).await, 401);
            ended_within(&http, &base, &b, &session)
                .await
                .expect("the session ended");
            // Another key's sessions are untouched.
            let other = initialize(&http, &base, &b).await;
            assert_eq!(ping(&http, &base, &b, &other).await, 200);
        });
    }

    /// A loopback HTTP server that answers every request after `delay`.
    async fn slow_server(delay: std::time::Duration) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let app = axum::Router::new().fallback(move || async move {
            tokio::time::sleep(delay).await;
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"done": true}"#,
            )
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://127.0.0.1:{port}/work")
    }

    #[test]
    fn a_call_under_way_when_its_key_is_revoked_still_gets_its_answer() {
        let Served {
            rt,
            p,
            base,
            a,
            b,
            http,
            ..
        } = served();
        rt.block_on(async {
            let url = slow_server(std::time::Duration::from_millis(1500)).await;
            p.pb.add_action(crate::actions::NewAction {
                name: "slow".into(),
                url,
                http: Some(crate::actions::HttpInput::default()),
                ..Default::default()
            })
            .expect("an HTTP action");
            let session = initialize(&http, &base, &a).await;
            let call = {
                let (http, base, a, session) =
                    (http.clone(), base.clone(), a.clone(), session.clone());
                tokio::spawn(async move {
                    let r = http
                        .post(format!("{base}/mcp"))
                        .bearer_auth(&a)
                        .header("accept", "application/json, text/event-stream")
                        .header(SESSION_HEADER, &session)
                        .header("mcp-protocol-version", "2025-11-25")
                        .json(&serde_json::json!({
                            "jsonrpc": "2.0", "id": 7, "method": "tools/call",
                            "params": {"name": "slow", "arguments": {}},
                        }))
                        .send()
                        .await
                        .expect("the call answered");
                    (r.status().as_u16(), r.text().await.expect("its body"))
                })
            };
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            p.pb.revoke_gateway_key("a").expect("revoked");
            assert_eq!(ping(&http, &base, &a, &session).await, 401);
            let (status, body) = tokio::time::timeout(std::time::Duration::from_secs(10), call)
                .await
                .expect("the call ended within 10 s")
                .expect("the call's task");
            assert_eq!(status, 200, "{body}");
            assert!(
                body.contains(r#""id":7"#) && body.contains("done") && !body.contains("\"error\""),
                "the call sent before the revocation got its answer: {body}"
            );
            // Then the session ends (the sweep runs every tick in tests).
            ended_within(&http, &base, &b, &session)
                .await
                .expect("the session ended after its answer");
        });
    }

    #[test]
    fn a_goodbye_with_the_dead_key_that_opened_the_session_is_honoured() {
        let Served {
            rt,
            p,
            base,
            a,
            b,
            http,
            ..
        } = served();
        rt.block_on(async {
            let mine = initialize(&http, &base, &a).await;
            let theirs = initialize(&http, &base, &b).await;
            p.pb.revoke_gateway_key("a").expect("revoked");
            // Its own: ended at once.
            assert_eq!(goodbye(&http, &base, &a, &mine).await, 202);
            ended_within(&http, &base, &b, &mine)
                .await
                .expect("the session ended");
            // Not a session this key opened: refused, and it lives on.
            assert_eq!(goodbye(&http, &base, &a, &theirs).await, 401);
            assert_eq!(ping(&http, &base, &b, &theirs).await, 200);
        });
    }

    /// A client's list-change listener ends with its session. It used to wait for the next
    /// list change, holding the session's channel (8 KiB) and itself: a load run found 305
    /// of them left from 312 sessions that had said goodbye.
    #[test]
    fn a_sessions_list_change_listener_ends_with_the_session() {
        let s = served();
        s.rt.block_on(async {
            let listeners_within = |want: usize| {
                let upstreams = s.upstreams.clone();
                async move {
                    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
                    while upstreams.listening() != want {
                        if tokio::time::Instant::now() >= until {
                            return Err(format!(
                                "{} list-change listeners after 5 s, not {want}",
                                upstreams.listening()
                            ));
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                    Ok(())
                }
            };
            let session = initialize(&s.http, &s.base, &s.a).await;
            let initialized = s
                .http
                .post(format!("{}/mcp", s.base))
                .bearer_auth(&s.a)
                .header("accept", "application/json, text/event-stream")
                .header(SESSION_HEADER, &session)
                .header("mcp-protocol-version", "2025-11-25")
                .json(&serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
                .send()
                .await
                .expect("initialized answered")
                .status();
            assert!(initialized.is_success(), "{initialized}");
            listeners_within(1).await.expect("the session listens");
            assert_eq!(goodbye(&s.http, &s.base, &s.a, &session).await, 202);
            listeners_within(0)
                .await
                .expect("the listener ended with its session");
        });
    }

    #[test]
    fn a_revoked_keys_session_ends_even_if_its_client_never_comes_back() {
        let Served {
            rt,
            p,
            base,
            a,
            b,
            http,
            ..
        } = served();
        rt.block_on(async {
            let session = initialize(&http, &base, &a).await;
            let kept = initialize(&http, &base, &b).await;
            p.pb.revoke_gateway_key("a").expect("revoked");
            // The sweep (every tick in tests) finds it without a request from that client.
            ended_within(&http, &base, &b, &session)
                .await
                .expect("the sweep ended the session");
            assert_eq!(ping(&http, &base, &b, &kept).await, 200);
            // If the client does come back to say goodbye, it is answered as done; another
            // key's goodbye for that session is not.
            let c =
                p.pb.add_gateway_key(super::super::keys::NewKey {
                    name: "c".into(),
                    actions: super::super::keys::KeyActions::All,
                    tools: Vec::new(),
                    expires_in: None,
                })
                .expect("a key")
                .key;
            p.pb.revoke_gateway_key("c").expect("revoked");
            assert_eq!(
                goodbye(&http, &base, &c, &session).await,
                401,
                "not the key that opened it"
            );
            assert_eq!(goodbye(&http, &base, &a, &session).await, 202);
            assert_eq!(goodbye(&http, &base, &a, &session).await, 401, "said once");
        });
    }

    #[test]
    fn memory_is_given_back_after_a_burst_and_after_sessions_end() {
        let q = Quiet::default();
        assert!(!q.due(0), "no request yet: nothing to give back");
        q.request();
        assert!(!q.due(3), "a request just came");
        let quiet_ms = u64::try_from(QUIET_FOR.as_millis()).expect("small");
        q.last.store(
            epoch_ms() - quiet_ms - 1,
            std::sync::atomic::Ordering::Relaxed,
        );
        assert!(q.due(3), "quiet after a burst");
        assert!(!q.due(3), "once per quiet spell");
        assert!(q.due(2), "a session ended while quiet");
        assert!(!q.due(2));
        assert!(
            !q.due(4),
            "more sessions without a request: nothing was freed"
        );
        give_back_memory();
    }
}
