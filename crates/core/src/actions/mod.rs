//! Custom actions (Add Custom Action): a remote MCP server or an HTTP endpoint,
//! how it authenticates, whether each use needs the user's confirmation, and its health.

mod input;
mod merge;
mod row;

pub use input::*;
use merge::*;
pub(crate) use merge::{KeyPlan, client_auth};
pub(crate) use row::names_using;
use row::*;

use rusqlite::{OptionalExtension, Row, Transaction, params};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FormField, Kind, Result, at};
use crate::model::{
    ActionKind, ActionView, AuthRef, AuthSpec, AuthType, CallbackKind, Header, Health,
    HttpActionSpec, OAuthGrant, OAuthSettings, OAuthView, PublicJwk, TokenAuthMethod, TokenKind,
};
use crate::validate;
use crate::vault::keys;
use crate::{Entries, Patchbay};

impl Patchbay {
    /// Every action, ordered by name.
    pub fn list_actions(&self) -> Result<Vec<ActionView>> {
        self.store().read(|c| {
            let rows = crate::store::named::all(c, SELECT, "a.name", from_row)?;
            let now = self.now();
            rows.into_iter().map(|r| r.into_view(&now)).collect()
        })
    }

    pub fn get_action(&self, name: &str) -> Result<ActionView> {
        self.store().read(|c| get_in(c, name, &self.now()))
    }

