//! The errors of a sign-in, each a situation the user can act on: what the provider said at
//! the callback or the token endpoint, mapped to an [`ErrorCode`] and a fix.

use super::*;

pub(super) fn oauth_err(
    code: ErrorCode,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Error {
    Error::oauth(code, message, Some(hint.into()))
}

/// What an OAuth error answer says: `error: error_description`, `error`, or the status.
/// Blank fields count as absent (found by fuzzing: `{"error": ""}` said nothing at all).
pub(super) fn error_said(status: reqwest::StatusCode, body: &serde_json::Value) -> String {
    let field = |k: &str| body[k].as_str().map(str::trim).filter(|v| !v.is_empty());
    match (field("error"), field("error_description")) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.to_string(),
        (None, Some(d)) => format!("HTTP {status}: {d}"),
        (None, None) => format!("HTTP {status}"),
    }
}

/// Failures that stale cached metadata can explain (moved endpoints, a new server).
pub(super) fn stale_metadata(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::Unreachable
            | ErrorCode::Tls
            | ErrorCode::RegistrationRefused
            | ErrorCode::DiscoveryFailed
            | ErrorCode::TokenError
    )
}

pub(super) fn callback_error(p: &CallbackParams) -> Error {
    let error = p.error.clone().unwrap_or_default();
    let desc = p.error_description.clone().unwrap_or_default();
    let said = if desc.is_empty() {
        error.clone()
    } else {
        format!("{error}: {desc}")
    };
    match error.as_str() {
        "access_denied" => oauth_err(
            ErrorCode::AccessDenied,
            "authorization was denied in the browser (access_denied)",
            "run connect again and choose Allow, or sign in with an account that has access",
        ),
        _ if desc.contains("redirect_uri") => oauth_err(
            ErrorCode::RedirectUriMismatch,
            format!("the authorization server refused the redirect URI ({said})"),
            "register the callback URL shown by `patchbay connect` with the provider exactly, or pick the registered port with --port",
        ),
        _ => oauth_err(
            ErrorCode::AuthorizationFailed,
            format!("authorization failed: {said}"),
            "check the client id, scopes and redirect URI in Advanced configuration, then try again",
        ),
    }
}

pub(super) fn token_error(
    e: RequestTokenError<oauth2::HttpClientError<reqwest::Error>, BasicErrorResponse>,
    token_url: &str,
) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let code = r.error().to_string();
            let desc = r.error_description().cloned().unwrap_or_default();
            let said = if desc.is_empty() {
                code.clone()
            } else {
                format!("{code}: {desc}")
            };
            if desc.contains("redirect_uri") {
                oauth_err(
                    ErrorCode::RedirectUriMismatch,
                    format!("the token endpoint refused the redirect URI ({said})"),
                    "register the callback URL exactly as `patchbay connect` shows it",
                )
            } else if code == "invalid_client" {
                oauth_err(
                    ErrorCode::TokenError,
                    format!("the token endpoint refused the client ({said})"),
                    "check the client id, secret and token auth method (client_secret_basic / client_secret_post / none)",
                )
            } else {
                oauth_err(
                    ErrorCode::TokenError,
                    format!("the token endpoint answered with an error ({said})"),
                    "try again; if it repeats, check Advanced configuration",
                )
            }
        }
        RequestTokenError::Request(oauth2::HttpClientError::Reqwest(re)) => {
            discovery::transport_error(token_url, &re)
        }
        RequestTokenError::Request(other) => oauth_err(
            ErrorCode::Unreachable,
            format!("the token request to {token_url} failed: {other}"),
            "check the token URL and your network",
        ),
        RequestTokenError::Parse(_, _) => oauth_err(
            ErrorCode::TokenError,
            format!(
                "the token endpoint {token_url} sent a response that is not a valid token response"
            ),
            "check the token URL points at the OAuth token endpoint",
        ),
        RequestTokenError::Other(o) => oauth_err(
            ErrorCode::TokenError,
            format!("the token request failed: {o}"),
            "try again",
        ),
    }
}

pub(super) fn bad_url(what: &str, u: &str) -> Error {
    oauth_err(
        ErrorCode::DiscoveryFailed,
        format!("the {what} '{u}' is not a valid URL"),
        "check Advanced configuration",
    )
}
