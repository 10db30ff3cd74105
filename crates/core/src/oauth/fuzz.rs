//! Property tests over what the OAuth engine reads from servers (see `crate::fuzz` for the
//! why and the budget): metadata documents, token and device responses, error answers, JWT
//! claims, verification URIs and challenges' resources. Each must answer without panicking.

use proptest::prelude::*;

use super::device::{DeviceAuthorization, check_verification_uri, classify_poll};
use super::flow::{account_from_claims, check_iss, jwt_claims};
use super::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[ -~]{0,80}"]
}

/// JSON values shaped like OAuth answers: the fields they carry, with any type in them.
fn oauth_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
        "https?://[a-z0-9.:/-]{0,30}".prop_map(serde_json::Value::from),
    ];
    let keys = prop_oneof![
        Just("access_token".to_string()),
        Just("token_type".to_string()),
        Just("expires_in".to_string()),
        Just("refresh_token".to_string()),
        Just("scope".to_string()),
        Just("id_token".to_string()),
        Just("error".to_string()),
        Just("error_description".to_string()),
        Just("device_code".to_string()),
        Just("user_code".to_string()),
        Just("verification_uri".to_string()),
        Just("verification_uri_complete".to_string()),
        Just("interval".to_string()),
        Just("issuer".to_string()),
        Just("authorization_endpoint".to_string()),
        Just("token_endpoint".to_string()),
        Just("resource".to_string()),
        Just("authorization_servers".to_string()),
        "[a-z_]{1,12}",
    ];
    leaf.prop_recursive(2, 24, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            prop::collection::btree_map(keys.clone(), inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Three dot-separated parts, the middle one base64url of some JSON (or not).
fn jwt_like() -> impl Strategy<Value = String> {
    (oauth_json(), any::<bool>(), text()).prop_map(|(claims, encode, junk)| {
        let body = if encode {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string())
        } else {
            junk
        };
        format!("eyJhbGciOiJub25lIn0.{body}.sig")
    })
}

proptest! {
    #[test]
    fn token_and_device_answers_parse_or_are_refused(v in oauth_json(), status in 100u16..600) {
        let bytes = serde_json::to_vec(&v).unwrap_or_default();
        let _ = serde_json::from_slice::<TokenResp>(&bytes);
        if let Ok(d) = serde_json::from_slice::<DeviceAuthorization>(&bytes) {
            let _ = check_verification_uri("verification URI", &d.verification_uri);
        }
        let status = reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::BAD_REQUEST);
        let _ = classify_poll(status, &v);
        let said = error_said(status, &v);
        prop_assert!(!said.is_empty());
    }

    #[test]
    fn metadata_documents_parse_and_their_endpoints_are_checked(v in oauth_json(), iss in text()) {
        let bytes = serde_json::to_vec(&v).unwrap_or_default();
        if let Ok(m) = serde_json::from_slice::<ServerMetadata>(&bytes) {
            for e in [&m.authorization_endpoint, &m.token_endpoint] {
                if let Ok(u) = url::Url::parse(e) {
                    let _ = discovery::check_endpoint("endpoint", &u);
                }
            }
            let _ = check_iss(&m, Some(&iss));
            let _ = check_iss(&m, None);
        }
        if let Ok(r) = serde_json::from_slice::<discovery::ResourceMetadata>(&bytes) {
            let _ = discovery::resource_covers(&r.resource, &iss);
        }
    }

    #[test]
    fn jwt_claims_never_panic(t in prop_oneof![jwt_like(), text()]) {
        if let Some(c) = jwt_claims(&t) {
            let _ = account_from_claims(&c);
        }
    }

    #[test]
    fn challenges_urls_and_links_never_panic(s in text(), u in text()) {
        let _ = discovery::resource_covers(&s, &u);
        let _ = callback::is_app_link_callback(&s);
        let _ = check_verification_uri("verification URI", &s);
    }
}

/// A sign-in link as the OS hands it to the app, or a pasted address: shaped like the
/// callback (with a code that must never be repeated back) or anything at all.
fn link() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("code"),
        Just("state"),
        Just("iss"),
        Just("error"),
        Just("error_description"),
        Just("x"),
    ];
    let value = prop_oneof![Just("C0DE-never-echoed".to_string()), text()];
    let query = prop::collection::vec((key, value), 0..6).prop_map(|pairs| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, &v);
        }
        s.finish()
    });
    let base = prop_oneof![
        Just("dev.patchbay.app:/oauth/callback"),
        Just("dev.patchbay.app:///oauth/callback/"),
        Just("patchbay://actions"),
        Just("http://127.0.0.1:1/callback"),
        Just("http://127.0.0.1:2/other"),
        Just("https://127.0.0.1:1/callback"),
    ];
    prop_oneof![
        3 => (base, query).prop_map(|(b, q)| format!("{b}?{q}")),
        1 => text(),
    ]
}

proptest! {
    #[test]
    fn sign_in_links_and_pasted_addresses_get_an_answer_in_words(s in link()) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (returned, pasted) = rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(10), async {
                (
                    callback::sign_in_returned(&s).await,
                    callback::paste_back(&s, "http://127.0.0.1:1/callback").await,
                )
            })
            .await
        })
        .map_err(|_| TestCaseError::fail(format!("no answer within 10 s for {s:?}")))?;
        // Nothing is waiting for a sign-in here: no link may claim to have finished one.
        prop_assert!(!returned.matched && !returned.ok, "{s:?}");
        prop_assert!(!returned.title.is_empty() && !returned.message.is_empty());
        prop_assert!(!returned.message.contains("C0DE-never-echoed"), "{}", returned.message);
        if let Err(e) = pasted {
            prop_assert!(!e.to_string().contains("C0DE-never-echoed"), "{e}");
        }
    }
}
