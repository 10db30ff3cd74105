//! Signing in from another device, against the real authorization server (oidc-provider in
//! its device mode, under an issuer of its own) and MCP server: the device authorization
//! grant (RFC 8628) completed by the consent browser typing the code, its refusal and expiry,
//! the choice made by itself on a terminal with no display, and `--no-browser` paste-back on a
//! terminal (a real pseudo-terminal through util-linux `script`).

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use patchbay_testsupport::{Lines, wait_child};
use serde_json::{Value, json};

use crate::support::*;

/// oidc-provider with RFC 8628 on, under an issuer path of its own.
fn device_world(extra: Value) -> World {
    let mut cfg = json!({ "issuerPath": "/rfc8628", "deviceFlow": true });
    for (k, v) in extra.as_object().expect("object") {
        cfg[k] = v.clone();
    }
    let w = World::new(cfg, json!({}));
    w.add(&[]);
    w
}

/// `patchbay ARGS` running with piped stdout and stderr: the child and both as lines.
fn spawn(w: &World, args: &[&str]) -> (Child, Lines, Lines) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("patchbay"))
        .args(args)
        .env("PATCHBAY_HOME", w.home.path())
        .env_remove("PATCHBAY_CALLBACK_PORT")
        .env_remove("BROWSER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start patchbay");
    let out = Lines::new(child.stdout.take().expect("stdout"), "patchbay stdout");
    let err = Lines::new(child.stderr.take().expect("stderr"), "patchbay stderr");
    (child, out, err)
}

