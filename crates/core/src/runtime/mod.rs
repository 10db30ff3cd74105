//! Running actions: MCP over Streamable HTTP with rmcp, the action's credentials on every
//! request (an `Authorization` or configured header, never the query string).
//!
//! rmcp speaks the protocol (the 2025-x `initialize` handshake, or the stateless 2026-07-28
//! form it probes for with `server/discover`, falling back to `initialize`); [`AuthedHttp`]
//! wraps its reqwest transport to attach fresh credentials to each HTTP request and, on a
//! 401, to ask for one forced refresh and retry that request once (never more).

pub mod breaker;
pub mod credentials;
pub mod http_action;
pub mod http_token;
pub mod proxy;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::ClientHandler;
use rmcp::RoleClient;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, ClientJsonRpcMessage, Implementation,
    ProtocolVersion,
};
use rmcp::service::{ClientInitializeError, ClientLifecycleMode, ClientServiceExt, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::SseError;
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpClientTransportConfig, StreamableHttpError,
    StreamableHttpPostResponse,
};
use serde::Serialize;
use sse_stream::Sse;

use crate::Patchbay;
use crate::error::{Error, ErrorCode, Result};
use crate::logs::{LogKind, NewLog};
use crate::model::{ActionKind, ActionView, Health, HealthStatus};
use credentials::Credentials;

pub use crate::http::{DEFAULT_CALL_TIMEOUT, call_timeout};

/// A tool as `patchbay tools NAME --json` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub input_schema: serde_json::Value,
}

/// The result of `patchbay call NAME TOOL`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOutcome {
    pub is_error: bool,
    /// The result's text content, joined by newlines.
    pub text: String,
    /// The whole MCP result (`content`, `structuredContent`, `isError`).
    pub result: serde_json::Value,
    pub latency_ms: i64,
}

/// How to speak to the server.
#[derive(Debug, Clone, Default)]
pub struct McpOptions {
    /// `None`: the stateless 2026-07-28 form when the server offers it (`server/discover`),
    /// else the 2025-11-25 `initialize` handshake. `Some(v)`: only that revision.
    pub protocol: Option<String>,
}

/// An open MCP session with one action (see [`Patchbay::mcp_connect`]).
pub struct McpConnection {
    pb: Arc<Patchbay>,
    action: ActionView,
    session: Session,
}

impl std::fmt::Debug for McpConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpConnection")
            .field("action", &self.action.name)
            .finish_non_exhaustive()
    }
}

impl McpConnection {
    /// The protocol revision the server and Patchbay agreed on.
    pub fn protocol(&self) -> Option<String> {
        self.session
            .peer()
            .peer_info()
            .map(|i| i.protocol_version.to_string())
    }

    /// `tools/list`, every page.
    pub async fn tools(&self) -> Result<Vec<ToolInfo>> {
        let tools = self.session.list_all_tools().await.map_err(|e| {
            self.pb
                .after_failure(&self.action, classify(&self.action, &e))
        })?;
        Ok(tools
            .into_iter()
            .map(|t| ToolInfo {
                name: t.name.to_string(),
                title: t.title.clone(),
                description: t.description.as_ref().map(|d| d.to_string()),
                input_schema: serde_json::Value::Object((*t.input_schema).clone()),
            })
            .collect())
    }

