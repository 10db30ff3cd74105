//! The token lifecycle against the REAL authorization server (oidc-provider, short-lived
//! access tokens, rotating refresh tokens) and MCP server of `tests/servers/`: refresh after
//! expiry, one refresh for 50 users over 2 processes, a revoked grant, disconnect with
//! revocation, and a process killed in the middle of a refresh.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{World, reset_stats, stats};
use serde_json::{Value, json};

/// Access tokens live this long (seconds) in these tests.
const TTL: u64 = 4;

fn world(auth: Value) -> World {
    let mut cfg = json!({"accessTokenTtl": TTL});
    if let (Some(c), Some(extra)) = (cfg.as_object_mut(), auth.as_object()) {
        c.extend(extra.clone());
    }
    let w = World::new(cfg, json!({}));
    w.add(&[]);
    let (code, out, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None), "connect: {out}");
    w
}

fn access_token(w: &World) -> (i32, String, Option<String>) {
    let out = w
        .cmd()
        .args(["--json", "access-token", "demo"])
        .write_stdin("")
        .output()
        .expect("run access-token");
    let err: Option<String> = serde_json::from_slice::<Value>(&out.stderr)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(String::from));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        err,
    )
}

/// Whether the real MCP server accepts this token.
fn mcp_accepts(w: &World, token: &str) -> bool {
    w.mcp_status(token) == 200
}

/// A refresh grant made by the test itself, as an attacker holding an old token would.
fn server_accepts_refresh(w: &World, refresh: &str, client_id: &str) -> Value {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/token", w.issuer()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", client_id),
        ])
        .send()
        .expect("token request");
    resp.json().expect("json")
}

