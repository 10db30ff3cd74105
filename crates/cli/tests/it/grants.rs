//! The client credentials grant (no user, no browser) against the real authorization server
//! (oidc-provider) and MCP server: `client_secret_basic`, and `private_key_jwt` with a key
//! Patchbay generates (its public JWK registered at the server) or one imported from a PEM;
//! tokens fetched again before expiry and after a 401; nothing secret in the profile folder.

use std::time::{Duration, Instant};

use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};

use crate::support::*;

fn cc_grants(w: &World) -> u64 {
    stats(&w.issuer())["tags"]["grant_type:client_credentials"]
        .as_u64()
        .unwrap_or(0)
}

fn show(w: &World, name: &str) -> Value {
    serde_json::from_str(&w.ok(&["--json", "action", "show", name])).expect("show json")
}

/// `patchbay --json ARGS` with `stdin`, whatever its exit code.
fn run_with(w: &World, args: &[&str], stdin: &str) -> Out {
    let o = w
        .cmd()
        .env("PATCHBAY_TEST_BROWSER", "ignore")
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .expect("run patchbay");
    Out::from_output(&o)
}

/// Connect with a browser that would do nothing: the grant needs none.
fn connect(w: &World, name: &str) -> Value {
    let started = Instant::now();
    let out = run_with(
        w,
        &["--json", "connect", name, "--port", "0", "--timeout", "20"],
        "",
    );
    assert_eq!(out.code, 0, "connect {name}: {}", out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "no browser to wait for"
    );
    serde_json::from_str(&out.stdout).expect("grant json")
}

fn echo(w: &World, name: &str, text: &str) {
    let args = json!({ "text": text }).to_string();
    assert_eq!(
        w.ok(&["call", name, "echo", "--args", &args]),
        format!("{text}\n"),
        "{name} calls a tool"
    );
}

/// No file of the profile holds any of `secrets`.
fn assert_profile_holds_none(w: &World, secrets: &[&str]) {
    for (file, bytes) in patchbay_testsupport::all_bytes(w.home.path()) {
        for s in secrets {
            assert!(
                !patchbay_testsupport::contains(&bytes, s),
                "{file} holds a secret ({} characters)",
                s.len()
            );
        }
    }
}

fn machine_client(id: &str, extra: Value) -> Value {
    let mut c = json!({
        "client_id": id,
        "grant_types": ["client_credentials"],
        "response_types": [],
        "redirect_uris": [],
    });
    for (k, v) in extra.as_object().expect("object") {
        c[k] = v.clone();
    }
    c
}

