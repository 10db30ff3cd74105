//! The local gateway: its access keys, as `patchbay gateway key ...` and the Gateway screen
//! show them (never the key itself, except once in [`NewGatewayKey`]).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Between the action and the tool in the gateway's tool names (`ACTION__TOOL`, split at the
/// first one); action names may not contain it.
pub const TOOL_SEPARATOR: &str = "__";

/// An access key, as listed: which actions (by their current names) and tools it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayKeyView {
    pub name: String,
    /// `["*"]` for every action, present and future; else the actions' current names.
    pub actions: Vec<String>,
    /// `ACTION__TOOL` names limiting those actions to those tools (other actions: all tools).
    pub tools: Vec<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// What `gateway key add` shows, once: the key itself and what it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewGatewayKey {
    pub name: String,
    /// `pbk_…`: shown here only; Patchbay keeps its SHA-256.
    pub key: String,
    pub actions: Vec<String>,
    pub tools: Vec<String>,
    pub expires_at: Option<String>,
    pub created_at: String,
}
