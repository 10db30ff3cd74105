//! What needs the user now, at a glance: actions to connect again, tool calls waiting for
//! confirmation, local apps waiting for consent at the gateway, open circuit breakers. Each
//! with the command that fixes it (`patchbay status`, the Actions screen).

use std::collections::BTreeSet;

use crate::Patchbay;
use crate::error::{Kind, Result};
use crate::model::{Attention, AttentionKind, AuthType, BreakerState, OAuthGrant};

impl Patchbay {
    /// Everything that needs the user, reconnects first, then waiting approvals and consents,
    /// then open breakers.
    pub fn attention(&self) -> Result<Vec<Attention>> {
        let mut out = Vec::new();
        let actions = self.list_actions()?;
        // A connection shared by several actions is named once.
        let mut connections_seen = BTreeSet::new();
        for a in actions.iter().filter(|a| a.enabled) {
            let (kind, owner, fix) = match (a.auth.kind, &a.auth.reference) {
                (AuthType::OAuth, _) => (
                    Kind::Action,
                    a.name.clone(),
                    format!("patchbay connect {}", a.name),
                ),
                (AuthType::Connection, Some(c)) => {
                    if !connections_seen.insert(c.to_lowercase()) {
                        continue;
                    }
                    (
                        Kind::Connection,
                        c.clone(),
                        format!("patchbay connection connect {c}"),
                    )
                }
                _ => continue,
            };
            let Ok(g) = self.oauth_status(kind, &owner) else {
                continue;
            };
            if g.connected {
                continue;
            }
            // Grants with no user (client credentials, a workload's token, the identity
            // provider's sign-in) get their first token on first use. Only one the server
            // refused needs the user, or an identity provider nobody is signed in at.
            let no_user = match kind {
                Kind::Connection => self
                    .get_connection(&owner)
                    .is_ok_and(|c| c.grant.fetched_without_user()),
                _ => a.grant.is_some_and(|g| g.fetched_without_user()),
            };
            if no_user && !g.needs_reconnect {
                let idp = a.oauth.as_ref().and_then(|o| o.settings.idp.clone());
                if let Some(idp) = idp.filter(|_| a.grant == Some(OAuthGrant::EnterpriseManaged))
                    && self.get_idp(&idp).is_ok_and(|i| !i.signed_in)
                {
                    out.push(Attention {
                        kind: AttentionKind::Reconnect,
                        subject: a.name.clone(),
                        message: format!(
                            "{kind} '{owner}' gets its tokens through the identity provider {idp}, where nobody is signed in"
                        ),
                        fix: format!("patchbay idp login {idp}"),
                        id: None,
                    });
                }
                continue;
            }
            let message = match (g.needs_reconnect, &g.reconnect_reason) {
                (true, Some(why)) => format!("{kind} '{owner}' must be connected again: {why}"),
                (true, None) => format!("{kind} '{owner}' must be connected again"),
                (false, _) => format!("{kind} '{owner}' is not connected yet"),
            };
            out.push(Attention {
                kind: AttentionKind::Reconnect,
                subject: a.name.clone(),
                message,
                fix,
                id: None,
            });
        }
        for p in self.pending_approvals()? {
            out.push(Attention {
                kind: AttentionKind::Approval,
                subject: p.action.clone(),
                message: format!("{} asks to run {} on {}", p.requester, p.tool, p.action),
                fix: format!("patchbay approve {} (or deny it)", p.id),
                id: Some(p.id),
            });
        }
        for c in self.pending_gateway_consents()?.pending {
            out.push(Attention {
                kind: AttentionKind::Consent,
                subject: c.client.name.clone(),
                message: format!(
                    "{} wants to sign in to the gateway (code {})",
                    c.client.name, c.code
                ),
                fix: format!("patchbay gateway approve {} (or deny it)", c.code),
                id: Some(c.id),
            });
        }
        for a in actions
            .iter()
            .filter(|a| a.enabled && a.breaker.state == BreakerState::Open)
        {
            out.push(Attention {
                kind: AttentionKind::BreakerOpen,
                subject: a.name.clone(),
                message: format!(
                    "'{}' failed {} times in a row: calls fail fast{}",
                    a.name,
                    a.breaker.failures,
                    a.breaker
                        .retry_at
                        .as_deref()
                        .map(|t| format!(" until {t}"))
                        .unwrap_or_default()
                ),
                fix: format!(
                    "patchbay test {} (once fixed, a passing test closes it)",
                    a.name
                ),
                id: None,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unconnected_oauth_action_needs_connecting_and_a_plain_one_nothing() {
        let p = crate::testing::profile();
        crate::testing::action(&p, "plain");
        p.pb.add_action(crate::actions::NewAction {
            name: "mail".into(),
            url: "https://mcp.example.com/mcp".into(),
            auth: Some(crate::model::AuthSpec::OAuth),
            ..Default::default()
        })
        .expect("oauth action");
        // Client credentials fetch their first token on first use: nothing for the user.
        p.pb.add_action(crate::actions::NewAction {
            name: "reports".into(),
            url: "https://mcp.example.com/reports/mcp".into(),
            auth: Some(crate::model::AuthSpec::OAuth),
            oauth: crate::actions::OAuthInput {
                grant: Some(OAuthGrant::ClientCredentials),
                client_id: Some("svc".into()),
                client_secret: Some(crate::SecretString::from("s3cret".to_string())),
                ..Default::default()
            },
            ..Default::default()
        })
        .expect("client credentials action");
        let a = p.pb.attention().expect("attention");
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].kind, AttentionKind::Reconnect);
        assert_eq!(a[0].subject, "mail");
        assert_eq!(a[0].fix, "patchbay connect mail");
        assert!(
            a[0].message.contains("not connected yet"),
            "{}",
            a[0].message
        );
    }
}
