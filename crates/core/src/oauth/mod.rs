//! OAuth 2.1 connect for MCP actions: discovery → client identity (user's client, a saved
//! registration, or RFC 7591 dynamic registration) → authorization code + PKCE S256 with the
//! RFC 8707 `resource` → loopback callback (state, RFC 9207 `iss`) → token exchange → keychain.
//!
//! The engine: discovery and registration over reqwest (see `discovery.rs` for why), the
//! authorization URL, PKCE and the token exchange with the `oauth2` crate.
//!
//! Why this engine: the `oauth2` crate does PKCE, the authorization URL, client
//! authentication (basic / post / none) and the token exchange; discovery and registration
//! are ~300 hand-written lines over reqwest. rmcp 3.11's `auth` module covers more ground,
//! but it always sends `resource` (no per-action opt-out or override, which Entra ID needs),
//! picks basic/post from the server's metadata rather than the user's setting, tolerates a
//! missing `code_challenge_methods_supported` (the spec, and this project, refuse it unless
//! told to assume S256), and its errors do not say which URLs discovery tried.
//!
//! The app link. A sign-in whose callback is `dev.patchbay.app:/oauth/callback` (the
//! action's `callback: app-link`, for providers that refuse http loopback redirect URIs) runs
//! the same flow without a listener: its pending flow waits in the process-wide app-link
//! registry. The provider redirects the browser to the link, the OS starts
//! `patchbay-desktop LINK`, the single-instance plugin hands the arguments over D-Bus to the
//! running instance and exits, the deep-link plugin's `on_open_url` passes the link to
//! `callback::deliver_app_link`, and the waiting flow takes it by `state` exactly as a loopback
//! callback. The shell then brings the window forward and emits `sign-in-returned`
//! (`{ok, matched, title, message}`); the Connect that started the flow resolves. Only the
//! desktop app can receive the link, so `ConnectRequest.receives_app_links` is false in the CLI
//! and such a sign-in is refused there with the fix.

pub mod callback;
pub mod discovery;
pub mod lifecycle;

use std::time::Duration;

use base64::Engine;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use rusqlite::{OptionalExtension, params};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Kind, Result};
use crate::model::{ActionKind, AuthType as ActionAuth, CallbackKind, GrantView, TokenAuthMethod};
use crate::{Entries, Patchbay};
use callback::{CallbackParams, Page};
use discovery::{Discovered, DiscoveryOptions, ServerMetadata};

/// How long a pending flow waits for the browser by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The `id_token` an OpenID provider returns beside the access token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type TokenResp = StandardTokenResponse<IdTokenField, BasicTokenType>;
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;
type BaseClient = oauth2::Client<
    BasicErrorResponse,
    TokenResp,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
>;

pub(crate) use crate::vault::StoredTokens;

/// The keychain entry holding the tokens of a grant owner (`action/<id>`, `connection/<id>`).
pub(crate) fn tokens_key(owner_key: &str) -> String {
    crate::vault::keys::oauth_tokens(owner_key)
}

/// The client Patchbay authenticates as.
#[derive(Clone)]
struct ClientIdentity {
    id: String,
    secret: Option<SecretString>,
    method: TokenAuthMethod,
    /// The secret came from a dynamic registration: keep it with the tokens.
    keep_secret: bool,
}

/// A connect request from a front end.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    pub action: String,
    /// Loopback callback port; 0 picks a free one (tests).
    pub port: u16,
    pub timeout: Duration,
    /// Step-up: scopes the resource asked for (403 insufficient_scope); the new grant asks
    /// for the union of these, the scopes already granted and the usual ones.
    pub extra_scopes: Vec<String>,
    /// The `WWW-Authenticate` challenge of the request that needs this sign-in, when known.
    pub challenge: Option<String>,
    /// This front end receives `dev.patchbay.app:` links (the desktop app); sign-ins whose
    /// callback is the app link are refused elsewhere, with a hint.
    pub receives_app_links: bool,
}

/// The client of every OAuth request (no redirects, 30 s).
pub(crate) fn http_client() -> Result<reqwest::Client> {
    crate::http::client(crate::http::Purpose::OAuth)
}

fn oauth_err(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::oauth(code, message, Some(hint.into()))
}

/// The claims part of a JWT, without verifying it (the token came straight from the token
/// endpoint over the connection we opened; we only read who signed in).
fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn account_from_claims(c: &serde_json::Value) -> Option<String> {
    ["email", "preferred_username", "upn", "name", "sub"]
        .iter()
        .find_map(|k| {
            c.get(*k)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(String::from)
        })
}

/// RFC 9207 §2.4: when the server says it sends `iss`, it must be there and match; when it
/// is there anyway, it must match.
fn check_iss(server: &ServerMetadata, iss: Option<&str>) -> Result<()> {
    if !server.issuer_checked {
        // Endpoints typed by the user: no verified issuer to compare `iss` with.
        return Ok(());
    }
    let required = server.authorization_response_iss_parameter_supported == Some(true);
    match iss {
        Some(i) if i != server.issuer => Err(oauth_err(
            ErrorCode::IssuerMismatch,
            format!(
                "the authorization response came from issuer '{i}', not '{}'",
                server.issuer
            ),
            "this can be a mix-up attack; nothing was saved. Try again, and report it if it repeats",
        )),
        None if required => Err(oauth_err(
            ErrorCode::IssuerMismatch,
            "the authorization response has no 'iss', though the server promises one (RFC 9207)",
            "nothing was saved; try again, and report it to the server's operator if it repeats",
        )),
        _ => Ok(()),
    }
}

