//! Patchbay as an OAuth 2.1 authorization server in front of its gateway: RFC 8414 and RFC
//! 9728 metadata, `/authorize` (code + PKCE S256, `iss` in the response per RFC 9207),
//! `/token` (authorization_code and refresh_token; `client_secret_basic`,
//! `client_secret_post` or `none`; failed client authentication rate-limited) and `/revoke`
//! (RFC 7009).
//!
//! Codes and tokens are opaque (`pbac_`, `pbat_`, `pbrt_`) and stored as SHA-256 only. A code
//! is single-use and lives 60 s. A grant binds one client to one resource (the gateway's
//! `/mcp` or one `/a/NAME/mcp`); a token is valid only for its grant's resource. A refresh
//! token is replaced on every use; the replaced one still works within the grace window
//! until its successor is used, and any other reuse ends the whole grant (logged).
//!
//! Custom clients (made by the user, their actions chosen then) sign in without a consent
//! prompt.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rusqlite::{OptionalExtension, params};
use subtle::ConstantTimeEq;

use super::clients::{ClientRow, redirect_matches};
use super::consent::AuthRequest;
use super::keys::{self, KeyGrant};
use crate::Patchbay;
use crate::logs::{LogKind, NewLog};
use crate::model::{GatewayClientKind, GatewayClientType};

/// How long an authorization code may wait to be exchanged.
const CODE_LIFETIME: time::Duration = time::Duration::seconds(60);
/// Failed client authentications allowed per client id within [`FAILURE_WINDOW`].
const FAILURES_ALLOWED: u32 = 10;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

const SCOPES: [&str; 2] = ["mcp", "offline_access"];

/// An OAuth error as the token and revocation endpoints answer it (RFC 6749 §5.2).
#[derive(Debug)]
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    fn grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    fn request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
}

impl From<crate::error::Error> for OAuthError {
    fn from(e: crate::error::Error) -> Self {
        OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            e.to_string(),
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            serde_json::json!({"error": self.error, "error_description": self.description})
                .to_string(),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"patchbay-gateway\""),
            );
        }
        r
    }
}

/// The authorization server's state in a running gateway.
pub(crate) struct Authz {
    pub pb: Arc<Patchbay>,
    /// Client ID Metadata Documents fetched lately.
    pub(crate) documents: super::cimd::Cache,
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Authz {
    pub(crate) fn new(pb: Arc<Patchbay>, port: u16) -> Self {
        Authz {
            pb,
            issuer: format!("http://127.0.0.1:{port}"),
            failures: Mutex::new(HashMap::new()),
            documents: super::cimd::Cache::default(),
        }
    }

    /// The resources this gateway serves: `/mcp`, and `/a/NAME/mcp` for each action.
    fn known_resource(&self, resource: &str) -> Option<String> {
        let path = resource.strip_prefix(&self.issuer)?;
        if path == "/mcp" {
            return Some(resource.to_string());
        }
        let name = path.strip_prefix("/a/")?.strip_suffix("/mcp")?;
        let action = self.pb.get_action(name).ok()?;
        Some(format!("{}/a/{}/mcp", self.issuer, action.name))
    }

    /// Whether `client_id` failed to authenticate too often lately (old counts are dropped).
    fn too_many_failures(&self, client_id: &str) -> bool {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        f.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
        f.get(client_id)
            .is_some_and(|(n, _)| *n >= FAILURES_ALLOWED)
    }

    fn failed(&self, client_id: &str) {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let e = f
            .entry(client_id.to_string())
            .or_insert((0, Instant::now()));
        if e.1.elapsed() >= FAILURE_WINDOW {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }

    /// The client a token or revocation request authenticates as.
    fn authenticate(
        &self,
        headers: &HeaderMap,
        form: &HashMap<String, String>,
    ) -> Result<ClientRow, OAuthError> {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Basic ")
                    .or_else(|| v.strip_prefix("basic "))
            })
            .map(|b| {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
                    .and_then(|d| String::from_utf8(d).ok())
                    .ok_or_else(|| OAuthError::request("the Basic credentials are not base64"))?;
                let (id, secret) = raw
                    .split_once(':')
                    .ok_or_else(|| OAuthError::request("the Basic credentials have no ':'"))?;
                let decode = |s: &str| {
                    percent_encoding::percent_decode_str(&s.replace('+', " "))
                        .decode_utf8_lossy()
                        .into_owned()
                };
                Ok::<_, OAuthError>((decode(id), Some(decode(secret))))
            })
            .transpose()?;
        let (client_id, secret) = match basic {
            Some(b) => b,
            None => (
                form.get("client_id").cloned().ok_or_else(|| {
                    OAuthError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        "no client authentication: send client_id (and client_secret for a confidential client)",
                    )
                })?,
                form.get("client_secret").cloned(),
            ),
        };
        if self.too_many_failures(&client_id) {
            return Err(OAuthError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "invalid_client",
                "too many failed attempts to authenticate this client; wait a minute",
            ));
        }
        let unknown = || {
            OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "unknown client, or wrong secret",
            )
        };
        let Some(client) = self.pb.gateway_client_by_id(&client_id)? else {
            self.failed(&client_id);
            return Err(unknown());
        };
        match (client.client_type, &client.secret_hash, secret) {
            (GatewayClientType::Confidential, Some(stored), Some(given)) => {
                let given = keys::key_hash(&given);
                if !bool::from(given.as_bytes().ct_eq(stored.as_bytes())) {
                    self.failed(&client_id);
                    self.pb.log(NewLog {
                        subject: Some(&client.name),
                        kind: Some(LogKind::GatewayAuth),
                        ok: false,
                        summary: format!(
                            "OAuth client '{}' presented a wrong secret at the token endpoint",
                            client.name
                        ),
                        ..Default::default()
                    });
                    return Err(unknown());
                }
            }
            (GatewayClientType::Confidential, _, _) => {
                self.failed(&client_id);
                return Err(OAuthError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "this client is confidential: authenticate with its secret",
                ));
            }
            (GatewayClientType::Public, _, Some(_)) => {
                return Err(OAuthError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "this client is public: it has no secret",
                ));
            }
            (GatewayClientType::Public, _, None) => {}
        }
        if client.revoked_at.is_some() {
            return Err(OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "this client was revoked",
            ));
        }
        Ok(client)
    }
}

