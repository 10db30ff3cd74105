//! The client identity a sign-in uses: the user's own client, a saved registration, a Client
//! ID Metadata Document, or RFC 7591 dynamic registration; and the `oauth2` client built on it.

use super::*;

/// The client's identity and token endpoint authentication, with no endpoint set yet:
/// each use (authorize, refresh, revoke) sets the endpoints it needs.
pub(super) fn base_client(client: &ClientIdentity) -> BaseClient {
    let mut c =
        oauth2::Client::new(ClientId::new(client.id.clone())).set_auth_type(match client.method {
            // A public client sends its id in the body and no Authorization header; so does
            // a private_key_jwt client, beside its assertion (`assertion_params`).
            TokenAuthMethod::ClientSecretPost
            | TokenAuthMethod::PrivateKeyJwt
            | TokenAuthMethod::None => AuthType::RequestBody,
            TokenAuthMethod::ClientSecretBasic => AuthType::BasicAuth,
        });
    if let Some(s) = &client.secret {
        c = c.set_client_secret(ClientSecret::new(s.expose_secret().to_string()));
    }
    c
}

/// The audience of a client assertion (RFC 7523 §3): the authorization server's issuer when
/// discovery verified it, else its token endpoint.
pub(super) fn assertion_audience(server: &ServerMetadata) -> String {
    if server.issuer_checked {
        server.issuer.clone()
    } else {
        server.token_endpoint.clone()
    }
}

/// Whose keychain key signs the client's assertions: the owner, when its client
/// authenticates with `private_key_jwt`.
pub(super) fn signer(owner: &Owner, method: TokenAuthMethod) -> Option<Owner> {
    (method == TokenAuthMethod::PrivateKeyJwt).then(|| owner.clone())
}

pub(super) fn build_client(
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

/// The RFC 8628 device code grant type.
pub(super) const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What a dynamic registration is for.
#[derive(Clone, Copy)]
pub(super) enum Registration<'a> {
    /// A browser sign-in coming back to this redirect URI.
    Browser(&'a str),
    /// A device sign-in: no redirect URI; saved under the grant type's URN instead.
    Device,
}

impl Registration<'_> {
    /// The key a saved registration is found by (`oauth_clients.redirect_uri`).
    fn key(&self) -> &str {
        match self {
            Registration::Browser(r) => r,
            Registration::Device => DEVICE_CODE_GRANT,
        }
    }
}

/// Client authentication on a form POST to the token or revocation endpoint, written over
/// reqwest for the requests the `oauth2` crate does not make for us (revocation on loopback,
/// device polling with a fresh assertion per request): `client_secret_basic` (RFC 6749
/// §2.3.1, both parts form-urlencoded before base64), `client_secret_post`, or the client id
/// in the body with a `private_key_jwt` assertion when there is one.
pub(super) fn authenticate(
    req: reqwest::RequestBuilder,
    form: &mut Vec<(&'static str, String)>,
    client: &ClientIdentity,
    assertion: &[(&'static str, String)],
) -> reqwest::RequestBuilder {
    match (client.method, &client.secret) {
        (TokenAuthMethod::ClientSecretBasic, Some(secret)) => {
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            req.basic_auth(enc(&client.id), Some(enc(secret.expose_secret())))
        }
        (TokenAuthMethod::ClientSecretPost, Some(secret)) => {
            form.push(("client_id", client.id.clone()));
            form.push(("client_secret", secret.expose_secret().to_string()));
            req
        }
        _ => {
            form.push(("client_id", client.id.clone()));
            form.extend(assertion.iter().map(|(k, v)| (*k, v.clone())));
            req
        }
    }
}

impl Patchbay {
    /// RFC 7523 §2.2 client authentication for one request to the token (or revocation)
    /// endpoint: `client_assertion_type` and a freshly signed `client_assertion`. The private
    /// key is read from the keychain here, signs, and is dropped (wiped) before returning.
    /// Nothing for other methods.
    pub(super) fn assertion_params(
        &self,
        client: &ClientIdentity,
        audience: &str,
    ) -> Result<Vec<(&'static str, String)>> {
        let Some(owner) = client
            .signer
            .as_ref()
            .filter(|_| client.method == TokenAuthMethod::PrivateKeyJwt)
        else {
            return Ok(Vec::new());
        };
        let entry = match owner {
            Owner::Action(id) => crate::vault::keys::action_private_key(id),
            Owner::Connection(id) => crate::vault::keys::connection_private_key(id),
        };
        let Some(key) = self.vault().get(&entry)? else {
            return Err(oauth_err(
                ErrorCode::TokenError,
                "the keychain holds no private key for this private_key_jwt client",
                "give it one: `patchbay action edit NAME --token-auth-method private_key_jwt --private-key-stdin` (or leave out --private-key-stdin to generate one, then register its public key)",
            ));
        };
        let signed = crate::signing_key::assertion(&key, &client.id, audience, self.clock_now())?;
        Ok(vec![
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
            ),
            ("client_assertion", signed),
        ])
    }

    /// A saved registration for this issuer and redirect URI, else dynamic client
    /// registration (RFC 7591) as a public native client.
    pub(super) async fn registered_client(
        &self,
        edit_command: &str,
        server: &ServerMetadata,
        redirect_uri: &str,
        http: &reqwest::Client,
    ) -> Result<ClientIdentity> {
        self.registered_client_for(
            edit_command,
            server,
            Registration::Browser(redirect_uri),
            http,
        )
        .await
    }

    /// [`Self::registered_client`] for a browser sign-in (its redirect URI) or a device
    /// sign-in (RFC 8628: the device code grant, no redirect URI). Each is saved apart.
    pub(super) async fn registered_client_for(
        &self,
        edit_command: &str,
        server: &ServerMetadata,
        registration: Registration<'_>,
        http: &reqwest::Client,
    ) -> Result<ClientIdentity> {
        let redirect_uri = registration.key();
        let app_kind = match registration {
            Registration::Browser(r) => format!("with the redirect URI {r}"),
            Registration::Device => "allowed the device code grant".to_string(),
        };
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
                signer: None,
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
                    "register an OAuth app with the provider {app_kind}, then: `{edit_command} --client-id ID [--client-secret-stdin]`"
                ),
            ));
        };
        let body = match registration {
            Registration::Browser(_) => serde_json::json!({
                "client_name": "Patchbay",
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "none",
                "application_type": "native",
            }),
            Registration::Device => serde_json::json!({
                "client_name": "Patchbay",
                "grant_types": [DEVICE_CODE_GRANT, "refresh_token"],
                "response_types": [],
                "token_endpoint_auth_method": "none",
                "application_type": "native",
            }),
        };
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
                    "register an OAuth app with the provider yourself ({app_kind}) and fill in Advanced configuration: `{edit_command} --client-id ID`"
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
            signer: None,
        })
    }
}