/// Scopes in the spec's order: the user's, else the 401 challenge's, else the resource's
/// `scopes_supported`, else none; plus `offline_access` (a refresh token) and `openid email`
/// (to say who is connected) when the authorization server offers them.
fn choose_scopes(user: &[String], d: &Discovered) -> Vec<String> {
    let mut scopes: Vec<String> = if !user.is_empty() {
        user.to_vec()
    } else if !d.challenge_scopes.is_empty() {
        d.challenge_scopes.clone()
    } else {
        d.resource_scopes.clone()
    };
    let offered = d.server.scopes_supported.clone().unwrap_or_default();
    // A refresh token when offered (the spec); who signed in, unless the user chose scopes.
    let extras: &[&str] = if user.is_empty() {
        &["offline_access", "openid", "email"]
    } else {
        &["offline_access"]
    };
    for extra in extras {
        if offered.iter().any(|s| s == extra) && !scopes.iter().any(|s| s == extra) {
            scopes.push(extra.to_string());
        }
    }
    scopes
}

/// Failures that stale cached metadata can explain (moved endpoints, a new server).
fn stale_metadata(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::Unreachable
            | ErrorCode::Tls
            | ErrorCode::RegistrationRefused
            | ErrorCode::DiscoveryFailed
            | ErrorCode::TokenError
    )
}

fn callback_error(p: &CallbackParams) -> Error {
    let error = p.error.clone().unwrap_or_default();
    let desc = p.error_description.clone().unwrap_or_default();
    let said = if desc.is_empty() {
        error.clone()
    } else {
        format!("{error}: {desc}")
    };
    match error.as_str() {
        "access_denied" => oauth_err(
            ErrorCode::AccessDenied,
            "authorization was denied in the browser (access_denied)",
            "run connect again and choose Allow, or sign in with an account that has access",
        ),
        _ if desc.contains("redirect_uri") => oauth_err(
            ErrorCode::RedirectUriMismatch,
            format!("the authorization server refused the redirect URI ({said})"),
            "register the callback URL shown by `patchbay connect` with the provider exactly, or pick the registered port with --port",
        ),
        _ => oauth_err(
            ErrorCode::AuthorizationFailed,
            format!("authorization failed: {said}"),
            "check the client id, scopes and redirect URI in Advanced configuration, then try again",
        ),
    }
}

fn token_error(
    e: RequestTokenError<oauth2::HttpClientError<reqwest::Error>, BasicErrorResponse>,
    token_url: &str,
) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let code = r.error().to_string();
            let desc = r.error_description().cloned().unwrap_or_default();
            let said = if desc.is_empty() {
                code.clone()
            } else {
                format!("{code}: {desc}")
            };
            if desc.contains("redirect_uri") {
                oauth_err(
                    ErrorCode::RedirectUriMismatch,
                    format!("the token endpoint refused the redirect URI ({said})"),
                    "register the callback URL exactly as `patchbay connect` shows it",
                )
            } else if code == "invalid_client" {
                oauth_err(
                    ErrorCode::TokenError,
                    format!("the token endpoint refused the client ({said})"),
                    "check the client id, secret and token auth method (client_secret_basic / client_secret_post / none)",
                )
            } else {
                oauth_err(
                    ErrorCode::TokenError,
                    format!("the token endpoint answered with an error ({said})"),
                    "try again; if it repeats, check Advanced configuration",
                )
            }
        }
        RequestTokenError::Request(oauth2::HttpClientError::Reqwest(re)) => {
            discovery::transport_error(token_url, &re)
        }
        RequestTokenError::Request(other) => oauth_err(
            ErrorCode::Unreachable,
            format!("the token request to {token_url} failed: {other}"),
            "check the token URL and your network",
        ),
        RequestTokenError::Parse(_, _) => oauth_err(
            ErrorCode::TokenError,
            format!(
                "the token endpoint {token_url} sent a response that is not a valid token response"
            ),
            "check the token URL points at the OAuth token endpoint",
        ),
        RequestTokenError::Other(o) => oauth_err(
            ErrorCode::TokenError,
            format!("the token request failed: {o}"),
            "try again",
        ),
    }
}

impl Patchbay {
    /// Connect an MCP action that uses OAuth: discover, identify the client, open the
    /// browser (through `open`, which the front end supplies), wait for the callback,
    /// exchange the code, store the tokens. Returns who is connected.
    pub async fn connect_action(
        &self,
        req: ConnectRequest,
        open: impl FnMut(&str, &str) -> Result<()>,
    ) -> Result<GrantView> {
        let name = req.action.clone();
        let action_id = self.get_action(&name).ok().map(|a| a.id);
        let result = self.connect_action_inner(req, open).await;
        self.log_connect(action_id.as_deref(), &name, &result);
        result
    }

