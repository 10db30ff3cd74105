//! [`AuthedHttp`]: rmcp's reqwest transport with the action's credentials on every request,
//! and on a 401 one forced refresh and one retry of that request.
//!
//! A DPoP-bound token (RFC 9449) goes as `Authorization: DPoP <token>` with a fresh proof for
//! the request's method and URL. A resource that wants a nonce answers 401
//! `DPoP error="use_dpop_nonce"` with the nonce in a `DPoP-Nonce` header; rmcp's transport
//! keeps only the challenge of a 401, so the nonce is learned from a `ping` sent beside it
//! (harmless to any server, and refused the same way without the nonce), then the request is
//! sent once more with it. The retry for the nonce and the one after a forced refresh are
//! each made at most once.

use super::*;

impl AuthedHttp {
    /// The headers of one request: the transport's, the credential and, for a DPoP-bound
    /// token, a fresh proof for `method` `uri`.
    pub(super) fn headers(
        &self,
        base: &HashMap<HeaderName, HeaderValue>,
        cred: &Option<(HeaderName, HeaderValue)>,
        method: &str,
        uri: &str,
    ) -> std::result::Result<HashMap<HeaderName, HeaderValue>, HttpErr> {
        let mut h = base.clone();
        if let Some((k, v)) = cred {
            h.insert(k.clone(), v.clone());
        }
        if let Some((k, v)) = self
            .creds
            .proof(cred, method, uri)
            .map_err(credential_failure)?
        {
            h.insert(k, v);
        }
        Ok(h)
    }

    /// After a 401: whether it asked for a DPoP nonce (RFC 9449 §9) that is now learned, so
    /// the request is worth sending once more. The nonce comes from a `ping` with the same
    /// session and credential (its answer, whatever it is, carries the server's nonce).
    pub(super) async fn learned_nonce(
        &self,
        err: &HttpErr,
        cred: &Option<(HeaderName, HeaderValue)>,
        uri: &str,
        session_id: Option<&str>,
        base: &HashMap<HeaderName, HeaderValue>,
    ) -> bool {
        let StreamableHttpError::AuthRequired(a) = err else {
            return false;
        };
        if !crate::dpop::nonce_challenge(&a.www_authenticate_header) {
            return false;
        }
        // The request's own routing headers (2026-07-28: `Mcp-Method`, `Mcp-Name`,
        // `Mcp-Param-*`) would not match a ping: the ping says its own.
        let mut base = base.clone();
        let mcp_method = HeaderName::from_static("mcp-method");
        let routed = base.remove(&mcp_method).is_some();
        base.retain(|k, _| k != "mcp-name" && !k.as_str().starts_with("mcp-param-"));
        if routed {
            base.insert(mcp_method, HeaderValue::from_static("ping"));
        }
        let Ok(headers) = self.headers(&base, cred, "POST", uri) else {
            return false;
        };
        let mut req = self
            .inner
            .post(uri)
            .header(http::header::ACCEPT, "application/json, text/event-stream")
            .json(&serde_json::json!({"jsonrpc": "2.0", "id": "patchbay-dpop-nonce", "method": "ping"}));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if let Some(s) = session_id {
            req = req.header("mcp-session-id", s);
        }
        let Ok(resp) = req.send().await else {
            return false;
        };
        crate::dpop::remember_nonce(
            uri,
            resp.headers()
                .get(crate::dpop::DPOP_NONCE)
                .and_then(|v| v.to_str().ok()),
        )
    }

    /// The credential for the next request; `Err(Ok(e))` when there is no usable grant (the
    /// request then goes without, for the server's challenge), `Err(Err(_))` on failure.
    pub(super) async fn cred(
        &self,
    ) -> std::result::Result<Option<(HeaderName, HeaderValue)>, std::result::Result<Error, HttpErr>>
    {
        match self.creds.header().await {
            Ok(c) => Ok(c),
            Err(e) if needs_sign_in(&e) => Err(Ok(e)),
            Err(e) => Err(Err(credential_failure(e))),
        }
    }
}

