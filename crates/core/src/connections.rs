//! Reusable OAuth connections: one OAuth client configuration, used by many
//! actions; several per provider (one per account).

use rusqlite::{Row, params};
use secrecy::SecretString;

use crate::actions::{KeyPlan, client_auth};
use crate::error::{Error, FormField, Kind, Result, at};
use crate::model::{ConnectionView, OAuthGrant, PublicJwk, TokenAuthMethod};
use crate::store::named;
use crate::validate;
use crate::vault::keys;
use crate::{Entries, Patchbay};

#[derive(Debug, Default)]
pub struct NewConnection {
    pub name: String,
    pub provider: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub authorization_url: String,
    pub token_url: String,
    pub registration_url: Option<String>,
    pub revocation_url: Option<String>,
    /// Defaults to `client_secret_basic` with a secret, `none` (public PKCE client) without.
    pub token_auth_method: Option<TokenAuthMethod>,
    /// Space- or comma-separated.
    pub scopes: Option<String>,
    /// Default: authorization code (a user signs in).
    pub grant: Option<OAuthGrant>,
    /// A PEM private key to import for `private_key_jwt` (else one is generated).
    pub private_key: Option<SecretString>,
}

#[derive(Debug, Default)]
pub struct ConnectionPatch {
    pub rename: Option<String>,
    pub provider: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub clear_client_secret: bool,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    /// `Some("")` removes it.
    pub registration_url: Option<String>,
    pub revocation_url: Option<String>,
    /// `None` keeps the current method while it still fits the secret.
    pub token_auth_method: Option<TokenAuthMethod>,
    pub scopes: Option<String>,
    pub grant: Option<OAuthGrant>,
    /// A PEM private key to import (replaces the current one).
    pub private_key: Option<SecretString>,
}

fn provider(v: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() || v.len() > 64 || v.chars().any(char::is_control) {
        return Err(Error::invalid_with_hint(
            "the provider name must be 1 to 64 printable characters",
            "name the service this connection signs in to, e.g. --provider github",
        )
        .at(FormField::Provider));
    }
    Ok(v.to_string())
}

fn required_client_id(v: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(Error::invalid_with_hint(
            "the client id is empty",
            "copy the client id from the OAuth app you registered with the provider",
        )
        .at(FormField::ClientId));
    }
    validate::client_id(v).map_err(at(FormField::ClientId))
}

fn optional_url(field: &str, v: Option<&str>) -> Result<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(u) => Ok(Some(validate::url(field, u)?.to_string())),
    }
}

/// The method a connection ends up with, checked against its grant, whether it has a secret
/// and whether a key is given to import.
fn method_for(
    requested: Option<TokenAuthMethod>,
    current: Option<TokenAuthMethod>,
    has_secret: bool,
    grant: OAuthGrant,
    key_given: bool,
) -> Result<TokenAuthMethod> {
    use TokenAuthMethod as M;
    if matches!(grant, OAuthGrant::JwtBearer | OAuthGrant::EnterpriseManaged) {
        return Err(Error::invalid_with_hint(
            format!(
                "a reusable connection uses the authorization code or client credentials grant, not {}",
                <&str>::from(grant)
            ),
            "give the MCP action its own OAuth instead: `patchbay action edit NAME --auth oauth --grant ...`",
        )
        .at(crate::model::FormField::Grant));
    }
    let fits = |m: M| {
        m.uses_secret() == has_secret
            && !(m == M::None && (grant == OAuthGrant::ClientCredentials || key_given))
    };
    let m = match (requested, current) {
        (Some(m), _) => m,
        // The current method still fits: keep it.
        (None, Some(m)) if fits(m) => m,
        // Adding a secret makes the client confidential; removing it, public (or, for
        // client credentials, a signing key).
        (None, _) if has_secret => M::ClientSecretBasic,
        (None, _) if grant == OAuthGrant::ClientCredentials || key_given => M::PrivateKeyJwt,
        (None, _) => M::None,
    };
    client_auth(Some(m), grant, has_secret, key_given)?;
    Ok(m)
}

/// What becomes of a connection's signing key.
fn key_plan(method: TokenAuthMethod, given: Option<&SecretString>, had: bool) -> KeyPlan {
    match (method == TokenAuthMethod::PrivateKeyJwt, given) {
        (true, Some(pem)) => KeyPlan::Import(pem.clone()),
        (true, None) if had => KeyPlan::Keep,
        (true, None) => KeyPlan::Generate,
        (false, _) if had => KeyPlan::Remove,
        (false, _) => KeyPlan::Keep,
    }
}