/// A new code or token and its hash.
fn fresh(prefix: &str) -> Result<(String, String), OAuthError> {
    let v = keys::random_secret(prefix)?;
    let h = keys::key_hash(&v);
    Ok((v, h))
}

fn s256(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// `scope` as asked, checked: only `mcp` and `offline_access`; nothing asked means `mcp`.
fn checked_scope(asked: Option<&String>) -> Result<String, &'static str> {
    let asked: Vec<&str> = asked
        .map(|s| s.split_whitespace().collect())
        .unwrap_or_default();
    if asked.iter().any(|s| !SCOPES.contains(s)) {
        return Err("only the scopes mcp and offline_access exist here");
    }
    if asked.is_empty() {
        return Ok("mcp".into());
    }
    Ok(asked.join(" "))
}

impl Authz {
    /// Issue an access and a refresh token on `grant` (inside `tx`; `settings` read before
    /// it began: the store is not re-entrant).
    fn issue(
        &self,
        tx: &rusqlite::Connection,
        grant: &str,
        scope: &str,
        settings: &crate::model::Settings,
    ) -> crate::error::Result<serde_json::Value> {
        let now = self.pb.clock_now();
        let access_for = time::Duration::seconds(settings.gateway_access_token_secs.into());
        let refresh_for = time::Duration::days(settings.gateway_refresh_token_days.into());
        let (access, access_hash) = fresh("pbat_").map_err(|e| {
            crate::error::Error::Internal(format!("no randomness: {}", e.description))
        })?;
        let (refresh, refresh_hash) = fresh("pbrt_").map_err(|e| {
            crate::error::Error::Internal(format!("no randomness: {}", e.description))
        })?;
        let at = crate::clock::rfc3339(now);
        for (hash, kind, until) in [
            (&access_hash, "access", now + access_for),
            (&refresh_hash, "refresh", now + refresh_for),
        ] {
            tx.execute(
                "INSERT INTO gateway_tokens (hash, grant_id, kind, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![hash, grant, kind, at, crate::clock::rfc3339(until)],
            )?;
        }
        Ok(serde_json::json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": settings.gateway_access_token_secs,
            "refresh_token": refresh,
            "scope": scope,
        }))
    }

    fn log(&self, client: &str, ok: bool, summary: String) {
        self.pb.log(NewLog {
            subject: Some(client),
            kind: Some(LogKind::GatewayAuth),
            ok,
            summary,
            ..Default::default()
        });
    }

    fn exchange_code(
        &self,
        client: &ClientRow,
        form: &HashMap<String, String>,
    ) -> Result<serde_json::Value, OAuthError> {
        let code = form
            .get("code")
            .ok_or_else(|| OAuthError::request("code is missing"))?;
        let verifier = form
            .get("code_verifier")
            .ok_or_else(|| OAuthError::request("code_verifier is missing (PKCE is required)"))?;
        let redirect = form
            .get("redirect_uri")
            .ok_or_else(|| OAuthError::request("redirect_uri is missing"))?;
        let now = crate::clock::rfc3339(self.pb.clock_now());
        let hash = keys::key_hash(code);
        let settings = self.pb.settings();
        let issued = self.pb.store().write(|tx| {
            type Code = (String, String, String, String, String, String, Option<String>, Option<String>, Option<String>);
            let found: Option<Code> = tx
                .query_row(
                    "SELECT client, redirect_uri, challenge, resource, scope, expires_at, used_at, actions, tools FROM gateway_codes WHERE hash = ?1",
                    [&hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
                )
                .optional()?;
            let Some((owner, redirect_uri, challenge, resource, scope, expires_at, used_at, actions, tools)) = found
            else {
                return Ok(Err(OAuthError::grant("unknown authorization code")));
            };
            if used_at.is_some() {
                return Ok(Err(OAuthError::grant("this authorization code was already used")));
            }
            tx.execute("UPDATE gateway_codes SET used_at = ?2 WHERE hash = ?1", params![hash, now])?;
            if owner != client.id {
                return Ok(Err(OAuthError::grant("this code was issued to another client")));
            }
            if expires_at.as_str() <= now.as_str() {
                return Ok(Err(OAuthError::grant("this authorization code expired")));
            }
            if &redirect_uri != redirect {
                return Ok(Err(OAuthError::grant("redirect_uri differs from the authorization request's")));
            }
            if s256(verifier) != challenge {
                return Ok(Err(OAuthError::grant("code_verifier does not match the code_challenge")));
            }
            if let Some(asked) = form.get("resource")
                && asked != &resource
            {
                return Ok(Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "resource differs from the authorization request's",
                )));
            }
            let grant = uuid::Uuid::new_v4().to_string();
            tx.execute(
                "INSERT INTO gateway_grants (id, client, resource, scope, created_at, actions, tools) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![grant, client.id, resource, scope, now, actions, tools],
            )?;
            tx.execute(
                "UPDATE gateway_clients SET last_used_at = ?2 WHERE id = ?1",
                params![client.id, now],
            )?;
            Ok(Ok((self.issue(tx, &grant, &scope, &settings)?, resource)))
        })??;
        self.log(
            &client.name,
            true,
            format!("OAuth client '{}' signed in for {}", client.name, issued.1),
        );
        Ok(issued.0)
    }

    fn refresh(
        &self,
        client: &ClientRow,
        form: &HashMap<String, String>,
    ) -> Result<serde_json::Value, OAuthError> {
        let token = form
            .get("refresh_token")
            .ok_or_else(|| OAuthError::request("refresh_token is missing"))?;
        let hash = keys::key_hash(token);
        let now_t = self.pb.clock_now();
        let now = crate::clock::rfc3339(now_t);
        let settings = self.pb.settings();
        let grace = time::Duration::seconds(settings.gateway_refresh_grace_secs.into());
        type Found = (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
        );
        let outcome = self.pb.store().write(|tx| {
            let found: Option<Found> = tx
                .query_row(
                    "SELECT t.grant_id, t.expires_at, g.client, g.revoked_at, t.revoked_at, t.replaced_at, t.successor, g.scope, g.resource
                     FROM gateway_tokens t JOIN gateway_grants g ON g.id = t.grant_id
                     WHERE t.hash = ?1 AND t.kind = 'refresh'",
                    [&hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
                )
                .optional()?;
            let Some((grant, expires_at, owner, grant_revoked, token_revoked, replaced_at, successor, scope, resource)) = found
            else {
                return Ok(Err(OAuthError::grant("unknown refresh token")));
            };
            if owner != client.id {
                return Ok(Err(OAuthError::grant("this refresh token was issued to another client")));
            }
            if grant_revoked.is_some() || token_revoked.is_some() {
                return Ok(Err(OAuthError::grant("this sign-in was ended; sign in again")));
            }
            if expires_at.as_str() <= now.as_str() {
                return Ok(Err(OAuthError::grant("this refresh token expired; sign in again")));
            }
            if let Some(asked) = form.get("resource")
                && asked != &resource
            {
                return Ok(Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "a refresh token is valid only for the resource it was issued for",
                )));
            }
            if let Some(replaced_at) = &replaced_at {
                // Reused: fine only within the grace window and while its successor is
                // unused (a client that lost the answer); anything else ends the grant.
                let successor_used: bool = match &successor {
                    Some(s) => tx
                        .query_row(
                            "SELECT used_at IS NOT NULL FROM gateway_tokens WHERE hash = ?1",
                            [s],
                            |r| r.get(0),
                        )
                        .optional()?
                        .unwrap_or(true),
                    None => true,
                };
                let within = crate::clock::parse_rfc3339(replaced_at)
                    .is_some_and(|at| now_t - at <= grace);
                if successor_used || !within {
                    tx.execute(
                        "UPDATE gateway_grants SET revoked_at = ?2 WHERE id = ?1",
                        params![grant, now],
                    )?;
                    return Ok(Err(OAuthError::grant(
                        "this refresh token was already used; for safety the whole sign-in was ended",
                    )));
                }
                if let Some(s) = &successor {
                    tx.execute(
                        "UPDATE gateway_tokens SET revoked_at = ?2 WHERE hash = ?1",
                        params![s, now],
                    )?;
                }
            }
            let issued = self.issue(tx, &grant, &scope, &settings)?;
            let new_hash = issued["refresh_token"]
                .as_str()
                .map(keys::key_hash)
                .unwrap_or_default();
            tx.execute(
                "UPDATE gateway_tokens SET replaced_at = COALESCE(replaced_at, ?2), used_at = COALESCE(used_at, ?2), successor = ?3 WHERE hash = ?1",
                params![hash, now, new_hash],
            )?;
            tx.execute(
                "UPDATE gateway_clients SET last_used_at = ?2 WHERE id = ?1",
                params![client.id, now],
            )?;
            Ok(Ok(issued))
        })?;
        if let Err(e) = &outcome
            && e.error == "invalid_grant"
            && e.description.contains("already used")
        {
            self.log(
                &client.name,
                false,
                format!(
                    "OAuth client '{}' reused a replaced refresh token: its sign-in was ended",
                    client.name
                ),
            );
        }
        outcome
    }
}

