//! `patchbay proxy NAME`: an MCP server on stdio that forwards every JSON-RPC message to the
//! action's remote MCP server over Streamable HTTP, both ways, and attaches fresh credentials
//! to each HTTP request ([`AuthedHttp`]: single-flight refresh across processes, one forced
//! refresh and one retry on a 401).
//!
//! Messages pass through as rmcp's typed JSON-RPC messages (unknown methods travel as its
//! custom request / notification variants), so the proxy adds nothing to the protocol: the
//! local client's `initialize` (or `server/discover`) is the one the server sees, and
//! server-initiated requests (sampling, elicitation, roots) reach the client and their
//! answers go back. Each `tools/call` is logged (redacted) with its latency and outcome.
//!
//! When the remote side cannot be used (the grant needs reconnecting, the keychain is
//! locked, the server is gone) every pending and later request gets a JSON-RPC error that
//! says why and names the command that fixes it, instead of hanging. The proxy ends when
//! stdin closes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::RoleServer;
use rmcp::model::{
    ClientJsonRpcMessage, ClientRequest, ErrorData, RequestId, ServerJsonRpcMessage, ServerResult,
};
use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, Transport};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;

use super::{AuthedHttp, classify};
use crate::Patchbay;
use crate::error::{Error, ErrorCode, Result};
use crate::logs::{LogKind, NewLog};
use crate::model::ActionView;

/// JSON-RPC error code of requests the proxy answers itself (implementation-defined range).
pub const PROXY_ERROR: i32 = -32001;

/// How a proxy session ended.
#[derive(Debug, Clone, Default)]
pub struct ProxyReport {
    pub requests: u64,
    pub tool_calls: u64,
    /// Why the remote side stopped being usable, if it did.
    pub failure: Option<String>,
}

struct Pending {
    method: String,
    tool: Option<String>,
    arguments: Option<serde_json::Value>,
    started: Instant,
}

fn is_tool_call(m: &ClientJsonRpcMessage) -> bool {
    matches!(m, ClientJsonRpcMessage::Request(r) if matches!(r.request, ClientRequest::CallToolRequest(_)))
}

/// A denied or unconfirmed call: that call fails, the session goes on.
fn is_denial(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::AccessDenied | ErrorCode::ConsentTimeout
    )
}

fn method_of(r: &ClientRequest) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("method").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| "request".into())
}

/// The MCP error a client sees for a Patchbay failure: the message and, when there is one,
/// the command that fixes it; `data` carries Patchbay's error code.
pub fn mcp_error(e: &Error) -> ErrorData {
    let message = match e.hint() {
        Some(h) => format!("Patchbay: {e} ({h})"),
        None => format!("Patchbay: {e}"),
    };
    ErrorData::new(
        rmcp::model::ErrorCode(PROXY_ERROR),
        message,
        Some(serde_json::json!({"patchbay": {"code": e.code().as_str()}})),
    )
}

impl Patchbay {
    /// Run the bridge for `name` between `read`/`write` (stdin/stdout) and the remote server
    /// until `read` ends.
    pub async fn proxy<R, W>(self: &Arc<Self>, name: &str, read: R, write: W) -> Result<ProxyReport>
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let action = self.get_action(name)?;
        self.check_runnable(&action)?;
        let creds = Arc::new(self.credentials(&action)?);
        // No total timeout: a server's event stream stays open as long as the session.
        let inner = crate::http::mcp_client(crate::http::McpPurpose::Stream)?;
        let remote = StreamableHttpClientTransport::with_client(
            AuthedHttp { inner, creds },
            StreamableHttpClientTransportConfig::with_uri(action.url.clone()),
        );
        let local = AsyncRwTransport::<RoleServer, R, W>::new(read, write);
        Bridge::new(self.clone(), action).run(local, remote).await
    }
}

