//! `patchbay export` as a user meets it: the real binary, a temp PATCHBAY_HOME and a temp
//! HOME (so the clients' default files are never the developer's), copies of real-world
//! client config files, and the real Secret Service (scripts/with-keyring.sh) for the
//! secrets that must never reach an export.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{Home, Out};

const TOKEN_SECRET: &str = "tok-EXPORT-8f2a6c1e-secret";
const CLIENT_SECRET: &str = "cs-EXPORT-41d7b9a3-secret";

/// A profile ([`Home`]) plus the clients' side: HOME and XDG_CONFIG_HOME in a temp folder
/// (so the clients' default files are never the developer's), with copies of their files.
struct World {
    data: Home,
    files: TempDir,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/export")
        .join(name)
}

/// The installed binary, as the entries must name it.
fn bin() -> String {
    assert_cmd::cargo::cargo_bin("patchbay")
        .canonicalize()
        .expect("canonical binary path")
        .to_str()
        .expect("utf8")
        .to_string()
}

impl World {
    fn new() -> Self {
        let w = World {
            data: Home::new(),
            files: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(w.home()).expect("home");
        w
    }
    fn home(&self) -> PathBuf {
        self.files.path().join("home")
    }
    fn cmd(&self) -> Command {
        let mut c = self.data.cmd();
        c.env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env_remove("CODEX_HOME")
            .env_remove("PATCHBAY_EXPORT_BIN");
        c
    }
    fn run_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
        self.data.out(&mut self.cmd(), args, stdin, env)
    }
    fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, "", &[])
    }
    fn ok(&self, args: &[&str]) -> Out {
        self.ok_with(args, "")
    }
    fn ok_with(&self, args: &[&str], stdin: &str) -> Out {
        let out = self.run_with(args, stdin, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}{}", out.stdout, out.stderr);
        out
    }
    /// A copy of a fixture in the files folder.
    fn copy(&self, name: &str) -> PathBuf {
        let to = self.files.path().join(name);
        std::fs::copy(fixture(name), &to).expect("copy fixture");
        to
    }
    /// Two MCP actions whose credentials are secrets in the keychain (a client secret and a
    /// text token), an HTTP action and a disabled MCP action.
    fn seed(&self) {
        self.ok_with(
            &[
                "action",
                "add",
                "linear",
                "--url",
                "https://mcp.linear.example/mcp",
                "--auth",
                "oauth",
                "--client-id",
                "client-abc",
                "--client-secret-stdin",
            ],
            &format!("{CLIENT_SECRET}\n"),
        );
        self.ok_with(
            &[
                "token",
                "add",
                "gh-pat",
                "--header-name",
                "Authorization",
                "--prefix",
                "Bearer",
                "--value-stdin",
            ],
            TOKEN_SECRET,
        );
        self.ok(&[
            "action",
            "add",
            "github",
            "--url",
            "https://api.github.example/mcp",
            "--auth",
            "token:gh-pat",
        ]);
        self.ok(&[
            "action",
            "add",
            "hook",
            "--url",
            "https://hooks.example/x",
            "--http",
        ]);
        self.ok(&[
            "action",
            "add",
            "paused",
            "--url",
            "https://paused.example/mcp",
            "--disabled",
        ]);
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn jsonc(text: &str) -> Value {
    jsonc_parser::cst::CstRootNode::parse(text, &jsonc_parser::ParseOptions::default())
        .unwrap_or_else(|e| panic!("JSONC ({e}): {text}"))
        .to_serde_value()
        .unwrap_or(Value::Null)
}

/// (client, fixture, the servers in the file, a line that must survive the merge)
const CASES: [(&str, &str, &str, &str); 6] = [
    (
        "claude-desktop",
        "claude_desktop_config.json",
        "mcpServers",
        "\"sidebarMode\": \"chat\"",
    ),
    (
        "claude-code",
        "claude.json",
        "mcpServers",
        "\"/home/alice/src/app\": {",
    ),
    (
        "cursor",
        "cursor-mcp.json",
        "mcpServers",
        "\"args\": [\"@playwright/mcp@latest\"]",
    ),
    (
        "vscode",
        "vscode-mcp.json",
        "servers",
        "/* The Perplexity server, started with npx. */",
    ),
    (
        "windsurf",
        "windsurf-mcp_config.json",
        "mcpServers",
        "\"serverUrl\": \"https://actions.example.com/mcp/sse\"",
    ),
    (
        "codex",
        "codex-config.toml",
        "mcp_servers",
        "network_access = false # keep the sandbox offline",
    ),
];

/// The server entries of a written file, as JSON.
fn servers(client: &str, text: &str, key: &str) -> Value {
    if client != "codex" {
        return jsonc(text)[key].clone();
    }
    let doc: toml_edit::DocumentMut = text.parse().expect("valid TOML");
    let mut out = serde_json::Map::new();
    for (name, item) in doc[key].as_table_like().expect("servers table").iter() {
        let t = item.as_table_like().expect("server table");
        let mut m = serde_json::Map::new();
        for (k, v) in t.iter() {
            let v = match v.as_value() {
                Some(toml_edit::Value::String(s)) => json!(s.value()),
                Some(toml_edit::Value::Array(a)) => {
                    json!(a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>())
                }
                _ => json!(v.to_string().trim()),
            };
            m.insert(k.to_string(), v);
        }
        out.insert(name.to_string(), Value::Object(m));
    }
    Value::Object(out)
}

#[test]
fn write_merges_into_every_clients_file_keeps_a_backup_and_shows_the_commands() {
    let w = World::new();
    w.seed();
    let bin = bin();
    for (client, file, key, survivor) in CASES {
        let path = w.copy(file);
        let original = std::fs::read(&path).expect("read");
        let out = w.ok(&[
            "export",
            "--client",
            client,
            "--write",
            "--config",
            path.to_str().expect("utf8"),
        ]);
        // The commands are on stderr, exactly as the client will run them.
        for name in ["github", "linear"] {
            assert!(
                out.stderr
                    .lines()
                    .any(|l| l.trim() == format!("{bin} proxy {name}")),
                "{client}: stderr shows `{bin} proxy {name}`: {}",
                out.stderr
            );
        }
        assert!(
            out.stdout.contains("added 'github', 'linear'"),
            "{client}: {}",
            out.stdout
        );
        // The backup holds the original bytes.
        let backups: Vec<PathBuf> = files_under(w.files.path())
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{file}.patchbay-backup-")))
            })
            .collect();
        assert_eq!(backups.len(), 1, "{client}: one backup");
        let stamp = backups[0]
            .to_str()
            .and_then(|n| n.rsplit("patchbay-backup-").next())
            .expect("stamp");
        assert!(
            stamp.len() == 16 && stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T',
            "{client}: YYYYMMDDTHHMMSSZ, got {stamp}"
        );
        assert_eq!(std::fs::read(&backups[0]).expect("backup"), original);
        assert!(
            out.stdout.contains(backups[0].to_str().expect("utf8")),
            "{client}: the backup is named: {}",
            out.stdout
        );
        // The merge: both entries, every other entry, and the survivor line.
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains(survivor),
            "{client} lost {survivor:?}:\n{text}"
        );
        let before = servers(client, &String::from_utf8(original).expect("utf8"), key);
        let after = servers(client, &text, key);
        for (name, entry) in before.as_object().expect("servers") {
            assert_eq!(&after[name], entry, "{client}: {name} kept");
        }
        for name in ["github", "linear"] {
            assert_eq!(after[name]["command"], json!(bin), "{client}: {name}");
            assert_eq!(
                after[name]["args"],
                json!(["proxy", name]),
                "{client}: {name}"
            );
        }
        assert!(
            after.get("hook").is_none() && after.get("paused").is_none(),
            "{client}: HTTP and disabled actions are not exported by default"
        );

        // Again: already there, nothing written, no new backup.
        let again = w.ok(&[
            "--json",
            "export",
            "--client",
            client,
            "--write",
            "--config",
            path.to_str().expect("utf8"),
        ]);
        let r = again.json();
        assert_eq!(r["written"], false, "{client}");
        assert_eq!(r["backup"], Value::Null);
        assert_eq!(
            r["changes"],
            json!([{"name": "github", "change": "unchanged"}, {"name": "linear", "change": "unchanged"}])
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    }
}

