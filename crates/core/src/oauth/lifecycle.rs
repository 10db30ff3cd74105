//! The token lifecycle: a fresh access token before each use, refreshed at most once however
//! many users race for it (inside one process and across processes sharing one profile),
//! `invalid_grant` → "needs reconnect", and disconnect with RFC 7009 revocation. A client
//! credentials grant has no refresh token: its next token is fetched with the client's own
//! credentials instead, under the same locks and logged like a refresh.
//!
//! ## Single flight
//! Refreshing an owner's tokens (and replacing them after a connect) happens under the
//! owner's token lock: an in-process async mutex (so waiting tasks queue instead of polling),
//! then an advisory file lock `PATCHBAY_HOME/locks/<owner>.lock` (`flock`, released by the
//! OS when a process dies, so a `kill -9` never leaves it held). After taking it the stored
//! tokens are read again: whoever waited finds the token the first one fetched and makes no
//! request.
//!
//! ## Rotation and crashes
//! The new tokens (with a rotated refresh token) are written to the keychain before the new
//! access token is handed to anyone. The one unavoidable window is between the server's answer
//! and that keychain write (one D-Bus call, a few milliseconds): a crash exactly there leaves
//! the old refresh token stored while the server has rotated it away. The next refresh then
//! gets `invalid_grant` (servers that detect reuse also revoke the grant), and the grant is
//! marked "needs reconnect": the user is asked, never looped on.

use std::fs::{File, OpenOptions, TryLockError};
use std::time::{Duration, Instant};

use oauth2::basic::BasicErrorResponseType;
use oauth2::{RefreshToken, RequestTokenError, TokenResponse, TokenUrl};
use rusqlite::{OptionalExtension, params};
use secrecy::{ExposeSecret, SecretString};

use super::{
    ClientIdentity, Owner, RevokeError, StoredTokens, TokenResp, bad_url, base_client, http_client,
    oauth_err, token_error,
};
use crate::Patchbay;
use crate::error::{Error, ErrorCode, Kind, Result};
use crate::model::{
    DisconnectReport, GrantView, OAuthGrant, Revocation, RevocationOutcome, TokenAuthMethod,
};

/// Refresh when the access token expires within this margin.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// How long a user waits for another process's refresh before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(90);
/// Waits between refresh attempts after a transient failure (network, 5xx).
const BACKOFF: [Duration; 2] = [Duration::from_millis(300), Duration::from_millis(1200)];

/// Held while an owner's tokens are refreshed or replaced; dropping it unlocks both halves.
pub(crate) struct TokenLock {
    _file: File,
    local: tokio::sync::OwnedMutexGuard<Option<StoredTokens>>,
}

impl TokenLock {
    /// Remember (or, with `None`, forget) the tokens this process just stored.
    pub(crate) fn remember(&mut self, tokens: Option<StoredTokens>) {
        *self.local = tokens;
    }
}

/// What refresh and revocation need from a grant row.
#[derive(Debug, Clone)]
struct GrantRow {
    client_id: String,
    resource: Option<String>,
    token_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    auth_method: TokenAuthMethod,
    needs_reconnect: Option<String>,
    grant: OAuthGrant,
    scopes: Vec<String>,
    /// Where `private_key_jwt` assertions are addressed (issuer or token endpoint).
    assertion_audience: Option<String>,
    /// The authorization server that issued the grant (an ID-JAG's audience).
    issuer: String,
}

/// How a grant with no user gets its next token, as its log rows say it.
fn fetched_with(grant: OAuthGrant) -> &'static str {
    match grant {
        OAuthGrant::JwtBearer => "with the workload's identity token",
        OAuthGrant::EnterpriseManaged => "through the identity provider's sign-in",
        _ => "with the client's credentials",
    }
}

impl GrantRow {
    fn audience(&self) -> String {
        self.assertion_audience
            .clone()
            .or_else(|| self.token_endpoint.clone())
            .unwrap_or_default()
    }
}

/// An access token and the scheme it is presented with.
pub(crate) struct Access {
    pub(crate) token: SecretString,
    /// Bound to the owner's DPoP key: `Authorization: DPoP` with a proof, never `Bearer`.
    pub(crate) dpop: bool,
}

impl Access {
    fn of(t: &StoredTokens) -> Self {
        Self {
            token: SecretString::from(t.access_token.clone()),
            dpop: crate::dpop::bound(t.token_type.as_deref()),
        }
    }
}

