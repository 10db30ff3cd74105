//! `patchbay doctor` and the app's Diagnose: a step-by-step trace of connecting to and using
//! an action. `--json` is a public contract: `{"name", "ok", "steps": [{"step", "ok",
//! "latencyMs", "detail", "fix"}]}`. Every `detail` is redacted before it gets here (no
//! token, secret, code, cookie or Authorization value).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The steps, a closed list, in the order they run. Steps that do not apply to an action
/// (no OAuth, a static token, an HTTP action) are left out of its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum DoctorStepName {
    /// The unauthenticated request and the challenge it got.
    Probe,
    /// RFC 9728 protected-resource metadata: each URL tried, used or skipped and why.
    ResourceMetadata,
    /// RFC 8414 / OpenID metadata: issuer, PKCE S256, RFC 9207 `iss`.
    AuthorizationServerMetadata,
    /// The client identity a sign-in uses, and why.
    Client,
    /// The credential: expiry, scopes, whether it can be refreshed (refreshed when needed).
    Token,
    McpHandshake,
    Tools,
    /// An HTTP action's configured request (instead of the MCP handshake and tools).
    HttpRequest,
}

impl DoctorStepName {
    pub const ALL: [DoctorStepName; 8] = [
        DoctorStepName::Probe,
        DoctorStepName::ResourceMetadata,
        DoctorStepName::AuthorizationServerMetadata,
        DoctorStepName::Client,
        DoctorStepName::Token,
        DoctorStepName::McpHandshake,
        DoctorStepName::Tools,
        DoctorStepName::HttpRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DoctorStepName::Probe => "probe",
            DoctorStepName::ResourceMetadata => "resource-metadata",
            DoctorStepName::AuthorizationServerMetadata => "authorization-server-metadata",
            DoctorStepName::Client => "client",
            DoctorStepName::Token => "token",
            DoctorStepName::McpHandshake => "mcp-handshake",
            DoctorStepName::Tools => "tools",
            DoctorStepName::HttpRequest => "http-request",
        }
    }
}

/// One step of a diagnosis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DoctorStep {
    pub step: DoctorStepName,
    pub ok: bool,
    pub latency_ms: i64,
    /// What the step saw (redacted): URLs, statuses, the HTTP exchange, checks.
    #[ts(type = "Record<string, unknown>")]
    pub detail: serde_json::Value,
    /// What to do, on the failing step; null otherwise.
    pub fix: Option<String>,
}

/// The diagnosis of one action: its steps up to and including the first that failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    pub name: String,
    pub ok: bool,
    pub steps: Vec<DoctorStep>,
}

impl DoctorReport {
    /// The step that failed, if one did.
    pub fn failed(&self) -> Option<&DoctorStep> {
        self.steps.iter().find(|s| !s.ok)
    }
}
