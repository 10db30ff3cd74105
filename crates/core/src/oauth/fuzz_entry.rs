//! The OAuth engine's parsers as fuzz entry points (see `crate::fuzz_entry`).

use super::device::{DeviceAuthorization, check_verification_uri, classify_poll};
use super::errors::error_said;
use super::flow::{account_from_claims, check_iss, jwt_claims};
use super::{TokenResp, discovery};

/// A token endpoint's, device authorization endpoint's or error answer (the first two bytes
/// are the HTTP status).
pub fn oauth_answer(data: &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => (400, data),
    };
    let _ = serde_json::from_slice::<TokenResp>(body);
    if let Ok(d) = serde_json::from_slice::<DeviceAuthorization>(body) {
        let _ = check_verification_uri("verification URI", &d.verification_uri);
    }
    let status = reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::BAD_REQUEST);
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let _ = classify_poll(status, &v);
    assert!(
        !error_said(status, &v).is_empty(),
        "an error that says nothing"
    );
}

/// Authorization server and protected resource metadata, with the checks run on what parses
/// (the issuer to compare comes after the first NUL).
pub fn metadata(data: &[u8]) {
    let (doc, iss) = match data.iter().position(|&b| b == 0) {
        Some(i) => (
            &data[..i],
            String::from_utf8_lossy(&data[i + 1..]).to_string(),
        ),
        None => (data, String::new()),
    };
    if let Ok(m) = serde_json::from_slice::<discovery::ServerMetadata>(doc) {
        for e in [&m.authorization_endpoint, &m.token_endpoint] {
            if let Ok(u) = url::Url::parse(e) {
                let _ = discovery::check_endpoint("endpoint", &u);
            }
        }
        let _ = check_iss(&m, Some(&iss));
        let _ = check_iss(&m, None);
    }
    if let Ok(r) = serde_json::from_slice::<discovery::ResourceMetadata>(doc) {
        let _ = discovery::resource_covers(&r.resource, &iss);
    }
}

/// A JWT's claims (ID tokens, access tokens, workload tokens), and who signed in.
pub fn jwt(data: &[u8]) {
    if let Some(c) = jwt_claims(&String::from_utf8_lossy(data)) {
        let _ = account_from_claims(&c);
    }
}
