//! The `patchbay` CLI as a user meets it: a real binary, a temp PATCHBAY_HOME, the real
//! Secret Service started by the test script (scripts/with-keyring.sh).

use crate::support::Home;
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// Every byte of every file under the home folder.
fn files_contain(h: &Home, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for e in std::fs::read_dir(h.0.path()).expect("read home") {
        let p = e.expect("entry").path();
        if p.is_file() {
            let bytes = std::fs::read(&p).expect("read");
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

fn stderr_json(a: &assert_cmd::assert::Assert) -> Value {
    let err = String::from_utf8(a.get_output().stderr.clone()).expect("utf8");
    serde_json::from_str(err.trim())
        .unwrap_or_else(|e| panic!("stderr is not one JSON object ({e}): {err}"))
}

#[test]
fn action_list_json_has_the_contract_shape() {
    let h = Home::new();
    assert_eq!(
        h.json(&["action", "list"]),
        serde_json::json!([]),
        "empty list is []"
    );
    h.ok(&[
        "action",
        "add",
        "linear",
        "--url",
        "https://mcp.linear.app/mcp",
        "--auth",
        "oauth",
        "--description",
        "Linear issues",
        "--confirm",
    ]);
    h.ok(&[
        "action",
        "add",
        "hook",
        "--url",
        "http://127.0.0.1:9/hook",
        "--http",
        "--disabled",
    ]);
    let list = h.json(&["action", "list"]);
    let arr = list.as_array().expect("array");
    assert_eq!(arr.len(), 2);
    let hook = &arr[0];
    let linear = &arr[1];
    assert_eq!(hook["name"], "hook", "sorted by name");
    assert_eq!(hook["kind"], "http");
    assert_eq!(hook["enabled"], false);
    assert_eq!(
        hook["auth"],
        serde_json::json!({"type": "none", "ref": null})
    );
    assert_eq!(linear["kind"], "mcp");
    assert_eq!(linear["url"], "https://mcp.linear.app/mcp");
    assert_eq!(linear["description"], "Linear issues");
    assert_eq!(linear["confirm"], true);
    assert_eq!(linear["enabled"], true);
    assert_eq!(
        linear["auth"],
        serde_json::json!({"type": "oauth", "ref": null})
    );
    assert_eq!(linear["health"]["status"], "unknown");
    assert_eq!(linear["health"]["reason"], Value::Null);
    assert_eq!(linear["health"]["checkedAt"], Value::Null);
    for key in [
        "name",
        "kind",
        "url",
        "enabled",
        "description",
        "confirm",
        "auth",
        "health",
    ] {
        assert!(linear.get(key).is_some(), "key {key} present");
    }
    let created = linear["createdAt"].as_str().expect("createdAt");
    assert!(
        created.ends_with('Z') && created.len() == 24,
        "RFC 3339 UTC with ms: {created}"
    );
}

#[test]
fn every_kind_of_auth_references_what_exists() {
    let h = Home::new();
    h.with_stdin(
        &[
            "token",
            "add",
            "pat",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
            "--value-stdin",
        ],
        "tok-123\n",
    )
    .success();
    h.with_stdin(
        &[
            "token",
            "add",
            "fetch",
            "--http-request",
            "--no-test",
            "--url",
            "https://auth.example.com/token",
            "--secret-body",
            "client_secret",
            "--body",
            "grant_type=client_credentials",
            "--token-path",
            "$.access_token",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
        ],
        "cs-1\n",
    )
    .success();
    h.with_stdin(
        &[
            "connection",
            "add",
            "gh",
            "--provider",
            "github",
            "--client-id",
            "abc",
            "--client-secret-stdin",
            "--authorization-url",
            "https://github.com/login/oauth/authorize",
            "--token-url",
            "https://github.com/login/oauth/access_token",
            "--scopes",
            "repo,read:user",
        ],
        "gh-secret\n",
    )
    .success();
    h.ok(&[
        "action",
        "add",
        "a1",
        "--url",
        "https://a.example/mcp",
        "--auth",
        "token:pat",
    ]);
    h.ok(&[
        "action",
        "add",
        "a2",
        "--url",
        "https://b.example/mcp",
        "--auth",
        "http-token:fetch",
    ]);
    h.ok(&[
        "action",
        "add",
        "a3",
        "--url",
        "https://c.example/api",
        "--http",
        "--auth",
        "connection:GH",
    ]);
    let list = h.json(&["action", "list"]);
    let auths: Vec<Value> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["auth"].clone())
        .collect();
    assert_eq!(
        auths,
        vec![
            serde_json::json!({"type": "token", "ref": "pat"}),
            serde_json::json!({"type": "http-token", "ref": "fetch"}),
            serde_json::json!({"type": "connection", "ref": "gh"}),
        ]
    );
    // Wrong kind of token, and missing references, are refused with a hint.
    let a = h
        .run(&[
            "action",
            "add",
            "x",
            "--url",
            "https://x.example",
            "--auth",
            "token:fetch",
        ])
        .code(1);
    a.stderr(
        predicate::str::contains("is an HTTP request token").and(predicate::str::contains(
            "hint: use --auth http-token:fetch",
        )),
    );
    h.run(&[
        "action",
        "add",
        "x",
        "--url",
        "https://x.example",
        "--auth",
        "connection:nope",
    ])
    .code(1)
    .stderr(predicate::str::contains("connection 'nope' does not exist"));
    // Removing what is in use is refused and names the action; nothing changes.
    h.run(&["token", "remove", "pat"])
        .code(1)
        .stderr(predicate::str::contains(
            "token 'pat' is used by action 'a1'",
        ));
    h.run(&["connection", "remove", "gh"])
        .code(1)
        .stderr(predicate::str::contains("used by action 'a3'"));
    assert_eq!(h.json(&["token", "list"]).as_array().map(Vec::len), Some(2));
    // Once unused, it goes.
    h.ok(&["action", "edit", "a1", "--auth", "none"]);
    h.ok(&["token", "remove", "pat"]);
    h.run(&["token", "show", "pat"])
        .code(1)
        .stderr(predicate::str::contains("token 'pat' not found"));
}

#[test]
fn secrets_come_from_stdin_and_never_show() {
    let h = Home::new();
    let secret = "sk-live-51f00dcafe";
    let add = h
        .with_stdin(
            &[
                "connection",
                "add",
                "g",
                "--provider",
                "google",
                "--client-id",
                "id-1",
                "--client-secret-stdin",
                "--authorization-url",
                "https://accounts.google.com/o/oauth2/v2/auth",
                "--token-url",
                "https://oauth2.googleapis.com/token",
                "--revocation-url",
                "https://oauth2.googleapis.com/revoke",
                "--token-auth-method",
                "client_secret_post",
                "--scopes",
                "openid email",
            ],
            &format!("{secret}\n"),
        )
        .success();
    let out = add.get_output();
    let show = h.ok(&["connection", "show", "g"]);
    let show_json = h.json(&["connection", "show", "g"]);
    assert!(
        show.contains("client secret:      set"),
        "show says set: {show}"
    );
    assert_eq!(show_json["clientSecretSet"], true);
    assert_eq!(show_json["tokenAuthMethod"], "client_secret_post");
    assert_eq!(show_json["publicClient"], false);
    assert_eq!(show_json["scopes"], serde_json::json!(["openid", "email"]));
    for text in [
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        show.clone().into(),
        show_json.to_string().into(),
    ] {
        assert!(!text.contains(secret), "secret printed: {text}");
    }
    assert!(
        files_contain(&h, secret).is_empty(),
        "secret found in {:?}",
        files_contain(&h, secret)
    );
    // A public client has no secret; a confidential method needs one.
    h.run(&[
        "connection",
        "add",
        "p",
        "--provider",
        "x",
        "--client-id",
        "i",
        "--authorization-url",
        "https://x.example/a",
        "--token-url",
        "https://x.example/t",
        "--token-auth-method",
        "client_secret_basic",
    ])
    .code(1)
    .stderr(predicate::str::contains("needs a client secret"));
    let public = h.json(&[
        "connection",
        "add",
        "p",
        "--provider",
        "x",
        "--client-id",
        "i",
        "--authorization-url",
        "https://x.example/a",
        "--token-url",
        "https://x.example/t",
    ]);
    assert_eq!(public["tokenAuthMethod"], "none");
    assert_eq!(public["publicClient"], true);
    // Edit: dropping the secret makes the client public; the keychain entry goes with it.
    let edited = h.json(&["connection", "edit", "g", "--no-client-secret"]);
    assert_eq!(edited["publicClient"], true);
    assert_eq!(edited["clientSecretSet"], false);
}

#[test]
fn secret_headers_and_body_fields_are_read_in_the_order_given() {
    let h = Home::new();
    h.with_stdin(
        &[
            "token",
            "add",
            "t",
            "--http-request",
            "--no-test",
            "--url",
            "https://auth.example.com/token",
            "--secret-body",
            "a",
            "--secret-header",
            "X-Key",
            "--form",
            "--secret-body",
            "b",
            "--token-path",
            "data.token",
            "--header-name",
            "X-Token",
        ],
        "one\ntwo\nthree\n",
    )
    .success();
    let pb = patchbay_core::Patchbay::open(h.0.path()).expect("open the same profile");
    let t = pb.get_token("t").expect("token");
    let got: Vec<(String, String)> = pb
        .http_token_secrets(&t)
        .expect("secrets")
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                patchbay_core::ExposeSecret::expose_secret(&v).to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("header:X-Key".into(), "two".into()),
            ("body:a".into(), "one".into()),
            ("body:b".into(), "three".into())
        ],
        "stdin lines map to options in command-line order"
    );
    let shown = h.json(&["token", "show", "t"]);
    assert_eq!(
        shown["request"]["tokenPath"], "$.data.token",
        "dotted shorthand normalised"
    );
    assert_eq!(shown["request"]["form"], true);
    assert!(!shown.to_string().contains("three"));
    // Too few lines on stdin: a clear error, nothing saved.
    h.with_stdin(
        &[
            "token",
            "add",
            "u",
            "--http-request",
            "--no-test",
            "--url",
            "https://auth.example.com/token",
            "--secret-body",
            "a",
            "--secret-body",
            "b",
            "--token-path",
            "x",
            "--header-name",
            "X",
        ],
        "only-one\n",
    )
    .code(1)
    .stderr(predicate::str::contains(
        "stdin ended before value of secret body field b",
    ));
    h.run(&["token", "show", "u"]).code(1);
}