fn issued_refresh_tokens(w: &World) -> Vec<Value> {
    reqwest::blocking::get(format!("{}/__admin/refresh-tokens", w.issuer()))
        .expect("admin")
        .json::<Value>()
        .expect("json")["tokens"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn an_expired_token_is_refreshed_once_and_the_rotated_refresh_token_is_kept() {
    let w = world(json!({}));
    let (_, first, _) = access_token(&w);
    assert!(mcp_accepts(&w, &first));
    reset_stats(&w.issuer());
    // Still fresh: no request at all.
    let (code, again, _) = access_token(&w);
    assert_eq!((code, &again), (0, &first));
    assert_eq!(w.refreshes(), 0);

    w.wait_for_expiry();
    let (code, fresh, err) = access_token(&w);
    assert_eq!((code, err), (0, None));
    assert_ne!(fresh, first, "a new access token");
    assert!(
        mcp_accepts(&w, &fresh),
        "the MCP server takes the new token"
    );
    assert_eq!(w.refreshes(), 1);
    let st = w.status();
    assert!(st["refreshedAt"].as_str().is_some(), "{st}");
    assert_eq!(st["connected"], true);

    // The server rotated the refresh token: the first one is dead, the second is what
    // Patchbay holds (the next refresh, after the next expiry, works).
    let issued = issued_refresh_tokens(&w);
    assert_eq!(issued.len(), 2, "{issued:?}");
    w.wait_for_expiry();
    let (code, third, err) = access_token(&w);
    assert_eq!((code, err), (0, None));
    assert!(mcp_accepts(&w, &third));
    assert_eq!(w.refreshes(), 2);
}

#[test]
fn fifty_users_over_two_processes_make_one_refresh() {
    let w = world(json!({}));
    w.wait_for_expiry();
    reset_stats(&w.issuer());
    let race = crate::support::harness_bin("patchbay-race");
    let start_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis()
        + 700;
    let spawn = || {
        Command::new(&race)
            .args(["demo", "25", &start_at.to_string()])
            .env("PATCHBAY_HOME", w.home.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn patchbay-race")
    };
    let (a, b) = (spawn(), spawn());
    let mut fingerprints = std::collections::BTreeSet::new();
    for child in [a, b] {
        let out = patchbay_testsupport::output_within(
            child,
            Duration::from_secs(120),
            "patchbay-race (25 users asking for a token)",
        );
        assert!(out.status.success(), "race exits 0");
        let r: Value = serde_json::from_slice(&out.stdout).expect("race json");
        assert_eq!(r["ok"], 25, "every user got a token: {r}");
        for fp in r["tokens"].as_object().expect("tokens").keys() {
            fingerprints.insert(fp.clone());
        }
    }
    assert_eq!(w.refreshes(), 1, "exactly one token request");
    assert_eq!(
        fingerprints.len(),
        1,
        "all 50 users share the one new token"
    );
    let (_, token, _) = access_token(&w);
    assert!(mcp_accepts(&w, &token));
}

#[test]
fn a_revoked_grant_needs_reconnect_and_reconnecting_heals_it() {
    let w = world(json!({}));
    let revoked: Value = reqwest::blocking::Client::new()
        .post(format!("{}/__admin/revoke-grants", w.issuer()))
        .send()
        .expect("revoke")
        .json()
        .expect("json");
    assert!(revoked["revoked"].as_u64().unwrap_or(0) >= 1, "{revoked}");
    w.wait_for_expiry();
    reset_stats(&w.issuer());
    let (code, out, err) = access_token(&w);
    assert_eq!(
        (code, err.as_deref()),
        (1, Some("needs_reconnect")),
        "{out}"
    );
    assert!(out.is_empty(), "no token on stdout");
    let st = w.status();
    assert_eq!(st["connected"], false);
    assert_eq!(st["needsReconnect"], true);
    assert!(
        st["reconnectReason"]
            .as_str()
            .is_some_and(|r| r.contains("invalid_grant")),
        "{st}"
    );
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("json");
    assert_eq!(show["health"]["status"], "unhealthy");
    assert_eq!(show["health"]["reason"], "needs_reconnect");
    let human = w.ok(&["status", "demo"]);
    assert!(human.contains("patchbay connect demo"), "{human}");
    // Asking again is answered here, with no new request: never a loop.
    let (code, _, err) = access_token(&w);
    assert_eq!((code, err.as_deref()), (1, Some("needs_reconnect")));
    assert_eq!(w.refreshes(), 1, "one refused refresh, then none");

    let (code, _, err) = w.connect("consent", &[]);
    assert_eq!((code, err), (0, None));
    let st = w.status();
    assert_eq!(
        (st["connected"].clone(), st["needsReconnect"].clone()),
        (json!(true), json!(false))
    );
    let show: Value =
        serde_json::from_str(&w.ok(&["--json", "action", "show", "demo"])).expect("json");
    assert_eq!(
        show["health"]["status"], "unknown",
        "health is re-learned by a test"
    );
    let (code, token, _) = access_token(&w);
    assert_eq!(code, 0);
    assert!(mcp_accepts(&w, &token));
}

#[test]
fn disconnect_revokes_at_the_provider_then_deletes_locally() {
    let w = world(json!({}));
    let client_id = w.status()["clientId"].as_str().expect("client").to_string();
    reset_stats(&w.issuer());
    let report: Value =
        serde_json::from_str(&w.ok(&["--json", "disconnect", "demo"])).expect("json");
    assert_eq!(report["connected"], false);
    assert_eq!(report["wasConnected"], true);
    assert_eq!(report["revocation"]["outcome"], "revoked", "{report}");
    // The refresh token is revoked; oidc-provider's access tokens are JWTs, which it
    // cannot revoke (unsupported_token_type), and the report says so.
    assert_eq!(report["revocation"]["revoked"], json!(["refresh_token"]));
    assert!(
        report["revocation"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("unsupported_token_type") && m.contains("until it expires")),
        "{report}"
    );
    let tags = stats(&w.issuer())["tags"].clone();
    assert_eq!(tags["revocation:refresh_token"], 1, "{tags}");
    assert_eq!(tags["revocation:access_token"], 1, "{tags}");
    // The server now refuses the refresh token Patchbay held.
    let held = issued_refresh_tokens(&w);
    let last = held.last().expect("one refresh token")["value"]
        .as_str()
        .expect("value")
        .to_string();
    let answer = server_accepts_refresh(&w, &last, &client_id);
    assert_eq!(answer["error"], "invalid_grant", "{answer}");
    assert_eq!(w.status()["connected"], false);
    let (code, _, err) = access_token(&w);
    assert_eq!((code, err.as_deref()), (1, Some("not_connected")));
    // Human wording, and a second disconnect has nothing to do.
    let again = w.ok(&["disconnect", "demo"]);
    assert!(again.contains("was not connected"), "{again}");

    // A provider without a revocation endpoint: the tokens are deleted here, and the
    // report says they stay valid there.
    let plain = world(json!({"revocation": false}));
    let out = plain.ok(&["disconnect", "demo"]);
    assert!(out.contains("no revocation endpoint"), "{out}");
    assert_eq!(plain.status()["connected"], false);
}

#[test]
fn a_process_killed_in_the_middle_of_a_refresh_is_recovered_from_or_asks_for_reconnect() {
    let w = world(json!({"refreshDelayMs": 1500}));
    w.wait_for_expiry();
    reset_stats(&w.issuer());
    let mut victim = Command::new(assert_cmd::cargo::cargo_bin("patchbay"))
        .args(["access-token", "demo"])
        .env("PATCHBAY_HOME", w.home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Kill it once the server has its refresh request (the server answers after 1.5 s,
    // rotating the refresh token the victim will never store).
    let deadline = Instant::now() + Duration::from_secs(20);
    while w.refreshes() == 0 {
        assert!(Instant::now() < deadline, "the victim asked for a refresh");
        std::thread::sleep(Duration::from_millis(20));
    }
    victim.kill().expect("kill -9");
    let _ = victim.wait();
    std::thread::sleep(Duration::from_millis(2000));

    // The next user is not blocked by the dead process's lock and does not loop: it either
    // gets a working token or is told to reconnect, in bounded time.
    let started = Instant::now();
    let (code, token, err) = access_token(&w);
    assert!(started.elapsed() < Duration::from_secs(15), "bounded");
    match (code, err.as_deref()) {
        (0, None) => assert!(mcp_accepts(&w, &token)),
        (1, Some("needs_reconnect")) => {
            assert_eq!(w.status()["needsReconnect"], true);
            let (code, _, err) = w.connect("consent", &[]);
            assert_eq!((code, err), (0, None), "reconnecting recovers");
            let (code, token, _) = access_token(&w);
            assert_eq!(code, 0);
            assert!(mcp_accepts(&w, &token));
        }
        other => panic!("unexpected outcome {other:?}"),
    }
    assert!(w.refreshes() <= 2, "no loop of refresh attempts");
}
