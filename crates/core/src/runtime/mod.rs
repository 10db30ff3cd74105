//! Running actions: MCP over Streamable HTTP with rmcp, the action's credentials on every
//! request (an `Authorization` or configured header, never the query string).
//!
//! rmcp speaks the protocol (the 2025-x `initialize` handshake, or the stateless 2026-07-28
//! form it probes for with `server/discover`, falling back to `initialize`); [`AuthedHttp`]
//! wraps its reqwest transport to attach fresh credentials to each HTTP request and, on a
//! 401, to ask for one forced refresh and retry that request once (never more).

mod authed_http;
pub mod breaker;
mod classify;
pub mod credentials;
pub mod http_action;
pub mod http_token;
mod mcp;
pub mod proxy;
pub mod relay;
pub mod step_up;

use classify::*;

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
pub use relay::{ANSWER_WITHIN, Inbound, ListChange, Relay, Route};

pub use crate::http::{DEFAULT_CALL_TIMEOUT, call_timeout};

/// A tool as `patchbay tools NAME --json` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub input_schema: serde_json::Value,
    /// The server's `outputSchema`, unchanged; absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<serde_json::Value>,
    /// The server's `annotations` (`readOnlyHint`, ...), unchanged; absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<serde_json::Value>,
}

/// The result of `patchbay call NAME TOOL`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOutcome {
    pub is_error: bool,
    /// The result's text content, joined by newlines.
    pub text: String,
    /// The whole MCP result (`content`, `structuredContent`, `isError`), as the server sent
    /// it (the gateway passes it on without a round trip through a JSON value).
    pub result: rmcp::model::CallToolResult,
    pub latency_ms: i64,
}

/// How to speak to the server.
#[derive(Debug, Clone, Default)]
pub struct McpOptions {
    /// `None`: the stateless 2026-07-28 form when the server offers it (`server/discover`),
    /// else the 2025-11-25 `initialize` handshake. `Some(v)`: only that revision.
    pub protocol: Option<String>,
    /// Where the server's own traffic (progress, list changes, questions) goes; without one,
    /// questions are declined and the rest is dropped.
    pub relay: Option<Arc<Relay>>,
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

/// Our client: rmcp's default handling, with Patchbay's name on the handshake. With a
/// [`Relay`], what the server sends on its own goes there (and the server is told Patchbay
/// can pass on elicitation and sampling).
#[derive(Clone, Default)]
struct PatchbayClient {
    relay: Option<Arc<Relay>>,
}

impl ClientHandler for PatchbayClient {
    #[expect(
        deprecated,
        reason = "sampling is still relayed for 2025-11-25 servers"
    )]
    fn get_info(&self) -> ClientConfig {
        let capabilities = if self.relay.is_some() {
            ClientCapabilities::builder()
                .enable_elicitation()
                .enable_sampling()
                .build()
        } else {
            ClientCapabilities::default()
        };
        ClientConfig::new(
            capabilities,
            Implementation::new("Patchbay", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn create_elicitation(
        &self,
        request: rmcp::model::ElicitRequestParams,
        context: rmcp::service::RequestContext<RoleClient>,
    ) -> std::result::Result<rmcp::model::ElicitResult, rmcp::ErrorData> {
        match &self.relay {
            Some(r) => r.elicit(request, context.extensions.get()).await,
            None => Ok(rmcp::model::ElicitResult::new(
                rmcp::model::ElicitationAction::Decline,
            )),
        }
    }

    #[expect(
        deprecated,
        reason = "sampling is still relayed for 2025-11-25 servers"
    )]
    async fn create_message(
        &self,
        params: rmcp::model::CreateMessageRequestParams,
        context: rmcp::service::RequestContext<RoleClient>,
    ) -> std::result::Result<rmcp::model::CreateMessageResult, rmcp::ErrorData> {
        match &self.relay {
            Some(r) => r.sample(params, context.extensions.get()).await,
            None => Err(rmcp::ErrorData::method_not_found::<
                rmcp::model::CreateMessageRequestMethod,
            >()),
        }
    }

    async fn on_progress(
        &self,
        params: rmcp::model::ProgressNotificationParam,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        if let Some(r) = &self.relay {
            r.progress(params);
        }
    }

    async fn on_tool_list_changed(&self, _context: rmcp::service::NotificationContext<RoleClient>) {
        if let Some(r) = &self.relay {
            r.changed(ListChange::Tools);
        }
    }

    async fn on_prompt_list_changed(
        &self,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        if let Some(r) = &self.relay {
            r.changed(ListChange::Prompts);
        }
    }

    async fn on_resource_list_changed(
        &self,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        if let Some(r) = &self.relay {
            r.changed(ListChange::Resources);
        }
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

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct CredentialFailure(Error);
