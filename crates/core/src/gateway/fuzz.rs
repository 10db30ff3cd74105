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

/// The whole gateway on a loopback port, as local MCP clients reach it: one action whose
/// upstream refuses connections at once (so a call goes as deep as the upstream and comes
/// back with its error), an access key for every action, and one session made by a proper
/// `initialize` that generated requests may name.
struct Mcp {
    rt: tokio::runtime::Runtime,
    _p: crate::testing::Profile,
    http: reqwest::Client,
    base: String,
    key: String,
    session: String,
}

fn mcp_world() -> &'static Mcp {
    static W: OnceLock<Mcp> = OnceLock::new();
    W.get_or_init(|| {
        let p = crate::testing::profile();
        p.pb.add_action(crate::actions::NewAction {
            name: "local".into(),
            url: "http://127.0.0.1:1/mcp".into(),
            ..Default::default()
        })
        .expect("an action");
        let key =
            p.pb.add_gateway_key(super::keys::NewKey {
                name: "fuzz".into(),
                actions: super::keys::KeyActions::All,
                tools: Vec::new(),
                expires_in: None,
            })
            .expect("a key")
            .key;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let _in_runtime = rt.enter();
        let pb = p.pb.clone();
        let bound = rt
            .block_on(pb.bind_gateway(0))
            .expect("the gateway binds a loopback port");
        let base = format!("http://127.0.0.1:{}", bound.port());
        rt.spawn(bound.serve(std::future::pending()));
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("http client");
        let init = serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "fuzz", "version": "1"}},
        });
        let session = rt
            .block_on(
                http.post(format!("{base}/mcp"))
                    .bearer_auth(&key)
                    .header("accept", "application/json, text/event-stream")
                    .json(&init)
                    .send(),
            )
            .expect("initialize answered")
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .expect("a session id")
            .to_string();
        Mcp {
            rt,
            _p: p,
            http,
            base,
            key,
            session,
        }
    })
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        text().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("arguments".to_string()),
                    Just("uri".to_string()),
                    Just("cursor".to_string()),
                    Just("_meta".to_string()),
                    Just("progressToken".to_string()),
                    text(),
                ],
                inner,
                0..4
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON-RPC message as an MCP client might send it, or broken in one of the ways a client
/// can break it (wrong version, odd ids, unknown methods, tools that do not exist, batches).
fn json_rpc() -> impl Strategy<Value = String> {
    let method = prop_oneof![
        Just("initialize".to_string()),
        Just("ping".to_string()),
        Just("tools/list".to_string()),
        Just("tools/call".to_string()),
        Just("resources/list".to_string()),
        Just("resources/read".to_string()),
        Just("resources/templates/list".to_string()),
        Just("prompts/list".to_string()),
        Just("prompts/get".to_string()),
        Just("completion/complete".to_string()),
        Just("logging/setLevel".to_string()),
        Just("notifications/initialized".to_string()),
        Just("notifications/cancelled".to_string()),
        Just("sampling/createMessage".to_string()),
        text(),
    ];
    let tool = prop_oneof![
        Just(serde_json::json!("local__echo")),
        Just(serde_json::json!("echo")),
        Just(serde_json::json!("local__")),
        Just(serde_json::json!("__")),
        text().prop_map(serde_json::Value::from),
        json_value(),
    ];
    let id = prop_oneof![
        Just(Some(serde_json::json!(7))),
        Just(Some(serde_json::json!("a"))),
        Just(None),
        json_value().prop_map(Some),
    ];
    let version = prop_oneof![
        4 => Just(Some("2.0")),
        1 => Just(Some("1.0")),
        1 => Just(None),
    ];
    let message = (method, tool, json_value(), id, version)
        .prop_map(|(method, tool, args, id, version)| {
            let mut m = serde_json::Map::new();
            if let Some(v) = version {
                m.insert("jsonrpc".into(), v.into());
            }
            if let Some(id) = id {
                m.insert("id".into(), id);
            }
            let params = match method.as_str() {
                "tools/call" => serde_json::json!({"name": tool, "arguments": args}),
                "initialize" => serde_json::json!({
                    "protocolVersion": args, "capabilities": {},
                    "clientInfo": {"name": tool, "version": "1"},
                }),
                _ => args,
            };
            m.insert("method".into(), method.into());
            m.insert("params".into(), params);
            serde_json::Value::Object(m)
        })
        .boxed();
    prop_oneof![
        6 => message.clone().prop_map(|m| m.to_string()),
        1 => prop::collection::vec(message, 0..4)
            .prop_map(|b| serde_json::Value::from(b).to_string()),
        1 => text(),
    ]
}

proptest! {
    #[test]
    fn the_mcp_endpoint_answers_every_request(
        verb in prop_oneof![8 => Just("POST"), 1 => Just("GET"), 1 => Just("DELETE")],
        path in prop_oneof![
            Just("/mcp".to_string()),
            Just("/a/local/mcp".to_string()),
            "/a/[a-z_%.]{0,10}/mcp",
        ],
        body in json_rpc(),
        auth in prop_oneof![8 => Just(0u8), 1 => Just(1), 1 => Just(2)],
        session in prop_oneof![Just(0u8), Just(1), Just(2)],
        version in prop_oneof![
            Just(None),
            Just(Some("2025-11-25".to_string())),
            Just(Some("2026-07-28".to_string())),
            "[ -~]{0,12}".prop_map(Some),
        ],
        accept in prop_oneof![
            Just("application/json, text/event-stream"),
            Just("application/json"),
            Just("text/event-stream"),
            Just(""),
        ],
        content_type in prop_oneof![
            Just("application/json"),
            Just("text/plain"),
            Just(""),
        ],
        junk_session in "[ -~]{0,40}",
    ) {
        let w = mcp_world();
        let _in_runtime = w.rt.enter();
        let mut req = match verb {
            "GET" => w.http.get(format!("{}{path}", w.base)),
            "DELETE" => w.http.delete(format!("{}{path}", w.base)),
            _ => w.http.post(format!("{}{path}", w.base)).body(body.clone()),
        };
        req = match auth {
            0 => req.bearer_auth(&w.key),
            1 => req.bearer_auth("pbk_not-a-key"),
            _ => req,
        };
        req = match session {
            1 => req.header("mcp-session-id", &w.session),
            2 => req.header("mcp-session-id", &junk_session),
            _ => req,
        };
        if let Some(v) = &version {
            req = req.header("mcp-protocol-version", v);
        }
        if !accept.is_empty() {
            req = req.header("accept", accept);
        }
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        let Ok(req) = req.build() else { return Ok(()) };
        // An answer's head within 10 s (a GET may open a stream that stays open: its head
        // is the answer); never a server error, never a dropped connection.
        let resp = w
            .rt
            .block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(10), w.http.execute(req)).await
            });
        let resp = match resp {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(TestCaseError::fail(format!(
                "{verb} {path} with {body:?}: no answer: {e}"
            ))),
            Err(_) => return Err(TestCaseError::fail(format!(
                "{verb} {path} with {body:?}: no answer within 10 s"
            ))),
        };
        prop_assert!(
            resp.status().as_u16() < 500,
            "{verb} {path} with {body:?} answered {}",
            resp.status()
        );
        // Without a valid key the gateway's own endpoints say 401 (a path that is no endpoint
        // of it may say 404).
        if auth != 0 && (path == "/mcp" || path == "/a/local/mcp") {
            prop_assert_eq!(resp.status().as_u16(), 401, "{} {} without a valid key", verb, path);
        }
    }
}
