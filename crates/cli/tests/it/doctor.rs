//! `patchbay doctor` against the real test servers: a healthy OAuth action passes every step
//! (the JSON contract exact), and each failure the servers can produce (no metadata, wrong
//! issuer, PKCE missing, refused registration, expired refresh token, server down, TLS error)
//! fails at the right step with the right fix. Several NAMEs, none, usage errors, and no
//! credential anywhere in the output.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Home, Out, World, http_server, https_server};

const OAUTH_STEPS: [&str; 7] = [
    "probe",
    "resource-metadata",
    "authorization-server-metadata",
    "client",
    "token",
    "mcp-handshake",
    "tools",
];

/// `patchbay ARGS` in the world's profile, whatever its exit code.
fn run(w: &World, args: &[&str]) -> Out {
    let o = w
        .cmd()
        .args(args)
        .write_stdin("")
        .output()
        .expect("run patchbay");
    Out::from_output(&o)
}

/// `patchbay --json doctor NAME`: exit code and the report.
fn doctor(w: &World, name: &str) -> (i32, Value) {
    let out = run(w, &["--json", "doctor", name]);
    let report: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json prints JSON ({e}): {out:?}"));
    (out.code, report)
}

fn step_names(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["step"].as_str().expect("step name").to_string())
        .collect()
}

/// The failing step of a report: it is the last one, the only one not ok, and has a fix.
fn failed(report: &Value) -> (String, String) {
    let steps = report["steps"].as_array().expect("steps");
    let last = steps.last().expect("a step");
    assert_eq!(report["ok"], false, "{report:#}");
    assert_eq!(
        last["ok"], false,
        "the trace ends at the failure: {report:#}"
    );
    for s in &steps[..steps.len() - 1] {
        assert_eq!(
            (s["ok"].clone(), s["fix"].clone()),
            (json!(true), Value::Null),
            "{report:#}"
        );
    }
    (
        last["step"].as_str().expect("step").to_string(),
        last["fix"].as_str().expect("a fix sentence").to_string(),
    )
}

/// A world whose action `demo` (OAuth) is added but not connected.
fn unconnected(auth: Value, mcp: Value) -> World {
    let w = World::new(auth, mcp);
    w.add(&[]);
    w
}

fn connected(auth: Value) -> World {
    let w = unconnected(auth, json!({}));
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect: {out}");
    w
}

/// The access token and every refresh token the authorization server issued.
fn secrets_of(w: &World) -> Vec<String> {
    let token = w.ok(&["access-token", "demo"]).trim().to_string();
    assert!(token.len() > 20, "an access token");
    let issued: Value = reqwest::blocking::get(format!("{}/__admin/refresh-tokens", w.issuer()))
        .expect("refresh tokens")
        .json()
        .expect("json");
    let mut out = vec![token];
    for t in issued["tokens"].as_array().expect("tokens") {
        out.push(t["value"].as_str().expect("value").to_string());
    }
    assert!(out.len() >= 2, "a refresh token was issued: {issued}");
    out
}