impl Patchbay {
    /// What a gateway access token (`pbat_…`) opens at `resource`: `None` when it is unknown,
    /// expired, revoked, its client revoked, or issued for another resource.
    pub(crate) fn gateway_token_grant(
        &self,
        token: &str,
        resource: &str,
    ) -> crate::error::Result<Option<KeyGrant>> {
        let hash = keys::key_hash(token);
        let now = crate::clock::rfc3339(self.clock_now());
        let found = self.store().read(|c| {
            // Read on every request with an OAuth token: prepared once.
            let grant: Option<(String, Option<String>, Option<String>)> = c
                .prepare_cached(
                    "SELECT g.client, g.actions, g.tools FROM gateway_tokens t JOIN gateway_grants g ON g.id = t.grant_id
                     WHERE t.hash = ?1 AND t.kind = 'access' AND t.revoked_at IS NULL AND t.expires_at > ?2
                       AND g.revoked_at IS NULL AND g.resource = ?3",
                )?
                .query_row(
                    params![hash, now, resource],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((client, actions, tools)) = grant else {
                return Ok(None);
            };
            let row = c
                .prepare_cached(&format!("{} WHERE id = ?1", super::clients::SELECT))?
                .query_row([&client], super::clients::row)
                .optional()?;
            Ok(row.map(|r| (r, actions, tools)))
        })?;
        match found {
            Some((mut c, actions, tools)) if c.revoked_at.is_none() => {
                // A client the user did not make gets what the user gave its sign-in.
                if let Some(a) = actions {
                    c.actions = a;
                    c.tools = tools.unwrap_or_else(|| "{}".into());
                }
                Ok(Some(c.grant()?))
            }
            _ => Ok(None),
        }
    }
}

/// The authorization server's metadata (RFC 8414).
pub(crate) async fn as_metadata(State(a): State<Arc<Authz>>) -> Response {
    let i = &a.issuer;
    json_response(serde_json::json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "revocation_endpoint": format!("{i}/revoke"),
        "registration_endpoint": format!("{i}/register"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": SCOPES,
        "authorization_response_iss_parameter_supported": true,
        "client_id_metadata_document_supported": true,
    }))
}

