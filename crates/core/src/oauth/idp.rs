//! Enterprise identity providers (OpenID Connect) and enterprise-managed authorization (the
//! MCP extension `io.modelcontextprotocol/enterprise-managed-authorization`, SEP-990): the user
//! signs in once at the identity provider (`patchbay idp login`); for each server, that sign-in's
//! ID token is exchanged at the provider for an Identity Assertion JWT Authorization Grant
//! (ID-JAG, RFC 8693 token exchange) naming the server's authorization server and resource,
//! which is then presented there with RFC 7523 (`jwt-bearer.rs`).
//!
//! The sign-in (ID token, refresh token) is kept in the keychain under the provider
//! (`idp/<id>/session`), apart from every server's tokens: logging out there stops new
//! server tokens without touching the ones already issued.

use super::flow::{account_from_claims, authorization_code, jwt_claims};
use super::*;
use crate::error::Kind;
use crate::model::IdpView;
use crate::store::named;

/// RFC 8693 token exchange, and the token types of SEP-990.
pub(super) const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
const ID_JAG_TYPE: &str = "urn:ietf:params:oauth:token-type:id-jag";
/// An ID token this close to its expiry is refreshed before use.
const ID_TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// A new identity provider.
#[derive(Debug, Clone, Default)]
pub struct NewIdp {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// Space- or comma-separated, beside `openid`.
    pub scopes: Option<String>,
}

/// The sign-in kept in the keychain.
#[derive(Serialize, Deserialize, Default)]
struct Session {
    id_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

fn session_key(id: &str) -> String {
    format!("idp/{id}/session")
}
fn client_secret_key(id: &str) -> String {
    format!("idp/{id}/client_secret")
}

struct IdpRow {
    id: String,
    view: IdpView,
}

const SELECT: &str = "SELECT id, name, issuer, client_id, has_client_secret, scopes, account, signed_in_at, id_token_expires_at, created_at FROM idps";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IdpRow> {
    let scopes: String = r.get(5)?;
    let account: Option<String> = r.get(6)?;
    let signed_in_at: Option<String> = r.get(7)?;
    Ok(IdpRow {
        id: r.get(0)?,
        view: IdpView {
            name: r.get(1)?,
            issuer: r.get(2)?,
            client_id: r.get(3)?,
            has_client_secret: r.get(4)?,
            scopes: serde_json::from_str(&scopes).unwrap_or_default(),
            signed_in: signed_in_at.is_some(),
            account,
            signed_in_at,
            id_token_expires_at: r.get(8)?,
            actions: Vec::new(),
            created_at: r.get(9)?,
        },
    })
}

/// The `exp` of a JWT's claims, as RFC 3339.
fn jwt_expiry(token: &str) -> Option<String> {
    let exp = jwt_claims(token)?.get("exp")?.as_i64()?;
    let t = time::OffsetDateTime::from_unix_timestamp(exp).ok()?;
    Some(crate::clock::rfc3339(t))
}

impl Patchbay {
    /// Add an identity provider (nothing is fetched until its first sign-in).
    pub fn add_idp(&self, n: NewIdp) -> Result<IdpView> {
        let name = crate::validate::name("identity provider", n.name.trim())?;
        // Kept exactly as given: an issuer is compared character for character with the
        // metadata's and the ID tokens' `iss` (some providers end theirs with a slash).
        let issuer = n.issuer.trim().to_string();
        let parsed = url::Url::parse(&issuer).map_err(|_| {
            Error::invalid_with_hint(
                format!("the issuer '{issuer}' is not a URL"),
                "give the provider's issuer, e.g. https://login.example.com (the `iss` of its ID tokens)",
            )
        })?;
        discovery::check_endpoint("issuer", &parsed)
            .map_err(|e| Error::invalid_with_hint(e.to_string(), "use the https issuer"))?;
        let client_id = crate::validate::client_id(n.client_id.trim())?;
        let scopes = match &n.scopes {
            Some(s) => crate::validate::scopes(s)?,
            None => Vec::new(),
        };
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let secrets: Vec<(String, SecretString)> = n
            .client_secret
            .into_iter()
            .map(|s| (client_secret_key(&id), s))
            .collect();
        self.write_with_secrets(Entries::New, &secrets, |tx| {
            named::ensure_free(tx, Kind::Idp, &name, None)?;
            tx.execute(
                "INSERT INTO idps (id, name, issuer, client_id, has_client_secret, scopes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![
                    id,
                    name,
                    issuer,
                    client_id,
                    !secrets.is_empty(),
                    serde_json::to_string(&scopes).unwrap_or_else(|_| "[]".into()),
                    now
                ],
            )?;
            Ok(())
        })?;
        self.get_idp(&name)
    }

