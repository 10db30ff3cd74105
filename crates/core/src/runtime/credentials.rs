//! Credential providers behind one interface: what header an action's requests carry, and
//! what to do after the server refused it with a 401 (OAuth: one forced refresh; a static
//! token: nothing, the 401 stands).

use std::sync::{Arc, Mutex};

use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::Patchbay;
use crate::error::{Error, Kind, Result};
use crate::model::{ActionView, AuthType, TokenView, header_value_with_prefix};

struct Cached {
    stamp: String,
    /// The store's change stamp when `stamp` was last read: while nothing was committed
    /// since, the grant cannot have changed and its row is not read again.
    change: Option<(i64, u64)>,
    token: SecretString,
    /// The token is DPoP-bound.
    dpop: bool,
    expires_at: Option<String>,
}

/// Reuse a kept token only while it stays valid this much longer.
const KEEP_MARGIN: time::Duration = time::Duration::seconds(60);

enum Source {
    None,
    /// A text token: its header, read once per session.
    Static(HeaderName, SecretString),
    /// OAuth tokens of the action itself or of a reusable connection, kept fresh. The last
    /// token is kept for this session while the grant's stamp (SQLite) is unchanged and it
    /// stays valid, so most requests cost no keychain read.
    OAuth(Kind, String, Mutex<Option<Cached>>),
    /// An HTTP request token: the most recent token, fetched again after a 401.
    HttpToken(Box<TokenView>),
}

pub(crate) struct Credentials {
    pb: Arc<Patchbay>,
    source: Source,
    /// The OAuth grant's DPoP key, read from the keychain at the first proof of the session.
    dpop_key: Mutex<Option<Arc<crate::dpop::DpopKey>>>,
}

/// The scheme of a DPoP-bound token's `Authorization` header (RFC 9449 §7.1).
const DPOP_SCHEME: &str = "DPoP ";

fn header_value(v: &str) -> Result<HeaderValue> {
    let mut h = HeaderValue::from_str(v)
        .map_err(|_| Error::invalid("the credential contains characters a header cannot carry"))?;
    h.set_sensitive(true);
    Ok(h)
}

/// `HEADER: [PREFIX ]VALUE` for an HTTP request token.
fn token_header(t: &TokenView, value: &SecretString) -> Result<Option<(HeaderName, HeaderValue)>> {
    let name = HeaderName::from_bytes(t.header_name.as_bytes())
        .map_err(|_| Error::invalid(format!("'{}' is not a header name", t.header_name)))?;
    Ok(Some((
        name,
        header_value(&header_value_with_prefix(
            t.prefix.as_deref(),
            value.expose_secret(),
        ))?,
    )))
}

/// `Authorization: Bearer <token>`, or `DPoP <token>` for a bound token (never `Bearer`).
fn authorization(token: &SecretString, dpop: bool) -> Result<Option<(HeaderName, HeaderValue)>> {
    let scheme = if dpop { DPOP_SCHEME } else { "Bearer " };
    Ok(Some((
        http::header::AUTHORIZATION,
        header_value(&format!("{scheme}{}", token.expose_secret()))?,
    )))
}

/// The DPoP-bound token a credential header carries, if it is one.
fn dpop_token(cred: &Option<(HeaderName, HeaderValue)>) -> Option<&str> {
    cred.as_ref()
        .filter(|(k, _)| k == http::header::AUTHORIZATION)
        .and_then(|(_, v)| v.to_str().ok())
        .and_then(|v| v.strip_prefix(DPOP_SCHEME))
}

impl Credentials {
    /// Keep `token` with the stamp read BEFORE it was fetched: if another process changed the
    /// tokens in between, the stamps differ at the next request and it reads them again.
    fn keep(
        &self,
        cache: &Mutex<Option<Cached>>,
        stamp: Option<(String, Option<String>)>,
        change: Option<(i64, u64)>,
        access: &crate::oauth::lifecycle::Access,
    ) {
        if let (Some((stamp, expires_at)), Ok(mut c)) = (stamp, cache.lock()) {
            *c = Some(Cached {
                stamp,
                change,
                token: access.token.clone(),
                dpop: access.dpop,
                expires_at,
            });
        }
    }

