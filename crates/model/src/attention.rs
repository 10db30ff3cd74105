//! What needs the user now, at a glance (`patchbay status`, the Actions screen).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why something needs the user.
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
pub enum AttentionKind {
    /// An OAuth action (or the connection it uses) must be connected again.
    Reconnect,
    /// A tool call waits for the user's confirmation.
    Approval,
    /// A local app's browser sign-in at the gateway waits for the user's consent.
    Consent,
    /// An action's circuit breaker is open: calls fail fast until it is probed again.
    BreakerOpen,
}

/// One thing that needs the user, and what fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Attention {
    pub kind: AttentionKind,
    /// The action (or, for a consent, the app) it is about.
    pub subject: String,
    /// One line: what is wrong.
    pub message: String,
    /// The command that fixes it (the app offers the same as a button).
    pub fix: String,
    /// The approval or consent id, for the app's buttons; null otherwise.
    pub id: Option<String>,
}
