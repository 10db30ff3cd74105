//! `patchbay import` killed mid-write. Each round writes a Cursor config file (JSONC: a
//! comment, a local server, three remote servers with a plaintext bearer token each, new
//! URLs every round) and runs `import --from cursor --config FILE`, half the rounds with
//! `--rewrite` (which also points the entries at Patchbay and takes the tokens out of the
//! file), killed at a random moment (half the `--rewrite` rounds in the last 40 % of the
//! window, where the file is written). After each kill:
//! - the database opens (`action list`);
//! - the config file holds the old bytes or a whole new file (a dry run parses it; the new
//!   one holds no token);
//! - a file rewritten means its servers are actions (the tokens only left the file once
//!   they were in Patchbay);
//! - re-running the import works, and then each URL is exactly one action;
//! - every backup the rewrite made is readable by the user alone (0600).
//!
//! At the end: the keychain after the sweep, no token in any file of the profile.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Cli, Rng, Tally, check_keychain, check_no_secret_on_disk, kill_after, timed};

fn config_text(round: &str, tokens: &[String; 3]) -> (String, [String; 3]) {
    let urls = ["a", "b", "c"].map(|k| format!("https://imp-{round}-{k}.example/mcp"));
    let text = format!(
        r#"{{
  // Cursor: remote servers and a local one
  "mcpServers": {{
    "r{round}a": {{ "url": "{}", "headers": {{ "Authorization": "Bearer {}" }} }},
    /* another */
    "r{round}b": {{ "url": "{}", "headers": {{ "Authorization": "Bearer {}" }} }},
    "r{round}c": {{ "url": "{}", "headers": {{ "X-Api-Key": "{}" }} }},
    "sqlite": {{ "command": "uvx", "args": ["mcp-server-sqlite"] }},
  }}
}}
"#,
        urls[0], tokens[0], urls[1], tokens[1], urls[2], tokens[2]
    );
    (text, urls)
}

/// How many actions have each URL.
fn urls_in(list: &Value) -> std::collections::HashMap<String, usize> {
    let mut m = std::collections::HashMap::new();
    for a in list.as_array().into_iter().flatten() {
        if let Some(u) = a["url"].as_str() {
            *m.entry(u.to_string()).or_default() += 1;
        }
    }
    m
}

pub fn run(bin: &Path, kills: u32, rng: &mut Rng) -> Tally {
    let mut t = Tally::new();
    let Ok(dir) = tempfile::tempdir() else {
        t.fail("no temp folder");
        return t;
    };
    let cli = Cli::new(bin, dir.path().join("home"));
    let file = dir.path().join("cursor-mcp.json");
    let file_s = file.display().to_string();
    let mut secrets: Vec<String> = Vec::new();
    let import_args = |rewrite: bool| -> Vec<&str> {
        let mut a = vec!["--json", "import", "--from", "cursor", "--config", &file_s];
        if rewrite {
            a.push("--rewrite");
        }
        a
    };

    // The window: a whole import with --rewrite.
    let tokens = ["seedA", "seedB", "seedC"].map(|k| format!("tok_{k}_{:012x}", rng.next() >> 16));
    let (text, _) = config_text("seed", &tokens);
    secrets.extend(tokens.iter().cloned());
    if let Err(e) = std::fs::write(&file, &text) {
        t.fail(format!("cannot write the config file: {e}"));
        return t;
    }
    let (first, took) = timed(|| cli.ok(&import_args(true), "", Duration::from_secs(60)));
    if let Err(e) = first {
        t.fail(format!("the first import: {e}"));
        return t;
    }
    let window = took.mul_f32(1.3);

    for i in 0..kills {
        let round = i.to_string();
        let tokens = ["A", "B", "C"].map(|k| format!("tok_{k}{i}_{:012x}", rng.next() >> 16));
        secrets.extend(tokens.iter().cloned());
        let (old, urls) = config_text(&round, &tokens);
        if let Err(e) = std::fs::write(&file, &old) {
            t.fail(format!("cannot write the config file: {e}"));
            break;
        }
        let rewrite = rng.below(2) == 0;
        t.count(if rewrite {
            "import --rewrite"
        } else {
            "import"
        });
        let mut child = match cli.cmd(&import_args(rewrite)).spawn() {
            Ok(c) => c,
            Err(e) => {
                t.fail(format!("cannot start patchbay: {e}"));
                break;
            }
        };
        // Half the --rewrite rounds aim at the end of the run, where the file is written.
        let at = if rewrite && rng.below(2) == 0 {
            window.mul_f32(0.6) + rng.moment(window.mul_f32(0.4))
        } else {
            rng.moment(window)
        };
        let ended = kill_after(&mut child, at);
        t.killed(ended);

        // The database opens.
        let list = match cli.ok(&["--json", "action", "list"], "", Duration::from_secs(20)) {
            Ok(o) => o.json().unwrap_or(Value::Null),
            Err(e) => {
                t.fail(format!("kill {i}: {e}"));
                continue;
            }
        };
        // The file: the old bytes, or a whole new file without the tokens.
        let now = std::fs::read_to_string(&file).unwrap_or_default();
        let rewritten = now != old;
        if rewritten {
            t.count("file rewritten before the kill");
            if tokens.iter().any(|tok| now.contains(tok.as_str())) {
                t.fail(format!("kill {i}: the rewritten file still holds a token"));
            }
            let have = urls_in(&list);
            if urls.iter().any(|u| !have.contains_key(u)) {
                t.fail(format!(
                    "kill {i}: the file was rewritten but not every server is an action (tokens lost)"
                ));
            }
        }
        match cli.run(
            &[
                "--json",
                "import",
                "--from",
                "cursor",
                "--config",
                &file_s,
                "--dry-run",
            ],
            "",
            Duration::from_secs(30),
        ) {
            Ok(o) if o.ok() => {}
            Ok(o) => t.fail(format!(
                "kill {i}: the config file does not parse after the kill ({}): {}",
                o.code,
                o.stderr.trim()
            )),
            Err(e) => t.fail(format!("kill {i}: {e}")),
        }
        // Re-running works; then every URL is exactly one action.
        if let Err(e) = cli.ok(&import_args(rewrite), "", Duration::from_secs(60)) {
            t.fail(format!("kill {i}: re-running the import: {e}"));
            continue;
        }
        let list = cli
            .ok(&["--json", "action", "list"], "", Duration::from_secs(20))
            .ok()
            .and_then(|o| o.json())
            .unwrap_or(Value::Null);
        let have = urls_in(&list);
        for u in &urls {
            match have.get(u) {
                Some(1) => {}
                n => t.fail(format!("kill {i}: {u} is {n:?} actions after the re-run")),
            }
        }
        if let Ok(rd) = std::fs::read_dir(dir.path()) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.contains("patchbay-backup")
                    && e.metadata().map(|m| m.permissions().mode() & 0o777).ok() != Some(0o600)
                {
                    t.fail(format!("kill {i}: the backup {name} is not 0600"));
                }
            }
        }
    }
    check_keychain(&cli.home, &mut t);
    check_no_secret_on_disk(&cli.home, &secrets, &mut t);
    t
}
