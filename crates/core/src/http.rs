//! Every HTTP client Patchbay builds, by purpose: one user agent, and the redirect policy and
//! timeouts each purpose needs, written once. reqwest 0.12 serves the OAuth engine (the
//! `oauth2` crate is built on it) and plain HTTP; rmcp's Streamable HTTP transport is built
//! on reqwest 0.13.
//!
//! Clients are built per operation, not pooled process-wide: a hyper connection pool is tied
//! to the tokio runtime that filled it, and the CLI and the tests run several runtimes in one
//! process (a pooled client outliving its runtime fails with "dispatch task is gone").

use std::time::Duration;

use crate::error::{Error, Result};

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("Patchbay/", env!("CARGO_PKG_VERSION"));

/// How long one network operation may take by default.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The timeout of every network call of the runtime: `PATCHBAY_TIMEOUT_SECS`, else 30 s.
pub fn call_timeout() -> Duration {
    let secs = crate::env::positive(
        crate::env::TIMEOUT_SECS,
        DEFAULT_CALL_TIMEOUT.as_secs() as i64,
    );
    Duration::from_secs(secs.unsigned_abs())
}

/// What a reqwest 0.12 client is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// OAuth metadata, registration, token and revocation requests: never a redirect
    /// (RFC 9700 §4.11), 30 s.
    OAuth,
    /// The request of an HTTP request token: never a redirect, the call timeout.
    TokenRequest,
    /// An HTTP action's request: up to 5 redirects, the call timeout.
    Action,
}

/// A client for `purpose`.
pub(crate) fn client(purpose: Purpose) -> Result<reqwest::Client> {
    let (redirects, timeout) = match purpose {
        Purpose::OAuth => (reqwest::redirect::Policy::none(), DEFAULT_CALL_TIMEOUT),
        Purpose::TokenRequest => (reqwest::redirect::Policy::none(), call_timeout()),
        Purpose::Action => (reqwest::redirect::Policy::limited(5), call_timeout()),
    };
    reqwest::Client::builder()
        .redirect(redirects)
        .timeout(timeout)
        .user_agent(USER_AGENT)
        .build()
        .map_err(built)
}

/// What a reqwest 0.13 client (rmcp's transport) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum McpPurpose {
    /// A session of calls: up to 5 redirects, the call timeout per request.
    Session,
    /// `patchbay proxy`: no total timeout (a server's event stream stays open as long as
    /// the session), 10 s to connect.
    Stream,
    /// The quick look for the deprecated HTTP+SSE transport: 5 s.
    Probe,
}

/// A reqwest 0.13 client for `purpose`.
pub(crate) fn mcp_client(purpose: McpPurpose) -> Result<reqwest013::Client> {
    let b = reqwest013::Client::builder().user_agent(USER_AGENT);
    let b = match purpose {
        McpPurpose::Session => b
            .timeout(call_timeout())
            .redirect(reqwest013::redirect::Policy::limited(5)),
        McpPurpose::Stream => b
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest013::redirect::Policy::limited(5)),
        McpPurpose::Probe => b.timeout(Duration::from_secs(5)),
    };
    b.build().map_err(built)
}

fn built(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("cannot build the HTTP client: {e}"))
}
