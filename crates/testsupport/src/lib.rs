//! What Patchbay's test binaries share, so that no test waits without a bound.
//!
//! Every wait here has a deadline and, past it, fails with a message naming what it waited
//! for and the tail of the waited-on program's own output, which is kept in the run's log
//! folder ([`log_dir`]: `$PATCHBAY_TEST_LOGS`, set by `scripts/test.sh`) instead of being
//! thrown away.
//!
//! - [`until`] / [`must`]: poll a condition until a deadline.
//! - [`Lines`]: read a child's output line by line, each read bounded.
//! - [`wait_child`], [`output_within`], [`run`]: wait for a child process, bounded; on time
//!   out it is killed (with its process group when it leads one) and the test fails.
//! - [`Guard`]: a child in its own process group, stopped with its children when dropped.
//! - [`Server`]: a node test server of `tests/servers/`, up once it printed its ready line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

/// How often conditions are polled.
pub const POLL: Duration = Duration::from_millis(50);

// ---- The run's log folder ---------------------------------------------------------------

/// Where the programs tests start write their output: `$PATCHBAY_TEST_LOGS` (the test
/// script's folder, kept when a test fails) or a folder under the system temp dir.
pub fn log_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::var_os("PATCHBAY_TEST_LOGS")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("patchbay-test-logs"));
        let _ = std::fs::create_dir_all(&dir);
        dir
    })
}