    /// `tools/call`. Tools listed earlier in this session have their `x-mcp-header`
    /// parameters mirrored into headers; `input_required` rounds (2026-07-28) are answered.
    pub async fn call(
        &self,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<CallOutcome> {
        let started = Instant::now();
        let request = serde_json::json!({"tool": tool, "arguments": args});
        let mut params = CallToolRequestParams::new(tool.to_string());
        params.arguments = args;
        let result = tokio::time::timeout(call_timeout(), self.session.call_tool(params))
            .await
            .map_err(|_| {
                err(
                    ErrorCode::Timeout,
                    format!("the tool '{tool}' did not answer in time"),
                    "try again, or check the server",
                )
            })
            .and_then(|r| {
                r.map_err(|e| {
                    self.pb
                        .after_failure(&self.action, classify(&self.action, &e))
                })
            });
        let latency_ms = started.elapsed().as_millis() as i64;
        let out = result.map(|result| {
            let text = result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("\n");
            CallOutcome {
                is_error: result.is_error.unwrap_or(false),
                text,
                result: serde_json::to_value(&result).unwrap_or(serde_json::Value::Null),
                latency_ms,
            }
        });
        self.pb.log(NewLog {
            action_id: Some(&self.action.id),
            subject: Some(&self.action.name),
            kind: Some(LogKind::Call),
            ok: out.as_ref().is_ok_and(|o| !o.is_error),
            latency_ms: Some(latency_ms),
            summary: match &out {
                Ok(o) if o.is_error => format!("tools/call {tool}: the tool returned an error"),
                Ok(_) => format!("tools/call {tool}"),
                Err(e) => format!("tools/call {tool}: {e}"),
            },
            request: Some(request),
            response: out
                .as_ref()
                .ok()
                .map(|o| serde_json::json!({"isError": o.is_error, "text": o.text})),
            error_code: out.as_ref().err().map(|e| e.code().wire_name()),
            ..Default::default()
        });
        out
    }

    /// End the session (a 2025-x server is told to drop it).
    pub async fn close(self) {
        let _ = self.session.cancel().await;
    }
}

/// Our client: rmcp's default handling, with Patchbay's name on the handshake.
#[derive(Clone)]
struct PatchbayClient;

impl ClientHandler for PatchbayClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("Patchbay", env!("CARGO_PKG_VERSION")),
        )
    }
}

type Session = RunningService<RoleClient, PatchbayClient>;

/// rmcp's reqwest transport with the action's credentials added to every request.
#[derive(Clone)]
pub(crate) struct AuthedHttp {
    inner: reqwest013::Client,
    creds: Arc<Credentials>,
}

type HttpErr = StreamableHttpError<reqwest013::Error>;

impl AuthedHttp {
    fn headers(
        &self,
        base: &HashMap<HeaderName, HeaderValue>,
        cred: &Option<(HeaderName, HeaderValue)>,
    ) -> HashMap<HeaderName, HeaderValue> {
        let mut h = base.clone();
        if let Some((k, v)) = cred {
            h.insert(k.clone(), v.clone());
        }
        h
    }

    /// The credential for the next request; `Err(Ok(e))` when there is no usable grant (the
    /// request then goes without, for the server's challenge), `Err(Err(_))` on failure.
    async fn cred(
        &self,
    ) -> std::result::Result<Option<(HeaderName, HeaderValue)>, std::result::Result<Error, HttpErr>>
    {
        match self.creds.header().await {
            Ok(c) => Ok(c),
            Err(e) if needs_sign_in(&e) => Err(Ok(e)),
            Err(e) => Err(Err(credential_failure(e))),
        }
    }
}

fn needs_sign_in(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::NotConnected | ErrorCode::NeedsReconnect
    )
}

/// Without a usable grant, a request goes without credentials: a server that needs none for
/// it answers; one that does answers 401, whose challenge is kept for the sign-in.
async fn unauthenticated<T>(
    no_grant: Error,
    send: impl std::future::Future<Output = std::result::Result<T, HttpErr>>,
) -> std::result::Result<T, HttpErr> {
    match send.await {
        Err(StreamableHttpError::AuthRequired(a)) => Err(credential_failure(
            no_grant.with_challenge(a.www_authenticate_header),
        )),
        other => other,
    }
}