#[test]
fn a_healthy_oauth_action_passes_every_step_and_prints_no_secret() {
    let w = connected(json!({}));
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 0, "{report:#}");
    let keys: Vec<&str> = report
        .as_object()
        .expect("an object for one NAME")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["name", "ok", "steps"]);
    assert_eq!(
        (report["name"].clone(), report["ok"].clone()),
        (json!("demo"), json!(true))
    );
    assert_eq!(step_names(&report), OAUTH_STEPS);
    for s in report["steps"].as_array().expect("steps") {
        let mut keys: Vec<&str> = s
            .as_object()
            .expect("step")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["detail", "fix", "latencyMs", "ok", "step"], "{s}");
        assert_eq!(
            (s["ok"].clone(), s["fix"].clone()),
            (json!(true), Value::Null),
            "{s}"
        );
        assert!(s["latencyMs"].as_i64().is_some_and(|ms| ms >= 0), "{s}");
        assert!(s["detail"].is_object(), "{s}");
    }
    let step = |name: &str| {
        report["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["step"] == name)
            .expect("step")["detail"]
            .clone()
    };
    assert_eq!(step("probe")["response"]["status"], 401);
    assert_eq!(
        step("resource-metadata")["used"],
        format!(
            "{}/.well-known/oauth-protected-resource/mcp",
            w.url().trim_end_matches("/mcp")
        )
    );
    assert_eq!(step("authorization-server-metadata")["issuer"], w.issuer());
    assert_eq!(
        step("authorization-server-metadata")["checks"]["pkceS256"],
        true
    );
    assert_eq!(step("client")["identity"], "the grant's client");
    assert_eq!(step("token")["refreshPossible"], true);
    assert_eq!(step("token")["scopes"], json!(["mcp:read"]));
    assert_eq!(
        step("tools")["names"],
        json!(["echo", "whoami", "add", "admin"])
    );

    // The way a person reads it: every step, ok, and where the details are.
    let human = run(&w, &["doctor", "demo"]);
    assert_eq!(human.code, 0, "{human:?}");
    assert!(human.stdout.starts_with("demo: ok\n"), "{}", human.stdout);
    for s in OAUTH_STEPS {
        assert!(
            human
                .stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("ok   {s} "))),
            "{s} ok in:\n{}",
            human.stdout
        );
    }
    assert!(human.stdout.contains("4 tools"), "{}", human.stdout);

    // Byte check: neither the access token nor any refresh token, in either form.
    let json_out = run(&w, &["--json", "doctor", "demo"]);
    for secret in secrets_of(&w) {
        for (what, text) in [
            ("--json stdout", &json_out.stdout),
            ("--json stderr", &json_out.stderr),
            ("stdout", &human.stdout),
            ("stderr", &human.stderr),
        ] {
            assert!(!text.contains(&secret), "a token in doctor's {what}");
        }
    }
}

#[test]
fn no_metadata_fails_at_authorization_server_metadata() {
    let w = unconnected(json!({"metadata": "none"}), json!({}));
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        failed(&report),
        (
            "authorization-server-metadata".into(),
            "found no OAuth metadata; if the provider documents its endpoints, fill in Advanced configuration: `patchbay action edit demo --authorization-url URL --token-url URL` (and --client-id)".into()
        )
    );
    let tried = &report["steps"][2]["detail"]["tried"];
    assert_eq!(
        tried.as_array().map(Vec::len),
        Some(2),
        "both well-known URLs tried: {tried}"
    );
    assert!(
        tried
            .as_array()
            .expect("tried")
            .iter()
            .all(|t| t["outcome"] == "skipped: HTTP 404"),
        "{tried}"
    );
}

#[test]
fn a_resource_whose_metadata_is_missing_fails_at_resource_metadata() {
    let w = unconnected(json!({}), json!({"resourceMetadata": "none"}));
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 1);
    let (step, fix) = failed(&report);
    assert_eq!(step, "resource-metadata");
    assert!(
        fix.starts_with(&format!(
            "the server's challenge names {}/.well-known/oauth-protected-resource/mcp, which serves no metadata",
            w.url().trim_end_matches("/mcp")
        )),
        "{fix}"
    );
    assert!(
        fix.ends_with("`patchbay action edit demo --authorization-url URL --token-url URL`"),
        "{fix}"
    );
}

#[test]
fn a_wrong_issuer_fails_at_authorization_server_metadata() {
    let w = unconnected(
        json!({"metadataIssuer": "http://127.0.0.1:9/other"}),
        json!({}),
    );
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 1);
    assert_eq!(
        failed(&report),
        (
            "authorization-server-metadata".into(),
            format!(
                "the metadata says issuer 'http://127.0.0.1:9/other' but was fetched for '{}', so Patchbay refuses it (a mix-up defence): the server's resource metadata must name the issuer exactly; report it to the server's operator",
                w.issuer()
            )
        )
    );
    assert_eq!(
        report["steps"][2]["detail"]["checks"]["issuerMatches"],
        false
    );
}

