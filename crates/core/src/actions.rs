//! Custom actions (Add Custom Action): a remote MCP server or an HTTP endpoint,
//! how it authenticates, whether each use needs the user's confirmation, and its health.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FormField, Kind, Result, at};
use crate::model::{
    ActionKind, ActionView, AuthRef, AuthSpec, AuthType, CallbackKind, Header, Health,
    HttpActionSpec, OAuthSettings, OAuthView, TokenAuthMethod, TokenKind,
};
use crate::validate;
use crate::vault::keys;
use crate::{Entries, Patchbay};

/// The request settings of an HTTP action, as typed.
#[derive(Debug, Default, Clone)]
pub struct HttpInput {
    pub method: Option<String>,
    pub headers: Vec<Header>,
    pub body: Option<String>,
}

/// An action's own OAuth settings (Advanced configuration), as typed.
#[derive(Debug, Default)]
pub struct OAuthInput {
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    /// `Some(None)`: automatic (a confidential client with a secret, a public one without).
    pub token_auth_method: Option<Option<TokenAuthMethod>>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub registration_url: Option<String>,
    /// Space- or comma-separated.
    pub scopes: Option<String>,
    pub assume_pkce_s256: Option<bool>,
    /// `Some("")` clears the override.
    pub resource_override: Option<String>,
    pub omit_resource: Option<bool>,
    /// `Some("")` clears it.
    pub client_metadata_url: Option<String>,
    pub callback: Option<CallbackKind>,
}

impl OAuthInput {
    fn is_empty(&self) -> bool {
        self.assume_pkce_s256.is_none()
            && self.callback.is_none()
            && self.resource_override.is_none()
            && self.omit_resource.is_none()
            && self.client_metadata_url.is_none()
            && self.client_id.is_none()
            && self.client_secret.is_none()
            && self.token_auth_method.is_none()
            && self.authorization_url.is_none()
            && self.token_url.is_none()
            && self.registration_url.is_none()
            && self.scopes.is_none()
    }
}

#[derive(Debug, Default)]
pub struct NewAction {
    pub name: String,
    pub url: String,
    /// `Some` for an HTTP action, `None` for a remote MCP server.
    pub http: Option<HttpInput>,
    /// When absent: OAuth if any OAuth setting is given, else none.
    pub auth: Option<AuthSpec>,
    pub oauth: OAuthInput,
    pub description: Option<String>,
    pub confirm: bool,
    pub disabled: bool,
}

/// Changes to an action; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ActionPatch {
    pub rename: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub confirm: Option<bool>,
    pub enabled: Option<bool>,
    pub auth: Option<AuthSpec>,
    /// OAuth settings to change (only with OAuth authentication).
    pub oauth: OAuthInput,
    /// Remove the stored client secret.
    pub clear_client_secret: bool,
    pub method: Option<String>,
    /// Replaces every header when `Some`.
    pub headers: Option<Vec<Header>>,
    /// `Some(None)` removes the body.
    pub body: Option<Option<String>>,
}

/// The JSON stored in `actions.http`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct HttpColumn {
    method: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

fn http_spec(input: &HttpInput) -> Result<HttpColumn> {
    let mut headers = Vec::with_capacity(input.headers.len());
    for h in &input.headers {
        let h = validate::header(&h.name, &h.value).map_err(at(FormField::Headers))?;
        if h.name.eq_ignore_ascii_case("authorization") {
            return Err(Error::invalid_with_hint(
                "an HTTP action's Authorization header comes from its authentication, not from a fixed header",
                "keep the credential in a token (`patchbay token add`) and use --auth token:NAME",
            )
            .at(FormField::Headers));
        }
        headers.push((h.name, h.value));
    }
    if let Some(body) = &input.body {
        validate::template_params(body).map_err(at(FormField::Body))?;
    }
    let method = match &input.method {
        Some(m) => validate::method(m).map_err(at(FormField::Method))?,
        None if input.body.is_some() => "POST".to_string(),
        None => "GET".to_string(),
    };
    if input.body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
        return Err(Error::invalid_with_hint(
            format!("a {method} request cannot have a body"),
            "use --method POST (or PUT / PATCH), or drop --body",
        )
        .at(FormField::Body));
    }
    Ok(HttpColumn {
        method,
        headers,
        body: input.body.clone(),
    })
}

