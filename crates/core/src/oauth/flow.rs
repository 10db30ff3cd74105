//! The browser flow: discovery, the authorization URL with PKCE S256 and `resource`, the
//! callback (state, RFC 9207 `iss`), the token exchange, and saving the grant.

use super::grant::NewGrant;
use super::*;

/// The claims part of a JWT, without verifying it (the token came straight from the token
/// endpoint over the connection we opened; we only read who signed in).
pub(super) fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub(super) fn account_from_claims(c: &serde_json::Value) -> Option<String> {
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
pub(super) fn check_iss(server: &ServerMetadata, iss: Option<&str>) -> Result<()> {
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
pub(super) fn choose_scopes(user: &[String], d: &Discovered) -> Vec<String> {
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

/// Who signed in, from the userinfo endpoint. A DPoP-bound token (`dpop`: its key) goes as
/// `DPoP` with a proof (RFC 9449 §7), never as Bearer.
pub(super) async fn userinfo_account(
    http: &reqwest::Client,
    url: &str,
    access: &str,
    dpop: Option<&crate::dpop::DpopKey>,
) -> Option<String> {
    let req = match dpop {
        None => http.get(url).bearer_auth(access),
        Some(key) => {
            let proof = key
                .proof(
                    "GET",
                    url,
                    Some(access),
                    crate::dpop::nonce_for(url).as_deref(),
                )
                .ok()?;
            http.get(url)
                .header(http::header::AUTHORIZATION, format!("DPoP {access}"))
                .header(crate::dpop::DPOP, proof)
        }
    };
    let resp = req.send().await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let v: serde_json::Value = resp.json().await.ok()?;
    account_from_claims(&v)
}

/// The code of an authorization response, once its `iss` (RFC 9207) is checked; the
/// response's own error, or a missing code, as an error.
pub(super) fn authorization_code(
    server: &ServerMetadata,
    params: &CallbackParams,
) -> Result<String> {
    check_iss(server, params.iss.as_deref())?;
    if params.error.is_some() {
        return Err(callback_error(params));
    }
    params.code.clone().ok_or_else(|| {
        oauth_err(
            ErrorCode::AuthorizationFailed,
            "the authorization response has no code",
            "try again",
        )
    })
}

/// A connection's typed endpoints (a connection never uses discovery).
pub(super) fn connection_server(c: &crate::model::ConnectionView) -> ServerMetadata {
    ServerMetadata::typed(
        &c.authorization_url,
        &c.token_url,
        c.registration_url.clone(),
        c.revocation_url.clone(),
        c.issuer.clone(),
    )
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
    pub(super) fn log_connect(
        &self,
        action_id: Option<&str>,
        name: &str,
        result: &Result<GrantView>,
    ) {
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
            error_code: result.as_ref().err().map(|e| e.code().as_str().to_string()),
            ..Default::default()
        });
    }

    pub(super) async fn connect_action_inner(
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
        match action.grant {
            Some(OAuthGrant::ClientCredentials) => {
                return self
                    .connect_client_credentials(&action, &settings, &req, &http)
                    .await;
            }
            Some(g @ (OAuthGrant::JwtBearer | OAuthGrant::EnterpriseManaged)) => {
                return self
                    .connect_jwt_bearer(&action, &settings, g, &req, &http)
                    .await;
            }
            _ => {}
        }

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
                let signer = signer(&Owner::Action(action.id.clone()), method);
                Some(ClientIdentity {
                    id: id.clone(),
                    secret,
                    method,
                    keep_secret: false,
                    signer,
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
        let resource = settings.resource(&discovered.resource);
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
        if let Some(device) = &req.device {
            let mut target = target.clone();
            if device.required && target.server.device_authorization_endpoint.is_none() && cached {
                // Metadata cached before the server offered device sign-in: look again.
                let fresh = self.discover_for(&action, &settings, &http, None).await?;
                target.server = fresh.server.clone();
                discovered_for_cache = Some(fresh);
            }
            if target.server.device_authorization_endpoint.is_some() {
                let result = self.device_authorize(target, device, &req, &http).await;
                if result.is_ok()
                    && let Some(d) = &discovered_for_cache
                {
                    self.save_discovery(&action.id, &action.url, d)?;
                }
                return result;
            }
            if device.required {
                return Err(super::device::no_device_endpoint(
                    &target.server,
                    &action.name,
                ));
            }
        }
        // Whether the browser was opened (an atomic, so the future stays `Send`).
        let opened = std::sync::atomic::AtomicBool::new(false);
        let mut open = open;
        let mut open_tracked = |url: &str, redirect: &str| {
            opened.store(true, std::sync::atomic::Ordering::Relaxed);
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
            if !opened.load(std::sync::atomic::Ordering::Relaxed) {
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

    pub(super) async fn discover_for(
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
    pub(super) fn cached_discovery(
        &self,
        action_id: &str,
        server_url: &str,
    ) -> Result<Option<Discovered>> {
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

    pub(super) fn save_discovery(
        &self,
        action_id: &str,
        server_url: &str,
        d: &Discovered,
    ) -> Result<()> {
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

    pub(super) async fn connect_connection_inner(
        &self,
        req: ConnectRequest,
        open: impl FnMut(&str, &str) -> Result<()>,
    ) -> Result<GrantView> {
        let c = self.get_connection(&req.action)?;
        let http = http_client()?;
        if c.grant == OAuthGrant::ClientCredentials {
            return self.connect_connection_client_credentials(&c, &http).await;
        }
        if req.device.as_ref().is_some_and(|d| d.required) {
            // A connection's endpoints are typed, not discovered, so there is no device
            // authorization endpoint to use.
            return Err(Error::invalid_with_hint(
                format!(
                    "connection '{}' has typed endpoints and no device authorization endpoint; device sign-in is for MCP actions, whose server says where it is",
                    c.name
                ),
                format!(
                    "sign in in a browser: `patchbay connection connect {0}`, or `patchbay connection connect {0} --no-browser` to open the URL on another device and paste back where it lands",
                    c.name
                ),
            ));
        }
        let secret = self.connection_client_secret(&c)?;
        let server = connection_server(&c);
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
                signer: signer(&Owner::Connection(c.id.clone()), c.token_auth_method),
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
    pub(super) async fn authorize(
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
                    signer: None,
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
    pub(super) async fn finish(
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
        let code = authorization_code(server, &params)?;
        let mut exchange = oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier);
        if let Some(r) = resource {
            exchange = exchange.add_extra_param("resource", r.to_string());
        }
        let audience = assertion_audience(server);
        for (k, v) in self.assertion_params(client, &audience)? {
            exchange = exchange.add_extra_param(k, v);
        }
        let key = self.dpop_key_for_sign_in(owner, server)?;
        let token = exchange
            .request_async(&dpop_token::TokenHttp {
                http,
                key: key.as_ref(),
            })
            .await
            .map_err(|e| token_error(e, &server.token_endpoint))?;
        self.save_user_tokens(
            owner,
            server,
            client,
            token,
            resource,
            requested,
            http,
            key.as_ref(),
        )
        .await
    }

    /// Save what a user's sign-in got (an authorization code's or a device code's tokens):
    /// the granted scopes, who signed in (the ID token, else userinfo, else the access
    /// token's claims), and the tokens in the keychain.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn save_user_tokens(
        &self,
        owner: &Owner,
        server: &ServerMetadata,
        client: &ClientIdentity,
        token: TokenResp,
        resource: Option<&str>,
        requested: &[String],
        http: &reqwest::Client,
        key: Option<&crate::dpop::DpopKey>,
    ) -> Result<GrantView> {
        let audience = assertion_audience(server);
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
                (Some(u), true) => {
                    let bound =
                        key.filter(|_| crate::dpop::bound(Some(token.token_type().as_ref())));
                    userinfo_account(http, u, &access, bound).await
                }
                _ => None,
            }
            .or_else(|| jwt_claims(&access).and_then(|c| account_from_claims(&c))),
        };
        let stored = StoredTokens {
            access_token: access,
            refresh_token: token.refresh_token().map(|r| r.secret().clone()),
            token_type: Some(dpop_token::token_type(
                key.is_some(),
                token.token_type().as_ref(),
            )),
            expires_at,
            issued_at: Some(self.now()),
            client_secret: client
                .secret
                .as_ref()
                .filter(|_| client.keep_secret)
                .map(|s| s.expose_secret().to_string()),
        };
        self.save_grant(
            owner,
            server,
            &client.id,
            client.method,
            &stored,
            NewGrant {
                account,
                scopes: granted,
                resource: resource.map(String::from),
                grant: OAuthGrant::AuthorizationCode,
                audience: (client.method == TokenAuthMethod::PrivateKeyJwt).then_some(audience),
            },
        )
        .await
    }
}