#[test]
fn an_existing_entry_is_updated_with_a_backup_of_the_old_one() {
    let w = World::new();
    w.seed();
    let path = w.copy("cursor-mcp.json");
    let p = path.to_str().expect("utf8");
    let old = w.run_with(
        &[
            "--json", "export", "linear", "--client", "cursor", "--write", "--config", p,
        ],
        "",
        &[("PATCHBAY_EXPORT_BIN", "/usr/lib/patchbay-old/patchbay")],
    );
    assert_eq!(old.code, 0, "{}", old.stderr);
    assert_eq!(old.json()["changes"][0]["change"], "added");
    assert!(
        old.stderr
            .contains("/usr/lib/patchbay-old/patchbay proxy linear")
    );
    let r = w
        .ok(&[
            "--json", "export", "linear", "--client", "cursor", "--write", "--config", p,
        ])
        .json();
    assert_eq!(
        r["changes"],
        json!([{"name": "linear", "change": "updated"}])
    );
    assert_eq!(r["written"], true);
    let backup = r["backup"].as_str().expect("backup path");
    assert!(
        std::fs::read_to_string(backup)
            .expect("backup")
            .contains("/usr/lib/patchbay-old/patchbay")
    );
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(!text.contains("patchbay-old"), "{text}");
    assert_eq!(text.matches("\"linear\":").count(), 1, "{text}");
}

