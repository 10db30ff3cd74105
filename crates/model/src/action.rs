//! Actions: what the user configures (a remote MCP server or an HTTP endpoint), how it
//! authenticates, its health and its circuit breaker.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    /// RFC 7523: a JWT signed with a key pair Patchbay keeps (the private half only in the
    /// keychain); the provider is given the public JWK.
    #[cfg_attr(feature = "clap", value(alias = "private-key-jwt"))]
    PrivateKeyJwt,
    None,
}

impl TokenAuthMethod {
    pub fn is_public(self) -> bool {
        self == TokenAuthMethod::None
    }
    /// Whether the client authenticates with a client secret (basic or post).
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            TokenAuthMethod::ClientSecretBasic | TokenAuthMethod::ClientSecretPost
        )
    }
}

/// How an OAuth client gets its tokens: a user signs in (`authorization-code`, with PKCE), or
/// the client asks for itself with its own credentials and no user at all
/// (`client-credentials`, RFC 6749 §4.4; the MCP extension
/// `io.modelcontextprotocol/oauth-client-credentials`).
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
pub enum OAuthGrant {
    /// A user signs in (in a browser, or with a code on another device).
    #[default]
    AuthorizationCode,
    /// The client asks for itself (RFC 6749 §4.4).
    ClientCredentials,
    /// A workload presents its own identity token (RFC 7523 §2.1, workload identity
    /// federation), read from a file at each token request.
    JwtBearer,
    /// Enterprise-managed authorization: the enterprise identity provider's sign-in,
    /// exchanged there for an ID-JAG (RFC 8693) presented with RFC 7523.
    EnterpriseManaged,
}

impl OAuthGrant {
    /// Tokens are fetched again by repeating the grant (no user, no refresh token needed).
    pub fn fetched_without_user(self) -> bool {
        !matches!(self, OAuthGrant::AuthorizationCode)
    }
}

/// The public half of a client's signing key (`private_key_jwt`), as a JWK (RFC 7517) to
/// register with the provider: `kty` EC, `crv` P-256, `x`, `y`, `kid` (its RFC 7638
/// thumbprint), `alg` ES256, `use` sig. Never a private part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PublicJwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
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
    /// The `{{param}}` placeholders of the URL (path and query), the headers and the body,
    /// in first-use order: the arguments a call takes.
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
    /// The `jwt-bearer` grant: the file holding the workload's identity token (a JWT its
    /// platform keeps fresh), read at each token request.
    #[serde(default)]
    pub assertion_file: Option<String>,
    /// The `enterprise-managed` grant: the name of the identity provider (`patchbay idp`).
    #[serde(default)]
    pub idp: Option<String>,
}

impl OAuthSettings {
    /// The RFC 8707 `resource` to send: none, the override, or the discovered one.
    pub fn resource(&self, discovered: &str) -> Option<String> {
        (!self.omit_resource).then(|| {
            self.resource_override
                .clone()
                .unwrap_or_else(|| discovered.to_string())
        })
    }
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
    /// How its own OAuth client gets tokens, when `auth.type` is `oauth` (else `null`).
    pub grant: Option<OAuthGrant>,
    /// The public key to register with the provider when its client authenticates with
    /// `private_key_jwt` (else `null`).
    pub public_jwk: Option<PublicJwk>,
    /// Its grant's tokens (its own, or its connection's) are DPoP-bound (RFC 9449): each
    /// request carries a proof signed with a key only the keychain holds. False when not
    /// connected, or connected to a server that does not take DPoP.
    pub dpop: bool,
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
    pub fn at(failures: i64, open_until: Option<String>, now: &str) -> Self {
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
