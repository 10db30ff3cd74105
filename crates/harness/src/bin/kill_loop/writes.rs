//! Writes of the CLI (the first group): KILLS times, one CLI command that writes (an action
//! with a secret, a removal, a settings save, an export into a client's config file, a token
//! with a secret) is started on a fresh profile and killed with SIGKILL at a random moment
//! (0–40 ms in, or once it ended). After every kill: the next command works (`action list`,
//! bounded), and the config file is whole JSON with the user's own entry intact. At the end:
//! the start-up sweep leaves no keychain entry that no row owns and loses none a row needs,
//! and no file of the profile holds any secret given.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::common::{Cli, Rng, Tally, check_keychain, check_no_secret_on_disk};

const USER_ENTRY: &str =
    r#"{"mcpServers": {"mine": {"command": "my-own-server", "args": ["--x"]}}}"#;

pub fn run(bin: &Path, kills: u32, rng: &mut Rng) -> Tally {
    let mut t = Tally::new();
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            t.fail(format!("no temp folder: {e}"));
            return t;
        }
    };
    let run = Cli::new(bin, dir.path().join("home"));
    let config = dir.path().join("claude_desktop_config.json");
    let _ = std::fs::write(&config, USER_ENTRY);
    let mut secrets: Vec<String> = vec!["seed-secret-4b1d9c0e7f".into()];

    if let Err(e) = run.ok(
        &[
            "action",
            "add",
            "base",
            "--url",
            "https://base.example/mcp",
            "--auth",
            "oauth",
            "--client-id",
            "c",
            "--client-secret-stdin",
        ],
        "seed-secret-4b1d9c0e7f\n",
        Duration::from_secs(30),
    ) {
        t.fail(format!("cannot seed the profile: {e}"));
        return t;
    }

    let config_s = config.display().to_string();
    for i in 0..kills {
        let name = format!("a{i}");
        let secret = format!("kill-secret-{i}-{:08x}", rng.next() as u32);
        let (kind, argv, stdin): (&str, Vec<String>, String) = match rng.below(5) {
            0 => (
                "action add (secret)",
                [
                    "action",
                    "add",
                    &name,
                    "--url",
                    "https://a.example/mcp",
                    "--auth",
                    "oauth",
                    "--client-id",
                    "c",
                    "--client-secret-stdin",
                ]
                .map(String::from)
                .to_vec(),
                format!("{secret}\n"),
            ),
            1 => (
                "action remove",
                ["action", "remove", &format!("a{}", rng.below(i as u64 + 1))]
                    .map(String::from)
                    .to_vec(),
                String::new(),
            ),
            2 => (
                "settings set",
                [
                    "settings",
                    "set",
                    "logMaxRows",
                    &(1000 + rng.below(100_000)).to_string(),
                ]
                .map(String::from)
                .to_vec(),
                String::new(),
            ),
            3 => (
                "export --write",
                [
                    "export",
                    "--client",
                    "claude-desktop",
                    "--write",
                    "--config",
                    &config_s,
                    "base",
                ]
                .map(String::from)
                .to_vec(),
                String::new(),
            ),
            _ => (
                "token add (secret)",
                [
                    "token",
                    "add",
                    &format!("t{i}"),
                    "--header-name",
                    "Authorization",
                    "--prefix",
                    "Bearer",
                    "--value-stdin",
                ]
                .map(String::from)
                .to_vec(),
                secret.clone(),
            ),
        };
        if stdin.contains("kill-secret") {
            secrets.push(secret.clone());
        }
        t.count(kind);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let mut child = match run.cmd(&argv).spawn() {
            Ok(c) => c,
            Err(e) => {
                t.fail(format!("cannot start patchbay: {e}"));
                break;
            }
        };
        if let Some(mut s) = child.stdin.take() {
            let _ = s.write_all(stdin.as_bytes());
        }
        std::thread::sleep(Duration::from_micros(rng.below(40_000)));
        let ended_first = matches!(child.try_wait(), Ok(Some(_)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        t.killed(ended_first);

        // The next command works.
        if let Err(e) = run.ok(&["--json", "action", "list"], "", Duration::from_secs(20)) {
            t.fail(format!("kill {i} ({kind}): {e}"));
        }
        // The client's config file is whole, with the user's own entry.
        match std::fs::read(&config)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        {
            Some(v) if v["mcpServers"]["mine"]["command"] == "my-own-server" => {}
            _ => t.fail(format!(
                "kill {i} ({kind}): the config file is not whole JSON with the user's entry"
            )),
        }
    }

    check_keychain(&run.home, &mut t);
    check_no_secret_on_disk(&run.home, &secrets, &mut t);
    t
}
