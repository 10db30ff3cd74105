//! OAuth 2.1 connect for MCP actions: discovery → client identity (user's client, a saved
//! registration, or RFC 7591 dynamic registration) → authorization code + PKCE S256 with the
//! RFC 8707 `resource` → loopback callback (state, RFC 9207 `iss`) → token exchange → keychain.
//!
//! The engine: discovery and registration over reqwest (see `discovery.rs` for why), the
//! authorization URL, PKCE and the token exchange with the `oauth2` crate.
//!
//! Why this engine: the `oauth2` crate does PKCE, the authorization URL, client
//! authentication (basic / post / none) and the token exchange; discovery and registration
//! are ~300 hand-written lines over reqwest. rmcp 3.11's `auth` module covers more ground,
//! but it always sends `resource` (no per-action opt-out or override, which Entra ID needs),
//! picks basic/post from the server's metadata rather than the user's setting, tolerates a
//! missing `code_challenge_methods_supported` (the spec, and this project, refuse it unless
//! told to assume S256), and its errors do not say which URLs discovery tried.
//!
//! The app link. A sign-in whose callback is `dev.patchbay.app:/oauth/callback` (the
//! action's `callback: app-link`, for providers that refuse http loopback redirect URIs) runs
//! the same flow without a listener: its pending flow waits in the process-wide app-link
//! registry. The provider redirects the browser to the link, the OS starts
//! `patchbay-desktop LINK`, the single-instance plugin hands the arguments over D-Bus to the
//! running instance and exits, the deep-link plugin's `on_open_url` passes the link to
//! `callback::deliver_app_link`, and the waiting flow takes it by `state` exactly as a loopback
//! callback. The shell then brings the window forward and emits `sign-in-returned`
//! (`{ok, matched, title, message}`); the Connect that started the flow resolves. Only the
//! desktop app can receive the link, so `ConnectRequest.receives_app_links` is false in the CLI
//! and such a sign-in is refused there with the fix.

pub mod callback;
mod client;
mod client_credentials;
mod device;
#[cfg(test)]
mod fuzz;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod fuzz_entry;
mod idp;
pub use idp::NewIdp;
pub mod discovery;
mod dpop_token;
mod errors;
mod flow;
mod grant;
mod jwt_bearer;
pub use grant::AdoptedGrant;
pub mod lifecycle;
mod revoke;

use client::*;
use errors::*;
use revoke::*;

use std::time::Duration;

use base64::Engine;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use rusqlite::{OptionalExtension, params};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Kind, Result};
use crate::model::{
    ActionKind, AuthType as ActionAuth, CallbackKind, GrantView, OAuthGrant, TokenAuthMethod,
};
use crate::{Entries, Patchbay};
use callback::{CallbackParams, Page};
use discovery::{Discovered, DiscoveryOptions, ServerMetadata};

/// How long a pending flow waits for the browser by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The `id_token` an OpenID provider returns beside the access token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type TokenResp = StandardTokenResponse<IdTokenField, BasicTokenType>;
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;
type BaseClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
>;

pub(crate) use crate::vault::StoredTokens;

/// The keychain entry holding the tokens of a grant owner (`action/<id>`, `connection/<id>`).
pub(crate) fn tokens_key(owner_key: &str) -> String {
    crate::vault::keys::oauth_tokens(owner_key)
}

/// The client Patchbay authenticates as.
#[derive(Clone)]
struct ClientIdentity {
    id: String,
    secret: Option<SecretString>,
    method: TokenAuthMethod,
    /// The secret came from a dynamic registration: keep it with the tokens.
    keep_secret: bool,
    /// `private_key_jwt`: whose keychain key signs each request's assertion (read only to
    /// sign, in `assertion_params`).
    signer: Option<Owner>,
}

/// A connect request from a front end.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    pub action: String,
    /// Loopback callback port; 0 picks a free one (tests).
    pub port: u16,
    pub timeout: Duration,
    /// Step-up: scopes the resource asked for (403 insufficient_scope); the new grant asks
    /// for the union of these, the scopes already granted and the usual ones.
    pub extra_scopes: Vec<String>,
    /// The `WWW-Authenticate` challenge of the request that needs this sign-in, when known.
    pub challenge: Option<String>,
    /// This front end receives `dev.patchbay.app:` links (the desktop app); sign-ins whose
    /// callback is the app link are refused elsewhere, with a hint.
    pub receives_app_links: bool,
    /// Sign in with a code on another device (RFC 8628) instead of a browser here; `None`
    /// for the browser only.
    pub device: Option<DeviceSignIn>,
}

/// A front end's choice of the device sign-in, and how it shows the code.
#[derive(Clone)]
pub struct DeviceSignIn {
    /// The user asked for it (`--device`): a server without a device authorization endpoint
    /// is an error. Otherwise it is used only where the server offers it, else the browser.
    pub required: bool,
    /// Shows the user where to go and the code to type, once the server gave them.
    pub show: ShowDeviceCode,
}

