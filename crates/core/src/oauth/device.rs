//! The device authorization grant (RFC 8628): sign in on another device. Patchbay asks the
//! server's device authorization endpoint for a code, the front end shows where to go and
//! the code to type (`DeviceSignIn::show`), and Patchbay polls the token endpoint at the
//! server's interval until the user has approved, refused, or the code expired.
//!
//! Written over reqwest rather than with the `oauth2` crate's device flow, whose polling loop
//! re-sends the same request body: a `private_key_jwt` client needs a freshly signed assertion
//! (a new `jti`) on every poll, and a failed poll should name what it waited for. The token
//! response is parsed into the same `oauth2` type as the authorization code's, and saved the
//! same way (`save_user_tokens`): a device sign-in is a user's grant, refreshed like one.

use super::client::{DEVICE_CODE_GRANT, Registration, authenticate};
use super::*;

/// The device authorization response (RFC 8628 §3.2). Not `Debug`: the device code is a
/// credential until it is used.
#[derive(Deserialize)]
pub(super) struct DeviceAuthorization {
    pub(super) device_code: String,
    pub(super) user_code: String,
    /// Some servers (Google) still say `verification_url`, the draft's name.
    #[serde(alias = "verification_url")]
    pub(super) verification_uri: String,
    #[serde(default)]
    pub(super) verification_uri_complete: Option<String>,
    pub(super) expires_in: u64,
    #[serde(default)]
    pub(super) interval: Option<u64>,
}

/// RFC 8628 §3.5: the default polling interval, and what `slow_down` adds to it.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Never poll faster than this, whatever the server says.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// What one poll of the token endpoint said.
#[derive(Debug, PartialEq)]
pub(super) enum Poll {
    Pending,
    SlowDown,
    Denied(String),
    Expired,
    Failed(String),
}

/// An RFC 8628 §3.5 error answer (status and body) to a device poll.
pub(super) fn classify_poll(status: reqwest::StatusCode, body: &serde_json::Value) -> Poll {
    let said = error_said(status, body);
    match body["error"].as_str() {
        Some("authorization_pending") => Poll::Pending,
        Some("slow_down") => Poll::SlowDown,
        Some("access_denied") => Poll::Denied(said),
        Some("expired_token") => Poll::Expired,
        _ => Poll::Failed(said),
    }
}

/// A `verification_uri` the user can be sent to: http(s) with a host, https unless loopback.
pub(super) fn check_verification_uri(what: &str, u: &str) -> Result<()> {
    let parsed = url::Url::parse(u).map_err(|_| {
        oauth_err(
            ErrorCode::AuthorizationFailed,
            format!("the server's {what} '{u}' is not a URL"),
            "report it to the server's operator, or sign in in a browser (leave out --device)",
        )
    })?;
    discovery::check_endpoint(what, &parsed)
}

