//! `patchbay proxy NAME` driven by a REAL MCP client (the TypeScript SDK's Client over
//! stdio, `tests/servers/proxy-client.mjs`) against the real authorization server
//! (oidc-provider, 4 s access tokens, rotating refresh tokens) and MCP server.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{World, reset_stats, servers_dir};
use assert_cmd::cargo::cargo_bin;
use serde_json::{Value, json};

const TTL: u64 = 4;

fn connected_world() -> World {
    let w = World::new(json!({"accessTokenTtl": TTL}), json!({"interactive": true}));
    w.add(&[]);
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect: {out}");
    w
}

/// How long one MCP client run through the proxy may take.
const CLIENT_WITHIN: Duration = Duration::from_secs(120);

/// Run the SDK client against `patchbay proxy demo`; its one JSON line.
fn client(w: &World, args: &[&str]) -> Command {
    let mut c = Command::new("node");
    c.arg(servers_dir().join("proxy-client.mjs"))
        .arg(cargo_bin("patchbay"))
        .arg("demo")
        .args(args)
        .env("PATCHBAY_HOME", w.home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run_client(w: &World, args: &[&str]) -> (Value, String) {
    let out = patchbay_testsupport::output_within(
        client(w, args).spawn().expect("run the MCP client"),
        CLIENT_WITHIN,
        "the MCP client (proxy-client.mjs) through patchbay proxy",
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "client output {:?}: {e}\nstderr: {stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (v, stderr)
}

#[test]
fn an_mcp_client_lists_and_calls_tools_through_the_proxy_across_a_token_expiry() {
    let w = connected_world();
    reset_stats(&w.issuer());
    // Three calls 2.5 s apart: the 4 s access token expires in between.
    let (out, stderr) = run_client(&w, &["--calls", "3", "--pause-ms", "2500"]);
    assert_eq!(out["error"], Value::Null, "{out} {stderr}");
    let tools: Vec<&str> = out["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        tools.contains(&"echo") && tools.contains(&"whoami"),
        "{out}"
    );
    for r in out["results"].as_array().expect("results") {
        assert_eq!(r["ok"], true, "{out} {stderr}");
        assert_eq!(r["text"], "hello through the proxy");
    }
    assert!(w.refreshes() >= 1, "the token was refreshed on the way");
    // Each call is logged, redacted: no token anywhere.
    let logs = w.ok(&["--json", "logs", "--kind", "call"]);
    let rows: Vec<Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(rows.len(), 3, "{logs}");
    assert!(
        rows.iter().all(|r| r["outcome"] == "ok"
            && r["summary"]
                .as_str()
                .is_some_and(|s| s.contains("tools/call echo (proxy)"))),
        "{logs}"
    );
    assert!(!logs.contains("eyJ"), "no token in the logs");
    assert_eq!(
        rows[0]["response"]["text"], "hello through the proxy",
        "{logs}"
    );
}

#[test]
fn notifications_and_server_requests_pass_both_ways() {
    let w = connected_world();
    let (out, stderr) = run_client(&w, &["--tool", "ask", "--args", "{}"]);
    assert_eq!(
        out["results"][0]["text"], "accept: yes from the client",
        "the client's answer reached the server: {out} {stderr}"
    );
    assert_eq!(out["elicitations"], json!(["Proceed?"]), "{out}");
    assert_eq!(out["notifications"], json!(["asking the user"]), "{out}");
}

#[test]
fn a_grant_that_needs_reconnecting_is_an_mcp_error_naming_the_fix_not_a_hang() {
    let w = connected_world();
    let _: Value = reqwest::blocking::Client::new()
        .post(format!("{}/__admin/revoke-grants", w.issuer()))
        .send()
        .expect("revoke")
        .json()
        .expect("json");
    std::thread::sleep(Duration::from_secs(TTL) + Duration::from_millis(500));
    // A hang would end in the SDK client's own request timeout, whose message names no fix.
    let (out, stderr) = run_client(&w, &[]);
    let message = out["error"]
        .as_str()
        .or_else(|| out["results"][0]["error"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("patchbay connect demo"),
        "the error names the command that fixes it: {out} {stderr}"
    );
}

#[test]
fn a_disabled_or_http_action_refuses_to_start() {
    let w = World::simple();
    w.add(&[]);
    w.ok(&["action", "disable", "demo"]);
    let out = w
        .cmd()
        .args(["proxy", "demo"])
        .write_stdin("")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("disabled") && err.contains("patchbay action enable demo"),
        "{err}"
    );
    assert!(out.get_output().stdout.is_empty(), "stdout stays clean");
    w.ok(&["action", "add", "api", "--http", "--url", &w.url()]);
    let out = w
        .cmd()
        .args(["proxy", "api"])
        .write_stdin("")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("HTTP action"), "{err}");
}

#[test]
fn four_proxies_at_once_refresh_the_expired_token_once() {
    let w = connected_world();
    std::thread::sleep(Duration::from_secs(TTL) + Duration::from_millis(500));
    reset_stats(&w.issuer());
    let children: Vec<_> = (0..4)
        .map(|_| client(&w, &[]).spawn().expect("spawn client"))
        .collect();
    for child in children {
        let out = patchbay_testsupport::output_within(
            child,
            CLIENT_WITHIN,
            "one of four MCP clients through patchbay proxy",
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["results"][0]["ok"], true, "{v}");
    }
    assert_eq!(w.refreshes(), 1, "one refresh across four processes");
}

/// An action that requires confirmation, and a client whose "app" decides `decision`.
fn confirm_run(decision: &str, extra_env: &[(&str, &str)]) -> (World, Value, String, String) {
    let w = connected_world();
    w.ok(&["action", "edit", "demo", "--confirm"]);
    let marker = w.home.path().join("fake-app-launches");
    let mut c = client(&w, &[]);
    c.env("PATCHBAY_DESKTOP_BIN", servers_dir().join("fake-app.mjs"))
        .env("FAKE_APP_MARKER", &marker)
        .env("FAKE_APP_DECISION", decision)
        .env("FAKE_APP_CLI", cargo_bin("patchbay"));
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let out = patchbay_testsupport::output_within(
        c.spawn().expect("run the MCP client"),
        CLIENT_WITHIN,
        "the MCP client (proxy-client.mjs) through patchbay proxy, asking for confirmation",
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let launches = std::fs::read_to_string(&marker).unwrap_or_default();
    (
        w,
        v,
        String::from_utf8_lossy(&out.stderr).to_string(),
        launches,
    )
}

#[test]
fn a_confirmed_action_waits_for_the_users_approval_launching_the_app() {
    let (w, out, stderr, launches) = confirm_run("approve", &[]);
    assert_eq!(out["results"][0]["ok"], true, "{out} {stderr}");
    assert_eq!(launches, "launched\n", "the proxy started the app to ask");
    let counts: Value = serde_json::from_str(&w.ok(&["--json", "approvals"])).expect("json");
    assert_eq!(counts["pending"], json!([]));
    assert_eq!(counts["counts"][0]["approved"], 1, "{counts}");
    let log = w.ok(&["logs", "--kind", "approval"]);
    assert!(
        log.contains("tools/call echo approved by the user"),
        "{log}"
    );
}

#[test]
fn a_denied_call_is_an_mcp_error_and_the_session_goes_on() {
    let (w, out, stderr, _) = confirm_run("deny", &[]);
    let r = &out["results"][0];
    assert_eq!(r["ok"], false, "{out} {stderr}");
    assert!(
        r["error"].as_str().is_some_and(|e| e.contains("denied")),
        "{out}"
    );
    let counts: Value = serde_json::from_str(&w.ok(&["--json", "approvals"])).expect("json");
    assert_eq!(counts["counts"][0]["denied"], 1, "{counts}");
    // Denied calls never reached the server.
    let calls = w.ok(&["--json", "logs", "--kind", "call"]);
    assert!(calls.contains("\"outcome\":\"error\""), "{calls}");
}

#[test]
fn an_unanswered_call_times_out_as_a_denial() {
    // A hang would show as the SDK client's own request timeout, not this message.
    let (w, out, stderr, launches) =
        confirm_run("ignore", &[("PATCHBAY_CONFIRM_TIMEOUT_SECS", "2")]);
    let r = &out["results"][0];
    assert!(
        r["error"].as_str().is_some_and(|e| e.contains("in time")),
        "{out} {stderr}"
    );
    assert_eq!(launches, "launched\n");
    let counts: Value = serde_json::from_str(&w.ok(&["--json", "approvals"])).expect("json");
    assert_eq!(counts["counts"][0]["expired"], 1, "{counts}");
    // A decision after the deadline is refused.
    let log = w.ok(&["--json", "logs", "--kind", "approval"]);
    assert!(log.contains("not confirmed in time"), "{log}");
}

#[test]
fn the_proxy_ends_cleanly_when_stdin_closes() {
    let w = connected_world();
    let mut child = Command::new(cargo_bin("patchbay"))
        .args(["proxy", "demo"])
        .env("PATCHBAY_HOME", w.home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the proxy");
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(
        &mut stdin,
        br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}
"#,
    )
    .expect("write initialize");
    let line = crate::support::Lines::new(child.stdout.take().expect("stdout"), "patchbay proxy")
        .next(Duration::from_secs(60));
    let reply: Value = serde_json::from_str(&line).expect("one JSON-RPC message per line");
    assert_eq!(reply["id"], 1, "{reply}");
    assert_eq!(reply["result"]["serverInfo"]["name"], "patchbay-test-mcp");
    drop(stdin);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the proxy exits when stdin closes"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

/// A proxy stopped (SIGSTOP) past the server's idle timeout, then continued: the server has
/// forgotten the session, and the next call opens a new one without the client noticing.
#[test]
fn a_proxy_stopped_past_the_servers_idle_timeout_works_on_its_next_call() {
    let w = World::new(json!({}), json!({"sessionIdleMs": 1000}));
    w.add(&[]);
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect: {out}");
    let (out, stderr) = run_client(&w, &["--calls", "2", "--stop-ms", "1600"]);
    assert_eq!(out["error"], Value::Null, "{out} {stderr}");
    assert_eq!(
        out["results"],
        json!([
            {"ok": true, "text": "hello through the proxy"},
            {"ok": true, "text": "hello through the proxy"}
        ]),
        "{out} {stderr}"
    );
    let stats: Value = reqwest::blocking::Client::new()
        .get(w.url().replace("/mcp", "/__stats"))
        .timeout(Duration::from_secs(10))
        .send()
        .expect("stats")
        .json()
        .expect("json");
    assert!(
        stats["tags"]["session:expired"]
            .as_u64()
            .is_some_and(|n| n >= 1),
        "the server never saw its session expire, so nothing was tested: {stats}"
    );
}
