//! Enterprise identity providers and the grants that present a JWT, as a user meets them:
//! `patchbay idp add/list/login/logout/remove` against the real OpenID provider
//! (oidc-provider, signed in through the consent browser), an action on `--idp NAME`, the
//! `jwt-bearer` grant's token file, and what each refuses. The token exchanges themselves
//! (an ID-JAG, RFC 8693; the jwt-bearer grant, RFC 7523) are proven by the conformance
//! suite's `auth/enterprise-managed-authorization` and `auth/wif-jwt-bearer` scenarios, which
//! `tests/conformance/run.mjs` requires: oidc-provider issues neither.

use serde_json::{Value, json};

use crate::support::*;

/// `patchbay ARGS` with `stdin`, whatever its exit code.
fn run(w: &World, args: &[&str], stdin: &str) -> Out {
    let o = w
        .cmd()
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .expect("run patchbay");
    Out::from_output(&o)
}

fn idp_list(w: &World) -> Value {
    serde_json::from_str(&w.ok(&["--json", "idp", "list"])).expect("idp list JSON")
}

/// The provider's client for Patchbay: public, any loopback port.
fn idp_world() -> World {
    World::new(
        json!({
            "clients": [{
                "client_id": "patchbay-idp",
                "redirect_uris": ["http://127.0.0.1:1/callback"],
            }],
        }),
        json!({}),
    )
}

