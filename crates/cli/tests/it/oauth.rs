//! `patchbay connect` against a REAL authorization server (oidc-provider) and a REAL MCP
//! server (@modelcontextprotocol/sdk) on 127.0.0.1 (tests/servers/), with consent given by
//! tests/servers/browser.mjs acting as `$BROWSER`; the Secret Service is the real one the
//! test script starts.

use std::process::{Command, Stdio};

use crate::support::{World, reset_stats, servers_dir, stats};
use serde_json::{Value, json};

#[test]
fn dynamic_registration_connects_as_alice_and_the_mcp_server_accepts_the_token() {
    let w = World::simple();
    w.add(&[]);
    assert_eq!(w.status()["connected"], false);
    let (code, stdout, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect succeeds: {stdout}");
    let grant: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(grant["account"], "alice@example.com");
    let st = w.status();
    assert_eq!(st["connected"], true);
    assert_eq!(st["account"], "alice@example.com");
    assert!(
        st["scopes"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == "mcp:read")),
        "granted scopes: {st}"
    );
    assert!(
        st["expiresAt"].as_str().is_some_and(|t| t.ends_with('Z')),
        "expiry: {st}"
    );
    assert_eq!(
        st["resource"],
        w.url(),
        "the resource is the server URL exactly"
    );
    assert_eq!(st["issuer"], w.issuer());
    // The real MCP server checks the token's signature, issuer and audience.
    assert_eq!(w.mcp_status_with_token(), 200);
    // Human output.
    let human = w.ok(&["status", "demo"]);
    assert!(human.contains("yes, as alice@example.com"), "{human}");
    // No token in any file of the profile.
    let token = w.ok(&["access-token", "demo"]);
    let mut dirs = vec![w.home.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).expect("home") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            assert!(
                !bytes.windows(40).any(|win| win == &token.as_bytes()[..40]),
                "the access token is not in {}",
                path.display()
            );
        }
    }
    // Disconnect deletes the tokens.
    w.ok(&["disconnect", "demo"]);
    assert_eq!(w.status()["connected"], false);
    let out = w
        .cmd()
        .args(["--json", "access-token", "demo"])
        .write_stdin("")
        .assert()
        .code(1);
    let e: Value = serde_json::from_slice(&out.get_output().stderr).expect("json error");
    assert_eq!(e["error"]["code"], "not_connected");
}

