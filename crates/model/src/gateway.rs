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

/// A client that called a tool through the gateway recently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayClient {
    /// The access key's or the OAuth client's name.
    pub name: String,
    /// `key`: an access key; `oauth`: an OAuth client of the gateway.
    pub kind: String,
    pub last_call_at: String,
    /// The tool, as the client named it.
    pub last_tool: String,
}

/// `patchbay gateway status --json`: whether this profile's gateway runs, where, and who
/// called it in the last 10 minutes (read from its lock file and SQLite, whichever process
/// serves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayStatus {
    pub running: bool,
    /// `http://127.0.0.1:PORT/mcp` while running.
    pub url: Option<String>,
    /// The port it listens on, or the `gatewayPort` setting when it does not run.
    pub port: u16,
    pub pid: Option<u32>,
    /// Access keys that work (not revoked, not expired).
    pub keys: u32,
    pub clients: Vec<GatewayClient>,
}

/// Whether an OAuth client of the gateway holds a secret.
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
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum GatewayClientType {
    /// Has a secret (`pbcs_…`) and authenticates with it at the token endpoint.
    Confidential,
    /// PKCE only, no secret (apps that cannot keep one).
    Public,
}

/// Where an OAuth client of the gateway comes from.
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
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum GatewayClientKind {
    /// Made by the user, its actions chosen then (no consent prompt).
    Custom,
    /// Registered itself (RFC 7591).
    Registered,
    /// Known by the URL of its Client ID Metadata Document.
    MetadataDocument,
}

/// Whether an OAuth client of the gateway may sign in.
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
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum GatewayClientStatus {
    Active,
    /// Every token it held died when it was revoked; re-activating brings none back.
    Revoked,
}

/// What `gateway client add` and `rotate` show, once: the client's id and secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewGatewayClient {
    pub name: String,
    pub client_id: String,
    /// `pbcs_…` for a confidential client, shown here only (Patchbay keeps its SHA-256).
    pub client_secret: Option<String>,
    /// `http://127.0.0.1:PORT`: the authorization server (RFC 8414 metadata under it).
    pub issuer: String,
    /// `http://127.0.0.1:PORT/mcp`: the MCP endpoint the client signs in for.
    pub endpoint: String,
    pub redirect_uris: Vec<String>,
    pub actions: Vec<String>,
    pub tools: Vec<String>,
}

/// An OAuth client of the gateway, as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayClientView {
    pub name: String,
    pub client_id: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub client_type: GatewayClientType,
    pub kind: GatewayClientKind,
    pub status: GatewayClientStatus,
    pub redirect_uris: Vec<String>,
    /// `["*"]` for every action, present and future; else the actions' current names.
    pub actions: Vec<String>,
    pub tools: Vec<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub secret_rotated_at: Option<String>,
}

/// The New OAuth client form of the Gateway screen: what `patchbay gateway client add`
/// takes, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayClientForm {
    pub name: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub client_type: GatewayClientType,
    /// The allowed redirect URIs, one per line as typed (blank lines are dropped).
    pub redirect_uris: Vec<String>,
    /// Action names, or `["*"]` for every action, present and future.
    pub actions: Vec<String>,
    /// `ACTION__TOOL` names limiting those actions to those tools (others: every tool).
    pub tools: Vec<String>,
}