    /// The keychain entries the identity providers own: their client secrets and sign-ins
    /// (the start-up sweep keeps these).
    pub(crate) fn idp_vault_keys(&self) -> Result<Vec<String>> {
        let rows = self.store().read(|c| named::all(c, SELECT, "name", row))?;
        let mut keys = Vec::new();
        for r in rows {
            if r.view.has_client_secret {
                keys.push(client_secret_key(&r.id));
            }
            if r.view.signed_in {
                keys.push(session_key(&r.id));
            }
        }
        Ok(keys)
    }

    fn idp_row(&self, name: &str) -> Result<IdpRow> {
        let mut r = self
            .store()
            .read(|c| named::find(c, Kind::Idp, SELECT, "name", name, row))?;
        r.view.actions = self.idp_users(&r.view.name)?;
        Ok(r)
    }

    /// The actions whose enterprise-managed grant uses the provider `name`.
    fn idp_users(&self, name: &str) -> Result<Vec<String>> {
        Ok(self
            .list_actions()?
            .into_iter()
            .filter(|a| {
                a.oauth
                    .as_ref()
                    .and_then(|o| o.settings.idp.as_deref())
                    .is_some_and(|i| i.eq_ignore_ascii_case(name))
            })
            .map(|a| a.name)
            .collect())
    }

    pub fn get_idp(&self, name: &str) -> Result<IdpView> {
        Ok(self.idp_row(name)?.view)
    }