#[test]
fn json_without_write_gives_the_contract_and_the_default_file() {
    let w = World::new();
    w.seed();
    let bin = bin();
    let r = w.ok(&["--json", "export", "--client", "cursor"]).json();
    let mut keys: Vec<String> = r.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "backup", "changes", "client", "entries", "notes", "path", "snippet", "via",
            "warnings", "written"
        ]
    );
    assert_eq!(r["client"], "cursor");
    assert_eq!(r["via"], "proxy");
    assert_eq!(
        (r["notes"].clone(), r["warnings"].clone()),
        (json!([]), json!([]))
    );
    let default = w.home().join(".cursor/mcp.json");
    assert_eq!(r["path"], json!(default.to_str().expect("utf8")));
    assert_eq!(r["written"], false);
    assert_eq!(r["backup"], Value::Null);
    assert_eq!(
        r["entries"],
        json!([
            {"name": "github", "command": bin, "args": ["proxy", "github"], "url": null, "keyEnv": null},
            {"name": "linear", "command": bin, "args": ["proxy", "linear"], "url": null, "keyEnv": null},
        ])
    );
    assert_eq!(
        r["changes"],
        json!([{"name": "github", "change": "added"}, {"name": "linear", "change": "added"}])
    );
    let snippet: Value =
        serde_json::from_str(r["snippet"].as_str().expect("snippet")).expect("JSON");
    assert_eq!(snippet["mcpServers"]["linear"]["command"], json!(bin));
    assert!(!default.exists(), "nothing written without --write");

    // Human: the snippet and the file's location.
    let out = w.ok(&["export", "github", "--client", "claude-desktop"]);
    let cfg = w.home().join(".config/Claude/claude_desktop_config.json");
    assert!(
        out.stdout.contains(cfg.to_str().expect("utf8")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\"mcpServers\": {"), "{}", out.stdout);
    assert!(!out.stdout.contains("linear"), "only the named action");

    // --write to the default file: created with its folders, no backup (there was no file).
    let r = w
        .ok(&["--json", "export", "--client", "vscode", "--write"])
        .json();
    let vscode = w.home().join(".config/Code/User/mcp.json");
    assert_eq!(r["path"], json!(vscode.to_str().expect("utf8")));
    assert_eq!(
        (r["written"].clone(), r["backup"].clone()),
        (json!(true), Value::Null)
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&vscode).expect("created")).expect("json");
    assert_eq!(written["servers"]["github"]["type"], "stdio");

    // Codex follows CODEX_HOME; generic has no file.
    let codex = w.files.path().join("codex-home");
    let out = w.run_with(
        &["--json", "export", "--client", "codex"],
        "",
        &[("CODEX_HOME", codex.to_str().expect("utf8"))],
    );
    assert_eq!(
        out.json()["path"],
        json!(codex.join("config.toml").to_str().expect("utf8"))
    );
    let g = w.ok(&["--json", "export", "--client", "generic"]).json();
    assert_eq!(g["path"], Value::Null);
    assert!(
        g["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("\"mcpServers\""))
    );
}

