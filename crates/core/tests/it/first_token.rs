//! A grant with no user (client credentials), never fetched, asked for by many callers of one
//! process at once (the gateway's clients, a proxy's concurrent calls): one token request,
//! one token for all. Against the real authorization server (oidc-provider) and MCP server.

use std::path::Path;
use std::sync::Arc;

use patchbay_core::actions::{NewAction, OAuthInput};
use patchbay_core::model::{AuthSpec, OAuthGrant};
use patchbay_core::{ExposeSecret, Kind, Patchbay, SecretString};
use serde_json::json;

fn servers_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/servers")
}

/// The authorization server's count of token requests with `grant_type`.
async fn token_requests(origin: &str, grant_type: &str) -> u64 {
    let v: serde_json::Value = reqwest::get(format!("{origin}/__stats"))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats JSON");
    v["tags"][format!("grant_type:{grant_type}")]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_uses_of_a_client_credentials_grant_make_one_token_request() {
    let auth = patchbay_testsupport::start_server(
        &servers_dir(),
        "auth-server.mjs",
        "AUTH_SERVER_CONFIG",
        json!({ "clients": [{
            "client_id": "machine",
            "client_secret": "machine-secret-9f3k",
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["client_credentials"],
            "response_types": [],
            "redirect_uris": [],
        }] }),
    );
    let issuer = auth.ready["issuer"].as_str().expect("issuer").to_string();
    let mcp = patchbay_testsupport::start_server(
        &servers_dir(),
        "mcp-server.mjs",
        "MCP_SERVER_CONFIG",
        json!({ "authServer": issuer }),
    );
    let url = mcp.ready["url"].as_str().expect("url").to_string();
    let home = tempfile::tempdir().expect("tempdir");
    let pb = Arc::new(Patchbay::open(home.path()).expect("profile"));
    pb.add_action(NewAction {
        name: "cc".into(),
        url,
        auth: Some(AuthSpec::OAuth),
        oauth: OAuthInput {
            grant: Some(OAuthGrant::ClientCredentials),
            client_id: Some("machine".into()),
            client_secret: Some(SecretString::from("machine-secret-9f3k".to_string())),
            ..Default::default()
        },
        ..Default::default()
    })
    .expect("add");

    let callers: Vec<_> = (0..8)
        .map(|_| {
            let pb = pb.clone();
            tokio::spawn(async move { pb.access_token(Kind::Action, "cc").await })
        })
        .collect();
    let mut tokens = Vec::new();
    for c in callers {
        let t = c.await.expect("joined").expect("a token");
        tokens.push(t.expose_secret().to_string());
    }
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "every caller got the same token"
    );
    assert_eq!(
        token_requests(&issuer, "client_credentials").await,
        1,
        "one token request for eight first uses"
    );
}
