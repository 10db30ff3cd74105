//! What went wrong, in the user's terms: transport and protocol failures mapped to an
//! [`ErrorCode`] with a fix, and the health a failure means.

use super::*;

pub(super) fn err(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::oauth(code, message, Some(hint.into()))
}

/// A name for what failed, from anything in the error's chain.
pub(super) fn classify(action: &ActionView, e: &(dyn std::error::Error + 'static)) -> Error {
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

pub(super) fn from_reqwest(action: &ActionView, re: &reqwest013::Error) -> Option<Error> {
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
pub(super) async fn legacy_sse(url: &str) -> bool {
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

pub(super) fn auth_hint(action: &ActionView) -> String {
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
pub(super) fn health_of(e: &Error, checked_at: String, latency_ms: i64) -> Health {
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
