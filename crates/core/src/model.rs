//! The data model: what the store keeps and what the UI and `--json` see. Wire types derive
//! `ts_rs::TS` (bindings in `ui/src/bindings/`) and never carry a secret: where a secret
//! exists, the view says only whether it is set.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

as_str!(
    ActionKind,
    AuthType,
    TokenAuthMethod,
    HealthStatus,
    CallbackKind,
    TokenKind
);

/// A value of a database column, parsed: a value this build does not know is an internal
/// error naming the column (`what`), never a panic.
pub fn from_column<T: std::str::FromStr>(what: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::Internal(format!("unknown {what} '{value}' in the database")))
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ActionKind {
    Mcp,
    Http,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AuthType {
    None,
    #[serde(rename = "oauth")]
    #[strum(serialize = "oauth")]
    OAuth,
    Token,
    HttpToken,
    Connection,
}

/// How an action authenticates, as the user writes it: `none`, `oauth`, `token:NAME`,
/// `http-token:NAME` or `connection:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSpec {
    None,
    OAuth,
    Token(String),
    HttpToken(String),
    Connection(String),
}

impl AuthSpec {
    pub fn auth_type(&self) -> AuthType {
        match self {
            AuthSpec::None => AuthType::None,
            AuthSpec::OAuth => AuthType::OAuth,
            AuthSpec::Token(_) => AuthType::Token,
            AuthSpec::HttpToken(_) => AuthType::HttpToken,
            AuthSpec::Connection(_) => AuthType::Connection,
        }
    }
}

/// How the client authenticates at the token endpoint. `none` = a public PKCE client.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[cfg_attr(
    feature = "clap",
    derive(clap::ValueEnum),
    value(rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TokenAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    None,
}

impl TokenAuthMethod {
    pub fn is_public(self) -> bool {
        self == TokenAuthMethod::None
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum HealthStatus {
    Healthy,
    Unhealthy,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: HealthStatus,
    /// A short code (`auth`, `needs_reconnect`, `network`, ...) when unhealthy.
    pub reason: Option<String>,
    pub message: Option<String>,
    /// RFC 3339 UTC.
    pub checked_at: Option<String>,
    pub latency_ms: Option<i64>,
    pub tool_count: Option<i64>,
}

impl Health {
    pub fn unknown() -> Self {
        Health {
            status: HealthStatus::Unknown,
            reason: None,
            message: None,
            checked_at: None,
            latency_ms: None,
            tool_count: None,
        }
    }
}

/// `{"type": ..., "ref": NAME|null}` in `action list --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuthRef {
    #[serde(rename = "type")]
    pub kind: AuthType,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

/// A header as configured (never a secret: secret headers live in the vault and show as set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HeaderView {
    pub name: String,
    /// `None` when the value is a secret kept in the keychain.
    pub value: Option<String>,
    pub secret: bool,
}

/// A fixed request header of an HTTP action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// What an HTTP action sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HttpActionSpec {
    pub method: String,
    pub headers: Vec<Header>,
    /// Body template with `{{param}}` placeholders.
    pub body: Option<String>,
    /// The placeholders found in the body, in order.
    pub params: Vec<String>,
}

/// OAuth settings an action carries itself (Advanced configuration); everything optional
/// because discovery and registration fill in what is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OAuthSettings {
    pub client_id: Option<String>,
    pub token_auth_method: Option<TokenAuthMethod>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub registration_url: Option<String>,
    pub scopes: Vec<String>,
    /// Accept an authorization server that does not advertise PKCE S256 (some omit it).
    #[serde(default)]
    pub assume_pkce_s256: bool,
    /// Send this as the RFC 8707 `resource` instead of the discovered one.
    #[serde(default)]
    pub resource_override: Option<String>,
    /// Send no `resource` at all (providers that reject it, such as Entra ID).
    #[serde(default)]
    pub omit_resource: bool,
    /// A Client ID Metadata Document URL used as the client id when the authorization
    /// server supports it and no client id is given (before dynamic registration).
    #[serde(default)]
    pub client_metadata_url: Option<String>,
    /// Where the provider sends the browser back after consent.
    #[serde(default)]
    pub callback: CallbackKind,
}

/// The redirect URI a sign-in uses: the loopback listener (any front end) or the app link
/// `dev.patchbay.app:/oauth/callback` (flows started in the desktop app; for providers that
/// refuse http loopback redirect URIs).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum CallbackKind {
    #[default]
    Loopback,
    AppLink,
}

