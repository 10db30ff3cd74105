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

impl TokenHttp<'_> {
    /// A token request written over reqwest (device polling) sent as the `oauth2` crate's
    /// are: with a proof and the nonce retry when there is a key. The status and the body;
    /// a transport failure is the reqwest error, for the caller to judge.
    pub(super) async fn send_built(
        &self,
        req: reqwest::RequestBuilder,
    ) -> std::result::Result<(reqwest::StatusCode, Vec<u8>), String> {
        let built = req.build().map_err(|e| e.to_string())?;
        let mut b = http::Request::builder()
            .method(built.method().clone())
            .uri(built.url().as_str());
        for (k, v) in built.headers() {
            b = b.header(k, v);
        }
        let body = built
            .body()
            .and_then(|b| b.as_bytes())
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        let request = b.body(body).map_err(|e| e.to_string())?;
        match self.send(request).await {
            Ok(r) => {
                let status = reqwest::StatusCode::from_u16(r.status().as_u16())
                    .unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
                Ok((status, r.into_body()))
            }
            Err(HttpClientError::Reqwest(e)) => {
                Err(discovery::transport_error(built.url().as_str(), &e).to_string())
            }
            Err(e) => Err(e.to_string()),
        }
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
    use base64::Engine;
    use std::sync::{Arc, Mutex};

    /// What a token endpoint saw: each request's proof claims (`None`: no DPoP header).
    type Seen = Arc<Mutex<Vec<Option<serde_json::Value>>>>;
    /// What a userinfo endpoint saw: each request's `Authorization` and proof claims.
    type SeenAuth = Arc<Mutex<Vec<(String, Option<serde_json::Value>)>>>;

    /// The claims of a request's DPoP proof, if it has one.
    fn proof_claims(headers: &http::HeaderMap) -> Option<serde_json::Value> {
        headers.get("dpop").map(|v| {
            let p = v.to_str().expect("ascii").split('.').nth(1).expect("jws");
            let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .expect("b64");
            serde_json::from_slice::<serde_json::Value>(&raw).expect("claims")
        })
    }

    /// A token endpoint that answers every request 400 `use_dpop_nonce`, with a new
    /// `DPoP-Nonce` each time when `gives_nonce`.
    async fn always_wants_a_nonce(gives_nonce: bool) -> (String, Seen) {
        let seen: Seen = Arc::default();
        let s = seen.clone();
        let app = axum::Router::new().route(
            "/token",
            axum::routing::post(move |headers: http::HeaderMap| {
                let s = s.clone();
                async move {
                    let claims = proof_claims(&headers);
                    let n = {
                        let mut seen = s.lock().expect("lock");
                        seen.push(claims);
                        seen.len()
                    };
                    let mut h = http::HeaderMap::new();
                    if gives_nonce {
                        h.insert("dpop-nonce", format!("nonce-{n}").parse().expect("header"));
                    }
                    (
                        http::StatusCode::BAD_REQUEST,
                        h,
                        r#"{"error":"use_dpop_nonce"}"#,
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{addr}/token"), seen)
    }

    fn token_request(url: &str) -> HttpRequest {
        http::Request::builder()
            .method("POST")
            .uri(format!("{url}?q=1"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"grant_type=refresh_token".to_vec())
            .expect("request")
    }

    /// One token request to `url` through [`TokenHttp`]; must get an answer.
    async fn send(url: &str, key: Option<&DpopKey>) -> HttpResponse {
        let http = reqwest::Client::new();
        TokenHttp { http: &http, key }
            .call(token_request(url))
            .await
            .expect("an answer")
    }

    #[tokio::test]
    async fn a_nonce_asked_for_is_tried_once_and_its_answer_stands() {
        let (url, seen) = always_wants_a_nonce(true).await;
        let (key, _) = DpopKey::generate().expect("key");
        let answer = send(&url, Some(&key)).await;
        assert_eq!(answer.status(), http::StatusCode::BAD_REQUEST);
        let two = seen.lock().expect("lock").clone();
        assert_eq!(
            two.len(),
            2,
            "the request, then once with the nonce: {two:?}"
        );
        let first = two[0].as_ref().expect("a proof");
        let second = two[1].as_ref().expect("a proof");
        assert!(first.get("nonce").is_none(), "no nonce known yet");
        assert_eq!(second["nonce"], "nonce-1", "the server's nonce");
        assert_ne!(first["jti"], second["jti"], "a new proof");
        for c in [first, second] {
            assert_eq!(c["htm"], "POST");
            assert_eq!(c["htu"], url.as_str(), "no query in htu");
            assert!(
                c.get("ath").is_none(),
                "no access token at the token endpoint"
            );
        }
        // The latest nonce is kept for this server: the next request starts with it.
        let _ = send(&url, Some(&key)).await;
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 4, "again the request and one retry");
        assert_eq!(
            seen[2].as_ref().expect("a proof")["nonce"],
            "nonce-2",
            "the next request starts with the latest nonce"
        );
        assert_eq!(crate::dpop::nonce_for(&url).as_deref(), Some("nonce-4"));
    }

    #[tokio::test]
    async fn no_new_nonce_no_retry_and_no_key_no_proof() {
        let (url, seen) = always_wants_a_nonce(false).await;
        let (key, _) = DpopKey::generate().expect("key");
        let answer = send(&url, Some(&key)).await;
        assert_eq!(answer.status(), http::StatusCode::BAD_REQUEST);
        assert_eq!(
            seen.lock().expect("lock").len(),
            1,
            "nothing new to retry with"
        );
        let _ = send(&url, None).await;
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 2);
        assert!(seen[1].is_none(), "a server without DPoP sees no proof");
    }

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

    #[tokio::test]
    async fn userinfo_with_a_bound_token_goes_as_dpop_with_a_proof() {
        let seen: SeenAuth = Arc::default();
        let s = seen.clone();
        let app = axum::Router::new().route(
            "/me",
            axum::routing::get(move |headers: http::HeaderMap| {
                let s = s.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let claims = proof_claims(&headers);
                    s.lock().expect("lock").push((auth, claims));
                    (
                        [(http::header::CONTENT_TYPE, "application/json")],
                        r#"{"email":"alice@example.com"}"#,
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let url = format!("http://{addr}/me");
        let http = reqwest::Client::new();
        let (key, _) = DpopKey::generate().expect("key");
        let who = super::super::flow::userinfo_account(&http, &url, "at-1", Some(&key)).await;
        assert_eq!(who.as_deref(), Some("alice@example.com"));
        let plain = super::super::flow::userinfo_account(&http, &url, "at-2", None).await;
        assert_eq!(plain.as_deref(), Some("alice@example.com"));
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(
            seen[0].0, "DPoP at-1",
            "a bound token is never sent as Bearer"
        );
        let c = seen[0].1.as_ref().expect("a proof");
        assert_eq!(c["htm"], "GET");
        assert_eq!(c["htu"], url.as_str());
        assert_eq!(c["ath"], crate::dpop::ath("at-1"));
        assert_eq!(
            seen[1],
            ("Bearer at-2".to_string(), None),
            "unbound: as before"
        );
    }
}