    /// The DPoP proof (`DPoP` header) a request to `method` `url` carrying `cred` needs: one
    /// when `cred` is a DPoP-bound token (with its `ath` and the server's latest nonce), none
    /// otherwise.
    pub(crate) fn proof(
        &self,
        cred: &Option<(HeaderName, HeaderValue)>,
        method: &str,
        url: &str,
    ) -> Result<Option<(HeaderName, HeaderValue)>> {
        let Some(token) = dpop_token(cred) else {
            return Ok(None);
        };
        let key = self.dpop_key()?;
        let proof = key.proof(
            method,
            url,
            Some(token),
            crate::dpop::nonce_for(url).as_deref(),
        )?;
        Ok(Some((
            HeaderName::from_static(crate::dpop::DPOP),
            header_value(&proof)?,
        )))
    }

    fn dpop_key(&self) -> Result<Arc<crate::dpop::DpopKey>> {
        if let Ok(k) = self.dpop_key.lock()
            && let Some(k) = k.as_ref()
        {
            return Ok(k.clone());
        }
        let Source::OAuth(kind, name, _) = &self.source else {
            return Err(Error::Internal(
                "a DPoP proof for a credential that is not an OAuth grant".into(),
            ));
        };
        let key = Arc::new(self.pb.dpop_key_of(*kind, name)?);
        if let Ok(mut k) = self.dpop_key.lock() {
            *k = Some(key.clone());
        }
        Ok(key)
    }

    /// The header for the next request.
    pub(crate) async fn header(&self) -> Result<Option<(HeaderName, HeaderValue)>> {
        match &self.source {
            Source::None => Ok(None),
            Source::Static(name, value) => {
                Ok(Some((name.clone(), header_value(value.expose_secret())?)))
            }
            Source::OAuth(kind, name, cache) => {
                // Read before the grant, like the grant's stamp before the token.
                let change = self.pb.store().change_stamp().ok();
                let limit = crate::clock::rfc3339(self.pb.clock_now() + KEEP_MARGIN);
                let fresh_enough =
                    |c: &Cached| c.expires_at.as_deref().is_none_or(|e| e > limit.as_str());
                if let Some(change) = change
                    && let Ok(c) = cache.lock()
                    && let Some(c) = c.as_ref()
                    && c.change == Some(change)
                    && fresh_enough(c)
                {
                    return authorization(&c.token, c.dpop);
                }
                let stamp = self.pb.grant_stamp(*kind, name)?;
                if let Some((s, _)) = &stamp
                    && let Ok(mut c) = cache.lock()
                    && let Some(c) = c.as_mut()
                    && &c.stamp == s
                    && fresh_enough(c)
                {
                    c.change = change;
                    return authorization(&c.token, c.dpop);
                }
                let access = self.pb.access(*kind, name).await?;
                self.keep(cache, stamp, change, &access);
                authorization(&access.token, access.dpop)
            }
            Source::HttpToken(t) => {
                let v = self.pb.http_token_value(t, false).await?;
                token_header(t, &v)
            }
        }
    }

    /// After a 401 to a request that carried `used`: a different credential to retry with
    /// once, or `None` when there is nothing better to send.
    pub(crate) async fn after_401(
        &self,
        used: &Option<(HeaderName, HeaderValue)>,
    ) -> Result<Option<(HeaderName, HeaderValue)>> {
        match &self.source {
            Source::None | Source::Static(..) => Ok(None),
            Source::HttpToken(t) => {
                let fresh = self.pb.http_token_value(t, true).await?;
                let header = token_header(t, &fresh)?;
                // The same token again would only be refused again.
                Ok(header.filter(|(_, v)| Some(v) != used.as_ref().map(|(_, u)| u)))
            }
            Source::OAuth(kind, name, cache) => {
                if let Ok(mut c) = cache.lock() {
                    *c = None;
                }
                let change = self.pb.store().change_stamp().ok();
                let stamp = self.pb.grant_stamp(*kind, name)?;
                let rejected = used
                    .as_ref()
                    .and_then(|(_, v)| v.to_str().ok())
                    .and_then(|v| {
                        v.strip_prefix("Bearer ")
                            .or_else(|| v.strip_prefix(DPOP_SCHEME))
                    })
                    .unwrap_or_default()
                    .to_string();
                let fresh = self
                    .pb
                    .access_after_401(*kind, name, &SecretString::from(rejected))
                    .await?;
                self.keep(cache, stamp, change, &fresh);
                authorization(&fresh.token, fresh.dpop)
            }
        }
    }
}

