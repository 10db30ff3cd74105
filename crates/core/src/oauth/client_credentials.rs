//! The client credentials grant (RFC 6749 §4.4; the MCP extension
//! `io.modelcontextprotocol/oauth-client-credentials`): a client with a secret
//! (`client_secret_basic` / `client_secret_post`) or a signing key (`private_key_jwt`, RFC 7523)
//! asks the token endpoint for itself, with no user and no browser. Connecting fetches the first
//! token; later ones are fetched the same way under the owner's token lock
//! (`lifecycle::token_for`), before expiry and after a 401, as a refresh would be.

use super::grant::NewGrant;
use super::*;

/// One client credentials token request.
pub(super) struct CcRequest<'a> {
    pub(super) token_endpoint: &'a str,
    pub(super) client: &'a ClientIdentity,
    pub(super) scopes: &'a [String],
    pub(super) resource: Option<&'a str>,
    /// The audience of a `private_key_jwt` assertion.
    pub(super) audience: &'a str,
    /// The key the token is bound to (DPoP), when the server takes proofs.
    pub(super) dpop: Option<&'a crate::dpop::DpopKey>,
}

/// Scopes for a client with no user: the user's, else the challenge's, else the resource's.
fn cc_scopes(user: &[String], d: &Discovered, extra: &[String]) -> Vec<String> {
    let mut scopes: Vec<String> = if !user.is_empty() {
        user.to_vec()
    } else if !d.challenge_scopes.is_empty() {
        d.challenge_scopes.clone()
    } else {
        d.resource_scopes.clone()
    };
    for s in extra {
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    scopes
}

fn needs_client_id(edit_command: &str) -> Error {
    oauth_err(
        ErrorCode::NeedsClientId,
        "the client credentials grant needs the client id the provider issued",
        format!("`{edit_command} --client-id ID`"),
    )
}

/// The server's metadata says it does not issue client credentials tokens.
fn check_grant_offered(server: &ServerMetadata, edit_command: &str) -> Result<()> {
    match &server.grant_types_supported {
        Some(g) if !g.iter().any(|x| x == "client_credentials") => Err(oauth_err(
            ErrorCode::AuthorizationFailed,
            format!(
                "the authorization server {} does not offer the client credentials grant (it offers: {})",
                server.issuer,
                g.join(", ")
            ),
            format!("use a user's sign-in instead: `{edit_command} --grant authorization-code`"),
        )),
        _ => Ok(()),
    }
}

impl Patchbay {
    /// Connect an action whose own client uses client credentials: where its token endpoint
    /// is (typed, cached or discovered), then one token request.
    pub(super) async fn connect_client_credentials(
        &self,
        action: &crate::model::ActionView,
        settings: &crate::model::OAuthSettings,
        req: &ConnectRequest,
        http: &reqwest::Client,
    ) -> Result<GrantView> {
        let edit_command = format!("patchbay action edit {}", action.name);
        let owner = Owner::Action(action.id.clone());
        let Some(client_id) = settings.client_id.clone() else {
            return Err(needs_client_id(&edit_command));
        };
        let discovered = self
            .server_without_user(action, settings, req, http, "client credentials")
            .await?;
        check_grant_offered(&discovered.server, &edit_command)?;
        let secret = self.action_client_secret(action)?;
        let method = settings
            .token_auth_method
            .unwrap_or(TokenAuthMethod::ClientSecretBasic);
        let client = ClientIdentity {
            id: client_id,
            secret,
            method,
            keep_secret: false,
            signer: signer(&owner, method),
        };
        let resource = settings.resource(&discovered.resource);
        let scopes = cc_scopes(&settings.scopes, &discovered, &req.extra_scopes);
        self.first_client_credentials_token(
            &owner,
            &discovered.server,
            &client,
            &scopes,
            resource,
            http,
        )
        .await
    }

    /// Where a grant with no user gets its tokens: the typed token URL, else the cached or
    /// discovered metadata of the MCP server's authorization server (an HTTP action must
    /// type it).
    pub(super) async fn server_without_user(
        &self,
        action: &crate::model::ActionView,
        settings: &crate::model::OAuthSettings,
        req: &ConnectRequest,
        http: &reqwest::Client,
        grant_name: &str,
    ) -> Result<Discovered> {
        Ok(match (&settings.token_url, action.kind) {
            (Some(t), _) => Discovered {
                resource: action.url.clone(),
                server: ServerMetadata::typed(
                    settings.authorization_url.as_deref().unwrap_or(t),
                    t,
                    None,
                    None,
                    None,
                ),
                challenge_scopes: Vec::new(),
                resource_scopes: Vec::new(),
            },
            (None, ActionKind::Http) => {
                return Err(Error::invalid_with_hint(
                    format!("an HTTP action's {grant_name} grant needs its token URL"),
                    format!("`patchbay action edit {} --token-url URL`", action.name),
                ));
            }
            _ if req.challenge.is_some() => {
                self.discover_for(action, settings, http, req.challenge.as_deref())
                    .await?
            }
            _ => match self.cached_discovery(&action.id, &action.url)? {
                Some(d) => d,
                None => {
                    let d = self.discover_for(action, settings, http, None).await?;
                    self.save_discovery(&action.id, &action.url, &d)?;
                    d
                }
            },
        })
    }

    /// Connect a reusable connection whose client uses client credentials.
    pub(super) async fn connect_connection_client_credentials(
        &self,
        c: &crate::model::ConnectionView,
        http: &reqwest::Client,
    ) -> Result<GrantView> {
        let owner = Owner::Connection(c.id.clone());
        let server = super::flow::connection_server(c);
        let client = ClientIdentity {
            id: c.client_id.clone(),
            secret: self.connection_client_secret(c)?,
            method: c.token_auth_method,
            keep_secret: false,
            signer: signer(&owner, c.token_auth_method),
        };
        self.first_client_credentials_token(
            &owner,
            &server,
            &client,
            &c.scopes,
            c.resource.clone(),
            http,
        )
        .await
    }

    async fn first_client_credentials_token(
        &self,
        owner: &Owner,
        server: &ServerMetadata,
        client: &ClientIdentity,
        scopes: &[String],
        resource: Option<String>,
        http: &reqwest::Client,
    ) -> Result<GrantView> {
        let audience = assertion_audience(server);
        let key = self.dpop_key_for_sign_in(owner, server)?;
        let stored = self
            .client_credentials_token(
                &CcRequest {
                    token_endpoint: &server.token_endpoint,
                    client,
                    scopes,
                    resource: resource.as_deref(),
                    audience: &audience,
                    dpop: key.as_ref(),
                },
                http,
            )
            .await?;
        let (token, granted) = stored;
        self.save_grant(
            owner,
            server,
            &client.id,
            client.method,
            &token,
            NewGrant {
                // No user: the client is who is connected.
                account: Some(client.id.clone()),
                scopes: granted,
                resource,
                grant: OAuthGrant::ClientCredentials,
                audience: (client.method == TokenAuthMethod::PrivateKeyJwt).then_some(audience),
            },
        )
        .await
    }

    /// One token request with the client's own credentials: the tokens to store and the
    /// scopes granted (the requested ones when the server does not say).
    pub(super) async fn client_credentials_token(
        &self,
        r: &CcRequest<'_>,
        http: &reqwest::Client,
    ) -> Result<(StoredTokens, Vec<String>)> {
        let oauth = base_client(r.client).set_token_uri(
            TokenUrl::new(r.token_endpoint.to_string())
                .map_err(|_| bad_url("token endpoint", r.token_endpoint))?,
        );
        let mut req = oauth
            .exchange_client_credentials()
            .add_scopes(r.scopes.iter().cloned().map(Scope::new));
        if let Some(res) = r.resource {
            req = req.add_extra_param("resource", res.to_string());
        }
        for (k, v) in self.assertion_params(r.client, r.audience)? {
            req = req.add_extra_param(k, v);
        }
        let token = req
            .request_async(&super::dpop_token::TokenHttp { http, key: r.dpop })
            .await
            .map_err(|e| token_error(e, r.token_endpoint))?;
        let granted: Vec<String> = match token.scopes() {
            Some(s) => s.iter().map(|x| x.to_string()).collect(),
            None => r.scopes.to_vec(),
        };
        let mut stored = self.stored_from(&token, r.dpop.is_some());
        // RFC 6749 §4.4.3: no refresh token; a new one is fetched the same way.
        stored.refresh_token = None;
        Ok((stored, granted))
    }

    /// What the keychain keeps of a token response got with no user: the tokens, their
    /// scheme (`DPoP` when the request carried a proof and the server bound them) and when
    /// the access token expires.
    pub(super) fn stored_from(&self, token: &TokenResp, sent_proof: bool) -> StoredTokens {
        StoredTokens {
            access_token: token.access_token().secret().clone(),
            refresh_token: token.refresh_token().map(|t| t.secret().clone()),
            token_type: Some(super::dpop_token::token_type(
                sent_proof,
                token.token_type().as_ref(),
            )),
            expires_at: token
                .expires_in()
                .map(|d| crate::clock::rfc3339(self.clock_now() + d)),
            issued_at: Some(self.now()),
            client_secret: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_have_no_user_extras() {
        let d = Discovered {
            resource: "https://mcp.example.com/mcp".into(),
            server: ServerMetadata::typed("https://a/auth", "https://a/token", None, None, None),
            challenge_scopes: vec![],
            resource_scopes: vec!["mcp:read".into()],
        };
        assert_eq!(cc_scopes(&[], &d, &[]), vec!["mcp:read"]);
        assert_eq!(
            cc_scopes(&["x".into()], &d, &["mcp:write".into()]),
            vec!["x", "mcp:write"],
            "no offline_access or openid: there is no user"
        );
        let mut server = d.server.clone();
        server.grant_types_supported = Some(vec!["authorization_code".into()]);
        let e = check_grant_offered(&server, "patchbay action edit x").expect_err("refused");
        assert!(
            e.to_string()
                .contains("does not offer the client credentials grant")
        );
        server.grant_types_supported = None;
        assert!(check_grant_offered(&server, "x").is_ok(), "not said: tried");
    }
}