/// A credential failure (needs reconnect, keychain locked...) carried through rmcp's error
/// type; [`classify`] finds it again.
fn credential_failure(e: Error) -> HttpErr {
    StreamableHttpError::Io(std::io::Error::other(CredentialFailure(e)))
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct CredentialFailure(Error);

impl StreamableHttpClient for AuthedHttp {
    type Error = reqwest013::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> std::result::Result<StreamableHttpPostResponse, HttpErr> {
        let cred = match self.cred().await {
            Ok(c) => c,
            Err(Ok(no_grant)) => {
                return unauthenticated(
                    no_grant,
                    self.inner
                        .post_message(uri, message, session_id, None, custom_headers),
                )
                .await;
            }
            Err(Err(e)) => return Err(e),
        };
        let first = self
            .inner
            .post_message(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                None,
                self.headers(&custom_headers, &cred),
            )
            .await;
        match first {
            Err(StreamableHttpError::AuthRequired(ref a)) if cred.is_some() => {
                // One forced refresh, one retry; a second 401 is the caller's answer.
                let challenge = a.www_authenticate_header.clone();
                let fresh = match self.creds.after_401(&cred).await {
                    Ok(Some(f)) => f,
                    Ok(None) => return first,
                    Err(e) if needs_sign_in(&e) => {
                        return Err(credential_failure(e.with_challenge(challenge)));
                    }
                    Err(e) => return Err(credential_failure(e)),
                };
                self.inner
                    .post_message(
                        uri,
                        message,
                        session_id,
                        None,
                        self.headers(&custom_headers, &Some(fresh)),
                    )
                    .await
            }
            other => other,
        }
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> std::result::Result<(), HttpErr> {
        let cred = match self.cred().await {
            Ok(c) => c,
            Err(Ok(_)) => None,
            Err(Err(e)) => return Err(e),
        };
        self.inner
            .delete_session(uri, session_id, None, self.headers(&custom_headers, &cred))
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> std::result::Result<BoxStream<'static, std::result::Result<Sse, SseError>>, HttpErr> {
        let cred = match self.cred().await {
            Ok(c) => c,
            Err(Ok(no_grant)) => {
                return unauthenticated(
                    no_grant,
                    self.inner
                        .get_stream(uri, session_id, last_event_id, None, custom_headers),
                )
                .await;
            }
            Err(Err(e)) => return Err(e),
        };
        self.inner
            .get_stream(
                uri,
                session_id,
                last_event_id,
                None,
                self.headers(&custom_headers, &cred),
            )
            .await
    }
}

fn err(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::oauth(code, message, Some(hint.into()))
}

/// A name for what failed, from anything in the error's chain.
fn classify(action: &ActionView, e: &(dyn std::error::Error + 'static)) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut text = String::new();
    while let Some(cur) = source {
        // io::Error hides what it wraps from `source()`; look inside.
        let cur = match cur
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => inner as &(dyn std::error::Error + 'static),
            None => cur,
        };
        if let Some(CredentialFailure(inner)) = cur.downcast_ref::<CredentialFailure>() {
            return match inner {
                Error::SignInRequired {
                    code,
                    message,
                    hint,
                    challenge,
                } => Error::SignInRequired {
                    code: *code,
                    message: message.clone(),
                    hint: hint.clone(),
                    challenge: challenge.clone(),
                },
                other => Error::oauth(other.code(), other.to_string(), other.hint()),
            };
        }
        // rmcp's handshake errors do not chain their transport error: start from it.
        if let Some(init) = cur.downcast_ref::<ClientInitializeError>() {
            match init {
                ClientInitializeError::TransportError { error, .. } => {
                    return classify(action, error);
                }
                ClientInitializeError::LegacyFallbackFailed { fallback, .. } => {
                    return classify(action, fallback.as_ref());
                }
                _ => {}
            }
        }
        if let Some(se) = cur.downcast_ref::<HttpErr>() {
            match se {
                StreamableHttpError::AuthRequired(a) => {
                    return err(
                        ErrorCode::AuthRejected,
                        format!(
                            "the MCP server refused the credentials of '{}' (401: {})",
                            action.name, a.www_authenticate_header
                        ),
                        auth_hint(action),
                    )
                    .with_challenge(a.www_authenticate_header.clone());
                }
                StreamableHttpError::InsufficientScope(s) => {
                    let scopes: Vec<String> = s
                        .required_scope
                        .as_deref()
                        .unwrap_or_default()
                        .split_whitespace()
                        .map(String::from)
                        .collect();
                    return Error::InsufficientScope {
                        action: action.name.clone(),
                        scopes,
                    };
                }
                StreamableHttpError::UnexpectedContentType(ct) => {
                    return err(
                        ErrorCode::UnsupportedTransport,
                        format!(
                            "{} did not answer as a Streamable HTTP MCP server (content type {}); it may only speak the deprecated HTTP+SSE transport",
                            action.url,
                            ct.as_deref().unwrap_or("none")
                        ),
                        "use the server's Streamable HTTP URL (often ending in /mcp rather than /sse)",
                    );
                }
                StreamableHttpError::Client(re) => {
                    if let Some(e) = from_reqwest(action, re) {
                        return e;
                    }
                }
                StreamableHttpError::HttpStatus(h) => {
                    return err(
                        ErrorCode::ServerError,
                        format!(
                            "the MCP server answered HTTP {}{}",
                            h.status,
                            h.retry_after
                                .as_deref()
                                .map(|r| format!(" (retry after {r})"))
                                .unwrap_or_default()
                        ),
                        "the server is failing or rate-limiting; try again later",
                    );
                }
                StreamableHttpError::UnexpectedServerResponse(m)
                    if m.starts_with("HTTP 404") || m.starts_with("HTTP 405") =>
                {
                    return err(
                        ErrorCode::Protocol,
                        format!(
                            "there is no Streamable HTTP MCP endpoint at {} ({m})",
                            action.url
                        ),
                        "check the URL: it is usually the server's /mcp endpoint",
                    );
                }
                StreamableHttpError::ResponseBodyTooLarge { max_size } => {
                    return err(
                        ErrorCode::Protocol,
                        format!("the MCP server's answer is larger than {max_size} bytes"),
                        "ask for less (pagination, arguments) or check the server",
                    );
                }
                _ => {}
            }
        }
        if let Some(re) = cur.downcast_ref::<reqwest013::Error>()
            && let Some(e) = from_reqwest(action, re)
        {
            return e;
        }
        if text.is_empty() {
            text = cur.to_string();
        }
        source = cur.source();
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("http status") && lower.contains(" 5") {
        return err(
            ErrorCode::ServerError,
            format!("the MCP server failed: {text}"),
            "the server has a problem; try again later",
        );
    }
    err(
        ErrorCode::Protocol,
        format!("MCP with {} failed: {text}", action.url),
        "check that the URL is a Streamable HTTP MCP endpoint",
    )
}

fn from_reqwest(action: &ActionView, re: &reqwest013::Error) -> Option<Error> {
    let dbg = format!("{re:?}").to_ascii_lowercase();
    if re.is_timeout() {
        return Some(err(
            ErrorCode::Timeout,
            format!("{} did not answer in time", action.url),
            "check the server is up, or try again",
        ));
    }
    if dbg.contains("certificate") || dbg.contains("tls") || dbg.contains("handshake") {
        return Some(err(
            ErrorCode::Tls,
            format!("the TLS connection to {} failed", action.url),
            "check the server's certificate (expired, self-signed, wrong host name)",
        ));
    }
    if re.is_connect() || re.is_request() {
        return Some(err(
            ErrorCode::Unreachable,
            format!("cannot reach {}", action.url),
            "check the URL and your network, and that the server is running",
        ));
    }
    if let Some(status) = re.status()
        && status.is_server_error()
    {
        return Some(err(
            ErrorCode::ServerError,
            format!("the MCP server answered {status}"),
            "the server has a problem; try again later",
        ));
    }
    None
}

/// Whether `url` answers a GET as the deprecated HTTP+SSE transport does: an event stream
/// whose first event names the endpoint to POST to.
async fn legacy_sse(url: &str) -> bool {
    let Ok(http) = crate::http::mcp_client(crate::http::McpPurpose::Probe) else {
        return false;
    };
    let Ok(mut resp) = http
        .get(url)
        .header("accept", "text/event-stream")
        .send()
        .await
    else {
        return false;
    };
    let is_stream = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/event-stream"));
    if !resp.status().is_success() || !is_stream {
        return false;
    }
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while seen.len() < 4096 {
        match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(c))) => seen.extend_from_slice(&c),
            _ => break,
        }
        if String::from_utf8_lossy(&seen).contains("event: endpoint") {
            return true;
        }
    }
    false
}

fn auth_hint(action: &ActionView) -> String {
    use crate::model::AuthType as A;
    match action.auth.kind {
        A::OAuth => format!("connect again: `patchbay connect {}`", action.name),
        A::Connection => format!(
            "connect the connection again: `patchbay connection connect {}`",
            action.auth.reference.as_deref().unwrap_or("NAME")
        ),
        A::None => format!(
            "the server needs authentication: `patchbay action edit {} --auth oauth` (or a token)",
            action.name
        ),
        _ => "check the token's value and header (`patchbay token show NAME`)".into(),
    }
}

/// Health from the outcome of a test.
fn health_of(e: &Error, checked_at: String, latency_ms: i64) -> Health {
    let reason = match e.code() {
        ErrorCode::NeedsReconnect | ErrorCode::NotConnected => "needs_reconnect",
        ErrorCode::AuthRejected | ErrorCode::InsufficientScope | ErrorCode::TokenError => "auth",
        ErrorCode::Unreachable => "network",
        ErrorCode::Tls => "tls",
        ErrorCode::Timeout => "timeout",
        ErrorCode::ServerError => "server_error",
        ErrorCode::VaultLocked | ErrorCode::VaultUnavailable => "auth",
        ErrorCode::TokenRequestFailed => "auth",
        ErrorCode::CircuitOpen => "circuit_open",
        _ => "protocol",
    };
    Health {
        status: HealthStatus::Unhealthy,
        reason: Some(reason.into()),
        message: Some(e.to_string()),
        checked_at: Some(checked_at),
        latency_ms: Some(latency_ms),
        tool_count: None,
    }
}

impl Patchbay {
    /// What a failed request teaches: credentials refused after a refresh mean the next
    /// connect must discover the server's authorization server again.
    fn after_failure(&self, action: &ActionView, e: Error) -> Error {
        if matches!(
            e.code(),
            ErrorCode::AuthRejected | ErrorCode::NeedsReconnect
        ) {
            let _ = self.forget_discovery(&action.id);
        }
        e
    }

    /// An MCP action that is enabled, or why not.
    fn check_runnable(&self, action: &ActionView) -> Result<()> {
        if action.kind != ActionKind::Mcp {
            return Err(Error::invalid_with_hint(
                format!("'{}' is an HTTP action, not an MCP server", action.name),
                format!("call it with `patchbay call {}`", action.name),
            ));
        }
        if !action.enabled {
            return Err(Error::invalid_with_hint(
                format!("action '{}' is disabled", action.name),
                format!("enable it first: `patchbay action enable {}`", action.name),
            ));
        }
        Ok(())
    }

    /// Open an MCP session with an enabled MCP action.
    async fn mcp_session(
        self: &Arc<Self>,
        action: &ActionView,
        opts: &McpOptions,
    ) -> Result<Session> {
        match self.open_session(action, opts).await {
            Ok(s) => Ok(s),
            Err(e) if e.code() == ErrorCode::Protocol && legacy_sse(&action.url).await => Err(err(
                ErrorCode::UnsupportedTransport,
                format!(
                    "{} speaks only the deprecated HTTP+SSE transport, which Patchbay does not use",
                    action.url
                ),
                "use the server's Streamable HTTP URL instead (often the same host with /mcp in place of /sse; see the server's documentation)",
            )),
            Err(e) => Err(self.after_failure(action, e)),
        }
    }

    async fn open_session(
        self: &Arc<Self>,
        action: &ActionView,
        opts: &McpOptions,
    ) -> Result<Session> {
        self.check_runnable(action)?;
        let creds = Arc::new(self.credentials(action)?);
        let inner = crate::http::mcp_client(crate::http::McpPurpose::Session)?;
        let transport = StreamableHttpClientTransport::with_client(
            AuthedHttp { inner, creds },
            StreamableHttpClientTransportConfig::with_uri(action.url.clone()),
        );
        let lifecycle = match opts.protocol.as_deref() {
            None => ClientLifecycleMode::Auto {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
                legacy_version: Some(ProtocolVersion::V_2025_11_25),
            },
            Some(v) => {
                let version: ProtocolVersion = serde_json::from_value(serde_json::Value::String(
                    v.to_string(),
                ))
                .map_err(|_| Error::invalid(format!("unknown MCP protocol version '{v}'")))?;
                if version.has_initialize() {
                    ClientLifecycleMode::Initialize
                } else {
                    ClientLifecycleMode::Discover {
                        preferred_versions: vec![version],
                    }
                }
            }
        };
        let started = tokio::time::timeout(
            call_timeout(),
            PatchbayClient.serve_with_lifecycle(transport, lifecycle),
        )
        .await
        .map_err(|_| {
            err(
                ErrorCode::Timeout,
                format!("{} did not finish the MCP handshake in time", action.url),
                "check the server is up, or try again",
            )
        })?;
        started.map_err(|e: ClientInitializeError| classify(action, &e))
    }

    /// The tools an MCP action offers (`tools/list`, every page).
    pub async fn mcp_tools(self: &Arc<Self>, name: &str) -> Result<Vec<ToolInfo>> {
        self.mcp_tools_with(name, &McpOptions::default()).await
    }

    pub async fn mcp_tools_with(
        self: &Arc<Self>,
        name: &str,
        opts: &McpOptions,
    ) -> Result<Vec<ToolInfo>> {
        let action = self.get_action(name)?;
        self.breaker_admit(&action)?;
        let tools = async {
            let conn = self.connect_to(action.clone(), opts).await?;
            let tools = conn.tools().await;
            conn.close().await;
            tools
        }
        .await;
        self.breaker_after(&action, tools.as_ref().err());
        tools
    }

    /// Call one tool of an MCP action.
    pub async fn mcp_call(
        self: &Arc<Self>,
        name: &str,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<CallOutcome> {
        self.mcp_call_with(name, tool, args, &McpOptions::default())
            .await
    }

    pub async fn mcp_call_with(
        self: &Arc<Self>,
        name: &str,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
        opts: &McpOptions,
    ) -> Result<CallOutcome> {
        let started = Instant::now();
        let action = self.get_action(name)?;
        self.breaker_admit(&action)?;
        let out = async {
            let conn = self.connect_to(action.clone(), opts).await?;
            let out = conn.call(tool, args).await;
            conn.close().await;
            out
        }
        .await;
        self.breaker_after(&action, out.as_ref().err());
        out.map(|o| CallOutcome {
            latency_ms: started.elapsed().as_millis() as i64,
            ..o
        })
    }

    /// An open MCP session with an action, for several requests.
    pub async fn mcp_connect(
        self: &Arc<Self>,
        name: &str,
        opts: &McpOptions,
    ) -> Result<McpConnection> {
        self.connect_to(self.get_action(name)?, opts).await
    }

    async fn connect_to(
        self: &Arc<Self>,
        action: ActionView,
        opts: &McpOptions,
    ) -> Result<McpConnection> {
        let session = self.mcp_session(&action, opts).await?;
        Ok(McpConnection {
            pb: self.clone(),
            action,
            session,
        })
    }

    /// Test Connection: for MCP, the handshake and `tools/list`; for HTTP, the configured
    /// request (placeholders empty). Records the health.
    pub async fn test_action(self: &Arc<Self>, name: &str) -> Result<Health> {
        let action = self.get_action(name)?;
        let started = Instant::now();
        if action.kind == ActionKind::Http {
            let health = match self
                .http_request(&action, &serde_json::Map::new(), true)
                .await
            {
                Ok(out) => http_action::http_health(&out, self.now()),
                Err(e) if e.code() == ErrorCode::InvalidInput => return Err(e),
                Err(e) => health_of(&e, self.now(), started.elapsed().as_millis() as i64),
            };
            self.record_tested(&action, &health)?;
            return Ok(health);
        }
        let outcome = match self.mcp_session(&action, &McpOptions::default()).await {
            Ok(session) => {
                let tools = session.list_all_tools().await;
                let _ = session.cancel().await;
                tools.map_err(|e| self.after_failure(&action, classify(&action, &e)))
            }
            Err(e) => Err(e),
        };
        let latency = started.elapsed().as_millis() as i64;
        let health = match outcome {
            Ok(tools) => Health {
                status: HealthStatus::Healthy,
                reason: None,
                message: None,
                checked_at: Some(self.now()),
                latency_ms: Some(latency),
                tool_count: Some(tools.len() as i64),
            },
            Err(e) if e.code() == ErrorCode::InvalidInput => return Err(e),
            Err(e) => health_of(&e, self.now(), latency),
        };
        self.record_tested(&action, &health)?;
        Ok(health)
    }

    /// Save a test's health; log the test, and the change when the health changed.
    fn record_tested(&self, action: &ActionView, health: &Health) -> Result<()> {
        self.record_health(&action.name, health)?;
        // A test is a probe: it closes an open breaker, or counts as a failure.
        let down = matches!(
            health.reason.as_deref(),
            Some("network" | "tls" | "timeout" | "server_error" | "protocol")
        );
        if health.status == HealthStatus::Healthy {
            self.breaker_record(action, None);
        } else if down {
            self.breaker_record(action, health.reason.as_deref());
        }
        let label = |h: &Health| match &h.reason {
            Some(r) => format!("{} ({r})", h.status.as_str()),
            None => h.status.as_str().to_string(),
        };
        let healthy = health.status == HealthStatus::Healthy;
        self.log(NewLog {
            action_id: Some(&action.id),
            subject: Some(&action.name),
            kind: Some(LogKind::Test),
            ok: healthy,
            latency_ms: health.latency_ms,
            summary: match &health.message {
                Some(m) => format!("test: {}: {m}", label(health)),
                None => format!("test: {}", label(health)),
            },
            response: Some(serde_json::json!({"toolCount": health.tool_count})),
            error_code: health.reason.clone(),
            ..Default::default()
        });
        if action.health.status != health.status || action.health.reason != health.reason {
            self.log(NewLog {
                action_id: Some(&action.id),
                subject: Some(&action.name),
                kind: Some(LogKind::Health),
                ok: healthy,
                summary: format!("health: {} → {}", label(&action.health), label(health)),
                ..Default::default()
            });
        }
        Ok(())
    }
}
