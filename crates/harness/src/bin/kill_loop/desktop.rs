//! The desktop app (`patchbay-desktop`, beside the CLI binary, or `PATCHBAY_DESKTOP_BIN`)
//! under a private Xvfb, killed with SIGKILL (its whole process group, WebKit's processes
//! too) at random moments of its start-up, half the rounds while `patchbay settings set`
//! writes to the same profile (killed at the same moment). After each kill the database
//! opens (`settings` reads it, and a settings write works); every 5th round, and at the end,
//! the next start reaches the app's ready signal (`PATCHBAY_READY_FILE`: its first screen
//! rendered) within 60 s. At the end: the keychain after the sweep, no secret on disk.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{
    Cli, Rng, Tally, check_keychain, check_no_secret_on_disk, free_port, kill_group,
};

/// A private X server; stopped when dropped.
struct Xvfb(Child, String);

impl Xvfb {
    fn start() -> Result<Xvfb, String> {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb: {e}"))?;
        let out = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(out).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(n) if !n.trim().is_empty() => Ok(Xvfb(child, format!(":{}", n.trim()))),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err("Xvfb did not print its display within 20 s".into())
            }
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn app_bin(cli: &Path) -> PathBuf {
    std::env::var_os("PATCHBAY_DESKTOP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| cli.with_file_name("patchbay-desktop"))
}

fn launch(app: &Path, cli: &Cli, display: &str, ready: &Path) -> Result<Child, String> {
    let _ = std::fs::remove_file(ready);
    Command::new(app)
        .env("PATCHBAY_HOME", &cli.home)
        .env("XDG_CONFIG_HOME", cli.home.join("config"))
        .env("DISPLAY", display)
        .env("PATCHBAY_READY_FILE", ready)
        .env("PATCHBAY_NO_SCHEME_REGISTRATION", "1")
        .envs(cli.env.iter().map(|(k, v)| (k, v)))
        .env_remove("BROWSER")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", app.display()))
}

/// A whole start: the ready file within 60 s; then the app is killed.
fn full_start(app: &Path, cli: &Cli, display: &str, ready: &Path) -> Result<Duration, String> {
    let began = Instant::now();
    let mut child = launch(app, cli, display, ready)?;
    let deadline = began + Duration::from_secs(60);
    while !ready.exists() {
        if Instant::now() > deadline || matches!(child.try_wait(), Ok(Some(_))) {
            kill_group(&mut child);
            return Err(format!(
                "the app did not signal ready within 60 s (it {} )",
                if Instant::now() > deadline {
                    "was still running"
                } else {
                    "had exited"
                }
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = began.elapsed();
    kill_group(&mut child);
    Ok(took)
}

pub fn run(bin: &Path, kills: u32, rng: &mut Rng) -> Tally {
    let mut t = Tally::new();
    let Ok(dir) = tempfile::tempdir() else {
        t.fail("no temp folder");
        return t;
    };
    let app = app_bin(bin);
    if !app.exists() {
        t.fail(format!(
            "no desktop app at {} (build it: cargo build -p patchbay-desktop)",
            app.display()
        ));
        return t;
    }
    let xvfb = match Xvfb::start() {
        Ok(x) => x,
        Err(e) => {
            t.fail(e);
            return t;
        }
    };
    // The app may start its gateway: on a free port, never a shared default.
    let cli = Cli::new(bin, dir.path().join("home"))
        .with_env("PATCHBAY_GATEWAY_PORT", &free_port().to_string());
    let ready = dir.path().join("ready");
    let within = Duration::from_secs(30);
    let secret = format!("desktop-secret-{:012x}", rng.next() >> 16);
    let seeded = cli
        .ok(
            &[
                "action",
                "add",
                "one",
                "--url",
                "https://one.example/mcp",
                "--auth",
                "oauth",
                "--client-id",
                "c",
                "--client-secret-stdin",
            ],
            &format!("{secret}\n"),
            within,
        )
        .and_then(|_| {
            cli.ok(
                &[
                    "action",
                    "add",
                    "two",
                    "--url",
                    "http://127.0.0.1:9/mcp",
                    "--auth",
                    "none",
                ],
                "",
                within,
            )
        });
    if let Err(e) = seeded {
        t.fail(format!("cannot seed the profile: {e}"));
        return t;
    }
    let mut starts: Vec<u64> = Vec::new();
    let window = match full_start(&app, &cli, &xvfb.1, &ready) {
        Ok(d) => {
            starts.push(d.as_millis() as u64);
            d.mul_f32(1.3)
        }
        Err(e) => {
            t.fail(format!("the first start: {e}"));
            return t;
        }
    };
    for i in 0..kills {
        let mut app_child = match launch(&app, &cli, &xvfb.1, &ready) {
            Ok(c) => c,
            Err(e) => {
                t.fail(e);
                break;
            }
        };
        let with_write = rng.below(2) == 0;
        let write_at = rng.moment(window);
        let kill_at = rng.moment(window);
        let began = Instant::now();
        let mut writer = None;
        if with_write {
            std::thread::sleep(write_at.min(kill_at));
            let v = (1000 + rng.below(100_000)).to_string();
            writer = cli.cmd(&["settings", "set", "logMaxRows", &v]).spawn().ok();
            t.count("start-up + CLI settings write");
        } else {
            t.count("start-up");
        }
        std::thread::sleep(kill_at.saturating_sub(began.elapsed()));
        if ready.exists() {
            t.count("killed after the first screen");
        }
        let ended = kill_group(&mut app_child);
        t.killed(ended);
        if let Some(mut w) = writer {
            let _ = w.kill();
            let _ = w.wait();
        }
        // The database opens, and takes a settings write.
        if let Err(e) = cli.ok(&["--json", "settings"], "", within) {
            t.fail(format!("kill {i}: {e}"));
        }
        if let Err(e) = cli.ok(
            &[
                "settings",
                "set",
                "logMaxAgeDays",
                &(1 + rng.below(300)).to_string(),
            ],
            "",
            within,
        ) {
            t.fail(format!("kill {i}: {e}"));
        }
        if i % 5 == 4 || i + 1 == kills {
            match full_start(&app, &cli, &xvfb.1, &ready) {
                Ok(d) => {
                    starts.push(d.as_millis() as u64);
                    t.count("next start reached its first screen");
                }
                Err(e) => t.fail(format!("kill {i}: the next start: {e}")),
            }
        }
    }
    if !starts.is_empty() {
        starts.sort_unstable();
        t.counts.insert(
            "start to ready, median ms".into(),
            starts[starts.len() / 2] as u32,
        );
    }
    check_keychain(&cli.home, &mut t);
    check_no_secret_on_disk(&cli.home, &[secret], &mut t);
    drop(xvfb);
    t
}
