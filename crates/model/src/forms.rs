//! The desktop's forms, as the window sends them (core turns them into its typed inputs).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    ActionKind, AuthRef, CallbackKind, Header, OAuthGrant, TokenAuthMethod, TokenTestReport,
    TokenView,
};

/// The Add / Edit Custom Action form.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionForm {
    pub name: String,
    pub kind: ActionKind,
    pub url: String,
    /// HTTP actions only.
    pub method: Option<String>,
    #[serde(default)]
    pub headers: Vec<Header>,
    pub body: Option<String>,
    pub auth: AuthRef,
    /// Used when `auth.type` is `oauth` (Advanced configuration).
    pub oauth: OAuthForm,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub confirm: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// Advanced configuration of the OAuth 2.1 card. Empty strings mean "not set".
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct OAuthForm {
    /// A user signs in (authorization code), the client asks for itself (client credentials),
    /// a workload presents its identity token (jwt-bearer), or the enterprise identity
    /// provider's sign-in is exchanged (enterprise-managed).
    pub grant: OAuthGrant,
    pub client_id: String,
    /// `null` keeps the stored secret (edits); a value replaces it.
    pub client_secret: Option<String>,
    pub clear_client_secret: bool,
    /// `null`: automatic (a confidential client with a secret, a public one without).
    pub token_auth_method: Option<TokenAuthMethod>,
    pub authorization_url: String,
    pub token_url: String,
    pub registration_url: String,
    /// Space- or comma-separated.
    pub scopes: String,
    pub assume_pkce_s256: bool,
    pub resource_override: String,
    pub omit_resource: bool,
    pub client_metadata_url: String,
    /// Where the provider sends the browser back: the loopback URL or the app link.
    pub callback: CallbackKind,
    /// The `jwt-bearer` grant: the file holding the workload's identity token.
    pub assertion_file: String,
    /// The `enterprise-managed` grant: the identity provider's name.
    pub idp: String,
}

/// The OAuth connection form.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectionForm {
    pub name: String,
    pub provider: String,
    pub client_id: String,
    /// `null` keeps the stored secret (edits).
    pub client_secret: Option<String>,
    pub clear_client_secret: bool,
    pub authorization_url: String,
    pub token_url: String,
    pub registration_url: String,
    pub revocation_url: String,
    pub token_auth_method: Option<TokenAuthMethod>,
    pub scopes: String,
    pub grant: OAuthGrant,
}

/// A text token.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct TextTokenForm {
    pub name: String,
    pub description: String,
    /// `null` keeps the stored value (edits).
    pub value: Option<String>,
    pub prefix: String,
    pub header_name: String,
}

/// One header or body field of a token request; `secret` ones go to the keychain.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestField {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

/// An HTTP request token: the request that fetches it and where the token is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpTokenForm {
    pub name: String,
    pub description: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<RequestField>,
    pub body: Vec<RequestField>,
    /// Send the body as `application/x-www-form-urlencoded` instead of JSON.
    pub form: bool,
    pub token_path: String,
    pub prefix: String,
    pub header_name: String,
}

/// What saving an HTTP request token did: the token and the test that let it through
/// (`null` when saved without a test).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedHttpToken {
    pub token: TokenView,
    pub report: Option<TokenTestReport>,
}

/// The redirect URIs to register with a provider (OAuth Connections tab).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallbackUrls {
    /// `http://127.0.0.1:PORT/callback` on the configured port.
    pub loopback: String,
    pub port: u16,
    /// `dev.patchbay.app:/oauth/callback`: for sign-ins started in the desktop app.
    pub app_link: String,
}

/// What a sign-in, status or disconnect is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum OwnerKind {
    Action,
    Connection,
}