#[test]
fn no_secret_reaches_any_output_or_file() {
    let w = World::new();
    w.seed();
    let mut seen = String::new();
    for (client, file, _, _) in CASES {
        let path = w.copy(file);
        let p = path.to_str().expect("utf8");
        for args in [
            vec!["export", "--client", client],
            vec!["--json", "export", "--client", client],
            vec!["export", "--client", client, "--write", "--config", p],
            vec![
                "--json", "export", "--client", client, "--via", "gateway", "--write", "--config",
                p,
            ],
            vec![
                "--json", "export", "linear", "github", "--client", client, "--write", "--config",
                p,
            ],
        ] {
            let out = w.ok(&args);
            seen.push_str(&out.stdout);
            seen.push_str(&out.stderr);
        }
    }
    let g = w.ok(&["--json", "export", "--client", "generic"]);
    seen.push_str(&g.stdout);
    // Each action's credentials exist: the keychain has them.
    assert!(
        w.ok(&["--json", "action", "show", "linear"]).json()["oauth"]["clientSecretSet"] == true,
        "the client secret is stored"
    );
    for secret in [TOKEN_SECRET, CLIENT_SECRET, "client-abc"] {
        assert!(!seen.contains(secret), "{secret} in an output");
        for f in files_under(w.files.path()) {
            let bytes = std::fs::read(&f).expect("read");
            assert!(
                !bytes.windows(secret.len()).any(|x| x == secret.as_bytes()),
                "{secret} in {}",
                f.display()
            );
        }
    }
    // No environment either: Claude Code's entries carry an empty env.
    let text = std::fs::read_to_string(w.files.path().join("claude.json")).expect("read");
    let v: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["mcpServers"]["linear"]["env"], json!({}));
}

#[test]
fn errors_name_what_is_wrong_and_leave_files_untouched() {
    let w = World::new();
    w.seed();
    let e = w.run(&["--json", "export", "nope", "--client", "cursor"]);
    assert_eq!(e.code, 1);
    assert_eq!(e.error()["code"], "not_found");

    let e = w.run(&["--json", "export", "hook", "--client", "cursor"]);
    assert_eq!(e.code, 1);
    assert_eq!(e.error()["code"], "invalid_input");
    assert!(
        e.error()["message"]
            .as_str()
            .is_some_and(|m| m.contains("HTTP action")),
        "{}",
        e.stderr
    );

    let e = w.run(&["export", "paused", "--client", "cursor"]);
    assert_eq!(e.code, 1);
    assert!(e.stderr.contains("'paused' is disabled"), "{}", e.stderr);
    assert!(
        e.stderr
            .contains("hint: enable it first with `patchbay action enable paused`"),
        "{}",
        e.stderr
    );

    let e = w.run(&["--json", "export", "--client", "generic", "--write"]);
    assert_eq!(
        (e.code, e.error()["code"].clone()),
        (1, json!("invalid_input"))
    );

    let e = w.run_with(
        &["--json", "export", "--client", "cursor"],
        "",
        &[("PATCHBAY_EXPORT_BIN", "bin/patchbay")],
    );
    assert_eq!(
        (e.code, e.error()["code"].clone()),
        (1, json!("invalid_input"))
    );

    let e = w.run(&["export", "--client", "emacs"]);
    assert_eq!(e.code, 2, "clap refuses an unknown client: {}", e.stderr);

    // A file that does not parse: refused with its line and column, untouched, no backup,
    // and no command shown (nothing is going to be written).
    let path = w.files.path().join("broken.json");
    let broken = "{\n  \"mcpServers\": {\n    \"x\": {\"command\": \"a\" \"args\": []}\n  }\n}\n";
    std::fs::write(&path, broken).expect("write");
    let e = w.run(&[
        "--json",
        "export",
        "--client",
        "windsurf",
        "--write",
        "--config",
        path.to_str().expect("utf8"),
    ]);
    assert_eq!(e.code, 1);
    let err = e.error();
    assert_eq!(err["code"], "invalid_input");
    let msg = err["message"].as_str().expect("message");
    assert!(
        msg.contains("line 3, column") && msg.contains("broken.json"),
        "{msg}"
    );
    assert!(!e.stderr.contains(" proxy "), "{}", e.stderr);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), broken);
    assert_eq!(
        files_under(w.files.path()).len(),
        1,
        "no backup, no temp file"
    );

    // The commands come before the write: shown even when the write then fails.
    let blocker = w.files.path().join("not-a-folder");
    std::fs::write(&blocker, "").expect("write");
    let target = blocker.join("mcp.json");
    let e = w.run(&[
        "export",
        "--client",
        "cursor",
        "--write",
        "--config",
        target.to_str().expect("utf8"),
    ]);
    assert_eq!(e.code, 1, "{}", e.stderr);
    let shown = e.stderr.find(" proxy linear").expect("command shown");
    let failed = e.stderr.find("error:").expect("then the error");
    assert!(shown < failed, "{}", e.stderr);
}