#[test]
fn pkce_missing_fails_at_authorization_server_metadata_and_assuming_it_passes() {
    let w = unconnected(json!({"advertiseS256": false}), json!({}));
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 1);
    assert_eq!(
        failed(&report),
        (
            "authorization-server-metadata".into(),
            "if you know it supports S256 anyway, turn on \"assume PKCE S256\": `patchbay action edit demo --assume-pkce-s256`".into()
        )
    );
    assert_eq!(
        report["steps"][2]["detail"]["error"]["code"],
        "pkce_unsupported"
    );
    // The fix works: the same step passes, and the trace goes on.
    w.ok(&["action", "edit", "demo", "--assume-pkce-s256"]);
    let (_, report) = doctor(&w, "demo");
    assert_eq!(report["steps"][2]["ok"], true, "{report:#}");
    assert_eq!(report["steps"][2]["detail"]["checks"]["pkceAssumed"], true);
}

#[test]
fn refused_registration_fails_at_client() {
    let w = unconnected(json!({"dcr": "forbidden"}), json!({}));
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 1);
    assert_eq!(
        failed(&report),
        (
            "client".into(),
            "the authorization server refuses dynamic registration (HTTP 403): register an OAuth app with the provider yourself (redirect URI http://127.0.0.1:PORT/callback) and fill in Advanced configuration: `patchbay action edit demo --client-id ID`".into()
        )
    );
    let detail = &report["steps"][3]["detail"];
    assert_eq!(detail["response"]["status"], 403);
    assert_eq!(detail["response"]["body"]["error"], "access_denied");
}

#[test]
fn an_expired_refresh_token_fails_at_token() {
    let w = connected(json!({"accessTokenTtl": 3, "refreshTokenTtl": 3}));
    // Both tokens were issued together: past the access token's expiry (and a second more),
    // the refresh token has expired too.
    w.wait_for_expiry();
    std::thread::sleep(Duration::from_millis(1000));
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 1);
    let (step, fix) = failed(&report);
    assert_eq!(step, "token", "{report:#}");
    assert!(
        fix.starts_with("the authorization server refused its refresh token (invalid_grant"),
        "{fix}"
    );
    assert!(
        fix.ends_with("it expired or was revoked; sign in again: run `patchbay connect demo`"),
        "{fix}"
    );
    assert_eq!(
        report["steps"][4]["detail"]["error"]["code"],
        "needs_reconnect"
    );
}

#[test]
fn a_server_that_is_down_fails_at_probe() {
    let mut w = connected(json!({}));
    w.mcp.child.kill().expect("stop the MCP server");
    w.mcp.child.wait().expect("reap it");
    let (code, report) = doctor(&w, "demo");
    assert_eq!(code, 1);
    assert_eq!(
        failed(&report),
        (
            "probe".into(),
            "check the URL, your network, and that the server is running".into()
        )
    );
    let detail = &report["steps"][0]["detail"];
    assert_eq!(detail["error"]["code"], "unreachable");
    assert_eq!(detail["waitedFor"], format!("an answer from {}", w.url()));
}

#[test]
fn an_untrusted_certificate_or_plain_http_behind_https_fails_at_probe_with_tls() {
    let tls = https_server("pong");
    let home = Home::new();
    home.ok(&[
        "action", "add", "secure", "--url", &tls.url, "--auth", "oauth",
    ]);
    let o = home.out(&mut home.cmd(), &["--json", "doctor", "secure"], "", &[]);
    assert_eq!(o.code, 1, "{o:?}");
    let report: Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(
        failed(&report),
        (
            "probe".into(),
            "the server's certificate is not trusted (expired, self-signed or for another name); check the URL".into()
        )
    );
    assert_eq!(report["steps"][0]["detail"]["error"]["code"], "tls");

    // An https URL on a port that speaks plain HTTP: TLS too, not "cannot reach".
    let plain = http_server("pong", 0);
    let url = plain.url.replacen("http://", "https://", 1);
    home.ok(&[
        "action",
        "add",
        "wrong-scheme",
        "--url",
        &url,
        "--auth",
        "oauth",
    ]);
    let o = home.out(
        &mut home.cmd(),
        &["--json", "doctor", "wrong-scheme"],
        "",
        &[],
    );
    let report: Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(
        failed(&report),
        (
            "probe".into(),
            "the server did not answer TLS (an https URL on a plain-http port?) or its certificate is not trusted; check the URL's scheme and port".into()
        )
    );
    assert_eq!(report["steps"][0]["detail"]["error"]["code"], "tls");
}

