//! The activity log as the Logs screen and `patchbay logs --json` see it.

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
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LogKind {
    Call,
    Test,
    TokenFetch,
    Refresh,
    Connect,
    Disconnect,
    Health,
    Breaker,
    /// An end-user confirmation: approved, denied or expired.
    Approval,
    /// The local gateway started, stopped, or refused a request.
    Gateway,
    /// A gateway access key made or revoked.
    GatewayKey,
    /// Patchbay's own authorization server: clients, grants and the tokens it issues.
    GatewayAuth,
    /// What `patchbay import` brought over.
    Import,
}

/// One log row, as `patchbay logs --json` prints it (one object per line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub id: i64,
    pub at: String,
    /// The action (or connection, or token) it is about.
    pub subject: Option<String>,
    pub kind: LogKind,
    /// `ok` or `error`.
    pub outcome: String,
    pub status: Option<i64>,
    pub latency_ms: Option<i64>,
    pub summary: String,
    #[ts(type = "unknown")]
    pub request: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub response: Option<serde_json::Value>,
    pub error_code: Option<String>,
}

/// Filters for `patchbay logs` and the window's Logs screen (`list_logs`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LogQuery {
    pub subject: Option<String>,
    /// RFC 3339; rows at or after it.
    pub since: Option<String>,
    /// RFC 3339; rows before it (a bar of the Logs screen's histogram).
    pub until: Option<String>,
    pub kind: Option<LogKind>,
    /// `ok` or `error`.
    pub outcome: Option<String>,
    /// Case-insensitive text anywhere in the summary, request or response.
    pub search: Option<String>,
    /// Rows with a larger id (for following).
    pub after_id: Option<i64>,
    /// Most recent rows first when set without `after_id`; at most this many.
    pub limit: Option<usize>,
    /// Leave out `request` and `response` (`null` in each row): what a list needs, a
    /// fraction of the bytes. [`Patchbay::log_entry`] gives one whole row.
    pub brief: Option<bool>,
}

/// Where `export_logs` wrote, and how many rows.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogExport {
    pub path: String,
    pub rows: usize,
}
