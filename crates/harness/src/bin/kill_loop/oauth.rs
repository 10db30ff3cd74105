//! Sign-ins and refreshes against the real OAuth test server (oidc-provider) and MCP server.
//!
//! `connect`: a profile already connected (the old grant) runs `patchbay connect demo` again
//! with the consent browser, killed at a random moment of the flow (discovery, the browser,
//! the callback, the code exchange, the save). After each kill: `access-token demo` gives a
//! token the MCP server accepts (the old grant or the new one), or says to reconnect (then a
//! full connect must work); `status demo` works. At the end: the keychain after the sweep,
//! no token on disk.
//!
//! `refresh`: access tokens live 2 s and every refresh rotates the refresh token (the server
//! holds each refresh 200 ms); `access-token demo`, which refreshes, is killed at a random
//! moment. After each kill the next `access-token demo` gives a token the MCP server accepts,
//! or says `needs_reconnect` (a kill after the server rotated the token and before Patchbay
//! stored the new one: the server has invalidated the one Patchbay holds, a legitimate
//! loss, counted), and then a reconnect must work.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::common::{
    Connected, Rng, Tally, access_token, check_keychain, check_no_secret_on_disk, connect,
    connect_args, connected_world, expired, kill_after, says_how_to_reconnect, timed,
};

/// Access tokens live this long in the refresh group (seconds).
const TTL: u64 = 2;

pub fn connect_group(bin: &Path, kills: u32, rng: &mut Rng) -> Tally {
    let mut t = Tally::new();
    let Connected { s, cli, dir: _dir } = match connected_world(bin, json!({})) {
        Ok(w) => w,
        Err(e) => {
            t.fail(e);
            return t;
        }
    };
    // The kill falls anywhere in a connect's run (over the old grant), a little past its end.
    let (again, took) = timed(|| connect(&cli));
    if let Err(e) = again {
        t.fail(format!("the second connect: {e}"));
        return t;
    }
    let window = took.mul_f32(1.3).max(Duration::from_millis(800));
    let mut tokens: Vec<String> = Vec::new();
    let mut last = access_token(&cli).unwrap_or_default();
    for i in 0..kills {
        let mut child = match cli.cmd(&connect_args()).spawn() {
            Ok(c) => c,
            Err(e) => {
                t.fail(format!("cannot start patchbay: {e}"));
                break;
            }
        };
        let ended = kill_after(&mut child, rng.moment(window));
        t.killed(ended);
        match access_token(&cli) {
            Ok(tok) if s.accepts(&tok) => {
                t.count(if tok == last {
                    "next access-token works: the old grant"
                } else {
                    "next access-token works: the new grant (saved before the kill)"
                });
                tokens.push(tok.clone());
                last = tok;
            }
            Ok(_) => t.fail(format!(
                "kill {i}: access-token gave a token the server refuses"
            )),
            Err((code, err)) if code == "needs_reconnect" || code == "not_connected" => {
                t.count("next access-token says to reconnect");
                if !says_how_to_reconnect(&err) {
                    t.fail(format!(
                        "kill {i}: the answer does not say how to reconnect: {err}"
                    ));
                }
                match connect(&cli) {
                    Ok(_) => last = access_token(&cli).unwrap_or_default(),
                    Err(e) => t.fail(format!("kill {i}: the reconnect it asked for failed: {e}")),
                }
            }
            Err((e, err)) => t.fail(format!("kill {i}: access-token: {e} {err}")),
        }
        if let Err(e) = cli.ok(&["--json", "status", "demo"], "", Duration::from_secs(20)) {
            t.fail(format!("kill {i}: {e}"));
        }
    }
    // A last full sign-in works.
    if let Err(e) = connect(&cli) {
        t.fail(format!("the connect after the loop: {e}"));
    }
    check_keychain(&cli.home, &mut t);
    tokens.extend(s.refresh_tokens());
    check_no_secret_on_disk(&cli.home, &tokens, &mut t);
    t
}

pub fn refresh_group(bin: &Path, kills: u32, rng: &mut Rng) -> Tally {
    let mut t = Tally::new();
    let Connected { s, cli, dir: _dir } =
        match connected_world(bin, json!({"accessTokenTtl": TTL, "refreshDelayMs": 200})) {
            Ok(w) => w,
            Err(e) => {
                t.fail(e);
                return t;
            }
        };
    // Patchbay refreshes once half the lifetime is gone: wait that long before each run.
    let half = Duration::from_millis(TTL * 500 + 150);
    std::thread::sleep(half);
    let (first, took) = timed(|| access_token(&cli));
    if let Err((e, _)) = first {
        t.fail(format!("the first refresh failed: {e}"));
        return t;
    }
    let window = took.mul_f32(1.3);
    let mut tokens: Vec<String> = Vec::new();
    for i in 0..kills {
        std::thread::sleep(half);
        let mut child = match cli.cmd(&["access-token", "demo"]).spawn() {
            Ok(c) => c,
            Err(e) => {
                t.fail(format!("cannot start patchbay: {e}"));
                break;
            }
        };
        let ended = kill_after(&mut child, rng.moment(window));
        t.killed(ended);
        match access_token(&cli) {
            Ok(tok) if s.accepts(&tok) => {
                t.count("next access-token works");
                tokens.push(tok);
            }
            Ok(tok) => refused(&tok, i, &mut t),
            Err((code, err)) if code == "needs_reconnect" => {
                t.count("rotated refresh token lost: says to reconnect");
                if !says_how_to_reconnect(&err) {
                    t.fail(format!(
                        "kill {i}: the answer does not say how to reconnect: {err}"
                    ));
                }
                match connect(&cli) {
                    Ok(_) => match access_token(&cli) {
                        Ok(tok) if s.accepts(&tok) => {}
                        Ok(tok) => refused(&tok, i, &mut t),
                        Err((e, _)) => t.fail(format!("kill {i}: after the reconnect: {e}")),
                    },
                    Err(e) => t.fail(format!("kill {i}: the reconnect it asked for failed: {e}")),
                }
            }
            Err((e, err)) => t.fail(format!("kill {i}: access-token: {e} {err}")),
        }
    }
    check_keychain(&cli.home, &mut t);
    tokens.extend(s.refresh_tokens());
    check_no_secret_on_disk(&cli.home, &tokens, &mut t);
    t
}

/// The MCP server refused a token `access-token` gave: fine only when its `exp` has passed
/// since (2 s tokens whose `exp` is whole seconds, checked on a loaded machine); any other
/// refusal is a failure.
fn refused(token: &str, i: u32, t: &mut Tally) {
    if expired(token) {
        t.count("token expired before the check could use it (2 s lifetime)");
    } else {
        t.fail(format!(
            "kill {i}: access-token gave a token the server refuses (exp {:?})",
            crate::common::jwt_exp(token)
        ));
    }
}