#[test]
fn bad_input_is_exit_1_with_a_hint_and_changes_nothing() {
    let h = Home::new();
    h.ok(&["action", "add", "keep", "--url", "https://keep.example/mcp"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["action", "add", "_bad", "--url", "https://x.example"],
            "invalid action name",
        ),
        (
            &["action", "add", "KEEP", "--url", "https://x.example"],
            "already exists",
        ),
        (
            &["action", "add", "x", "--url", "http://example.com/mcp"],
            "must use https",
        ),
        (
            &["action", "add", "x", "--url", "not a url"],
            "is not a valid URL",
        ),
        (
            &[
                "action",
                "add",
                "x",
                "--url",
                "https://x.example",
                "--http",
                "--header",
                "Bad Header: 1",
            ],
            "not a valid HTTP header name",
        ),
        (
            &[
                "action",
                "add",
                "x",
                "--url",
                "https://x.example",
                "--http",
                "--body",
                "{{oops",
            ],
            "without a closing",
        ),
        (
            &[
                "action",
                "add",
                "x",
                "--url",
                "https://x.example",
                "--http",
                "--method",
                "GET",
                "--body",
                "b",
            ],
            "cannot have a body",
        ),
        (
            &[
                "action",
                "add",
                "x",
                "--url",
                "https://x.example",
                "--auth",
                "basic",
            ],
            "unknown authentication",
        ),
        (
            &[
                "action",
                "add",
                "x",
                "--url",
                "https://x.example",
                "--client-id",
                "c",
                "--auth",
                "none",
            ],
            "apply only to OAuth",
        ),
        (
            &[
                "action",
                "add",
                "x",
                "--url",
                "https://x.example",
                "--auth",
                "oauth",
                "--token-url",
                "http://auth.example/token",
            ],
            "must use https",
        ),
        (
            &[
                "token",
                "add",
                "t",
                "--http-request",
                "--no-test",
                "--url",
                "https://x.example",
                "--token-path",
                "$.a[",
                "--header-name",
                "X",
            ],
            "not a valid JSONPath",
        ),
        (
            &[
                "token",
                "add",
                "t",
                "--http-request",
                "--no-test",
                "--url",
                "https://x.example",
                "--token-path",
                "a",
                "--header-name",
                "X:Y",
            ],
            "not a valid HTTP header name",
        ),
        (
            &[
                "token",
                "add",
                "t",
                "--http-request",
                "--no-test",
                "--url",
                "https://x.example",
                "--token-path",
                "a",
                "--header-name",
                "X",
                "--body",
                "novalue",
            ],
            "has no '='",
        ),
        (
            &["token", "add", "t", "--header-name", "X"],
            "needs its value",
        ),
        (
            &[
                "connection",
                "add",
                "c",
                "--provider",
                "p",
                "--client-id",
                "i",
                "--authorization-url",
                "ftp://x",
                "--token-url",
                "https://x.example/t",
            ],
            "unsupported scheme",
        ),
        (
            &[
                "action",
                "add",
                "x",
                "--url",
                "https://x.example/api",
                "--http",
                "--auth",
                "oauth",
            ],
            "needs its authorization URL and token URL",
        ),
        (&["action", "show", "missing"], "action 'missing' not found"),
        (
            &["action", "enable", "missing"],
            "action 'missing' not found",
        ),
    ];
    for (args, msg) in cases {
        let a = h.run(args).code(1);
        let err = String::from_utf8(a.get_output().stderr.clone()).expect("utf8");
        assert!(
            err.starts_with("error: ") && err.contains(msg),
            "`{}` should fail with '{msg}', got: {err}",
            args.join(" ")
        );
        assert!(
            err.contains("\nhint: ") || !err.contains("hint"),
            "hint on its own line: {err}"
        );
        assert_eq!(
            err.lines().next().map(|l| l.len() < 300),
            Some(true),
            "one short line: {err}"
        );
    }
    let list = h.json(&["action", "list"]);
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "nothing was added: {list}"
    );
    assert_eq!(h.json(&["token", "list"]), serde_json::json!([]));
    assert_eq!(h.json(&["connection", "list"]), serde_json::json!([]));
}