#[test]
fn an_http_action_checks_its_token_and_request_and_never_prints_the_token() {
    let echo = http_server("echo", 0);
    let down = http_server("down", 0);
    let home = Home::new();
    let secret = "tok-9f8e7d6c5b4a3210-secret";
    home.with_stdin(
        &[
            "token",
            "add",
            "api-key",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
            "--value-stdin",
        ],
        secret,
    )
    .success();
    home.ok(&[
        "action",
        "add",
        "api",
        "--url",
        &echo.url,
        "--http",
        "--auth",
        "token:api-key",
    ]);
    home.ok(&["action", "add", "broken", "--url", &down.url, "--http"]);
    let o = home.out(
        &mut home.cmd(),
        &["--json", "doctor", "api", "broken"],
        "",
        &[],
    );
    assert_eq!(o.code, 1, "one of them failed: {o:?}");
    assert!(
        !o.stdout.contains(secret) && !o.stderr.contains(secret),
        "no token value"
    );
    let reports: Value = serde_json::from_str(&o.stdout).expect("json");
    let reports = reports.as_array().expect("an array for several NAMEs");
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["name"], "api", "in the order given");
    assert_eq!(reports[0]["ok"], true, "{:#}", reports[0]);
    assert_eq!(step_names(&reports[0]), ["token", "http-request"]);
    assert_eq!(
        reports[0]["steps"][0]["detail"]["value"],
        format!("[redacted, {} chars]", "Bearer ".len() + secret.len())
    );
    assert_eq!(reports[0]["steps"][1]["detail"]["response"]["status"], 200);
    assert_eq!(reports[1]["name"], "broken");
    assert_eq!(
        failed(&reports[1]),
        (
            "http-request".into(),
            "the server failed (HTTP 500): try again later or ask its operator".into()
        )
    );
}

#[test]
fn no_name_diagnoses_every_action_one_line_each() {
    let w = connected(json!({}));
    w.ok(&[
        "action",
        "add",
        "nowhere",
        "--url",
        "http://127.0.0.1:9/mcp",
    ]);
    let o = run(&w, &["doctor"]);
    assert_eq!(o.code, 1, "one failed: {o:?}");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", o.stdout);
    assert!(
        lines[0].starts_with("demo: ok (7 steps, ") && lines[0].ends_with(" ms)"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "nowhere: failed at probe: check the URL, your network, and that the server is running"
    );
    let o = run(&w, &["--json", "doctor"]);
    let all: Value = serde_json::from_str(&o.stdout).expect("json");
    let names: Vec<&str> = all
        .as_array()
        .expect("an array with no NAME")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["demo", "nowhere"]);

    let empty = Home::new();
    let o = empty.out(&mut empty.cmd(), &["doctor"], "", &[]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "No actions to diagnose.\n")
    );
    let o = empty.out(&mut empty.cmd(), &["--json", "doctor"], "", &[]);
    assert_eq!(
        (
            o.code,
            serde_json::from_str::<Value>(&o.stdout).expect("json")
        ),
        (0, json!([]))
    );
}

#[test]
fn usage_errors_exit_2_and_an_unknown_name_runs_nothing() {
    let w = connected(json!({}));
    crate::support::reset_stats(&w.issuer());
    let o = run(&w, &["--json", "doctor", "demo", "nosuch"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert_eq!(o.stdout, "", "nothing diagnosed");
    assert_eq!(o.error_code().as_deref(), Some("not_found"));
    assert_eq!(
        crate::support::stats(&w.issuer())["requests"],
        0,
        "no request reached the authorization server"
    );
    let o = run(&w, &["doctor", "nosuch"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
    assert!(o.stderr.contains("nosuch"), "{}", o.stderr);
    let o = run(&w, &["doctor", "--bogus"]);
    assert_eq!(o.code, 2, "{o:?}");
}
