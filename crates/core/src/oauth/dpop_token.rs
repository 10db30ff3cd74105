//! DPoP at the token endpoint (RFC 9449 §5, §8): the `oauth2` crate's requests (code exchange,
//! refresh, client credentials) sent through [`TokenHttp`], which adds a fresh proof to each
//! and, on a `use_dpop_nonce` answer that brings a new nonce, sends the request once more with
//! it. And the owner's DPoP key, from the keychain (see `crate::dpop`).

use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpClientError, HttpRequest, HttpResponse};

use super::*;
use crate::dpop::{self, DpopKey};

/// The HTTP client of one token request: plain reqwest without a key; with one, a proof on
/// the request and one retry with the server's nonce.
pub(crate) struct TokenHttp<'a> {
    pub(crate) http: &'a reqwest::Client,
    pub(crate) key: Option<&'a DpopKey>,
}

type Answer = std::result::Result<HttpResponse, HttpClientError<reqwest::Error>>;

/// A copy of a request (`http::Request` is not `Clone`), with a proof when one is given.
fn copy(
    request: &HttpRequest,
    proof: Option<&str>,
) -> std::result::Result<HttpRequest, HttpClientError<reqwest::Error>> {
    let mut b = http::Request::builder()
        .method(request.method().clone())
        .uri(request.uri().clone())
        .version(request.version());
    for (k, v) in request.headers() {
        if k.as_str() != dpop::DPOP {
            b = b.header(k, v);
        }
    }
    if let Some(p) = proof {
        b = b.header(dpop::DPOP, p);
    }
    b.body(request.body().clone())
        .map_err(HttpClientError::Http)
}

impl TokenHttp<'_> {
    async fn send(&self, request: HttpRequest) -> Answer {
        let Some(key) = self.key else {
            return self.http.call(request).await;
        };
        let url = request.uri().to_string();
        let method = request.method().as_str().to_string();
        let sign = |nonce: Option<&str>| {
            key.proof(&method, &url, None, nonce)
                .map_err(|e| HttpClientError::Other(format!("cannot sign the DPoP proof: {e}")))
        };
        let used = dpop::nonce_for(&url);
        let first = self
            .http
            .call(copy(&request, Some(&sign(used.as_deref())?))?)
            .await?;
        let given = first
            .headers()
            .get(dpop::DPOP_NONCE)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        dpop::remember_nonce(&url, given.as_deref());
        let retry = first.status() == http::StatusCode::BAD_REQUEST
            && dpop::nonce_error(first.body())
            && given.is_some()
            && given != used;
        if !retry {
            return Ok(first);
        }
        // RFC 9449 §8: once more with the server's nonce; its answer stands.
        let second = self
            .http
            .call(copy(&request, Some(&sign(given.as_deref())?))?)
            .await?;
        dpop::remember_nonce(
            &url,
            second
                .headers()
                .get(dpop::DPOP_NONCE)
                .and_then(|v| v.to_str().ok()),
        );
        Ok(second)
    }
}

impl<'c> AsyncHttpClient<'c> for TokenHttp<'_> {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Answer> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// The scheme to keep with tokens from a token response: `DPoP` when the request carried a
/// proof and the server bound the token, else `Bearer`.
pub(super) fn token_type(sent_proof: bool, said: &str) -> String {
    if sent_proof && dpop::bound(Some(said)) {
        "DPoP".into()
    } else {
        "Bearer".into()
    }
}

impl Patchbay {
    /// The owner's DPoP key; `None` when the keychain has none.
    pub(crate) fn dpop_key(&self, owner: &Owner) -> Result<Option<DpopKey>> {
        match self
            .vault()
            .get(&crate::vault::keys::dpop_key(&owner.key()))?
        {
            Some(pem) => Ok(Some(DpopKey::from_pem(pem)?)),
            None => Ok(None),
        }
    }

    /// The DPoP key of the grant of an action (or, with `Kind::Connection`, a connection),
    /// whose tokens are bound to it.
    pub(crate) fn dpop_key_of(&self, kind: Kind, name: &str) -> Result<DpopKey> {
        let (owner, _) = self.owner_of(kind, name)?;
        self.dpop_key_of_bound_grant(&owner)
    }

    /// The key a sign-in with `server` binds its tokens to: the owner's (made now when it has
    /// none) when the server advertises ES256 DPoP proofs; `None` otherwise.
    pub(super) fn dpop_key_for_sign_in(
        &self,
        owner: &Owner,
        server: &ServerMetadata,
    ) -> Result<Option<DpopKey>> {
        if !dpop::advertised(server.dpop_signing_alg_values_supported.as_deref()) {
            return Ok(None);
        }
        if let Some(k) = self.dpop_key(owner)? {
            return Ok(Some(k));
        }
        let (key, pem) = DpopKey::generate()?;
        self.vault()
            .set(&crate::vault::keys::dpop_key(&owner.key()), &pem)?;
        Ok(Some(key))
    }

    /// The key a bound grant's refresh proves possession of: an error that says to sign in
    /// again when the keychain lost it (a bound token is never sent without its proof).
    pub(super) fn dpop_key_of_bound_grant(&self, owner: &Owner) -> Result<DpopKey> {
        self.dpop_key(owner)?.ok_or_else(|| {
            oauth_err(
                ErrorCode::NeedsReconnect,
                "the keychain holds no DPoP key for this grant, whose tokens are bound to one",
                "connect again (`patchbay connect NAME`) to bind new tokens to a new key",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_proven_request_keeps_a_dpop_token() {
        assert_eq!(token_type(true, "DPoP"), "DPoP");
        assert_eq!(token_type(true, "dpop"), "DPoP");
        assert_eq!(
            token_type(true, "bearer"),
            "Bearer",
            "the server did not bind it"
        );
        assert_eq!(token_type(false, "Bearer"), "Bearer");
    }
}
