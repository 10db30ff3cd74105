//! What adding or editing an action takes, typed (the CLI and the forms parse into these).

use super::*;

/// The request settings of an HTTP action, as typed.
#[derive(Debug, Default, Clone)]
pub struct HttpInput {
    pub method: Option<String>,
    pub headers: Vec<Header>,
    pub body: Option<String>,
}

/// An action's own OAuth settings (Advanced configuration), as typed.
#[derive(Debug, Default)]
pub struct OAuthInput {
    /// How the client gets tokens (`None` keeps it; new actions: authorization code).
    pub grant: Option<OAuthGrant>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    /// A PEM private key to import for `private_key_jwt` (else one is generated when that
    /// method is chosen and the client has no key yet).
    pub private_key: Option<SecretString>,
    /// `Some(None)`: automatic (a confidential client with a secret, a public one without).
    pub token_auth_method: Option<Option<TokenAuthMethod>>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub registration_url: Option<String>,
    /// Space- or comma-separated.
    pub scopes: Option<String>,
    pub assume_pkce_s256: Option<bool>,
    /// `Some("")` clears the override.
    pub resource_override: Option<String>,
    pub omit_resource: Option<bool>,
    /// `Some("")` clears it.
    pub client_metadata_url: Option<String>,
    pub callback: Option<CallbackKind>,
    /// The `jwt-bearer` grant's token file; `Some("")` clears it.
    pub assertion_file: Option<String>,
    /// The `enterprise-managed` grant's identity provider (by name); `Some("")` clears it.
    pub idp: Option<String>,
}

impl OAuthInput {
    pub(super) fn is_empty(&self) -> bool {
        self.assume_pkce_s256.is_none()
            && self.grant.is_none()
            && self.assertion_file.is_none()
            && self.idp.is_none()
            && self.private_key.is_none()
            && self.callback.is_none()
            && self.resource_override.is_none()
            && self.omit_resource.is_none()
            && self.client_metadata_url.is_none()
            && self.client_id.is_none()
            && self.client_secret.is_none()
            && self.token_auth_method.is_none()
            && self.authorization_url.is_none()
            && self.token_url.is_none()
            && self.registration_url.is_none()
            && self.scopes.is_none()
    }
}

#[derive(Debug, Default)]
pub struct NewAction {
    pub name: String,
    pub url: String,
    /// `Some` for an HTTP action, `None` for a remote MCP server.
    pub http: Option<HttpInput>,
    /// When absent: OAuth if any OAuth setting is given, else none.
    pub auth: Option<AuthSpec>,
    pub oauth: OAuthInput,
    pub description: Option<String>,
    pub confirm: bool,
    pub disabled: bool,
}

/// Changes to an action; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ActionPatch {
    pub rename: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub confirm: Option<bool>,
    pub enabled: Option<bool>,
    pub auth: Option<AuthSpec>,
    /// OAuth settings to change (only with OAuth authentication).
    pub oauth: OAuthInput,
    /// Remove the stored client secret.
    pub clear_client_secret: bool,
    pub method: Option<String>,
    /// Replaces every header when `Some`.
    pub headers: Option<Vec<Header>>,
    /// `Some(None)` removes the body.
    pub body: Option<Option<String>>,
}