#[test]
fn a_registration_is_reused_for_the_same_issuer_and_callback() {
    let w = World::simple();
    w.add(&[]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
        .to_string();
    let (c1, _, e1) = w.connect("consent", &["--port", &port]);
    assert_eq!((c1, e1), (0, None));
    let first = w.status()["clientId"].clone();
    let (c2, _, e2) = w.connect("consent", &["--port", &port]);
    assert_eq!((c2, e2), (0, None));
    assert_eq!(
        w.status()["clientId"],
        first,
        "the second connect reuses the registered client"
    );
}

const CIMD_URL: &str = "https://patchbay.example/oauth/client.json";

#[test]
fn a_client_id_metadata_document_comes_before_registration() {
    // Registration is off: the document is the only way this server knows Patchbay.
    let doc = json!({
        "client_name": "Patchbay",
        "redirect_uris": ["http://127.0.0.1:47615/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    });
    let w = World::new(
        json!({"dcr": false, "clientMetadataDocuments": {CIMD_URL: doc}}),
        json!({}),
    );
    w.add(&["--client-metadata-url", CIMD_URL]);
    let shown = w.ok(&["action", "show", "demo"]);
    assert!(shown.contains(CIMD_URL), "{shown}");
    let (code, stdout, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect succeeds: {stdout}");
    let st = w.status();
    assert_eq!(
        st["clientId"], CIMD_URL,
        "the document URL is the client id"
    );
    assert_eq!(st["account"], "alice@example.com");
    assert_eq!(w.mcp_status_with_token(), 200);

    // A server without document support: the configured URL is skipped and Patchbay
    // registers as usual.
    let plain = World::simple();
    plain.add(&["--client-metadata-url", CIMD_URL]);
    let (code, _, err) = plain.connect("consent", &[]);
    assert_eq!((code, err), (0, None));
    let id = plain.status()["clientId"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(!id.is_empty() && id != CIMD_URL, "registered client: {id}");

    // A URL that cannot be a client id is refused when typed, and nothing changes.
    for bad in [
        "http://patchbay.example/client.json",
        "https://patchbay.example",
        "https://patchbay.example/a/../client.json",
        "https://patchbay.example/client.json#x",
    ] {
        let out = w
            .cmd()
            .args([
                "--json",
                "action",
                "edit",
                "demo",
                "--client-metadata-url",
                bad,
            ])
            .write_stdin("")
            .assert()
            .code(1);
        let e: Value = serde_json::from_slice(&out.get_output().stderr).expect("json error");
        assert_eq!(e["error"]["code"], "invalid_input", "{bad}");
    }
    let still = w.ok(&["--json", "action", "show", "demo"]);
    assert!(still.contains(CIMD_URL), "{still}");
}

#[test]
fn denial_timeout_and_forged_callbacks_fail_cleanly() {
    let w = World::simple();
    w.add(&[]);
    let (code, _, err) = w.connect("deny", &[]);
    assert_eq!((code, err.as_deref()), (1, Some("access_denied")));
    let (code, _, err) = w.connect("ignore", &["--timeout", "2"]);
    assert_eq!((code, err.as_deref()), (1, Some("consent_timeout")));
    // Every way a connect ends is in the log, with its code.
    let failed = w.ok(&["--json", "logs", "--kind", "connect", "--outcome", "error"]);
    let codes: Vec<String> = failed
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["errorCode"].as_str().map(String::from))
        .collect();
    assert_eq!(codes, ["access_denied", "consent_timeout"], "{failed}");
    // A forged callback (unknown state) is refused by the listener and changes nothing: the
    // real flow keeps waiting (a forger cannot cancel it), then ends naming the mismatch.
    let (code, _, err) = w.connect("forge", &["--timeout", "3"]);
    assert_eq!((code, err.as_deref()), (1, Some("state_mismatch")));
    assert_eq!(w.status()["connected"], false, "nothing was saved");
    // A replayed callback: the first use connects, the second is refused by the listener.
    let (code, _, err) = w.connect("replay", &[]);
    assert_eq!((code, err), (0, None));
    assert_eq!(w.status()["connected"], true);
}

#[test]
fn pre_registered_clients_basic_post_and_public() {
    let w = World::new(
        json!({"clients": [
            {"client_id": "conf-basic", "client_secret": "basic-secret-123", "token_endpoint_auth_method": "client_secret_basic", "redirect_uris": ["http://127.0.0.1/callback"]},
            {"client_id": "conf-post", "client_secret": "post-secret-456", "token_endpoint_auth_method": "client_secret_post", "redirect_uris": ["http://127.0.0.1/callback"]},
            {"client_id": "public-1", "token_endpoint_auth_method": "none", "redirect_uris": ["http://127.0.0.1/callback"]}
        ], "dcr": false}),
        json!({}),
    );
    w.add(&[]);
    for (id, secret, method) in [
        (
            "conf-basic",
            Some("basic-secret-123"),
            "client_secret_basic",
        ),
        ("conf-post", Some("post-secret-456"), "client_secret_post"),
        ("public-1", None, "none"),
    ] {
        let mut args = vec![
            "action",
            "edit",
            "demo",
            "--client-id",
            id,
            "--token-auth-method",
            method,
        ];
        if secret.is_some() {
            args.push("--client-secret-stdin");
        } else {
            args.push("--no-client-secret");
        }
        w.cmd()
            .args(&args)
            .write_stdin(secret.map(|s| format!("{s}\n")).unwrap_or_default())
            .assert()
            .success();
        let (code, out, err) = w.connect("consent", &[]);
        assert_eq!((code, err), (0, None), "{method}: {out}");
        assert_eq!(w.status()["clientId"], id);
        assert_eq!(w.mcp_status_with_token(), 200, "{method}: token accepted");
    }
    // The wrong method for a client is refused by the token endpoint, with the reason.
    w.cmd()
        .args([
            "action",
            "edit",
            "demo",
            "--client-id",
            "conf-basic",
            "--token-auth-method",
            "client_secret_post",
            "--client-secret-stdin",
        ])
        .write_stdin("basic-secret-123\n")
        .assert()
        .success();
    let (code, _, err) = w.connect("consent", &[]);
    assert_eq!((code, err.as_deref()), (1, Some("token_error")));
}

#[test]
fn discovery_handles_path_issuers_openid_only_metadata_and_bare_challenges() {
    for (auth, mcp) in [
        (json!({"issuerPath": "/tenant/acme"}), json!({})),
        (json!({"metadata": "openid-only"}), json!({})),
        (
            json!({"issuerPath": "/tenant/acme", "metadata": "openid-only"}),
            json!({}),
        ),
        (
            json!({}),
            json!({"challenge": "bare", "resourceMetadata": "root"}),
        ),
        (json!({}), json!({"challenge": "bare"})),
    ] {
        let w = World::new(auth.clone(), mcp.clone());
        w.add(&[]);
        let (code, out, err) = w.connect("consent", &[]);
        assert_eq!((code, err), (0, None), "auth {auth} / mcp {mcp}: {out}");
        assert_eq!(w.status()["issuer"], w.issuer());
        assert_eq!(w.mcp_status_with_token(), 200, "auth {auth} / mcp {mcp}");
    }
}

#[test]
fn refusals_each_have_their_code() {
    // PKCE not advertised: refused, unless the action says to assume S256.
    let w = World::new(json!({"advertiseS256": false}), json!({}));
    w.add(&[]);
    assert_eq!(
        w.connect("consent", &[]).2.as_deref(),
        Some("pkce_unsupported")
    );
    w.ok(&["action", "edit", "demo", "--assume-pkce-s256"]);
    assert_eq!(
        w.connect("consent", &[]).0,
        0,
        "connects once told to assume S256"
    );

    // Registration refused (allow-listed DCR) and no registration at all.
    let w = World::new(json!({"dcr": "forbidden"}), json!({}));
    w.add(&[]);
    let out = w
        .cmd()
        .args(["connect", "demo", "--port", "0", "--timeout", "5"])
        .write_stdin("")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("refused to register") && err.contains("--client-id"),
        "{err}"
    );
    let w = World::new(json!({"dcr": false}), json!({}));
    w.add(&[]);
    let out = w
        .cmd()
        .args(["--json", "connect", "demo", "--port", "0"])
        .write_stdin("")
        .assert()
        .code(1);
    let e: Value = serde_json::from_slice(&out.get_output().stderr).expect("json");
    assert_eq!(e["error"]["code"], "needs_client_id");
    assert!(
        e["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("http://127.0.0.1:") && h.contains("/callback")),
        "names the callback URL: {e}"
    );

    // Metadata for another resource.
    let w = World::new(
        json!({}),
        json!({"resource": "https://other.example.com/mcp"}),
    );
    w.add(&[]);
    assert_eq!(
        w.connect("consent", &[]).2.as_deref(),
        Some("resource_mismatch")
    );

    // No metadata anywhere: discovery lists what it tried.
    let w = World::new(
        json!({}),
        json!({"resourceMetadata": "none", "challenge": "bare"}),
    );
    w.ok(&[
        "action",
        "add",
        "demo",
        "--url",
        &format!("{}/nothing", w.url().trim_end_matches("/mcp")),
        "--auth",
        "oauth",
    ]);
    let out = w
        .cmd()
        .args(["connect", "demo", "--port", "0"])
        .write_stdin("")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("tried:") && err.contains("/.well-known/oauth-protected-resource"),
        "{err}"
    );

    // Nothing listening at all.
    let w = World::simple();
    w.ok(&[
        "action",
        "add",
        "demo",
        "--url",
        "http://127.0.0.1:9/mcp",
        "--auth",
        "oauth",
    ]);
    assert_eq!(w.connect("consent", &[]).2.as_deref(), Some("unreachable"));
}

#[test]
fn a_busy_callback_port_is_a_clear_error() {
    let w = World::simple();
    w.add(&[]);
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = held.local_addr().expect("addr").port().to_string();
    let out = w
        .cmd()
        .args(["connect", "demo", "--port", &port])
        .write_stdin("")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains(&format!("port {port}")) && err.contains("--port"),
        "{err}"
    );
}

#[test]
fn no_browser_prints_the_authorization_url_alone_first() {
    let w = World::simple();
    w.add(&[]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("patchbay"))
        .args([
            "connect",
            "demo",
            "--no-browser",
            "--port",
            "0",
            "--timeout",
            "20",
        ])
        .env("PATCHBAY_HOME", w.home.path())
        .env_remove("BROWSER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("connect");
    let mut lines = crate::support::Lines::new(
        child.stdout.take().expect("stdout"),
        "patchbay connect --no-browser",
    );
    let first = lines.next(std::time::Duration::from_secs(30));
    let url = url::Url::parse(first.trim()).expect("the first line is the authorization URL alone");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert_eq!(
        q.get("resource"),
        Some(&w.url()),
        "RFC 8707 resource is the server URL"
    );
    assert!(q.contains_key("state") && q.contains_key("code_challenge"));
    // The user opens it themselves.
    let browser = patchbay_testsupport::run(
        std::process::Command::new("node")
            .arg(servers_dir().join("browser.mjs"))
            .arg("--foreground")
            .arg(first.trim()),
        std::time::Duration::from_secs(60),
        "the headless browser (browser.mjs) giving consent",
    );
    assert!(
        browser.status.success(),
        "browser: {}",
        String::from_utf8_lossy(&browser.stderr)
    );
    let rest = lines.rest(std::time::Duration::from_secs(60));
    assert!(
        patchbay_testsupport::wait_child(
            &mut child,
            std::time::Duration::from_secs(30),
            "patchbay connect --no-browser"
        )
        .success()
    );
    assert!(rest.contains("Connected as alice@example.com"), "{rest}");
}

#[test]
fn a_reusable_connection_is_saved_then_authorized() {
    let w = World::new(
        json!({"clients": [{"client_id": "conn-app", "client_secret": "conn-secret-789", "token_endpoint_auth_method": "client_secret_post", "redirect_uris": ["http://127.0.0.1/callback"]}]}),
        json!({}),
    );
    let issuer = w.issuer();
    let (auth_url, token_url) = (format!("{issuer}/auth"), format!("{issuer}/token"));
    let out = w
        .cmd()
        .env("PATCHBAY_TEST_BROWSER", "consent")
        .args([
            "connection",
            "add",
            "work",
            "--provider",
            "example",
            "--client-id",
            "conn-app",
            "--client-secret-stdin",
            "--token-auth-method",
            "client_secret_post",
            "--authorization-url",
            &auth_url,
            "--token-url",
            &token_url,
            "--scopes",
            "openid email",
            "--connect",
            "--port",
            "0",
            "--timeout",
            "20",
        ])
        .write_stdin("conn-secret-789\n")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains("Connected as alice@example.com"),
        "{stdout}"
    );
    let st: Value =
        serde_json::from_str(&w.ok(&["--json", "connection", "status", "work"])).expect("json");
    assert_eq!(st["connected"], true);
    assert_eq!(st["clientId"], "conn-app");
    // The token works at the provider (userinfo).
    let token = w.ok(&["connection", "access-token", "work"]);
    let me: Value = reqwest::blocking::Client::new()
        .get(format!("{issuer}/me"))
        .bearer_auth(token.trim())
        .send()
        .expect("userinfo")
        .json()
        .expect("json");
    assert_eq!(me["email"], "alice@example.com");
    w.ok(&["connection", "disconnect", "work"]);
    let st: Value =
        serde_json::from_str(&w.ok(&["--json", "connection", "status", "work"])).expect("json");
    assert_eq!(st["connected"], false);
    // A failed authorization keeps the saved connection.
    let out = w
        .cmd()
        .env("PATCHBAY_TEST_BROWSER", "deny")
        .args([
            "connection",
            "add",
            "work2",
            "--provider",
            "example",
            "--client-id",
            "conn-app",
            "--client-secret-stdin",
            "--token-auth-method",
            "client_secret_post",
            "--authorization-url",
            &auth_url,
            "--token-url",
            &token_url,
            "--connect",
            "--port",
            "0",
            "--timeout",
            "20",
        ])
        .write_stdin("conn-secret-789\n")
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("access_denied"));
    w.ok(&["connection", "show", "work2"]);
}

#[test]
fn two_actions_on_one_server_keep_separate_accounts() {
    let w = World::new(json!({"users": ["bob@example.com"]}), json!({}));
    let url = w.url();
    w.ok(&["action", "add", "demo", "--url", &url, "--auth", "oauth"]);
    w.ok(&[
        "action", "add", "demo-bob", "--url", &url, "--auth", "oauth",
    ]);
    assert_eq!(w.connect("consent", &[]).0, 0);
    let out = w
        .cmd()
        .env("PATCHBAY_TEST_BROWSER", "login-as=bob@example.com")
        .args(["connect", "demo-bob", "--port", "0", "--timeout", "20"])
        .write_stdin("")
        .assert()
        .success();
    assert!(
        String::from_utf8_lossy(&out.get_output().stdout).contains("Connected as bob@example.com")
    );
    let a: Value = serde_json::from_str(&w.ok(&["--json", "status", "demo"])).expect("json");
    let b: Value = serde_json::from_str(&w.ok(&["--json", "status", "demo-bob"])).expect("json");
    assert_eq!(
        (a["account"].as_str(), b["account"].as_str()),
        (Some("alice@example.com"), Some("bob@example.com"))
    );
    assert_ne!(
        w.ok(&["access-token", "demo"]),
        w.ok(&["access-token", "demo-bob"]),
        "separate tokens"
    );
    // Removing one action forgets its tokens only.
    w.ok(&["action", "remove", "demo-bob"]);
    assert_eq!(w.status()["account"], "alice@example.com");
}

#[test]
fn a_connection_with_typed_endpoints_on_a_path_issuer_connects() {
    // The issuer of typed endpoints is unknown to Patchbay, so the response's `iss`
    // (here with a path) cannot be held against a guess of it.
    let w = World::new(
        json!({"issuerPath": "/tenant/acme", "clients": [{"client_id": "pub-app", "token_endpoint_auth_method": "none", "redirect_uris": ["http://127.0.0.1/callback"]}]}),
        json!({}),
    );
    let issuer = w.issuer();
    let out = w
        .cmd()
        .env("PATCHBAY_TEST_BROWSER", "consent")
        .args([
            "connection",
            "add",
            "acme",
            "--provider",
            "acme",
            "--client-id",
            "pub-app",
            "--authorization-url",
            &format!("{issuer}/auth"),
            "--token-url",
            &format!("{issuer}/token"),
            "--scopes",
            "openid email",
            "--connect",
            "--port",
            "0",
            "--timeout",
            "20",
        ])
        .write_stdin("")
        .assert()
        .success();
    assert!(
        String::from_utf8_lossy(&out.get_output().stdout)
            .contains("Connected as alice@example.com")
    );
}

fn error_code_of(child: std::process::Child) -> (i32, Option<String>) {
    let out = patchbay_testsupport::output_within(
        child,
        crate::support::CLI_WITHIN,
        "patchbay connect (expected to fail)",
    );
    let code = crate::support::error_code(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), code)
}

#[test]
fn responses_a_real_server_wont_send_are_still_named() {
    // oidc-provider shows a redirect_uri error on its own page and always sends the right
    // `iss`; other providers redirect such errors back, and a mix-up attack sends another
    // issuer. The callback is delivered by hand, with the flow's real state.
    let w = World::simple();
    w.add(&[]);
    let cases = [
        (
            "error=invalid_request&error_description=redirect_uri%20is%20not%20registered",
            "redirect_uri_mismatch",
        ),
        (
            "code=anything&iss=https%3A%2F%2Fattacker.example",
            "issuer_mismatch",
        ),
        ("code=anything", "issuer_mismatch"), // the server promises `iss` (RFC 9207) but it is missing
        (
            "error=server_error&error_description=try%20later",
            "authorization_failed",
        ),
    ];
    for (query, expected) in cases {
        let (child, url) = w.start_no_browser(&["--port", "0", "--timeout", "20"]);
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        let iss = if query.contains("iss=") || query == "code=anything" {
            String::new()
        } else {
            format!("&iss={}", w.issuer())
        };
        let callback = format!("{}?{query}&state={}{iss}", q["redirect_uri"], q["state"]);
        let page = reqwest::blocking::get(&callback).expect("callback");
        assert_eq!(
            page.status().as_u16(),
            400,
            "{expected}: the browser is told it failed"
        );
        assert!(page.text().expect("page").contains("Authorization failed"));
        assert_eq!(
            error_code_of(child),
            (1, Some(expected.to_string())),
            "{query}"
        );
    }
    assert_eq!(w.status()["connected"], false, "nothing was saved");
}

#[test]
fn a_server_with_an_untrusted_certificate_is_a_tls_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    let made = patchbay_testsupport::run(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        std::time::Duration::from_secs(60),
        "openssl req (a self-signed certificate; scripts/setup.sh --test installs openssl)",
    )
    .status;
    assert!(made.success(), "self-signed certificate");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut server = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
        ])
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "s_server listens");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let w = World::simple();
    w.ok(&[
        "action",
        "add",
        "demo",
        "--url",
        &format!("https://127.0.0.1:{port}/mcp"),
        "--auth",
        "oauth",
    ]);
    let (code, _, err) = w.connect("consent", &[]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!((code, err.as_deref()), (1, Some("tls")));
}