/// Send a client message on to the server without holding up the loop (a long tool call
/// must not stop other traffic); a failed send comes back with its request's id.
fn forward<T: Transport<rmcp::RoleClient>>(
    remote: &mut T,
    msg: ClientJsonRpcMessage,
    action: &ActionView,
    failed: &mpsc::UnboundedSender<(Option<RequestId>, Error)>,
) {
    let id = match &msg {
        ClientJsonRpcMessage::Request(r) => Some(r.id.clone()),
        _ => None,
    };
    // rmcp's send queues the message for its worker only once the future runs, and spawned
    // tasks run in any order, so queue it here, in the order the client sent it: one poll
    // takes the message's place in the worker's channel (tokio's channel queues waiting
    // senders first come, first served) and the task waits for the POST to finish.
    // Unconstrained: a poll refused for tokio's cooperative budget would queue nothing.
    let mut send = Box::pin(tokio::task::unconstrained(remote.send(msg)));
    let mut first = std::task::Context::from_waker(std::task::Waker::noop());
    if let std::task::Poll::Ready(sent) = send.as_mut().poll(&mut first) {
        if let Err(e) = sent {
            let _ = failed.send((id, classify(action, &e)));
        }
        return;
    }
    let failed = failed.clone();
    let action = action.clone();
    tokio::spawn(async move {
        if let Err(e) = send.await {
            let _ = failed.send((id, classify(&action, &e)));
        }
    });
}

struct Bridge {
    pb: Arc<Patchbay>,
    action: ActionView,
    pending: HashMap<RequestId, Pending>,
    /// Set once the remote side is unusable: every request is then answered with it.
    failure: Option<Error>,
    /// The local client's name, from its `initialize` (shown in confirmation prompts).
    client_name: Option<String>,
    report: ProxyReport,
}

impl Bridge {
    fn new(pb: Arc<Patchbay>, action: ActionView) -> Self {
        Bridge {
            pb,
            action,
            pending: HashMap::new(),
            failure: None,
            client_name: None,
            report: ProxyReport::default(),
        }
    }

    async fn run<L, T>(mut self, mut local: L, mut remote: T) -> Result<ProxyReport>
    where
        L: Transport<RoleServer>,
        T: Transport<rmcp::RoleClient>,
    {
        // Failed sends (and denied confirmations) come back here with their request's id.
        let (failed_tx, mut failed_rx) = mpsc::unbounded_channel::<(Option<RequestId>, Error)>();
        // Tool calls the user approved, to be sent on.
        let (approved_tx, mut approved_rx) = mpsc::unbounded_channel::<ClientJsonRpcMessage>();
        let mut remote_open = true;
        loop {
            tokio::select! {
                incoming = local.receive() => {
                    let Some(msg) = incoming else { break };
                    if let Some(reply) = self.note_client(&msg) {
                        let _ = local.send(reply).await;
                        continue;
                    }
                    if self.action.confirm && is_tool_call(&msg) {
                        self.confirm_then_send(msg, approved_tx.clone(), failed_tx.clone());
                        continue;
                    }
                    forward(&mut remote, msg, &self.action, &failed_tx);
                }
                Some(msg) = approved_rx.recv() => {
                    forward(&mut remote, msg, &self.action, &failed_tx);
                }
                outgoing = remote.receive(), if remote_open => {
                    match outgoing {
                        Some(msg) => {
                            self.note_server(&msg);
                            let _ = local.send(msg).await;
                        }
                        None => {
                            // The remote side ended (its worker quit): nothing more comes.
                            // The failed send that ended it says why; it may still be on
                            // its way.
                            remote_open = false;
                            while let Ok(Some((id, e))) =
                                tokio::time::timeout(Duration::from_millis(500), failed_rx.recv()).await
                            {
                                let e = self.pb.after_failure(&self.action, e);
                                if let Some(id) = id
                                    && let Some(p) = self.pending.remove(&id)
                                {
                                    self.log_done(&p, Err(&e));
                                    let _ = local.send(ServerJsonRpcMessage::error(mcp_error(&e), Some(id))).await;
                                }
                                self.fail(e);
                            }
                            if self.failure.is_none() {
                                self.fail(Error::oauth(
                                    ErrorCode::Unreachable,
                                    format!("the connection to {} ended", self.action.url),
                                    Some(format!("check the server, then restart the client's connection (`patchbay test {}` checks it)", self.action.name)),
                                ));
                            }
                            for reply in self.answer_pending() {
                                let _ = local.send(reply).await;
                            }
                        }
                    }
                }
                Some((id, e)) = failed_rx.recv() => {
                    let e = self.pb.after_failure(&self.action, e);
                    let fatal = !is_denial(&e) && matches!(
                        e.code(),
                        ErrorCode::NeedsReconnect
                            | ErrorCode::NotConnected
                            | ErrorCode::AuthRejected
                            | ErrorCode::VaultLocked
                            | ErrorCode::VaultUnavailable
                    );
                    if let Some(id) = id
                        && let Some(p) = self.pending.remove(&id)
                    {
                        self.log_done(&p, Err(&e));
                        let _ = local.send(ServerJsonRpcMessage::error(mcp_error(&e), Some(id))).await;
                    }
                    if fatal {
                        self.fail(e);
                        for reply in self.answer_pending() {
                            let _ = local.send(reply).await;
                        }
                    }
                }
            }
        }
        // stdin closed: end the remote session (a 2025-x server is told to drop it).
        let _ = tokio::time::timeout(Duration::from_secs(3), remote.close()).await;
        let _ = local.close().await;
        self.report.failure = self.failure.as_ref().map(|e| e.to_string());
        Ok(self.report)
    }

