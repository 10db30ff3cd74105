//! The gateway's OAuth clients: ones the user makes (custom: their actions chosen then), with
//! their lifecycle — secret shown once, rotate (the old secret stops at once), revoke (every
//! token dies at once), re-activate (no old token comes back). SQLite keeps only the SHA-256
//! of a secret.

use rusqlite::{OptionalExtension, params};

use super::keys::{self, KeyActions, KeyGrant};
use crate::Patchbay;
use crate::error::{Error, FormField, Kind, Result, at};
use crate::logs::{LogKind, NewLog};
use crate::model::{
    GatewayClientKind, GatewayClientStatus, GatewayClientType, GatewayClientView, NewGatewayClient,
};
use crate::store::named;
use crate::validate;

/// The readable prefix of a client id the user made.
pub const CLIENT_ID_PREFIX: &str = "pbc_";
/// The readable prefix of a client secret.
pub const SECRET_PREFIX: &str = "pbcs_";

/// `gateway client add`, typed.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub name: String,
    pub client_type: GatewayClientType,
    pub redirect_uris: Vec<String>,
    pub actions: KeyActions,
    /// `ACTION__TOOL`: limits ACTION to the tools listed for it.
    pub tools: Vec<String>,
}

/// A client as the authorization server checks it.
#[derive(Debug, Clone)]
pub(crate) struct ClientRow {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub client_type: GatewayClientType,
    pub kind: GatewayClientKind,
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub actions: String,
    pub tools: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub secret_rotated_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub(crate) const SELECT: &str = "SELECT id, client_id, name, type, kind, secret_hash, redirect_uris, actions, tools, created_at, last_used_at, secret_rotated_at, revoked_at FROM gateway_clients";

pub(crate) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClientRow> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let uris: String = r.get(6)?;
    Ok(ClientRow {
        id: r.get(0)?,
        client_id: r.get(1)?,
        name: r.get(2)?,
        client_type: text(3)?.parse().unwrap_or(GatewayClientType::Public),
        kind: text(4)?.parse().unwrap_or(GatewayClientKind::Custom),
        secret_hash: r.get(5)?,
        redirect_uris: serde_json::from_str(&uris).unwrap_or_default(),
        actions: r.get(7)?,
        tools: r.get(8)?,
        created_at: r.get(9)?,
        last_used_at: r.get(10)?,
        secret_rotated_at: r.get(11)?,
        revoked_at: r.get(12)?,
    })
}

impl ClientRow {
    /// What the client's tokens open, as the gateway checks it.
    pub(crate) fn grant(&self) -> Result<KeyGrant> {
        Ok(KeyGrant {
            name: self.name.clone(),
            expires_at: None,
            action_ids: keys::parse_ids(&self.actions)?,
            tools: keys::parse_tools(&self.tools)?,
            oauth_client: true,
        })
    }

    fn view(&self, c: &rusqlite::Connection) -> Result<GatewayClientView> {
        let (actions, tools) = keys::scope_names(c, &self.actions, &self.tools)?;
        Ok(GatewayClientView {
            name: self.name.clone(),
            client_id: self.client_id.clone(),
            client_type: self.client_type,
            kind: self.kind,
            status: if self.revoked_at.is_some() {
                GatewayClientStatus::Revoked
            } else {
                GatewayClientStatus::Active
            },
            redirect_uris: self.redirect_uris.clone(),
            actions,
            tools,
            created_at: self.created_at.clone(),
            last_used_at: self.last_used_at.clone(),
            secret_rotated_at: self.secret_rotated_at.clone(),
        })
    }
}

/// A redirect URI a client may use: an absolute URL without a fragment; `https`, or `http`
/// on a loopback address (RFC 8252 §7.3), or an app's private-use scheme (`com.example:/cb`).
pub fn redirect_uri(value: &str) -> Result<String> {
    let v = value.trim();
    let u = url::Url::parse(v).map_err(|e| {
        Error::invalid_with_hint(
            format!(
                "redirect URI '{}' is not a URL: {e}",
                validate::printable(v)
            ),
            "write the full URI your app listens on, e.g. http://127.0.0.1:8080/callback",
        )
    })?;
    if u.fragment().is_some() {
        return Err(Error::invalid(format!(
            "redirect URI '{}' must not have a fragment (#…)",
            validate::printable(v)
        )));
    }
    match u.scheme() {
        "https" if u.host().is_some() => Ok(v.to_string()),
        "http" if is_loopback(&u) => Ok(v.to_string()),
        "http" => Err(Error::invalid_with_hint(
            format!(
                "redirect URI '{}' uses plain http away from this computer",
                validate::printable(v)
            ),
            "use https, or http on 127.0.0.1, [::1] or localhost",
        )),
        s if s.contains('.') => Ok(v.to_string()),
        other => Err(Error::invalid_with_hint(
            format!("redirect URI scheme '{other}' is not allowed"),
            "use https, http on loopback, or your app's reverse-domain scheme (com.example.app:/callback)",
        )),
    }
}

fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether `asked` matches one of the registered redirect URIs: exactly, or for a loopback
/// URI on any port (RFC 8252 §7.3).
pub(crate) fn redirect_matches(registered: &[String], asked: &str) -> bool {
    if registered.iter().any(|r| r == asked) {
        return true;
    }
    let Ok(a) = url::Url::parse(asked) else {
        return false;
    };
    if a.scheme() != "http" || !is_loopback(&a) {
        return false;
    }
    registered.iter().any(|r| {
        url::Url::parse(r).is_ok_and(|mut r| {
            let mut a = a.clone();
            if r.scheme() != "http" || !is_loopback(&r) {
                return false;
            }
            let _ = r.set_port(None);
            let _ = a.set_port(None);
            r == a
        })
    })
}

impl Patchbay {
    /// `http://127.0.0.1:PORT`: the gateway's issuer.
    pub fn gateway_issuer(&self) -> String {
        let port = self
            .gateway_serving()
            .ok()
            .flatten()
            .map_or_else(|| self.settings().gateway_port, |s| s.port);
        format!("http://127.0.0.1:{port}")
    }

    /// Make a custom OAuth client; the secret (for a confidential one) is shown only here.
    pub fn add_gateway_client(&self, input: NewClient) -> Result<NewGatewayClient> {
        let name = validate::name("OAuth client", &input.name).map_err(at(FormField::Name))?;
        if input.redirect_uris.is_empty() {
            return Err(Error::invalid_with_hint(
                "an OAuth client needs at least one redirect URI",
                "add --redirect-uri with the URI your app listens on",
            )
            .at(FormField::Url));
        }
        let mut uris = Vec::new();
        for u in &input.redirect_uris {
            let u = redirect_uri(u).map_err(at(FormField::Url))?;
            if !uris.contains(&u) {
                uris.push(u);
            }
        }
        let client_id = keys::random_secret(CLIENT_ID_PREFIX)?;
        let secret = match input.client_type {
            GatewayClientType::Confidential => Some(keys::random_secret(SECRET_PREFIX)?),
            GatewayClientType::Public => None,
        };
        let now = self.now();
        let id = uuid::Uuid::new_v4().to_string();
        let uris_col = serde_json::to_string(&uris)
            .map_err(|e| Error::Internal(format!("cannot encode redirect URIs: {e}")))?;
        let view = self.store().write(|tx| {
            named::ensure_free(tx, Kind::OAuthClient, &name, None)?;
            let (actions_col, tools_col) =
                keys::resolve_scope(tx, &input.actions, &input.tools)?;
            let kind: &str = GatewayClientKind::Custom.into();
            let client_type: &str = input.client_type.into();
            tx.execute(
                "INSERT INTO gateway_clients (id, client_id, name, type, kind, secret_hash, redirect_uris, actions, tools, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    client_id,
                    name,
                    client_type,
                    kind,
                    secret.as_deref().map(keys::key_hash),
                    uris_col,
                    actions_col,
                    tools_col,
                    now
                ],
            )?;
            named::find(tx, Kind::OAuthClient, SELECT, "name", &name, row)?.view(tx)
        })?;
        self.log_client(
            &view.name,
            format!(
                "OAuth client '{}' made ({})",
                view.name,
                <&str>::from(view.client_type)
            ),
        );
        Ok(self.shown_once(view, secret))
    }

    fn shown_once(&self, v: GatewayClientView, secret: Option<String>) -> NewGatewayClient {
        let issuer = self.gateway_issuer();
        NewGatewayClient {
            name: v.name,
            client_id: v.client_id,
            client_secret: secret,
            endpoint: format!("{issuer}/mcp"),
            issuer,
            redirect_uris: v.redirect_uris,
            actions: v.actions,
            tools: v.tools,
        }
    }

    fn log_client(&self, name: &str, summary: String) {
        self.log(NewLog {
            subject: Some(name),
            kind: Some(LogKind::GatewayAuth),
            ok: true,
            summary,
            ..Default::default()
        });
    }

    /// Every OAuth client, by name (never a secret).
    pub fn list_gateway_clients(&self) -> Result<Vec<GatewayClientView>> {
        self.store().read(|c| {
            named::all(c, SELECT, "name", row)?
                .into_iter()
                .map(|r| r.view(c))
                .collect()
        })
    }

    /// A new secret for a confidential client: the old one stops working at once.
    pub fn rotate_gateway_client_secret(&self, name: &str) -> Result<NewGatewayClient> {
        let secret = keys::random_secret(SECRET_PREFIX)?;
        let now = self.now();
        let view = self.store().write(|tx| {
            let r = named::find(tx, Kind::OAuthClient, SELECT, "name", name, row)?;
            if r.client_type != GatewayClientType::Confidential {
                return Err(Error::invalid_with_hint(
                    format!(
                        "'{}' is a public client: it has no secret to rotate",
                        r.name
                    ),
                    "public clients sign in with PKCE alone",
                ));
            }
            tx.execute(
                "UPDATE gateway_clients SET secret_hash = ?2, secret_rotated_at = ?3 WHERE id = ?1",
                params![r.id, keys::key_hash(&secret), now],
            )?;
            named::find(tx, Kind::OAuthClient, SELECT, "name", name, row)?.view(tx)
        })?;
        self.log_client(
            &view.name,
            format!(
                "OAuth client '{}': secret rotated (the old one stopped working)",
                view.name
            ),
        );
        Ok(self.shown_once(view, Some(secret)))
    }

    /// Revoke a client: it cannot sign in, every token it holds dies at once, and the consents
    /// it was given are forgotten.
    pub fn revoke_gateway_client(&self, name: &str) -> Result<GatewayClientView> {
        let now = self.now();
        let (view, changed) = self.store().write(|tx| {
            let r = named::find(tx, Kind::OAuthClient, SELECT, "name", name, row)?;
            let changed = r.revoked_at.is_none();
            if changed {
                tx.execute(
                    "UPDATE gateway_clients SET revoked_at = ?2 WHERE id = ?1",
                    params![r.id, now],
                )?;
                tx.execute(
                    "UPDATE gateway_grants SET revoked_at = ?2 WHERE client = ?1 AND revoked_at IS NULL",
                    params![r.id, now],
                )?;
                // A consent given before is forgotten: after re-activation it is asked again.
                tx.execute(
                    "DELETE FROM gateway_consent_memory WHERE client = ?1",
                    [&r.id],
                )?;
            }
            Ok((
                named::find(tx, Kind::OAuthClient, SELECT, "name", name, row)?.view(tx)?,
                changed,
            ))
        })?;
        if changed {
            self.log_client(
                &view.name,
                format!(
                    "OAuth client '{}' revoked: every token it held stopped working",
                    view.name
                ),
            );
        }
        Ok(view)
    }

    /// Let a revoked client sign in again; none of its old tokens comes back.
    pub fn reactivate_gateway_client(&self, name: &str) -> Result<GatewayClientView> {
        let (view, changed) = self.store().write(|tx| {
            let r = named::find(tx, Kind::OAuthClient, SELECT, "name", name, row)?;
            let changed = r.revoked_at.is_some();
            tx.execute(
                "UPDATE gateway_clients SET revoked_at = NULL WHERE id = ?1",
                [&r.id],
            )?;
            Ok((
                named::find(tx, Kind::OAuthClient, SELECT, "name", name, row)?.view(tx)?,
                changed,
            ))
        })?;
        if changed {
            self.log_client(
                &view.name,
                format!(
                    "OAuth client '{}' re-activated (it must sign in again)",
                    view.name
                ),
            );
        }
        Ok(view)
    }

    /// The client with this `client_id`, if any.
    pub(crate) fn gateway_client_by_id(&self, client_id: &str) -> Result<Option<ClientRow>> {
        self.store().read(|c| {
            Ok(
                c.query_row(&format!("{SELECT} WHERE client_id = ?1"), [client_id], row)
                    .optional()?,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_on_any_port_others_exactly() {
        let reg = vec![
            "http://127.0.0.1:8080/callback".to_string(),
            "https://app.example/cb".to_string(),
        ];
        assert!(redirect_matches(&reg, "http://127.0.0.1:8080/callback"));
        assert!(redirect_matches(&reg, "http://127.0.0.1:51234/callback"));
        assert!(!redirect_matches(&reg, "http://127.0.0.1:51234/other"));
        assert!(!redirect_matches(&reg, "http://localhost:8080/callback"));
        assert!(redirect_matches(&reg, "https://app.example/cb"));
        assert!(!redirect_matches(&reg, "https://app.example/cb?x=1"));
        assert!(!redirect_matches(&reg, "https://app.example:444/cb"));
        for bad in [
            "http://app.example/cb",
            "ftp://x/y",
            "https://x.example/#f",
            "nope",
        ] {
            assert!(redirect_uri(bad).is_err(), "{bad}");
        }
        for ok in [
            "http://[::1]:9/cb",
            "https://x.example/cb",
            "com.example.app:/cb",
        ] {
            assert!(redirect_uri(ok).is_ok(), "{ok}");
        }
    }
}
