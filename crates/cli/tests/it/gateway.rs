//! `patchbay gateway key ...`: access keys as scripts use them.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Home, Lines, World, http_server, servers_dir, spawn_mcp_remote};

fn seeded() -> Home {
    let h = Home::new();
    h.ok(&[
        "action",
        "add",
        "linear",
        "--url",
        "https://mcp.linear.example/mcp",
    ]);
    h.ok(&[
        "action",
        "add",
        "github",
        "--url",
        "https://api.github.example/mcp",
    ]);
    h
}

#[test]
fn a_key_is_printed_alone_once_and_listed_without_it() {
    let h = seeded();
    let key = h.ok(&[
        "gateway",
        "key",
        "add",
        "codex",
        "--actions",
        "linear,github",
        "--tools",
        "linear__search_issues",
    ]);
    let key = key.trim();
    assert!(
        key.starts_with("pbk_") && key.len() == 47 && !key.contains(' '),
        "{key}"
    );

    let json = h.json(&[
        "gateway",
        "key",
        "add",
        "ci",
        "--actions",
        "*",
        "--expires",
        "30d",
    ]);
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["actions", "createdAt", "expiresAt", "key", "name", "tools"]
    );
    assert_eq!(json["actions"], serde_json::json!(["*"]));
    assert!(
        json["expiresAt"]
            .as_str()
            .is_some_and(|e| e > json["createdAt"].as_str().unwrap_or(""))
    );

    let list = h.json(&["gateway", "key", "list"]);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    let codex = list.iter().find(|k| k["name"] == "codex").expect("codex");
    let mut fields: Vec<&str> = codex
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "actions",
            "createdAt",
            "expiresAt",
            "lastUsedAt",
            "name",
            "revokedAt",
            "tools"
        ]
    );
    assert_eq!(codex["actions"], serde_json::json!(["linear", "github"]));
    assert_eq!(codex["tools"], serde_json::json!(["linear__search_issues"]));
    assert_eq!(codex["revokedAt"], Value::Null);

    // Nowhere on disk but that one output: the database has its hash only.
    let ci_key = json["key"].as_str().expect("key");
    for (file, bytes) in patchbay_testsupport::all_bytes(h.0.path()) {
        assert!(
            !patchbay_testsupport::contains(&bytes, key),
            "the key is in {file}"
        );
        assert!(
            !patchbay_testsupport::contains(&bytes, ci_key),
            "the key is in {file}"
        );
    }
    assert!(!h.ok(&["gateway", "key", "list"]).contains("pbk_"));

    let human = h.ok(&["gateway", "key", "revoke", "CODEX"]);
    assert!(human.contains("Revoked access key 'codex'"), "{human}");
    let list = h.json(&["gateway", "key", "list"]);
    let codex = list
        .as_array()
        .expect("array")
        .iter()
        .find(|k| k["name"] == "codex")
        .expect("codex");
    assert!(codex["revokedAt"].is_string(), "{codex}");
    let table = h.ok(&["gateway", "key", "list"]);
    assert!(
        table.contains("revoked") && table.contains("every action, present and future"),
        "{table}"
    );
}

#[test]
fn bad_keys_name_the_problem_and_save_nothing() {
    let h = seeded();
    let out = h
        .run(&["--json", "gateway", "key", "add", "k", "--actions", "nope"])
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(
        crate::support::error_code(&err).as_deref(),
        Some("invalid_input"),
        "{err}"
    );
    assert!(err.contains("there is no action 'nope'"), "{err}");
    h.run(&[
        "gateway",
        "key",
        "add",
        "k",
        "--actions",
        "linear",
        "--tools",
        "github__x",
    ])
    .code(1)
    .stderr(predicates::str::contains("which --actions leaves out"));
    h.run(&[
        "gateway",
        "key",
        "add",
        "k",
        "--actions",
        "linear",
        "--expires",
        "soon",
    ])
    .code(1)
    .stderr(predicates::str::contains("is not a duration"));
    h.run(&["gateway", "key", "add", "k"]).code(2);
    h.run(&["gateway", "key", "revoke", "nope"])
        .code(1)
        .stderr(predicates::str::contains("patchbay gateway key list"));
    assert_eq!(h.json(&["gateway", "key", "list"]), serde_json::json!([]));
}

#[test]
fn action_names_may_not_contain_the_tool_separator() {
    let h = seeded();
    h.run(&["action", "add", "a__b", "--url", "https://x.example/mcp"])
        .code(1)
        .stderr(predicates::str::contains("contains '__'"));
    h.run(&["action", "edit", "linear", "--rename", "lin__ear"])
        .code(1)
        .stderr(predicates::str::contains("ACTION__TOOL"));
    h.ok(&["action", "add", "a_b", "--url", "https://x.example/mcp"]);
}

/// `patchbay gateway serve --port 0` on the world's profile, stopped on drop.
struct Gateway {
    child: std::process::Child,
    url: String,
}

impl Gateway {
    /// SIGTERM, then wait (bounded) for the gateway to end cleanly.
    fn terminate(mut self, within: Duration) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill -TERM {pid}");
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(
                    status.success(),
                    "the gateway ended with {status} after SIGTERM"
                );
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the gateway did not end within {within:?} of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(w: &World) -> Gateway {
    serve_with(w, &[])
}

fn serve_with(w: &World, env: &[(&str, &std::ffi::OsStr)]) -> Gateway {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("patchbay"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .args(["gateway", "serve", "--port", "0"])
        .env("PATCHBAY_HOME", w.home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gateway serve");
    let first = Lines::new(
        child.stdout.take().expect("stdout"),
        "patchbay gateway serve",
    )
    .next(Duration::from_secs(30));
    let url = first.trim().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );
    Gateway { child, url }
}

/// A real MCP client (`program script`) against the gateway: its one-line JSON report.
fn report(
    program: &Path,
    script: &str,
    what: &str,
    url: &str,
    key: &str,
    calls: &[(&str, Value)],
    extra: &[&str],
) -> Value {
    let mut c = Command::new(program);
    c.arg(servers_dir().join(script)).args([url, key]);
    for (tool, args) in calls {
        c.args(["--call", tool, &args.to_string()]);
    }
    c.args(extra);
    json_line(c, what)
}

/// Run `c` (bounded) and read the one JSON line it prints.
fn json_line(mut c: Command, what: &str) -> Value {
    let child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {what} ({e}; scripts/setup.sh --test installs it)")
        });
    finished(child, what)
}

/// The MCP TypeScript SDK's client (Streamable HTTP, 2025-11-25 sessions): its tools, then
/// `calls`, then `extra` (`--prompt NAME ARGS`, `--read URI`).
fn ts_client(url: &str, key: &str, calls: &[(&str, Value)], extra: &[&str]) -> Value {
    let what = "the MCP TypeScript SDK client (tests/servers/gateway-client.mjs)";
    report(
        Path::new("node"),
        "gateway-client.mjs",
        what,
        url,
        key,
        calls,
        extra,
    )
}

fn client(url: &str, key: &str, calls: &[(&str, Value)]) -> Value {
    ts_client(url, key, calls, &[])
}

/// The TypeScript SDK's client getting prompts and reading resources.
fn client_gets(url: &str, key: &str, gets: &[&str]) -> Value {
    ts_client(url, key, &[], gets)
}

