//! End-user confirmations of tool calls.

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
pub enum ApprovalStatus {
    Pending,
    Approved,
    Denied,
    Expired,
}

/// One request for confirmation, as the app's prompt shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalView {
    pub id: String,
    pub action: String,
    pub tool: String,
    /// The call's arguments (redacted like log rows).
    #[ts(type = "unknown")]
    pub arguments: Option<serde_json::Value>,
    pub requester: String,
    pub requested_at: String,
    pub expires_at: String,
    pub status: ApprovalStatus,
    pub decided_at: Option<String>,
}

/// Approvals and denials of one action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalCounts {
    pub action: String,
    pub approved: i64,
    pub denied: i64,
    pub expired: i64,
    pub pending: i64,
}