#[test]
fn the_exported_command_starts_the_proxy_of_that_action() {
    let w = World::new();
    w.ok(&["action", "add", "dead", "--url", "http://127.0.0.1:9/mcp"]);
    let r = w
        .ok(&["--json", "export", "dead", "--client", "claude-desktop"])
        .json();
    let entry = &r["entries"][0];
    let command = entry["command"].as_str().expect("command");
    assert!(Path::new(command).is_absolute(), "{command}");
    assert_eq!(command, bin());
    assert_eq!(entry["args"], json!(["proxy", "dead"]));
    // Run it as the client does: the command and its arguments, no shell.
    let args: Vec<&str> = entry["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    let mut child = StdCommand::new(command)
        .args(&args)
        .env("PATCHBAY_HOME", w.data.0.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the exported command");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "export-test", "version": "1"}}})
    )
    .expect("send initialize");
    let line = patchbay_testsupport::Lines::new(
        child.stdout.take().expect("stdout"),
        "the exported proxy command",
    )
    .next(std::time::Duration::from_secs(60));
    drop(stdin);
    patchbay_testsupport::wait_child(
        &mut child,
        std::time::Duration::from_secs(30),
        "the exported proxy command (its stdin closed)",
    );
    let reply: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    // The proxy of 'dead' answered, naming the server it could not reach.
    assert_eq!(reply["id"], 1);
    let msg = reply["error"]["message"].as_str().expect("an MCP error");
    assert!(
        msg.contains("Patchbay") && msg.contains("127.0.0.1:9"),
        "{reply}"
    );
}

// ---- --via gateway -----------------------------------------------------------------------

/// The client's own config file in the temp HOME (where export finds it without --config).
fn default_file(w: &World, client: &str) -> PathBuf {
    let home = w.home();
    match client {
        "claude-desktop" => home.join(".config/Claude/claude_desktop_config.json"),
        "claude-code" => home.join(".claude.json"),
        "cursor" => home.join(".cursor/mcp.json"),
        "vscode" => home.join(".config/Code/User/mcp.json"),
        "windsurf" => home.join(".codeium/windsurf/mcp_config.json"),
        "codex" => home.join(".codex/config.toml"),
        other => panic!("{other} has no file"),
    }
}

/// A copy of a real-world fixture as the client's own config file.
fn place(w: &World, client: &str, file: &str) -> PathBuf {
    let to = default_file(w, client);
    std::fs::create_dir_all(to.parent().expect("folder")).expect("mkdir");
    std::fs::copy(fixture(file), &to).expect("copy fixture");
    to
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What each client's file holds for a gateway URL (Codex with its key variable).
fn url_entry(client: &str, url: &str, key_env: &str) -> Value {
    match client {
        "vscode" | "claude-code" => json!({"type": "http", "url": url}),
        "cursor" => json!({"url": url}),
        "windsurf" => json!({"serverUrl": url}),
        "codex" => json!({"url": url, "bearer_token_env_var": key_env}),
        other => panic!("{other} has no URL entry"),
    }
}

const GATEWAY_OFF: &str = "the gateway is off";
const PORT: &str = "47991";

#[test]
fn via_gateway_writes_url_entries_and_takes_out_the_proxy_entries_they_replace() {
    let w = World::new();
    w.seed();
    w.ok(&["settings", "set", "gatewayPort", PORT]);
    let base = format!("http://127.0.0.1:{PORT}");
    let bin = bin();
    for (client, file, key, survivor) in CASES.into_iter().filter(|c| c.0 != "claude-desktop") {
        let path = place(&w, client, file);
        let original = read(&path);
        let key_env = if client == "codex" {
            json!("PATCHBAY_GATEWAY_KEY")
        } else {
            Value::Null
        };
        // As before the gateway: proxy entries for github and linear.
        w.ok(&["export", "--client", client, "--write"]);

        // One action through the gateway: its entry becomes a URL entry, github stays.
        let out = w.ok(&[
            "--json", "export", "linear", "--client", client, "--via", "gateway", "--write",
        ]);
        let r = out.json();
        let linear_url = format!("{base}/a/linear/mcp");
        assert_eq!(r["via"], "gateway", "{client}");
        assert_eq!(
            r["entries"],
            json!([{"name": "linear", "command": null, "args": null, "url": linear_url, "keyEnv": key_env}]),
            "{client}"
        );
        assert_eq!(
            r["changes"],
            json!([{"name": "linear", "change": "updated"}]),
            "{client}"
        );
        assert_eq!(r["written"], true);
        assert!(
            out.stderr.lines().any(|l| l.trim() == linear_url),
            "{client}: the URL is shown before writing: {}",
            out.stderr
        );
        // The gateway is off (setting off, nothing serving): said on stderr and in --json.
        assert!(
            out.stderr.contains(&format!("warning: {GATEWAY_OFF}")),
            "{client}: {}",
            out.stderr
        );
        assert_eq!(r["warnings"].as_array().map(Vec::len), Some(1), "{client}");
        assert!(
            r["warnings"][0]
                .as_str()
                .is_some_and(|w| w.contains(GATEWAY_OFF) && w.contains("patchbay gateway serve")),
            "{client}: {}",
            r["warnings"]
        );
        let after = servers(client, &read(&path), key);
        assert_eq!(
            after["linear"],
            url_entry(client, &linear_url, "PATCHBAY_GATEWAY_KEY"),
            "{client}"
        );
        assert_eq!(
            after["github"]["args"],
            json!(["proxy", "github"]),
            "{client}"
        );

        // No NAME: one `patchbay` entry for /mcp, and every proxy entry Patchbay wrote goes.
        let out = w.ok(&["export", "--client", client, "--via", "gateway", "--write"]);
        assert!(
            out.stdout.contains("added 'patchbay'; removed 'github'."),
            "{client}: {}",
            out.stdout
        );
        assert!(
            out.stderr
                .contains("and these `patchbay proxy` entries come out: 'github'"),
            "{client}: {}",
            out.stderr
        );
        let text = read(&path);
        assert!(
            text.contains(survivor),
            "{client} lost {survivor:?}:\n{text}"
        );
        assert!(
            !text.contains(&bin),
            "{client}: a proxy entry is left:\n{text}"
        );
        let after = servers(client, &text, key);
        assert_eq!(
            after["patchbay"],
            url_entry(client, &format!("{base}/mcp"), "PATCHBAY_GATEWAY_KEY"),
            "{client}"
        );
        assert!(after.get("github").is_none(), "{client}");
        assert_eq!(
            after["linear"],
            url_entry(client, &linear_url, "PATCHBAY_GATEWAY_KEY"),
            "{client}: a URL entry is not a proxy entry: it stays"
        );
        let before = servers(client, &original, key);
        for (name, entry) in before.as_object().expect("servers") {
            assert_eq!(&after[name], entry, "{client}: {name} kept");
        }

        // Again: nothing to change, nothing written.
        let r = w
            .ok(&[
                "--json", "export", "--client", client, "--via", "gateway", "--write",
            ])
            .json();
        assert_eq!(r["written"], false, "{client}");
        assert_eq!(
            r["changes"],
            json!([{"name": "patchbay", "change": "unchanged"}])
        );
        assert_eq!(read(&path), text);
    }
}

#[test]
fn without_write_the_gateway_snippet_says_what_writing_would_take_out() {
    let w = World::new();
    w.seed();
    let path = place(&w, "cursor", "cursor-mcp.json");
    w.ok(&["export", "--client", "cursor", "--write"]);
    let written = read(&path);
    let out = w.ok(&["export", "--client", "cursor", "--via", "gateway"]);
    assert!(out.stdout.contains("\"patchbay\": {"), "{}", out.stdout);
    assert!(
        out.stdout.contains(
            "Writing also takes out the `patchbay proxy` entries these replace: 'github', 'linear'."
        ),
        "{}",
        out.stdout
    );
    let r = w
        .ok(&["--json", "export", "--client", "cursor", "--via", "gateway"])
        .json();
    assert_eq!(
        r["changes"],
        json!([
            {"name": "patchbay", "change": "added"},
            {"name": "github", "change": "removed"},
            {"name": "linear", "change": "removed"},
        ])
    );
    assert_eq!(r["written"], false);
    assert_eq!(read(&path), written, "nothing written without --write");
}

#[test]
fn codex_reads_the_key_from_the_variable_named_and_export_makes_no_key() {
    let w = World::new();
    w.seed();
    let path = place(&w, "codex", "codex-config.toml");
    let out = w.ok(&[
        "--json",
        "export",
        "--client",
        "codex",
        "--via",
        "gateway",
        "--key-env",
        "CODEX_PATCHBAY_KEY",
        "--write",
    ]);
    let r = out.json();
    assert_eq!(r["entries"][0]["keyEnv"], "CODEX_PATCHBAY_KEY");
    let text = read(&path);
    assert!(
        text.contains("[mcp_servers.patchbay]\nurl = \"http://127.0.0.1:47616/mcp\"\nbearer_token_env_var = \"CODEX_PATCHBAY_KEY\"\n"),
        "{text}"
    );
    assert!(
        text.contains("network_access = false # keep the sandbox offline"),
        "{text}"
    );
    // How to get the key is said (stderr and --json); no key is made.
    let note =
        "make one with `patchbay gateway key add codex --actions '*'` and set CODEX_PATCHBAY_KEY";
    assert!(out.stderr.contains(note), "{}", out.stderr);
    assert!(
        r["notes"][0].as_str().is_some_and(|n| n.contains(note)),
        "{}",
        r["notes"]
    );
    assert_eq!(
        w.ok(&["--json", "gateway", "key", "list"]).json(),
        json!([])
    );
}

#[test]
fn claude_desktop_and_generic_keep_proxy_entries_with_a_note() {
    let w = World::new();
    w.seed();
    let bin = bin();
    let path = place(&w, "claude-desktop", "claude_desktop_config.json");
    let out = w.ok(&[
        "--json",
        "export",
        "--client",
        "claude-desktop",
        "--via",
        "gateway",
        "--write",
    ]);
    let r = out.json();
    assert_eq!(r["via"], "proxy");
    assert_eq!(r["warnings"], json!([]), "proxy entries need no gateway");
    assert!(
        out.stderr
            .contains("note: Claude Desktop does not read local URL entries"),
        "{}",
        out.stderr
    );
    assert!(
        r["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("does not read local URL entries"))
    );
    let after = servers("claude-desktop", &read(&path), "mcpServers");
    for name in ["github", "linear"] {
        assert_eq!(after[name]["command"], json!(bin));
        assert_eq!(after[name]["args"], json!(["proxy", name]));
    }
    assert!(after.get("patchbay").is_none());

    let out = w.ok(&["export", "--client", "generic", "--via", "gateway"]);
    assert!(
        out.stderr
            .contains("note: the generic snippet keeps `patchbay proxy NAME` entries")
            && out.stderr.contains("http://127.0.0.1:47616/mcp"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains(&format!("\"command\": \"{bin}\"")),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_gateway_requests_are_refused_and_change_no_file() {
    let w = World::new();
    w.seed();
    place(&w, "codex", "codex-config.toml");
    place(&w, "vscode", "vscode-mcp.json");
    w.ok(&["export", "--client", "vscode", "--write"]);
    let before = patchbay_testsupport::all_bytes(w.files.path());
    let cases: [(&[&str], i32, Option<&str>, &str); 7] = [
        (
            &[
                "export",
                "--client",
                "codex",
                "--via",
                "gateway",
                "--key-env",
                "MY-KEY",
                "--write",
            ],
            1,
            Some("invalid_input"),
            "--key-env must name an environment variable, not 'MY-KEY'",
        ),
        (
            &[
                "export",
                "--client",
                "codex",
                "--via",
                "gateway",
                "--key-env",
                "",
                "--write",
            ],
            1,
            Some("invalid_input"),
            "--key-env must name an environment variable",
        ),
        (
            &["export", "--client", "codex", "--key-env", "K", "--write"],
            1,
            Some("invalid_input"),
            "--key-env goes with --via gateway",
        ),
        (
            &[
                "export",
                "--client",
                "vscode",
                "--via",
                "gateway",
                "--key-env",
                "K",
                "--write",
            ],
            1,
            Some("invalid_input"),
            "--key-env is for Codex only",
        ),
        (
            &[
                "export", "nope", "--client", "vscode", "--via", "gateway", "--write",
            ],
            1,
            Some("not_found"),
            "nope",
        ),
        (
            &[
                "export", "paused", "--client", "vscode", "--via", "gateway", "--write",
            ],
            1,
            Some("invalid_input"),
            "patchbay action enable paused",
        ),
        (
            &["export", "--client", "vscode", "--via", "tunnel", "--write"],
            2,
            None,
            "tunnel",
        ),
    ];
    for (args, code, error, says) in cases {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let out = w.run(&with_json);
        assert_eq!(out.code, code, "{args:?}: {}", out.stderr);
        if let Some(error) = error {
            assert_eq!(out.error()["code"], error, "{args:?}");
        }
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert!(
            !out.stderr.contains("will connect to"),
            "{args:?}: nothing announced: {}",
            out.stderr
        );
        assert_eq!(
            patchbay_testsupport::all_bytes(w.files.path()),
            before,
            "{args:?}: no file changed, no backup"
        );
    }
}

/// `patchbay gateway serve --port 0` on the world's profile, stopped on drop.
struct Serving {
    child: std::process::Child,
    url: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        patchbay_testsupport::stop(&mut self.child, std::time::Duration::from_secs(10));
    }
}

fn serve(w: &World) -> Serving {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("patchbay"))
        .args(["gateway", "serve", "--port", "0"])
        .env("PATCHBAY_HOME", w.data.0.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gateway serve");
    let url = patchbay_testsupport::Lines::new(
        child.stdout.take().expect("stdout"),
        "patchbay gateway serve",
    )
    .next(std::time::Duration::from_secs(30))
    .trim()
    .to_string();
    Serving { child, url }
}

/// An MCP `initialize` to `url`, as a client sends it: the HTTP status and the body.
fn initialize(url: &str, key: Option<&str>) -> (u16, String, String) {
    let mut req = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "export-test", "version": "1"}}}),
        );
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    let res = req.send().expect("the gateway answers");
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, challenge, res.text().unwrap_or_default())
}