/// A new, unique log file for `what` in [`log_dir`] (`what-PID-N.log`).
pub fn log_file(what: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let clean: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    log_dir().join(format!(
        "{clean}-{}-{}.log",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// A `Stdio` writing into `path` (created or truncated), for a child's stdout or stderr.
pub fn log_stdio(path: &Path) -> Stdio {
    match File::options().create(true).append(true).open(path) {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::null(),
    }
}

/// The last `lines` lines of a log file, for a failure message.
pub fn tail(path: &Path, lines: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => tail_of(&String::from_utf8_lossy(&bytes), lines),
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

/// The last `lines` lines of `text`, or "(nothing)".
pub fn tail_of(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    if all.is_empty() {
        return "(nothing)".into();
    }
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A log file with its last lines, as a failure message shows it.
pub fn describe_log(name: &str, path: &Path) -> String {
    format!(
        "\n--- {name} ({}), last lines:\n{}\n---",
        path.display(),
        tail(path, 30)
    )
}

// ---- Conditions -------------------------------------------------------------------------

/// Poll `probe` every [`POLL`] until it gives a value or `within` has passed.
pub fn until<T>(
    what: &str,
    within: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<T, String> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if Instant::now() >= deadline {
            return Err(format!("waited {within:?} for {what}; it did not happen"));
        }
        std::thread::sleep(POLL);
    }
}

/// [`until`], failing the test past the deadline.
pub fn must<T>(what: &str, within: Duration, probe: impl FnMut() -> Option<T>) -> T {
    until(what, within, probe).unwrap_or_else(|e| panic!("{e}"))
}

/// Wait until something listens on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, what: &str, within: Duration) -> Result<(), String> {
    until(
        &format!("{what} to listen on 127.0.0.1:{port}"),
        within,
        || {
            std::net::TcpStream::connect(("127.0.0.1", port))
                .is_ok()
                .then_some(())
        },
    )
}

// ---- Lines of a child's output ----------------------------------------------------------

/// A child's output read line by line on a thread of its own, so that each read has a
/// deadline (a blocking `read_line` on a pipe has none).
#[derive(Debug)]
pub struct Lines {
    rx: Receiver<std::io::Result<String>>,
    what: String,
    seen: Vec<String>,
}

/// Why no line came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoLine {
    /// The deadline passed.
    TimedOut,
    /// The writer closed its end (the program exited).
    Closed,
}

impl Lines {
    /// Read `from` (a child's stdout or stderr); `what` names it in failure messages.
    pub fn new(from: impl Read + Send + 'static, what: &str) -> Lines {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) => return,
                    Ok(_) => {
                        let line = line.trim_end_matches(['\n', '\r']).to_string();
                        if tx.send(Ok(line)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        Lines {
            rx,
            what: what.to_string(),
            seen: Vec::new(),
        }
    }

    /// The next line (without its line break), or why there is none within `within`.
    pub fn try_next(&mut self, within: Duration) -> Result<String, NoLine> {
        match self.rx.recv_timeout(within) {
            Ok(Ok(line)) => {
                self.seen.push(line.clone());
                Ok(line)
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => Err(NoLine::Closed),
            Err(RecvTimeoutError::Timeout) => Err(NoLine::TimedOut),
        }
    }

    /// The next line; fails the test when none comes within `within`.
    pub fn next(&mut self, within: Duration) -> String {
        match self.try_next(within) {
            Ok(line) => line,
            Err(NoLine::TimedOut) => panic!(
                "waited {within:?} for a line from {}; none came (lines so far: {:?})",
                self.what, self.seen
            ),
            Err(NoLine::Closed) => panic!(
                "waited for a line from {}; it closed its output first (lines so far: {:?})",
                self.what, self.seen
            ),
        }
    }

    /// Every further line until the writer closes; fails the test past `within`.
    pub fn rest(&mut self, within: Duration) -> String {
        let deadline = Instant::now() + within;
        let mut out = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.try_next(left) {
                Ok(line) => {
                    out.push_str(&line);
                    out.push('\n');
                }
                Err(NoLine::Closed) => return out,
                Err(NoLine::TimedOut) => panic!(
                    "waited {within:?} for {} to close its output; it did not (read so far: {out:?})",
                    self.what
                ),
            }
        }
    }
}

// ---- Child processes --------------------------------------------------------------------

/// Stop a child: SIGTERM to its process group when it leads one (else to it), SIGKILL
/// after `grace`, then reap it (a SIGKILLed process always ends).
pub fn stop(child: &mut Child, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let pid = child.id().to_string();
    let leads_group = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
            let rest = s.rsplit_once(')')?.1.to_string();
            rest.split_whitespace().nth(2).map(|g| g == pid)
        })
        .unwrap_or(false);
    let target = if leads_group {
        format!("-{pid}")
    } else {
        pid.clone()
    };
    let _ = Command::new("kill")
        .args(["-TERM", "--", &target])
        .stderr(Stdio::null())
        .status();
    if let Ok(Some(_)) = child.wait_timeout(grace) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &target])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// Wait for a child to exit; past `within` it is stopped and the test fails naming `what`.
pub fn wait_child(child: &mut Child, within: Duration, what: &str) -> ExitStatus {
    match child.wait_timeout(within) {
        Ok(Some(status)) => status,
        Ok(None) => {
            stop(child, Duration::from_secs(2));
            panic!("waited {within:?} for {what} to exit; it did not, so it was killed");
        }
        Err(e) => panic!("waiting for {what}: {e}"),
    }
}

/// What a reader thread has read so far of a child's pipe, and whether it reached the end.
#[derive(Debug, Clone, Default)]
struct Drained(Arc<Mutex<(Vec<u8>, bool)>>);

impl Drained {
    fn start(from: Option<impl Read + Send + 'static>) -> Drained {
        let d = Drained::default();
        let Some(mut from) = from else {
            d.0.lock().unwrap_or_else(|p| p.into_inner()).1 = true;
            return d;
        };
        let shared = d.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = match from.read(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    r => r.unwrap_or(0),
                };
                let mut g = shared.0.lock().unwrap_or_else(|p| p.into_inner());
                if n == 0 {
                    g.1 = true;
                    return;
                }
                g.0.extend_from_slice(&buf[..n]);
            }
        });
        d
    }
    fn done(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).1
    }
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).0.clone()
    }
}