impl Patchbay {
    /// A device sign-in for `target`: the code from the device authorization endpoint, shown
    /// through `device.show`, then polling until the user finishes (bounded by the code's
    /// expiry and the request's timeout, whichever comes first).
    pub(super) async fn device_authorize(
        &self,
        target: Target,
        device: &DeviceSignIn,
        req: &ConnectRequest,
        http: &reqwest::Client,
    ) -> Result<GrantView> {
        let server = target.server.clone();
        let Some(endpoint) = server.device_authorization_endpoint.clone() else {
            return Err(no_device_endpoint(&server, &target.name));
        };
        check_verification_uri("device authorization endpoint", &endpoint)?;
        let client = match target.client.clone() {
            Some(c) => c,
            None => {
                self.registered_client_for(
                    &target.edit_command,
                    &server,
                    Registration::Device,
                    http,
                )
                .await?
            }
        };
        let audience = assertion_audience(&server);

        // 1. The code (RFC 8628 §3.1).
        let mut form: Vec<(&'static str, String)> = Vec::new();
        if !target.scopes.is_empty() {
            form.push(("scope", target.scopes.join(" ")));
        }
        if let Some(r) = &target.resource {
            form.push(("resource", r.clone()));
        }
        let assertion = self.assertion_params(&client, &audience)?;
        let resp = authenticate(http.post(&endpoint), &mut form, &client, &assertion)
            .form(&form)
            .send()
            .await
            .map_err(|e| discovery::transport_error(&endpoint, &e))?;
        let status = resp.status();
        let body = resp.bytes().await.unwrap_or_default();
        if !status.is_success() {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let said = error_said(status, &v);
            return Err(oauth_err(
                if v["error"] == "invalid_client" || v["error"] == "unauthorized_client" {
                    ErrorCode::TokenError
                } else {
                    ErrorCode::AuthorizationFailed
                },
                format!(
                    "the device authorization endpoint {endpoint} refused to start a device sign-in ({said})"
                ),
                format!(
                    "check that the client may use the device code grant (`{}`), or sign in in a browser (leave out --device)",
                    target.edit_command
                ),
            ));
        }
        let code: DeviceAuthorization = serde_json::from_slice(&body).map_err(|e| {
            oauth_err(
                ErrorCode::AuthorizationFailed,
                format!("the device authorization endpoint {endpoint} answered something that is not a device authorization response ({e})"),
                "report it to the server's operator, or sign in in a browser (leave out --device)",
            )
        })?;
        check_verification_uri("verification URI", &code.verification_uri)?;
        let complete = match code.verification_uri_complete {
            Some(c) if check_verification_uri("verification URI", &c).is_ok() => Some(c),
            _ => None,
        };
        let lifetime = Duration::from_secs(code.expires_in.max(1));
        let expires_at = crate::clock::rfc3339(self.clock_now() + lifetime);
        (device.show)(&crate::model::DeviceCodePrompt {
            verification_uri: code.verification_uri.clone(),
            verification_uri_complete: complete,
            user_code: code.user_code.clone(),
            expires_at,
        })?;

        // 2. Polling (RFC 8628 §3.4, §3.5).
        let key = self.dpop_key_for_sign_in(&target.owner, &server)?;
        let wait = lifetime.min(req.timeout);
        let deadline = tokio::time::Instant::now() + wait;
        let mut interval = code
            .interval
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_INTERVAL)
            .max(MIN_INTERVAL);
        let mut last_problem: Option<String> = None;
        loop {
            let next = tokio::time::Instant::now() + interval;
            if next > deadline {
                return Err(oauth_err(
                    ErrorCode::ConsentTimeout,
                    format!(
                        "the code {} was not approved within {} s; the device sign-in expired{}",
                        code.user_code,
                        wait.as_secs(),
                        last_problem
                            .map(|p| format!(" (the last poll failed: {p})"))
                            .unwrap_or_default()
                    ),
                    format!(
                        "run `patchbay connect {} --device` again and enter the new code (or raise --timeout)",
                        target.name
                    ),
                ));
            }
            tokio::time::sleep_until(next).await;
            let mut form: Vec<(&'static str, String)> = vec![
                ("grant_type", DEVICE_CODE_GRANT.to_string()),
                ("device_code", code.device_code.clone()),
            ];
            if let Some(r) = &target.resource {
                form.push(("resource", r.clone()));
            }
            let assertion = self.assertion_params(&client, &audience)?;
            let req = authenticate(
                http.post(&server.token_endpoint),
                &mut form,
                &client,
                &assertion,
            )
            .form(&form);
            // With a proof when the server takes DPoP (RFC 9449 §5), as a code exchange would.
            let sent = super::dpop_token::TokenHttp {
                http,
                key: key.as_ref(),
            }
            .send_built(req)
            .await;
            let (status, body) = match sent {
                Ok(r) => r,
                Err(e) => {
                    // A network blip does not end the sign-in: back off and poll again.
                    last_problem = Some(e);
                    interval = (interval * 2).min(Duration::from_secs(60));
                    continue;
                }
            };
            if status.is_success() {
                let token: TokenResp = serde_json::from_slice(&body).map_err(|e| {
                    oauth_err(
                        ErrorCode::TokenError,
                        format!(
                            "the token endpoint {} answered the device code with something that is not a token response ({e})",
                            server.token_endpoint
                        ),
                        "report it to the server's operator",
                    )
                })?;
                return self
                    .save_user_tokens(
                        &target.owner,
                        &server,
                        &client,
                        token,
                        target.resource.as_deref(),
                        &target.scopes,
                        http,
                        key.as_ref(),
                    )
                    .await;
            }
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            match classify_poll(status, &v) {
                Poll::Pending => {}
                Poll::SlowDown => interval += SLOW_DOWN_STEP,
                Poll::Denied(said) => {
                    return Err(oauth_err(
                        ErrorCode::AccessDenied,
                        format!("the device sign-in was refused ({said}); nothing was saved"),
                        format!(
                            "run `patchbay connect {} --device` again and approve the code",
                            target.name
                        ),
                    ));
                }
                Poll::Expired => {
                    return Err(oauth_err(
                        ErrorCode::ConsentTimeout,
                        format!(
                            "the code {} expired before it was approved; nothing was saved",
                            code.user_code
                        ),
                        format!(
                            "run `patchbay connect {} --device` again and enter the new code sooner",
                            target.name
                        ),
                    ));
                }
                Poll::Failed(said) => {
                    return Err(oauth_err(
                        ErrorCode::TokenError,
                        format!(
                            "the token endpoint {} refused the device code ({said})",
                            server.token_endpoint
                        ),
                        "try again; if it repeats, sign in in a browser (leave out --device)",
                    ));
                }
            }
        }
    }
}