/// The Python MCP SDK's client (tests/servers/.venv, from scripts/setup.sh --test).
fn python_client(url: &str, key: &str, calls: &[(&str, Value)]) -> Value {
    let what = "the Python MCP SDK client (tests/servers/gateway_client.py)";
    report(
        &servers_dir().join(".venv/bin/python"),
        "gateway_client.py",
        what,
        url,
        key,
        calls,
        &[],
    )
}

fn tool_names(report: &Value) -> Vec<String> {
    let mut names: Vec<String> = report["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {report}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn real_clients_reach_every_action_they_hold_a_key_for_and_nothing_else() {
    let w = World::simple();
    w.add(&[]);
    let (code, _, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect the OAuth action");
    let pong = http_server("pong", 0);
    w.ok(&[
        "action",
        "add",
        "ping",
        "--url",
        &pong.url,
        "--http",
        "--method",
        "POST",
        "--body",
        r#"{"who": "{{who}}"}"#,
    ]);
    w.ok(&["action", "add", "down", "--url", "http://127.0.0.1:9/mcp"]);
    // An HTTP action with placeholders in its URL's path and query and in a header.
    let echo = http_server("echo", 0);
    let echo_path = echo
        .url
        .trim_end_matches('/')
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap_or_default();
    w.ok(&[
        "action",
        "add",
        "lookup",
        "--url",
        &format!(
            "{}/items/{{{{id}}}}?q={{{{q}}}}",
            echo.url.trim_end_matches('/')
        ),
        "--http",
        "--header",
        "X-Tenant: t-{{tenant}}",
    ]);
    let all = w
        .ok(&["gateway", "key", "add", "all", "--actions", "*"])
        .trim()
        .to_string();
    let echo_only = w
        .ok(&[
            "gateway",
            "key",
            "add",
            "echo-only",
            "--actions",
            "demo",
            "--tools",
            "demo__echo",
        ])
        .trim()
        .to_string();
    let gw = serve(&w);

    // Every action's tools, named ACTION__TOOL; the HTTP action as one tool; the action that
    // is down costs only its own tools, and a call to it says why. Calls reach the real
    // servers with Patchbay's credentials.
    let r = client(
        &gw.url,
        &all,
        &[
            ("demo__echo", json!({"text": "through the gateway"})),
            ("demo__add", json!({"a": 2, "b": 3})),
            ("ping", json!({"who": "gw"})),
            ("down__echo", json!({})),
            (
                "lookup",
                json!({"id": "a/b?c", "q": "x y&z=1", "tenant": "acme"}),
            ),
        ],
    );
    assert_eq!(
        tool_names(&r),
        [
            "demo__add",
            "demo__admin",
            "demo__echo",
            "demo__whoami",
            "lookup",
            "ping"
        ],
        "{r}"
    );
    let lookup = r["tools"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "lookup"))
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(
        lookup["inputSchema"]["required"],
        json!(["id", "q", "tenant"]),
        "the URL's and the header's placeholders are the tool's arguments: {r}"
    );
    let echoed: Value = serde_json::from_str(r["calls"][4]["text"].as_str().unwrap_or("null"))
        .unwrap_or_else(|e| panic!("{e}: {r}"));
    assert_eq!(
        echoed,
        json!({"method": "GET", "path": format!("{}/items/a%2Fb%3Fc", echo_path), "query": "?q=x%20y%26z%3D1", "tenant": "t-acme", "body": ""}),
        "each value stays inside its place in the URL: {r}"
    );
    let calls = r["calls"].as_array().expect("calls");
    assert_eq!(calls[0]["text"], "through the gateway", "{r}");
    assert_eq!(calls[1]["text"], "5", "{r}");
    assert_eq!(
        (calls[2]["ok"].clone(), calls[2]["isError"].clone()),
        (json!(true), json!(false)),
        "{r}"
    );
    assert!(
        calls[2]["text"]
            .as_str()
            .is_some_and(|t| t.contains("pong")),
        "{r}"
    );
    assert!(
        calls[3]["error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot reach http://127.0.0.1:9/mcp")),
        "{r}"
    );

    // Prompts and resources: prompts named like tools, resources by their own URIs.
    let pr = client_gets(
        &gw.url,
        &all,
        &[
            "--prompt",
            "demo__greet",
            r#"{"name": "Ada"}"#,
            "--read",
            "demo://readme",
            "--read",
            "demo://nothing-here",
        ],
    );
    assert_eq!(pr["prompts"], json!(["demo__greet"]), "{pr}");
    assert_eq!(pr["resources"], json!(["demo://readme"]), "{pr}");
    assert_eq!(pr["got"][0]["text"], "Say hello to Ada", "{pr}");
    assert_eq!(pr["got"][1]["text"], "the patchbay test MCP server", "{pr}");
    assert!(
        pr["got"][2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("no resource 'demo://nothing-here'")),
        "{pr}"
    );
    let pr = client_gets(
        &gw.url.replace("/mcp", "/a/demo/mcp"),
        &all,
        &["--prompt", "greet", r#"{"name": "Bo"}"#],
    );
    assert_eq!(pr["prompts"], json!(["greet"]), "{pr}");
    assert_eq!(pr["got"][0]["text"], "Say hello to Bo", "{pr}");

    // Each call's log row names the client and the key (never the key itself).
    let via = "tools/call echo (via the gateway: patchbay-gateway-test, access key 'all')";
    let logs = w.ok_until(
        &["--json", "logs", "--kind", "call", "--action", "demo"],
        |l| l.contains(via),
    );
    assert!(logs.contains(via), "{logs}");
    let via = "(via the gateway: patchbay-gateway-test, access key 'all')";
    let http_logs = w.ok_until(&["--json", "logs", "--action", "ping"], |l| l.contains(via));
    assert!(http_logs.contains(via), "{http_logs}");
    assert!(
        !logs.contains(&all) && !http_logs.contains(&all),
        "no key in the log"
    );

    // The Python MCP SDK's client, independently: the same tools, the same answers.
    let py = python_client(
        &gw.url,
        &all,
        &[
            ("demo__echo", json!({"text": "from python"})),
            ("ping", json!({"who": "py"})),
        ],
    );
    let mut py_tools: Vec<String> = py["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("{py}"))
        .iter()
        .filter_map(|t| t.as_str().map(String::from))
        .collect();
    py_tools.sort();
    assert_eq!(py_tools, tool_names(&r), "{py}");
    assert_eq!(py["calls"][0]["text"], "from python", "{py}");
    assert!(
        py["calls"][1]["text"]
            .as_str()
            .is_some_and(|t| t.contains("pong")),
        "{py}"
    );

    // The upstream forgets its sessions (as after a restart): the gateway's shared session
    // gets a 404, opens a new one and the client never notices.
    let forgot: Value = reqwest::blocking::Client::new()
        .post(w.url().replace("/mcp", "/__admin/forget-sessions"))
        .send()
        .expect("forget")
        .json()
        .expect("json");
    assert!(
        forgot["forgotten"].as_u64().is_some_and(|n| n >= 1),
        "{forgot}"
    );
    let r = echo_with(&gw.url, &all, "after a restart");
    assert_eq!(r["calls"][0]["text"], "after a restart", "{r}");

    // A key limited to one tool: the others are absent and refused.
    let r = client(
        &gw.url,
        &echo_only,
        &[
            ("demo__echo", json!({"text": "ok"})),
            ("demo__add", json!({"a": 1, "b": 1})),
        ],
    );
    assert_eq!(tool_names(&r), ["demo__echo"], "{r}");
    assert_eq!(r["calls"][0]["text"], "ok");
    assert_eq!(r["calls"][1]["ok"], false, "{r}");
    let py = python_client(
        &gw.url,
        &echo_only,
        &[
            ("demo__echo", json!({"text": "ok"})),
            ("demo__add", json!({"a": 1, "b": 1})),
        ],
    );
    assert_eq!(py["tools"], json!(["demo__echo"]), "{py}");
    assert_eq!(py["calls"][0]["text"], "ok", "{py}");
    assert!(
        py["calls"][1]["ok"] == false || py["calls"][1]["isError"] == true,
        "{py}"
    );

    // One action at /a/NAME/mcp, tool names unchanged; outside the key: 403.
    let one = gw.url.replace("/mcp", "/a/demo/mcp");
    let r = client(&one, &echo_only, &[("echo", json!({"text": "one"}))]);
    assert_eq!(tool_names(&r), ["echo"], "{r}");
    assert_eq!(r["calls"][0]["text"], "one");
    let r = client(&gw.url.replace("/mcp", "/a/ping/mcp"), &echo_only, &[]);
    assert!(
        r["connectError"]
            .as_str()
            .is_some_and(|e| e.contains("does not open")),
        "{r}"
    );

    // Revoked in another process: the next request is refused.
    w.ok(&["gateway", "key", "revoke", "echo-only"]);
    let r = client(&gw.url, &echo_only, &[]);
    assert!(
        r["connectError"]
            .as_str()
            .is_some_and(|e| e.contains("unknown, revoked or expired")),
        "{r}"
    );
    let py = python_client(&gw.url, &echo_only, &[]);
    assert!(
        py["connectError"]
            .as_str()
            .is_some_and(|e| e.contains("401")),
        "{py}"
    );
    let r = client(&gw.url, "", &[]);
    assert!(
        r["connectError"]
            .as_str()
            .is_some_and(|e| e.contains("access key is needed")),
        "{r}"
    );

    // Requests not addressed to this gateway, from other origins, or too large are refused.
    let port = gw
        .url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/mcp")
        .to_string();
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let post = |host: &str, origin: Option<&str>, body: String| {
        let mut rq = http
            .post(&gw.url)
            .header("host", host)
            .header("authorization", format!("Bearer {all}"))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body);
        if let Some(o) = origin {
            rq = rq.header("origin", o);
        }
        match rq.send() {
            Ok(r) => r.status().as_u16(),
            // A server may refuse a body before reading it all and close the connection; the
            // client then sees the connection end instead of the 413.
            Err(e) if e.is_request() && format!("{e:?}").contains("IncompleteMessage") => 413,
            Err(e) => panic!("request: {e}"),
        }
    };
    assert_eq!(
        post(&format!("localhost:{port}"), None, init.to_string()),
        200
    );
    assert_eq!(
        post(&format!("evil.example:{port}"), None, init.to_string()),
        403,
        "DNS rebinding"
    );
    assert_eq!(
        post(
            &format!("127.0.0.1:{port}"),
            Some("https://evil.example"),
            init.to_string()
        ),
        403
    );
    assert_eq!(
        post(
            &format!("127.0.0.1:{port}"),
            Some(&format!("http://localhost:{port}")),
            init.to_string()
        ),
        200
    );
    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(5 * 1024 * 1024));
    assert_eq!(
        post(&format!("127.0.0.1:{port}"), None, huge),
        413,
        "bounded bodies"
    );
    // (A fresh client: the server closed the connection the huge body came on.)
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for (garbage, code) in [
        ("{not json", -32700),
        (r#"{"jsonrpc": "2.0", "id": 1}"#, -32600),
    ] {
        let r = http
            .post(&gw.url)
            .bearer_auth(&all)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(garbage)
            .send()
            .expect("request");
        assert_eq!(r.status(), 400, "{garbage}");
        let body: Value = r.json().expect("a JSON-RPC error");
        assert_eq!(body["error"]["code"], code, "{garbage}: {body}");
        assert_eq!(body["jsonrpc"], "2.0");
    }

    // The log tells what the gateway refused (once a minute per kind) and which keys were
    // made and revoked, never a key.
    let refusals = w.ok_until(&["logs", "--kind", "gateway"], |l| {
        l.contains("a Host other than")
    });
    for said in [
        "gateway listening at",
        "refused a request (403): a Host other than 127.0.0.1 or localhost on its port",
        "refused a request (403): an Origin other than this gateway's",
        "refused a request (401): an unknown, revoked or expired access key",
        "refused a request (401): no access key",
    ] {
        assert!(refusals.contains(said), "{said}: {refusals}");
    }
    let keys_log = w.ok(&["logs", "--kind", "gateway_key"]);
    assert!(
        keys_log.contains("access key 'all' made: opens every action")
            && keys_log.contains("access key 'echo-only' made: opens demo")
            && keys_log.contains("access key 'echo-only' revoked"),
        "{keys_log}"
    );
    assert!(!refusals.contains(&all) && !keys_log.contains(&all));

    // Status, from another process: where it runs, the working keys, who called.
    let st: Value = serde_json::from_str(&w.ok(&["--json", "gateway", "status"])).expect("json");
    let mut fields: Vec<&str> = st
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(fields, ["clients", "keys", "pid", "port", "running", "url"]);
    assert_eq!(st["running"], true);
    assert_eq!(st["url"], json!(gw.url));
    assert_eq!(st["pid"], json!(gw.child.id()));
    assert_eq!(st["keys"], 1, "echo-only was revoked: {st}");
    let clients = st["clients"].as_array().expect("clients");
    assert_eq!(clients.len(), 2, "{st}");
    assert_eq!(clients[0]["kind"], "key");
    assert!(
        clients
            .iter()
            .any(|c| c["name"] == "all" && c["lastTool"] == "demo__echo"),
        "{st}"
    );
    assert!(clients.iter().all(|c| c["lastCallAt"].is_string()), "{st}");
    assert!(
        clients
            .iter()
            .any(|c| c["name"] == "echo-only" && c["lastTool"] == "echo"),
        "a refused call is not a call: {st}"
    );

    // A second gateway on this profile names the first and exits 1.
    let again = w
        .cmd()
        .args(["gateway", "serve", "--port", "0"])
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already running"));

    drop(gw);
    let st: Value = serde_json::from_str(&w.ok(&["--json", "gateway", "status"])).expect("json");
    assert_eq!(
        (st["running"].clone(), st["url"].clone(), st["pid"].clone()),
        (json!(false), Value::Null, Value::Null),
        "{st}"
    );
    assert_eq!(st["port"], 47616, "the setting when it does not run");

    // The keys are nowhere on disk.
    for (file, bytes) in patchbay_testsupport::all_bytes(w.home.path()) {
        assert!(
            !patchbay_testsupport::contains(&bytes, &all),
            "a key is in {file}"
        );
        assert!(
            !patchbay_testsupport::contains(&bytes, &echo_only),
            "a key is in {file}"
        );
    }
}

/// A tool call of an action that requires confirmation waits for the user: the gateway starts
/// the app (here a stand-in that answers through the real CLI) and goes on as it decides.
#[test]
fn a_call_that_needs_confirmation_waits_for_the_users_answer() {
    let w = World::simple();
    w.add(&["--confirm"]);
    let (code, _, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect");
    let key = w
        .ok(&["gateway", "key", "add", "k", "--actions", "demo"])
        .trim()
        .to_string();
    for (decision, expect) in [("approve", "approved call"), ("deny", "denied")] {
        let marker = w.home.path().join(format!("launches-{decision}"));
        let bin = assert_cmd::cargo::cargo_bin("patchbay");
        let gw = serve_with(
            &w,
            &[
                (
                    "PATCHBAY_DESKTOP_BIN",
                    servers_dir().join("fake-app.mjs").as_os_str(),
                ),
                ("FAKE_APP_MARKER", marker.as_os_str()),
                ("FAKE_APP_DECISION", std::ffi::OsStr::new(decision)),
                ("FAKE_APP_CLI", bin.as_os_str()),
            ],
        );
        let r = echo_with(&gw.url, &key, "approved call");
        let call = &r["calls"][0];
        let said = format!(
            "{}{}",
            call["text"].as_str().unwrap_or(""),
            call["error"].as_str().unwrap_or("")
        );
        assert!(said.contains(expect), "{decision}: {r}");
        assert_eq!(
            std::fs::read_to_string(&marker).unwrap_or_default(),
            "launched\n",
            "the app was started once"
        );
        drop(gw);
    }
    // Nobody answers, and the gateway is stopped meanwhile: the call gets an error and the
    // request it left pending is denied, saying why.
    let gw = serve_with(
        &w,
        &[
            (
                "PATCHBAY_DESKTOP_BIN",
                servers_dir().join("fake-app.mjs").as_os_str(),
            ),
            ("FAKE_APP_DECISION", std::ffi::OsStr::new("ignore")),
        ],
    );
    let waiting = Command::new("node")
        .arg(servers_dir().join("gateway-client.mjs"))
        .args([gw.url.as_str(), key.as_str(), "--call", "demo__echo"])
        .arg(json!({"text": "never confirmed"}).to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let pending: Value = serde_json::from_str(&w.ok(&["--json", "approvals"])).expect("json");
        if pending["pending"].as_array().is_some_and(|p| !p.is_empty()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the call through the gateway never asked for confirmation in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    gw.terminate(Duration::from_secs(20));
    let out = patchbay_testsupport::output_within(
        waiting,
        Duration::from_secs(30),
        "the client whose call was pending",
    );
    let r: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(r["calls"][0]["ok"], false, "{r}");
    let approvals: Value = serde_json::from_str(&w.ok(&["--json", "approvals"])).expect("json");
    let c = &approvals["counts"][0];
    assert_eq!(
        (
            c["approved"].clone(),
            c["denied"].clone(),
            approvals["pending"].clone()
        ),
        (json!(1), json!(2), json!([])),
        "{approvals}"
    );
    let log = w.ok(&["logs", "--kind", "approval"]);
    assert!(
        log.contains("tools/call echo denied: the gateway stopped"),
        "{log}"
    );
    let log = w.ok(&["logs", "--kind", "gateway"]);
    assert!(
        log.contains("gateway listening at") && log.contains("stopped"),
        "{log}"
    );
}

/// The demo action, connected, and a key opening it.
fn demo_with_key(w: &World, key: &str) -> String {
    w.add(&[]);
    let (code, _, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect");
    w.ok(&["gateway", "key", "add", key, "--actions", "demo"])
        .trim()
        .to_string()
}

/// rmcp's client, as Patchbay's own runtime uses it (it asks `server/discover` and speaks the
/// stateless 2026-07-28 form when offered), through the gateway: an action whose URL is the
/// gateway and whose token is an access key.
#[test]
fn rmcp_clients_reach_the_gateway_too() {
    let w = World::simple();
    let key = demo_with_key(&w, "rmcp");
    let gw = serve(&w);
    w.cmd()
        .args([
            "token",
            "add",
            "gw-key",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
            "--value-stdin",
        ])
        .write_stdin(key.clone())
        .assert()
        .success();
    w.ok(&[
        "action",
        "add",
        "through",
        "--url",
        &gw.url,
        "--auth",
        "token:gw-key",
    ]);
    let tools: Value = serde_json::from_str(&w.ok(&["--json", "tools", "through"])).expect("json");
    let names: Vec<&str> = tools
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"demo__echo") && !names.iter().any(|n| n.starts_with("through")),
        "{tools}"
    );
    let out = w.ok(&[
        "call",
        "through",
        "demo__echo",
        "--args",
        r#"{"text": "rmcp through the gateway"}"#,
    ]);
    assert_eq!(out.trim(), "rmcp through the gateway");
    let health: Value = serde_json::from_str(&w.ok(&["--json", "test", "through"])).expect("json");
    assert_eq!(health["status"], "healthy", "{health}");

    // The 2026-07-28 wire itself: no handshake and no session, each request on its own.
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let r = reqwest::blocking::Client::new()
        .post(&gw.url)
        .timeout(Duration::from_secs(20))
        .bearer_auth(&key)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "demo__echo")
        .json(
            &json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
            "name": "demo__echo", "arguments": {"text": "stateless"}, "_meta": meta}}),
        )
        .send()
        .expect("a stateless request");
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("mcp-session-id").is_none(),
        "a stateless request opens no session"
    );
    let body = r.text().expect("body");
    assert!(
        body.contains(r#""text":"stateless""#) && body.contains(r#""id":7"#),
        "{body}"
    );
}

