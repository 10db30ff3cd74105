//! `patchbay import` as a user meets it: the real binary, a temp PATCHBAY_HOME, a temp HOME
//! (with XDG_CONFIG_HOME, CODEX_HOME and MCP_REMOTE_CONFIG_DIR in it, so no file of the
//! developer's is ever read), each client's config file in its real shape (comments, other
//! entries, plaintext tokens), a real mcp-remote token store made by running mcp-remote
//! against the test OAuth and MCP servers, and the real Secret Service.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use patchbay_testsupport::{all_bytes, contains};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{Out, World, spawn_mcp_remote};

const TOKENS: [&str; 5] = [
    "lin_api_IMPORT_3c9e1f7a2b",
    "sntrys_IMPORT_9b2d4f6a8c",
    "ghp_IMPORT_5e7a9c1d3f",
    "sk_live_IMPORT_1a3c5e7b9d",
    "docs_IMPORT_7f1b3d5e9a",
];

/// The access token of an older mcp-remote's copy of a sign-in.
const STALE: &str = "stale_IMPORT_0a1b2c3d4e";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/import")
        .join(name)
}

/// The clients' side: a home folder with each client's file where the client keeps it.
struct Clients {
    dir: TempDir,
}

impl Clients {
    fn new() -> Self {
        let c = Clients {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(c.home()).expect("home");
        c
    }
    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
    fn store(&self) -> PathBuf {
        self.home().join("mcp-auth")
    }
    fn codex(&self) -> PathBuf {
        self.home().join("codex")
    }
    /// Where each client keeps its file under this home (as the export code knows them).
    fn path(&self, client: &str) -> PathBuf {
        let h = self.home();
        match client {
            "claude-desktop" => h.join(".config/Claude/claude_desktop_config.json"),
            "claude-code" => h.join(".claude.json"),
            "cursor" => h.join(".cursor/mcp.json"),
            "vscode" => h.join(".config/Code/User/mcp.json"),
            "windsurf" => h.join(".codeium/windsurf/mcp_config.json"),
            "codex" => self.codex().join("config.toml"),
            other => panic!("no client {other}"),
        }
    }
    /// A fixture as the client's file, `{{MCP_URL}}` replaced.
    fn place(&self, client: &str, fixture_name: &str, mcp_url: &str) -> PathBuf {
        let to = self.path(client);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("folders");
        let text = std::fs::read_to_string(fixture(fixture_name)).expect("fixture");
        std::fs::write(&to, text.replace("{{MCP_URL}}", mcp_url)).expect("write");
        to
    }
    fn place_all(&self, mcp_url: &str) {
        for (client, file) in [
            ("claude-desktop", "claude_desktop_config.json"),
            ("claude-code", "claude.json"),
            ("cursor", "cursor-mcp.json"),
            ("vscode", "vscode-mcp.json"),
            ("windsurf", "windsurf-mcp_config.json"),
            ("codex", "codex-config.toml"),
        ] {
            self.place(client, file, mcp_url);
        }
    }
    fn env(&self, c: &mut Command) {
        c.env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("CODEX_HOME", self.codex())
            .env("MCP_REMOTE_CONFIG_DIR", self.store())
            .env_remove("PATCHBAY_EXPORT_BIN");
    }
}

fn run(mut c: Command, args: &[&str]) -> Out {
    Out::from_output(&c.args(args).write_stdin("").output().expect("run patchbay"))
}

fn import(w: &World, c: &Clients, args: &[&str]) -> (Out, Value) {
    let mut cmd = w.cmd();
    c.env(&mut cmd);
    let mut a = vec!["--json", "import"];
    a.extend_from_slice(args);
    let out = run(cmd, &a);
    let v = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}{}", out.stdout, out.stderr));
    (out, v)
}

/// The entry `name` of the report of `source`.
fn entry<'a>(reports: &'a Value, source: &str, name: &str) -> &'a Value {
    reports
        .as_array()
        .expect("an array")
        .iter()
        .filter(|r| r["source"] == json!(source))
        .flat_map(|r| r["found"].as_array().expect("found").iter())
        .find(|f| f["name"] == json!(name))
        .unwrap_or_else(|| panic!("{source} has no entry {name}: {reports:#}"))
}