/// Collect a child's stdout and stderr (whichever were piped) and wait for it to exit,
/// bounded: past `within` it is stopped and the test fails with what it printed so far.
pub fn output_within(mut child: Child, within: Duration, what: &str) -> Output {
    let out = Drained::start(child.stdout.take());
    let err = Drained::start(child.stderr.take());
    let started = Instant::now();
    let status = match child.wait_timeout(within) {
        Ok(Some(s)) => s,
        Ok(None) => {
            stop(&mut child, Duration::from_secs(2));
            std::thread::sleep(Duration::from_millis(100));
            panic!(
                "waited {within:?} for {what} to exit; it did not, so it was killed.\n\
                 stdout: {}\nstderr: {}",
                tail_of(&String::from_utf8_lossy(&out.bytes()), 30),
                tail_of(&String::from_utf8_lossy(&err.bytes()), 30)
            );
        }
        Err(e) => panic!("waiting for {what}: {e}"),
    };
    // Something it started may still hold the pipes: wait for their ends, bounded.
    let left = within
        .saturating_sub(started.elapsed())
        .max(Duration::from_secs(5));
    if let Err(e) = until(&format!("{what}'s output to end"), left, || {
        (out.done() && err.done()).then_some(())
    }) {
        panic!(
            "{what} exited ({status}), but {e}: something it started still holds its output open"
        );
    }
    Output {
        status,
        stdout: out.bytes(),
        stderr: err.bytes(),
    }
}

/// Run a command to the end with no stdin, capturing its output, bounded by `within`.
pub fn run(cmd: &mut Command, within: Duration, what: &str) -> Output {
    use std::os::unix::process::CommandExt;
    // Its own process group, so that a time out stops what it started too.
    let child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    output_within(child, within, what)
}

/// A child process in its own process group; the whole group is stopped (SIGTERM, then
/// SIGKILL) when dropped, so wrappers take their children with them.
#[derive(Debug)]
pub struct Guard(pub Child);

impl Guard {
    pub fn spawn(cmd: &mut Command, what: &str) -> Guard {
        use std::os::unix::process::CommandExt;
        let child = cmd.process_group(0).spawn().unwrap_or_else(|e| {
            panic!("cannot start {what}: {e} (scripts/setup.sh --test installs it)")
        });
        Guard(child)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        stop(&mut self.0, Duration::from_secs(3));
    }
}

// ---- The node test servers of tests/servers -------------------------------------------

/// How long a node test server may take to print its ready line (oidc-provider's start
/// takes about a second on a quiet machine, several under load).
pub const SERVER_START: Duration = Duration::from_secs(45);

