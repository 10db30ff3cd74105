//! Property tests over the gateway's authorization server as local clients reach it (see
//! `crate::fuzz` for the why and the budget): any request to its endpoints, with bodies
//! shaped like what each reads (a form for `/token` and `/revoke`, JSON for `/register`, a
//! query for `/authorize`) or anything at all, gets an answer, and never a server error. The
//! routes are called in-process (no socket), over a real profile with one confidential
//! client, so a body naming it gets as deep as its secret, code and verifier checks.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use tower::ServiceExt;

use crate::model::GatewayClientType;

const PORT: u16 = 47616;

struct World {
    rt: tokio::runtime::Runtime,
    p: crate::testing::Profile,
    client_id: String,
    secret: String,
}

/// One profile and runtime for every generated request (a profile per input would measure
/// migrations, not the endpoints).
fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let p = crate::testing::profile();
        crate::testing::action(&p, "demo");
        let c =
            p.pb.add_gateway_client(super::clients::NewClient {
                name: "fuzz".into(),
                client_type: GatewayClientType::Confidential,
                redirect_uris: vec!["http://127.0.0.1:8080/callback".into()],
                actions: super::keys::KeyActions::All,
                tools: Vec::new(),
            })
            .expect("a client");
        World {
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime"),
            p,
            client_id: c.client_id,
            secret: c.client_secret.expect("a confidential client's secret"),
        }
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[ -~]{0,60}"]
}

/// `k=v&...` pairs with the keys the endpoints read, the client's own id and secret among
/// the values; sometimes percent-encoding left broken.
fn form() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("grant_type"),
        Just("code"),
        Just("code_verifier"),
        Just("redirect_uri"),
        Just("client_id"),
        Just("client_secret"),
        Just("refresh_token"),
        Just("resource"),
        Just("scope"),
        Just("token"),
        Just("token_type_hint"),
        Just("response_type"),
        Just("code_challenge"),
        Just("code_challenge_method"),
        Just("state"),
    ];
    let value = prop_oneof![
        Just("authorization_code".to_string()),
        Just("refresh_token".to_string()),
        Just("client_credentials".to_string()),
        Just("http://127.0.0.1:8080/callback".to_string()),
        Just(format!("http://127.0.0.1:{PORT}/mcp")),
        Just("S256".to_string()),
        Just("code".to_string()),
        Just("%zz".to_string()),
        Just("CLIENT".to_string()),
        Just("SECRET".to_string()),
        text(),
    ];
    prop::collection::vec((key, value, any::<bool>()), 0..10).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v, raw)| {
                let v = if raw {
                    v
                } else {
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
                };
                format!("{k}={v}")
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn json_body() -> impl Strategy<Value = String> {
    let uris = prop::collection::vec(
        prop_oneof![
            Just("http://127.0.0.1:9/cb".to_string()),
            Just("https://app.example/cb".to_string()),
            Just("javascript:alert(1)".to_string()),
            text()
        ],
        0..3,
    );
    (uris, text(), any::<bool>(), text()).prop_map(|(uris, name, valid, junk)| {
        if valid {
            serde_json::json!({
                "redirect_uris": uris,
                "client_name": name,
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "none",
            })
            .to_string()
        } else {
            junk
        }
    })
}

proptest! {
    #[test]
    fn the_authorization_servers_endpoints_answer_every_request(
        route in prop::sample::select(&[
            ("POST", "/token"),
            ("POST", "/revoke"),
            ("POST", "/register"),
            ("GET", "/authorize"),
            ("GET", "/authorize/continue"),
            ("GET", "/.well-known/oauth-authorization-server"),
            ("GET", "/.well-known/oauth-protected-resource/a/demo/mcp"),
            ("PUT", "/token"),
        ][..]),
        form in form(),
        json in json_body(),
        content_type in prop_oneof![
            Just("application/x-www-form-urlencoded"),
            Just("application/json"),
            Just("text/plain"),
            Just(""),
        ],
        basic in prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
    ) {
        let w = world();
        let form = form.replace("CLIENT", &w.client_id).replace("SECRET", &w.secret);
        let (method, path) = route;
        let body = if path == "/register" { json } else { form.clone() };
        let uri = if method == "GET" { format!("{path}?{form}") } else { path.to_string() };
        let Ok(uri) = uri.parse::<axum::http::Uri>() else { return Ok(()) };
        let mut req = Request::builder().method(method).uri(uri);
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        match basic {
            Some(true) => {
                use base64::Engine;
                let creds = base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{}", w.client_id, w.secret));
                req = req.header("authorization", format!("Basic {creds}"));
            }
            Some(false) => req = req.header("authorization", "Basic %%%not-base64"),
            None => {}
        }
        let req = req.body(Body::from(body)).expect("a request");
        let router = super::server::authz_routes(w.p.pb.clone(), PORT);
        let resp = w
            .rt
            .block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(10), router.oneshot(req)).await
            })
            .expect("an answer within 10 s")
            .expect("infallible");
        prop_assert!(
            resp.status().as_u16() < 500,
            "{method} {path} answered {}",
            resp.status()
        );
    }
}

proptest! {
    #[test]
    fn client_id_metadata_documents_are_checked_without_panicking(
        client_id in prop_oneof![
            Just("https://app.example/client.json".to_string()),
            "https://[a-z.]{1,12}/[a-z/.]{0,12}",
            text(),
        ],
        doc in prop_oneof![
            json_body(),
            text(),
            (Just("https://app.example/client.json"), json_body()).prop_map(|(id, d)| {
                let mut v: serde_json::Value = serde_json::from_str(&d).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("client_id".into(), serde_json::Value::from(id));
                }
                v.to_string()
            }),
        ],
    ) {
        if let Ok(u) = super::cimd::checked_url(&client_id) {
            prop_assert_eq!(u.scheme(), "https");
            if let Ok((_, uris)) = super::cimd::parse(&u, doc.as_bytes()) {
                prop_assert!(!uris.is_empty());
            }
        }
    }
}
