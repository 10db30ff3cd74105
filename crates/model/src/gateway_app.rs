//! The desktop app's Gateway screen: what it shows about the gateway the app serves (or
//! another process does), and what its forms send.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ErrorBody, GatewayStatus};

/// The Gateway screen's state: the setting, this profile's gateway, and why the app's own
/// gateway is not running when it should be.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayView {
    /// The `gatewayEnabled` setting: the app serves the gateway while it is open.
    pub enabled: bool,
    /// This app's process serves it (`status.pid` is the app's own).
    pub here: bool,
    /// Whoever serves it: this app, `patchbay gateway serve`, or nobody.
    pub status: GatewayStatus,
    /// Why the app could not start (or keep) its gateway: the port is busy, another process
    /// serves this profile's gateway, ... `None` while it runs or is off.
    pub error: Option<ErrorBody>,
}

/// The Create access key form: what `patchbay gateway key add` takes, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayKeyForm {
    pub name: String,
    /// Action names, or `["*"]` for every action, present and future.
    pub actions: Vec<String>,
    /// `ACTION__TOOL` names limiting those actions to those tools (others: every tool).
    pub tools: Vec<String>,
    /// How long the key works, as `--expires` takes it (`30d`, `12h`, `90 days`); `None` or
    /// blank: until revoked.
    pub expires: Option<String>,
}

/// A tool of an action, for picking the tools a key opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayTool {
    /// The tool's own name (the gateway's `/mcp` calls it `ACTION__TOOL`).
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
}
