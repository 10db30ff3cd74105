//! Settings as the window's form and `patchbay settings --json` show them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The loopback callback port sign-ins listen on unless the user chose another
/// (setting `callbackPort`).
pub const DEFAULT_CALLBACK_PORT: u16 = 47615;

/// The local gateway's port unless the user chose another (setting `gatewayPort`).
pub const DEFAULT_GATEWAY_PORT: u16 = 47616;

/// The window's colours.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
pub enum Theme {
    /// Follow the operating system (light or dark).
    #[default]
    System,
    Light,
    Dark,
}

/// Every setting, as the window's form and `patchbay settings --json` show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Loopback callback port (`http://127.0.0.1:PORT/callback`); 0 picks a free port for
    /// each sign-in (only for providers that accept any loopback port).
    pub callback_port: u16,
    /// How long a sign-in waits for the browser to come back, in seconds.
    pub consent_timeout_secs: u32,
    /// How long a tool call that needs confirmation waits for the user, in seconds.
    pub confirm_timeout_secs: u32,
    /// Log rows kept at most (the oldest go first).
    pub log_max_rows: u32,
    /// Log rows older than this many days go.
    pub log_max_age_days: u32,
    pub theme: Theme,
    /// The local gateway's port on 127.0.0.1 (`http://127.0.0.1:PORT/mcp`).
    pub gateway_port: u16,
    /// How long an access token the gateway issues lives, in seconds.
    pub gateway_access_token_secs: u32,
    /// How long a refresh token the gateway issues lives, in days.
    pub gateway_refresh_token_days: u32,
    /// How long a replaced refresh token still works (until its successor is used), in seconds.
    pub gateway_refresh_grace_secs: u32,
    /// The desktop app serves the local gateway while it is open.
    pub gateway_enabled: bool,
    /// Closing the window keeps the app running in the tray while the gateway is on or an
    /// action asks for confirmation (where the desktop has a tray).
    pub close_to_tray: bool,
    /// The desktop app starts, hidden in the tray, when the user logs in. Per OS user, not
    /// per profile: the user's autostart entry, whichever profile changes it.
    pub start_at_login: bool,
    /// The desktop app notifies when an action turns Unhealthy or must be connected again.
    pub notify_health: bool,
    /// The desktop app notifies when a confirmation or a gateway consent waits, and when a
    /// confirmation expires unanswered.
    pub notify_approvals: bool,
    /// The desktop app notifies when a client calls the gateway for the first time.
    pub notify_gateway_clients: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            callback_port: DEFAULT_CALLBACK_PORT,
            consent_timeout_secs: 300,
            confirm_timeout_secs: 120,
            log_max_rows: 100_000,
            log_max_age_days: 30,
            theme: Theme::System,
            gateway_port: DEFAULT_GATEWAY_PORT,
            gateway_access_token_secs: 3600,
            gateway_refresh_token_days: 30,
            gateway_refresh_grace_secs: 60,
            gateway_enabled: false,
            close_to_tray: true,
            start_at_login: false,
            notify_health: true,
            notify_approvals: true,
            notify_gateway_clients: true,
        }
    }
}

/// A setting whose value comes from the environment in this process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingOverride {
    /// The setting's key (as in [`Settings`], camelCase).
    pub key: String,
    /// The environment variable that sets it.
    pub env: String,
    pub value: String,
}

/// The whole numbers a numeric setting accepts: `min..=max`, or `also`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingLimit {
    pub key: String,
    pub min: u32,
    pub max: u32,
    pub also: Option<u32>,
}

/// What the Settings screen shows: the values in effect, what is saved, the defaults, which
/// ones the environment overrides, and the limits of each number (the form checks as you
/// type; saving checks again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// In effect for this process (saved, or the environment's where it overrides).
    pub effective: Settings,
    /// Saved in the profile (defaults for the keys never saved): what the form edits.
    pub saved: Settings,
    pub defaults: Settings,
    pub overrides: Vec<SettingOverride>,
    pub limits: Vec<SettingLimit>,
}
