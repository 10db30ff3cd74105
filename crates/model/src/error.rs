//! The error contract of the wire: a stable code the UI and scripts branch on, a one-line
//! message, a hint, and the form field it is about.

use serde::Serialize;
use ts_rs::TS;

/// The stable error codes of the wire (`{code, message}`); the UI branches on these only.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, strum::EnumString, strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Conflict,
    InUse,
    VaultLocked,
    VaultUnavailable,
    Database,
    Io,
    Internal,
    // OAuth connect: each a situation the user can act on.
    DiscoveryFailed,
    ResourceMismatch,
    IssuerMismatch,
    PkceUnsupported,
    NeedsClientId,
    RegistrationRefused,
    RedirectUriMismatch,
    AccessDenied,
    AuthorizationFailed,
    ConsentTimeout,
    StateMismatch,
    TokenError,
    Unreachable,
    Tls,
    PortBusy,
    NotConnected,
    /// The grant stopped working (refresh token refused or missing): connect again.
    NeedsReconnect,
    /// The server refused the credentials (after the one refresh and retry).
    AuthRejected,
    /// 403 insufficient_scope: more scopes must be granted (step-up).
    InsufficientScope,
    /// The server speaks only the deprecated HTTP+SSE transport (or not MCP at all).
    UnsupportedTransport,
    /// The server's answer broke the protocol (or was too large).
    Protocol,
    Timeout,
    /// The server failed (5xx).
    ServerError,
    /// An HTTP request token's request gave no token.
    TokenRequestFailed,
    /// The action's circuit breaker is open: calls fail fast until it retries.
    CircuitOpen,
    /// The user stopped a long operation (a sign-in waiting for the browser).
    Cancelled,
}

/// The form field an error is about, named as the desktop forms name their fields (the OAuth
/// settings of an action form are flat here: `authorizationUrl`, not `oauth.authorizationUrl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum FormField {
    Name,
    Kind,
    Url,
    Method,
    Headers,
    Body,
    Auth,
    Description,
    Provider,
    ClientId,
    ClientSecret,
    TokenAuthMethod,
    AuthorizationUrl,
    TokenUrl,
    RegistrationUrl,
    RevocationUrl,
    Scopes,
    ResourceOverride,
    ClientMetadataUrl,
    Value,
    TokenPath,
    Prefix,
    HeaderName,
    /// How long something lasts before it stops working (an access key's `--expires`).
    Expires,
    /// How an OAuth client gets its tokens (authorization code or client credentials).
    Grant,
    AssertionFile,
    Idp,
    /// The signing key of a `private_key_jwt` client.
    PrivateKey,
}

/// What reaches the UI (and `--json` errors): a code and a one-line message.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// How to fix it, when there is something to say (CLI terms: a command to run).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint: Option<String>,
    /// The form field the error is about; absent when it concerns no single field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<FormField>,
}
