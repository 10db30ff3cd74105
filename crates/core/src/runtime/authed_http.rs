//! [`AuthedHttp`]: rmcp's reqwest transport with the action's credentials on every request,
//! and on a 401 one forced refresh and one retry of that request.

use super::*;

impl AuthedHttp {
    pub(super) fn headers(
        &self,
        base: &HashMap<HeaderName, HeaderValue>,
        cred: &Option<(HeaderName, HeaderValue)>,
    ) -> HashMap<HeaderName, HeaderValue> {
        let mut h = base.clone();
        if let Some((k, v)) = cred {
            h.insert(k.clone(), v.clone());
        }
        h
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
        let first = self
            .inner
            .post_message(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                None,
                self.headers(&custom_headers, &cred),
            )
            .await;
        match first {
            Err(StreamableHttpError::AuthRequired(ref a)) if cred.is_some() => {
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
                self.inner
                    .post_message(
                        uri,
                        message,
                        session_id,
                        None,
                        self.headers(&custom_headers, &Some(fresh)),
                    )
                    .await
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
        self.inner
            .delete_session(uri, session_id, None, self.headers(&custom_headers, &cred))
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
        self.inner
            .get_stream(
                uri,
                session_id,
                last_event_id,
                None,
                self.headers(&custom_headers, &cred),
            )
            .await
    }
}
