//! A grant: whether an action or connection is signed in, as whom, and what disconnecting did.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// A device sign-in (RFC 8628) waiting for its user: where to go and the code to type there.
/// `patchbay connect NAME --device --json` prints it first; the app shows it with Copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    /// The page where the user enters the code (on any device with a browser).
    pub verification_uri: String,
    /// The same page with the code filled in, when the server offers one.
    pub verification_uri_complete: Option<String>,
    /// The code to enter, as the server wrote it (e.g. "WDJB-MJHT").
    pub user_code: String,
    /// RFC 3339 UTC: when the code stops working.
    pub expires_at: String,
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