#[test]
fn a_busy_port_is_an_error_naming_the_setting_never_another_port() {
    let h = Home::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = h.run(&["gateway", "serve", "--port", &port]).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("in use") && err.contains("gatewayPort"),
        "{err}"
    );
    assert!(out.get_output().stdout.is_empty(), "no URL was printed");
}

/// What the upstream sends on its own reaches the client whose call caused it: progress,
/// a question for the user (elicitation), a changed tool list; a client's cancellation
/// reaches the upstream.
#[test]
fn upstream_traffic_reaches_the_client_that_caused_it() {
    let w = World::new(json!({}), json!({"interactive": true}));
    let key = demo_with_key(&w, "k");
    let gw = serve(&w);
    let stats = |w: &World| -> Value {
        reqwest::blocking::Client::new()
            .get(w.url().replace("/mcp", "/__stats"))
            .timeout(Duration::from_secs(10))
            .send()
            .expect("stats")
            .json()
            .expect("json")
    };
    // The gateway's shared upstream session is open; then its event stream is cut (as a
    // proxy in between might): the gateway opens it again, or the question and the list
    // change below would never arrive.
    let r = client(&gw.url, &key, &[("demo__echo", json!({"text": "open"}))]);
    assert_eq!(r["calls"][0]["text"], "open", "{r}");
    let streams_before = stats(&w)["tags"]["stream:get"].as_u64().unwrap_or(0);
    let dropped: Value = reqwest::blocking::Client::new()
        .post(w.url().replace("/mcp", "/__admin/drop-streams"))
        .timeout(Duration::from_secs(10))
        .send()
        .expect("drop")
        .json()
        .expect("json");
    assert!(
        dropped["dropped"].as_u64().is_some_and(|n| n >= 1),
        "{dropped}"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while stats(&w)["tags"]["stream:get"].as_u64().unwrap_or(0) <= streams_before {
        assert!(
            std::time::Instant::now() < deadline,
            "the gateway did not open its upstream event stream again within 15 s: {}",
            stats(&w)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = ts_client(
        &gw.url,
        &key,
        &[("demo__ask", json!({})), ("demo__summarize", json!({}))],
        &[
            "--answer",
            "yes please",
            "--sample-answer",
            "a fine summary",
            "--progress",
            "demo__slow",
            r#"{"steps": 3}"#,
            "--cancel",
            "demo__slow",
            r#"{"steps": 100}"#,
            "--grow",
            "demo__grow",
        ],
    );
    // The elicitation went to this client, and its answer back to the server.
    assert_eq!(r["questions"], json!(["Proceed?"]), "{r}");
    assert_eq!(r["calls"][0]["text"], "accept: yes please", "{r}");
    // A sampling request went to this client's model, and its answer back.
    assert_eq!(r["calls"][1]["text"], "test-model: a fine summary", "{r}");
    // Progress, under the client's own token.
    assert_eq!(r["progress"], json!([1, 2, 3]), "{r}");
    assert_eq!(r["progressText"], "3 steps done", "{r}");
    // The cancellation reached the server, which stopped the call.
    assert!(r["cancelled"].is_string(), "{r}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while stats(&w)["tags"]["cancelled:slow"] != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the upstream never saw the cancellation: {}",
            stats(&w)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The upstream's list changed: the client heard it and sees the new tool.
    assert!(
        r["grown"]
            .as_array()
            .is_some_and(|t| t.iter().any(|n| n == "demo__grown")),
        "{r}"
    );

    // A client that cannot answer questions: the upstream's question is refused for it, and
    // the call still ends (the server sees the refusal).
    let r = client(&gw.url, &key, &[("demo__ask", json!({}))]);
    let said = format!("{}{}", r["calls"][0]["text"], r["calls"][0]["error"]);
    assert!(!said.contains("yes please"), "{r}");
    assert!(
        r["calls"][0]["ok"] == false || r["calls"][0]["isError"] == true,
        "{r}"
    );
}

/// Two real upstream MCP servers, one needing OAuth with a short-lived token: the token
/// expires and is refreshed under the gateway without the client noticing; the other server
/// is killed, which costs only its own tools; no key is anywhere on disk.
#[test]
fn a_killed_upstream_costs_only_its_tools_and_tokens_refresh_underneath() {
    let w = World::new(json!({"accessTokenTtl": 3}), json!({}));
    let key = demo_with_key(&w, "k");
    let second = crate::support::start(
        "mcp-server.mjs",
        "MCP_SERVER_CONFIG",
        json!({"auth": false}),
    );
    let second_url = second.ready["url"].as_str().expect("url").to_string();
    w.ok(&["action", "add", "second", "--url", &second_url]);
    // One that never answers holds up no one's listing for long.
    let hung = http_server("hang", 0);
    w.ok(&["action", "add", "hung", "--url", &hung.url]);
    let all = w
        .ok(&["gateway", "key", "add", "all", "--actions", "*"])
        .trim()
        .to_string();
    let gw = serve(&w);

    let started = std::time::Instant::now();
    let r = client(
        &gw.url,
        &all,
        &[
            ("demo__echo", json!({"text": "first"})),
            ("second__echo", json!({"text": "second"})),
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "a hung upstream held the listing up for {:?}",
        started.elapsed()
    );
    let names = tool_names(&r);
    assert!(!names.iter().any(|n| n.starts_with("hung__")), "{r}");
    assert!(
        names.contains(&"demo__echo".to_string()) && names.contains(&"second__echo".to_string()),
        "{r}"
    );
    assert_eq!(
        (r["calls"][0]["text"].clone(), r["calls"][1]["text"].clone()),
        (json!("first"), json!("second")),
        "{r}"
    );

    // The OAuth server's 3 s access token runs out; the other server dies.
    drop(second);
    std::thread::sleep(Duration::from_millis(3500));
    let r = client(
        &gw.url,
        &all,
        &[
            ("demo__echo", json!({"text": "after the expiry"})),
            ("second__echo", json!({"text": "gone"})),
        ],
    );
    let names = tool_names(&r);
    assert!(names.contains(&"demo__echo".to_string()), "{r}");
    assert!(
        !names.iter().any(|n| n.starts_with("second__")),
        "a dead upstream's tools are left out: {r}"
    );
    assert_eq!(r["calls"][0]["text"], "after the expiry", "{r}");
    let err = r["calls"][1]["error"].as_str().unwrap_or_default();
    assert!(
        err.contains("second") || err.contains(&second_url),
        "a call to the dead upstream names it: {r}"
    );
    let refreshes = w.ok_until(&["logs", "--kind", "refresh", "--action", "demo"], |l| {
        l.contains("ok")
    });
    assert!(
        refreshes.contains("ok"),
        "the token was refreshed: {refreshes}"
    );

    // Neither key is anywhere in the profile: not in SQLite, its WAL, logs or lock files.
    drop(gw);
    for (path, bytes) in patchbay_testsupport::all_bytes(w.home.path()) {
        for k in [&key, &all] {
            assert!(
                !patchbay_testsupport::contains(&bytes, k),
                "an access key is in {path}"
            );
        }
    }
}

/// An HTTP client for the gateway's own routes: bounded, following no redirect.
fn local_http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The gateway's RFC 8414 metadata.
fn as_metadata(http: &reqwest::blocking::Client, issuer: &str) -> Value {
    http.get(format!("{issuer}/.well-known/oauth-authorization-server"))
        .send()
        .expect("metadata")
        .json()
        .expect("json")
}

/// The access token of a token response, or a panic showing the response.
fn access_token(v: &Value) -> String {
    v["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_string()
}

/// `demo__echo` through the gateway with `token`, by the TypeScript SDK's client.
fn echo_with(url: &str, token: &str, text: &str) -> Value {
    client(url, token, &[("demo__echo", json!({"text": text}))])
}

/// A local app signing in with a third-party OAuth library (oauth4webapi): one JSON line.
fn oauth_app(args: &[&str]) -> Value {
    let mut c = Command::new("node");
    c.arg(servers_dir().join("oauth-app.mjs")).args(args);
    json_line(c, "the OAuth app (tests/servers/oauth-app.mjs)")
}

/// A custom OAuth client, as an integration a user builds: made with its actions, its
/// secret shown once; signs in (code + PKCE + client_secret_basic, `iss` checked), calls
/// tools, refreshes (rotation, the grace window, reuse ending the sign-in); rotate → the old
/// secret fails; revoke → its tokens fail; re-activate → a new sign-in works, the old
/// tokens stay dead.
#[test]
fn a_custom_oauth_client_signs_in_and_lives_through_rotate_revoke_and_reactivate() {
    let w = World::simple();
    let _key = demo_with_key(&w, "k");
    let gw = serve(&w);
    let issuer = gw.url.trim_end_matches("/mcp").to_string();
    let made: Value = serde_json::from_str(&w.ok(&[
        "--json",
        "gateway",
        "client",
        "add",
        "my-app",
        "--type",
        "confidential",
        "--redirect-uri",
        "http://127.0.0.1:8765/callback",
        "--actions",
        "demo",
        "--tools",
        "demo__echo",
    ]))
    .expect("json");
    let mut keys: Vec<&str> = made
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "actions",
            "clientId",
            "clientSecret",
            "endpoint",
            "issuer",
            "redirectUris",
            "tools"
        ]
        .iter()
        .copied()
        .chain(["name"])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>(),
        "{made}"
    );
    let id = made["clientId"].as_str().expect("id").to_string();
    let secret = made["clientSecret"].as_str().expect("secret").to_string();
    assert!(
        id.starts_with("pbc_") && secret.starts_with("pbcs_"),
        "{made}"
    );
    assert_eq!(made["issuer"], json!(issuer));
    assert_eq!(made["endpoint"], json!(gw.url));

    // Metadata, and a 401 that says where to find it.
    let http = local_http();
    let meta = as_metadata(&http, &issuer);
    assert_eq!(meta["issuer"], json!(issuer));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(meta["scopes_supported"], json!(["mcp", "offline_access"]));
    let prm: Value = http
        .get(format!("{issuer}/.well-known/oauth-protected-resource/mcp"))
        .send()
        .expect("prm")
        .json()
        .expect("json");
    assert_eq!(prm["resource"], json!(gw.url));
    assert_eq!(prm["authorization_servers"], json!([issuer]));
    let challenge = http.post(&gw.url).send().expect("401");
    assert_eq!(challenge.status(), 401);
    let www = challenge
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        www.contains(&format!(
            "resource_metadata=\"{issuer}/.well-known/oauth-protected-resource/mcp\""
        )) && www.contains("scope=\"mcp\""),
        "{www}"
    );

    // Sign in (a loopback redirect on another port is the same redirect), call a tool.
    let redirect = "http://127.0.0.1:9999/callback";
    let a = oauth_app(&["signin", &issuer, &id, &secret, redirect]);
    let access = access_token(&a);
    assert!(access.starts_with("pbat_"), "{a}");
    assert!(
        a["refresh_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("pbrt_")),
        "{a}"
    );
    assert_eq!(a["expires_in"], 3600, "{a}");
    let r = echo_with(&gw.url, &access, "signed in");
    assert_eq!(
        tool_names(&r),
        ["demo__echo"],
        "only what the client was given: {r}"
    );
    assert_eq!(r["calls"][0]["text"], "signed in", "{r}");
    // A token for /mcp is not one for /a/demo/mcp.
    let r = client(&gw.url.replace("/mcp", "/a/demo/mcp"), &access, &[]);
    assert!(r["connectError"].is_string(), "{r}");
    // A redirect URI it did not register gets no code.
    let bad = oauth_app(&[
        "signin",
        &issuer,
        &id,
        &secret,
        "http://127.0.0.1:9999/elsewhere",
    ]);
    assert_eq!(bad["error"], "no_redirect", "{bad}");

    // Refresh: each use replaces the token; the replaced one works again only within the
    // grace window while its successor is unused; any other reuse ends the sign-in.
    let first = a["refresh_token"].as_str().expect("rt").to_string();
    let b = oauth_app(&["refresh", &issuer, &id, &secret, &first]);
    assert!(b["access_token"].is_string(), "{b}");
    let c = oauth_app(&["refresh", &issuer, &id, &secret, &first]);
    assert!(
        c["access_token"].is_string(),
        "within the grace window: {c}"
    );
    let c_rt = c["refresh_token"].as_str().expect("rt").to_string();
    let d = oauth_app(&["refresh", &issuer, &id, &secret, &c_rt]);
    let d_access = access_token(&d);
    let r = echo_with(&gw.url, &d_access, "refreshed");
    assert_eq!(r["calls"][0]["text"], "refreshed", "{r}");
    let reused = oauth_app(&["refresh", &issuer, &id, &secret, &first]);
    assert_eq!(reused["error"], "invalid_grant", "{reused}");
    let r = client(&gw.url, &d_access, &[]);
    assert!(
        r["connectError"].is_string(),
        "the whole sign-in ended: {r}"
    );
    let log = w.ok_until(&["logs", "--kind", "gateway_auth"], |l| {
        l.contains("reused a replaced refresh token")
    });
    assert!(log.contains("reused a replaced refresh token"), "{log}");

    // Rotate: asked first (no terminal: exit 2), then the old secret stops at once.
    w.cmd()
        .args(["gateway", "client", "rotate", "my-app"])
        .assert()
        .code(2);
    let rotated: Value =
        serde_json::from_str(&w.ok(&["--json", "gateway", "client", "rotate", "my-app", "--yes"]))
            .expect("json");
    let new_secret = rotated["clientSecret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_ne!(new_secret, secret);
    let old = oauth_app(&["signin", &issuer, &id, &secret, redirect]);
    assert_eq!(old["error"], "invalid_client", "{old}");
    let e = oauth_app(&["signin", &issuer, &id, &new_secret, redirect]);
    let e_access = access_token(&e);

    // Revoke: its tokens die at once, and it cannot sign in.
    w.ok(&["gateway", "client", "revoke", "my-app"]);
    let r = client(&gw.url, &e_access, &[]);
    assert!(r["connectError"].is_string(), "{r}");
    let refused = oauth_app(&["signin", &issuer, &id, &new_secret, redirect]);
    assert_eq!(refused["error"], "unauthorized_client", "{refused}");
    let listed: Value =
        serde_json::from_str(&w.ok(&["--json", "gateway", "client", "list"])).expect("json");
    assert_eq!(listed[0]["status"], "revoked", "{listed}");
    assert_eq!(listed[0]["kind"], "custom", "{listed}");
    assert_eq!(listed[0]["type"], "confidential", "{listed}");
    assert!(listed[0]["secretRotatedAt"].is_string(), "{listed}");
    assert!(
        !listed.to_string().contains("pbcs_"),
        "never a secret: {listed}"
    );

    // Re-activate: a new sign-in works; the old token stays dead.
    w.ok(&["gateway", "client", "reactivate", "my-app"]);
    let r = client(&gw.url, &e_access, &[]);
    assert!(
        r["connectError"].is_string(),
        "no old token comes back: {r}"
    );
    let f = oauth_app(&["signin", &issuer, &id, &new_secret, redirect]);
    let f_access = access_token(&f);
    let r = echo_with(&gw.url, &f_access, "back");
    assert_eq!(r["calls"][0]["text"], "back", "{r}");
    // The Gateway screen's "who called" names the OAuth client (written within a second).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let st: Value =
            serde_json::from_str(&w.ok(&["--json", "gateway", "status"])).expect("json");
        let seen = st["clients"].as_array().is_some_and(|c| {
            c.iter().any(|c| {
                c["name"] == "my-app" && c["kind"] == "oauth" && c["lastTool"] == "demo__echo"
            })
        });
        if seen {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the OAuth client's call never showed in gateway status within 10 s: {st}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let gone = oauth_app(&["revoke", &issuer, &id, &new_secret, &f_access]);
    assert_eq!(gone["revoked"], true, "{gone}");
    let r = client(&gw.url, &f_access, &[]);
    assert!(r["connectError"].is_string(), "revoked by RFC 7009: {r}");

    // Guessing a client's secret is slowed down: after 10 failures in a minute, 429.
    let other: Value = serde_json::from_str(&w.ok(&[
        "--json",
        "gateway",
        "client",
        "add",
        "other",
        "--type",
        "confidential",
        "--redirect-uri",
        "http://127.0.0.1:8765/callback",
        "--actions",
        "demo",
    ]))
    .expect("json");
    let other_id = other["clientId"].as_str().expect("id");
    let statuses: Vec<u16> = (0..11)
        .map(|_| {
            http.post(format!("{issuer}/token"))
                .basic_auth(other_id, Some("pbcs_wrong"))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
                .send()
                .expect("token")
                .status()
                .as_u16()
        })
        .collect();
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");

    // No secret or token of the gateway is anywhere in the profile.
    drop(gw);
    let other_secret = other["clientSecret"].as_str().expect("secret").to_string();
    for (path, bytes) in patchbay_testsupport::all_bytes(w.home.path()) {
        for s in [
            &secret,
            &new_secret,
            &access,
            &d_access,
            &e_access,
            &f_access,
            &first,
            &other_secret,
        ] {
            assert!(
                !patchbay_testsupport::contains(&bytes, s),
                "a secret or token is in {path}"
            );
        }
    }
}

/// The MCP TypeScript SDK's client (its own `auth()`), signing in through the browser.
fn sdk_oauth_client(url: &str, extra: &[&str]) -> std::process::Child {
    Command::new("node")
        .arg(servers_dir().join("sdk-oauth-client.mjs"))
        .arg(url)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node tests/servers/sdk-oauth-client.mjs (scripts/setup.sh --test installs it)")
}

/// `gateway consents --json` until one sign-in waits (30 s at most): that one.
fn waiting_consent(w: &World) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let c: Value =
            serde_json::from_str(&w.ok(&["--json", "gateway", "consents"])).expect("json");
        if let Some(p) = c["pending"].as_array().and_then(|p| p.first()) {
            return p.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no sign-in waited for consent within 30 s: {c}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The one JSON line of a finished child (60 s at most).
fn finished(child: std::process::Child, what: &str) -> Value {
    let out = patchbay_testsupport::output_within(child, Duration::from_secs(60), what);
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{what}: output is not JSON ({e}): {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A local app (the MCP TypeScript SDK's client and its own OAuth) signs in through the
/// browser: it registers itself, the browser shows the consent page with a short code, the
/// app (started by the gateway) would ask; here `gateway approve` answers after
/// `gateway consents --json` showed the request. Then tools are listed and called, and the
/// 5 s access token is refreshed underneath. A second sign-in at the same place goes through
/// without asking; a denied one gets access_denied; a Client ID Metadata Document client is
/// named by its publisher.
#[test]
fn a_local_app_signs_in_through_the_browser_with_the_users_consent() {
    let w = World::simple();
    let _key = demo_with_key(&w, "k");
    w.ok(&["settings", "set", "gatewayAccessTokenSecs", "5"]);
    let marker = w.home.path().join("app-launches");
    let doc = w.home.path().join("client.json");
    std::fs::write(
        &doc,
        json!({
            "client_id": "https://app.example/oauth/client.json",
            "client_name": "Example Editor",
            "redirect_uris": ["http://127.0.0.1:53682/callback"],
            "token_endpoint_auth_method": "none",
        })
        .to_string(),
    )
    .expect("document");
    let map = w.home.path().join("documents.json");
    std::fs::write(
        &map,
        json!({"https://app.example/oauth/client.json": doc}).to_string(),
    )
    .expect("map");
    let gw = serve_with(
        &w,
        &[
            (
                "PATCHBAY_DESKTOP_BIN",
                servers_dir().join("fake-app.mjs").as_os_str(),
            ),
            ("FAKE_APP_MARKER", marker.as_os_str()),
            ("FAKE_APP_DECISION", std::ffi::OsStr::new("ignore")),
            ("PATCHBAY_TEST_CLIENT_METADATA", map.as_os_str()),
        ],
    );
    let issuer = gw.url.trim_end_matches("/mcp").to_string();
    let http = local_http();
    let meta = as_metadata(&http, &issuer);
    assert_eq!(
        meta["registration_endpoint"],
        json!(format!("{issuer}/register"))
    );
    assert_eq!(meta["client_id_metadata_document_supported"], json!(true));

    // Registration, consent, tools, a call, and a refresh across the 5 s token.
    let app = sdk_oauth_client(
        &gw.url,
        &[
            "--call",
            "demo__echo",
            r#"{"text":"signed in"}"#,
            "--pause-ms",
            "6500",
            "--again",
        ],
    );
    let p = waiting_consent(&w);
    let mut keys: Vec<&str> = p
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "actions",
            "client",
            "code",
            "expiresAt",
            "id",
            "redirectUri",
            "requestedAt",
            "scopes"
        ],
        "{p}"
    );
    assert_eq!(p["client"]["name"], json!("SDK test app"), "{p}");
    assert_eq!(p["client"]["kind"], json!("registered"), "{p}");
    assert_eq!(p["client"]["publisher"], Value::Null, "{p}");
    assert!(
        p["client"]["clientId"]
            .as_str()
            .is_some_and(|c| c.starts_with("pbr_")),
        "{p}"
    );
    assert_eq!(p["actions"], json!(["*"]), "{p}");
    assert_eq!(p["redirectUri"], json!("http://127.0.0.1:53682/callback"));
    let code = p["code"].as_str().expect("code").to_string();
    assert!(code.len() == 7 && code.as_bytes()[3] == b'-', "{code}");
    // The browser shows the same code, on a page that cannot be framed or cached.
    let auth_page = http
        .get(format!(
            "{issuer}/authorize/continue?request={}&csrf=wrong",
            p["id"].as_str().expect("id")
        ))
        .send()
        .expect("continue");
    assert_eq!(auth_page.status(), 400, "a wrong CSRF value gets no page");
    w.ok(&[
        "gateway",
        "approve",
        &code.to_lowercase(),
        "--actions",
        "demo",
        "--tools",
        "demo__echo",
    ]);
    let r = finished(app, "the SDK's OAuth client");
    assert_eq!(r["iss"], json!(issuer), "{r}");
    assert_eq!(
        r["tools"],
        json!(["demo__echo"]),
        "the user gave demo__echo only: {r}"
    );
    assert_eq!(r["calls"][0]["ok"], json!(true), "{r}");
    assert!(
        r["calls"][0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("signed in"),
        "{r}"
    );
    assert_eq!(
        r["calls"][1]["ok"],
        json!(true),
        "after the access token expired: {r}"
    );
    assert_eq!(
        r["refreshed"],
        json!(true),
        "the SDK refreshed underneath: {r}"
    );
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap_or_default(),
        "launched\n",
        "the gateway started the app to ask the user"
    );
    let listed: Value =
        serde_json::from_str(&w.ok(&["--json", "gateway", "client", "list"])).expect("json");
    let me = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["name"] == json!("SDK test app"))
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(me["kind"], json!("registered"));
    assert_eq!(me["type"], json!("public"));

    // The same app at the same place again: remembered, no question.
    assert_eq!(r["again"]["waited"], json!(false), "{r}");
    assert_eq!(r["again"]["tools"], json!(["demo__echo"]), "{r}");

    // A Client ID Metadata Document client: named by its publisher; approved, it signs in as
    // its URL (a public client) and calls.
    let cimd = sdk_oauth_client(
        &gw.url,
        &[
            "--metadata-url",
            "https://app.example/oauth/client.json",
            "--call",
            "demo__echo",
            r#"{"text":"published"}"#,
        ],
    );
    let p = waiting_consent(&w);
    assert_eq!(p["client"]["kind"], json!("metadata-document"), "{p}");
    assert_eq!(p["client"]["publisher"], json!("app.example"), "{p}");
    assert_eq!(p["client"]["name"], json!("Example Editor"), "{p}");
    assert_eq!(
        p["client"]["clientId"],
        json!("https://app.example/oauth/client.json")
    );
    let human = w.ok(&["gateway", "consents"]);
    assert!(
        human.contains("Example Editor (published by app.example)"),
        "{human}"
    );
    // `status` counts it among what needs the user, with its fix.
    let st: Value = serde_json::from_str(&w.ok(&["--json", "status"])).expect("json");
    let waiting = st["attention"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["kind"] == json!("consent")))
        .unwrap_or_else(|| panic!("{st}"));
    assert_eq!(
        waiting["fix"],
        json!(format!(
            "patchbay gateway approve {} (or deny it)",
            p["code"].as_str().expect("code")
        )),
        "{st}"
    );
    assert!(w.ok(&["status"]).contains("needs you: 1"));
    w.ok(&["gateway", "approve", p["id"].as_str().expect("id")]);
    let r3 = finished(cimd, "the SDK's OAuth client with a metadata document");
    assert_eq!(
        r3["clientId"],
        json!("https://app.example/oauth/client.json"),
        "{r3}"
    );
    assert_eq!(r3["calls"][0]["ok"], json!(true), "{r3}");
    // Answering twice, or what does not exist: a clear error.
    w.cmd()
        .args(["gateway", "approve", p["id"].as_str().expect("id")])
        .assert()
        .failure()
        .stderr(predicates::str::contains("gateway consents"));

    // A new registration, denied: the app gets access_denied (with `iss`).
    let refused = sdk_oauth_client(&gw.url, &[]);
    let p = waiting_consent(&w);
    w.ok(&["gateway", "deny", p["code"].as_str().expect("code")]);
    let r4 = finished(refused, "the SDK's OAuth client, refused");
    assert_eq!(r4["error"], json!("access_denied"), "{r4}");
    assert_eq!(r4["iss"], json!(issuer), "{r4}");

    // Registration takes public clients only and checks redirect URIs.
    let bad = http
        .post(format!("{issuer}/register"))
        .json(&json!({"redirect_uris": ["http://evil.example/cb"]}))
        .send()
        .expect("register");
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().expect("json");
    assert_eq!(body["error"], json!("invalid_redirect_uri"), "{body}");
    let ok: Value = http
        .post(format!("{issuer}/register"))
        .json(&json!({"redirect_uris": ["http://127.0.0.1:1/cb"], "token_endpoint_auth_method": "client_secret_basic", "client_name": "Asks for a secret"}))
        .send()
        .expect("register")
        .json()
        .expect("json");
    assert_eq!(ok["token_endpoint_auth_method"], json!("none"), "{ok}");
    assert!(ok.get("client_secret").is_none(), "{ok}");
    // A web page may not register (its Origin is not the gateway's).
    let cross = http
        .post(format!("{issuer}/register"))
        .header("origin", "https://evil.example")
        .json(&json!({"redirect_uris": ["http://127.0.0.1:1/cb"]}))
        .send()
        .expect("register");
    assert_eq!(cross.status(), 403);
    drop(gw);
    // Codes, access and refresh tokens and client secrets are kept as SHA-256 only: not one
    // of them, by its prefix, in any file of the profile (database, logs, settings).
    for (file, bytes) in patchbay_testsupport::all_bytes(w.home.path()) {
        for prefix in ["pbac_", "pbat_", "pbrt_", "pbcs_"] {
            assert!(
                !patchbay_testsupport::contains(&bytes, prefix),
                "{prefix}… found in {file}"
            );
        }
    }
}

/// `mcp-remote` (npm), as Claude Desktop users run it, pointed at the gateway: it registers,
/// opens the browser ($BROWSER: the test browser), the user approves (`gateway approve`),
/// and a stdio MCP client calls a tool through it.
#[test]
fn mcp_remote_signs_in_to_the_gateway_and_calls_a_tool() {
    let w = World::simple();
    let _key = demo_with_key(&w, "k");
    let gw = serve_with(
        &w,
        &[
            (
                "PATCHBAY_DESKTOP_BIN",
                servers_dir().join("fake-app.mjs").as_os_str(),
            ),
            ("FAKE_APP_DECISION", std::ffi::OsStr::new("ignore")),
        ],
    );
    let store = w.home.path().join("mcp-auth");
    let (bridge, port) = spawn_mcp_remote(
        &gw.url,
        &store,
        "demo__echo",
        r#"{"text":"via mcp-remote"}"#,
    );
    let p = waiting_consent(&w);
    assert_eq!(p["client"]["kind"], json!("registered"), "{p}");
    assert_eq!(
        p["redirectUri"],
        json!(format!("http://localhost:{port}/oauth/callback")),
        "{p}"
    );
    w.ok(&["gateway", "approve", p["id"].as_str().expect("id")]);
    let r = finished(bridge, "mcp-remote");
    assert!(
        r["tools"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("demo__echo"))),
        "{r}"
    );
    assert_eq!(r["calls"][0]["ok"], json!(true), "{r}");
    assert!(
        r["calls"][0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("via mcp-remote"),
        "{r}"
    );
    drop(gw);
}

/// A JSON Schema 2020-12 input schema (`$schema`, `$defs` with `$anchor`, `$ref`, `allOf` /
/// `anyOf`, `if` / `then` / `else`, `additionalProperties: false`), with its output schema and
/// annotations, reaches `patchbay tools --json` and the gateway's clients exactly as the server
/// wrote it.
#[test]
fn json_schema_2020_12_tool_schemas_pass_through_unchanged() {
    let w = World::new(json!({}), json!({"schemaTool": true}));
    let written = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {"address": {"$anchor": "addressDef", "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
        "properties": {
            "name": {"type": "string"},
            "address": {"$ref": "#/$defs/address"},
            "contactMethod": {"type": "string", "enum": ["phone", "email"]},
            "phone": {"type": "string"},
            "email": {"type": "string"},
        },
        "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
        "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
        "then": {"required": ["phone"]},
        "else": {"required": ["email"]},
        "additionalProperties": false,
    });
    let key = demo_with_key(&w, "schemas");
    let tools: Value =
        serde_json::from_str(&w.ok(&["--json", "tools", "demo"])).expect("tools json");
    let listed = tools
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["name"] == "schema_2020_12")
        .unwrap_or_else(|| panic!("listed: {tools}"));
    assert_eq!(listed["inputSchema"], written, "patchbay tools --json");
    let output = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"status": {"type": "string", "enum": ["ok"]}},
        "required": ["status"],
        "additionalProperties": false,
    });
    let annotations =
        json!({"title": "Contact check", "readOnlyHint": true, "openWorldHint": false});
    assert_eq!(listed["outputSchema"], output, "patchbay tools --json");
    assert_eq!(listed["annotations"], annotations, "patchbay tools --json");
    let args = json!({"name": "Ann", "contactMethod": "email", "email": "a@example.com"});
    assert_eq!(
        w.ok(&[
            "call",
            "demo",
            "schema_2020_12",
            "--args",
            &args.to_string()
        ]),
        "ok\n"
    );

    let gw = serve(&w);
    let r = client(&gw.url, &key, &[("demo__schema_2020_12", args)]);
    let through = r["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {r}"))
        .iter()
        .find(|t| t["name"] == "demo__schema_2020_12")
        .unwrap_or_else(|| panic!("the gateway lists it: {r}"));
    assert_eq!(through["inputSchema"], written, "the gateway's tools/list");
    assert_eq!(through["outputSchema"], output, "the gateway's tools/list");
    assert_eq!(
        through["annotations"], annotations,
        "the gateway's tools/list"
    );
    assert_eq!(r["calls"][0]["ok"], true, "{r}");
}