#[test]
fn json_errors_go_to_stderr_and_usage_errors_exit_2() {
    let h = Home::new();
    let a = h
        .run(&["--json", "action", "show", "nope"])
        .code(1)
        .stdout("");
    let e = stderr_json(&a);
    assert_eq!(e["error"]["code"], "not_found");
    assert_eq!(e["error"]["message"], "action 'nope' not found");
    assert!(
        e["error"].get("field").is_none(),
        "about no single input: {e}"
    );
    // An error about one input names it (the app places it under that field).
    let e = stderr_json(
        &h.run(&["--json", "action", "add", "x", "--url", "ftp://x.example"])
            .code(1),
    );
    assert_eq!(
        (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (Some("invalid_input"), Some("url")),
        "{e}"
    );
    let e = stderr_json(
        &h.run(&[
            "--json",
            "action",
            "add",
            "x",
            "--url",
            "https://x.example",
            "--http",
            "--header",
            "No colon",
        ])
        .code(1),
    );
    assert_eq!(e["error"]["code"], "invalid_input", "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("has no ':'")),
        "{e}"
    );
    h.run(&[
        "action",
        "add",
        "x",
        "--url",
        "https://x.example",
        "--method",
        "POST",
    ])
    .code(2)
    .stderr(predicate::str::contains("--http"));
    h.run(&["action", "frobnicate"]).code(2);
    h.run(&["connection", "add", "c", "--provider", "p"])
        .code(2);
}

#[test]
fn edit_rename_enable_disable_and_health_reset() {
    let h = Home::new();
    h.ok(&["action", "add", "svc", "--url", "https://svc.example/mcp"]);
    let pb = patchbay_core::Patchbay::open(h.0.path()).expect("open");
    pb.record_health(
        "svc",
        &patchbay_core::model::Health {
            status: patchbay_core::model::HealthStatus::Unhealthy,
            reason: Some("network".into()),
            message: Some("connection refused".into()),
            checked_at: Some("2026-11-24T00:00:00.000Z".into()),
            latency_ms: Some(5),
            tool_count: None,
        },
    )
    .expect("record");
    let a = h.json(&[
        "action",
        "edit",
        "svc",
        "--description",
        "new words",
        "--confirm",
    ]);
    assert_eq!(
        a["health"]["status"], "unhealthy",
        "a description change keeps health"
    );
    assert_eq!(a["health"]["reason"], "network");
    assert_eq!(a["confirm"], true);
    let a = h.json(&[
        "action",
        "edit",
        "svc",
        "--url",
        "https://svc.example/v2/mcp",
        "--rename",
        "svc2",
    ]);
    assert_eq!(a["name"], "svc2");
    assert_eq!(
        a["health"]["status"], "unknown",
        "a new URL makes health Unknown again"
    );
    assert_eq!(a["health"]["checkedAt"], Value::Null);
    assert_eq!(h.json(&["action", "disable", "svc2"])["enabled"], false);
    assert!(
        h.ok(&["action", "list"]).contains("no"),
        "list shows disabled"
    );
    assert_eq!(
        h.json(&["action", "enable", "SVC2"])["enabled"],
        true,
        "names are case-insensitive"
    );
    h.ok(&["action", "remove", "svc2"]);
    assert_eq!(h.json(&["action", "list"]), serde_json::json!([]));
}

#[test]
fn http_actions_keep_method_headers_and_body_template() {
    let h = Home::new();
    let a = h.json(&[
        "action",
        "add",
        "search",
        "--url",
        "https://api.example.com/search",
        "--http",
        "--header",
        "Accept: application/json",
        "--body",
        r#"{"q": "{{query}}", "limit": {{limit}}}"#,
    ]);
    assert_eq!(a["kind"], "http");
    assert_eq!(a["http"]["method"], "POST", "a body implies POST");
    assert_eq!(
        a["http"]["headers"],
        serde_json::json!([{"name": "Accept", "value": "application/json"}])
    );
    assert_eq!(a["http"]["params"], serde_json::json!(["query", "limit"]));
    let a = h.json(&[
        "action",
        "edit",
        "search",
        "--method",
        "put",
        "--clear-headers",
        "--no-body",
    ]);
    assert_eq!(a["http"]["method"], "PUT");
    assert_eq!(a["http"]["headers"], serde_json::json!([]));
    assert_eq!(a["http"]["body"], Value::Null);
    h.run(&["action", "add", "m", "--url", "https://m.example/mcp"])
        .success();
    h.run(&["action", "edit", "m", "--method", "POST"])
        .code(1)
        .stderr(predicate::str::contains("only to HTTP actions"));
}

#[test]
fn a_missing_keychain_is_a_clear_error_and_the_list_still_works() {
    let h = Home::new();
    h.ok(&["action", "add", "a", "--url", "https://a.example/mcp"]);
    let no_bus = |c: &mut Command| {
        c.env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/patchbay-test-bus",
        );
    };
    let mut c = h.cmd();
    no_bus(&mut c);
    let a = c
        .args(["token", "add", "t", "--header-name", "X", "--value-stdin"])
        .write_stdin("v\n")
        .assert()
        .code(1);
    let err = String::from_utf8(a.get_output().stderr.clone()).expect("utf8");
    assert!(err.contains("no keychain is available"), "{err}");
    assert!(
        err.contains("Secret Service"),
        "the hint names the fix: {err}"
    );
    let mut c = h.cmd();
    no_bus(&mut c);
    c.args(["action", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("a.example"));
    let mut c = h.cmd();
    no_bus(&mut c);
    let st: Value = serde_json::from_slice(
        &c.args(["--json", "status"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .expect("json");
    assert_eq!(st["vault"]["state"], "unavailable");
    assert_eq!(
        h.json(&["token", "list"]),
        serde_json::json!([]),
        "nothing saved"
    );
}

#[test]
fn a_locked_keychain_is_a_clear_error() {
    // A private bus and keyring of its own, locked before the CLI runs.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = assert_cmd::cargo::cargo_bin("patchbay");
    let h = Home::new();
    let script = format!(
        "dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
           org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && \
         printf 'v\\n' | '{bin}' token add t --header-name X --value-stdin; echo \"exit=$?\"; '{bin}' --json status",
        bin = bin.display()
    );
    let out = patchbay_testsupport::run(
        std::process::Command::new(root.join("scripts/with-keyring.sh"))
            .args(["bash", "-c", &script])
            .env_remove("PATCHBAY_PRIVATE_BUS")
            .env("PATCHBAY_HOME", h.0.path()),
        std::time::Duration::from_secs(90),
        "the CLI with a private, locked keyring",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("exit=1"),
        "token add fails with exit 1: {stdout} / {stderr}"
    );
    assert!(stderr.contains("the keychain is locked"), "{stderr}");
    assert!(
        stderr.contains("hint: unlock your login keyring"),
        "{stderr}"
    );
    assert!(
        stdout.contains("\"state\": \"locked\""),
        "status reports locked: {stdout}"
    );
    assert_eq!(
        h.json(&["token", "list"]),
        serde_json::json!([]),
        "nothing saved"
    );
}
