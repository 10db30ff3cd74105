//! The app's status (version, folders, keychain) and the desktop's event payloads.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum VaultState {
    Ok,
    Locked,
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub state: VaultState,
    /// What is wrong and how to fix it, when not ok.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub version: String,
    pub home: String,
    pub vault: VaultStatus,
}

/// The payload of the desktop event `sign-in-returned`: an app-link sign-in callback
/// reached the running app. `matched`: a pending sign-in took the link (its Connect call
/// reports the outcome).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInReturned {
    pub ok: bool,
    pub matched: bool,
    pub title: String,
    pub message: String,
}
