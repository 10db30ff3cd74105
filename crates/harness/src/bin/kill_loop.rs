//! `patchbay-kill-loop PATCHBAY_BIN KILLS [SEED]`: crash safety (issue 21). KILLS times, one
//! CLI command that writes (an action with a secret, a removal, a settings save, an export
//! into a client's config file, a token with a secret) is started on a fresh profile and
//! killed with SIGKILL at a random moment (0–40 ms in, or once it ended). After every kill:
//! the next command works (`action list`, bounded), and the config file is whole JSON with
//! the user's own entry intact. At the end: the start-up sweep leaves no keychain entry that
//! no row owns and loses none a row needs, and no file of the profile holds any secret given.
//! Prints one JSON line (kills, commands per kind, failures); exit 1 when any check failed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use patchbay_core::Patchbay;

fn usage() -> ! {
    eprintln!("usage: patchbay-kill-loop PATCHBAY_BIN KILLS [SEED]");
    std::process::exit(2)
}

/// A small deterministic generator (xorshift), so a failing run can be repeated by its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Run {
    bin: PathBuf,
    home: PathBuf,
}

impl Run {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(args)
            .env("PATCHBAY_HOME", &self.home)
            .env_remove("BROWSER")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    /// Run to the end (bounded): whether it succeeded.
    fn finish(&self, args: &[&str], stdin: &str, within: Duration) -> Result<bool, String> {
        let mut child = self
            .cmd(args)
            .spawn()
            .map_err(|e| format!("cannot start patchbay: {e}"))?;
        if let Some(mut s) = child.stdin.take() {
            let _ = s.write_all(stdin.as_bytes());
        }
        let deadline = Instant::now() + within;
        loop {
            if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
                return Ok(st.success());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`patchbay {}` did not end within {within:?}",
                    args.join(" ")
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

const USER_ENTRY: &str =
    r#"{"mcpServers": {"mine": {"command": "my-own-server", "args": ["--x"]}}}"#;

fn main() {
    // argv: the program, then PATCHBAY_BIN KILLS [SEED].
    let args: Vec<String> = std::env::args().collect();
    let (Some(bin), Some(kills)) = (args.get(1), args.get(2)) else {
        usage()
    };
    let Ok(kills) = kills.parse::<u32>() else {
        usage()
    };
    let seed = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15_u64);
    let dir = tempfile::tempdir().unwrap_or_else(|e| {
        eprintln!("patchbay-kill-loop: no temp folder: {e}");
        std::process::exit(1)
    });
    let run = Run {
        bin: PathBuf::from(bin),
        home: dir.path().join("home"),
    };
    let config = dir.path().join("claude_desktop_config.json");
    let _ = std::fs::write(&config, USER_ENTRY);
    let mut rng = Rng(seed);
    let mut failures: Vec<String> = Vec::new();
    let mut secrets: Vec<String> = vec!["seed-secret-4b1d9c0e7f".into()];
    let mut counts = std::collections::BTreeMap::<&str, u32>::new();
    // Commands that had ended before their kill came (the rest were killed mid-way).
    let mut ended = 0u32;

    match run.finish(
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
        Ok(true) => {}
        other => {
            eprintln!("patchbay-kill-loop: cannot seed the profile: {other:?}");
            std::process::exit(1)
        }
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
        *counts.entry(kind).or_default() += 1;
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let mut child = match run.cmd(&argv).spawn() {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("cannot start patchbay: {e}"));
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
        if ended_first {
            ended += 1;
        }

        // The next command works.
        match run.finish(&["--json", "action", "list"], "", Duration::from_secs(20)) {
            Ok(true) => {}
            Ok(false) => failures.push(format!("kill {i} ({kind}): `action list` failed after it")),
            Err(e) => failures.push(format!("kill {i} ({kind}): {e}")),
        }
        // The client's config file is whole, with the user's own entry.
        match std::fs::read(&config)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        {
            Some(v) if v["mcpServers"]["mine"]["command"] == "my-own-server" => {}
            _ => failures.push(format!(
                "kill {i} ({kind}): the config file is not whole JSON with the user's entry"
            )),
        }
    }

    // The start-up sweep: nothing orphaned left, nothing a row needs lost.
    match Patchbay::open(&run.home) {
        Ok(pb) => {
            let _ = pb.sweep_orphans();
            match (pb.expected_vault_keys(), pb.vault().list()) {
                (Ok(expected), Ok(Some(entries))) => {
                    let present: std::collections::HashSet<String> =
                        entries.iter().map(|e| e.key.clone()).collect();
                    for k in &present {
                        if !expected.contains(k) {
                            failures.push(format!(
                                "an orphaned keychain entry survived the sweep: {k}"
                            ));
                        }
                    }
                    for k in &expected {
                        if !present.contains(k) {
                            failures.push(format!("a row's keychain entry is missing: {k}"));
                        }
                    }
                }
                (Err(e), _) | (_, Err(e)) => {
                    failures.push(format!("cannot compare the keychain: {e}"))
                }
                (_, Ok(None)) => failures.push("the keychain cannot list its entries".into()),
            }
        }
        Err(e) => failures.push(format!("the profile does not open: {e}")),
    }
    // No secret in any file of the profile.
    for (file, bytes) in files(&run.home) {
        for s in &secrets {
            if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                failures.push(format!("{} holds a secret", file.display()));
            }
        }
    }

    let ok = failures.is_empty();
    println!(
        "{}",
        serde_json::json!({
            "kills": kills,
            "killed_mid_command": kills - ended,
            "ended_before_the_kill": ended,
            "seed": seed,
            "commands": counts,
            "failures": failures,
        })
    );
    std::process::exit(if ok { 0 } else { 1 });
}

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p, b));
        }
    }
    out
}