const SELECT: &str = "SELECT id, name, provider, client_id, has_client_secret, authorization_url, token_url,
        registration_url, revocation_url, token_auth_method, scopes, issuer, resource, created_at, updated_at,
        grant_type, public_jwk
     FROM connections";

type RawConnection = (ConnectionView, String, String, String, Option<String>);

fn from_row(r: &Row<'_>) -> rusqlite::Result<RawConnection> {
    Ok((
        ConnectionView {
            id: r.get(0)?,
            name: r.get(1)?,
            provider: r.get(2)?,
            client_id: r.get(3)?,
            client_secret_set: r.get(4)?,
            authorization_url: r.get(5)?,
            token_url: r.get(6)?,
            registration_url: r.get(7)?,
            revocation_url: r.get(8)?,
            token_auth_method: TokenAuthMethod::None,
            public_client: true,
            grant: OAuthGrant::AuthorizationCode,
            public_jwk: None,
            scopes: Vec::new(),
            issuer: r.get(11)?,
            resource: r.get(12)?,
            used_by: Vec::new(),
            created_at: r.get(13)?,
            updated_at: r.get(14)?,
        },
        r.get(9)?,
        r.get(10)?,
        r.get(15)?,
        r.get(16)?,
    ))
}

fn finish(
    c: &rusqlite::Connection,
    (mut v, method, scopes, grant, jwk): RawConnection,
) -> Result<ConnectionView> {
    v.token_auth_method = crate::store::from_column("token auth method", &method)?;
    v.grant = crate::store::from_column("grant type", &grant)?;
    v.public_jwk = jwk
        .map(|j| {
            serde_json::from_str::<PublicJwk>(&j)
                .map_err(|e| Error::Internal(format!("connections.public_jwk is unreadable: {e}")))
        })
        .transpose()?;
    v.public_client = v.token_auth_method.is_public();
    v.scopes = serde_json::from_str(&scopes)
        .map_err(|e| Error::Internal(format!("connections.scopes is unreadable: {e}")))?;
    v.used_by = crate::actions::names_using(c, "connection_id", &v.id)?;
    Ok(v)
}

fn get_in(c: &rusqlite::Connection, name: &str) -> Result<ConnectionView> {
    let raw = named::find(c, Kind::Connection, SELECT, "name", name, from_row)?;
    finish(c, raw)
}

fn ensure_name_free(c: &rusqlite::Connection, name: &str, except: Option<&str>) -> Result<()> {
    named::ensure_free(c, Kind::Connection, name, except)
}

fn jwk_json(j: &PublicJwk) -> Result<String> {
    serde_json::to_string(j).map_err(|e| Error::Internal(format!("cannot encode a JWK: {e}")))
}

fn scopes_json(s: &[String]) -> Result<String> {
    serde_json::to_string(s).map_err(|e| Error::Internal(format!("cannot encode scopes: {e}")))
}

impl Patchbay {
    pub fn list_connections(&self) -> Result<Vec<ConnectionView>> {
        self.store().read(|c| {
            let raws = named::all(c, SELECT, "name", from_row)?;
            raws.into_iter().map(|r| finish(c, r)).collect()
        })
    }

    pub fn get_connection(&self, name: &str) -> Result<ConnectionView> {
        self.store().read(|c| get_in(c, name))
    }