    /// Log how a connect ended (every way it can end, from discovery to the token exchange).
    fn log_connect(&self, action_id: Option<&str>, name: &str, result: &Result<GrantView>) {
        self.log(crate::logs::NewLog {
            action_id,
            subject: Some(name),
            kind: Some(crate::logs::LogKind::Connect),
            ok: result.is_ok(),
            summary: match result {
                Ok(g) => format!(
                    "connected{} at {} (scopes: {})",
                    g.account
                        .as_deref()
                        .map(|a| format!(" as {a}"))
                        .unwrap_or_default(),
                    g.issuer.as_deref().unwrap_or("-"),
                    g.scopes.join(" ")
                ),
                Err(e) => format!("connect failed: {e}"),
            },
            error_code: result.as_ref().err().map(|e| e.code().wire_name()),
            ..Default::default()
        });
    }

    async fn connect_action_inner(
        &self,
        req: ConnectRequest,
        open: impl FnMut(&str, &str) -> Result<()>,
    ) -> Result<GrantView> {
        let action = self.get_action(&req.action)?;
        if action.auth.kind != ActionAuth::OAuth {
            return Err(Error::invalid_with_hint(
                format!(
                    "action '{}' does not use OAuth (its authentication is {})",
                    action.name,
                    action.auth.kind.as_str()
                ),
                format!(
                    "switch it with `patchbay action edit {} --auth oauth`",
                    action.name
                ),
            ));
        }
        if !action.enabled {
            return Err(Error::invalid_with_hint(
                format!("action '{}' is disabled", action.name),
                format!("enable it first: `patchbay action enable {}`", action.name),
            ));
        }
        let settings = action
            .oauth
            .as_ref()
            .map(|o| o.settings.clone())
            .unwrap_or_default();
        let http = http_client()?;

        // 1. Where to authorize: the user's endpoints, else what discovery found (cached).
        let mut cached = false;
        let discovered = match (
            &settings.authorization_url,
            &settings.token_url,
            action.kind,
        ) {
            (Some(a), Some(t), _) => Discovered {
                resource: action.url.clone(),
                server: ServerMetadata::typed(a, t, settings.registration_url.clone(), None, None),
                challenge_scopes: Vec::new(),
                resource_scopes: Vec::new(),
            },
            (_, _, ActionKind::Http) => {
                return Err(Error::invalid(
                    "an HTTP action's OAuth needs its authorization and token URLs",
                ));
            }
            // A challenge from the request that needs the sign-in says what it needs: use it.
            _ if req.challenge.is_some() => {
                self.discover_for(&action, &settings, &http, req.challenge.as_deref())
                    .await?
            }
            _ => match self.cached_discovery(&action.id, &action.url)? {
                Some(d) => {
                    cached = true;
                    d
                }
                None => self.discover_for(&action, &settings, &http, None).await?,
            },
        };
        let typed = settings.authorization_url.is_some() && settings.token_url.is_some();
        let mut discovered_for_cache = (!typed && !cached).then(|| discovered.clone());
        let user_client = match &settings.client_id {
            Some(id) => {
                let secret = self.action_client_secret(&action)?;
                let method = settings.token_auth_method.unwrap_or(if secret.is_some() {
                    TokenAuthMethod::ClientSecretBasic
                } else {
                    TokenAuthMethod::None
                });
                Some(ClientIdentity {
                    id: id.clone(),
                    secret,
                    method,
                    keep_secret: false,
                })
            }
            None => None,
        };
        let mut scopes = choose_scopes(&settings.scopes, &discovered);
        if !req.extra_scopes.is_empty() {
            let granted = self.grant(&Owner::Action(action.id.clone()))?.scopes;
            for s in granted.into_iter().chain(req.extra_scopes.iter().cloned()) {
                if !scopes.contains(&s) {
                    scopes.push(s);
                }
            }
        }
        let resource = if settings.omit_resource {
            None
        } else {
            Some(
                settings
                    .resource_override
                    .clone()
                    .unwrap_or_else(|| discovered.resource.clone()),
            )
        };
        let target = Target {
            owner: Owner::Action(action.id.clone()),
            name: action.name.clone(),
            edit_command: format!("patchbay action edit {}", action.name),
            server: discovered.server,
            client: user_client,
            client_metadata_url: settings.client_metadata_url.clone(),
            scopes,
            resource,
            callback: settings.callback,
        };
        let opened = std::cell::Cell::new(false);
        let mut open = open;
        let mut open_tracked = |url: &str, redirect: &str| {
            opened.set(true);
            open(url, redirect)
        };
        let mut result = self
            .authorize(target.clone(), &req, &http, &mut open_tracked)
            .await;
        if let Err(e) = &result
            && cached
            && stale_metadata(e)
        {
            // The cached metadata may be what failed: forget it, and when the browser was
            // not opened yet, discover again and retry once.
            self.forget_discovery(&action.id)?;
            if !opened.get() {
                let fresh = self.discover_for(&action, &settings, &http, None).await?;
                let retry = Target {
                    server: fresh.server.clone(),
                    ..target
                };
                discovered_for_cache = Some(fresh);
                result = self.authorize(retry, &req, &http, &mut open_tracked).await;
            }
        }
        if result.is_ok()
            && let Some(d) = &discovered_for_cache
        {
            self.save_discovery(&action.id, &action.url, d)?;
        }
        result
    }