enum RefreshFailure {
    /// The server refused the refresh token: only a new sign-in helps.
    InvalidGrant(String),
    Other(Error),
}

/// How to name an owner in messages and hints.
struct Names {
    name: String,
    connect: String,
}

fn names(kind: Kind, name: &str) -> Names {
    Names {
        name: name.to_string(),
        connect: match kind {
            Kind::Connection => format!("patchbay connection connect {name}"),
            _ => format!("patchbay connect {name}"),
        },
    }
}

fn needs_reconnect_err(n: &Names, why: &str) -> Error {
    oauth_err(
        ErrorCode::NeedsReconnect,
        format!("'{}' needs to be connected again: {why}", n.name),
        format!("run `{}`", n.connect),
    )
}

/// How a log row goes on about a renewed token: why, and until when.
fn renewed(after_401: bool, t: &StoredTokens) -> String {
    format!(
        "{}{}",
        if after_401 { " after a 401" } else { "" },
        match &t.expires_at {
            Some(e) => format!(" (expires {e})"),
            None => String::new(),
        }
    )
}

fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// Whether the access token stays valid for longer than `margin` (at most half its lifetime,
/// so a short-lived token is not refreshed on every use). No expiry: valid until a 401.
fn fresh_enough(t: &StoredTokens, now: time::OffsetDateTime, margin: Duration) -> bool {
    let Some(exp) = &t.expires_at else {
        return true;
    };
    let Some(at) = parse_time(exp) else {
        return false;
    };
    let margin = match t.issued_at.as_deref().and_then(parse_time) {
        Some(issued) if at > issued => {
            let lifetime: time::Duration = at - issued;
            margin.min(lifetime.unsigned_abs() / 2)
        }
        _ => margin,
    };
    at - now > margin
}

impl Patchbay {
    /// Take the owner's token lock (in-process, then across processes).
    pub(crate) async fn lock_tokens(&self, owner: &Owner) -> Result<TokenLock> {
        let local = self.token_locks.for_owner(&owner.key()).lock_owned().await;
        self.lock_file(owner, local).await
    }

