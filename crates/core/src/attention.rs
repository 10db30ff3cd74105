//! What needs the user now, at a glance: actions to connect again, tool calls waiting for
//! confirmation, local apps waiting for consent at the gateway, open circuit breakers. Each
//! with the command that fixes it (`patchbay status`, the Actions screen).

use std::collections::BTreeSet;

use crate::Patchbay;
use crate::error::{Kind, Result};
use crate::model::{Attention, AttentionKind, AuthType, BreakerState, HealthStatus, OAuthGrant};

/// The desktop's tray at a glance: its icon's state and what its menu lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glance {
    pub state: GlanceState,
    /// What needs the user, each with the screen that fixes it.
    pub items: Vec<GlanceItem>,
    /// The `gatewayEnabled` setting.
    pub gateway_on: bool,
    /// Some enabled action asks for confirmation before its tool calls.
    pub confirmations: bool,
}

/// The tray icon's three looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlanceState {
    /// Nothing needs the user and the gateway is on.
    Healthy,
    /// Something needs the user (this wins over the gateway being off).
    NeedsYou,
    /// Nothing needs the user; the gateway is off.
    GatewayOff,
}

impl GlanceState {
    /// The words the tray's menu starts with.
    pub fn words(self, items: usize) -> String {
        match self {
            GlanceState::Healthy => "All healthy".into(),
            GlanceState::GatewayOff => "All healthy · gateway off".into(),
            GlanceState::NeedsYou if items == 1 => "1 thing needs you".into(),
            GlanceState::NeedsYou => format!("{items} things need you"),
        }
    }
}

/// One line of the tray's menu: what needs the user, and the app's screen that fixes it
/// (`actions`, `connections`, `health`: the window's routes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlanceItem {
    pub label: String,
    pub screen: &'static str,
}

/// A menu line at most this long (in characters).
const LABEL_MAX: usize = 80;

fn label(text: &str) -> String {
    if text.chars().count() <= LABEL_MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(LABEL_MAX - 1).collect();
    format!("{cut}…")
}

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

impl Patchbay {
    /// The tray at a glance: [`Patchbay::attention`] plus the enabled actions whose last
    /// check found them unhealthy, the gateway's switch, and whether confirmations are on.
    pub fn glance(&self) -> Result<Glance> {
        let attention = self.attention()?;
        let actions = self.list_actions()?;
        let approvals = self.pending_approvals()?;
        let mut items: Vec<GlanceItem> = attention
            .iter()
            .map(|a| GlanceItem {
                // A waiting call leads with what it runs (who asks can be long).
                label: match approvals.iter().find(|p| Some(&p.id) == a.id.as_ref()) {
                    Some(p) if a.kind == AttentionKind::Approval => label(&format!(
                        "Confirm {} on {}: {}",
                        p.tool, p.action, p.requester
                    )),
                    _ => label(&a.message),
                },
                screen: match a.kind {
                    AttentionKind::Reconnect if a.fix.starts_with("patchbay connection ") => {
                        "connections"
                    }
                    AttentionKind::BreakerOpen => "health",
                    _ => "actions",
                },
            })
            .collect();
        for a in actions.iter().filter(|a| {
            a.enabled
                && a.health.status == HealthStatus::Unhealthy
                && !attention.iter().any(|t| t.subject == a.name)
        }) {
            let why = a
                .health
                .message
                .as_deref()
                .or(a.health.reason.as_deref())
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            items.push(GlanceItem {
                label: label(&format!("'{}' is unhealthy{why}", a.name)),
                screen: "health",
            });
        }
        let gateway_on = self.settings().gateway_enabled;
        let state = if !items.is_empty() {
            GlanceState::NeedsYou
        } else if gateway_on {
            GlanceState::Healthy
        } else {
            GlanceState::GatewayOff
        };
        Ok(Glance {
            state,
            items,
            gateway_on,
            confirmations: actions.iter().any(|a| a.enabled && a.confirm),
        })
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

    #[test]
    fn the_glance_says_what_needs_the_user_and_where_it_is_fixed() {
        let p = crate::testing::profile();
        let g = p.pb.glance().expect("glance");
        assert_eq!(
            g.state,
            GlanceState::GatewayOff,
            "nothing there, gateway off"
        );
        assert!(g.items.is_empty() && !g.gateway_on && !g.confirmations);
        p.pb.set_setting("gatewayEnabled", "true").expect("on");
        assert_eq!(p.pb.glance().expect("glance").state, GlanceState::Healthy);
        assert_eq!(GlanceState::Healthy.words(0), "All healthy");

        crate::testing::action(&p, "plain");
        p.pb.add_action(crate::actions::NewAction {
            name: "mail".into(),
            url: "https://mcp.example.com/mcp".into(),
            auth: Some(crate::model::AuthSpec::OAuth),
            confirm: true,
            ..Default::default()
        })
        .expect("oauth action");
        let g = p.pb.glance().expect("glance");
        assert_eq!(g.state, GlanceState::NeedsYou);
        assert!(g.confirmations, "mail asks for confirmation");
        assert_eq!(
            g.items,
            [GlanceItem {
                label: "action 'mail' is not connected yet".into(),
                screen: "actions",
            }]
        );
        assert_eq!(g.state.words(g.items.len()), "1 thing needs you");
        assert_eq!(GlanceState::NeedsYou.words(3), "3 things need you");

        // A failing check is listed too, with its reason, fixed on Health.
        let mut h = crate::model::Health::unknown();
        h.status = HealthStatus::Unhealthy;
        h.message = Some("connection refused".into());
        p.pb.record_health("plain", &h).expect("health");
        let g = p.pb.glance().expect("glance");
        assert_eq!(
            g.items[1],
            GlanceItem {
                label: "'plain' is unhealthy: connection refused".into(),
                screen: "health",
            }
        );
        assert_eq!(g.state.words(g.items.len()), "2 things need you");
    }

    #[test]
    fn a_long_menu_line_is_cut_with_an_ellipsis() {
        let long = "x".repeat(200);
        let l = label(&long);
        assert_eq!(l.chars().count(), LABEL_MAX);
        assert!(l.ends_with('…'));
        assert_eq!(label("short"), "short");
    }
}
