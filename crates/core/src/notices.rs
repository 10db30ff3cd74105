//! What the desktop app tells the user through the OS's notifications, found by comparing
//! what is true now with what it saw at its last look: an action turning Unhealthy or
//! needing to be connected again, a tool call's confirmation or a gateway sign-in's consent
//! starting to wait, a confirmation expiring unanswered, a client calling the gateway for
//! the first time. One notice per thing per change: the same notice comes again only after
//! its state ended and began again. The first look learns what is there already and says
//! nothing. A kind switched off in Settings (`notifyHealth`, `notifyApprovals`,
//! `notifyGatewayClients`) is still followed, so turning it on later brings no backlog.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::Patchbay;
use crate::error::{Kind, Result};
use crate::model::{ApprovalStatus, AuthType, HealthStatus};

/// Which switch of Settings a notice answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// `notifyHealth`: an action turned Unhealthy or must be connected again.
    Health,
    /// `notifyApprovals`: a confirmation or a consent waits, or a confirmation expired.
    Approvals,
    /// `notifyGatewayClients`: a client called the gateway for the first time.
    GatewayClients,
}

/// One notification: its text, and the app's screen a click opens (`actions`,
/// `connections`, `health`, `gateway`: the window's routes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub summary: String,
    pub body: String,
    pub screen: &'static str,
}

/// What the last look saw.
#[derive(Debug, Default)]
pub struct NoticeWatch {
    looked: bool,
    /// Enabled actions that must be connected again.
    reconnect: BTreeSet<String>,
    /// Enabled actions whose last check found them unhealthy.
    unhealthy: BTreeSet<String>,
    /// Waiting confirmations: id → (tool, action).
    waiting: BTreeMap<String, (String, String)>,
    /// Waiting consents, by id.
    consents: BTreeSet<String>,
    /// Gateway clients that have called: (kind, name).
    clients: BTreeSet<(String, String)>,
}