    async fn discover_for(
        &self,
        action: &crate::model::ActionView,
        settings: &crate::model::OAuthSettings,
        http: &reqwest::Client,
        challenge: Option<&str>,
    ) -> Result<Discovered> {
        let mut d = discovery::discover(
            http,
            &action.url,
            &DiscoveryOptions {
                assume_pkce_s256: settings.assume_pkce_s256,
                challenge: challenge.map(String::from),
            },
        )
        .await?;
        if let Some(r) = &settings.registration_url {
            d.server.registration_endpoint = Some(r.clone());
        }
        Ok(d)
    }

    /// What an earlier connect discovered for this action's server URL.
    fn cached_discovery(&self, action_id: &str, server_url: &str) -> Result<Option<Discovered>> {
        let json: Option<String> = self.store().read(|c| {
            Ok(c.query_row(
                "SELECT discovered FROM oauth_discovery WHERE action_id = ?1 AND server_url = ?2",
                params![action_id, server_url],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        Ok(json
            .and_then(|j| serde_json::from_str::<Discovered>(&j).ok())
            .map(|mut d| {
                // Only discovery writes this cache, and discovery checked the issuer.
                d.server.issuer_checked = true;
                d
            }))
    }

    fn save_discovery(&self, action_id: &str, server_url: &str, d: &Discovered) -> Result<()> {
        let json = serde_json::to_string(d)
            .map_err(|e| Error::Internal(format!("cannot encode metadata: {e}")))?;
        let now = self.now();
        self.store().write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO oauth_discovery (action_id, server_url, discovered, discovered_at) VALUES (?1, ?2, ?3, ?4)",
                params![action_id, server_url, json, now],
            )?;
            Ok(())
        })
    }

    pub(crate) fn forget_discovery(&self, action_id: &str) -> Result<()> {
        self.store().write(|tx| {
            tx.execute(
                "DELETE FROM oauth_discovery WHERE action_id = ?1",
                [action_id],
            )?;
            Ok(())
        })
    }

    /// Connect a reusable OAuth connection: its own endpoints and client.
    pub async fn connect_connection(
        &self,
        req: ConnectRequest,
        open: impl FnMut(&str, &str) -> Result<()>,
    ) -> Result<GrantView> {
        let name = req.action.clone();
        let result = self.connect_connection_inner(req, open).await;
        self.log_connect(None, &name, &result);
        result
    }

    async fn connect_connection_inner(
        &self,
        req: ConnectRequest,
        open: impl FnMut(&str, &str) -> Result<()>,
    ) -> Result<GrantView> {
        let c = self.get_connection(&req.action)?;
        let http = http_client()?;
        let secret = self.connection_client_secret(&c)?;
        let server = ServerMetadata::typed(
            &c.authorization_url,
            &c.token_url,
            c.registration_url.clone(),
            c.revocation_url.clone(),
            c.issuer.clone(),
        );
        let target = Target {
            owner: Owner::Connection(c.id.clone()),
            name: c.name.clone(),
            edit_command: format!("patchbay connection edit {}", c.name),
            server,
            client: Some(ClientIdentity {
                id: c.client_id.clone(),
                secret,
                method: c.token_auth_method,
                keep_secret: false,
            }),
            client_metadata_url: None,
            scopes: c.scopes.clone(),
            resource: c.resource.clone(),
            callback: CallbackKind::Loopback,
        };
        let mut open = open;
        self.authorize(target, &req, &http, &mut open).await
    }

    /// The authorization code flow for one target: callback listener, client identity,
    /// PKCE + state + resource, the browser, the callback, the token exchange.
    async fn authorize(
        &self,
        target: Target,
        req: &ConnectRequest,
        http: &reqwest::Client,
        open: &mut impl FnMut(&str, &str) -> Result<()>,
    ) -> Result<GrantView> {
        let server = target.server.clone();
        if target.callback == CallbackKind::AppLink && !req.receives_app_links {
            return Err(Error::invalid_with_hint(
                format!(
                    "'{}' signs in through the app link {}, which only the Patchbay desktop app receives",
                    target.name,
                    callback::APP_LINK_REDIRECT
                ),
                format!(
                    "connect it from the desktop app, or use the loopback callback: `{} --callback loopback` (register http://127.0.0.1:PORT/callback with the provider)",
                    target.edit_command
                ),
            ));
        }
        // The callback listener (its URL is part of the client's registration).
        let listener = callback::Listener::open(target.callback, req.port).await?;
        let redirect_uri = listener.redirect_uri();
        // Client identity in the spec's order: the user's client, a Client ID Metadata
        // Document (when the server supports them and one is configured), registration.
        let client = match (target.client, &target.client_metadata_url) {
            (Some(c), _) => c,
            (None, Some(url)) if server.client_id_metadata_document_supported == Some(true) => {
                ClientIdentity {
                    id: url.clone(),
                    secret: None,
                    method: TokenAuthMethod::None,
                    keep_secret: false,
                }
            }
            (None, _) => {
                self.registered_client(&target.edit_command, &server, &redirect_uri, http)
                    .await?
            }
        };
        let scopes = target.scopes.clone();
        let resource = target.resource.clone();
        let oauth = build_client(&client, &server, &redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut auth_req = oauth
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_scopes(scopes.iter().cloned().map(Scope::new));
        if let Some(r) = &resource {
            auth_req = auth_req.add_extra_param("resource", r.clone());
        }
        let (auth_url, state) = auth_req.url();
        discovery::check_endpoint("authorization URL", &auth_url)?;
        let rx = listener.expect(state.secret());
        open(auth_url.as_str(), &redirect_uri)?;

        // Wait for the browser to come back (the pending flow expires after the timeout).
        let (params, page_tx) = match tokio::time::timeout(req.timeout, rx).await {
            Ok(Ok(v)) => v,
            _ => {
                listener.forget(state.secret());
                let refused = listener.refused();
                if refused > 0 {
                    // Something came back, but not this sign-in: a forged or replayed callback,
                    // or a tab left over from an earlier attempt. Each was refused unused.
                    return Err(oauth_err(
                        ErrorCode::StateMismatch,
                        format!(
                            "the browser came back {refused} time(s) with a sign-in that is not this one (state mismatch); nothing was saved"
                        ),
                        "close old sign-in tabs and run connect again, then finish in the tab it opens",
                    ));
                }
                return Err(oauth_err(
                    ErrorCode::ConsentTimeout,
                    format!(
                        "no answer from the browser within {} s; the sign-in expired",
                        req.timeout.as_secs()
                    ),
                    "run connect again and finish signing in in the browser (or raise --timeout)",
                ));
            }
        };
        let outcome = self
            .finish(
                &target.owner,
                &oauth,
                &server,
                &client,
                params,
                verifier,
                resource.as_deref(),
                &scopes,
                http,
            )
            .await;
        let page = match &outcome {
            Ok(g) => Page {
                ok: true,
                title: match &g.account {
                    Some(a) => format!("Connected as {a}"),
                    None => "Connected".into(),
                },
                message: format!(
                    "Patchbay can now use '{}'. You can close this tab.",
                    target.name
                ),
            },
            Err(e) => Page {
                ok: false,
                title: "Authorization failed".into(),
                message: format!("{e}. Return to Patchbay to try again."),
            },
        };
        let _ = page_tx.send(page);
        // Give the browser its page before the listener goes away.
        tokio::time::sleep(Duration::from_millis(50)).await;
        outcome
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        owner: &Owner,
        oauth: &OAuthClient,
        server: &ServerMetadata,
        client: &ClientIdentity,
        params: CallbackParams,
        verifier: oauth2::PkceCodeVerifier,
        resource: Option<&str>,
        requested: &[String],
        http: &reqwest::Client,
    ) -> Result<GrantView> {
        if params.error.is_some() {
            check_iss(server, params.iss.as_deref())?;
            return Err(callback_error(&params));
        }
        check_iss(server, params.iss.as_deref())?;
        let Some(code) = params.code.clone() else {
            return Err(oauth_err(
                ErrorCode::AuthorizationFailed,
                "the authorization response has no code",
                "try again",
            ));
        };
        let mut exchange = oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier);
        if let Some(r) = resource {
            exchange = exchange.add_extra_param("resource", r.to_string());
        }
        let token = exchange
            .request_async(http)
            .await
            .map_err(|e| token_error(e, &server.token_endpoint))?;

        let access = token.access_token().secret().clone();
        let granted: Vec<String> = match token.scopes() {
            Some(s) => s.iter().map(|x| x.to_string()).collect(),
            None => requested.to_vec(),
        };
        let expires_at = token
            .expires_in()
            .map(|d| crate::clock::rfc3339(self.clock_now() + d));
        let account = match token
            .extra_fields()
            .id_token
            .as_deref()
            .and_then(jwt_claims)
            .and_then(|c| account_from_claims(&c))
        {
            Some(a) => Some(a),
            None => match (
                &server.userinfo_endpoint,
                granted.iter().any(|s| s == "openid"),
            ) {
                (Some(u), true) => userinfo_account(http, u, &access).await,
                _ => None,
            }
            .or_else(|| jwt_claims(&access).and_then(|c| account_from_claims(&c))),
        };
        let stored = StoredTokens {
            access_token: access,
            refresh_token: token.refresh_token().map(|r| r.secret().clone()),
            token_type: Some("Bearer".into()),
            expires_at: expires_at.clone(),
            issued_at: Some(self.now()),
            client_secret: client
                .secret
                .as_ref()
                .filter(|_| client.keep_secret)
                .map(|s| s.expose_secret().to_string()),
        };
        let json = serde_json::to_string(&stored)
            .map_err(|e| Error::Internal(format!("cannot encode tokens: {e}")))?;
        let now = self.now();
        let scopes_json = serde_json::to_string(&granted).unwrap_or_else(|_| "[]".into());
        let has_refresh = stored.refresh_token.is_some();
        // Replacing the tokens waits for a refresh in progress (any process), so that refresh
        // cannot overwrite the new grant with tokens of the old one.
        let mut lock = self.lock_tokens(owner).await?;
        lock.remember(None);
        self.write_with_secrets(Entries::MayExist, &[(owner.tokens_key(), SecretString::from(json))], |tx| {
            tx.execute(
                "INSERT INTO oauth_grants (owner, action_id, connection_id, issuer, client_id, resource, account, scopes, expires_at, has_refresh, connected_at,
                    authorization_endpoint, token_endpoint, revocation_endpoint, auth_method, needs_reconnect, refreshed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULL, NULL)
                 ON CONFLICT (owner) DO UPDATE SET issuer = ?4, client_id = ?5, resource = ?6, account = ?7, scopes = ?8,
                    expires_at = ?9, has_refresh = ?10, connected_at = ?11, authorization_endpoint = ?12,
                    token_endpoint = ?13, revocation_endpoint = ?14, auth_method = ?15, needs_reconnect = NULL,
                    refreshed_at = NULL",
                params![
                    owner.key(),
                    owner.action_id(),
                    owner.connection_id(),
                    server.issuer,
                    client.id,
                    resource,
                    account,
                    scopes_json,
                    expires_at,
                    has_refresh,
                    now,
                    server.authorization_endpoint,
                    server.token_endpoint,
                    server.revocation_endpoint,
                    client.method.as_str(),
                ],
            )?;
            // A grant that needed reconnecting works again; its actions' health is unknown
            // until they are tested.
            let (column, id) = owner.actions_column();
            tx.execute(
                &format!(
                    "UPDATE actions SET health_status = 'unknown', health_reason = NULL, health_message = NULL
                     WHERE {column} = ?1 AND health_reason = 'needs_reconnect'"
                ),
                [id],
            )?;
            Ok(())
        })?;
        self.grant(owner)
    }