fn actions(w: &World) -> Vec<Value> {
    serde_json::from_str::<Value>(&w.ok(&["--json", "action", "list"]))
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

/// mcp-remote signs in to the test server (its browser consents) and calls `echo`, leaving
/// its registration and tokens in `store`.
fn mcp_remote_signs_in(w: &World, store: &Path) {
    let (bridge, _) = spawn_mcp_remote(&w.url(), store, "echo", r#"{"text":"before import"}"#);
    let out = patchbay_testsupport::output_within(bridge, Duration::from_secs(90), "mcp-remote");
    let r: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim())
        .unwrap_or_else(|e| {
            panic!(
                "mcp-remote output is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert_eq!(r["calls"][0]["ok"], json!(true), "{r}");
}

/// The one `*_tokens.json` mcp-remote wrote, and its access and refresh tokens.
fn store_tokens(store: &Path) -> (PathBuf, String, String) {
    let file = all_bytes(store)
        .into_iter()
        .map(|(p, _)| PathBuf::from(p))
        .find(|p| p.to_string_lossy().ends_with("_tokens.json"))
        .expect("mcp-remote wrote its tokens");
    let v: Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    let access = v["access_token"]
        .as_str()
        .expect("access token")
        .to_string();
    let refresh = v["refresh_token"].as_str().unwrap_or_default().to_string();
    (file, access, refresh)
}

/// Everything: a dry run first (nothing changes), then the import with --rewrite: every token
/// is in the keychain, none is left in the rewritten files or the store, the backups (0600)
/// keep them, and the mcp-remote action calls a tool without signing in again.
#[test]
fn import_moves_every_token_and_mcp_remotes_sign_in_and_rewrite_leaves_none_behind() {
    let w = World::simple();
    let c = Clients::new();
    mcp_remote_signs_in(&w, &c.store());
    let (tokens_file, access, refresh) = store_tokens(&c.store());
    let hash = tokens_file
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('_').next())
        .expect("hash")
        .to_string();
    // A server nothing in the configs matches.
    let orphan = "0123456789abcdef0123456789abcdef";
    std::fs::write(
        tokens_file.with_file_name(format!("{orphan}_tokens.json")),
        r#"{"access_token":"orphan-at","token_type":"Bearer"}"#,
    )
    .expect("orphan");
    // An older mcp-remote's folder (named by its package version, where the one under test
    // writes `mcp-remote-v1`) with a stale copy of the same sign-in: the newest moves, both
    // copies go.
    let older = c.store().join("mcp-remote-0.15.0");
    std::fs::create_dir_all(&older).expect("older folder");
    std::fs::write(
        older.join(format!("{hash}_tokens.json")),
        format!(r#"{{"access_token":"{STALE}","token_type":"Bearer"}}"#),
    )
    .expect("stale tokens");
    std::fs::copy(
        tokens_file.with_file_name(format!("{hash}_client_info.json")),
        older.join(format!("{hash}_client_info.json")),
    )
    .expect("client info");
    c.place_all(&w.url());

    // A dry run: the report, and not one byte or action changed.
    let before = all_bytes(&c.home());
    let (out, dry) = import(&w, &c, &["--dry-run", "--rewrite"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(all_bytes(&c.home()), before, "a dry run writes nothing");
    assert!(actions(&w).is_empty(), "a dry run adds no action");
    let demo = entry(&dry, "claude-desktop", "demo");
    assert_eq!(demo["outcome"], json!("would-import"), "{demo}");
    assert_eq!(demo["kind"], json!("mcp-remote"), "{demo}");
    assert_eq!(demo["signedIn"], json!(true), "{demo}");
    assert_eq!(
        entry(&dry, "cursor", "sentry")["outcome"],
        json!("duplicate")
    );
    assert!(
        dry.as_array()
            .expect("array")
            .iter()
            .all(|r| r["rewritten"] == json!(false))
    );
    for t in TOKENS.iter().chain([access.as_str()].iter()) {
        assert!(
            !out.stdout.contains(t) && !out.stderr.contains(t),
            "no token in the output"
        );
    }

    // The import.
    let (out, r) = import(&w, &c, &["--rewrite"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for t in TOKENS
        .iter()
        .chain([access.as_str(), refresh.as_str()].iter())
    {
        assert!(
            !out.stdout.contains(t) && !out.stderr.contains(t),
            "no token in the output"
        );
    }
    let outcome = |source: &str, name: &str| entry(&r, source, name)["outcome"].clone();
    assert_eq!(outcome("claude-desktop", "demo"), json!("imported"));
    assert_eq!(entry(&r, "claude-desktop", "demo")["signedIn"], json!(true));
    assert_eq!(outcome("claude-desktop", "linear"), json!("imported"));
    assert_eq!(
        entry(&r, "claude-desktop", "linear")["token"],
        json!("linear-token")
    );
    assert_eq!(outcome("claude-desktop", "filesystem"), json!("not-remote"));
    assert_eq!(
        outcome("claude-desktop", "already"),
        json!("patchbay-entry")
    );
    assert_eq!(outcome("claude-code", "sentry"), json!("imported"));
    assert_eq!(outcome("claude-code", "playwright"), json!("not-remote"));
    assert_eq!(outcome("cursor", "github"), json!("imported"));
    assert_eq!(outcome("cursor", "sentry"), json!("duplicate"));
    assert_eq!(entry(&r, "cursor", "sentry")["action"], json!("sentry"));
    assert_eq!(outcome("vscode", "notion"), json!("imported"));
    assert_eq!(entry(&r, "vscode", "notion")["auth"], json!("oauth"));
    assert_eq!(outcome("vscode", "context7"), json!("imported"));
    assert!(
        entry(&r, "vscode", "context7")["message"]
            .as_str()
            .unwrap_or("")
            .contains("${input:context7-key}")
    );
    assert_eq!(outcome("windsurf", "stripe"), json!("imported"));
    assert_eq!(
        entry(&r, "windsurf", "stripe")["token"],
        json!("stripe-token")
    );
    assert_eq!(outcome("codex", "docs"), json!("imported"));
    assert_eq!(outcome("codex", "fs"), json!("not-remote"));
    assert_eq!(outcome("mcp-remote", &hash), json!("imported"));
    assert_eq!(
        outcome("mcp-remote", orphan),
        json!("error"),
        "nothing matches it"
    );

    // Every token is in the keychain: the text tokens by their header, mcp-remote's grant as
    // the action's own (the very access token it had).
    let tokens: Value = serde_json::from_str(&w.ok(&["--json", "token", "list"])).expect("json");
    for (name, header) in [
        ("linear-token", "Authorization"),
        ("sentry-token", "Authorization"),
        ("github-token", "Authorization"),
        ("stripe-token", "X-API-Key"),
        ("docs-token", "Authorization"),
    ] {
        let t = tokens
            .as_array()
            .expect("array")
            .iter()
            .find(|t| t["name"] == json!(name))
            .unwrap_or_else(|| panic!("token {name}: {tokens:#}"));
        assert_eq!(t["headerName"], json!(header), "{t}");
    }
    assert_eq!(
        w.ok(&["access-token", "demo"]).trim(),
        access,
        "mcp-remote's token moved"
    );
    assert_eq!(w.status()["connected"], json!(true));

    // The files point at Patchbay now: no token left in them, nor in the store.
    for (client, path) in [
        "claude-desktop",
        "claude-code",
        "cursor",
        "windsurf",
        "codex",
    ]
    .iter()
    .map(|c2| (*c2, c.path(c2)))
    {
        let report = r
            .as_array()
            .expect("array")
            .iter()
            .find(|x| x["source"] == json!(client))
            .expect("report");
        assert_eq!(report["rewritten"], json!(true), "{report}");
        let backup = PathBuf::from(report["backup"].as_str().expect("a backup"));
        let mode = std::fs::metadata(&backup)
            .expect("backup")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{} holds plaintext tokens", backup.display());
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains(" proxy") || text.contains("\"proxy\""),
            "{text}"
        );
    }
    let desktop = std::fs::read_to_string(c.path("claude-desktop")).expect("read");
    assert!(
        desktop.contains("\"preferences\""),
        "other keys stay: {desktop}"
    );
    let cursor = std::fs::read_to_string(c.path("cursor")).expect("read");
    assert!(
        cursor.contains("// Cursor: remote servers"),
        "comments stay: {cursor}"
    );
    assert!(contains(
        std::fs::read_to_string(c.path("codex"))
            .expect("read")
            .as_bytes(),
        "approval_policy"
    ));
    let backups = |p: &Path| p.to_string_lossy().contains(".patchbay-backup-");
    for (path, bytes) in all_bytes(&c.home()) {
        if backups(Path::new(&path)) {
            continue;
        }
        for t in TOKENS
            .iter()
            .chain([access.as_str(), refresh.as_str(), STALE].iter())
        {
            assert!(
                t.is_empty() || !contains(&bytes, t),
                "{path} still holds a token"
            );
        }
    }
    assert!(
        !tokens_file.exists(),
        "mcp-remote's files of the moved sign-in are gone"
    );
    assert_eq!(entry(&r, "mcp-remote", &hash)["outcome"], json!("imported"));

    // The imported mcp-remote action calls a tool with the moved sign-in: no browser at all.
    let mut call = w.cmd();
    call.env("BROWSER", "false");
    let out = run(call, &["call", "demo", "echo", "--args", r#"{"text":"x"}"#]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains('x'), "{}", out.stdout);

    // Again: everything is a duplicate or already goes through Patchbay.
    let (out, again) = import(&w, &c, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for f in again
        .as_array()
        .expect("array")
        .iter()
        .flat_map(|r| r["found"].as_array().expect("found").iter())
    {
        assert!(
            ["duplicate", "patchbay-entry", "not-remote", "error"]
                .contains(&f["outcome"].as_str().unwrap_or("")),
            "{f}"
        );
    }
}

/// A file that does not parse is reported with its line and column (exit 1), and the other
/// files are still imported; an action with the same URL makes a duplicate; `--config` needs
/// `--from`.
#[test]
fn a_broken_file_is_named_with_line_and_column_and_the_others_still_import() {
    let w = World::simple();
    let c = Clients::new();
    c.place("cursor", "cursor-broken.json", "");
    c.place("claude-code", "claude.json", "");
    c.place("windsurf", "windsurf-mcp_config.json", "");
    let broken_before = std::fs::read(c.path("cursor")).expect("read");
    w.ok(&[
        "action",
        "add",
        "sentry-mine",
        "--url",
        "https://mcp.sentry.example/mcp/",
    ]);
    let (out, r) = import(&w, &c, &["--rewrite"]);
    assert_eq!(out.code, 1, "a file failed: {}{}", out.stdout, out.stderr);
    let cursor = r
        .as_array()
        .expect("array")
        .iter()
        .find(|x| x["source"] == json!("cursor"))
        .expect("cursor's report");
    let error = cursor["error"].as_str().expect("an error");
    assert!(error.contains("line 4, column 47"), "{error}");
    assert!(!error.contains("ghp_IMPORT"), "no token in the error");
    assert_eq!(cursor["rewritten"], json!(false));
    assert_eq!(
        std::fs::read(c.path("cursor")).expect("read"),
        broken_before,
        "left untouched"
    );
    let sentry = entry(&r, "claude-code", "sentry");
    assert_eq!(sentry["outcome"], json!("duplicate"), "{sentry}");
    assert_eq!(sentry["action"], json!("sentry-mine"));
    // The other files were still imported: Windsurf's token is in the keychain.
    let stripe = entry(&r, "windsurf", "stripe");
    assert_eq!(stripe["outcome"], json!("imported"), "{stripe}");
    assert_eq!(stripe["token"], json!("stripe-token"), "{stripe}");
    let names: Vec<String> = actions(&w)
        .iter()
        .filter_map(|a| a["name"].as_str().map(String::from))
        .collect();
    assert_eq!(
        names,
        ["sentry-mine", "stripe"],
        "the duplicate added nothing"
    );
    let windsurf = std::fs::read_to_string(c.path("windsurf")).expect("read");
    assert!(
        !windsurf.contains("sk_live_IMPORT") && windsurf.contains("\"proxy\""),
        "rewritten: the token left Windsurf's file: {windsurf}"
    );

    // --config without --from: usage.
    let mut cmd = w.cmd();
    c.env(&mut cmd);
    let out = run(cmd, &["import", "--config", "/nonexistent.json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // One file by --config.
    let (out, r) = import(
        &w,
        &c,
        &[
            "--from",
            "codex",
            "--config",
            fixture("codex-config.toml").to_str().expect("utf8"),
            "--dry-run",
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(r.as_array().expect("array").len(), 1, "{r:#}");
    assert_eq!(entry(&r, "codex", "docs")["outcome"], json!("would-import"));
    assert_eq!(entry(&r, "codex", "docs")["token"], json!("docs-token"));
}

/// A token pasted in a header (a real access token of the test server) becomes a text token
/// the imported action calls with; `--rewrite --via gateway` points the URL-reading clients'
/// entries at the gateway (Codex with its key variable) and keeps proxy entries for Claude
/// Desktop; no token is left in any rewritten file, and every backup is 0600.
#[test]
fn a_pasted_token_calls_and_a_gateway_rewrite_leaves_no_token() {
    let w = World::simple();
    w.add(&[]);
    let (code, _, err) = w.connect("consent", &[]);
    assert_eq!(code, 0, "sign-in: {err:?}");
    let jwt = w.ok(&["access-token", "demo"]).trim().to_string();
    assert!(jwt.len() > 20, "an access token");
    w.ok(&["action", "remove", "demo"]);

    let c = Clients::new();
    c.place_all("https://mcp.demo.example/mcp");
    // Claude Code's file, with one more server: the test server, and its token pasted.
    let mut claude: Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("claude-code")).expect("claude.json"))
            .expect("json");
    claude["mcpServers"]["echo"] = json!({
        "type": "http",
        "url": w.url(),
        "headers": { "Authorization": format!("Bearer {jwt}") }
    });
    std::fs::write(
        c.path("claude-code"),
        serde_json::to_string_pretty(&claude).expect("json"),
    )
    .expect("write");

    let (out, r) = import(&w, &c, &["--rewrite", "--via", "gateway"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains(&jwt) && !out.stderr.contains(&jwt));
    let echo = entry(&r, "claude-code", "echo");
    assert_eq!(echo["outcome"], json!("imported"), "{echo}");
    assert_eq!(echo["token"], json!("echo-token"), "{echo}");
    // stderr lists every rewritten entry before the file is written, as export does.
    assert!(
        out.stderr.contains("will connect to these URLs")
            && out.stderr.contains("echo: http://127.0.0.1:"),
        "{}",
        out.stderr
    );

    // URL entries for the gateway (`/a/ACTION/mcp`), Codex's with its key variable.
    let gateway_url = |text: &str, action: &str| {
        text.contains("http://127.0.0.1:") && text.contains(&format!("/a/{action}/mcp"))
    };
    let code_file = std::fs::read_to_string(c.path("claude-code")).expect("read");
    let v: Value = serde_json::from_str(&code_file).expect("still JSON");
    assert!(
        v["mcpServers"]["echo"]["url"]
            .as_str()
            .is_some_and(|u| gateway_url(u, "echo")),
        "{code_file}"
    );
    assert!(v["mcpServers"]["echo"]["headers"].is_null(), "{code_file}");
    assert_eq!(v["mcpServers"]["playwright"]["command"], json!("npx"));
    assert_eq!(v["numStartups"], json!(42), "other keys stay");
    let codex = std::fs::read_to_string(c.path("codex")).expect("read");
    assert!(gateway_url(&codex, "docs"), "{codex}");
    assert!(codex.contains("PATCHBAY_GATEWAY_KEY"), "{codex}");
    assert!(codex.contains("# Codex CLI configuration"), "{codex}");
    let vscode = std::fs::read_to_string(c.path("vscode")).expect("read");
    assert!(gateway_url(&vscode, "notion"), "{vscode}");
    assert!(vscode.contains("// VS Code: user mcp.json"), "{vscode}");
    let cursor = std::fs::read_to_string(c.path("cursor")).expect("read");
    assert!(gateway_url(&cursor, "github"), "{cursor}");
    let windsurf = std::fs::read_to_string(c.path("windsurf")).expect("read");
    assert!(gateway_url(&windsurf, "stripe"), "{windsurf}");
    // Claude Desktop reads no local URL entries: it keeps proxy entries.
    let desktop = std::fs::read_to_string(c.path("claude-desktop")).expect("read");
    assert!(desktop.contains("\"proxy\""), "{desktop}");

    // No token in any file but the backups, which are 0600.
    let mut backups = 0;
    for (path, bytes) in all_bytes(&c.home()) {
        if path.contains(".patchbay-backup-") {
            backups += 1;
            let mode = std::fs::metadata(&path)
                .expect("backup")
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{path}");
            continue;
        }
        for t in TOKENS.iter().chain([jwt.as_str()].iter()) {
            assert!(!contains(&bytes, t), "{path} still holds a token");
        }
    }
    assert_eq!(backups, 6, "one backup per rewritten file");
    for report in r.as_array().expect("array") {
        if report["source"] != json!("mcp-remote") {
            assert_eq!(report["rewritten"], json!(true), "{report}");
            assert!(report["backup"].is_string(), "{report}");
        }
    }

    // The pasted token is in the keychain, and the action calls with it: no sign-in at all.
    let mut call = w.cmd();
    call.env("BROWSER", "false");
    let out = run(
        call,
        &[
            "call",
            "echo",
            "echo",
            "--args",
            r#"{"text":"pasted token"}"#,
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("pasted token"), "{}", out.stdout);
    assert!(!out.stdout.contains(&jwt) && !out.stderr.contains(&jwt));
}