/// An action with the `machine` client's secret and the client credentials grant.
fn add_machine_action(w: &World, name: &str, url: &str) {
    let args = [
        "action",
        "add",
        name,
        "--url",
        url,
        "--grant",
        "client-credentials",
        "--client-id",
        "machine",
        "--client-secret-stdin",
    ];
    let out = run_with(w, &args, "machine-secret-9f3k\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_client_secret_basic_action_gets_tokens_with_no_user_before_expiry_and_after_a_401() {
    // 8 s tokens: fetched again once less than half their life (4 s) is left.
    let w = World::new(
        json!({
            "accessTokenTtl": 8,
            "clients": [machine_client("machine", json!({
                "client_secret": "machine-secret-9f3k",
                "token_endpoint_auth_method": "client_secret_basic",
            }))],
        }),
        json!({}),
    );
    let url = w.url();
    add_machine_action(&w, "cc", &url);
    let a = show(&w, "cc");
    assert_eq!(a["grant"], "client-credentials", "{a}");
    assert_eq!(a["publicJwk"], Value::Null, "no key for a secret: {a}");
    assert_eq!(a["oauth"]["tokenAuthMethod"], "client_secret_basic");

    reset_stats(&w.issuer());
    let g = connect(&w, "cc");
    assert_eq!(g["connected"], true, "{g}");
    assert_eq!(
        g["account"], "machine",
        "the client is who is connected: {g}"
    );
    assert_eq!(g["hasRefreshToken"], false);
    let s = stats(&w.issuer());
    assert_eq!(cc_grants(&w), 1, "one token request: {s}");
    assert!(
        s["byPath"].get("/auth").is_none(),
        "nothing asked a user to sign in: {s}"
    );
    let connected = Instant::now();
    echo(&w, "cc", "no user");
    assert_eq!(cc_grants(&w), 1, "the stored token was used");

    // Past half its life: a new token before the call, fetched once.
    std::thread::sleep(Duration::from_millis(4500).saturating_sub(connected.elapsed()));
    echo(&w, "cc", "near expiry");
    assert_eq!(cc_grants(&w), 2, "fetched again before expiry");
    echo(&w, "cc", "fresh");
    assert_eq!(cc_grants(&w), 2, "and kept");

    // The resource server drops the token: one new token, one retry.
    reqwest::blocking::Client::new()
        .post(format!("{}/__admin/reject-seen-tokens", mcp_origin(&w)))
        .send()
        .expect("reject");
    echo(&w, "cc", "after a 401");
    assert_eq!(cc_grants(&w), 3, "one new token after the 401");

    let logs = w.ok(&["--json", "logs", "--action", "cc", "--kind", "refresh"]);
    let rows: Vec<Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(rows.len(), 2, "{logs}");
    assert!(
        rows.iter().all(|r| r["summary"]
            .as_str()
            .unwrap_or("")
            .contains("with the client's credentials")),
        "{logs}"
    );
    assert!(logs.contains("after a 401"), "{logs}");
    let token = w.ok(&["access-token", "cc"]);
    let token = token.trim();
    assert!(token.starts_with("eyJ"), "a JWT for the resource");
    assert!(!logs.contains(token) && !logs.contains("machine-secret-9f3k"));

    // No user, so no `patchbay connect` needed: the first call fetches the first token.
    add_machine_action(&w, "cc-first", &url);
    echo(&w, "cc-first", "first use");
    assert_eq!(cc_grants(&w), 4, "one token request on first use");
    echo(&w, "cc-first", "second use");
    assert_eq!(cc_grants(&w), 4, "and kept");
    let status: Value =
        serde_json::from_str(&w.ok(&["--json", "status", "cc-first"])).expect("json");
    assert_eq!(
        status["connected"], true,
        "connected by its first call: {status}"
    );
    let first = w.ok(&["logs", "--action", "cc-first", "--kind", "connect"]);
    assert!(first.contains("connected"), "{first}");
    assert_profile_holds_none(&w, &["machine-secret-9f3k", token]);
}

fn mcp_origin(w: &World) -> String {
    let u = url::Url::parse(&w.url()).expect("url");
    u.origin().ascii_serialization()
}

/// Register a `private_key_jwt` machine client at the authorization server (RFC 7591), as a
/// user does with the provider: its client id.
fn register(w: &World, jwk: &Value) -> String {
    let resp: Value = reqwest::blocking::Client::new()
        .post(format!("{}/reg", w.issuer()))
        .json(&json!({
            "client_name": "patchbay machine",
            "grant_types": ["client_credentials"],
            "response_types": [],
            "redirect_uris": [],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "ES256",
            "jwks": { "keys": [jwk] },
        }))
        .send()
        .expect("register")
        .json()
        .expect("registration json");
    resp["client_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no client_id: {resp}"))
        .to_string()
}

#[test]
fn a_key_patchbay_generates_is_registered_by_its_public_jwk_and_signs_for_the_client() {
    let w = World::simple();
    let url = w.url();
    // No client id yet: the key comes first, then the provider's registration.
    w.ok(&[
        "action",
        "add",
        "signer",
        "--url",
        &url,
        "--grant",
        "client-credentials",
        "--token-auth-method",
        "private-key-jwt",
    ]);
    let a = show(&w, "signer");
    assert_eq!(a["grant"], "client-credentials");
    assert_eq!(a["oauth"]["tokenAuthMethod"], "private_key_jwt");
    let jwk = a["publicJwk"].clone();
    assert_eq!(
        (&jwk["kty"], &jwk["crv"], &jwk["alg"], &jwk["use"]),
        (
            &json!("EC"),
            &json!("P-256"),
            &json!("ES256"),
            &json!("sig")
        ),
        "{jwk}"
    );
    assert!(jwk.get("d").is_none(), "never the private part: {jwk}");
    let human = w.ok(&["action", "show", "signer"]);
    assert!(
        human.contains(jwk["x"].as_str().expect("x")),
        "the human form shows the key to register too: {human}"
    );
    let out = run_with(&w, &["--json", "connect", "signer", "--port", "0"], "");
    assert_eq!(
        out.error_code().as_deref(),
        Some("needs_client_id"),
        "{}",
        out.stderr
    );

    let client_id = register(&w, &jwk);
    w.ok(&["action", "edit", "signer", "--client-id", &client_id]);
    assert_eq!(
        show(&w, "signer")["publicJwk"],
        jwk,
        "a new client id keeps the key"
    );
    reset_stats(&w.issuer());
    let g = connect(&w, "signer");
    assert_eq!(g["account"], client_id.as_str(), "{g}");
    echo(&w, "signer", "signed");
    reqwest::blocking::Client::new()
        .post(format!("{}/__admin/reject-seen-tokens", mcp_origin(&w)))
        .send()
        .expect("reject");
    echo(&w, "signer", "signed again");
    assert_eq!(
        cc_grants(&w),
        2,
        "each assertion is new (the server refuses a replayed jti)"
    );

    let token = w.ok(&["access-token", "signer"]);
    assert_profile_holds_none(&w, &["PRIVATE KEY", token.trim()]);

    // Back to a client secret: the key is gone from the view (and the keychain).
    w.cmd()
        .args([
            "action",
            "edit",
            "signer",
            "--token-auth-method",
            "client_secret_post",
            "--client-secret-stdin",
        ])
        .write_stdin("s\n")
        .assert()
        .success();
    assert_eq!(show(&w, "signer")["publicJwk"], Value::Null);
}