#[test]
fn an_identity_provider_is_signed_in_once_in_the_browser_kept_apart_and_forgotten() {
    let w = idp_world();
    let issuer = w.issuer();
    let added = w.ok(&[
        "idp",
        "add",
        "corp",
        "--issuer",
        &issuer,
        "--client-id",
        "patchbay-idp",
    ]);
    assert!(added.contains("patchbay idp login corp"), "{added}");
    let list = idp_list(&w);
    assert_eq!(list[0]["name"], "corp", "{list}");
    assert_eq!(list[0]["signedIn"], false, "{list}");

    // The browser sign-in at the provider (the consent browser logs in as alice).
    let out = run(
        &w,
        &["idp", "login", "corp", "--port", "0", "--timeout", "30"],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "Signed in at corp as alice@example.com\n");
    let list = idp_list(&w);
    assert_eq!(list[0]["signedIn"], true, "{list}");
    assert_eq!(list[0]["account"], "alice@example.com", "{list}");
    assert!(list[0]["idTokenExpiresAt"].is_string(), "{list}");
    assert!(
        !list.to_string().contains("eyJ"),
        "no token in the listing: {list}"
    );

    // An action on it: the grant is enterprise-managed, listed under the provider.
    let url = w.url();
    w.ok(&[
        "action",
        "add",
        "demo",
        "--url",
        &url,
        "--auth",
        "oauth",
        "--idp",
        "corp",
        "--client-id",
        "demo-client",
    ]);
    let a: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("show");
    assert_eq!(a["grant"], "enterprise-managed", "{a}");
    assert_eq!(a["oauth"]["idp"], "corp", "{a}");
    assert_eq!(idp_list(&w)[0]["actions"], json!(["demo"]));

    // In use: not removed.
    let out = run(&w, &["--json", "idp", "remove", "corp"], "");
    assert_ne!(out.code, 0);
    assert_eq!(
        out.error_code().as_deref(),
        Some("in_use"),
        "{}",
        out.stderr
    );

    // Logged out: the sign-in is forgotten, and a server token needs it again.
    assert!(
        w.ok(&["idp", "logout", "corp"])
            .starts_with("Signed out of corp")
    );
    assert_eq!(idp_list(&w)[0]["signedIn"], false);
    let out = run(&w, &["--json", "connect", "demo", "--port", "0"], "");
    assert_ne!(out.code, 0);
    assert_eq!(
        out.error_code().as_deref(),
        Some("not_connected"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("patchbay idp login corp"),
        "{}",
        out.stderr
    );
    // Status at a glance says where to sign in.
    let st: Value = serde_json::from_str(&w.ok(&["--json", "status"])).expect("status");
    let fixes: Vec<&str> = st["attention"]
        .as_array()
        .expect("attention")
        .iter()
        .filter_map(|a| a["fix"].as_str())
        .collect();
    assert_eq!(fixes, ["patchbay idp login corp"], "{st}");

    // Moved to another grant, the provider is free to go.
    w.ok(&["action", "edit", "demo", "--grant", "authorization-code"]);
    assert!(
        w.ok(&["idp", "remove", "corp"])
            .contains("Removed identity provider 'corp'")
    );
    assert_eq!(idp_list(&w), json!([]));
}

#[test]
fn bad_identity_provider_input_is_refused_with_what_to_do() {
    let w = idp_world();
    let issuer = w.issuer();
    w.ok(&[
        "idp",
        "add",
        "corp",
        "--issuer",
        &issuer,
        "--client-id",
        "patchbay-idp",
    ]);

    let again = run(
        &w,
        &[
            "--json",
            "idp",
            "add",
            "CORP",
            "--issuer",
            &issuer,
            "--client-id",
            "x",
        ],
        "",
    );
    assert_eq!(again.code, 1);
    assert_eq!(
        again.error_code().as_deref(),
        Some("conflict"),
        "{}",
        again.stderr
    );

    let plain = run(
        &w,
        &[
            "idp",
            "add",
            "other",
            "--issuer",
            "http://idp.example.com",
            "--client-id",
            "x",
        ],
        "",
    );
    assert_eq!(plain.code, 1, "plain http off loopback: {}", plain.stderr);
    assert!(plain.stderr.contains("https"), "{}", plain.stderr);

    // An ID token from another issuer is not kept (and not echoed).
    let header = "eyJhbGciOiJub25lIn0";
    let claims = "eyJpc3MiOiJodHRwczovL2V2aWwuZXhhbXBsZSIsInN1YiI6Im1hbGxvcnkifQ";
    let foreign = format!("{header}.{claims}.c2ln");
    let out = run(
        &w,
        &["idp", "login", "corp", "--id-token-stdin"],
        &format!("{foreign}\n"),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("issued by 'https://evil.example'"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(&foreign), "the token is not echoed");
    let out = run(
        &w,
        &["idp", "login", "corp", "--id-token-stdin"],
        "not-a-jwt\n",
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not an ID token"), "{}", out.stderr);
    assert_eq!(idp_list(&w)[0]["signedIn"], false);

    // An action naming a provider that does not exist is told how to see them.
    let url = w.url();
    let out = run(
        &w,
        &[
            "--json",
            "action",
            "add",
            "a",
            "--url",
            &url,
            "--grant",
            "enterprise-managed",
        ],
        "",
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("--idp NAME"), "{}", out.stderr);
}

#[test]
fn the_jwt_bearer_grant_reads_the_workloads_token_file_and_says_what_is_wrong_with_it() {
    let w = World::simple();
    let url = w.url();
    let out = run(
        &w,
        &[
            "--json",
            "action",
            "add",
            "wl",
            "--url",
            &url,
            "--grant",
            "jwt-bearer",
        ],
        "",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("--assertion-file PATH"),
        "{}",
        out.stderr
    );
    let out = run(
        &w,
        &[
            "--json",
            "action",
            "add",
            "wl",
            "--url",
            &url,
            "--grant",
            "jwt-bearer",
            "--assertion-file",
            "token.jwt",
        ],
        "",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("not an absolute path"),
        "{}",
        out.stderr
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("token");
    std::fs::write(&file, "this-is-not-a-jwt-but-a-secret\n").expect("write");
    let path = file.display().to_string();
    w.ok(&[
        "action",
        "add",
        "wl",
        "--url",
        &url,
        "--grant",
        "jwt-bearer",
        "--assertion-file",
        &path,
    ]);
    let a: Value = serde_json::from_str(&w.ok(&["--json", "action", "show", "wl"])).expect("show");
    assert_eq!(a["grant"], "jwt-bearer", "{a}");
    assert_eq!(a["oauth"]["assertionFile"], path.as_str(), "{a}");
    let human = w.ok(&["action", "show", "wl"]);
    assert!(
        human.contains("assertion file") && human.contains(&path),
        "{human}"
    );

    let out = run(&w, &["--json", "connect", "wl", "--port", "0"], "");
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("does not hold one JWT"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("this-is-not-a-jwt-but-a-secret"),
        "the file's content is never shown"
    );
    std::fs::remove_file(&file).expect("rm");
    let out = run(&w, &["--json", "connect", "wl", "--port", "0"], "");
    assert!(
        out.stderr
            .contains("cannot read the workload identity token"),
        "{}",
        out.stderr
    );

    // A reusable connection keeps to the grants it has.
    let out = run(
        &w,
        &[
            "--json",
            "connection",
            "add",
            "c",
            "--provider",
            "p",
            "--client-id",
            "x",
            "--authorization-url",
            "https://a.example/auth",
            "--token-url",
            "https://a.example/token",
            "--grant",
            "jwt-bearer",
        ],
        "",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("reusable connection"), "{}", out.stderr);
}
