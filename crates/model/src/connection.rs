//! Reusable OAuth connections.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{OAuthGrant, PublicJwk, TokenAuthMethod};

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
    /// How the connection gets tokens: a user signs in, or the client asks for itself.
    pub grant: OAuthGrant,
    /// The public key to register with the provider with `private_key_jwt` (else `null`).
    pub public_jwk: Option<PublicJwk>,
    pub scopes: Vec<String>,
    /// Filled in by discovery / registration.
    pub issuer: Option<String>,
    pub resource: Option<String>,
    /// Actions that use this connection.
    pub used_by: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}