/// Whether an action is connected (OAuth), as `patchbay status NAME --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GrantView {
    pub connected: bool,
    /// "alice@example.com", or null when the server did not say who.
    pub account: Option<String>,
    pub scopes: Vec<String>,
    /// RFC 3339 UTC; null when the server gave no expiry.
    pub expires_at: Option<String>,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub resource: Option<String>,
    pub has_refresh_token: bool,
    pub connected_at: Option<String>,
    /// The grant stopped working (its refresh token was refused, or it expired with none):
    /// `connected` is then false and the user must connect again.
    pub needs_reconnect: bool,
    /// Why, when `needsReconnect`.
    pub reconnect_reason: Option<String>,
    /// When the access token was last refreshed.
    pub refreshed_at: Option<String>,
}

/// What `disconnect` did: the grant as it was, and what the provider was told (RFC 7009).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectReport {
    /// After a disconnect: the keys of a disconnected grant (`connected` false, ...).
    #[serde(flatten)]
    #[ts(flatten)]
    pub grant: GrantView,
    /// Whether there was a grant to disconnect.
    pub was_connected: bool,
    pub revocation: Revocation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    pub outcome: RevocationOutcome,
    /// The token types revoked at the provider, in order: "refresh_token", "access_token".
    pub revoked: Vec<String>,
    /// What went wrong when `outcome` is `failed`; with `revoked`, a note on a token type the
    /// provider cannot revoke (JWT access tokens stay valid until they expire). Never a token.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RevocationOutcome {
    /// The provider accepted every revocation.
    Revoked,
    /// The provider has no revocation endpoint: tokens were only deleted here.
    Unsupported,
    /// A revocation request failed (tokens were still deleted here).
    Failed,
    /// There were no tokens to revoke.
    Nothing,
}

