//! `patchbay proxy demo` (stdio) killed mid `tools/call`. The action is signed in to the MCP
//! test server; each round starts the proxy, writes `initialize`, `notifications/initialized`
//! and a `tools/call` of `echo`, and kills it at a random moment (start-up, the upstream
//! session, the call in flight, the log row being written). After each kill: a new proxy
//! answers the same call with the echoed text (bounded), and `logs` reads the database. At
//! the end: the keychain after the sweep, no token on disk.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use patchbay_testsupport::Lines;
use serde_json::{Value, json};

use crate::common::{
    Cli, Connected, Rng, Tally, check_keychain, check_no_secret_on_disk, connected_world,
    initialize, kill_after,
};

fn messages(text: &str) -> String {
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": text}}});
    format!(
        "{}\n{}\n{}\n",
        initialize(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        call
    )
}

/// A whole proxy session: the call's answer text, within `within`.
fn session(cli: &Cli, text: &str, within: Duration) -> Result<String, String> {
    let mut child = cli
        .cmd(&["proxy", "demo"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the proxy: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let _ = stdin.write_all(messages(text).as_bytes());
    let mut lines = Lines::new(child.stdout.take().ok_or("no stdout")?, "patchbay proxy");
    let deadline = Instant::now() + within;
    let answer = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.try_next(left) {
            Ok(line) => {
                let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                if v["id"] == 2 {
                    break Ok(v);
                }
            }
            Err(why) => {
                break Err(format!(
                    "no answer to the tools/call within {within:?} ({why:?})"
                ));
            }
        }
    };
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    let v = answer?;
    v["result"]["content"][0]["text"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| format!("the tools/call answer has no text: {v}"))
}

pub fn run(bin: &Path, kills: u32, rng: &mut Rng) -> Tally {
    let mut t = Tally::new();
    let Connected { s, cli, dir: _dir } = match connected_world(bin, json!({})) {
        Ok(w) => w,
        Err(e) => {
            t.fail(e);
            return t;
        }
    };
    let started = Instant::now();
    match session(&cli, "warm-up", Duration::from_secs(30)) {
        Ok(text) if text == "warm-up" => {}
        other => {
            t.fail(format!("the first proxy session: {other:?}"));
            return t;
        }
    }
    let window = started.elapsed().mul_f32(1.3);
    for i in 0..kills {
        let mut child = match cli.cmd(&["proxy", "demo"]).spawn() {
            Ok(c) => c,
            Err(e) => {
                t.fail(format!("cannot start patchbay: {e}"));
                break;
            }
        };
        // Kept open until the kill: the proxy serves until then.
        let mut stdin = child.stdin.take();
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(messages(&format!("killed {i}")).as_bytes());
        }
        let ended = kill_after(&mut child, rng.moment(window));
        drop(stdin);
        t.killed(ended);
        let want = format!("after kill {i}");
        match session(&cli, &want, Duration::from_secs(30)) {
            Ok(text) if text == want => t.count("next proxy answers the call"),
            other => t.fail(format!("kill {i}: the next proxy: {other:?}")),
        }
        if let Err(e) = cli.ok(
            &["--json", "logs", "--limit", "5"],
            "",
            Duration::from_secs(20),
        ) {
            t.fail(format!("kill {i}: {e}"));
        }
    }
    check_keychain(&cli.home, &mut t);
    check_no_secret_on_disk(&cli.home, &s.refresh_tokens(), &mut t);
    t
}