#[test]
fn discovery_is_reused_and_redone_when_it_goes_stale() {
    let w = World::simple();
    w.add(&[]);
    let mcp_origin = w.url().trim_end_matches("/mcp").to_string();
    let auth_origin = w.issuer();
    assert_eq!(w.connect("consent", &[]).0, 0);
    // A reconnect asks nothing of the MCP server and no metadata of the authorization server.
    reset_stats(&mcp_origin);
    reset_stats(&auth_origin);
    assert_eq!(w.connect("consent", &[]).0, 0);
    assert_eq!(
        stats(&mcp_origin)["requests"],
        0,
        "no probe, no resource metadata"
    );
    let by_path = stats(&auth_origin)["byPath"].clone();
    assert!(
        by_path
            .as_object()
            .is_some_and(|m| m.keys().all(|p| !p.starts_with("/.well-known"))),
        "no metadata fetched again: {by_path}"
    );
    // Stale metadata (a registration endpoint that moved): the connect discovers again and
    // retries before the browser opens, in the same command.
    let pb = patchbay_core::Patchbay::open(w.home.path()).expect("open");
    pb.store()
        .write(|tx| {
            tx.execute(
                "UPDATE oauth_discovery SET discovered = json_set(discovered, '$.server.registration_endpoint', 'http://127.0.0.1:9/reg')",
                [],
            )?;
            tx.execute("DELETE FROM oauth_clients", [])?;
            Ok(())
        })
        .expect("make the cache stale");
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "{out}");
    let fixed: String = pb
        .store()
        .read(|c| Ok(c.query_row("SELECT json_extract(discovered, '$.server.registration_endpoint') FROM oauth_discovery", [], |r| r.get(0))?))
        .expect("cache");
    assert!(
        fixed.starts_with(&auth_origin),
        "the cache holds the fresh metadata: {fixed}"
    );
}

#[test]
fn an_app_link_sign_in_is_left_to_the_desktop_app() {
    let w = World::simple();
    w.add(&["--callback", "app-link"]);
    let shown = w.ok(&["action", "show", "demo"]);
    assert!(shown.contains("app-link"), "{shown}");
    let (code, _, err) = w.connect("consent", &[]);
    assert_eq!((code, err.as_deref()), (1, Some("invalid_input")));
    let out = w
        .cmd()
        .args(["connect", "demo", "--port", "0"])
        .write_stdin("")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("dev.patchbay.app:/oauth/callback") && err.contains("desktop app"),
        "{err}"
    );
    assert!(err.contains("--callback loopback"), "names the fix: {err}");
    // Back to loopback: the CLI connects.
    w.ok(&["action", "edit", "demo", "--callback", "loopback"]);
    assert_eq!(w.connect("consent", &[]).0, 0);
}
