//! An enterprise identity provider (OpenID Connect) for enterprise-managed authorization.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An identity provider, as `patchbay idp list --json` prints it. Never a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IdpView {
    pub name: String,
    /// Its OpenID Connect issuer.
    pub issuer: String,
    /// The client Patchbay signs in with there.
    pub client_id: String,
    pub has_client_secret: bool,
    /// Scopes asked at sign-in beside `openid`.
    pub scopes: Vec<String>,
    /// Signed in: an ID token (and a refresh token where the provider gives one) is kept in
    /// the keychain, apart from every server's tokens.
    pub signed_in: bool,
    /// Who signed in, from the ID token.
    pub account: Option<String>,
    pub signed_in_at: Option<String>,
    /// RFC 3339 UTC: when the ID token stops being accepted (it is refreshed, where it can be).
    pub id_token_expires_at: Option<String>,
    /// The actions that use it.
    pub actions: Vec<String>,
    pub created_at: String,
}
