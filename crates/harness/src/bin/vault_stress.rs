//! `patchbay-vault-stress [--procs N] [--threads T] [--rounds R] [--profiles P] [--unlocked]
//! [--without probe,list,rewrite,delete,own-keys]`: Patchbay's real keychain access pattern,
//! many times at once, against the Secret Service of the session bus: N processes (as the
//! CLI, proxies and the app are), each with T threads on one connection (as the app's and a
//! proxy's tasks are), over P profiles (fresh `PATCHBAY_HOME`s opened with
//! `Patchbay::open`) that the processes share, so processes of one profile write, read and
//! delete the same keys, as the app and the CLI do. `--unlocked` leaves out the profile's
//! keychain lock (the pattern before it, which crashes gnome-keyring 42); `--without`
//! leaves out parts of a round, and `own-keys` makes every thread of a profile use one key. Each round of each thread: write a token entry of its own and
//! rewrite it (set, then the written-at attribute), read it back and compare, list the
//! profile's entries (the orphan sweep's search), probe the keychain (`Vault::status`: write
//! and delete the profile's shared probe entry), and delete its entry.
//!
//! Prints one JSON line: operations done, wrong reads, errors by message (never a secret),
//! and the wall time. Exits 1 when any operation on a thread's own entry failed or read
//! back wrong (the shared probe may lose a race to another process's delete; those are
//! counted apart). The test `crates/cli/tests/it/keychain.rs` runs it and checks the daemon
//! survived.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use patchbay_core::SecretString;
use patchbay_core::model::VaultState;
use patchbay_core::vault::Vault;

#[derive(Default)]
struct Tally {
    ops: u64,
    wrong_reads: u64,
    errors: BTreeMap<String, u64>,
    probe_errors: BTreeMap<String, u64>,
}

impl Tally {
    fn note(&mut self, res: patchbay_core::Result<()>, probe: bool) {
        self.ops += 1;
        if let Err(e) = res {
            let into = if probe {
                &mut self.probe_errors
            } else {
                &mut self.errors
            };
            *into.entry(e.to_string()).or_default() += 1;
        }
    }
}

/// How long all workers together may take (a healthy run of the defaults: about 20 s).
const WORKERS_WITHIN: std::time::Duration = std::time::Duration::from_secs(600);

fn usage() -> ! {
    eprintln!("usage: patchbay-vault-stress [--procs N] [--threads T] [--rounds R] [--profiles P]");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut procs = 8usize;
    let mut threads = 4usize;
    let mut rounds = 25usize;
    let mut profiles = 2usize;
    let mut child: Option<(usize, String)> = None;
    let mut without = String::new();
    let mut unlocked = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = || {
            it.next()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| usage())
        };
        match a.as_str() {
            "--procs" => procs = num(),
            "--threads" => threads = num(),
            "--rounds" => rounds = num(),
            "--profiles" => profiles = num(),
            "--without" => without = it.next().cloned().unwrap_or_else(|| usage()),
            "--unlocked" => unlocked = true,
            "--child" => {
                let n = it
                    .next()
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or_else(|| usage());
                let profile = it.next().cloned().unwrap_or_else(|| usage());
                child = Some((n, profile));
            }
            _ => usage(),
        }
    }
    if let Some((n, profile)) = child {
        std::process::exit(run_child(n, &profile, threads, rounds, &without, unlocked));
    }
    let started = Instant::now();
    let root = tempfile::tempdir().unwrap_or_else(|e| {
        eprintln!("patchbay-vault-stress: {e}");
        std::process::exit(3)
    });
    let exe = std::env::current_exe().unwrap_or_else(|e| {
        eprintln!("patchbay-vault-stress: {e}");
        std::process::exit(3)
    });
    // Each profile is created once here, so its processes agree on its id.
    for p in 0..profiles {
        let home = root.path().join(format!("profile-{p}"));
        if let Err(e) = patchbay_core::Patchbay::open(&home) {
            eprintln!("patchbay-vault-stress: create {}: {e}", home.display());
            std::process::exit(3)
        }
    }
    let children: Vec<_> = (0..procs)
        .map(|n| {
            Command::new(&exe)
                .args(["--threads", &threads.to_string()])
                .args(["--rounds", &rounds.to_string()])
                .args(["--without", &without])
                .args(["--child", &n.to_string()])
                .arg(root.path().join(format!("profile-{}", n % profiles)))
                .args(unlocked.then_some("--unlocked"))
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap_or_else(|e| {
                    eprintln!("patchbay-vault-stress: cannot start a worker: {e}");
                    std::process::exit(3)
                })
        })
        .collect();
    let mut total = Tally::default();
    let mut failed_children = 0;
    let deadline = started + WORKERS_WITHIN;
    for mut c in children {
        // Bounded: a worker stuck on the keychain is stopped and counted as failed.
        while matches!(c.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if matches!(c.try_wait(), Ok(None)) {
            eprintln!(
                "patchbay-vault-stress: waited {}s for worker {} to finish its rounds; it did not, so it was stopped",
                WORKERS_WITHIN.as_secs(),
                c.id()
            );
            let _ = c.kill();
        }
        let out = match c.wait_with_output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("patchbay-vault-stress: {e}");
                failed_children += 1;
                continue;
            }
        };
        if !out.status.success() {
            failed_children += 1;
        }
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
            failed_children += 1;
            continue;
        };
        total.ops += v["ops"].as_u64().unwrap_or(0);
        total.wrong_reads += v["wrongReads"].as_u64().unwrap_or(0);
        for (field, into) in [
            ("errors", &mut total.errors),
            ("probeErrors", &mut total.probe_errors),
        ] {
            if let Some(m) = v[field].as_object() {
                for (k, n) in m {
                    *into.entry(k.clone()).or_default() += n.as_u64().unwrap_or(0);
                }
            }
        }
    }
    let ok = failed_children == 0 && total.wrong_reads == 0 && total.errors.is_empty();
    println!(
        "{}",
        serde_json::json!({
            "ok": ok,
            "procs": procs, "threads": threads, "rounds": rounds, "profiles": profiles,
            "locked": !unlocked,
            "ops": total.ops,
            "wrongReads": total.wrong_reads,
            "errors": total.errors,
            "probeErrors": total.probe_errors,
            "failedWorkers": failed_children,
            "ms": started.elapsed().as_millis() as u64,
        })
    );
    std::process::exit(if ok { 0 } else { 1 });
}

