//! The RFC 7523 §2.1 JWT bearer grant, for two grants with no user at hand:
//! - `jwt-bearer` (workload identity federation, SEP-1933): the workload's own identity token
//!   (a JWT its platform writes to a file and keeps fresh: a Kubernetes projected service
//!   account token, a CI job's OIDC token) is the assertion. Read at each token request.
//! - `enterprise-managed` (SEP-990): the assertion is an ID-JAG from the enterprise identity
//!   provider (`idp.rs`).
//!
//! A refused assertion is reported as it is (invalid_grant, invalid_scope,
//! unauthorized_client): never retried, never another grant tried instead.

use super::flow::jwt_claims;
use super::grant::NewGrant;
use super::*;

pub(super) const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// How the assertion of a grant is got, each time a token is fetched.
pub(super) enum Assertion<'a> {
    /// The workload's identity token, in this file.
    File(&'a str),
    /// An ID-JAG from this identity provider.
    Idp(&'a str),
}

/// One jwt-bearer token request.
pub(super) struct JwtRequest<'a> {
    pub(super) token_endpoint: &'a str,
    /// The server's authorization server (an ID-JAG's audience).
    pub(super) issuer: &'a str,
    pub(super) client: Option<&'a ClientIdentity>,
    pub(super) scopes: &'a [String],
    pub(super) resource: Option<&'a str>,
}

/// The workload's identity token from `path`: one JWT, whitespace trimmed.
fn read_assertion(path: &str, edit_command: &str) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        oauth_err(
            ErrorCode::TokenError,
            format!("cannot read the workload identity token at {path}: {e}"),
            format!(
                "check that the platform writes the token there and this user may read it, or point at another file: `{edit_command} --assertion-file PATH`"
            ),
        )
    })?;
    let token = text.trim().to_string();
    if token.split('.').count() != 3 || token.len() > 64 * 1024 {
        return Err(oauth_err(
            ErrorCode::TokenError,
            format!("{path} does not hold one JWT (three base64url parts separated by dots)"),
            format!(
                "point at the file that holds the identity token itself: `{edit_command} --assertion-file PATH`"
            ),
        ));
    }
    Ok(token)
}