/// `--device` for a server that offers no device sign-in.
pub(super) fn no_device_endpoint(server: &ServerMetadata, name: &str) -> Error {
    oauth_err(
        ErrorCode::AuthorizationFailed,
        format!(
            "the authorization server {} offers no device sign-in (its metadata has no device_authorization_endpoint)",
            server.issuer
        ),
        format!(
            "sign in in a browser: `patchbay connect {name}`, or `patchbay connect {name} --no-browser` to open the URL on another device and paste back where it lands"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_are_classified_per_rfc_8628() {
        let bad = reqwest::StatusCode::BAD_REQUEST;
        let e = |s: &str| serde_json::json!({ "error": s });
        assert_eq!(
            classify_poll(bad, &e("authorization_pending")),
            Poll::Pending
        );
        assert_eq!(classify_poll(bad, &e("slow_down")), Poll::SlowDown);
        assert_eq!(classify_poll(bad, &e("expired_token")), Poll::Expired);
        assert_eq!(
            classify_poll(
                bad,
                &serde_json::json!({"error": "access_denied", "error_description": "no"})
            ),
            Poll::Denied("access_denied: no".into())
        );
        assert_eq!(
            classify_poll(reqwest::StatusCode::BAD_GATEWAY, &serde_json::Value::Null),
            Poll::Failed("HTTP 502 Bad Gateway".into()),
            "a body that is not an OAuth error says the status"
        );
    }

    #[test]
    fn the_response_takes_googles_older_name() {
        let r: DeviceAuthorization = serde_json::from_value(serde_json::json!({
            "device_code": "d", "user_code": "ABCD-EFGH",
            "verification_url": "https://www.google.com/device", "expires_in": 1800
        }))
        .expect("parses");
        assert_eq!(r.verification_uri, "https://www.google.com/device");
        assert_eq!(r.interval, None, "the default (5 s) applies");
    }

    #[test]
    fn verification_uris_must_be_safe_to_open() {
        assert!(check_verification_uri("verification URI", "https://example.com/device").is_ok());
        assert!(check_verification_uri("verification URI", "http://127.0.0.1:4000/device").is_ok());
        assert!(
            check_verification_uri("verification URI", "http://example.com/device").is_err(),
            "plain http off loopback"
        );
        assert!(check_verification_uri("verification URI", "javascript:alert(1)").is_err());
    }
}