impl GrantView {
    pub fn disconnected() -> Self {
        GrantView {
            connected: false,
            account: None,
            scopes: Vec::new(),
            expires_at: None,
            issuer: None,
            client_id: None,
            resource: None,
            has_refresh_token: false,
            connected_at: None,
            needs_reconnect: false,
            reconnect_reason: None,
            refreshed_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OAuthView {
    #[serde(flatten)]
    #[ts(flatten)]
    pub settings: OAuthSettings,
    pub client_secret_set: bool,
}

/// A custom action as the UI and `action list/show --json` see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionView {
    pub id: String,
    pub name: String,
    pub kind: ActionKind,
    pub url: String,
    pub enabled: bool,
    pub description: String,
    /// Require end-user confirmation before each tool call.
    pub confirm: bool,
    pub auth: AuthRef,
    pub health: Health,
    /// The circuit breaker: closed, open (calls fail fast until `retryAt`), or half-open
    /// (the next call is the probe).
    pub breaker: BreakerView,
    /// Own OAuth settings when `auth.type` is `oauth`.
    pub oauth: Option<OAuthView>,
    /// Request settings when `kind` is `http`.
    pub http: Option<HttpActionSpec>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BreakerView {
    pub state: BreakerState,
    /// Failures in a row.
    pub failures: i64,
    /// While open: when the next call may try again (RFC 3339).
    pub retry_at: Option<String>,
}

impl BreakerView {
    /// The breaker as of `now` (RFC 3339).
    pub(crate) fn from_row(failures: i64, open_until: Option<String>, now: &str) -> Self {
        let state = match &open_until {
            None => BreakerState::Closed,
            Some(t) if t.as_str() > now => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        };
        BreakerView {
            state,
            failures,
            retry_at: open_until,
        }
    }
}

/// A reusable OAuth connection, secret shown only as set / not set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub client_id: String,
    pub client_secret_set: bool,
    pub authorization_url: String,
    pub token_url: String,
    pub registration_url: Option<String>,
    pub revocation_url: Option<String>,
    pub token_auth_method: TokenAuthMethod,
    /// `true` exactly when `tokenAuthMethod` is `none`.
    pub public_client: bool,
    pub scopes: Vec<String>,
    /// Filled in by discovery / registration.
    pub issuer: Option<String>,
    pub resource: Option<String>,
    /// Actions that use this connection.
    pub used_by: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum TokenKind {
    /// A value the user pasted (text token).
    Text,
    /// A token fetched by an HTTP request (HTTP request token).
    HttpRequest,
}

/// A body field of an HTTP request token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    pub key: String,
    /// `None` when the value is a secret kept in the keychain.
    pub value: Option<String>,
    pub secret: bool,
}

/// The request an HTTP request token performs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequestView {
    pub method: String,
    pub url: String,
    pub headers: Vec<HeaderView>,
    pub body: Vec<FieldView>,
    /// Body sent as `application/x-www-form-urlencoded` instead of JSON.
    pub form: bool,
    /// RFC 9535 JSONPath of the token in the response.
    pub token_path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub kind: TokenKind,
    pub description: String,
    pub prefix: Option<String>,
    pub header_name: String,
    /// For text tokens: whether the value is in the keychain.
    pub value_set: bool,
    pub request: Option<TokenRequestView>,
    pub used_by: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The header value a token produces: the value alone, or `PREFIX VALUE` (the prefix's
/// trailing spaces trimmed, then one space).
pub fn header_value_with_prefix(prefix: Option<&str>, value: &str) -> String {
    match prefix.map(str::trim_end).filter(|p| !p.is_empty()) {
        Some(p) => format!("{p} {value}"),
        None => value.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum VaultState {
    Ok,
    Locked,
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub state: VaultState,
    /// What is wrong and how to fix it, when not ok.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: String,
    pub home: String,
    pub vault: VaultStatus,
}

/// What a token request did (`patchbay token test NAME --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenTestReport {
    /// A token was found.
    pub ok: bool,
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub found: Option<FoundToken>,
    /// Top-level keys of the JSON response and their types (or the type of a non-object
    /// response), when no token was found. Never values.
    #[ts(type = "Record<string, string> | string | null")]
    pub shape: Option<serde_json::Value>,
    /// Why no token was found.
    pub message: Option<String>,
}

/// Where the token was, without the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FoundToken {
    pub path: String,
    /// The token's first 4 characters.
    pub preview: String,
    /// Its length in characters.
    pub length: usize,
}

/// The payload of the desktop event `sign-in-returned`: an app-link sign-in callback
/// reached the running app. `matched`: a pending sign-in took the link (its Connect call
/// reports the outcome).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInReturned {
    pub ok: bool,
    pub matched: bool,
    pub title: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The column and CLI names (strum) are the wire names (serde), and parse back.
    #[test]
    fn enum_strings_are_the_wire_names() {
        fn check<T>(all: &[T])
        where
            T: Copy
                + Serialize
                + std::str::FromStr
                + PartialEq
                + std::fmt::Debug
                + Into<&'static str>,
        {
            for v in all {
                let s: &'static str = (*v).into();
                assert_eq!(serde_json::to_value(v).expect("json"), serde_json::json!(s));
                assert_eq!(s.parse::<T>().ok(), Some(*v), "{s} parses back");
            }
        }
        check(&[ActionKind::Mcp, ActionKind::Http]);
        check(&[
            AuthType::None,
            AuthType::OAuth,
            AuthType::Token,
            AuthType::HttpToken,
            AuthType::Connection,
        ]);
        check(&[
            TokenAuthMethod::ClientSecretBasic,
            TokenAuthMethod::ClientSecretPost,
            TokenAuthMethod::None,
        ]);
        check(&[
            HealthStatus::Healthy,
            HealthStatus::Unhealthy,
            HealthStatus::Unknown,
        ]);
        check(&[CallbackKind::Loopback, CallbackKind::AppLink]);
        check(&[TokenKind::Text, TokenKind::HttpRequest]);
        assert!(from_column::<TokenKind>("token kind", "bogus").is_err());
    }

    #[test]
    fn prefix_is_trimmed_and_joined_by_one_space() {
        assert_eq!(
            header_value_with_prefix(Some("Bearer   "), "abc"),
            "Bearer abc"
        );
        assert_eq!(
            header_value_with_prefix(Some("Bearer"), "abc"),
            "Bearer abc"
        );
        assert_eq!(header_value_with_prefix(Some("  "), "abc"), "abc");
        assert_eq!(header_value_with_prefix(None, "abc"), "abc");
    }

    #[test]
    fn auth_ref_serializes_as_the_cli_contract() {
        let r = AuthRef {
            kind: AuthType::HttpToken,
            reference: Some("t".into()),
        };
        assert_eq!(
            serde_json::to_value(&r).expect("json"),
            serde_json::json!({"type": "http-token", "ref": "t"})
        );
        let n = AuthRef {
            kind: AuthType::OAuth,
            reference: None,
        };
        assert_eq!(
            serde_json::to_value(&n).expect("json"),
            serde_json::json!({"type": "oauth", "ref": null})
        );
    }
}
