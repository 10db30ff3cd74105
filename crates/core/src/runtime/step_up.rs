//! Step-up authorization: a tool call answered 403 `insufficient_scope` signs in again for
//! the union of the granted and the challenged scopes, then calls again, at most
//! [`MAX_STEP_UPS`] times per call (the MCP authorization spec's bound). Only actions with
//! their own OAuth client step up; a shared connection's scopes are the connection's to change.
//!
//! The front end supplies the sign-in's `open` (open a browser or print the URL) and hears
//! about each step through `notify`; the policy is here.

use std::sync::Arc;

use crate::Patchbay;
use crate::error::{Error, Kind, Result};
use crate::model::{AuthType, GrantView};
use crate::oauth::ConnectRequest;
use crate::runtime::CallOutcome;

/// Step-up sign-ins per call before giving up.
pub const MAX_STEP_UPS: u32 = 3;

/// How a call may step up.
#[derive(Debug, Clone)]
pub struct StepUpPolicy {
    /// Loopback callback port of the sign-in.
    pub port: u16,
    /// How long the sign-in waits for the browser.
    pub timeout: std::time::Duration,
}

/// What happens during a step-up, for the front end to say.
#[derive(Debug)]
pub enum StepUpEvent<'a> {
    /// A sign-in starts: the server asked for `challenged`; `adding` are those not granted yet
    /// (empty when it asked again for scopes already granted).
    Starting {
        action: &'a str,
        tool: &'a str,
        challenged: &'a [String],
        adding: Vec<String>,
        attempt: u32,
    },
    /// The new grant.
    Granted(&'a GrantView),
}

impl Patchbay {
    /// Call a tool; on 403 `insufficient_scope` sign in again (when `policy` allows) and retry.
    pub async fn mcp_call_stepping_up(
        self: &Arc<Self>,
        name: &str,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
        policy: Option<&StepUpPolicy>,
        mut open: impl FnMut(&str, &str) -> Result<()>,
        mut notify: impl FnMut(StepUpEvent<'_>),
    ) -> Result<CallOutcome> {
        let mut attempt = 0;
        loop {
            let result = self.mcp_call(name, tool, args.clone()).await;
            let (Err(Error::InsufficientScope { scopes, .. }), Some(policy)) = (&result, policy)
            else {
                return result;
            };
            if attempt >= MAX_STEP_UPS || !self.uses_own_oauth(name) {
                return result;
            }
            attempt += 1;
            let granted = self.oauth_status(Kind::Action, name)?.scopes;
            let adding: Vec<String> = scopes
                .iter()
                .filter(|s| !granted.contains(s))
                .cloned()
                .collect();
            notify(StepUpEvent::Starting {
                action: name,
                tool,
                challenged: scopes,
                adding,
                attempt,
            });
            let req = ConnectRequest {
                action: name.to_string(),
                port: policy.port,
                timeout: policy.timeout,
                extra_scopes: scopes.clone(),
                challenge: None,
                receives_app_links: false,
                device: None,
            };
            let grant = self.connect_action(req, &mut open).await?;
            notify(StepUpEvent::Granted(&grant));
        }
    }

    /// Whether the action signs in with its own OAuth client (only those step up).
    fn uses_own_oauth(&self, name: &str) -> bool {
        self.get_action(name)
            .is_ok_and(|a| a.auth.kind == AuthType::OAuth)
    }
}