#[test]
fn the_exported_urls_reach_the_running_gateway() {
    let w = World::new();
    w.ok(&["action", "add", "dead", "--url", "http://127.0.0.1:9/mcp"]);
    let gateway = serve(&w);

    // Codex: the entry's URL, with the key from the variable it names.
    let r = w
        .ok(&[
            "--json", "export", "dead", "--client", "codex", "--via", "gateway", "--write",
        ])
        .json();
    assert_eq!(r["warnings"], json!([]), "the gateway runs: no warning");
    let written = read(&default_file(&w, "codex"));
    let doc: toml_edit::DocumentMut = written.parse().expect("TOML");
    let entry = &doc["mcp_servers"]["dead"];
    let url = entry["url"].as_str().expect("url");
    assert_eq!(
        url,
        gateway.url.replace("/mcp", "/a/dead/mcp"),
        "the serving port"
    );
    assert_eq!(
        entry["bearer_token_env_var"].as_str(),
        Some("PATCHBAY_GATEWAY_KEY")
    );
    let key = w
        .ok(&["gateway", "key", "add", "codex", "--actions", "dead"])
        .stdout
        .trim()
        .to_string();
    let (status, _, body) = initialize(url, Some(&key));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"serverInfo\""), "{body}");

    // VS Code: the /mcp entry, no key; the gateway sends it to sign in (RFC 9728).
    let r = w
        .ok(&[
            "--json", "export", "--client", "vscode", "--via", "gateway", "--write",
        ])
        .json();
    assert_eq!(r["entries"][0]["url"], json!(gateway.url));
    let v: Value = serde_json::from_str(&read(&default_file(&w, "vscode"))).expect("JSON");
    assert_eq!(
        v["servers"]["patchbay"],
        json!({"type": "http", "url": gateway.url})
    );
    let (status, challenge, _) = initialize(&gateway.url, None);
    assert_eq!(status, 401);
    assert!(challenge.contains("resource_metadata="), "{challenge}");

    // The key is in no file export wrote.
    for (file, bytes) in patchbay_testsupport::all_bytes(w.files.path()) {
        assert!(
            !patchbay_testsupport::contains(&bytes, &key),
            "the key is in {file}"
        );
    }
}
