//! `patchbay approvals`, `approve ID` and `deny ID`: end-user confirmations.

use patchbay_core::Result;
use patchbay_core::approvals::{ApprovalCounts, ApprovalView};
use serde::Serialize;

use super::{Status, open};
use crate::{outln, output};

/// `approvals --json`.
#[derive(Serialize)]
struct Approvals {
    pending: Vec<ApprovalView>,
    counts: Vec<ApprovalCounts>,
}

/// `patchbay approvals`: what waits for the user, then the counts per action.
pub fn approvals(json: bool) -> Result<Status> {
    let pb = open(false)?;
    let pending = pb.pending_approvals()?;
    let counts = pb.approval_counts()?;
    if json {
        output::json(&Approvals { pending, counts });
        return Ok(Status::Done);
    }
    if pending.is_empty() {
        outln!("No tool call is waiting for confirmation.");
    }
    for a in &pending {
        outln!(
            "{}  {} wants to call '{}' on '{}'{}",
            a.id,
            a.requester,
            a.tool,
            a.action,
            a.arguments
                .as_ref()
                .map(|v| format!(" with {v}"))
                .unwrap_or_default()
        );
    }
    for c in &counts {
        outln!(
            "{}: {} approved, {} denied, {} expired",
            c.action,
            c.approved,
            c.denied,
            c.expired
        );
    }
    Ok(Status::Done)
}

/// `patchbay approve|deny ID`.
pub fn decide(id: &str, approve: bool, json: bool) -> Result<Status> {
    let a = open(false)?.decide_approval(id, approve)?;
    if json {
        output::json(&a);
    } else {
        outln!(
            "{} the call of '{}' on '{}'.",
            if approve { "Approved" } else { "Denied" },
            a.tool,
            a.action
        );
    }
    Ok(Status::Done)
}