impl Patchbay {
    /// Connect an action whose grant is `jwt-bearer` or `enterprise-managed`: where its
    /// token endpoint is, then one token request.
    pub(super) async fn connect_jwt_bearer(
        &self,
        action: &crate::model::ActionView,
        settings: &crate::model::OAuthSettings,
        grant: OAuthGrant,
        req: &ConnectRequest,
        http: &reqwest::Client,
    ) -> Result<GrantView> {
        let name = if grant == OAuthGrant::EnterpriseManaged {
            "enterprise-managed"
        } else {
            "jwt-bearer"
        };
        let discovered = self
            .server_without_user(action, settings, req, http, name)
            .await?;
        let owner = Owner::Action(action.id.clone());
        let client = self.jwt_client(action, settings)?;
        let resource = settings.resource(&discovered.resource);
        let mut scopes: Vec<String> = if !settings.scopes.is_empty() {
            settings.scopes.clone()
        } else if !discovered.challenge_scopes.is_empty() {
            discovered.challenge_scopes.clone()
        } else {
            discovered.resource_scopes.clone()
        };
        for s in &req.extra_scopes {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        let server = &discovered.server;
        let (stored, granted, account) = self
            .jwt_bearer_token(
                &self.assertion_of(action, settings)?,
                &JwtRequest {
                    token_endpoint: &server.token_endpoint,
                    issuer: &server.issuer,
                    client: client.as_ref(),
                    scopes: &scopes,
                    resource: resource.as_deref(),
                },
                &format!("patchbay action edit {}", action.name),
                http,
            )
            .await?;
        let anonymous = ClientIdentity {
            id: String::new(),
            secret: None,
            method: TokenAuthMethod::None,
            keep_secret: false,
            signer: None,
        };
        let c = client.as_ref().unwrap_or(&anonymous);
        self.save_grant(
            &owner,
            server,
            &c.id,
            c.method,
            &stored,
            NewGrant {
                account,
                scopes: granted,
                resource,
                grant,
                audience: None,
            },
        )
        .await
    }

    /// Where an action's assertion comes from.
    pub(super) fn assertion_of<'a>(
        &self,
        action: &crate::model::ActionView,
        settings: &'a crate::model::OAuthSettings,
    ) -> Result<Assertion<'a>> {
        match (action.grant, &settings.assertion_file, &settings.idp) {
            (Some(OAuthGrant::JwtBearer), Some(f), _) => Ok(Assertion::File(f)),
            (Some(OAuthGrant::EnterpriseManaged), _, Some(i)) => Ok(Assertion::Idp(i)),
            _ => Err(Error::invalid_with_hint(
                format!("action '{}' has no assertion for its grant", action.name),
                format!(
                    "`patchbay action edit {} --grant jwt-bearer --assertion-file PATH` or `--idp NAME`",
                    action.name
                ),
            )),
        }
    }

    /// The client the assertion is presented as: the action's own (with its secret), or none
    /// (RFC 7523 §3.1: client authentication is optional with this grant).
    pub(super) fn jwt_client(
        &self,
        action: &crate::model::ActionView,
        settings: &crate::model::OAuthSettings,
    ) -> Result<Option<ClientIdentity>> {
        let Some(id) = settings.client_id.clone() else {
            return Ok(None);
        };
        let owner = Owner::Action(action.id.clone());
        let secret = self.action_client_secret(action)?;
        let method = settings.token_auth_method.unwrap_or(if secret.is_some() {
            TokenAuthMethod::ClientSecretBasic
        } else {
            TokenAuthMethod::None
        });
        Ok(Some(ClientIdentity {
            id,
            secret,
            method,
            keep_secret: false,
            signer: signer(&owner, method),
        }))
    }

    /// One jwt-bearer token request: the assertion got fresh, then presented. Returns the
    /// tokens to store, the scopes granted and who the token is for.
    pub(super) async fn jwt_bearer_token(
        &self,
        assertion: &Assertion<'_>,
        r: &JwtRequest<'_>,
        edit_command: &str,
        http: &reqwest::Client,
    ) -> Result<(StoredTokens, Vec<String>, Option<String>)> {
        let (jwt, account) = match assertion {
            Assertion::File(path) => {
                let jwt = read_assertion(path, edit_command)?;
                let who = jwt_claims(&jwt).and_then(|c| c["sub"].as_str().map(String::from));
                (jwt, who)
            }
            Assertion::Idp(idp) => {
                let (jag, who) = self
                    .id_jag(idp, r.issuer, r.resource, r.scopes, http)
                    .await?;
                (jag.expose_secret().to_string(), who)
            }
        };
        let mut form: Vec<(&'static str, String)> =
            vec![("grant_type", JWT_BEARER_GRANT.into()), ("assertion", jwt)];
        if !r.scopes.is_empty() {
            form.push(("scope", r.scopes.join(" ")));
        }
        if let Some(res) = r.resource {
            form.push(("resource", res.into()));
        }
        let mut req = http.post(r.token_endpoint);
        if let Some(c) = r.client {
            let audience = r.issuer.to_string();
            let assertion = self.assertion_params(c, &audience)?;
            req = super::client::authenticate(req, &mut form, c, &assertion);
        }
        let resp = req
            .form(&form)
            .send()
            .await
            .map_err(|e| discovery::transport_error(r.token_endpoint, &e))?;
        let status = resp.status();
        let body = resp.bytes().await.unwrap_or_default();
        if !status.is_success() {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let said = error_said(status, &v);
            let hint = match (assertion, v["error"].as_str()) {
                (Assertion::File(_), Some("invalid_grant")) => {
                    "the workload's identity token was refused (expired, or for another audience): check what writes the file and the audience it asks for".to_string()
                }
                (_, Some("invalid_scope")) => format!(
                    "ask for scopes this grant may have: `{edit_command} --scopes ...`"
                ),
                (_, Some("unauthorized_client")) => {
                    "the authorization server does not let this client use the grant: ask its administrator".to_string()
                }
                (Assertion::Idp(idp), _) => format!(
                    "sign in at the identity provider again (`patchbay idp login {idp}`); if it repeats, ask the server's administrator to trust it"
                ),
                _ => "check the client and the token URL".to_string(),
            };
            return Err(oauth_err(
                ErrorCode::TokenError,
                format!(
                    "the token endpoint {} refused the assertion ({said})",
                    r.token_endpoint
                ),
                hint,
            ));
        }
        let token: TokenResp = serde_json::from_slice(&body).map_err(|e| {
            oauth_err(
                ErrorCode::TokenError,
                format!(
                    "the token endpoint {} answered with something that is not a token response ({e})",
                    r.token_endpoint
                ),
                "report it to the server's operator",
            )
        })?;
        let granted: Vec<String> = match token.scopes() {
            Some(s) => s.iter().map(|x| x.to_string()).collect(),
            None => r.scopes.to_vec(),
        };
        Ok((self.stored_from(&token, false), granted, account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assertion_file_must_hold_one_jwt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        std::fs::write(&path, "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3In0.c2ln\n").expect("write");
        assert_eq!(
            read_assertion(path.to_str().expect("utf8"), "edit").expect("a JWT"),
            "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3In0.c2ln",
            "trailing newline trimmed"
        );
        std::fs::write(&path, "not a token").expect("write");
        let e = read_assertion(path.to_str().expect("utf8"), "edit").expect_err("refused");
        assert!(e.to_string().contains("does not hold one JWT"), "{e}");
        assert!(
            !e.to_string().contains("not a token"),
            "the file's content is never echoed: {e}"
        );
        let e = read_assertion("/no/such/file", "edit").expect_err("missing");
        assert!(e.to_string().contains("cannot read"), "{e}");
    }
}
