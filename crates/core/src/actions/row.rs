//! The `actions` table: the SELECT behind every view, rows to [`ActionView`]s, names.

use super::*;

pub(super) fn ensure_name_free(
    tx: &Transaction<'_>,
    name: &str,
    except_id: Option<&str>,
) -> Result<()> {
    crate::store::named::ensure_free(tx, Kind::Action, name, except_id)
}

pub(super) const SELECT: &str =
    "SELECT a.id, a.name, a.kind, a.url, a.description, a.enabled, a.confirm, a.auth_type,
        t.name, c.name, a.oauth, a.has_client_secret, a.http, a.health_status, a.health_reason,
        a.health_message, a.health_checked_at, a.health_latency_ms, a.health_tool_count,
        a.created_at, a.updated_at, b.failures, b.open_until, a.grant_type, a.public_jwk,
        EXISTS (SELECT 1 FROM oauth_grants g WHERE g.dpop = 1
            AND (g.action_id = a.id OR g.connection_id = a.connection_id))
     FROM actions a
     LEFT JOIN tokens t ON t.id = a.token_id
     LEFT JOIN connections c ON c.id = a.connection_id
     LEFT JOIN breakers b ON b.action_id = a.id";

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<RawAction> {
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
        grant_type: r.get(23)?,
        public_jwk: r.get(24)?,
        dpop: r.get(25)?,
    })
}

pub(super) struct RawAction {
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
    grant_type: Option<String>,
    public_jwk: Option<String>,
    dpop: bool,
}

impl RawAction {
    pub(super) fn into_view(self, now: &str) -> Result<ActionView> {
        let auth_type = crate::store::from_column::<AuthType>("auth type", &self.auth_type)?;
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
        let grant = match auth_type {
            AuthType::OAuth => Some(match &self.grant_type {
                Some(g) => crate::store::from_column::<OAuthGrant>("grant type", g)?,
                None => OAuthGrant::AuthorizationCode,
            }),
            _ => None,
        };
        let public_jwk = parse_json::<PublicJwk>(self.public_jwk.as_deref(), "public_jwk")?;
        let http = match parse_json::<HttpColumn>(self.http.as_deref(), "http")? {
            Some(h) => {
                let params = validate::http_params(
                    &self.url,
                    h.headers.iter().map(|(_, v)| v.as_str()),
                    h.body.as_deref(),
                )?;
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
            kind: crate::store::from_column("action kind", &self.kind)?,
            url: self.url,
            enabled: self.enabled,
            description: self.description,
            confirm: self.confirm,
            auth: AuthRef {
                kind: auth_type,
                reference,
            },
            health: Health {
                status: crate::store::from_column("health status", &self.health_status)?,
                reason: self.health_reason,
                message: self.health_message,
                checked_at: self.health_checked_at,
                latency_ms: self.health_latency_ms,
                tool_count: self.health_tool_count,
            },
            oauth,
            grant,
            public_jwk,
            dpop: self.dpop,
            http,
            breaker: crate::model::BreakerView::at(
                self.breaker_failures.unwrap_or(0),
                self.breaker_open_until,
                now,
            ),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub(super) fn parse_json<T: for<'de> Deserialize<'de>>(
    s: Option<&str>,
    column: &str,
) -> Result<Option<T>> {
    s.map(|s| {
        serde_json::from_str(s)
            .map_err(|e| Error::Internal(format!("actions.{column} holds unreadable JSON: {e}")))
    })
    .transpose()
}

pub(super) fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(format!("cannot encode JSON: {e}")))
}

/// The action `name`, its breaker state as of `now` (RFC 3339, from the context's clock).
pub(super) fn get_in(tx: &rusqlite::Connection, name: &str, now: &str) -> Result<ActionView> {
    crate::store::named::find(tx, Kind::Action, SELECT, "a.name", name, from_row)?.into_view(now)
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