impl Patchbay {
    /// The credential provider of an action.
    pub(crate) fn credentials(self: &Arc<Self>, action: &ActionView) -> Result<Credentials> {
        let source = match action.auth.kind {
            AuthType::None => Source::None,
            AuthType::OAuth => Source::OAuth(Kind::Action, action.name.clone(), Mutex::default()),
            AuthType::Connection => Source::OAuth(
                Kind::Connection,
                action.auth.reference.clone().unwrap_or_default(),
                Mutex::default(),
            ),
            AuthType::Token => {
                let t = self.get_token(action.auth.reference.as_deref().unwrap_or_default())?;
                let (name, value) = self.text_token_header(&t)?;
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| Error::invalid(format!("'{name}' is not a header name")))?;
                Source::Static(name, value)
            }
            AuthType::HttpToken => Source::HttpToken(Box::new(
                self.get_token(action.auth.reference.as_deref().unwrap_or_default())?,
            )),
        };
        Ok(Credentials {
            pb: self.clone(),
            source,
            dpop_key: Mutex::default(),
        })
    }
}

/// A static credential header, for the transport's tests.
#[cfg(test)]
pub(crate) fn static_for_tests(pb: Arc<Patchbay>, header: &str) -> Credentials {
    Credentials {
        pb,
        source: Source::Static(
            http::header::AUTHORIZATION,
            SecretString::from(header.to_string()),
        ),
        dpop_key: Mutex::default(),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;
    use crate::error::ErrorCode;

    fn claims(proof: &HeaderValue) -> serde_json::Value {
        let part = proof
            .to_str()
            .expect("ascii")
            .split('.')
            .nth(1)
            .expect("a JWS");
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .expect("base64url"),
        )
        .expect("claims")
    }

    #[test]
    fn a_bound_token_goes_as_dpop_with_its_proof_and_never_falls_back_to_bearer() {
        let token = SecretString::from("tok-123".to_string());
        let bound = authorization(&token, true).expect("header");
        assert_eq!(bound.as_ref().expect("some").1, "DPoP tok-123");
        assert_eq!(dpop_token(&bound), Some("tok-123"));
        let bearer = authorization(&token, false).expect("header");
        assert_eq!(bearer.as_ref().expect("some").1, "Bearer tok-123");
        assert_eq!(dpop_token(&bearer), None);

        let p = crate::testing::profile();
        let a = crate::testing::action(&p, "svc");
        let creds = Credentials {
            pb: p.pb.clone(),
            source: Source::OAuth(Kind::Action, a.name.clone(), Mutex::default()),
            dpop_key: Mutex::default(),
        };
        assert!(
            creds
                .proof(&bearer, "POST", "https://mcp.example.com/mcp")
                .expect("no proof")
                .is_none(),
            "a Bearer token carries no proof"
        );
        // The keychain lost the key: the request fails asking for a new sign-in; it is
        // never sent as Bearer instead.
        let e = creds
            .proof(&bound, "POST", "https://mcp.example.com/mcp")
            .expect_err("no key");
        assert_eq!(e.code(), ErrorCode::NeedsReconnect);

        let entry = crate::vault::keys::dpop_key(&format!("action/{}", a.id));
        let (_, pem) = crate::dpop::DpopKey::generate().expect("key");
        p.pb.vault().set(&entry, &pem).expect("keychain");
        let (name, proof) = creds
            .proof(&bound, "get", "https://mcp.example.com/mcp?cursor=2#x")
            .expect("signed")
            .expect("a proof");
        p.pb.vault().delete(&entry).expect("clean up");
        assert_eq!(name.as_str(), "dpop");
        let c = claims(&proof);
        assert_eq!(c["htm"], "GET");
        assert_eq!(c["htu"], "https://mcp.example.com/mcp");
        assert_eq!(c["ath"], crate::dpop::ath("tok-123"));
        let again = creds
            .proof(&bound, "POST", "https://mcp.example.com/mcp")
            .expect("signed with the key kept for the session")
            .expect("a proof");
        assert_ne!(
            claims(&again.1)["jti"],
            c["jti"],
            "a fresh proof per request"
        );
    }
}
