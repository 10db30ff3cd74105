//! Running actions for real: `patchbay test`, `tools` and `call` against the REAL MCP server
//! (@modelcontextprotocol/sdk) and authorization server (oidc-provider) of `tests/servers/`:
//! health with its reason codes, tool calls, a 401 answered by one refresh and one retry (and
//! never a loop), step-up to a scope the first grant lacked, text tokens in headers.

use crate::support::http_server;
use crate::support::{World, error_code, reset_stats, stats};
use serde_json::{Value, json};

/// A world with the action `demo` connected (OAuth, consent by the test browser).
fn connected() -> World {
    let w = World::simple();
    w.add(&[]);
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect: {out}");
    w
}

/// Run the CLI; (exit code, stdout, stderr).
fn run(w: &World, args: &[&str]) -> (i32, String, String) {
    let out = w
        .cmd()
        .env("PATCHBAY_CALLBACK_PORT", "0")
        .args(args)
        .write_stdin("")
        .output()
        .expect("run patchbay");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn mcp_origin(w: &World) -> String {
    w.url().trim_end_matches("/mcp").to_string()
}

#[test]
fn test_tools_and_call_against_a_real_mcp_server() {
    let w = connected();
    let (code, out, _) = run(&w, &["--json", "test", "demo"]);
    assert_eq!(code, 0, "{out}");
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["reason"], Value::Null);
    assert_eq!(h["toolCount"], 4);
    assert!(h["latencyMs"].as_i64().is_some_and(|l| l >= 0), "{h}");
    assert!(
        h["checkedAt"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{h}"
    );
    // Persisted: the action's health says the same.
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("json");
    assert_eq!(show["health"]["status"], "healthy");
    assert_eq!(show["health"]["toolCount"], 4);

    let tools: Value = serde_json::from_str(&w.ok(&["--json", "tools", "demo"])).expect("json");
    let names: Vec<&str> = tools
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["echo", "whoami", "add", "admin"]);
    assert_eq!(
        tools[0]["inputSchema"]["properties"]["text"]["type"],
        "string"
    );
    let human = w.ok(&["tools", "demo"]);
    assert!(human.contains("echo  Echo the given text back"), "{human}");

    assert_eq!(
        w.ok(&[
            "call",
            "demo",
            "echo",
            "--args",
            r#"{"text": "hello there"}"#
        ]),
        "hello there\n"
    );
    let r: Value = serde_json::from_str(&w.ok(&[
        "--json",
        "call",
        "demo",
        "add",
        "--args",
        r#"{"a": 2, "b": 40}"#,
    ]))
    .expect("json");
    assert_eq!(
        (r["isError"].clone(), r["text"].clone()),
        (json!(false), json!("42"))
    );
    // The token's subject reached the server: the call ran as alice.
    let who = w.ok(&["call", "demo", "whoami"]);
    assert!(who.contains(r#""sub":"alice""#), "{who}");

    // A tool error is exit 1 with its text; bad --args never reach the server.
    let (code, _, err) = run(&w, &["call", "demo", "nosuch"]);
    assert_eq!(code, 1);
    assert!(err.contains("nosuch"), "{err}");
    for bad in ["[1]", "{nope"] {
        let (code, _, err) = run(&w, &["--json", "call", "demo", "echo", "--args", bad]);
        assert_eq!(
            (code, error_code(&err).as_deref()),
            (1, Some("invalid_input")),
            "{bad}"
        );
    }
}

#[test]
fn unhealthy_actions_say_why_and_test_all_runs_them_together() {
    let w = World::simple();
    w.add(&[]);
    // Not connected yet.
    let (code, out, _) = run(&w, &["--json", "test", "demo"]);
    assert_eq!(code, 1);
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (h["status"].clone(), h["reason"].clone()),
        (json!("unhealthy"), json!("needs_reconnect"))
    );
    // Nothing listening.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = dead.local_addr().expect("addr").port();
    drop(dead);
    w.ok(&[
        "action",
        "add",
        "dead",
        "--url",
        &format!("http://127.0.0.1:{port}/mcp"),
    ]);
    // Not an MCP endpoint at all.
    w.ok(&[
        "action",
        "add",
        "notmcp",
        "--url",
        &format!("{}/nothing-here", mcp_origin(&w)),
    ]);
    // Disabled actions are refused, not tested.
    w.ok(&["action", "add", "off", "--url", &w.url()]);
    w.ok(&["action", "disable", "off"]);
    let (code, _, err) = run(&w, &["--json", "test", "off"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("invalid_input"))
    );

    let (code, out, _) = run(&w, &["--json", "test", "--all"]);
    assert_eq!(code, 1, "some are unhealthy");
    let all: Value = serde_json::from_str(&out).expect("json");
    let reason = |name: &str| {
        all.as_array()
            .expect("list")
            .iter()
            .find(|h| h["name"] == name)
            .map(|h| h["reason"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        all.as_array().map(Vec::len),
        Some(3),
        "enabled ones only: {all}"
    );
    assert_eq!(reason("demo"), "needs_reconnect");
    assert_eq!(reason("dead"), "network");
    assert_eq!(reason("notmcp"), "protocol");
    let human = w.ok(&["action", "list"]);
    assert!(human.contains("unhealthy (network)"), "{human}");
}

#[test]
fn a_401_gets_one_refresh_and_one_retry_never_a_loop() {
    let w = connected();
    assert_eq!(
        w.ok(&["call", "demo", "echo", "--args", r#"{"text": "a"}"#]),
        "a\n"
    );
    // The resource server revokes the token Patchbay holds (still unexpired locally).
    let mcp = mcp_origin(&w);
    let client = reqwest::blocking::Client::new();
    client
        .post(format!("{mcp}/__admin/reject-seen-tokens"))
        .send()
        .expect("reject");
    reset_stats(&w.issuer());
    reset_stats(&mcp);
    assert_eq!(
        w.ok(&["call", "demo", "echo", "--args", r#"{"text": "b"}"#]),
        "b\n"
    );
    assert_eq!(w.refreshes(), 1, "one forced refresh");

    // A server that refuses every token: one refresh, one retry, then a clear error.
    client
        .post(format!("{mcp}/__admin/reject-all-tokens"))
        .send()
        .expect("reject all");
    reset_stats(&w.issuer());
    reset_stats(&mcp);
    let (code, _, err) = run(
        &w,
        &[
            "--json",
            "call",
            "demo",
            "echo",
            "--args",
            r#"{"text": "c"}"#,
        ],
    );
    assert_eq!(code, 1);
    assert!(
        matches!(error_code(&err).as_deref(), Some("auth_rejected")),
        "{err}"
    );
    assert_eq!(w.refreshes(), 1, "one refresh for the call, not a loop");
    let mcp_posts = stats(&mcp)["byPath"]["/mcp"].as_u64().unwrap_or(0);
    assert_eq!(mcp_posts, 2, "the request and its one retry");
}

#[test]
fn step_up_adds_the_scope_the_first_grant_lacked() {
    let w = connected();
    assert!(
        !w.status()["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .any(|s| s == "mcp:write")
    );
    // Scripts can refuse the browser.
    let (code, _, err) = run(&w, &["--json", "call", "demo", "admin", "--no-step-up"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("insufficient_scope"))
    );

    let (code, out, err) = run(&w, &["call", "demo", "admin"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "admin ok\n");
    assert!(err.contains("403 insufficient_scope"), "says why: {err}");
    assert!(err.contains("to add mcp:write"), "says what it adds: {err}");
    let scopes = w.status()["scopes"].clone();
    for s in ["mcp:read", "mcp:write"] {
        assert!(
            scopes.as_array().expect("scopes").iter().any(|x| x == s),
            "{scopes}"
        );
    }
    // Now granted: no more sign-in.
    let (code, out, err) = run(&w, &["call", "demo", "admin"]);
    assert_eq!((code, out.as_str()), (0, "admin ok\n"));
    assert!(!err.contains("insufficient_scope"), "{err}");
}

#[test]
fn a_text_token_travels_in_its_header() {
    let w = connected();
    let token = w.ok(&["access-token", "demo"]);
    let token = token.trim_end();
    // The same bearer token, kept as a text token, on a second action.
    w.cmd()
        .args([
            "token",
            "add",
            "tok",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
            "--value-stdin",
        ])
        .write_stdin(format!("{token}\n"))
        .assert()
        .success();
    w.ok(&[
        "action",
        "add",
        "static",
        "--url",
        &w.url(),
        "--auth",
        "token:tok",
    ]);
    assert_eq!(
        w.ok(&[
            "call",
            "static",
            "echo",
            "--args",
            r#"{"text": "via token"}"#
        ]),
        "via token\n"
    );
    // A wrong value is refused by the server and reported as such (no refresh to try).
    w.cmd()
        .args(["token", "edit", "tok", "--value-stdin"])
        .write_stdin("not-a-valid-token\n")
        .assert()
        .success();
    let (code, out, _) = run(&w, &["--json", "test", "static"]);
    assert_eq!(code, 1);
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(h["reason"], "auth", "{h}");
}

/// A machine client of the real authorization server, for HTTP request tokens: its
/// client_credentials grant gives a JWT for the MCP server.
fn machine_world() -> World {
    machine_world_with(json!({}))
}

fn machine_world_with(mcp: Value) -> World {
    World::new(
        json!({"clients": [{
            "client_id": "machine",
            "client_secret": "machine-secret",
            "token_endpoint_auth_method": "client_secret_post",
            "grant_types": ["client_credentials"],
            "response_types": [],
            "redirect_uris": [],
        }]}),
        mcp,
    )
}

fn add_machine_token(
    w: &World,
    name: &str,
    secret: &str,
    path: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let token_url = format!("{}/token", w.issuer());
    let resource = format!("resource={}", w.url());
    let mut args = vec![
        "--json",
        "token",
        "add",
        name,
        "--http-request",
        "--url",
        &token_url,
        "--form",
        "--body",
        "grant_type=client_credentials",
        "--body",
        "client_id=machine",
        "--body",
        "scope=mcp:read",
        "--body",
        &resource,
        "--secret-body",
        "client_secret",
        "--token-path",
        path,
        "--header-name",
        "Authorization",
        "--prefix",
        "Bearer",
    ];
    args.extend_from_slice(extra);
    let out = w
        .cmd()
        .args(&args)
        .write_stdin(format!("{secret}\n"))
        .output()
        .expect("run token add");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn client_credentials_grants(w: &World) -> u64 {
    stats(&w.issuer())["tags"]["grant_type:client_credentials"]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn an_http_request_token_is_tested_before_it_is_saved_and_used_for_calls() {
    let w = machine_world();
    // A wrong secret: the request fails, nothing is saved.
    let (code, _, err) = add_machine_token(&w, "m", "wrong", "$.access_token", &[]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("token_request_failed")),
        "{err}"
    );
    let e: Value = serde_json::from_str(err.trim()).expect("json error");
    assert_eq!(e["error"]["report"]["status"], 401, "{e}");
    // A path that finds nothing: refused, with the response's shape (never its values).
    let (code, _, err) = add_machine_token(&w, "m", "machine-secret", "$.data.token", &[]);
    assert_eq!(code, 1);
    let e: Value = serde_json::from_str(err.trim()).expect("json error");
    assert_eq!(
        e["error"]["report"]["shape"]["access_token"], "string",
        "{e}"
    );
    assert!(!err.contains("eyJ"), "no token in the error: {err}");
    let list: Value = serde_json::from_str(&w.ok(&["--json", "token", "list"])).expect("json");
    assert_eq!(list, json!([]), "nothing saved");
    // --no-test saves anyway.
    let (code, _, _) = add_machine_token(
        &w,
        "untested",
        "machine-secret",
        "$.data.token",
        &["--no-test"],
    );
    assert_eq!(code, 0);

    // The right path: saved, and the report says where the token was.
    let (code, out, err) = add_machine_token(&w, "m", "machine-secret", "$.access_token", &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("json")["name"],
        "m"
    );
    let human = w.ok(&["token", "test", "m"]);
    assert!(
        human.contains("HTTP 200") && human.contains("token found at $.access_token: eyJ"),
        "{human}"
    );
    let r: Value = serde_json::from_str(&w.ok(&["--json", "token", "test", "m"])).expect("json");
    assert_eq!(
        (r["ok"].clone(), r["found"]["preview"].clone()),
        (json!(true), json!("eyJh"))
    );
    assert!(r["found"]["length"].as_u64().unwrap_or(0) > 100);
    let (code, out, _) = run(&w, &["--json", "token", "test", "untested"]);
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("json")["shape"]["token_type"],
        "string"
    );

    // An MCP action using it: the kept token goes in the header; no new request per call.
    w.ok(&[
        "action",
        "add",
        "m-mcp",
        "--url",
        &w.url(),
        "--auth",
        "http-token:m",
    ]);
    reset_stats(&w.issuer());
    assert_eq!(
        w.ok(&["call", "m-mcp", "echo", "--args", r#"{"text": "machine"}"#]),
        "machine\n"
    );
    assert_eq!(client_credentials_grants(&w), 0, "the kept token was used");
    // The server drops it: one new token request, one retry.
    let mcp = mcp_origin(&w);
    reqwest::blocking::Client::new()
        .post(format!("{mcp}/__admin/reject-seen-tokens"))
        .send()
        .expect("reject");
    assert_eq!(
        w.ok(&["call", "m-mcp", "echo", "--args", r#"{"text": "again"}"#]),
        "again\n"
    );
    assert_eq!(
        client_credentials_grants(&w),
        1,
        "fetched once after the 401"
    );
    let (code, out, _) = run(&w, &["--json", "test", "m-mcp"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn an_http_action_fills_its_template_sends_its_credential_and_reports_the_status() {
    // The MCP endpoint, spoken to as a plain HTTP API (JSON responses), with a JWT from an
    // HTTP request token.
    let w = machine_world_with(json!({"jsonResponse": true}));
    let (code, _, err) = add_machine_token(&w, "m", "machine-secret", "$.access_token", &[]);
    assert_eq!(code, 0, "{err}");
    let template = r#"{"jsonrpc": "2.0", "id": 7, "method": "initialize", "params": {"protocolVersion": "{{version}}", "capabilities": {}, "clientInfo": {"name": "{{client}}", "version": "1"}}}"#;
    w.ok(&[
        "action",
        "add",
        "api",
        "--http",
        "--url",
        &w.url(),
        "--method",
        "POST",
        "--header",
        "Accept: application/json, text/event-stream",
        "--body",
        template,
        "--auth",
        "http-token:m",
    ]);
    let out: Value = serde_json::from_str(&w.ok(&[
        "--json",
        "call",
        "api",
        "--args",
        r#"{"version": "2025-11-25", "client": "patchbay \"http\" test"}"#,
    ]))
    .expect("json");
    assert_eq!(out["status"], 200, "{out}");
    assert_eq!(out["json"]["id"], 7);
    assert_eq!(
        out["json"]["result"]["protocolVersion"], "2025-11-25",
        "the placeholder was filled"
    );
    assert_eq!(
        out["json"]["result"]["serverInfo"]["name"],
        "patchbay-test-mcp"
    );
    assert_eq!(out["truncated"], false);
    // Human output is the body.
    let human = w.ok(&[
        "call",
        "api",
        "--args",
        r#"{"version": "2025-11-25", "client": "x"}"#,
    ]);
    assert!(human.contains("patchbay-test-mcp"), "{human}");
    // Arguments must match the placeholders; nothing is sent otherwise.
    let (code, _, err) = run(
        &w,
        &["--json", "call", "api", "--args", r#"{"version": "x"}"#],
    );
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("invalid_input")),
        "{err}"
    );
    // A tool name on an HTTP action, and no tool on an MCP one, are usage mistakes.
    let (code, _, _) = run(&w, &["call", "api", "echo"]);
    assert_eq!(code, 1);

    // A non-2xx status: exit 1, the status on stderr.
    w.ok(&[
        "action",
        "add",
        "missing",
        "--http",
        "--url",
        &format!("{}/nothing-here", mcp_origin(&w)),
    ]);
    let (code, _, err) = run(&w, &["call", "missing"]);
    assert_eq!(code, 1);
    assert!(err.contains("HTTP 404"), "{err}");
    // Test Connection: the configured request.
    let (code, out, _) = run(&w, &["--json", "test", "missing"]);
    assert_eq!(code, 1);
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (h["status"].clone(), h["reason"].clone()),
        (json!("unhealthy"), json!("protocol"))
    );
    let (code, out, _) = run(&w, &["--json", "test", "api"]);
    assert_eq!(
        code, 0,
        "the request with empty placeholders is answered 200: {out}"
    );
    // Without the credential the endpoint refuses: reason auth.
    w.ok(&["action", "edit", "api", "--auth", "none"]);
    let (code, out, _) = run(&w, &["--json", "test", "api"]);
    assert_eq!(code, 1);
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(h["reason"], "auth", "{h}");
}

#[test]
fn a_server_with_only_the_deprecated_sse_transport_is_named_as_such() {
    let w = World::new(json!({}), json!({"auth": false, "legacySse": true}));
    let sse = format!("{}/sse", mcp_origin(&w));
    w.ok(&["action", "add", "old", "--url", &sse]);
    let (code, _, err) = run(&w, &["--json", "tools", "old"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("unsupported_transport")),
        "{err}"
    );
    assert!(
        err.contains("Streamable HTTP URL"),
        "suggests the fix: {err}"
    );
    let (code, out, _) = run(&w, &["--json", "test", "old"]);
    assert_eq!(code, 1);
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(h["reason"], "protocol", "{h}");
}

#[test]
fn logs_record_every_path_with_filters_and_no_secret_anywhere() {
    let w = machine_world_with(json!({"jsonResponse": true}));
    w.add(&[]);
    let mut outputs: Vec<String> = Vec::new();
    let mut keep = |o: (i32, String, String)| {
        outputs.push(o.1.clone());
        outputs.push(o.2.clone());
        o
    };
    // OAuth connect, calls, a refresh forced by a 401, a step-up-free tool error.
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!(code, 0, "{out}");
    let _ = err;
    keep(run(
        &w,
        &["call", "demo", "echo", "--args", r#"{"text": "first"}"#],
    ));
    reqwest::blocking::Client::new()
        .post(format!("{}/__admin/reject-seen-tokens", mcp_origin(&w)))
        .send()
        .expect("reject");
    keep(run(
        &w,
        &["call", "demo", "echo", "--args", r#"{"text": "second"}"#],
    ));
    keep(run(&w, &["call", "demo", "nosuch"]));
    // An HTTP request token with a secret body field, an MCP action and an HTTP action on it.
    let (code, _, err) = keep(add_machine_token(
        &w,
        "m",
        "machine-secret",
        "$.access_token",
        &[],
    ));
    assert_eq!(code, 0, "{err}");
    keep(run(&w, &["token", "test", "m"]));
    w.ok(&[
        "action",
        "add",
        "m-mcp",
        "--url",
        &w.url(),
        "--auth",
        "http-token:m",
    ]);
    keep(run(
        &w,
        &["call", "m-mcp", "echo", "--args", r#"{"text": "machine"}"#],
    ));
    w.ok(&[
        "action", "add", "api", "--http", "--url", &w.url(), "--method", "POST", "--header",
        "Accept: application/json, text/event-stream", "--body",
        r#"{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "{{who}}", "version": "1"}}}"#,
        "--auth", "http-token:m",
    ]);
    keep(run(
        &w,
        &["call", "api", "--args", r#"{"who": "logs-test"}"#],
    ));
    keep(run(&w, &["test", "--all"]));
    keep(run(&w, &["disconnect", "demo"]));

    // What the log holds, as JSON lines.
    let (code, lines, _) = keep(run(&w, &["--json", "logs", "--limit", "1000"]));
    assert_eq!(code, 0);
    let rows: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let kinds: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|r| r["kind"].as_str()).collect();
    for k in [
        "connect",
        "call",
        "refresh",
        "token_fetch",
        "test",
        "health",
        "disconnect",
    ] {
        assert!(kinds.contains(k), "a {k} entry: {kinds:?}");
    }
    let call = rows
        .iter()
        .find(|r| {
            r["summary"]
                .as_str()
                .is_some_and(|s| s.contains("→ HTTP 200"))
        })
        .expect("the HTTP call");
    assert_eq!(call["subject"], "api");
    assert_eq!(call["status"], 200);
    assert_eq!(
        call["request"]["headers"][1],
        json!(["authorization", "[redacted]"]),
        "{call}"
    );
    assert!(
        call["request"]["body"]
            .as_str()
            .is_some_and(|b| b.contains("logs-test"))
    );
    // Filters.
    let count = |args: &[&str]| {
        let mut a = vec!["--json", "logs"];
        a.extend_from_slice(args);
        w.ok(&a).lines().count()
    };
    assert_eq!(count(&["--action", "api", "--kind", "call"]), 1);
    assert!(count(&["--outcome", "error"]) >= 1, "the tool error");
    assert_eq!(
        count(&["--search", "LOGS-TEST"]),
        1,
        "case-insensitive search"
    );
    assert_eq!(count(&["--kind", "refresh", "--action", "demo"]), 1);
    assert_eq!(count(&["--since", "1h"]), rows.len());
    let human = w.ok(&["logs", "--action", "demo", "--kind", "call"]);
    assert!(
        human.starts_with("TIME") && human.contains("tools/call echo"),
        "{human}"
    );
    let (code, _, err) = run(&w, &["--json", "logs", "--since", "soon"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("invalid_input"))
    );

    // No secret in the database, its WAL, the log, or anything printed.
    let refresh_tokens: Vec<String> =
        reqwest::blocking::get(format!("{}/__admin/refresh-tokens", w.issuer()))
            .expect("admin")
            .json::<Value>()
            .expect("json")["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .filter_map(|t| t["value"].as_str().map(String::from))
            .collect();
    assert!(!refresh_tokens.is_empty());
    let mut secrets: Vec<String> = vec!["machine-secret".into()];
    secrets.extend(refresh_tokens);
    let mut files = String::new();
    for e in std::fs::read_dir(w.home.path()).expect("home") {
        let p = e.expect("entry").path();
        if p.is_file() {
            files.push_str(&String::from_utf8_lossy(&std::fs::read(&p).expect("read")));
        }
    }
    for s in &secrets {
        assert!(
            !files.contains(s.as_str()),
            "a secret in the profile's files"
        );
        for o in &outputs {
            assert!(!o.contains(s.as_str()), "a secret in the output: {o}");
        }
    }
    // Access tokens are JWTs: none appears in the log or the files.
    for (label, text) in [("files", &files), ("logs", &lines)] {
        assert!(!text.contains("eyJhbGci"), "a JWT in the {label}");
    }
}

#[test]
fn the_circuit_breaker_opens_after_failures_in_a_row_and_a_probe_closes_it() {
    let w = World::simple();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{port}/ping");
    w.ok(&["action", "add", "flaky", "--http", "--url", &url]);
    let call = |w: &World| {
        let out = w
            .cmd()
            .env("PATCHBAY_BREAKER_THRESHOLD", "3")
            .env("PATCHBAY_BREAKER_COOLDOWN_SECS", "2")
            .args(["--json", "call", "flaky"])
            .write_stdin("")
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            error_code(&String::from_utf8_lossy(&out.stderr)),
        )
    };
    for _ in 0..3 {
        assert_eq!(call(&w), (1, Some("unreachable".to_string())));
    }
    // Open: fails fast, saying so, without trying.
    assert_eq!(call(&w), (1, Some("circuit_open".to_string())));
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "flaky"])).expect("json");
    assert_eq!(show["breaker"]["state"], "open", "{show}");
    assert_eq!(show["breaker"]["failures"], 3);
    assert_eq!(show["health"]["reason"], "circuit_open");
    assert!(w.ok(&["action", "show", "flaky"]).contains("retries at"));

    // The endpoint comes back; after the cool-down the next call is the probe, and closes it.
    let server = http_server("pong", port);
    std::thread::sleep(std::time::Duration::from_millis(2200));
    assert_eq!(call(&w), (0, None), "the probe succeeds");
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "flaky"])).expect("json");
    assert_eq!(show["breaker"]["state"], "closed");
    drop(server);
    let log = w.ok(&["logs", "--kind", "breaker"]);
    assert!(
        log.contains("opened after 3 failures") && log.contains("closed"),
        "{log}"
    );
}

#[test]
fn hanging_oversized_and_garbage_answers_are_named_and_nothing_panics() {
    let w = World::simple();
    let hang = http_server("hang", 0);
    let big = http_server("big", 0);
    let garbage = http_server("garbage", 0);
    let with_timeout = |args: &[&str]| {
        let out = w
            .cmd()
            .env("PATCHBAY_TIMEOUT_SECS", "1")
            .args(args)
            .write_stdin("")
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // A server that never answers: a timeout, for HTTP and MCP alike.
    w.ok(&["action", "add", "hang-http", "--http", "--url", &hang.url]);
    w.ok(&["action", "add", "hang-mcp", "--url", &hang.url]);
    let started = std::time::Instant::now();
    let (code, _, err) = with_timeout(&["--json", "call", "hang-http"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("timeout")),
        "{err}"
    );
    let (code, out, _) = with_timeout(&["--json", "test", "hang-mcp"]);
    assert_eq!(code, 1);
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(h["reason"], "timeout", "{h}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "bounded by the timeout"
    );

    // 3 MiB: cut at the cap and said so.
    w.ok(&["action", "add", "big", "--http", "--url", &big.url]);
    let (code, out, _) = with_timeout(&["--json", "call", "big"]);
    assert_eq!(code, 0);
    let r: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["truncated"], true);
    assert_eq!(r["body"].as_str().map(str::len), Some(1024 * 1024));

    // Garbage where MCP was expected: a protocol error, not a crash.
    w.ok(&["action", "add", "junk", "--url", &garbage.url]);
    let (code, out, err) = with_timeout(&["--json", "test", "junk"]);
    assert_eq!(code, 1, "{err}");
    let h: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(h["reason"], "protocol", "{h}");
    let (code, _, err) = with_timeout(&["--json", "tools", "junk"]);
    assert_eq!(code, 1);
    assert!(
        matches!(
            error_code(&err).as_deref(),
            Some("protocol" | "unsupported_transport")
        ),
        "{err}"
    );
}

#[test]
fn a_token_endpoint_that_keeps_failing_opens_the_breaker_without_a_loop() {
    let w = World::simple();
    let failing = http_server("down", 0);
    w.cmd()
        .args([
            "token",
            "add",
            "down",
            "--http-request",
            "--no-test",
            "--url",
            &failing.url,
            "--body",
            "grant_type=client_credentials",
            "--token-path",
            "$.access_token",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
        ])
        .write_stdin("")
        .assert()
        .success();
    w.ok(&[
        "action",
        "add",
        "needs-token",
        "--url",
        &w.url(),
        "--auth",
        "http-token:down",
    ]);
    let call = || {
        let out = w
            .cmd()
            .env("PATCHBAY_BREAKER_THRESHOLD", "3")
            .args(["--json", "tools", "needs-token"])
            .write_stdin("")
            .output()
            .expect("run");
        error_code(&String::from_utf8_lossy(&out.stderr))
    };
    for _ in 0..3 {
        assert_eq!(call().as_deref(), Some("token_request_failed"));
    }
    assert_eq!(
        call().as_deref(),
        Some("circuit_open"),
        "then it fails fast"
    );
    let fetches = w
        .ok(&["--json", "logs", "--kind", "token_fetch"])
        .lines()
        .count();
    assert_eq!(fetches, 3, "one token request per call, none while open");
    let log = w.ok(&["logs", "--kind", "breaker"]);
    assert!(log.contains("opened after 3 failures"), "{log}");
    // The log keeps the token endpoint's status, never a secret.
    let row: Value = serde_json::from_str(
        w.ok(&["--json", "logs", "--kind", "token_fetch", "--limit", "1"])
            .trim(),
    )
    .expect("json");
    assert_eq!(row["status"], 500);
}

#[test]
fn log_retention_keeps_the_most_recent_rows() {
    let w = World::simple();
    w.ok(&[
        "action",
        "add",
        "dead",
        "--http",
        "--url",
        "http://127.0.0.1:1/x",
    ]);
    for _ in 0..6 {
        let _ = w
            .cmd()
            .env("PATCHBAY_LOG_MAX_ROWS", "4")
            .env("PATCHBAY_BREAKER_THRESHOLD", "100")
            .args(["call", "dead"])
            .write_stdin("")
            .output();
    }
    let n = w.ok(&["--json", "logs", "--limit", "100"]).lines().count();
    assert_eq!(n, 4, "the 4 most recent rows are kept");
}
