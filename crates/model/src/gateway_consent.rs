//! Browser sign-in at the gateway: the consents waiting for the user (`gateway consents`, the
//! window's prompt).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::GatewayClientKind;

/// The client asking, as the user should judge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentClient {
    /// The name it gave itself (unverified for a registered client).
    pub name: String,
    pub client_id: String,
    /// `registered` (it registered itself, unverified) or `metadata-document` (published at
    /// its client id URL).
    pub kind: GatewayClientKind,
    /// The host that publishes its metadata document (`vscode.dev`); null for a registered
    /// client.
    pub publisher: Option<String>,
}

/// A sign-in waiting for the user's consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PendingConsent {
    /// The request id (`gateway approve ID`).
    pub id: String,
    /// The short code the browser page shows too.
    pub code: String,
    pub client: ConsentClient,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// What it asks for: `["*"]` (every action, at `/mcp`) or the one action of `/a/NAME/mcp`.
    pub actions: Vec<String>,
    pub requested_at: String,
    pub expires_at: String,
}

/// `gateway consents --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayConsents {
    pub pending: Vec<PendingConsent>,
}

/// The window's answer to a consent: which actions (and tools) the client gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConsentDecision {
    pub approve: bool,
    /// `["*"]` or action names; empty: what was asked for.
    #[serde(default)]
    pub actions: Vec<String>,
    /// `ACTION__TOOL` names limiting those actions.
    #[serde(default)]
    pub tools: Vec<String>,
}
