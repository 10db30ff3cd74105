//! RFC 7009 revocation of a grant's tokens at the provider (on disconnect).

use super::*;

/// RFC 7009: ask the provider to revoke one token. Returns a message (never the token)
/// when it fails. Written over reqwest rather than with the `oauth2` crate's revocation,
/// which refuses any non-https endpoint, loopback included (RFC 8252 development servers,
/// our tests).
pub(super) async fn revoke_token(
    http: &reqwest::Client,
    endpoint: &str,
    client: &ClientIdentity,
    assertion: &[(&'static str, String)],
    hint: &str,
    token: &str,
) -> std::result::Result<(), RevokeError> {
    let url = url::Url::parse(endpoint).map_err(|_| {
        RevokeError::Failed(format!(
            "the revocation endpoint '{endpoint}' is not a valid URL"
        ))
    })?;
    discovery::check_endpoint("revocation endpoint", &url)
        .map_err(|e| RevokeError::Failed(e.to_string()))?;
    let mut form: Vec<(&'static str, String)> = vec![
        ("token", token.to_string()),
        ("token_type_hint", hint.to_string()),
    ];
    let req = authenticate(http.post(url), &mut form, client, assertion);
    let resp =
        req.form(&form).send().await.map_err(|e| {
            RevokeError::Failed(discovery::transport_error(endpoint, &e).to_string())
        })?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
    let said = error_said(status, &body);
    let what = hint.replace('_', " ");
    if body["error"] == "unsupported_token_type" {
        // RFC 7009 §2.2.1: this kind of token cannot be revoked here (e.g. JWT access
        // tokens, which stay valid until they expire).
        return Err(RevokeError::Unsupported(format!(
            "the provider cannot revoke its {what}s ({said}); it stays valid until it expires"
        )));
    }
    Err(RevokeError::Failed(format!(
        "the provider refused to revoke the {what} ({said})"
    )))
}