/// A node test server; stops when dropped (killed, then reaped).
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    _stdin: ChildStdin,
    /// The JSON object of its ready line (`{"ready": true, ...}`).
    pub ready: serde_json::Value,
    /// Its stderr.
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `dir/script` with its JSON config in the environment variable `env`; returns once
/// it printed its ready line, or fails the test naming the script, with its stderr.
pub fn start_server(dir: &Path, script: &str, env: &str, config: serde_json::Value) -> Server {
    let log = log_file(script.trim_end_matches(".mjs"));
    let mut child = Command::new("node")
        .arg(dir.join(script))
        .env(env, config.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log_stdio(&log))
        .spawn()
        .unwrap_or_else(|e| {
            panic!("start {script}: {e} (scripts/setup.sh --test installs tests/servers)")
        });
    let stdin = child.stdin.take().expect("stdin");
    let mut lines = Lines::new(child.stdout.take().expect("stdout"), script);
    let line = match lines.try_next(SERVER_START) {
        Ok(line) => line,
        Err(why) => {
            let how = match why {
                NoLine::TimedOut => format!("did not print its ready line within {SERVER_START:?}"),
                NoLine::Closed => "exited before its ready line".to_string(),
            };
            stop(&mut child, Duration::from_secs(2));
            panic!(
                "test server {script} {how}{}",
                describe_log("its stderr", &log)
            );
        }
    };
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
        panic!(
            "{script} ready line {line:?}: {e}{}",
            describe_log("its stderr", &log)
        )
    });
    assert_eq!(ready["ready"], true, "{script} is ready");
    Server {
        child,
        _stdin: stdin,
        ready,
        log,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_never_comes_fails_within_its_deadline_naming_the_source() {
        let mut child = Command::new("sleep")
            .arg("30")
            .stdout(Stdio::piped())
            .spawn()
            .expect("sleep");
        let mut lines = Lines::new(child.stdout.take().expect("stdout"), "a silent sleep");
        let started = Instant::now();
        let got = lines.try_next(Duration::from_millis(300));
        assert_eq!(got, Err(NoLine::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(2));
        let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lines.next(Duration::from_millis(100))
        }))
        .expect_err("no line");
        let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("a silent sleep"), "{msg}");
        stop(&mut child, Duration::from_secs(1));
    }

    #[test]
    fn a_child_that_outlives_its_bound_is_killed_and_the_test_fails_with_its_output() {
        let started = Instant::now();
        let msg = std::panic::catch_unwind(|| {
            run(
                Command::new("sh").args(["-c", "echo started; echo $$ >&2; sleep 30"]),
                Duration::from_millis(500),
                "a slow shell",
            )
        })
        .expect_err("times out");
        let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            msg.contains("a slow shell") && msg.contains("started"),
            "{msg}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        // Its process group went with it: the shell's pid (on stderr) is gone.
        let pid: u32 = msg
            .rsplit("stderr: ")
            .next()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or_else(|| panic!("the shell's pid in {msg}"));
        assert_gone(pid);
    }

    fn assert_gone(pid: u32) {
        must("the shell to be gone", Duration::from_secs(5), || {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            (stat.is_empty() || stat.contains(") Z")).then_some(())
        });
    }

    #[test]
    fn until_says_what_it_waited_for() {
        let err = until("the moon", Duration::from_millis(120), || None::<()>).expect_err("no");
        assert!(err.contains("the moon"), "{err}");
        assert_eq!(until("now", Duration::ZERO, || Some(3)), Ok(3));
    }

    #[test]
    fn a_server_that_exits_before_its_ready_line_fails_with_its_stderr() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        std::fs::write(
            dir.join("broken.mjs"),
            "console.error('cannot listen: EADDRINUSE'); process.exit(3);",
        )
        .expect("script");
        let msg = std::panic::catch_unwind(|| {
            start_server(&dir, "broken.mjs", "X", serde_json::json!({}))
        })
        .expect_err("fails");
        let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            msg.contains("exited before its ready line") && msg.contains("EADDRINUSE"),
            "{msg}"
        );
    }
}

/// What a finished command printed, and how it exited.
#[derive(Debug, Clone)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn from_output(o: &std::process::Output) -> Self {
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// stdout as JSON (fails the test, showing stdout, when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The `{"error": ...}` line of a `--json` failure on stderr.
    pub fn error(&self) -> serde_json::Value {
        error_json(&self.stderr)
            .unwrap_or_else(|| panic!("no JSON error on stderr: {}", self.stderr))
    }

    /// The `code` of a `--json` failure, if stderr has one.
    pub fn error_code(&self) -> Option<String> {
        error_code(&self.stderr)
    }
}

fn error_json(stderr: &str) -> Option<serde_json::Value> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v.get("error").is_some())
        .map(|v| v["error"].clone())
}

/// The `code` of the `{"error": {...}}` line a `--json` failure prints on stderr.
pub fn error_code(stderr: &str) -> Option<String> {
    error_json(stderr).and_then(|e| e["code"].as_str().map(String::from))
}

/// Every file under `dir` with its bytes (database, WAL, shared memory, profile id...), to
/// check that a secret is in none of them.
pub fn all_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot read {}: {e}", d.display()));
        for e in entries {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
                out.push((p.display().to_string(), bytes));
            }
        }
    }
    out
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}