    /// A saved registration for this issuer and redirect URI, else dynamic client
    /// registration (RFC 7591) as a public native client.
    async fn registered_client(
        &self,
        edit_command: &str,
        server: &ServerMetadata,
        redirect_uri: &str,
        http: &reqwest::Client,
    ) -> Result<ClientIdentity> {
        let saved: Option<String> = self.store().read(|c| {
            Ok(c.query_row(
                "SELECT client_id FROM oauth_clients WHERE issuer = ?1 AND redirect_uri = ?2 AND has_secret = 0",
                params![server.issuer, redirect_uri],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        if let Some(id) = saved {
            return Ok(ClientIdentity {
                id,
                secret: None,
                method: TokenAuthMethod::None,
                keep_secret: false,
            });
        }
        let Some(reg) = &server.registration_endpoint else {
            return Err(oauth_err(
                ErrorCode::NeedsClientId,
                format!(
                    "this server needs a client id: {} offers no dynamic client registration",
                    server.issuer
                ),
                format!(
                    "register an OAuth app with the provider using the redirect URI {redirect_uri}, then: `{edit_command} --client-id ID [--client-secret-stdin]`"
                ),
            ));
        };
        let body = serde_json::json!({
            "client_name": "Patchbay",
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "application_type": "native",
        });
        let resp = http
            .post(reg)
            .json(&body)
            .send()
            .await
            .map_err(|e| discovery::transport_error(reg, &e))?;
        let status = resp.status();
        let value: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
        if !status.is_success() {
            let said = value
                .get("error_description")
                .or_else(|| value.get("error"))
                .and_then(|v| v.as_str())
                .unwrap_or("no reason given");
            return Err(oauth_err(
                ErrorCode::RegistrationRefused,
                format!("the authorization server refused to register Patchbay ({status}: {said})"),
                format!(
                    "register an OAuth app with the provider yourself (redirect URI {redirect_uri}) and fill in Advanced configuration: `{edit_command} --client-id ID`"
                ),
            ));
        }
        let Some(id) = value
            .get("client_id")
            .and_then(|v| v.as_str())
            .map(String::from)
        else {
            return Err(oauth_err(
                ErrorCode::RegistrationRefused,
                "the registration response has no client_id",
                "fill in Advanced configuration with a client id",
            ));
        };
        // We ask for a public client; a server that insists on a secret gets it used for
        // this flow only (not remembered: secrets live in the keychain, keyed by their owner).
        let secret = value
            .get("client_secret")
            .and_then(|v| v.as_str())
            .map(|s| SecretString::from(s.to_string()));
        if secret.is_none() {
            let now = self.now();
            self.store().write(|tx| {
                tx.execute(
                    "INSERT OR REPLACE INTO oauth_clients (issuer, redirect_uri, client_id, has_secret, auth_method, registered_at)
                     VALUES (?1, ?2, ?3, 0, 'none', ?4)",
                    params![server.issuer, redirect_uri, id, now],
                )?;
                Ok(())
            })?;
        }
        // The server may register another method than the `none` we asked for.
        let method = match (
            value
                .get("token_endpoint_auth_method")
                .and_then(|v| v.as_str()),
            &secret,
        ) {
            (_, None) => TokenAuthMethod::None,
            (Some("client_secret_post"), Some(_)) => TokenAuthMethod::ClientSecretPost,
            (_, Some(_)) => TokenAuthMethod::ClientSecretBasic,
        };
        Ok(ClientIdentity {
            id,
            secret,
            method,
            keep_secret: true,
        })
    }

    fn grant(&self, owner: &Owner) -> Result<GrantView> {
        self.store().read(|c| {
            let view = c
                .query_row(
                    "SELECT issuer, client_id, resource, account, scopes, expires_at, has_refresh, connected_at,
                        needs_reconnect, refreshed_at
                     FROM oauth_grants WHERE owner = ?1",
                    [owner.key()],
                    |r| {
                        let needs: Option<String> = r.get(8)?;
                        Ok(GrantView {
                            connected: needs.is_none(),
                            issuer: Some(r.get(0)?),
                            client_id: Some(r.get(1)?),
                            resource: r.get(2)?,
                            account: r.get(3)?,
                            scopes: serde_json::from_str(&r.get::<_, String>(4)?)
                                .unwrap_or_default(),
                            expires_at: r.get(5)?,
                            has_refresh_token: r.get(6)?,
                            connected_at: Some(r.get(7)?),
                            needs_reconnect: needs.is_some(),
                            reconnect_reason: needs,
                            refreshed_at: r.get(9)?,
                        })
                    },
                )
                .optional()?;
            Ok(view.unwrap_or_else(GrantView::disconnected))
        })
    }

    fn owner_of(&self, kind: Kind, name: &str) -> Result<(Owner, String)> {
        Ok(match kind {
            Kind::Connection => {
                let c = self.get_connection(name)?;
                (Owner::Connection(c.id), c.name)
            }
            _ => {
                let a = self.get_action(name)?;
                (Owner::Action(a.id), a.name)
            }
        })
    }

    /// Whether an action (or, with `Kind::Connection`, a connection) is connected, and as
    /// whom. Reads no secret.
    pub fn oauth_status(&self, kind: Kind, name: &str) -> Result<GrantView> {
        let (owner, _) = self.owner_of(kind, name)?;
        self.grant(&owner)
    }
}

/// Who owns a grant: an action with its own OAuth settings, or a reusable connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Action(String),
    Connection(String),
}

impl Owner {
    pub fn key(&self) -> String {
        match self {
            Owner::Action(id) => format!("action/{id}"),
            Owner::Connection(id) => format!("connection/{id}"),
        }
    }
    pub fn tokens_key(&self) -> String {
        tokens_key(&self.key())
    }
    /// The `actions` column and value that select the actions using this grant.
    fn actions_column(&self) -> (&'static str, &str) {
        match self {
            Owner::Action(id) => ("id", id),
            Owner::Connection(id) => ("connection_id", id),
        }
    }
    pub(crate) fn action_id(&self) -> Option<&str> {
        match self {
            Owner::Action(id) => Some(id),
            Owner::Connection(_) => None,
        }
    }
    fn connection_id(&self) -> Option<&str> {
        match self {
            Owner::Connection(id) => Some(id),
            Owner::Action(_) => None,
        }
    }
}

/// What one authorization is for.
#[derive(Clone)]
struct Target {
    owner: Owner,
    name: String,
    /// The command that edits the owner's client settings (for hints).
    edit_command: String,
    server: ServerMetadata,
    /// The user's client; `None` = a metadata document, a saved registration or dynamic
    /// registration.
    client: Option<ClientIdentity>,
    client_metadata_url: Option<String>,
    scopes: Vec<String>,
    resource: Option<String>,
    callback: CallbackKind,
}

async fn userinfo_account(http: &reqwest::Client, url: &str, access: &str) -> Option<String> {
    let resp = http.get(url).bearer_auth(access).send().await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let v: serde_json::Value = resp.json().await.ok()?;
    account_from_claims(&v)
}

fn bad_url(what: &str, u: &str) -> Error {
    oauth_err(
        ErrorCode::DiscoveryFailed,
        format!("the {what} '{u}' is not a valid URL"),
        "check Advanced configuration",
    )
}

/// The client's identity and token endpoint authentication, with no endpoint set yet:
/// each use (authorize, refresh, revoke) sets the endpoints it needs.
fn base_client(client: &ClientIdentity) -> BaseClient {
    let mut c =
        oauth2::Client::new(ClientId::new(client.id.clone())).set_auth_type(match client.method {
            // A public client sends its id in the body and no Authorization header.
            TokenAuthMethod::ClientSecretPost | TokenAuthMethod::None => AuthType::RequestBody,
            TokenAuthMethod::ClientSecretBasic => AuthType::BasicAuth,
        });
    if let Some(s) = &client.secret {
        c = c.set_client_secret(ClientSecret::new(s.expose_secret().to_string()));
    }
    c
}

fn build_client(
    client: &ClientIdentity,
    server: &ServerMetadata,
    redirect_uri: &str,
) -> Result<OAuthClient> {
    Ok(base_client(client)
        .set_auth_uri(
            AuthUrl::new(server.authorization_endpoint.clone())
                .map_err(|_| bad_url("authorization endpoint", &server.authorization_endpoint))?,
        )
        .set_token_uri(
            TokenUrl::new(server.token_endpoint.clone())
                .map_err(|_| bad_url("token endpoint", &server.token_endpoint))?,
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_string())
                .map_err(|_| bad_url("redirect URI", redirect_uri))?,
        ))
}

/// RFC 7009: ask the provider to revoke one token. Returns a message (never the token)
/// when it fails. Written over reqwest rather than with the `oauth2` crate's revocation,
/// which refuses any non-https endpoint, loopback included (RFC 8252 development servers,
/// our tests).
async fn revoke_token(
    http: &reqwest::Client,
    endpoint: &str,
    client: &ClientIdentity,
    hint: &str,
    token: &str,
) -> std::result::Result<(), RevokeError> {
    let url = url::Url::parse(endpoint).map_err(|_| {
        RevokeError::Failed(format!(
            "the revocation endpoint '{endpoint}' is not a valid URL"
        ))
    })?;
    discovery::check_endpoint("revocation endpoint", &url)
        .map_err(|e| RevokeError::Failed(e.to_string()))?;
    let mut form: Vec<(&str, String)> = vec![
        ("token", token.to_string()),
        ("token_type_hint", hint.to_string()),
    ];
    let mut req = http.post(url);
    match (client.method, &client.secret) {
        (TokenAuthMethod::ClientSecretBasic, Some(secret)) => {
            // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            req = req.basic_auth(enc(&client.id), Some(enc(secret.expose_secret())));
        }
        (TokenAuthMethod::ClientSecretPost, Some(secret)) => {
            form.push(("client_id", client.id.clone()));
            form.push(("client_secret", secret.expose_secret().to_string()));
        }
        _ => form.push(("client_id", client.id.clone())),
    }
    let resp =
        req.form(&form).send().await.map_err(|e| {
            RevokeError::Failed(discovery::transport_error(endpoint, &e).to_string())
        })?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
    let said = match (body["error"].as_str(), body["error_description"].as_str()) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.to_string(),
        _ => status.to_string(),
    };
    let what = hint.replace('_', " ");
    if body["error"] == "unsupported_token_type" {
        // RFC 7009 §2.2.1: this kind of token cannot be revoked here (e.g. JWT access
        // tokens, which stay valid until they expire).
        return Err(RevokeError::Unsupported(format!(
            "the provider cannot revoke its {what}s ({said}); it stays valid until it expires"
        )));
    }
    Err(RevokeError::Failed(format!(
        "the provider refused to revoke the {what} ({said})"
    )))
}

/// Why a revocation did not happen.
enum RevokeError {
    /// The provider does not revoke this token type.
    Unsupported(String),
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(iss_supported: Option<bool>) -> ServerMetadata {
        ServerMetadata {
            issuer: "https://auth.example.com".into(),
            authorization_endpoint: "https://auth.example.com/auth".into(),
            token_endpoint: "https://auth.example.com/token".into(),
            registration_endpoint: None,
            revocation_endpoint: None,
            userinfo_endpoint: None,
            scopes_supported: Some(vec![
                "mcp:read".into(),
                "offline_access".into(),
                "openid".into(),
            ]),
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            token_endpoint_auth_methods_supported: None,
            authorization_response_iss_parameter_supported: iss_supported,
            client_id_metadata_document_supported: None,
            issuer_checked: true,
        }
    }