fn json_response(v: serde_json::Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        v.to_string(),
    )
        .into_response()
}

fn resource_metadata(a: &Authz, resource: String) -> Response {
    json_response(serde_json::json!({
        "resource": resource,
        "authorization_servers": [a.issuer],
        "scopes_supported": ["mcp"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Patchbay gateway",
    }))
}

/// RFC 9728 metadata of `/mcp` (also at the root form).
pub(crate) async fn mcp_metadata(State(a): State<Arc<Authz>>) -> Response {
    let resource = format!("{}/mcp", a.issuer);
    resource_metadata(&a, resource)
}

/// RFC 9728 metadata of `/a/NAME/mcp`.
pub(crate) async fn action_metadata(
    State(a): State<Arc<Authz>>,
    Path(name): Path<String>,
) -> Response {
    let asked = format!("{}/a/{name}/mcp", a.issuer);
    let known = {
        let a = a.clone();
        tokio::task::spawn_blocking(move || a.known_resource(&asked))
            .await
            .ok()
            .flatten()
    };
    match known {
        Some(resource) => resource_metadata(&a, resource),
        None => (StatusCode::NOT_FOUND, "no such action here\n").into_response(),
    }
}

/// An error shown on the authorization page itself: the redirect URI cannot be trusted.
pub(crate) fn authorize_page_error(message: &str) -> Response {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Patchbay sign-in</title><h1>This sign-in cannot go on</h1><p>{}</p>",
        html_escape(message)
    );
    (
        StatusCode::BAD_REQUEST,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; frame-ancestors 'none'",
            ),
        ],
        body,
    )
        .into_response()
}

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn redirect_to(uri: &str, params: &[(&str, &str)]) -> Response {
    let mut u = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return authorize_page_error("the redirect URI is not a URL"),
    };
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, u.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response()
}