    pub fn add_connection(&self, input: NewConnection) -> Result<ConnectionView> {
        let name = validate::name("connection", &input.name).map_err(at(FormField::Name))?;
        let provider = provider(&input.provider)?;
        let client_id = required_client_id(&input.client_id)?;
        let authorization_url = validate::url("authorization URL", &input.authorization_url)
            .map_err(at(FormField::AuthorizationUrl))?
            .to_string();
        let token_url = validate::url("token URL", &input.token_url)
            .map_err(at(FormField::TokenUrl))?
            .to_string();
        let registration_url = optional_url("registration URL", input.registration_url.as_deref())
            .map_err(at(FormField::RegistrationUrl))?;
        let revocation_url = optional_url("revocation URL", input.revocation_url.as_deref())
            .map_err(at(FormField::RevocationUrl))?;
        let has_secret = input.client_secret.is_some();
        let grant = input.grant.unwrap_or_default();
        let method = method_for(
            input.token_auth_method,
            None,
            has_secret,
            grant,
            input.private_key.is_some(),
        )?;
        let key = key_plan(method, input.private_key.as_ref(), false).material()?;
        let scopes = validate::scopes(input.scopes.as_deref().unwrap_or(""))
            .map_err(at(FormField::Scopes))?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let mut secrets: Vec<(String, SecretString)> = input
            .client_secret
            .into_iter()
            .map(|s| (keys::connection_client_secret(&id), s))
            .collect();
        let public_jwk = match key {
            Some((pem, jwk)) => {
                secrets.push((keys::connection_private_key(&id), pem));
                Some(jwk_json(&jwk)?)
            }
            None => None,
        };
        self.write_with_secrets(Entries::New, &secrets, |tx| {
            ensure_name_free(tx, &name, None)?;
            tx.execute(
                "INSERT INTO connections (id, name, provider, client_id, has_client_secret, authorization_url,
                    token_url, registration_url, revocation_url, token_auth_method, scopes, created_at, updated_at,
                    grant_type, public_jwk)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)",
                params![
                    id,
                    name,
                    provider,
                    client_id,
                    has_secret,
                    authorization_url,
                    token_url,
                    registration_url,
                    revocation_url,
                    method.as_str(),
                    scopes_json(&scopes)?,
                    now,
                    grant.as_str(),
                    public_jwk,
                ],
            )?;
            get_in(tx, &name)
        })
    }

    pub fn edit_connection(&self, name: &str, patch: ConnectionPatch) -> Result<ConnectionView> {
        let cur = self.get_connection(name)?;
        let new_name = patch
            .rename
            .as_deref()
            .map(|n| validate::name("connection", n))
            .transpose()
            .map_err(at(FormField::Name))?;
        let provider = patch
            .provider
            .as_deref()
            .map(provider)
            .transpose()?
            .unwrap_or(cur.provider.clone());
        let client_id = patch
            .client_id
            .as_deref()
            .map(required_client_id)
            .transpose()?
            .unwrap_or(cur.client_id.clone());
        let authorization_url = match &patch.authorization_url {
            Some(u) => validate::url("authorization URL", u)
                .map_err(at(FormField::AuthorizationUrl))?
                .to_string(),
            None => cur.authorization_url.clone(),
        };
        let token_url = match &patch.token_url {
            Some(u) => validate::url("token URL", u)
                .map_err(at(FormField::TokenUrl))?
                .to_string(),
            None => cur.token_url.clone(),
        };
        let registration_url = match &patch.registration_url {
            Some(u) => {
                optional_url("registration URL", Some(u)).map_err(at(FormField::RegistrationUrl))?
            }
            None => cur.registration_url.clone(),
        };
        let revocation_url = match &patch.revocation_url {
            Some(u) => {
                optional_url("revocation URL", Some(u)).map_err(at(FormField::RevocationUrl))?
            }
            None => cur.revocation_url.clone(),
        };
        let scopes = match &patch.scopes {
            Some(s) => validate::scopes(s).map_err(at(FormField::Scopes))?,
            None => cur.scopes.clone(),
        };
        if patch.clear_client_secret && patch.client_secret.is_some() {
            return Err(
                Error::invalid("give a new client secret or remove it, not both")
                    .at(FormField::ClientSecret),
            );
        }
        let requested = patch.token_auth_method;
        // Switching to a public client or a signing key drops the secret without being asked
        // twice.
        let switching_public = matches!(
            requested,
            Some(TokenAuthMethod::None | TokenAuthMethod::PrivateKeyJwt)
        ) && patch.client_secret.is_none();
        let has_secret = patch.client_secret.is_some()
            || (cur.client_secret_set && !patch.clear_client_secret && !switching_public);
        let grant = patch.grant.unwrap_or(cur.grant);
        let method = method_for(
            requested,
            Some(cur.token_auth_method),
            has_secret,
            grant,
            patch.private_key.is_some(),
        )?;
        let plan = key_plan(method, patch.private_key.as_ref(), cur.public_jwk.is_some());
        let keeps_key = matches!(plan, KeyPlan::Keep);
        let new_key = plan.material()?;
        let key = keys::connection_client_secret(&cur.id);
        let private_key = keys::connection_private_key(&cur.id);
        let mut secrets: Vec<(String, SecretString)> = patch
            .client_secret
            .into_iter()
            .map(|s| (key.clone(), s))
            .collect();
        let public_jwk = match new_key {
            Some((pem, jwk)) => {
                secrets.push((private_key.clone(), pem));
                Some(jwk_json(&jwk)?)
            }
            None if keeps_key => cur.public_jwk.as_ref().map(jwk_json).transpose()?,
            None => None,
        };
        let final_name = new_name.clone().unwrap_or(cur.name.clone());
        let now = self.now();
        let view = self.write_with_secrets(Entries::MayExist, &secrets, |tx| {
            if let Some(n) = &new_name {
                ensure_name_free(tx, n, Some(&cur.id))?;
            }
            tx.execute(
                "UPDATE connections SET name = ?2, provider = ?3, client_id = ?4, has_client_secret = ?5,
                    authorization_url = ?6, token_url = ?7, registration_url = ?8, revocation_url = ?9,
                    token_auth_method = ?10, scopes = ?11, updated_at = ?12, grant_type = ?13, public_jwk = ?14
                 WHERE id = ?1",
                params![
                    cur.id,
                    final_name,
                    provider,
                    client_id,
                    has_secret,
                    authorization_url,
                    token_url,
                    registration_url,
                    revocation_url,
                    method.as_str(),
                    scopes_json(&scopes)?,
                    now,
                    grant.as_str(),
                    public_jwk,
                ],
            )?;
            get_in(tx, &final_name)
        })?;
        if cur.client_secret_set && !has_secret {
            self.forget_secrets(&[key]);
        }
        if cur.public_jwk.is_some() && view.public_jwk.is_none() {
            self.forget_secrets(&[private_key]);
        }
        Ok(view)
    }

    /// Remove a connection no action uses (refused, naming the actions, otherwise).
    pub fn remove_connection(&self, name: &str) -> Result<ConnectionView> {
        let view = self.store().write(|tx| {
            let view = get_in(tx, name)?;
            if !view.used_by.is_empty() {
                return Err(Error::InUse {
                    kind: Kind::Connection,
                    name: view.name.clone(),
                    actions: view.used_by.clone(),
                });
            }
            tx.execute("DELETE FROM connections WHERE id = ?1", [&view.id])?;
            Ok(view)
        })?;
        self.forget_secrets(&[
            keys::connection_client_secret(&view.id),
            keys::connection_private_key(&view.id),
            keys::connection_oauth_tokens(&view.id),
            keys::dpop_key(&format!("connection/{}", view.id)),
        ]);
        Ok(view)
    }

    pub fn connection_client_secret(&self, c: &ConnectionView) -> Result<Option<SecretString>> {
        if c.client_secret_set {
            self.vault().get(&keys::connection_client_secret(&c.id))
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenAuthMethod as M;

    fn method_for(requested: Option<M>, current: Option<M>, has_secret: bool) -> Result<M> {
        super::method_for(
            requested,
            current,
            has_secret,
            OAuthGrant::AuthorizationCode,
            false,
        )
    }

    #[test]
    fn client_credentials_need_a_confidential_client() {
        let cc = OAuthGrant::ClientCredentials;
        assert_eq!(
            super::method_for(None, None, false, cc, false).expect("a key"),
            M::PrivateKeyJwt,
            "no secret: a signing key"
        );
        assert_eq!(
            super::method_for(None, None, true, cc, false).expect("basic"),
            M::ClientSecretBasic
        );
        let e = super::method_for(Some(M::None), None, false, cc, false).expect_err("public");
        assert_eq!(e.body().field, Some(crate::error::FormField::Grant));
        assert!(e.to_string().contains("confidential"), "{e}");
        let e = super::method_for(Some(M::PrivateKeyJwt), None, true, cc, false)
            .expect_err("a key and a secret");
        assert!(e.to_string().contains("not a client secret"), "{e}");
        let e = super::method_for(Some(M::ClientSecretPost), None, false, cc, true)
            .expect_err("a key for a secret method");
        assert!(e.to_string().contains("needs a client secret"), "{e}");
        let e = super::method_for(
            Some(M::None),
            None,
            false,
            OAuthGrant::AuthorizationCode,
            true,
        )
        .expect_err("a key for a public client");
        assert!(
            e.to_string()
                .contains("only used with token auth method private_key_jwt"),
            "{e}"
        );
        assert_eq!(
            super::method_for(None, Some(M::PrivateKeyJwt), false, cc, false).expect("kept"),
            M::PrivateKeyJwt
        );
    }

    #[test]
    fn method_defaults_follow_the_secret() {
        assert_eq!(
            method_for(None, None, true).expect("ok"),
            M::ClientSecretBasic
        );
        assert_eq!(method_for(None, None, false).expect("ok"), M::None);
        assert_eq!(
            method_for(Some(M::ClientSecretPost), None, true).expect("ok"),
            M::ClientSecretPost
        );
        assert!(
            method_for(Some(M::None), None, true).is_err(),
            "a public client has no secret"
        );
        assert!(
            method_for(Some(M::ClientSecretBasic), None, false).is_err(),
            "basic needs a secret"
        );
        // Existing confidential client keeps its method; losing the secret makes it public.
        assert_eq!(
            method_for(None, Some(M::ClientSecretPost), true).expect("ok"),
            M::ClientSecretPost
        );
        assert_eq!(
            method_for(None, Some(M::ClientSecretPost), false).expect("ok"),
            M::None
        );
        assert_eq!(
            method_for(None, Some(M::None), true).expect("ok"),
            M::ClientSecretBasic
        );
    }
}