    #[test]
    fn iss_is_checked_per_rfc_9207() {
        assert!(check_iss(&server(Some(true)), Some("https://auth.example.com")).is_ok());
        assert_eq!(
            check_iss(&server(Some(true)), None)
                .expect_err("required")
                .code(),
            ErrorCode::IssuerMismatch
        );
        assert_eq!(
            check_iss(&server(None), Some("https://evil.example"))
                .expect_err("mismatch")
                .code(),
            ErrorCode::IssuerMismatch
        );
        assert!(
            check_iss(&server(None), None).is_ok(),
            "not promised, not sent: accepted"
        );
    }

    #[test]
    fn scopes_follow_the_spec_order() {
        let d = Discovered {
            resource: "https://mcp.example.com/mcp".into(),
            server: server(None),
            challenge_scopes: vec!["mcp:read".into()],
            resource_scopes: vec!["mcp:read".into(), "mcp:write".into()],
        };
        assert_eq!(
            choose_scopes(&["custom".into()], &d),
            vec!["custom", "offline_access"],
            "the user's scopes, plus a refresh token"
        );
        assert_eq!(
            choose_scopes(&[], &d),
            vec!["mcp:read", "offline_access", "openid"]
        );
        let d2 = Discovered {
            challenge_scopes: vec![],
            ..d.clone()
        };
        assert_eq!(
            choose_scopes(&[], &d2),
            vec!["mcp:read", "mcp:write", "offline_access", "openid"]
        );
    }

    #[test]
    fn accounts_come_from_claims() {
        let claims = serde_json::json!({"sub": "alice", "email": "alice@example.com"});
        assert_eq!(
            account_from_claims(&claims).as_deref(),
            Some("alice@example.com")
        );
        assert_eq!(
            account_from_claims(&serde_json::json!({"sub": "u1"})).as_deref(),
            Some("u1")
        );
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"email":"bob@example.com"}"#);
        assert_eq!(
            jwt_claims(&format!("h.{payload}.s"))
                .and_then(|c| account_from_claims(&c))
                .as_deref(),
            Some("bob@example.com")
        );
        assert!(jwt_claims("opaque-token").is_none());
    }
}