/// `GET /authorize`: a custom client gets its code at once (its actions were chosen when it
/// was made); any other asks the user (see `consent`). A `client_id` that is an https URL is
/// a Client ID Metadata Document, fetched (or taken from the cache) first.
pub(crate) async fn authorize(
    State(a): State<Arc<Authz>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(id) = q.get("client_id")
        && id.starts_with("https://")
        && let Err(e) = a.metadata_document_client(id).await
    {
        return authorize_page_error(&e.to_string());
    }
    let a2 = a.clone();
    tokio::task::spawn_blocking(move || a2.authorize(&q))
        .await
        .unwrap_or_else(|e| authorize_page_error(&format!("the sign-in stopped: {e}")))
}

/// `GET /authorize/continue`: where the waiting page polls.
pub(crate) async fn authorize_continue(
    State(a): State<Arc<Authz>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let a2 = a.clone();
    tokio::task::spawn_blocking(move || a2.continue_consent(&q))
        .await
        .unwrap_or_else(|e| authorize_page_error(&format!("the sign-in stopped: {e}")))
}

impl Authz {
    pub(crate) fn authorize(&self, q: &HashMap<String, String>) -> Response {
        let Some(client_id) = q.get("client_id") else {
            return authorize_page_error("client_id is missing");
        };
        let client = match self.pb.gateway_client_by_id(client_id) {
            Ok(Some(c)) => c,
            Ok(None) => return authorize_page_error("this client is unknown to Patchbay"),
            Err(e) => return authorize_page_error(&e.to_string()),
        };
        let Some(redirect) = q.get("redirect_uri") else {
            return authorize_page_error("redirect_uri is missing");
        };
        if !redirect_matches(&client.redirect_uris, redirect) {
            return authorize_page_error(
                "this redirect URI is not one the client registered, so Patchbay will not send a code there",
            );
        }
        let mut req = AuthRequest {
            client,
            redirect_uri: redirect.clone(),
            challenge: String::new(),
            resource: String::new(),
            scope: String::new(),
            state: q.get("state").cloned().unwrap_or_default(),
        };
        if req.client.revoked_at.is_some() {
            return self.error_redirect(&req, "unauthorized_client", "this client was revoked");
        }
        if q.get("response_type").map(String::as_str) != Some("code") {
            return self.error_redirect(
                &req,
                "unsupported_response_type",
                "only response_type=code",
            );
        }
        let Some(challenge) = q.get("code_challenge") else {
            return self.error_redirect(
                &req,
                "invalid_request",
                "code_challenge is missing (PKCE S256 is required)",
            );
        };
        if q.get("code_challenge_method").map(String::as_str) != Some("S256") {
            return self.error_redirect(
                &req,
                "invalid_request",
                "code_challenge_method must be S256",
            );
        }
        req.challenge = challenge.clone();
        req.scope = match checked_scope(q.get("scope")) {
            Ok(s) => s,
            Err(e) => return self.error_redirect(&req, "invalid_scope", e),
        };
        req.resource = match q.get("resource") {
            None => format!("{}/mcp", self.issuer),
            Some(r) => match self.known_resource(r) {
                Some(r) => r,
                None => {
                    return self.error_redirect(
                        &req,
                        "invalid_target",
                        "resource must be this gateway's /mcp or one /a/NAME/mcp",
                    );
                }
            },
        };
        if req.client.kind == GatewayClientKind::Custom {
            self.code_response(&req, None)
        } else {
            self.ask_consent(req)
        }
    }