    pub fn add_action(&self, input: NewAction) -> Result<ActionView> {
        let name = action_name(&input.name)?;
        let url = if input.http.is_some() {
            validate::templated_url("HTTP endpoint URL", &input.url)
        } else {
            validate::url("MCP server URL", &input.url)
        }
        .map_err(at(FormField::Url))?;
        let kind = if input.http.is_some() {
            ActionKind::Http
        } else {
            ActionKind::Mcp
        };
        let http = input.http.as_ref().map(http_spec).transpose()?;
        let spec = match input.auth.clone() {
            Some(a) => a,
            None if !input.oauth.is_empty() => AuthSpec::OAuth,
            None => AuthSpec::None,
        };
        let merged = if spec == AuthSpec::OAuth {
            let m = merge_oauth(
                Current {
                    settings: OAuthSettings::default(),
                    grant: OAuthGrant::AuthorizationCode,
                    had_secret: false,
                    had_key: false,
                },
                &input.oauth,
                false,
            )?;
            require_endpoints_for_http(kind, &m)?;
            Some(m)
        } else {
            if !input.oauth.is_empty() {
                return Err(oauth_only_error());
            }
            None
        };
        let has_secret = merged.as_ref().is_some_and(|m| m.has_secret);
        let description = input.description.unwrap_or_default();
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let mut secrets: Vec<(String, SecretString)> = input
            .oauth
            .client_secret
            .into_iter()
            .map(|s| (keys::action_client_secret(&id), s))
            .collect();
        let mut public_jwk: Option<PublicJwk> = None;
        if let Some((pem, jwk)) = merged
            .as_ref()
            .map(|m| m.key.material())
            .transpose()?
            .flatten()
        {
            secrets.push((keys::action_private_key(&id), pem));
            public_jwk = Some(jwk);
        }
        let grant = merged.as_ref().map(|m| m.grant);
        let oauth = merged.map(|m| m.settings);
        self.write_with_secrets(Entries::New, &secrets, |tx| {
            ensure_name_free(tx, &name, None)?;
            let auth = resolve_auth(tx, &spec)?;
            tx.execute(
                "INSERT INTO actions (id, name, kind, url, description, enabled, confirm, auth_type, token_id,
                    connection_id, oauth, has_client_secret, http, created_at, updated_at, grant_type, public_jwk)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16)",
                params![
                    id,
                    name,
                    kind.as_str(),
                    url.as_str(),
                    description,
                    !input.disabled,
                    input.confirm,
                    auth.auth_type.as_str(),
                    auth.token_id,
                    auth.connection_id,
                    oauth.as_ref().map(to_json).transpose()?,
                    has_secret,
                    http.as_ref().map(to_json).transpose()?,
                    now,
                    grant.map(|g| g.as_str()),
                    public_jwk.as_ref().map(to_json).transpose()?,
                ],
            )?;
            get_in(tx, &name, &self.now())
        })
    }

    pub fn edit_action(&self, name: &str, patch: ActionPatch) -> Result<ActionView> {
        let current = self.get_action(name)?;
        let new_name = patch.rename.as_deref().map(action_name).transpose()?;
        let url = patch
            .url
            .as_deref()
            .map(|u| {
                if current.kind == ActionKind::Http {
                    validate::templated_url("HTTP endpoint URL", u)
                } else {
                    validate::url("MCP server URL", u)
                }
            })
            .transpose()
            .map_err(at(FormField::Url))?;
        let spec = match patch.auth.clone() {
            Some(a) => a,
            None => match current.auth.kind {
                AuthType::None => AuthSpec::None,
                AuthType::OAuth => AuthSpec::OAuth,
                AuthType::Token => {
                    AuthSpec::Token(current.auth.reference.clone().unwrap_or_default())
                }
                AuthType::HttpToken => {
                    AuthSpec::HttpToken(current.auth.reference.clone().unwrap_or_default())
                }
                AuthType::Connection => {
                    AuthSpec::Connection(current.auth.reference.clone().unwrap_or_default())
                }
            },
        };
        let oauth_touched = !patch.oauth.is_empty() || patch.clear_client_secret;
        let merged = if spec == AuthSpec::OAuth {
            let base = Current {
                settings: current
                    .oauth
                    .as_ref()
                    .map(|o| o.settings.clone())
                    .unwrap_or_default(),
                grant: current.grant.unwrap_or_default(),
                had_secret: current.oauth.as_ref().is_some_and(|o| o.client_secret_set),
                had_key: current.public_jwk.is_some(),
            };
            let m = merge_oauth(base, &patch.oauth, patch.clear_client_secret)?;
            require_endpoints_for_http(current.kind, &m)?;
            Some(m)
        } else {
            if oauth_touched {
                return Err(oauth_only_error());
            }
            None
        };
        let has_secret = merged.as_ref().is_some_and(|m| m.has_secret);
        let key_change = merged
            .as_ref()
            .map(|m| m.key.material())
            .transpose()?
            .flatten();
        // The key kept, replaced, or gone (with OAuth itself, or when the method changes).
        let keeps_key = merged
            .as_ref()
            .is_some_and(|m| matches!(m.key, KeyPlan::Keep));
        let public_jwk = match &key_change {
            Some((_, jwk)) => Some(jwk.clone()),
            None if keeps_key => current.public_jwk.clone(),
            None => None,
        };
        let grant = merged.as_ref().map(|m| m.grant);
        let oauth = merged.map(|m| m.settings);
        let http_touched =
            patch.method.is_some() || patch.headers.is_some() || patch.body.is_some();
        let http = match (&current.http, http_touched) {
            (None, true) => {
                return Err(Error::invalid_with_hint(
                    format!(
                        "'{}' is an MCP action: method, headers and body apply only to HTTP actions",
                        current.name
                    ),
                    "remove it and add it again with --http to make it an HTTP action",
                ));
            }
            (Some(h), _) => {
                let input = HttpInput {
                    method: Some(patch.method.clone().unwrap_or_else(|| h.method.clone())),
                    headers: patch.headers.clone().unwrap_or_else(|| h.headers.clone()),
                    body: match &patch.body {
                        Some(b) => b.clone(),
                        None => h.body.clone(),
                    },
                };
                Some(http_spec(&input)?)
            }
            (None, false) => None,
        };
        let config_changed = url.as_ref().is_some_and(|u| u.as_str() != current.url)
            || patch.auth.is_some()
            || oauth_touched
            || http_touched;
        let secret_key = keys::action_client_secret(&current.id);
        let private_key = keys::action_private_key(&current.id);
        let mut secrets: Vec<(String, SecretString)> = patch
            .oauth
            .client_secret
            .into_iter()
            .map(|s| (secret_key.clone(), s))
            .collect();
        if let Some((pem, _)) = key_change {
            secrets.push((private_key.clone(), pem));
        }
        let now = self.now();
        let id = current.id.clone();
        let final_name = new_name.clone().unwrap_or_else(|| current.name.clone());
        let view = self.write_with_secrets(Entries::MayExist, &secrets, |tx| {
            if let Some(n) = &new_name {
                ensure_name_free(tx, n, Some(&id))?;
            }
            let auth = resolve_auth(tx, &spec)?;
            tx.execute(
                "UPDATE actions SET name = ?2, url = ?3, description = ?4, enabled = ?5, confirm = ?6,
                    auth_type = ?7, token_id = ?8, connection_id = ?9, oauth = ?10, has_client_secret = ?11,
                    http = ?12, updated_at = ?13, grant_type = ?14, public_jwk = ?15
                 WHERE id = ?1",
                params![
                    id,
                    final_name,
                    url.as_ref().map(|u| u.to_string()).unwrap_or_else(|| current.url.clone()),
                    patch.description.clone().unwrap_or_else(|| current.description.clone()),
                    patch.enabled.unwrap_or(current.enabled),
                    patch.confirm.unwrap_or(current.confirm),
                    auth.auth_type.as_str(),
                    auth.token_id,
                    auth.connection_id,
                    oauth.as_ref().map(to_json).transpose()?,
                    has_secret,
                    http.as_ref().map(to_json).transpose()?,
                    now,
                    grant.map(|g| g.as_str()),
                    public_jwk.as_ref().map(to_json).transpose()?,
                ],
            )?;
            if config_changed {
                // Health describes the configuration that was tested: it is Unknown again.
                tx.execute(
                    "UPDATE actions SET health_status = 'unknown', health_reason = NULL, health_message = NULL,
                        health_checked_at = NULL, health_latency_ms = NULL, health_tool_count = NULL
                     WHERE id = ?1",
                    [&id],
                )?;
            }
            get_in(tx, &final_name, &self.now())
        })?;
        if !has_secret && current.oauth.as_ref().is_some_and(|o| o.client_secret_set) {
            self.forget_secrets(&[secret_key]);
        }
        if view.public_jwk.is_none() && current.public_jwk.is_some() {
            self.forget_secrets(&[private_key]);
        }
        Ok(view)
    }

    pub fn set_action_enabled(&self, name: &str, enabled: bool) -> Result<ActionView> {
        let now = self.now();
        self.store().write(|tx| {
            let n = tx.execute(
                "UPDATE actions SET enabled = ?2, updated_at = ?3 WHERE name = ?1 COLLATE NOCASE",
                params![name, enabled, now],
            )?;
            if n == 0 {
                return Err(Error::NotFound {
                    kind: Kind::Action,
                    name: name.to_string(),
                });
            }
            get_in(tx, name, &self.now())
        })
    }

    /// Remove the action's row, then its secrets.
    pub fn remove_action(&self, name: &str) -> Result<ActionView> {
        let view = self.store().write(|tx| {
            let view = get_in(tx, name, &self.now())?;
            tx.execute("DELETE FROM actions WHERE id = ?1", [&view.id])?;
            Ok(view)
        })?;
        self.forget_secrets(&[
            keys::action_client_secret(&view.id),
            keys::action_private_key(&view.id),
            keys::action_oauth_tokens(&view.id),
            keys::dpop_key(&format!("action/{}", view.id)),
        ]);
        Ok(view)
    }

    /// Record the result of a health check.
    pub fn record_health(&self, name: &str, health: &Health) -> Result<()> {
        self.store().write(|tx| {
            let n = tx.execute(
                "UPDATE actions SET health_status = ?2, health_reason = ?3, health_message = ?4,
                    health_checked_at = ?5, health_latency_ms = ?6, health_tool_count = ?7
                 WHERE name = ?1 COLLATE NOCASE",
                params![
                    name,
                    health.status.as_str(),
                    health.reason,
                    health.message,
                    health.checked_at,
                    health.latency_ms,
                    health.tool_count
                ],
            )?;
            if n == 0 {
                return Err(Error::NotFound {
                    kind: Kind::Action,
                    name: name.to_string(),
                });
            }
            Ok(())
        })
    }

    /// The client secret of an action's own OAuth client.
    pub fn action_client_secret(&self, action: &ActionView) -> Result<Option<SecretString>> {
        match &action.oauth {
            Some(o) if o.client_secret_set => {
                self.vault().get(&keys::action_client_secret(&action.id))
            }
            _ => Ok(None),
        }
    }
}

/// An action's name: a name (`validate::name`) without `__`, which separates the action from
/// the tool in the gateway's tool names (`ACTION__TOOL`).
fn action_name(name: &str) -> Result<String> {
    let name = validate::name("action", name).map_err(at(FormField::Name))?;
    if name.contains(crate::model::TOOL_SEPARATOR) {
        return Err(Error::invalid_with_hint(
            format!("action name '{name}' contains '__'"),
            "the gateway names tools ACTION__TOOL: use one '_' or a '-' instead",
        )
        .at(FormField::Name));
    }
    Ok(name)
}