pub(super) fn needs_sign_in(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::NotConnected | ErrorCode::NeedsReconnect
    )
}

/// Without a usable grant, a request goes without credentials: a server that needs none for
/// it answers; one that does answers 401, whose challenge is kept for the sign-in.
pub(super) async fn unauthenticated<T>(
    no_grant: Error,
    send: impl std::future::Future<Output = std::result::Result<T, HttpErr>>,
) -> std::result::Result<T, HttpErr> {
    match send.await {
        Err(StreamableHttpError::AuthRequired(a)) => Err(credential_failure(
            no_grant.with_challenge(a.www_authenticate_header),
        )),
        other => other,
    }
}

/// A credential failure (needs reconnect, keychain locked...) carried through rmcp's error
/// type; [`classify`] finds it again.
pub(super) fn credential_failure(e: Error) -> HttpErr {
    StreamableHttpError::Io(std::io::Error::other(CredentialFailure(e)))
}

impl StreamableHttpClient for AuthedHttp {
    type Error = reqwest013::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> std::result::Result<StreamableHttpPostResponse, HttpErr> {
        let cred = match self.cred().await {
            Ok(c) => c,
            Err(Ok(no_grant)) => {
                return unauthenticated(
                    no_grant,
                    self.inner
                        .post_message(uri, message, session_id, None, custom_headers),
                )
                .await;
            }
            Err(Err(e)) => return Err(e),
        };
        // The message with `cred` (and its proof, for a DPoP-bound token).
        let post = |cred: &Option<(HeaderName, HeaderValue)>| {
            let headers = self.headers(&custom_headers, cred, "POST", &uri);
            let send = headers.map(|h| {
                self.inner
                    .post_message(uri.clone(), message.clone(), session_id.clone(), None, h)
            });
            async move { send?.await }
        };
        // ...sent once more when the server asked for a DPoP nonce it has now given.
        let post_with_nonce = |cred: Option<(HeaderName, HeaderValue)>| {
            let post = &post;
            let (uri, session_id, custom_headers) = (&uri, &session_id, &custom_headers);
            async move {
                let first = post(&cred).await;
                match &first {
                    Err(e)
                        if self
                            .learned_nonce(e, &cred, uri, session_id.as_deref(), custom_headers)
                            .await =>
                    {
                        post(&cred).await
                    }
                    _ => first,
                }
            }
        };
        let first = post_with_nonce(cred.clone()).await;
        match first {
            // A nonce asked for again after its one retry is the answer: a new token would
            // not help.
            Err(StreamableHttpError::AuthRequired(ref a))
                if cred.is_some() && !crate::dpop::nonce_challenge(&a.www_authenticate_header) =>
            {
                // One forced refresh, one retry; a second 401 is the caller's answer.
                let challenge = a.www_authenticate_header.clone();
                let fresh = match self.creds.after_401(&cred).await {
                    Ok(Some(f)) => f,
                    Ok(None) => return first,
                    Err(e) if needs_sign_in(&e) => {
                        return Err(credential_failure(e.with_challenge(challenge)));
                    }
                    Err(e) => return Err(credential_failure(e)),
                };
                post_with_nonce(Some(fresh)).await
            }
            other => other,
        }
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> std::result::Result<(), HttpErr> {
        let cred = match self.cred().await {
            Ok(c) => c,
            Err(Ok(_)) => None,
            Err(Err(e)) => return Err(e),
        };
        let headers = self.headers(&custom_headers, &cred, "DELETE", &uri)?;
        self.inner
            .delete_session(uri, session_id, None, headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> std::result::Result<BoxStream<'static, std::result::Result<Sse, SseError>>, HttpErr> {
        let cred = match self.cred().await {
            Ok(c) => c,
            Err(Ok(no_grant)) => {
                return unauthenticated(
                    no_grant,
                    self.inner
                        .get_stream(uri, session_id, last_event_id, None, custom_headers),
                )
                .await;
            }
            Err(Err(e)) => return Err(e),
        };
        let first = self
            .inner
            .get_stream(
                uri.clone(),
                session_id.clone(),
                last_event_id.clone(),
                None,
                self.headers(&custom_headers, &cred, "GET", &uri)?,
            )
            .await;
        match first {
            Err(e)
                if self
                    .learned_nonce(&e, &cred, &uri, session_id.as_deref(), &custom_headers)
                    .await =>
            {
                let headers = self.headers(&custom_headers, &cred, "GET", &uri)?;
                self.inner
                    .get_stream(uri, session_id, last_event_id, None, headers)
                    .await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A resource that answers every POST 401 `DPoP error="use_dpop_nonce"` with a new
    /// nonce each time; records the JSON-RPC method of each request.
    async fn always_wants_a_nonce() -> (String, Arc<Mutex<Vec<String>>>) {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let s = seen.clone();
        let app = axum::Router::new().route(
            "/mcp",
            axum::routing::post(move |headers: http::HeaderMap, body: String| {
                let s = s.clone();
                async move {
                    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|h| h.to_str().ok())
                            .unwrap_or("-")
                            .to_string()
                    };
                    let n = {
                        let mut seen = s.lock().expect("lock");
                        seen.push(format!(
                            "{} {} {}",
                            v["method"].as_str().unwrap_or_default(),
                            header("mcp-method"),
                            header("mcp-name"),
                        ));
                        seen.len()
                    };
                    let mut h = http::HeaderMap::new();
                    h.insert(
                        "www-authenticate",
                        HeaderValue::from_static(r#"DPoP error="use_dpop_nonce""#),
                    );
                    h.insert("dpop-nonce", format!("rs-{n}").parse().expect("header"));
                    (http::StatusCode::UNAUTHORIZED, h, "")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{addr}/mcp"), seen)
    }

    #[tokio::test]
    async fn a_resource_nonce_is_learned_and_the_request_sent_once_more_only() {
        let (url, seen) = always_wants_a_nonce().await;
        let p = crate::testing::profile();
        let authed = AuthedHttp {
            inner: crate::http::mcp_client(crate::http::McpPurpose::Session).expect("client"),
            creds: Arc::new(credentials::static_for_tests(p.pb.clone(), "Bearer tok")),
        };
        let message: ClientJsonRpcMessage = serde_json::from_value(serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "echo", "arguments": {}},
        }))
        .expect("a request");
        let routing: HashMap<HeaderName, HeaderValue> = [
            ("mcp-method", "tools/call"),
            ("mcp-name", "echo"),
            ("mcp-param-text", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
        .collect();
        let answer = authed
            .post_message(url.as_str().into(), message, None, None, routing)
            .await;
        match answer {
            Err(StreamableHttpError::AuthRequired(a)) => {
                assert!(crate::dpop::nonce_challenge(&a.www_authenticate_header));
            }
            other => panic!("the server's last answer stands: {other:?}"),
        }
        assert_eq!(
            *seen.lock().expect("lock"),
            [
                "tools/call tools/call echo",
                "ping ping -",
                "tools/call tools/call echo"
            ],
            "the request, a ping (with its own routing headers) that brings the nonce, the \
             request once more; no more"
        );
        assert_eq!(crate::dpop::nonce_for(&url).as_deref(), Some("rs-2"));
        // A challenge that asks for no nonce sends nothing more.
        let other = StreamableHttpError::AuthRequired(
            rmcp::transport::streamable_http_client::AuthRequiredError::new(
                r#"Bearer error="invalid_token""#.into(),
            ),
        );
        let cred = authed.creds.header().await.expect("header");
        assert!(
            !authed
                .learned_nonce(&other, &cred, &url, None, &HashMap::new())
                .await
        );
        assert_eq!(seen.lock().expect("lock").len(), 3);
    }
}