/// The consent browser in the foreground on `url` with `mode`: its exit code and stdout.
fn browser(url: &str, mode: &str) -> (i32, String) {
    let mut child = Command::new("node")
        .arg(servers_dir().join("browser.mjs"))
        .args(["--foreground", url])
        .env("PATCHBAY_TEST_BROWSER", mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the browser");
    let mut out = Lines::new(child.stdout.take().expect("stdout"), "browser stdout");
    let status = wait_child(&mut child, Duration::from_secs(60), "the consent browser");
    (
        status.code().unwrap_or(-1),
        out.rest(Duration::from_secs(5)),
    )
}

/// Token requests of `grant_type` the authorization server has answered (its statistics live
/// at its origin, outside the issuer path).
fn token_requests(w: &World, grant_type: &str) -> u64 {
    let origin = url::Url::parse(&w.issuer())
        .expect("issuer")
        .origin()
        .ascii_serialization();
    stats(&origin)["tags"][format!("grant_type:{grant_type}")]
        .as_u64()
        .unwrap_or(0)
}

fn echo(w: &World, text: &str) {
    let args = json!({ "text": text }).to_string();
    assert_eq!(
        w.ok(&["call", "demo", "echo", "--args", &args]),
        format!("{text}\n"),
        "the grant calls a tool"
    );
}

#[test]
fn a_device_sign_in_prints_its_code_as_json_then_connects_the_user_and_refreshes() {
    let w = device_world(json!({ "accessTokenTtl": 6 }));
    let (mut child, mut out, mut err) = spawn(
        &w,
        &["--json", "connect", "demo", "--device", "--timeout", "60"],
    );
    let prompt: Value =
        serde_json::from_str(&out.next(Duration::from_secs(30))).expect("the first line is JSON");
    let verification = prompt["verificationUri"].as_str().expect("verificationUri");
    let code = prompt["userCode"].as_str().expect("userCode");
    assert_eq!(
        verification,
        format!("{}/device", w.issuer()),
        "the server's verification page: {prompt}"
    );
    assert!(
        prompt["verificationUriComplete"]
            .as_str()
            .is_some_and(|c| c.contains(code)),
        "{prompt}"
    );
    let expires = time::OffsetDateTime::parse(
        prompt["expiresAt"].as_str().expect("expiresAt"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    let left = expires - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::minutes(8) && left <= time::Duration::minutes(10),
        "the server's 10-minute code: {prompt}"
    );

    let (rc, _) = browser(verification, &format!("consent,user-code={code}"));
    assert_eq!(rc, 0, "the browser typed the code and allowed");
    let status = wait_child(&mut child, Duration::from_secs(30), "connect --device");
    let rest = out.rest(Duration::from_secs(5));
    assert!(
        status.success(),
        "connect: {rest}\n{}",
        err.rest(Duration::from_secs(1))
    );
    let grant: Value = serde_json::from_str(&rest).expect("then the grant as JSON");
    assert_eq!(grant["connected"], true, "{grant}");
    assert_eq!(
        grant["account"], "alice@example.com",
        "the user who typed the code: {grant}"
    );
    assert_eq!(grant["hasRefreshToken"], true, "{grant}");
    echo(&w, "from the device");

    let polls = token_requests(&w, "urn:ietf:params:oauth:grant-type:device_code");
    assert!(
        (1..=12).contains(&polls),
        "polled at the server's 5 s interval, not faster: {polls} polls"
    );

    // A user's grant like any other: refreshed when its access token has expired.
    let before = token_requests(&w, "refresh_token");
    w.wait_for_expiry();
    echo(&w, "after expiry");
    assert!(
        token_requests(&w, "refresh_token") > before,
        "the token was refreshed"
    );
}

#[test]
fn the_plain_output_is_the_url_then_the_code_and_a_refusal_ends_the_wait() {
    let w = device_world(json!({}));
    let (mut child, mut out, mut err) =
        spawn(&w, &["connect", "demo", "--device", "--timeout", "60"]);
    let url = out.next(Duration::from_secs(30));
    let code = out.next(Duration::from_secs(5));
    assert_eq!(url, format!("{}/device", w.issuer()), "the URL alone");
    assert!(
        code.len() == 9
            && code.as_bytes()[4] == b'-'
            && code
                .chars()
                .filter(|c| *c != '-')
                .all(|c| c.is_ascii_uppercase()),
        "the code alone on the second line: {code:?}"
    );

    let (rc, _) = browser(&url, &format!("deny,user-code={code}"));
    assert_ne!(rc, 0, "the browser aborted on the confirmation page");
    let status = wait_child(&mut child, Duration::from_secs(30), "connect --device");
    let stderr = err.rest(Duration::from_secs(5));
    assert!(!status.success(), "a refused sign-in fails");
    assert!(
        stderr.contains("the device sign-in was refused") && stderr.contains("nothing was saved"),
        "{stderr}"
    );
    assert_eq!(w.status()["connected"], false, "nothing saved");
}

#[test]
fn a_code_nobody_enters_expires_with_what_to_do() {
    let w = device_world(json!({ "deviceCodeTtl": 3 }));
    let started = std::time::Instant::now();
    let out = w
        .cmd()
        .args(["--json", "connect", "demo", "--device", "--timeout", "60"])
        .write_stdin("")
        .output()
        .expect("connect");
    let out = Out::from_output(&out);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "bounded by the code's 3 s life, not --timeout"
    );
    assert_ne!(out.code, 0);
    assert_eq!(
        out.error_code().as_deref(),
        Some("consent_timeout"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("connect demo --device` again"),
        "{}",
        out.stderr
    );
}

#[test]
fn device_on_a_server_that_has_none_is_refused_with_the_other_ways() {
    let w = World::simple();
    w.add(&[]);
    let out = w
        .cmd()
        .args(["--json", "connect", "demo", "--device", "--timeout", "20"])
        .write_stdin("")
        .output()
        .expect("connect");
    let out = Out::from_output(&out);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("offers no device sign-in") && out.stderr.contains("--no-browser"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", out.stdout);
}

/// `patchbay ARGS` on a pseudo-terminal (util-linux `script`): stdin and stdout are a
/// terminal; no display and no `$BROWSER`. Returns the child, its terminal's output as lines,
/// and its stdin.
fn on_a_terminal(w: &World, args: &str) -> (Child, Lines, std::process::ChildStdin) {
    let bin = assert_cmd::cargo::cargo_bin("patchbay");
    let mut child = Command::new("script")
        .args([
            "--quiet",
            "--flush",
            "--return",
            "--command",
            &format!("{} {args}", bin.display()),
            "/dev/null",
        ])
        .env("PATCHBAY_HOME", w.home.path())
        .env_remove("PATCHBAY_CALLBACK_PORT")
        .env_remove("BROWSER")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start script");
    let stdin = child.stdin.take().expect("stdin");
    let lines = Lines::new(child.stdout.take().expect("stdout"), "the terminal");
    (child, lines, stdin)
}

#[test]
fn on_a_terminal_with_no_display_the_device_sign_in_is_chosen_by_itself() {
    let w = device_world(json!({}));
    let (mut child, mut term, _stdin) = on_a_terminal(&w, "connect demo --timeout 60 --port 0");
    let url = term.next(Duration::from_secs(30));
    let code = term.next(Duration::from_secs(5));
    assert_eq!(url, format!("{}/device", w.issuer()), "no --device needed");
    let (rc, _) = browser(&url, &format!("consent,user-code={code}"));
    assert_eq!(rc, 0);
    let status = wait_child(&mut child, Duration::from_secs(30), "connect on a terminal");
    let rest = term.rest(Duration::from_secs(5));
    assert!(status.success(), "{rest}");
    assert!(rest.contains("Connected as alice@example.com"), "{rest}");
}

#[test]
fn no_browser_on_a_terminal_takes_the_address_the_sign_in_landed_on() {
    let w = World::simple();
    w.add(&[]);
    let (mut child, mut term, mut stdin) =
        on_a_terminal(&w, "connect demo --no-browser --timeout 60 --port 0");
    let auth_url = term.next(Duration::from_secs(30));
    assert!(auth_url.starts_with(&w.issuer()), "{auth_url}");
    // The browser on "another device" signs in; the address it lands on never loads there.
    let (rc, landed) = browser(&auth_url, "consent,no-deliver");
    assert_eq!(rc, 0);
    let landed = landed.trim().to_string();
    assert!(
        landed.contains("code=") && landed.contains("state="),
        "{landed}"
    );

    // Something else first: refused with what is expected, and the sign-in keeps waiting.
    writeln!(stdin, "https://example.com/not-it?code=x&state=y").expect("type");
    let mut seen = String::new();
    for _ in 0..20 {
        match term.try_next(Duration::from_secs(10)) {
            Ok(l) => {
                seen.push_str(&l);
                seen.push('\n');
                if l.contains("that is not the address the sign-in landed on") {
                    break;
                }
            }
            Err(e) => panic!("no refusal ({e:?}): {seen}"),
        }
    }
    writeln!(stdin, "{landed}").expect("paste");
    let status = wait_child(&mut child, Duration::from_secs(30), "connect --no-browser");
    let rest = term.rest(Duration::from_secs(5));
    assert!(status.success(), "{seen}{rest}");
    assert!(rest.contains("Connected as alice@example.com"), "{rest}");
    echo(&w, "pasted back");
}

#[test]
fn a_device_sign_in_at_a_server_that_takes_dpop_gets_a_bound_token() {
    // Both servers require DPoP nonces: the token endpoint's is answered while polling.
    let w = World::new(
        json!({ "issuerPath": "/rfc8628-dpop", "deviceFlow": true, "dpop": "nonce" }),
        json!({ "dpop": "nonce" }),
    );
    w.add(&[]);
    let (mut child, mut out, mut err) = spawn(
        &w,
        &["--json", "connect", "demo", "--device", "--timeout", "60"],
    );
    let prompt: Value =
        serde_json::from_str(&out.next(Duration::from_secs(30))).expect("the first line is JSON");
    let (rc, _) = browser(
        prompt["verificationUri"].as_str().expect("uri"),
        &format!(
            "consent,user-code={}",
            prompt["userCode"].as_str().expect("code")
        ),
    );
    assert_eq!(rc, 0);
    let status = wait_child(&mut child, Duration::from_secs(30), "connect --device");
    assert!(status.success(), "{}", err.rest(Duration::from_secs(1)));
    let a: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("show");
    assert_eq!(a["dpop"], true, "the device's tokens are bound: {a}");
    echo(&w, "bound from the device");
}
