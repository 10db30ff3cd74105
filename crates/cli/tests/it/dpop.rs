//! DPoP (RFC 9449, SEP-1932) against the REAL servers of `tests/servers/`: oidc-provider in
//! its DPoP mode (its own issuer, `/dpop`, with nonces required at the token endpoint) and
//! the MCP server in its DPoP mode (only `DPoP` tokens, every proof checked: signature, htm,
//! htu, iat, ath, cnf.jkt, replay, and its own nonce). Sign-in, calls, a refresh after the
//! access token expires, and a bound token refused when sent as Bearer.

use serde_json::{Value, json};

use crate::support::{World, reset_stats, stats};

/// Access tokens live this long (seconds) here.
const TTL: u64 = 4;

fn origin_of(server: &crate::support::Server) -> String {
    format!(
        "http://127.0.0.1:{}",
        server.ready["port"].as_u64().expect("port")
    )
}

fn tag(origin: &str, name: &str) -> u64 {
    stats(origin)["tags"][name].as_u64().unwrap_or(0)
}

/// `patchbay access-token demo`, which must succeed.
fn access_token(w: &World) -> std::process::Output {
    let out = w
        .cmd()
        .args(["access-token", "demo"])
        .write_stdin("")
        .output()
        .expect("access-token");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn a_dpop_sign_in_calls_a_proof_checking_server_through_nonces_and_a_refresh() {
    let w = World::new(
        json!({"issuerPath": "/dpop", "dpop": "nonce", "accessTokenTtl": TTL}),
        json!({"dpop": "nonce"}),
    );
    let auth = origin_of(&w.auth);
    let mcp = w.url().trim_end_matches("/mcp").to_string();
    w.add(&[]);
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect: {out}");

    // The token endpoint asked for its nonce (400 use_dpop_nonce) and got it on the retry:
    // one authorization_code grant request answered, the retry counted as a second request.
    assert_eq!(
        tag(&auth, "grant_type:authorization_code"),
        2,
        "the code exchange, then once more with the server's nonce"
    );
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("show json");
    assert_eq!(show["dpop"], true, "{show}");

    // A call: every MCP request carries `DPoP <token>` and a proof the server verified; the
    // first proof without the server's nonce is answered use_dpop_nonce and sent again.
    let who = w.ok(&["call", "demo", "whoami"]);
    assert!(who.contains(r#""sub":"alice""#), "{who}");
    assert!(tag(&mcp, "dpop:nonce-challenge") >= 1, "{}", stats(&mcp));
    assert!(tag(&mcp, "dpop:ok:POST") >= 2, "{}", stats(&mcp));
    assert_eq!(tag(&mcp, "dpop:bearer-refused"), 0, "never Bearer");

    // The bound token alone is worth nothing as a Bearer token, and `access-token` says so.
    let out = access_token(&w);
    let token = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DPoP-bound"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        w.mcp_status(token.trim()),
        401,
        "a DPoP-bound token as Bearer"
    );
    assert_eq!(tag(&mcp, "dpop:bearer-refused"), 1);

    // After expiry: the refresh proves the same key (oidc-provider binds a public client's
    // refresh token to it) and the call goes on with the new bound token.
    w.wait_for_expiry();
    reset_stats(&auth);
    reset_stats(&mcp);
    let sum = w.ok(&["call", "demo", "add", "--args", r#"{"a": 2, "b": 40}"#]);
    assert_eq!(sum, "42\n");
    let refreshes = tag(&auth, "grant_type:refresh_token");
    assert!(
        (1..=2).contains(&refreshes),
        "one refresh (plus at most one retry for a new nonce): {}",
        stats(&auth)
    );
    assert_eq!(w.status()["connected"], true);
    assert!(tag(&mcp, "dpop:ok:POST") >= 1, "{}", stats(&mcp));
    assert_eq!(tag(&mcp, "dpop:bearer-refused"), 0, "never Bearer");
    let logs = w.ok(&["logs", "--kind", "refresh", "--action", "demo"]);
    assert!(logs.contains("ok"), "the refresh is logged: {logs}");

    // Disconnect revokes the bound refresh token and deletes the grant with its key.
    let report: Value =
        serde_json::from_str(&w.ok(&["--json", "disconnect", "demo"])).expect("json");
    assert_eq!(report["revocation"]["outcome"], "revoked", "{report}");
    assert_eq!(report["revocation"]["revoked"], json!(["refresh_token"]));
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("show json");
    assert_eq!(show["dpop"], false, "no grant, nothing bound: {show}");
}

#[test]
fn a_server_without_dpop_sees_bearer_and_no_proof() {
    let w = World::new(json!({}), json!({}));
    w.add(&[]);
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect: {out}");
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("show json");
    assert_eq!(show["dpop"], false, "{show}");
    // Today's Bearer-only server takes the token as Bearer; no note about DPoP.
    let out = access_token(&w);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "nothing but the token"
    );
    assert_eq!(w.mcp_status_with_token(), 200);
    let who = w.ok(&["call", "demo", "whoami"]);
    assert!(who.contains(r#""sub":"alice""#), "{who}");
}

#[test]
fn a_client_credentials_action_gets_bound_tokens_and_a_new_one_after_a_401() {
    let w = World::new(
        json!({
            "issuerPath": "/dpop",
            "dpop": "nonce",
            "clients": [{
                "client_id": "machine",
                "client_secret": "machine-secret-9f3k",
                "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["client_credentials"],
                "response_types": [],
                "redirect_uris": [],
            }],
        }),
        json!({"dpop": "nonce"}),
    );
    let auth = origin_of(&w.auth);
    let mcp = w.url().trim_end_matches("/mcp").to_string();
    let url = w.url();
    let out = w
        .cmd()
        .args([
            "action",
            "add",
            "cc",
            "--url",
            &url,
            "--grant",
            "client-credentials",
            "--client-id",
            "machine",
            "--client-secret-stdin",
        ])
        .write_stdin("machine-secret-9f3k\n")
        .output()
        .expect("action add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // No connect: the first call fetches the first token, with a proof and the server's
    // nonce (two requests), and presents it as DPoP.
    let echoed = w.ok(&["call", "cc", "echo", "--args", r#"{"text": "bound"}"#]);
    assert_eq!(echoed, "bound\n");
    assert_eq!(
        tag(&auth, "grant_type:client_credentials"),
        2,
        "{}",
        stats(&auth)
    );
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "cc"])).expect("show json");
    assert_eq!(show["dpop"], true, "{show}");
    assert!(tag(&mcp, "dpop:ok:POST") >= 1, "{}", stats(&mcp));

    // The resource server drops the token: a new bound token (with a proof), one retry.
    reqwest::blocking::Client::new()
        .post(format!("{mcp}/__admin/reject-seen-tokens"))
        .send()
        .expect("reject");
    reset_stats(&auth);
    let echoed = w.ok(&["call", "cc", "echo", "--args", r#"{"text": "again"}"#]);
    assert_eq!(echoed, "again\n");
    let fetched = tag(&auth, "grant_type:client_credentials");
    assert!(
        (1..=2).contains(&fetched),
        "one new token (plus at most one retry for a new nonce): {}",
        stats(&auth)
    );
    assert_eq!(tag(&mcp, "dpop:bearer-refused"), 0, "never Bearer");
}