    /// A new code for `req` and the redirect that carries it; `scope`: the actions and tools
    /// the user gave at consent (`None`: the client's own).
    pub(crate) fn code_response(
        &self,
        req: &AuthRequest,
        scope: Option<(String, String)>,
    ) -> Response {
        let (code, hash) = match fresh("pbac_") {
            Ok(c) => c,
            Err(e) => return authorize_page_error(&e.description),
        };
        let until = crate::clock::rfc3339(self.pb.clock_now() + CODE_LIFETIME);
        let (actions, tools) = scope.unzip();
        let saved = self.pb.store().write(|tx| {
            tx.execute(
                "INSERT INTO gateway_codes (hash, client, redirect_uri, challenge, resource, scope, expires_at, actions, tools) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![hash, req.client.id, req.redirect_uri, req.challenge, req.resource, req.scope, until, actions, tools],
            )?;
            Ok(())
        });
        if let Err(e) = saved {
            return self.error_redirect(req, "server_error", &e.to_string());
        }
        let mut p = vec![("code", code.as_str()), ("iss", self.issuer.as_str())];
        if !req.state.is_empty() {
            p.push(("state", req.state.as_str()));
        }
        redirect_to(&req.redirect_uri, &p)
    }
}

/// `POST /token`.
pub(crate) async fn token(
    State(a): State<Arc<Authz>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let a2 = a.clone();
    let out = tokio::task::spawn_blocking(move || {
        let client = a2.authenticate(&headers, &form)?;
        match form.get("grant_type").map(String::as_str) {
            Some("authorization_code") => a2.exchange_code(&client, &form),
            Some("refresh_token") => a2.refresh(&client, &form),
            Some(other) => Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!(
                    "grant_type '{}' is not supported here",
                    crate::validate::printable(other)
                ),
            )),
            None => Err(OAuthError::request("grant_type is missing")),
        }
    })
    .await;
    match out {
        Ok(Ok(v)) => json_response(v),
        Ok(Err(e)) => e.into_response(),
        Err(e) => OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            e.to_string(),
        )
        .into_response(),
    }
}

/// `POST /revoke` (RFC 7009): a refresh token ends its grant, an access token only itself.
/// Answers 200 for a token it does not know, as the RFC says.
pub(crate) async fn revoke(
    State(a): State<Arc<Authz>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let a2 = a.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<(), OAuthError> {
        let client = a2.authenticate(&headers, &form)?;
        let token = form
            .get("token")
            .ok_or_else(|| OAuthError::request("token is missing"))?;
        let hash = keys::key_hash(token);
        let now = crate::clock::rfc3339(a2.pb.clock_now());
        a2.pb.store().write(|tx| {
            let found: Option<(String, String)> = tx
                .query_row(
                    "SELECT t.kind, t.grant_id FROM gateway_tokens t JOIN gateway_grants g ON g.id = t.grant_id
                     WHERE t.hash = ?1 AND g.client = ?2",
                    params![hash, client.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match found {
                Some((kind, grant)) if kind == "refresh" => {
                    tx.execute(
                        "UPDATE gateway_grants SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
                        params![grant, now],
                    )?;
                }
                Some(_) => {
                    tx.execute(
                        "UPDATE gateway_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE hash = ?1",
                        params![hash, now],
                    )?;
                }
                None => {}
            }
            Ok(())
        })?;
        Ok(())
    })
    .await;
    match out {
        Ok(Ok(())) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(e) => OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            e.to_string(),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_and_scopes() {
        // RFC 7636 appendix B.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(checked_scope(None).as_deref(), Ok("mcp"));
        assert_eq!(
            checked_scope(Some(&"mcp offline_access".to_string())).as_deref(),
            Ok("mcp offline_access")
        );
        assert!(checked_scope(Some(&"admin".to_string())).is_err());
    }
}