fn run_child(
    n: usize,
    home: &str,
    threads: usize,
    rounds: usize,
    without: &str,
    unlocked: bool,
) -> i32 {
    let home = std::path::Path::new(home);
    let vault = match patchbay_core::Patchbay::open(home) {
        // The app's own vault, with its lock; or the same keychain without it.
        Ok(pb) if unlocked => Vault::for_profile(pb.profile_id()),
        Ok(pb) => Vault::for_profile(pb.profile_id())
            .with_lock_file(patchbay_core::paths::vault_lock(home)),
        Err(e) => {
            eprintln!("patchbay-vault-stress: open {}: {e}", home.display());
            return 3;
        }
    };
    let skip_list = without.split(',').any(|w| w == "list");
    let skip_probe = without.split(',').any(|w| w == "probe");
    let skip_rewrite = without.split(',').any(|w| w == "rewrite");
    let skip_delete = without.split(',').any(|w| w == "delete");
    let shared = without.split(',').any(|w| w == "own-keys");
    let vault = Arc::new(vault);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let vault = vault.clone();
            let tally = tally.clone();
            std::thread::spawn(move || {
                for r in 0..rounds {
                    let key = if shared {
                        "token/shared/value".to_string()
                    } else {
                        format!("token/{n}-{t}/value")
                    };
                    let value = format!("secret-{n}-{t}-{r}");
                    let mut local = Tally::default();
                    if !skip_rewrite {
                        local.note(vault.set(&key, &SecretString::from("first")), false);
                    }
                    local.note(vault.set(&key, &SecretString::from(value.clone())), false);
                    match vault.get(&key) {
                        Ok(Some(got)) => {
                            local.ops += 1;
                            if patchbay_core::ExposeSecret::expose_secret(&got) != value {
                                local.wrong_reads += 1;
                            }
                        }
                        Ok(None) => {
                            local.ops += 1;
                            local.wrong_reads += 1;
                        }
                        Err(e) => local.note(Err(e), false),
                    }
                    if !skip_list {
                        local.note(vault.list().map(|_| ()), false);
                    }
                    if !skip_probe {
                        let status = vault.status();
                        local.note(
                            match status.state {
                                VaultState::Ok => Ok(()),
                                _ => Err(patchbay_core::Error::VaultUnavailable {
                                    detail: status.message.unwrap_or_default(),
                                }),
                            },
                            true,
                        );
                    }
                    if !skip_delete {
                        local.note(vault.delete(&key), false);
                    }
                    let mut all = tally.lock().unwrap_or_else(|p| p.into_inner());
                    all.ops += local.ops;
                    all.wrong_reads += local.wrong_reads;
                    for (k, v) in local.errors {
                        *all.errors.entry(k).or_default() += v;
                    }
                    for (k, v) in local.probe_errors {
                        *all.probe_errors.entry(k).or_default() += v;
                    }
                }
            })
        })
        .collect();
    let mut panicked = 0;
    for h in handles {
        if h.join().is_err() {
            panicked += 1;
        }
    }
    let t = tally.lock().unwrap_or_else(|p| p.into_inner());
    println!(
        "{}",
        serde_json::json!({
            "ops": t.ops, "wrongReads": t.wrong_reads,
            "errors": t.errors, "probeErrors": t.probe_errors,
        })
    );
    i32::from(panicked > 0 || t.wrong_reads > 0 || !t.errors.is_empty())
}