/// A P-256 key made here, as another tool would: its PKCS#8 PEM and public JWK.
fn outside_key() -> (String, Value) {
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    let pem = key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string();
    let jwk: Value = serde_json::from_str(&key.public_key().to_jwk_string()).expect("jwk");
    (pem, jwk)
}

fn base64_lines(pem: &str) -> Vec<&str> {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

#[test]
fn an_imported_pem_signs_for_a_pre_registered_client_and_bad_keys_are_refused() {
    let (pem, jwk) = outside_key();
    let w = World::new(
        json!({"clients": [machine_client("imported", json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [jwk.clone()]},
        }))]}),
        json!({}),
    );
    let url = w.url();
    let add = |name: &str, extra: &[&str], stdin: &str| {
        let mut args = vec![
            "--json",
            "action",
            "add",
            name,
            "--url",
            &url,
            "--grant",
            "client-credentials",
        ];
        args.extend_from_slice(extra);
        run_with(&w, &args, stdin)
    };

    // Keys that cannot sign ES256, and combinations that make no sense: refused, saying why,
    // showing nothing of the key.
    let p384 = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBetS6KFLQrj7TsXFkZ
p6ZRNUcOeOIOe+9KE3ykuK1ZcZqBbrwFz3CHxT/38hXVY3yhZANiAAT8qr3V/v2S
mUuNLWhy/CaySqBiXpVWmk1jXg7wJefxv4NmVtccbhvEOA7Zaw/2QDzf3sgSK4+X
WRa90ObDl2cLMX42U8QCdgiR98y5nuNEpVc2idOC7DKHs837X4R513c=
-----END PRIVATE KEY-----
";
    for (stdin, says) in [
        (p384, "P-384"),
        ("not a key\n", "not in PEM form"),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "malformed",
        ),
    ] {
        let out = add(
            "bad",
            &[
                "--client-id",
                "imported",
                "--token-auth-method",
                "private_key_jwt",
                "--private-key-stdin",
            ],
            stdin,
        );
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stderr.contains(says), "{says}: {}", out.stderr);
        assert!(out.stderr.contains("--private-key-stdin"), "{}", out.stderr);
        for line in base64_lines(stdin).into_iter().filter(|l| l.len() > 8) {
            assert!(
                !out.stderr.contains(line),
                "no part of the key in the error"
            );
        }
    }
    let out = add(
        "bad",
        &["--client-id", "x", "--token-auth-method", "none"],
        "",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("needs a confidential client") && out.stderr.contains("\"grant\""),
        "{}",
        out.stderr
    );
    let list: Value = serde_json::from_str(&w.ok(&["--json", "action", "list"])).expect("json");
    assert_eq!(list, json!([]), "nothing saved");

    let out = add(
        "imp",
        &[
            "--client-id",
            "imported",
            "--token-auth-method",
            "private_key_jwt",
            "--private-key-stdin",
        ],
        &pem,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let a = show(&w, "imp");
    assert_eq!(
        (&a["publicJwk"]["x"], &a["publicJwk"]["y"]),
        (&jwk["x"], &jwk["y"]),
        "the imported key's public half: {a}"
    );
    connect(&w, "imp");
    echo(&w, "imp", "imported key");

    // A reusable connection with the same client, by an imported key too; a second one is
    // never connected: its first token is fetched when it is first asked for.
    let issuer = w.issuer();
    let (auth_url, token_url) = (format!("{issuer}/auth"), format!("{issuer}/token"));
    let mut secrets = base64_lines(&pem);
    let mut tokens = Vec::new();
    for (name, connect_first) in [("machine", true), ("machine-lazy", false)] {
        let args = [
            "--json",
            "connection",
            "add",
            name,
            "--provider",
            "test",
            "--client-id",
            "imported",
            "--authorization-url",
            &auth_url,
            "--token-url",
            &token_url,
            "--grant",
            "client-credentials",
            "--private-key-stdin",
        ];
        let out = run_with(&w, &args, &pem);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let c: Value =
            serde_json::from_str(&w.ok(&["--json", "connection", "show", name])).expect("json");
        assert_eq!(c["grant"], "client-credentials", "{c}");
        assert_eq!(c["tokenAuthMethod"], "private_key_jwt");
        assert_eq!(c["publicJwk"]["x"], jwk["x"]);
        if connect_first {
            let out = run_with(
                &w,
                &["--json", "connection", "connect", name, "--port", "0"],
                "",
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
        }
        let token = w.ok(&["connection", "access-token", name]);
        assert!(!token.trim().is_empty(), "{name}: a token");
        tokens.push(token.trim().to_string());
    }
    secrets.extend(tokens.iter().map(String::as_str));
    assert_profile_holds_none(&w, &secrets);
}

/// `private_key_jwt` is not only for client credentials: a user's sign-in whose client signs
/// its code exchange, its refreshes and its revocations with the key Patchbay generated.
#[test]
fn a_signing_key_also_authenticates_a_users_sign_in_its_refreshes_and_revocation() {
    let w = World::new(json!({"accessTokenTtl": 8}), json!({}));
    let url = w.url();
    w.ok(&[
        "action",
        "add",
        "user-signer",
        "--url",
        &url,
        "--auth",
        "oauth",
        "--token-auth-method",
        "private_key_jwt",
    ]);
    let a = show(&w, "user-signer");
    assert_eq!(a["grant"], "authorization-code", "{a}");
    let resp: Value = reqwest::blocking::Client::new()
        .post(format!("{}/reg", w.issuer()))
        .json(&json!({
            "client_name": "patchbay with a key",
            "application_type": "native",
            "redirect_uris": ["http://127.0.0.1:1/callback"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "ES256",
            "jwks": { "keys": [a["publicJwk"]] },
        }))
        .send()
        .expect("register")
        .json()
        .expect("registration json");
    let client_id = resp["client_id"].as_str().expect("client_id").to_string();
    w.ok(&["action", "edit", "user-signer", "--client-id", &client_id]);
    let out = w
        .cmd()
        .env("PATCHBAY_TEST_BROWSER", "consent")
        .args([
            "--json",
            "connect",
            "user-signer",
            "--port",
            "0",
            "--timeout",
            "30",
        ])
        .write_stdin("")
        .output()
        .expect("connect");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let connected = Instant::now();
    let g: Value = serde_json::from_slice(&out.stdout).expect("grant json");
    assert_eq!(g["account"], "alice@example.com", "{g}");
    echo(&w, "user-signer", "signed in");
    reset_stats(&w.issuer());
    std::thread::sleep(Duration::from_millis(4500).saturating_sub(connected.elapsed()));
    echo(&w, "user-signer", "refreshed");
    assert_eq!(
        w.refreshes(),
        1,
        "the refresh authenticated with an assertion"
    );
    let report: Value =
        serde_json::from_str(&w.ok(&["--json", "disconnect", "user-signer"])).expect("json");
    assert_eq!(
        report["revocation"]["outcome"], "revoked",
        "the revocation authenticated too: {report}"
    );
}

/// An HTTP endpoint publishes no OAuth metadata, so its own client is spelled out; with client
/// credentials there is no user to send anywhere, so the token URL alone is enough.
#[test]
fn an_http_action_on_client_credentials_needs_only_its_token_url() {
    let w = World::new(
        json!({"clients": [machine_client("machine", json!({
            "client_secret": "machine-secret-9f3k",
            "token_endpoint_auth_method": "client_secret_basic",
        }))]}),
        json!({}),
    );
    let token_url = format!("{}/token", w.issuer());
    let mut args = vec![
        "action",
        "add",
        "reports",
        "--http",
        "--url",
        "http://127.0.0.1:9/reports",
        "--grant",
        "client-credentials",
        "--client-id",
        "machine",
        "--client-secret-stdin",
    ];
    let out = run_with(&w, &args, "machine-secret-9f3k\n");
    assert_eq!(out.code, 1, "an error to fix: {}", out.stderr);
    assert!(
        out.stderr.contains("need its token URL") && out.stderr.contains("--token-url"),
        "{}",
        out.stderr
    );
    args.extend(["--token-url", &token_url]);
    let out = run_with(&w, &args, "machine-secret-9f3k\n");
    assert_eq!(
        out.code, 0,
        "no authorization URL asked for: {}",
        out.stderr
    );
    // Its first token on first use, no connect.
    let token = w.ok(&["access-token", "reports"]);
    assert!(token.trim().starts_with("eyJ"), "a token from the server");
    assert_profile_holds_none(&w, &["machine-secret-9f3k", token.trim()]);
}