/// How a front end shows a device sign-in's code (terminal lines, an app event).
pub type ShowDeviceCode =
    std::sync::Arc<dyn Fn(&crate::model::DeviceCodePrompt) -> Result<()> + Send + Sync>;

impl std::fmt::Debug for DeviceSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSignIn")
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

/// The client of every OAuth request (no redirects, 30 s).
pub(crate) fn http_client() -> Result<reqwest::Client> {
    crate::http::client(crate::http::Purpose::OAuth)
}

/// Who owns a grant: an action with its own OAuth settings, or a reusable connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Action(String),
    Connection(String),
}

impl Owner {
    pub fn key(&self) -> String {
        match self {
            Owner::Action(id) => format!("action/{id}"),
            Owner::Connection(id) => format!("connection/{id}"),
        }
    }
    pub fn tokens_key(&self) -> String {
        tokens_key(&self.key())
    }
    /// The `actions` column and value that select the actions using this grant.
    fn actions_column(&self) -> (&'static str, &str) {
        match self {
            Owner::Action(id) => ("id", id),
            Owner::Connection(id) => ("connection_id", id),
        }
    }
    pub(crate) fn action_id(&self) -> Option<&str> {
        match self {
            Owner::Action(id) => Some(id),
            Owner::Connection(_) => None,
        }
    }
    fn connection_id(&self) -> Option<&str> {
        match self {
            Owner::Connection(id) => Some(id),
            Owner::Action(_) => None,
        }
    }
}

/// What one authorization is for.
#[derive(Clone)]
struct Target {
    owner: Owner,
    name: String,
    /// The command that edits the owner's client settings (for hints).
    edit_command: String,
    server: ServerMetadata,
    /// The user's client; `None` = a metadata document, a saved registration or dynamic
    /// registration.
    client: Option<ClientIdentity>,
    client_metadata_url: Option<String>,
    scopes: Vec<String>,
    resource: Option<String>,
    callback: CallbackKind,
}

/// Why a revocation did not happen.
enum RevokeError {
    /// The provider does not revoke this token type.
    Unsupported(String),
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::flow::*;
    use super::*;

    fn server(iss_supported: Option<bool>) -> ServerMetadata {
        ServerMetadata {
            issuer: "https://auth.example.com".into(),
            authorization_endpoint: "https://auth.example.com/auth".into(),
            token_endpoint: "https://auth.example.com/token".into(),
            registration_endpoint: None,
            revocation_endpoint: None,
            userinfo_endpoint: None,
            scopes_supported: Some(vec![
                "mcp:read".into(),
                "offline_access".into(),
                "openid".into(),
            ]),
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            token_endpoint_auth_methods_supported: None,
            authorization_response_iss_parameter_supported: iss_supported,
            client_id_metadata_document_supported: None,
            grant_types_supported: None,
            device_authorization_endpoint: None,
            dpop_signing_alg_values_supported: None,
            issuer_checked: true,
        }
    }

    #[test]
    fn iss_is_checked_per_rfc_9207() {
        assert!(check_iss(&server(Some(true)), Some("https://auth.example.com")).is_ok());
        assert_eq!(
            check_iss(&server(Some(true)), None)
                .expect_err("required")
                .code(),
            ErrorCode::IssuerMismatch
        );
        assert_eq!(
            check_iss(&server(None), Some("https://evil.example"))
                .expect_err("mismatch")
                .code(),
            ErrorCode::IssuerMismatch
        );
        assert!(
            check_iss(&server(None), None).is_ok(),
            "not promised, not sent: accepted"
        );
    }

    #[test]
    fn scopes_follow_the_spec_order() {
        let d = Discovered {
            resource: "https://mcp.example.com/mcp".into(),
            server: server(None),
            challenge_scopes: vec!["mcp:read".into()],
            resource_scopes: vec!["mcp:read".into(), "mcp:write".into()],
        };
        assert_eq!(
            choose_scopes(&["custom".into()], &d),
            vec!["custom", "offline_access"],
            "the user's scopes, plus a refresh token"
        );
        assert_eq!(
            choose_scopes(&[], &d),
            vec!["mcp:read", "offline_access", "openid"]
        );
        let d2 = Discovered {
            challenge_scopes: vec![],
            ..d.clone()
        };
        assert_eq!(
            choose_scopes(&[], &d2),
            vec!["mcp:read", "mcp:write", "offline_access", "openid"]
        );
    }

    #[test]
    fn accounts_come_from_claims() {
        let claims = serde_json::json!({"sub": "alice", "email": "alice@example.com"});
        assert_eq!(
            account_from_claims(&claims).as_deref(),
            Some("alice@example.com")
        );
        assert_eq!(
            account_from_claims(&serde_json::json!({"sub": "u1"})).as_deref(),
            Some("u1")
        );
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"email":"bob@example.com"}"#);
        assert_eq!(
            jwt_claims(&format!("h.{payload}.s"))
                .and_then(|c| account_from_claims(&c))
                .as_deref(),
            Some("bob@example.com")
        );
        assert!(jwt_claims("opaque-token").is_none());
    }
}