/// Resolved authentication: what goes in the row.
struct AuthRow {
    auth_type: AuthType,
    token_id: Option<String>,
    connection_id: Option<String>,
}

fn resolve_auth(tx: &Transaction<'_>, spec: &AuthSpec) -> Result<AuthRow> {
    resolve_auth_row(tx, spec).map_err(at(FormField::Auth))
}

fn resolve_auth_row(tx: &Transaction<'_>, spec: &AuthSpec) -> Result<AuthRow> {
    let mut row = AuthRow {
        auth_type: spec.auth_type(),
        token_id: None,
        connection_id: None,
    };
    match spec {
        AuthSpec::None | AuthSpec::OAuth => {}
        AuthSpec::Token(name) | AuthSpec::HttpToken(name) => {
            let found: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT id, kind, name FROM tokens WHERE name = ?1 COLLATE NOCASE",
                    [name],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((id, kind, real)) = found else {
                return Err(Error::invalid_with_hint(
                    format!("token '{name}' does not exist"),
                    "create it first with `patchbay token add`, or see `patchbay token list`",
                ));
            };
            let kind: TokenKind = crate::model::from_column("token kind", &kind)?;
            match (spec, kind) {
                (AuthSpec::Token(_), TokenKind::HttpRequest) => {
                    return Err(Error::invalid_with_hint(
                        format!("token '{real}' is an HTTP request token"),
                        format!("use --auth http-token:{real}"),
                    ));
                }
                (AuthSpec::HttpToken(_), TokenKind::Text) => {
                    return Err(Error::invalid_with_hint(
                        format!("token '{real}' is a text token, not an HTTP request token"),
                        format!("use --auth token:{real}"),
                    ));
                }
                _ => {}
            }
            row.token_id = Some(id);
        }
        AuthSpec::Connection(name) => {
            let id: Option<String> = tx
                .query_row(
                    "SELECT id FROM connections WHERE name = ?1 COLLATE NOCASE",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = id else {
                return Err(Error::invalid_with_hint(
                    format!("connection '{name}' does not exist"),
                    "create it first with `patchbay connection add`, or see `patchbay connection list`",
                ));
            };
            row.connection_id = Some(id);
        }
    }
    Ok(row)
}

/// Apply typed OAuth settings onto `base`; returns the settings and the secret to store.
fn merge_oauth(
    base: OAuthSettings,
    input: &OAuthInput,
    had_secret: bool,
    clear_secret: bool,
) -> Result<(OAuthSettings, bool)> {
    let mut s = base;
    if let Some(id) = &input.client_id {
        let id = id.trim();
        s.client_id = if id.is_empty() {
            None
        } else {
            Some(validate::client_id(id).map_err(at(FormField::ClientId))?)
        };
    }
    if let Some(u) = &input.authorization_url {
        s.authorization_url =
            optional_url("authorization URL", u).map_err(at(FormField::AuthorizationUrl))?;
    }
    if let Some(u) = &input.token_url {
        s.token_url = optional_url("token URL", u).map_err(at(FormField::TokenUrl))?;
    }
    if let Some(u) = &input.registration_url {
        s.registration_url =
            optional_url("registration URL", u).map_err(at(FormField::RegistrationUrl))?;
    }
    if let Some(sc) = &input.scopes {
        s.scopes = validate::scopes(sc).map_err(at(FormField::Scopes))?;
    }
    if let Some(m) = input.token_auth_method {
        // `None` (automatic): chosen below from whether there is a secret.
        s.token_auth_method = m;
    }
    if let Some(a) = input.assume_pkce_s256 {
        s.assume_pkce_s256 = a;
    }
    if let Some(r) = &input.resource_override {
        s.resource_override =
            optional_url("resource", r).map_err(at(FormField::ResourceOverride))?;
    }
    if let Some(o) = input.omit_resource {
        s.omit_resource = o;
    }
    if let Some(u) = &input.client_metadata_url {
        s.client_metadata_url = if u.trim().is_empty() {
            None
        } else {
            Some(validate::client_metadata_url(u).map_err(at(FormField::ClientMetadataUrl))?)
        };
    }
    if let Some(c) = input.callback {
        s.callback = c;
    }
    if s.omit_resource && s.resource_override.is_some() {
        return Err(
            Error::invalid("give a resource override or omit the resource, not both")
                .at(FormField::ResourceOverride),
        );
    }
    let has_secret = (had_secret && !clear_secret) || input.client_secret.is_some();
    if has_secret && s.client_id.is_none() {
        return Err(Error::invalid_with_hint(
            "a client secret needs a client id",
            "give the client id your provider issued with --client-id",
        )
        .at(FormField::ClientId));
    }
    match (s.token_auth_method, has_secret) {
        (Some(TokenAuthMethod::None), true) => {
            return Err(Error::invalid_with_hint(
                "token auth method 'none' is for public clients, which have no client secret",
                "use client_secret_basic or client_secret_post with a secret, or drop the secret",
            )
            .at(FormField::TokenAuthMethod));
        }
        (
            Some(m @ (TokenAuthMethod::ClientSecretBasic | TokenAuthMethod::ClientSecretPost)),
            false,
        ) => {
            return Err(Error::invalid_with_hint(
                format!("token auth method '{}' needs a client secret", m.as_str()),
                "pass it with --client-secret-stdin, or use --token-auth-method none for a public PKCE client",
            )
            .at(FormField::ClientSecret));
        }
        // Default: a confidential client when a secret is given, a public one when only an id is.
        (None, true) => s.token_auth_method = Some(TokenAuthMethod::ClientSecretBasic),
        (None, false) if s.client_id.is_some() => s.token_auth_method = Some(TokenAuthMethod::None),
        _ => {}
    }
    Ok((s, has_secret))
}

fn optional_url(field: &str, v: &str) -> Result<Option<String>> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(validate::url(field, v)?.to_string()))
    }
}