    /// Ask the user (through the app) before sending a tool call on; a denial or timeout
    /// answers the call with an error instead.
    fn confirm_then_send(
        &self,
        msg: ClientJsonRpcMessage,
        approved: mpsc::UnboundedSender<ClientJsonRpcMessage>,
        failed: mpsc::UnboundedSender<(Option<RequestId>, Error)>,
    ) {
        let ClientJsonRpcMessage::Request(r) = &msg else {
            return;
        };
        let id = r.id.clone();
        let (tool, args) = match &r.request {
            ClientRequest::CallToolRequest(c) => (
                c.params.name.to_string(),
                c.params.arguments.clone().map(serde_json::Value::Object),
            ),
            _ => return,
        };
        let pb = self.pb.clone();
        let action = self.action.name.clone();
        let requester = match &self.client_name {
            Some(c) => format!("{c} (patchbay proxy, pid {})", std::process::id()),
            None => format!("patchbay proxy, pid {}", std::process::id()),
        };
        tokio::spawn(async move {
            let asked = pb.request_approval(
                &action,
                &tool,
                args.as_ref(),
                &requester,
                pb.confirm_timeout(),
            );
            let outcome = match asked {
                Ok(a) => {
                    // The app shows the prompt; start it when it is not running.
                    if let Err(e) = pb.ensure_app_running() {
                        eprintln!("patchbay proxy {action}: {e}");
                    }
                    pb.await_approval(&a.id).await
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => {
                    let _ = approved.send(msg);
                }
                Err(e) => {
                    let _ = failed.send((Some(id), e));
                }
            }
        });
    }

    /// Note a client message; `Some(reply)` when the proxy answers it itself.
    fn note_client(&mut self, msg: &ClientJsonRpcMessage) -> Option<ServerJsonRpcMessage> {
        let ClientJsonRpcMessage::Request(r) = msg else {
            return None;
        };
        self.report.requests += 1;
        if let ClientRequest::InitializeRequest(i) = &r.request {
            self.client_name = Some(i.params.client_info.name.clone());
        }
        let (tool, arguments) = match &r.request {
            ClientRequest::CallToolRequest(c) => {
                self.report.tool_calls += 1;
                (
                    Some(c.params.name.to_string()),
                    c.params.arguments.clone().map(serde_json::Value::Object),
                )
            }
            _ => (None, None),
        };
        let p = Pending {
            method: method_of(&r.request),
            tool,
            arguments,
            started: Instant::now(),
        };
        if let Some(e) = &self.failure {
            self.log_done(&p, Err(e));
            return Some(ServerJsonRpcMessage::error(
                mcp_error(e),
                Some(r.id.clone()),
            ));
        }
        self.pending.insert(r.id.clone(), p);
        None
    }

    /// Note a server message: a response ends its pending request.
    fn note_server(&mut self, msg: &ServerJsonRpcMessage) {
        let (id, outcome) = match msg {
            ServerJsonRpcMessage::Response(r) => (r.id.clone(), Ok(&r.result)),
            ServerJsonRpcMessage::Error(e) => match &e.id {
                Some(id) => (id.clone(), Err(&e.error)),
                None => return,
            },
            _ => return,
        };
        if let Some(p) = self.pending.remove(&id) {
            match outcome {
                Ok(result) => self.log_result(&p, result),
                Err(err) => {
                    let e = Error::oauth(
                        ErrorCode::Protocol,
                        format!(
                            "the server answered {} with error {}: {}",
                            p.method, err.code.0, err.message
                        ),
                        None,
                    );
                    self.log_done(&p, Err(&e));
                }
            }
        }
    }

    fn fail(&mut self, e: Error) {
        if self.failure.is_none() {
            self.failure = Some(e);
        }
    }

    /// Errors for every request still waiting (the remote side is unusable).
    fn answer_pending(&mut self) -> Vec<ServerJsonRpcMessage> {
        let Some(e) = self
            .failure
            .as_ref()
            .map(|e| Error::oauth(e.code(), e.to_string(), e.hint()))
        else {
            return Vec::new();
        };
        let pending: Vec<(RequestId, Pending)> = self.pending.drain().collect();
        pending
            .into_iter()
            .map(|(id, p)| {
                self.log_done(&p, Err(&e));
                ServerJsonRpcMessage::error(mcp_error(&e), Some(id))
            })
            .collect()
    }

    fn log_result(&self, p: &Pending, result: &ServerResult) {
        let (is_error, response) = match result {
            ServerResult::CallToolResult(r) => {
                let text = r
                    .content
                    .iter()
                    .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                    .collect::<Vec<_>>()
                    .join("\n");
                let is_error = r.is_error.unwrap_or(false);
                (
                    is_error,
                    Some(serde_json::json!({"isError": is_error, "text": text})),
                )
            }
            _ => (false, None),
        };
        self.log_done_with(
            p,
            !is_error,
            None,
            is_error.then(|| "the tool returned an error".into()),
            response,
        );
    }

    fn log_done(&self, p: &Pending, outcome: std::result::Result<(), &Error>) {
        match outcome {
            Ok(()) => self.log_done_with(p, true, None, None, None),
            Err(e) => self.log_done_with(
                p,
                false,
                Some(e.code().as_str().to_string()),
                Some(e.to_string()),
                None,
            ),
        }
    }

    /// Only tool calls are logged (one row each); the handshake and listings are not.
    fn log_done_with(
        &self,
        p: &Pending,
        ok: bool,
        code: Option<String>,
        note: Option<String>,
        response: Option<serde_json::Value>,
    ) {
        let Some(tool) = &p.tool else { return };
        let summary = match &note {
            Some(n) => format!("tools/call {tool} (proxy): {n}"),
            None => format!("tools/call {tool} (proxy)"),
        };
        self.pb.log(NewLog {
            action_id: Some(&self.action.id),
            subject: Some(&self.action.name),
            kind: Some(LogKind::Call),
            ok,
            latency_ms: Some(p.started.elapsed().as_millis() as i64),
            summary,
            request: Some(
                serde_json::json!({"tool": tool, "arguments": p.arguments, "via": "proxy"}),
            ),
            response,
            error_code: code,
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use rmcp::model::{InitializeResult, ServerCapabilities};
    use rmcp::transport::streamable_http_client::{
        StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    };
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    use super::*;
    use crate::actions::NewAction;

    /// An in-process Streamable HTTP server that records the order in which messages are
    /// POSTed. Its `initialize` answer is slow, which is when a client's next messages pile
    /// up in the proxy.
    #[derive(Clone, Default)]
    struct Recorder {
        posts: Arc<Mutex<Vec<String>>>,
    }

    type Posted =
        std::result::Result<StreamableHttpPostResponse, StreamableHttpError<std::io::Error>>;

    impl StreamableHttpClient for Recorder {
        type Error = std::io::Error;

        async fn post_message(
            &self,
            _uri: Arc<str>,
            message: ClientJsonRpcMessage,
            _session_id: Option<Arc<str>>,
            _auth_header: Option<String>,
            _headers: HashMap<http::HeaderName, http::HeaderValue>,
        ) -> Posted {
            let v = serde_json::to_value(&message).expect("json");
            let method = v["method"].as_str().unwrap_or("reply").to_string();
            let label = match v.get("id") {
                Some(id) => format!("{method} {id}"),
                None => method.clone(),
            };
            self.posts.lock().expect("lock").push(label);
            let ClientJsonRpcMessage::Request(r) = message else {
                return Ok(StreamableHttpPostResponse::Accepted);
            };
            let result = if method == "initialize" {
                tokio::time::sleep(Duration::from_millis(50)).await;
                ServerResult::InitializeResult(InitializeResult::new(ServerCapabilities::default()))
            } else {
                ServerResult::empty(())
            };
            Ok(StreamableHttpPostResponse::Json(
                ServerJsonRpcMessage::response(result, r.id),
                Some("session-1".into()),
            ))
        }

        async fn delete_session(
            &self,
            _uri: Arc<str>,
            _session_id: Arc<str>,
            _auth_header: Option<String>,
            _headers: HashMap<http::HeaderName, http::HeaderValue>,
        ) -> std::result::Result<(), StreamableHttpError<std::io::Error>> {
            Ok(())
        }

        async fn get_stream(
            &self,
            _uri: Arc<str>,
            _session_id: Option<Arc<str>>,
            _last_event_id: Option<String>,
            _auth_header: Option<String>,
            _headers: HashMap<http::HeaderName, http::HeaderValue>,
        ) -> std::result::Result<
            futures::stream::BoxStream<
                'static,
                std::result::Result<sse_stream::Sse, sse_stream::Error>,
            >,
            StreamableHttpError<std::io::Error>,
        > {
            Err(StreamableHttpError::ServerDoesNotSupportSse)
        }
    }

    /// A client sends `initialize`, `notifications/initialized` and its first requests
    /// without waiting; the server must see them in that order (rmcp posts whatever comes
    /// second as the `initialized` notification, and a request there ends the session).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn messages_reach_the_server_in_the_order_the_client_sent_them() {
        const REQUESTS: usize = 20;
        let home = tempfile::tempdir().expect("tempdir");
        let pb = Arc::new(Patchbay::open(home.path()).expect("open"));
        let action = pb
            .add_action(NewAction {
                name: "demo".into(),
                url: "http://127.0.0.1:9/mcp".into(),
                auth: Some(crate::model::AuthSpec::None),
                ..Default::default()
            })
            .expect("add");
        let recorder = Recorder::default();
        let remote = StreamableHttpClientTransport::with_client(
            recorder.clone(),
            StreamableHttpClientTransportConfig::with_uri(action.url.clone()),
        );
        let (mut to_proxy, proxy_in) = tokio::io::duplex(1 << 16);
        let (proxy_out, from_proxy) = tokio::io::duplex(1 << 16);
        let bridge = Bridge::new(pb.clone(), action);
        let run = tokio::spawn(bridge.run(
            AsyncRwTransport::<RoleServer, _, _>::new(proxy_in, proxy_out),
            remote,
        ));

        let mut wire = String::from(
            r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"order-test","version":"1"}}}"#,
        );
        wire.push('\n');
        wire.push_str(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        wire.push('\n');
        for id in 1..=REQUESTS {
            wire.push_str(&format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#));
            wire.push('\n');
        }
        to_proxy.write_all(wire.as_bytes()).await.expect("write");

        let mut lines = BufReader::new(from_proxy).lines();
        let mut answered = 0;
        while answered <= REQUESTS {
            let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
                .await
                .expect("the proxy answers every request")
                .expect("read")
                .expect("a line");
            let v: serde_json::Value = serde_json::from_str(&line).expect("json");
            assert!(v.get("error").is_none(), "{v}");
            answered += 1;
        }
        drop(to_proxy);
        let report = run.await.expect("join").expect("run");
        assert_eq!(report.failure, None);
        assert_eq!(report.requests, REQUESTS as u64 + 1);

        // After the handshake rmcp POSTs each request as it comes, concurrently, so the
        // requests may arrive in any order (as over any HTTP connection pool).
        let mut posts = recorder.posts.lock().expect("lock").clone();
        assert_eq!(
            posts[..2],
            ["initialize 0", "notifications/initialized"],
            "{posts:?}"
        );
        posts.drain(..2);
        posts.sort_by_key(|p| p[5..].parse::<usize>().expect("ping id"));
        let pings: Vec<String> = (1..=REQUESTS).map(|id| format!("ping {id}")).collect();
        assert_eq!(posts, pings);
    }
}