    pub fn list_idps(&self) -> Result<Vec<IdpView>> {
        let rows = self.store().read(|c| named::all(c, SELECT, "name", row))?;
        let actions = self.list_actions()?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.view.actions = actions
                    .iter()
                    .filter(|a| {
                        a.oauth
                            .as_ref()
                            .and_then(|o| o.settings.idp.as_deref())
                            .is_some_and(|i| i.eq_ignore_ascii_case(&r.view.name))
                    })
                    .map(|a| a.name.clone())
                    .collect();
                r.view
            })
            .collect())
    }

    /// Remove a provider and its sign-in; refused while an action uses it.
    pub fn remove_idp(&self, name: &str) -> Result<IdpView> {
        let r = self.idp_row(name)?;
        if !r.view.actions.is_empty() {
            return Err(Error::InUse {
                kind: Kind::Idp,
                name: r.view.name.clone(),
                actions: r.view.actions.clone(),
            });
        }
        self.store().write(|tx| {
            tx.execute("DELETE FROM idps WHERE id = ?1", [&r.id])?;
            Ok(())
        })?;
        self.forget_secrets(&[session_key(&r.id), client_secret_key(&r.id)]);
        Ok(r.view)
    }

    /// Sign in at the provider in the browser (authorization code + PKCE, `openid`), and keep
    /// the ID token (and refresh token) it gives.
    pub async fn idp_login(
        &self,
        name: &str,
        port: u16,
        timeout: Duration,
        mut open: impl FnMut(&str, &str) -> Result<()>,
    ) -> Result<IdpView> {
        let r = self.idp_row(name)?;
        let http = http_client()?;
        let server = discovery::authorization_server(&http, &r.view.issuer).await?;
        discovery::check_pkce(&server, &DiscoveryOptions::default())?;
        let listener = callback::Listener::open(CallbackKind::Loopback, port).await?;
        let redirect_uri = listener.redirect_uri();
        let client = self.idp_client(&r)?;
        let oauth = build_client(&client, &server, &redirect_uri)?;
        let mut scopes = vec!["openid".to_string()];
        let offered = server.scopes_supported.clone().unwrap_or_default();
        for s in ["email", "offline_access"] {
            if offered.iter().any(|o| o == s) {
                scopes.push(s.into());
            }
        }
        for s in &r.view.scopes {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, state) = oauth
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .url();
        discovery::check_endpoint("authorization URL", &auth_url)?;
        let rx = listener.expect(state.secret());
        open(auth_url.as_str(), &redirect_uri)?;
        let (params, page_tx) = match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(v)) => v,
            _ => {
                listener.forget(state.secret());
                return Err(oauth_err(
                    ErrorCode::ConsentTimeout,
                    format!(
                        "no answer from the browser within {} s; the sign-in at {} expired",
                        timeout.as_secs(),
                        r.view.name
                    ),
                    format!("run `patchbay idp login {}` again", r.view.name),
                ));
            }
        };
        let outcome = self
            .finish_idp_login(&r, &oauth, &server, &client, params, verifier, &http)
            .await;
        let _ = page_tx.send(match &outcome {
            Ok(v) => Page {
                ok: true,
                title: match &v.account {
                    Some(a) => format!("Signed in as {a}"),
                    None => "Signed in".into(),
                },
                message: format!(
                    "Patchbay can now use {} for the servers that trust it. You can close this tab.",
                    r.view.name
                ),
            },
            Err(e) => Page {
                ok: false,
                title: "Sign-in failed".into(),
                message: format!("{e}. Return to Patchbay to try again."),
            },
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        outcome
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish_idp_login(
        &self,
        r: &IdpRow,
        oauth: &OAuthClient,
        server: &ServerMetadata,
        client: &ClientIdentity,
        params: CallbackParams,
        verifier: oauth2::PkceCodeVerifier,
        http: &reqwest::Client,
    ) -> Result<IdpView> {
        let code = authorization_code(server, &params)?;
        let mut exchange = oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier);
        for (k, v) in self.assertion_params(client, &assertion_audience(server))? {
            exchange = exchange.add_extra_param(k, v);
        }
        let token = exchange
            .request_async(http)
            .await
            .map_err(|e| token_error(e, &server.token_endpoint))?;
        let Some(id_token) = token.extra_fields().id_token.clone() else {
            return Err(oauth_err(
                ErrorCode::TokenError,
                format!(
                    "{} answered the sign-in without an ID token, which enterprise-managed authorization exchanges",
                    r.view.issuer
                ),
                "check that the provider is an OpenID Connect provider and its client may use the openid scope",
            ));
        };
        self.save_idp_session(
            r,
            Session {
                id_token,
                refresh_token: token.refresh_token().map(|t| t.secret().clone()),
            },
        )
    }

    /// Sign in with an ID token the user already has from the provider (another tool's SSO,
    /// a workload's OIDC token): it is kept exactly as a browser sign-in's would be.
    pub fn idp_login_with_id_token(&self, name: &str, id_token: SecretString) -> Result<IdpView> {
        let r = self.idp_row(name)?;
        let token = id_token.expose_secret().trim().to_string();
        let Some(claims) = jwt_claims(&token) else {
            return Err(Error::invalid_with_hint(
                "that is not an ID token (a JWT: three base64url parts separated by dots)",
                "paste the provider's ID token itself, not an access token or a file name",
            ));
        };
        if claims["iss"].as_str() != Some(r.view.issuer.as_str()) {
            return Err(Error::invalid_with_hint(
                format!(
                    "the ID token was issued by '{}', not by {} ({})",
                    claims["iss"].as_str().unwrap_or("nobody"),
                    r.view.name,
                    r.view.issuer
                ),
                "use a token from this provider, or add the provider that issued it",
            ));
        }
        self.save_idp_session(
            &r,
            Session {
                id_token: token,
                refresh_token: None,
            },
        )
    }

    fn save_idp_session(&self, r: &IdpRow, session: Session) -> Result<IdpView> {
        let account = jwt_claims(&session.id_token).and_then(|c| account_from_claims(&c));
        let expires = jwt_expiry(&session.id_token);
        let json = serde_json::to_string(&session)
            .map_err(|e| Error::Internal(format!("cannot encode the sign-in: {e}")))?;
        let now = self.now();
        self.write_with_secrets(
            Entries::MayExist,
            &[(session_key(&r.id), SecretString::from(json))],
            |tx| {
                tx.execute(
                    "UPDATE idps SET account = ?2, signed_in_at = ?3, id_token_expires_at = ?4, updated_at = ?3 WHERE id = ?1",
                    params![r.id, account, now, expires],
                )?;
                Ok(())
            },
        )?;
        self.get_idp(&r.view.name)
    }

    /// Forget the sign-in at the provider (server tokens already issued stay until they
    /// expire; no new one is fetched through it).
    pub fn idp_logout(&self, name: &str) -> Result<IdpView> {
        let r = self.idp_row(name)?;
        self.vault().delete(&session_key(&r.id))?;
        self.store().write(|tx| {
            tx.execute(
                "UPDATE idps SET account = NULL, signed_in_at = NULL, id_token_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
                params![r.id, self.now()],
            )?;
            Ok(())
        })?;
        self.get_idp(&r.view.name)
    }

    fn idp_client(&self, r: &IdpRow) -> Result<ClientIdentity> {
        let secret = if r.view.has_client_secret {
            self.vault().get(&client_secret_key(&r.id))?
        } else {
            None
        };
        let method = if secret.is_some() {
            TokenAuthMethod::ClientSecretBasic
        } else {
            TokenAuthMethod::None
        };
        Ok(ClientIdentity {
            id: r.view.client_id.clone(),
            secret,
            method,
            keep_secret: false,
            signer: None,
        })
    }

    /// A usable ID token of the provider's sign-in: the kept one, or a refreshed one when it
    /// is about to expire and a refresh token was given; else the user must sign in again.
    async fn fresh_id_token(
        &self,
        r: &IdpRow,
        server: &ServerMetadata,
        http: &reqwest::Client,
    ) -> Result<String> {
        let login = || {
            Error::oauth(
                ErrorCode::NotConnected,
                format!("not signed in at the identity provider {}", r.view.name),
                Some(format!(
                    "sign in there: `patchbay idp login {}`",
                    r.view.name
                )),
            )
        };
        let Some(json) = self.vault().get(&session_key(&r.id))? else {
            return Err(login());
        };
        let session: Session = serde_json::from_str(json.expose_secret()).map_err(|_| login())?;
        let now = self.clock_now();
        let valid = jwt_claims(&session.id_token)
            .and_then(|c| c["exp"].as_i64())
            .is_none_or(|exp| {
                time::OffsetDateTime::from_unix_timestamp(exp)
                    .is_ok_and(|t| t > now + ID_TOKEN_MARGIN)
            });
        if valid {
            return Ok(session.id_token);
        }
        let Some(refresh) = session.refresh_token.clone() else {
            return Err(Error::oauth(
                ErrorCode::NeedsReconnect,
                format!(
                    "the sign-in at the identity provider {} expired",
                    r.view.name
                ),
                Some(format!(
                    "sign in there again: `patchbay idp login {}`",
                    r.view.name
                )),
            ));
        };
        let client = self.idp_client(r)?;
        let oauth = base_client(&client).set_token_uri(
            TokenUrl::new(server.token_endpoint.clone())
                .map_err(|_| bad_url("token endpoint", &server.token_endpoint))?,
        );
        let token = oauth
            .exchange_refresh_token(&oauth2::RefreshToken::new(refresh.clone()))
            .request_async(http)
            .await
            .map_err(|e| token_error(e, &server.token_endpoint))?;
        let Some(id_token) = token.extra_fields().id_token.clone() else {
            return Err(Error::oauth(
                ErrorCode::NeedsReconnect,
                format!(
                    "the sign-in at the identity provider {} expired, and its refresh gave no new ID token",
                    r.view.name
                ),
                Some(format!(
                    "sign in there again: `patchbay idp login {}`",
                    r.view.name
                )),
            ));
        };
        self.save_idp_session(
            r,
            Session {
                id_token: id_token.clone(),
                refresh_token: token
                    .refresh_token()
                    .map(|t| t.secret().clone())
                    .or(Some(refresh)),
            },
        )?;
        Ok(id_token)
    }

    /// RFC 8693 at the provider: the sign-in's ID token for an ID-JAG naming `audience` (the
    /// server's authorization server) and `resource`. Returns the ID-JAG and who signed in.
    pub(super) async fn id_jag(
        &self,
        idp_name: &str,
        audience: &str,
        resource: Option<&str>,
        scopes: &[String],
        http: &reqwest::Client,
    ) -> Result<(SecretString, Option<String>)> {
        let r = self.idp_row(idp_name)?;
        let server = discovery::authorization_server(http, &r.view.issuer).await?;
        let id_token = self.fresh_id_token(&r, &server, http).await?;
        let client = self.idp_client(&r)?;
        let mut form: Vec<(&'static str, String)> = vec![
            ("grant_type", TOKEN_EXCHANGE_GRANT.into()),
            ("requested_token_type", ID_JAG_TYPE.into()),
            ("subject_token", id_token),
            ("subject_token_type", ID_TOKEN_TYPE.into()),
            ("audience", audience.into()),
        ];
        if let Some(res) = resource {
            form.push(("resource", res.into()));
        }
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        let resp =
            super::client::authenticate(http.post(&server.token_endpoint), &mut form, &client, &[])
                .form(&form)
                .send()
                .await
                .map_err(|e| discovery::transport_error(&server.token_endpoint, &e))?;
        let status = resp.status();
        let v: serde_json::Value = resp.json().await.unwrap_or_default();
        if !status.is_success() {
            let code = if v["error"] == "invalid_grant" {
                ErrorCode::NeedsReconnect
            } else {
                ErrorCode::TokenError
            };
            return Err(Error::oauth(
                code,
                format!(
                    "the identity provider {} refused to issue an identity assertion for {audience} ({})",
                    r.view.name,
                    error_said(status, &v)
                ),
                Some(format!(
                    "sign in there again (`patchbay idp login {}`); if it repeats, ask its administrator to allow Patchbay for {audience}",
                    r.view.name
                )),
            ));
        }
        let issued_type = v["issued_token_type"].as_str().unwrap_or_default();
        let Some(jag) = v["access_token"]
            .as_str()
            .filter(|_| issued_type == ID_JAG_TYPE)
        else {
            return Err(oauth_err(
                ErrorCode::TokenError,
                format!(
                    "the identity provider {} answered the exchange without an ID-JAG (issued_token_type '{issued_type}')",
                    r.view.name
                ),
                "check that the provider supports enterprise-managed authorization (SEP-990)",
            ));
        };
        Ok((SecretString::from(jag.to_string()), r.view.account))
    }
}