fn ensure_name_free(tx: &Transaction<'_>, name: &str, except_id: Option<&str>) -> Result<()> {
    let existing: Option<String> = tx
        .query_row(
            "SELECT id FROM actions WHERE name = ?1 COLLATE NOCASE",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    match existing {
        Some(id) if Some(id.as_str()) != except_id => Err(Error::Conflict {
            kind: Kind::Action,
            name: name.to_string(),
        }),
        _ => Ok(()),
    }
}

const SELECT: &str =
    "SELECT a.id, a.name, a.kind, a.url, a.description, a.enabled, a.confirm, a.auth_type,
        t.name, c.name, a.oauth, a.has_client_secret, a.http, a.health_status, a.health_reason,
        a.health_message, a.health_checked_at, a.health_latency_ms, a.health_tool_count,
        a.created_at, a.updated_at, b.failures, b.open_until
     FROM actions a
     LEFT JOIN tokens t ON t.id = a.token_id
     LEFT JOIN connections c ON c.id = a.connection_id
     LEFT JOIN breakers b ON b.action_id = a.id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<RawAction> {
    Ok(RawAction {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        url: r.get(3)?,
        description: r.get(4)?,
        enabled: r.get(5)?,
        confirm: r.get(6)?,
        auth_type: r.get(7)?,
        token_name: r.get(8)?,
        connection_name: r.get(9)?,
        oauth: r.get(10)?,
        has_client_secret: r.get(11)?,
        http: r.get(12)?,
        health_status: r.get(13)?,
        health_reason: r.get(14)?,
        health_message: r.get(15)?,
        health_checked_at: r.get(16)?,
        health_latency_ms: r.get(17)?,
        health_tool_count: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
        breaker_failures: r.get(21)?,
        breaker_open_until: r.get(22)?,
    })
}

struct RawAction {
    id: String,
    name: String,
    kind: String,
    url: String,
    description: String,
    enabled: bool,
    confirm: bool,
    auth_type: String,
    token_name: Option<String>,
    connection_name: Option<String>,
    oauth: Option<String>,
    has_client_secret: bool,
    http: Option<String>,
    health_status: String,
    health_reason: Option<String>,
    health_message: Option<String>,
    health_checked_at: Option<String>,
    health_latency_ms: Option<i64>,
    health_tool_count: Option<i64>,
    created_at: String,
    updated_at: String,
    breaker_failures: Option<i64>,
    breaker_open_until: Option<String>,
}

impl RawAction {
    fn into_view(self, now: &str) -> Result<ActionView> {
        let auth_type = crate::model::from_column::<AuthType>("auth type", &self.auth_type)?;
        let reference = match auth_type {
            AuthType::Token | AuthType::HttpToken => self.token_name,
            AuthType::Connection => self.connection_name,
            AuthType::None | AuthType::OAuth => None,
        };
        let oauth = match auth_type {
            AuthType::OAuth => Some(OAuthView {
                settings: parse_json(self.oauth.as_deref(), "oauth")?.unwrap_or_default(),
                client_secret_set: self.has_client_secret,
            }),
            _ => None,
        };
        let http = match parse_json::<HttpColumn>(self.http.as_deref(), "http")? {
            Some(h) => {
                let params = h
                    .body
                    .as_deref()
                    .map(validate::template_params)
                    .transpose()?
                    .unwrap_or_default();
                let headers = h
                    .headers
                    .into_iter()
                    .map(|(name, value)| Header { name, value })
                    .collect();
                Some(HttpActionSpec {
                    method: h.method,
                    headers,
                    body: h.body,
                    params,
                })
            }
            None => None,
        };
        Ok(ActionView {
            id: self.id,
            name: self.name,
            kind: crate::model::from_column("action kind", &self.kind)?,
            url: self.url,
            enabled: self.enabled,
            description: self.description,
            confirm: self.confirm,
            auth: AuthRef {
                kind: auth_type,
                reference,
            },
            health: Health {
                status: crate::model::from_column("health status", &self.health_status)?,
                reason: self.health_reason,
                message: self.health_message,
                checked_at: self.health_checked_at,
                latency_ms: self.health_latency_ms,
                tool_count: self.health_tool_count,
            },
            oauth,
            http,
            breaker: crate::model::BreakerView::from_row(
                self.breaker_failures.unwrap_or(0),
                self.breaker_open_until,
                now,
            ),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(s: Option<&str>, column: &str) -> Result<Option<T>> {
    s.map(|s| {
        serde_json::from_str(s)
            .map_err(|e| Error::Internal(format!("actions.{column} holds unreadable JSON: {e}")))
    })
    .transpose()
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(format!("cannot encode JSON: {e}")))
}

/// The action `name`, its breaker state as of `now` (RFC 3339, from the context's clock).
fn get_in(tx: &rusqlite::Connection, name: &str, now: &str) -> Result<ActionView> {
    tx.query_row(
        &format!("{SELECT} WHERE a.name = ?1 COLLATE NOCASE"),
        [name],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        kind: Kind::Action,
        name: name.to_string(),
    })?
    .into_view(now)
}

impl Patchbay {
    /// Every action, ordered by name.
    pub fn list_actions(&self) -> Result<Vec<ActionView>> {
        self.store().read(|c| {
            let mut stmt = c.prepare_cached(&format!("{SELECT} ORDER BY a.name COLLATE NOCASE"))?;
            let rows = stmt
                .query_map([], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let now = self.now();
            rows.into_iter().map(|r| r.into_view(&now)).collect()
        })
    }

    pub fn get_action(&self, name: &str) -> Result<ActionView> {
        self.store().read(|c| get_in(c, name, &self.now()))
    }

    pub fn add_action(&self, input: NewAction) -> Result<ActionView> {
        let name = validate::name("action", &input.name).map_err(at(FormField::Name))?;
        let url = validate::url(
            if input.http.is_some() {
                "HTTP endpoint URL"
            } else {
                "MCP server URL"
            },
            &input.url,
        )
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
        let (oauth, has_secret) = if spec == AuthSpec::OAuth {
            let (s, has) = merge_oauth(OAuthSettings::default(), &input.oauth, false, false)?;
            require_endpoints_for_http(kind, &s)?;
            (Some(s), has)
        } else {
            if !input.oauth.is_empty() {
                return Err(oauth_only_error());
            }
            (None, false)
        };
        let description = input.description.unwrap_or_default();
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let secrets: Vec<(String, SecretString)> = input
            .oauth
            .client_secret
            .into_iter()
            .map(|s| (keys::action_client_secret(&id), s))
            .collect();
        self.write_with_secrets(Entries::New, &secrets, |tx| {
            ensure_name_free(tx, &name, None)?;
            let auth = resolve_auth(tx, &spec)?;
            tx.execute(
                "INSERT INTO actions (id, name, kind, url, description, enabled, confirm, auth_type, token_id,
                    connection_id, oauth, has_client_secret, http, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
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
                ],
            )?;
            get_in(tx, &name, &self.now())
        })
    }

    pub fn edit_action(&self, name: &str, patch: ActionPatch) -> Result<ActionView> {
        let current = self.get_action(name)?;
        let new_name = patch
            .rename
            .as_deref()
            .map(|n| validate::name("action", n))
            .transpose()
            .map_err(at(FormField::Name))?;
        let url = patch
            .url
            .as_deref()
            .map(|u| {
                validate::url(
                    if current.kind == ActionKind::Http {
                        "HTTP endpoint URL"
                    } else {
                        "MCP server URL"
                    },
                    u,
                )
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
        let (oauth, has_secret) = if spec == AuthSpec::OAuth {
            let base = current
                .oauth
                .as_ref()
                .map(|o| o.settings.clone())
                .unwrap_or_default();
            let had = current.oauth.as_ref().is_some_and(|o| o.client_secret_set);
            let (s, has) = merge_oauth(base, &patch.oauth, had, patch.clear_client_secret)?;
            require_endpoints_for_http(current.kind, &s)?;
            (Some(s), has)
        } else {
            if oauth_touched {
                return Err(oauth_only_error());
            }
            (None, false)
        };
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
        let secrets: Vec<(String, SecretString)> = patch
            .oauth
            .client_secret
            .into_iter()
            .map(|s| (secret_key.clone(), s))
            .collect();
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
                    http = ?12, updated_at = ?13
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
            keys::action_oauth_tokens(&view.id),
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

/// MCP servers publish their OAuth endpoints (discovery); a plain HTTP endpoint does not,
/// so an HTTP action's own OAuth client needs them spelled out.
fn require_endpoints_for_http(kind: ActionKind, s: &OAuthSettings) -> Result<()> {
    if kind == ActionKind::Http && (s.authorization_url.is_none() || s.token_url.is_none()) {
        return Err(Error::invalid_with_hint(
            "OAuth on an HTTP action needs its authorization URL and token URL (only MCP servers publish them for discovery)",
            "add --authorization-url and --token-url, or use a reusable connection with --auth connection:NAME",
        )
        .at(FormField::AuthorizationUrl));
    }
    Ok(())
}

fn oauth_only_error() -> Error {
    Error::invalid_with_hint(
        "client id, client secret, token auth method, OAuth endpoints and scopes apply only to OAuth authentication",
        "add --auth oauth, or leave those settings out",
    )
}

/// Names of the actions that reference a row through `column`.
pub(crate) fn names_using(c: &rusqlite::Connection, column: &str, id: &str) -> Result<Vec<String>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT name FROM actions WHERE {column} = ?1 ORDER BY name COLLATE NOCASE"
    ))?;
    let names = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}