    /// The cross-process half, taken while holding the in-process half.
    async fn lock_file(
        &self,
        owner: &Owner,
        local: tokio::sync::OwnedMutexGuard<Option<StoredTokens>>,
    ) -> Result<TokenLock> {
        let dir = self.home().join("locks");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        let path = dir.join(format!("{}.lock", owner.key().replace('/', "-")));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    tokio::time::sleep(Duration::from_millis(15)).await;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(oauth_err(
                        ErrorCode::TokenError,
                        format!(
                            "another Patchbay process has been refreshing these tokens for {} s",
                            LOCK_WAIT.as_secs()
                        ),
                        format!(
                            "try again; if it repeats, find the stuck process (`fuser {}`)",
                            path.display()
                        ),
                    ));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::io(format!("cannot lock {}", path.display()), e));
                }
            }
        }
        Ok(TokenLock { _file: file, local })
    }

    fn grant_row(&self, owner: &Owner) -> Result<Option<GrantRow>> {
        self.store().read(|c| {
            Ok(c.query_row(
                "SELECT client_id, resource, token_endpoint, revocation_endpoint, auth_method, needs_reconnect,
                    grant_type, scopes, assertion_audience, issuer
                 FROM oauth_grants WHERE owner = ?1",
                [owner.key()],
                |r| {
                    Ok(GrantRow {
                        client_id: r.get(0)?,
                        resource: r.get(1)?,
                        token_endpoint: r.get(2)?,
                        revocation_endpoint: r.get(3)?,
                        auth_method: r
                            .get::<_, String>(4)?
                            .parse()
                            .unwrap_or(TokenAuthMethod::None),
                        needs_reconnect: r.get(5)?,
                        grant: r
                            .get::<_, String>(6)?
                            .parse()
                            .unwrap_or(OAuthGrant::AuthorizationCode),
                        scopes: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
                        assertion_audience: r.get(8)?,
                        issuer: r.get(9)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn stored_tokens(&self, owner: &Owner) -> Result<Option<StoredTokens>> {
        Ok(match self.vault().get(&owner.tokens_key())? {
            None => None,
            Some(raw) => serde_json::from_str(raw.expose_secret()).ok(),
        })
    }

    /// The grant and its tokens, or the error that tells the user to connect (again).
    fn usable(&self, owner: &Owner, n: &Names) -> Result<(GrantRow, StoredTokens)> {
        let Some(row) = self.grant_row(owner)? else {
            return Err(oauth_err(
                ErrorCode::NotConnected,
                format!("'{}' is not connected", n.name),
                format!("run `{}`", n.connect),
            ));
        };
        if let Some(why) = &row.needs_reconnect {
            return Err(needs_reconnect_err(n, why));
        }
        let Some(tokens) = self.stored_tokens(owner)? else {
            return Err(oauth_err(
                ErrorCode::NotConnected,
                format!("the keychain has no readable tokens for '{}'", n.name),
                format!("run `{}` again", n.connect),
            ));
        };
        Ok((row, tokens))
    }

    /// A cheap fingerprint of a grant, from SQLite alone (no keychain): it changes whenever
    /// the grant's tokens do (connect, refresh in any process, needs-reconnect), with the
    /// access token's expiry. `None` when not connected.
    pub(crate) fn grant_stamp(
        &self,
        kind: Kind,
        name: &str,
    ) -> Result<Option<(String, Option<String>)>> {
        let (owner, _) = self.owner_of(kind, name)?;
        self.store().read(|c| {
            Ok(c.prepare_cached(
                "SELECT connected_at, refreshed_at, needs_reconnect, expires_at FROM oauth_grants WHERE owner = ?1",
            )?
            .query_row(
                [owner.key()],
                |r| {
                    let stamp = format!(
                        "{}|{}|{}",
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(2)?.unwrap_or_default()
                    );
                    Ok((stamp, r.get::<_, Option<String>>(3)?))
                },
            )
            .optional()?)
        })
    }

    /// A valid access token for an action (or, with `Kind::Connection`, a connection),
    /// refreshed first when it expires within [`REFRESH_MARGIN`]. A client-credentials
    /// grant needs no user, so its first token is fetched here when it has none yet (as
    /// `patchbay connect` would), rather than asking the user to connect.
    pub async fn access_token(&self, kind: Kind, name: &str) -> Result<SecretString> {
        Ok(self.access(kind, name).await?.token)
    }

    /// Whether [`Self::access_token`] is DPoP-bound (RFC 9449): it is worth nothing as a
    /// Bearer token, only with a proof signed by the key in the keychain. Reads no secret.
    pub fn access_token_is_dpop(&self, kind: Kind, name: &str) -> Result<bool> {
        let (owner, _) = self.owner_of(kind, name)?;
        self.store().read(|c| {
            Ok(c.query_row(
                "SELECT dpop FROM oauth_grants WHERE owner = ?1",
                [owner.key()],
                |r| r.get::<_, bool>(0),
            )
            .optional()?
            .unwrap_or(false))
        })
    }

    /// [`Self::access_token`] with the scheme it must be presented with.
    pub(crate) async fn access(&self, kind: Kind, name: &str) -> Result<Access> {
        let (owner, name) = self.owner_of(kind, name)?;
        let n = names(kind, &name);
        match self.token_for(&owner, &n, None).await {
            Err(e) if e.code() == ErrorCode::NotConnected && self.needs_no_user(kind, &name) => {
                // Single-flight within the process: callers that found no grant at once
                // queue here; the first fetches it, the others find it (a lock of its own,
                // since `token_for` takes the owner's).
                let first = self
                    .token_locks
                    .for_owner(&format!("{}#first-token", owner.key()))
                    .lock_owned()
                    .await;
                let r = match self.token_for(&owner, &n, None).await {
                    Err(e) if e.code() == ErrorCode::NotConnected => {
                        self.connect_without_user(kind, &name).await?;
                        self.token_for(&owner, &n, None).await
                    }
                    r => r,
                };
                drop(first);
                r
            }
            r => r,
        }
    }

    /// Whether the grant of `name` needs no user (client credentials, a workload's identity
    /// token, the enterprise identity provider's sign-in): no browser.
    fn needs_no_user(&self, kind: Kind, name: &str) -> bool {
        match kind {
            Kind::Connection => self
                .get_connection(name)
                .is_ok_and(|c| c.grant.fetched_without_user()),
            _ => self
                .get_action(name)
                .is_ok_and(|a| a.grant.is_some_and(|g| g.fetched_without_user())),
        }
    }

    /// The first token of a client-credentials grant: the connect path, logged as a connect.
    async fn connect_without_user(&self, kind: Kind, name: &str) -> Result<GrantView> {
        let req = super::ConnectRequest {
            action: name.to_string(),
            port: 0,
            timeout: Duration::from_secs(30),
            extra_scopes: Vec::new(),
            challenge: None,
            receives_app_links: false,
            device: None,
        };
        let no_browser = |_: &str, _: &str| -> Result<()> {
            Err(Error::Internal(
                "a client-credentials grant opens no browser".into(),
            ))
        };
        match kind {
            Kind::Connection => self.connect_connection(req, no_browser).await,
            _ => self.connect_action(req, no_browser).await,
        }
    }

    /// After the resource refused `rejected` with a 401: one forced refresh, unless another
    /// user replaced that token meanwhile (then theirs). The caller retries once with the
    /// result and never asks again for the same call.
    pub async fn access_token_after_401(
        &self,
        kind: Kind,
        name: &str,
        rejected: &SecretString,
    ) -> Result<SecretString> {
        Ok(self.access_after_401(kind, name, rejected).await?.token)
    }

    /// [`Self::access_token_after_401`] with the scheme of the token.
    pub(crate) async fn access_after_401(
        &self,
        kind: Kind,
        name: &str,
        rejected: &SecretString,
    ) -> Result<Access> {
        let (owner, name) = self.owner_of(kind, name)?;
        self.token_for(&owner, &names(kind, &name), Some(rejected.expose_secret()))
            .await
    }

    async fn token_for(&self, owner: &Owner, n: &Names, rejected: Option<&str>) -> Result<Access> {
        let now = self.clock.now();
        // Fast path, no lock: a token that stays valid past the margin.
        let (_, seen) = self.usable(owner, n)?;
        if rejected.is_none() && fresh_enough(&seen, now, REFRESH_MARGIN) {
            return Ok(Access::of(&seen));
        }
        let keep = |t: &StoredTokens| {
            let now = self.clock.now();
            match rejected {
                None => fresh_enough(t, now, REFRESH_MARGIN),
                // Another user already replaced the refused token: use theirs.
                Some(r) => r != t.access_token && fresh_enough(t, now, Duration::ZERO),
            }
        };
        let local = self.token_locks.for_owner(&owner.key()).lock_owned().await;
        // A user of this process refreshed while we queued: take its result.
        if let Some(t) = local.as_ref().filter(|t| keep(t)) {
            return Ok(Access::of(t));
        }
        let mut lock = self.lock_file(owner, local).await?;
        // Another process may have refreshed already.
        let (row, current) = self.usable(owner, n)?;
        if keep(&current) {
            let token = Access::of(&current);
            lock.remember(Some(current));
            return Ok(token);
        }
        lock.remember(None);
        if row.grant.fetched_without_user() && current.refresh_token.is_none() {
            let fresh = self
                .refetch(owner, n, &row, &current, rejected.is_some())
                .await?;
            let token = Access::of(&fresh);
            lock.remember(Some(fresh));
            return Ok(token);
        }
        let Some(refresh) = current.refresh_token.clone() else {
            let why = if rejected.is_some() {
                "the server refused its access token, and there is no refresh token to get another"
            } else {
                "its access token expired and the server gave no refresh token"
            };
            self.mark_needs_reconnect(owner, why)?;
            return Err(needs_reconnect_err(n, why));
        };
        let started = std::time::Instant::now();
        let result = self.refresh(owner, &row, &current, &refresh).await;
        let mut secrets = vec![current.access_token.clone(), refresh.clone()];
        if let Ok(f) = &result {
            secrets.push(f.access_token.clone());
            secrets.extend(f.refresh_token.clone());
        }
        self.log(crate::logs::NewLog {
            action_id: owner.action_id(),
            subject: Some(&n.name),
            kind: Some(crate::logs::LogKind::Refresh),
            ok: result.is_ok(),
            latency_ms: Some(started.elapsed().as_millis() as i64),
            summary: match &result {
                Ok(f) => format!(
                    "refreshed the access token{}",
                    renewed(rejected.is_some(), f)
                ),
                Err(RefreshFailure::InvalidGrant(said)) => {
                    format!("refresh refused: {said}; needs reconnect")
                }
                Err(RefreshFailure::Other(e)) => format!("refresh failed: {e}"),
            },
            error_code: match &result {
                Ok(_) => None,
                Err(RefreshFailure::InvalidGrant(_)) => Some("needs_reconnect".into()),
                Err(RefreshFailure::Other(e)) => Some(e.code().as_str().to_string()),
            },
            secrets,
            ..Default::default()
        });
        match result {
            Ok(fresh) => {
                let token = Access::of(&fresh);
                lock.remember(Some(fresh));
                Ok(token)
            }
            Err(RefreshFailure::InvalidGrant(said)) => {
                // Clear only what we tried: a process that replaced the tokens meanwhile
                // (a reconnect) keeps its own.
                let still_ours = self
                    .stored_tokens(owner)?
                    .is_some_and(|t| t.refresh_token.as_deref() == Some(refresh.as_str()));
                let why = format!("the authorization server refused its refresh token ({said})");
                if still_ours {
                    self.mark_needs_reconnect(owner, &why)?;
                    self.forget_secrets(&[owner.tokens_key()]);
                }
                Err(needs_reconnect_err(n, &why))
            }
            Err(RefreshFailure::Other(e)) => Err(e),
        }
    }

    /// One refresh (with retries for transient failures), under the token lock. The new
    /// tokens are in the keychain before the access token is returned.
    async fn refresh(
        &self,
        owner: &Owner,
        row: &GrantRow,
        current: &StoredTokens,
        refresh: &str,
    ) -> std::result::Result<StoredTokens, RefreshFailure> {
        let Some(token_endpoint) = row.token_endpoint.clone() else {
            return Err(RefreshFailure::InvalidGrant(
                "it was connected by an older Patchbay that did not record the token endpoint"
                    .into(),
            ));
        };
        let client = self
            .grant_client(owner, row, current)
            .map_err(RefreshFailure::Other)?;
        let oauth = base_client(&client).set_token_uri(
            TokenUrl::new(token_endpoint.clone())
                .map_err(|_| RefreshFailure::Other(bad_url("token endpoint", &token_endpoint)))?,
        );
        let http = http_client().map_err(RefreshFailure::Other)?;
        // A bound grant's refresh proves possession of its key (RFC 9449 §5).
        let key = if crate::dpop::bound(current.token_type.as_deref()) {
            Some(
                self.dpop_key_of_bound_grant(owner)
                    .map_err(RefreshFailure::Other)?,
            )
        } else {
            None
        };
        let token_http = super::dpop_token::TokenHttp {
            http: &http,
            key: key.as_ref(),
        };
        let refresh_token = RefreshToken::new(refresh.to_string());
        let mut attempt = 0;
        let token: TokenResp = loop {
            let mut req = oauth.exchange_refresh_token(&refresh_token);
            if let Some(r) = &row.resource {
                req = req.add_extra_param("resource", r.clone());
            }
            for (k, v) in self
                .assertion_params(&client, &row.audience())
                .map_err(RefreshFailure::Other)?
            {
                req = req.add_extra_param(k, v);
            }
            match req.request_async(&token_http).await {
                Ok(t) => break t,
                Err(RequestTokenError::ServerResponse(r))
                    if *r.error() == BasicErrorResponseType::InvalidGrant =>
                {
                    let said = match r.error_description() {
                        Some(d) => format!("invalid_grant: {d}"),
                        None => "invalid_grant".into(),
                    };
                    return Err(RefreshFailure::InvalidGrant(said));
                }
                Err(e) => {
                    let transient = match &e {
                        RequestTokenError::ServerResponse(r) => matches!(
                            r.error(),
                            BasicErrorResponseType::Extension(x)
                                if x == "server_error" || x == "temporarily_unavailable"
                        ),
                        _ => true,
                    };
                    let err = token_error(e, &token_endpoint);
                    if !transient || attempt >= BACKOFF.len() {
                        return Err(RefreshFailure::Other(err));
                    }
                    tokio::time::sleep(BACKOFF[attempt]).await;
                    attempt += 1;
                }
            }
        };
        let expires_at = token
            .expires_in()
            .map(|d| crate::clock::rfc3339(self.clock.now() + d));
        let stored = StoredTokens {
            access_token: token.access_token().secret().clone(),
            // A server that does not rotate keeps the refresh token we have.
            refresh_token: token
                .refresh_token()
                .map(|r| r.secret().clone())
                .or_else(|| current.refresh_token.clone()),
            token_type: Some(super::dpop_token::token_type(
                key.is_some(),
                token.token_type().as_ref(),
            )),
            expires_at: expires_at.clone(),
            issued_at: Some(self.now()),
            client_secret: current.client_secret.clone(),
        };
        let scopes = token.scopes().map(|s| {
            serde_json::to_string(&s.iter().map(|x| x.as_str()).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into())
        });
        let json = serde_json::to_string(&stored).map_err(|e| {
            RefreshFailure::Other(Error::Internal(format!("cannot encode tokens: {e}")))
        })?;
        // The rotated refresh token is stored before the new access token is used.
        self.vault()
            .set(&owner.tokens_key(), &SecretString::from(json))
            .map_err(RefreshFailure::Other)?;
        let now = self.now();
        let has_refresh = stored.refresh_token.is_some();
        self.store()
            .write(|tx| {
                tx.execute(
                    "UPDATE oauth_grants SET expires_at = ?2, scopes = COALESCE(?3, scopes), has_refresh = ?4,
                        refreshed_at = ?5, needs_reconnect = NULL, dpop = ?6 WHERE owner = ?1",
                    params![owner.key(), expires_at, scopes, has_refresh, now, crate::dpop::bound(stored.token_type.as_deref())],
                )?;
                Ok(())
            })
            .map_err(RefreshFailure::Other)?;
        Ok(stored)
    }

    /// A client credentials grant's next token (before expiry, or after a 401), fetched with
    /// the client's own credentials under the token lock and logged like a refresh (no
    /// secret in the log). The new token is in the keychain before it is handed out.
    async fn refetch(
        &self,
        owner: &Owner,
        n: &Names,
        row: &GrantRow,
        current: &StoredTokens,
        after_401: bool,
    ) -> Result<StoredTokens> {
        let started = std::time::Instant::now();
        let result = self.refetch_inner(owner, row, current).await;
        let mut secrets = vec![current.access_token.clone()];
        if let Ok(f) = &result {
            secrets.push(f.access_token.clone());
        }
        self.log(crate::logs::NewLog {
            action_id: owner.action_id(),
            subject: Some(&n.name),
            kind: Some(crate::logs::LogKind::Refresh),
            ok: result.is_ok(),
            latency_ms: Some(started.elapsed().as_millis() as i64),
            summary: match &result {
                Ok(f) => format!(
                    "fetched a new access token {}{}",
                    fetched_with(row.grant),
                    renewed(after_401, f)
                ),
                Err(e) => {
                    format!(
                        "fetching a new access token {} failed: {e}",
                        fetched_with(row.grant)
                    )
                }
            },
            error_code: result.as_ref().err().map(|e| e.code().as_str().to_string()),
            secrets,
            ..Default::default()
        });
        result
    }

    async fn refetch_inner(
        &self,
        owner: &Owner,
        row: &GrantRow,
        current: &StoredTokens,
    ) -> Result<StoredTokens> {
        let Some(token_endpoint) = row.token_endpoint.clone() else {
            return Err(Error::Internal(
                "the grant has no token endpoint recorded".into(),
            ));
        };
        let http = http_client()?;
        let (stored, granted) = match (row.grant, owner) {
            (g @ (OAuthGrant::JwtBearer | OAuthGrant::EnterpriseManaged), Owner::Action(id)) => {
                let action = self
                    .list_actions()?
                    .into_iter()
                    .find(|a| &a.id == id)
                    .ok_or_else(|| Error::Internal("the grant's action is gone".into()))?;
                let settings = action
                    .oauth
                    .as_ref()
                    .map(|o| o.settings.clone())
                    .unwrap_or_default();
                if action.grant != Some(g) {
                    return Err(needs_reconnect_err(
                        &names(Kind::Action, &action.name),
                        "its grant was changed since it connected",
                    ));
                }
                let client = self.jwt_client(&action, &settings)?;
                let (stored, granted, _) = self
                    .jwt_bearer_token(
                        &self.assertion_of(&action, &settings)?,
                        &super::jwt_bearer::JwtRequest {
                            token_endpoint: &token_endpoint,
                            issuer: &row.issuer,
                            client: client.as_ref(),
                            scopes: &row.scopes,
                            resource: row.resource.as_deref(),
                        },
                        &format!("patchbay action edit {}", action.name),
                        &http,
                    )
                    .await?;
                (stored, granted)
            }
            _ => {
                let client = self.grant_client(owner, row, &StoredTokens::default())?;
                let audience = row.audience();
                // A bound grant's next token is bound to the same key.
                let key = if crate::dpop::bound(current.token_type.as_deref()) {
                    Some(self.dpop_key_of_bound_grant(owner)?)
                } else {
                    None
                };
                self.client_credentials_token(
                    &super::client_credentials::CcRequest {
                        token_endpoint: &token_endpoint,
                        client: &client,
                        scopes: &row.scopes,
                        resource: row.resource.as_deref(),
                        audience: &audience,
                        dpop: key.as_ref(),
                    },
                    &http,
                )
                .await?
            }
        };
        let json = serde_json::to_string(&stored)
            .map_err(|e| Error::Internal(format!("cannot encode tokens: {e}")))?;
        self.vault()
            .set(&owner.tokens_key(), &SecretString::from(json))?;
        let now = self.now();
        let scopes = serde_json::to_string(&granted).unwrap_or_else(|_| "[]".into());
        self.store().write(|tx| {
            tx.execute(
                "UPDATE oauth_grants SET expires_at = ?2, scopes = ?3, refreshed_at = ?4, needs_reconnect = NULL,
                    dpop = ?5 WHERE owner = ?1",
                params![owner.key(), stored.expires_at, scopes, now, crate::dpop::bound(stored.token_type.as_deref())],
            )?;
            Ok(())
        })?;
        Ok(stored)
    }

    /// The client the grant's tokens were issued to, with its secret when it has one.
    fn grant_client(
        &self,
        owner: &Owner,
        row: &GrantRow,
        current: &StoredTokens,
    ) -> Result<ClientIdentity> {
        let secret = if !row.auth_method.uses_secret() {
            None
        } else if let Some(s) = &current.client_secret {
            Some(SecretString::from(s.clone()))
        } else {
            let key = match owner {
                Owner::Action(id) => crate::vault::keys::action_client_secret(id),
                Owner::Connection(id) => crate::vault::keys::connection_client_secret(id),
            };
            self.vault().get(&key)?
        };
        let signer = super::signer(owner, row.auth_method);
        Ok(ClientIdentity {
            id: row.client_id.clone(),
            secret,
            method: row.auth_method,
            keep_secret: false,
            signer,
        })
    }

    /// Record that the grant needs a new sign-in, and say so in the health of the actions
    /// that use it.
    fn mark_needs_reconnect(&self, owner: &Owner, why: &str) -> Result<()> {
        let now = self.now();
        self.store().write(|tx| {
            tx.execute(
                "UPDATE oauth_grants SET needs_reconnect = ?2 WHERE owner = ?1",
                params![owner.key(), why],
            )?;
            let (column, id) = owner.actions_column();
            tx.execute(
                &format!(
                    "UPDATE actions SET health_status = 'unhealthy', health_reason = 'needs_reconnect',
                        health_message = ?2, health_checked_at = ?3, health_latency_ms = NULL, health_tool_count = NULL
                     WHERE {column} = ?1"
                ),
                params![id, why, now],
            )?;
            Ok(())
        })
    }

    /// Disconnect: revoke at the provider (RFC 7009: the refresh token, then the access
    /// token) when it has a revocation endpoint, then delete the tokens here either way.
    pub async fn disconnect(&self, kind: Kind, name: &str) -> Result<DisconnectReport> {
        let (owner, _) = self.owner_of(kind, name)?;
        let before = self.grant(&owner)?;
        let mut lock = self.lock_tokens(&owner).await?;
        lock.remember(None);
        let row = self.grant_row(&owner)?;
        let tokens = self.stored_tokens(&owner)?;
        let revocation = match (&row, &tokens) {
            (Some(row), Some(tokens)) => self.revoke(&owner, row, tokens).await,
            _ => Revocation {
                outcome: RevocationOutcome::Nothing,
                revoked: Vec::new(),
                message: None,
            },
        };
        self.store().write(|tx| {
            tx.execute("DELETE FROM oauth_grants WHERE owner = ?1", [owner.key()])?;
            Ok(())
        })?;
        self.forget_secrets(&[
            owner.tokens_key(),
            crate::vault::keys::dpop_key(&owner.key()),
        ]);
        let was_connected = before.connected || before.needs_reconnect;
        if was_connected {
            self.log(crate::logs::NewLog {
                action_id: owner.action_id(),
                subject: Some(name),
                kind: Some(crate::logs::LogKind::Disconnect),
                ok: revocation.outcome != RevocationOutcome::Failed,
                summary: format!(
                    "disconnected; revocation: {}{}",
                    serde_json::to_value(revocation.outcome)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                    revocation
                        .message
                        .as_deref()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default()
                ),
                secrets: tokens
                    .iter()
                    .flat_map(|t| [Some(t.access_token.clone()), t.refresh_token.clone()])
                    .flatten()
                    .collect(),
                ..Default::default()
            });
        }
        Ok(DisconnectReport {
            grant: GrantView::disconnected(),
            was_connected,
            revocation,
        })
    }

    async fn revoke(&self, owner: &Owner, row: &GrantRow, tokens: &StoredTokens) -> Revocation {
        let Some(endpoint) = row.revocation_endpoint.clone() else {
            return Revocation {
                outcome: RevocationOutcome::Unsupported,
                revoked: Vec::new(),
                message: None,
            };
        };
        let mut revoked = Vec::new();
        let fail = |revoked: Vec<String>, message: String| Revocation {
            outcome: RevocationOutcome::Failed,
            revoked,
            message: Some(message),
        };
        let client = match self.grant_client(owner, row, tokens) {
            Ok(c) => c,
            Err(e) => return fail(revoked, e.to_string()),
        };
        let http = match http_client() {
            Ok(h) => h,
            Err(e) => return fail(revoked, e.to_string()),
        };
        let mut list: Vec<(&str, &str)> = Vec::new();
        if let Some(r) = &tokens.refresh_token {
            list.push(("refresh_token", r));
        }
        list.push(("access_token", &tokens.access_token));
        let mut notes = Vec::new();
        for (hint, token) in list {
            let auth = match self.assertion_params(&client, &row.audience()) {
                Ok(a) => a,
                Err(e) => return fail(revoked, e.to_string()),
            };
            match super::revoke_token(&http, &endpoint, &client, &auth, hint, token).await {
                Ok(()) => revoked.push(hint.to_string()),
                Err(RevokeError::Unsupported(note)) => notes.push(note),
                Err(RevokeError::Failed(message)) => return fail(revoked, message),
            }
        }
        Revocation {
            outcome: if revoked.is_empty() {
                RevocationOutcome::Unsupported
            } else {
                RevocationOutcome::Revoked
            },
            revoked,
            message: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(expires_at: Option<&str>) -> StoredTokens {
        StoredTokens {
            access_token: "a".into(),
            refresh_token: None,
            token_type: None,
            expires_at: expires_at.map(String::from),
            issued_at: None,
            client_secret: None,
        }
    }

    #[test]
    fn freshness_honours_the_margin() {
        let now = time::macros::datetime!(2026-01-01 12:00 UTC);
        let m = REFRESH_MARGIN;
        assert!(
            fresh_enough(&tokens(None), now, m),
            "no expiry: use until a 401"
        );
        assert!(fresh_enough(&tokens(Some("2026-01-01T12:05:00Z")), now, m));
        assert!(!fresh_enough(&tokens(Some("2026-01-01T12:00:30Z")), now, m));
        assert!(fresh_enough(
            &tokens(Some("2026-01-01T12:00:30Z")),
            now,
            Duration::ZERO
        ));
        assert!(!fresh_enough(
            &tokens(Some("2026-01-01T11:59:00Z")),
            now,
            Duration::ZERO
        ));
        assert!(!fresh_enough(&tokens(Some("garbage")), now, Duration::ZERO));
        // A 10 s token issued 2 s ago: the margin shrinks to 5 s, so it is still fresh.
        let short = StoredTokens {
            issued_at: Some("2026-01-01T11:59:58Z".into()),
            ..tokens(Some("2026-01-01T12:00:08Z"))
        };
        assert!(fresh_enough(&short, now, m));
        let now_later = time::macros::datetime!(2026-01-01 12:00:04 UTC);
        assert!(
            !fresh_enough(&short, now_later, m),
            "within half its life of expiry"
        );
    }
}