impl NoticeWatch {
    /// What changed since the last look, as notices of the kinds switched on.
    pub fn next(&mut self, pb: &Patchbay) -> Result<Vec<Notice>> {
        let mut out = Vec::new();
        let first = !self.looked;

        // Health: one notice per action per change; needing a sign-in says more than a
        // failing check, so it wins when both begin at once.
        let mut reconnect = BTreeSet::new();
        let mut unhealthy = BTreeSet::new();
        for a in pb.list_actions()?.into_iter().filter(|a| a.enabled) {
            let owner = match (a.auth.kind, &a.auth.reference) {
                (AuthType::OAuth, _) => Some((Kind::Action, a.name.clone())),
                (AuthType::Connection, Some(c)) => Some((Kind::Connection, c.clone())),
                _ => None,
            };
            let grant = owner.and_then(|(kind, name)| {
                pb.oauth_status(kind, &name)
                    .ok()
                    .filter(|g| g.needs_reconnect)
                    .map(|g| (kind, name, g.reconnect_reason))
            });
            let bad = a.health.status == HealthStatus::Unhealthy;
            if let Some((kind, owner, why)) = grant {
                reconnect.insert(a.name.clone());
                if !self.reconnect.contains(&a.name) {
                    out.push(Notice {
                        kind: NoticeKind::Health,
                        summary: format!("{} must be connected again", a.name),
                        body: match why {
                            Some(why) => format!("{why}. Reconnect it in Patchbay."),
                            None => "Reconnect it in Patchbay.".into(),
                        },
                        screen: if kind == Kind::Connection && owner != a.name {
                            "connections"
                        } else {
                            "actions"
                        },
                    });
                }
            } else if bad && !self.unhealthy.contains(&a.name) {
                out.push(Notice {
                    kind: NoticeKind::Health,
                    summary: format!("{} is unhealthy", a.name),
                    body: a
                        .health
                        .message
                        .clone()
                        .or(a.health.reason.clone())
                        .unwrap_or_else(|| "Its last check failed.".into()),
                    screen: "health",
                });
            }
            if bad {
                unhealthy.insert(a.name);
            }
        }
        self.reconnect = reconnect;
        self.unhealthy = unhealthy;

        // Confirmations: new ones wait; one that left unanswered expired.
        let pending = pb.pending_approvals()?;
        for p in &pending {
            if !self.waiting.contains_key(&p.id) {
                out.push(Notice {
                    kind: NoticeKind::Approvals,
                    summary: format!("Confirm {} on {}?", p.tool, p.action),
                    body: format!(
                        "{} asks to run it. Approve or deny in Patchbay.",
                        p.requester
                    ),
                    screen: "actions",
                });
            }
        }
        let now: BTreeMap<String, (String, String)> = pending
            .into_iter()
            .map(|p| (p.id, (p.tool, p.action)))
            .collect();
        for (id, (tool, action)) in &self.waiting {
            if !now.contains_key(id)
                && pb
                    .approval(id)
                    .is_ok_and(|a| a.status == ApprovalStatus::Expired)
            {
                out.push(Notice {
                    kind: NoticeKind::Approvals,
                    summary: format!("A confirmation expired: {tool} on {action}"),
                    body: "Nobody answered in time, so the call was denied.".into(),
                    screen: "actions",
                });
            }
        }
        self.waiting = now;

        // Consents: a local app's browser sign-in at the gateway waits.
        let consents = pb.pending_gateway_consents()?.pending;
        for c in &consents {
            if !self.consents.contains(&c.id) {
                out.push(Notice {
                    kind: NoticeKind::Approvals,
                    summary: format!("{} wants to sign in to the gateway", c.client.name),
                    body: format!(
                        "Check that your browser shows the code {}, then allow or deny it in Patchbay.",
                        c.code
                    ),
                    screen: "gateway",
                });
            }
        }
        self.consents = consents.into_iter().map(|c| c.id).collect();

        // Gateway clients: the first call of an access key or an OAuth client.
        let clients = pb.gateway_clients(Duration::MAX)?;
        for c in &clients {
            if !self.clients.contains(&(c.kind.clone(), c.name.clone())) {
                let what = if c.kind == "oauth" {
                    "OAuth client"
                } else {
                    "access key"
                };
                out.push(Notice {
                    kind: NoticeKind::GatewayClients,
                    summary: format!("New gateway client: {}", c.name),
                    body: format!(
                        "The {what} '{}' called {} through the gateway.",
                        c.name, c.last_tool
                    ),
                    screen: "gateway",
                });
            }
        }
        self.clients = clients.into_iter().map(|c| (c.kind, c.name)).collect();

        self.looked = true;
        if first {
            return Ok(Vec::new());
        }
        let s = pb.settings();
        out.retain(|n| match n.kind {
            NoticeKind::Health => s.notify_health,
            NoticeKind::Approvals => s.notify_approvals,
            NoticeKind::GatewayClients => s.notify_gateway_clients,
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Health;

    fn unhealthy(p: &crate::testing::Profile, name: &str, message: &str) {
        let mut h = Health::unknown();
        h.status = HealthStatus::Unhealthy;
        h.reason = Some("network".into());
        h.message = Some(message.into());
        p.pb.record_health(name, &h).expect("set health");
    }

    fn healthy(p: &crate::testing::Profile, name: &str) {
        let mut h = Health::unknown();
        h.status = HealthStatus::Healthy;
        p.pb.record_health(name, &h).expect("set health");
    }

    fn summaries(n: &[Notice]) -> Vec<&str> {
        n.iter().map(|n| n.summary.as_str()).collect()
    }

    #[test]
    fn the_first_look_says_nothing_then_each_change_once() {
        let p = crate::testing::profile();
        crate::testing::action(&p, "mail");
        unhealthy(&p, "mail", "connection refused");
        let mut w = NoticeWatch::default();
        assert!(
            w.next(&p.pb).expect("look").is_empty(),
            "what was there already"
        );

        crate::testing::action(&p, "docs");
        unhealthy(&p, "docs", "timed out");
        let n = w.next(&p.pb).expect("look");
        assert_eq!(summaries(&n), ["docs is unhealthy"]);
        assert_eq!(
            (n[0].kind, n[0].body.as_str(), n[0].screen),
            (NoticeKind::Health, "timed out", "health")
        );
        assert!(w.next(&p.pb).expect("look").is_empty(), "once per change");
        unhealthy(&p, "docs", "still timing out");
        assert!(
            w.next(&p.pb).expect("look").is_empty(),
            "still unhealthy: no new notice"
        );

        healthy(&p, "docs");
        assert!(w.next(&p.pb).expect("look").is_empty());
        unhealthy(&p, "docs", "down again");
        assert_eq!(
            summaries(&w.next(&p.pb).expect("look")),
            ["docs is unhealthy"]
        );
    }

    #[test]
    fn a_waiting_confirmation_and_its_expiry_are_told_and_a_switch_silences_its_kind() {
        let p = crate::testing::profile();
        crate::testing::action(&p, "mail");
        let mut w = NoticeWatch::default();
        assert!(w.next(&p.pb).expect("look").is_empty());

        let r =
            p.pb.request_approval("mail", "send", None, "claude-code", Duration::from_secs(60))
                .expect("request");
        let n = w.next(&p.pb).expect("look");
        assert_eq!(summaries(&n), ["Confirm send on mail?"]);
        assert!(n[0].body.contains("claude-code"), "{}", n[0].body);
        assert_eq!(n[0].kind, NoticeKind::Approvals);
        assert!(w.next(&p.pb).expect("look").is_empty());

        p.clock.advance(time::Duration::seconds(61));
        let n = w.next(&p.pb).expect("look");
        assert_eq!(summaries(&n), ["A confirmation expired: send on mail"]);
        assert_eq!(
            p.pb.approval(&r.id).expect("row").status,
            ApprovalStatus::Expired
        );

        // Answered, it is not an expiry; switched off, nothing is said.
        let r =
            p.pb.request_approval("mail", "send", None, "claude-code", Duration::from_secs(60))
                .expect("request");
        w.next(&p.pb).expect("look");
        p.pb.decide_approval(&r.id, true).expect("approve");
        assert!(w.next(&p.pb).expect("look").is_empty(), "approved: nothing");
        p.pb.set_setting("notifyApprovals", "false").expect("off");
        p.pb.request_approval("mail", "send", None, "claude-code", Duration::from_secs(60))
            .expect("request");
        assert!(w.next(&p.pb).expect("look").is_empty(), "switched off");
    }
}
