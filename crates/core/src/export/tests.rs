use super::merge::json_options;
use super::*;
use crate::ErrorCode;
use serde_json::{Value, json};
use time::macros::datetime;

const BIN: &str = "/opt/patchbay/bin/patchbay";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// A proxy export's plan (nothing to take out), `config` or the client's own file.
fn proxy_plan(
    client: ExportClient,
    entries: Vec<ExportEntry>,
    config: Option<PathBuf>,
    write: bool,
) -> Result<ExportPlan> {
    plan(client, entries, Sweep::Nothing, config, None, write)
}

fn two() -> Vec<ExportEntry> {
    entries(Path::new(BIN), &["linear".into(), "github".into()]).expect("entries")
}

/// JSONC text → JSON value (comments and trailing commas allowed).
fn jsonc(text: &str) -> Value {
    CstRootNode::parse(text, &json_options())
        .expect("parses as JSONC")
        .to_serde_value()
        .unwrap_or(Value::Null)
}

fn changes(m: &Merged) -> Vec<(&str, ChangeKind)> {
    m.changes
        .iter()
        .map(|c| (c.name.as_str(), c.change))
        .collect()
}

#[test]
fn entries_run_the_proxy_by_absolute_path() {
    let e = two();
    assert_eq!(e[0].command.as_deref(), Some(BIN));
    assert_eq!(e[0].args, Some(vec!["proxy".to_string(), "linear".into()]));
    assert_eq!(e[0].url, None);
    assert_eq!(e[1].target(), format!("{BIN} proxy github"));
}

#[test]
fn snippets_have_each_clients_shape() {
    let e = two();
    let plain = json!({"command": BIN, "args": ["proxy", "linear"]});
    for (client, key, entry) in [
        (ExportClient::ClaudeDesktop, "mcpServers", plain.clone()),
        (ExportClient::Cursor, "mcpServers", plain.clone()),
        (ExportClient::Windsurf, "mcpServers", plain.clone()),
        (ExportClient::Generic, "mcpServers", plain.clone()),
        (
            ExportClient::ClaudeCode,
            "mcpServers",
            json!({"type": "stdio", "command": BIN, "args": ["proxy", "linear"], "env": {}}),
        ),
        (
            ExportClient::Vscode,
            "servers",
            json!({"type": "stdio", "command": BIN, "args": ["proxy", "linear"]}),
        ),
    ] {
        let s = snippet(client, &e);
        // Plain JSON, pasteable anywhere.
        let v: Value = serde_json::from_str(&s)
            .unwrap_or_else(|err| panic!("{client:?} snippet is JSON ({err}): {s}"));
        assert_eq!(v.as_object().map(|o| o.len()), Some(1), "{s}");
        assert_eq!(v[key]["linear"], entry, "{client:?}: {s}");
        assert_eq!(v[key]["github"]["args"], json!(["proxy", "github"]));
        assert!(s.ends_with("}\n"), "{s:?}");
    }
    // The type comes first, as the clients' documentation writes it.
    let code = snippet(ExportClient::ClaudeCode, &e);
    assert!(
        code.find("\"type\"") < code.find("\"command\""),
        "type before command: {code}"
    );

    let toml = snippet(ExportClient::Codex, &e);
    assert_eq!(
        toml,
        format!(
            "[mcp_servers.linear]\ncommand = \"{BIN}\"\nargs = [\"proxy\", \"linear\"]\n\n[mcp_servers.github]\ncommand = \"{BIN}\"\nargs = [\"proxy\", \"github\"]\n"
        )
    );
}

#[test]
fn claude_desktop_merge_keeps_other_servers_and_preferences() {
    let text = fixture("claude_desktop_config.json");
    let m = merge(
        ExportClient::ClaudeDesktop,
        &text,
        &two(),
        &Sweep::Nothing,
        "f",
    )
    .expect("merge");
    assert_eq!(
        changes(&m),
        vec![("linear", ChangeKind::Added), ("github", ChangeKind::Added)]
    );
    let before: Value = serde_json::from_str(&text).expect("json");
    let after: Value = serde_json::from_str(&m.text).expect("still plain JSON");
    assert_eq!(after["preferences"], before["preferences"]);
    assert_eq!(
        after["mcpServers"]["filesystem"],
        before["mcpServers"]["filesystem"]
    );
    assert_eq!(
        after["mcpServers"]["linear"],
        json!({"command": BIN, "args": ["proxy", "linear"]})
    );
    // The untouched part of the file is byte for byte the same.
    let head = &text[..text.find("    }\n  },").expect("end of filesystem")];
    assert!(m.text.starts_with(head), "{}", m.text);
    assert!(
        m.text
            .contains("\n  \"preferences\": {\n    \"sidebarMode\": \"chat\",")
    );
}

#[test]
fn vscode_merge_keeps_comments_trailing_commas_and_inputs() {
    let text = fixture("vscode-mcp.json");
    let m = merge(ExportClient::Vscode, &text, &two(), &Sweep::Nothing, "f").expect("merge");
    for kept in [
        "// Inputs are prompted on first start and stored securely by VS Code.",
        "/* The Perplexity server, started with npx. */",
        "// A remote server.",
        "\"PERPLEXITY_API_KEY\": \"${input:perplexity-key}\"",
    ] {
        assert!(m.text.contains(kept), "lost {kept:?}:\n{}", m.text);
    }
    let after = jsonc(&m.text);
    let before = jsonc(&text);
    assert_eq!(after["inputs"], before["inputs"]);
    assert_eq!(
        after["servers"]["Perplexity"],
        before["servers"]["Perplexity"]
    );
    assert_eq!(after["servers"]["fetch"], before["servers"]["fetch"]);
    assert_eq!(
        after["servers"]["github"],
        json!({"type": "stdio", "command": BIN, "args": ["proxy", "github"]})
    );
    // The file's trailing-comma style goes on.
    assert!(m.text.trim_end().ends_with("},\n  },\n}"), "{}", m.text);
}

#[test]
fn cursor_and_windsurf_merges_keep_every_other_entry() {
    for (client, file) in [
        (ExportClient::Cursor, "cursor-mcp.json"),
        (ExportClient::Windsurf, "windsurf-mcp_config.json"),
    ] {
        let text = fixture(file);
        let m = merge(client, &text, &two(), &Sweep::Nothing, file).expect("merge");
        let before: Value = serde_json::from_str(&text).expect("json");
        let after: Value = serde_json::from_str(&m.text).expect("json");
        let servers = after["mcpServers"].as_object().expect("servers");
        for (name, entry) in before["mcpServers"].as_object().expect("servers") {
            assert_eq!(&servers[name], entry, "{file}: {name}");
        }
        assert_eq!(
            servers.len(),
            before["mcpServers"].as_object().map_or(0, |o| o.len()) + 2
        );
        assert_eq!(
            servers["linear"],
            json!({"command": BIN, "args": ["proxy", "linear"]})
        );
    }
}

#[test]
fn claude_code_merge_writes_the_user_scope_and_keeps_projects() {
    let text = fixture("claude.json");
    let m = merge(
        ExportClient::ClaudeCode,
        &text,
        &two(),
        &Sweep::Nothing,
        "f",
    )
    .expect("merge");
    let before: Value = serde_json::from_str(&text).expect("json");
    let after: Value = serde_json::from_str(&m.text).expect("json");
    for key in ["numStartups", "projects", "tipsHistory", "userID", "theme"] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(
        after["mcpServers"]["linear"],
        json!({"type": "stdio", "command": BIN, "args": ["proxy", "linear"], "env": {}})
    );
    assert_eq!(
        after["mcpServers"]["sequential-thinking"],
        before["mcpServers"]["sequential-thinking"]
    );
    // Not into a project's servers.
    assert_eq!(
        after["projects"]["/home/alice/src/app"]["mcpServers"]
            .as_object()
            .map(|o| o.len()),
        Some(1)
    );
}

#[test]
fn codex_merge_keeps_comments_tables_and_settings() {
    let text = fixture("codex-config.toml");
    let m = merge(ExportClient::Codex, &text, &two(), &Sweep::Nothing, "f").expect("merge");
    assert_eq!(
        changes(&m),
        vec![("linear", ChangeKind::Added), ("github", ChangeKind::Added)]
    );
    for kept in [
        "# Codex settings, edited by hand.\nmodel = \"gpt-5-codex\"",
        "network_access = false # keep the sandbox offline",
        "# Documentation lookups.\n[mcp_servers.context7]",
        "[mcp_servers.context7.env]\nLOG_LEVEL = \"warn\"",
        "# Figma, through its desktop app.\n[mcp_servers.figma]",
        "[profiles.deep]\nmodel = \"gpt-5-codex\"\nmodel_reasoning_effort = \"high\"",
    ] {
        assert!(m.text.contains(kept), "lost {kept:?}:\n{}", m.text);
    }
    let doc: toml_edit::DocumentMut = m.text.parse().expect("valid TOML");
    assert_eq!(doc["mcp_servers"]["linear"]["command"].as_str(), Some(BIN));
    assert_eq!(
        doc["mcp_servers"]["github"]["args"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>()),
        Some(vec!["proxy", "github"])
    );
    // New servers go with the other servers, before the unrelated tables.
    let pos = |s: &str| m.text.find(s).unwrap_or_else(|| panic!("{s}: {}", m.text));
    assert!(pos("[mcp_servers.figma]") < pos("[mcp_servers.linear]"));
    assert!(
        pos("[mcp_servers.github]") < pos("[profiles.deep]"),
        "{}",
        m.text
    );
}

#[test]
fn an_existing_entry_is_updated_and_a_second_run_changes_nothing() {
    let old = entries(Path::new("/usr/old/patchbay"), &["linear".into()]).expect("old");
    for (client, file) in [
        (ExportClient::ClaudeDesktop, "claude_desktop_config.json"),
        (ExportClient::ClaudeCode, "claude.json"),
        (ExportClient::Cursor, "cursor-mcp.json"),
        (ExportClient::Vscode, "vscode-mcp.json"),
        (ExportClient::Windsurf, "windsurf-mcp_config.json"),
        (ExportClient::Codex, "codex-config.toml"),
    ] {
        let first = merge(client, &fixture(file), &old, &Sweep::Nothing, file).expect("first");
        let second = merge(client, &first.text, &two(), &Sweep::Nothing, file).expect("second");
        assert_eq!(
            changes(&second),
            vec![
                ("linear", ChangeKind::Updated),
                ("github", ChangeKind::Added)
            ],
            "{file}"
        );
        assert!(
            !second.text.contains("/usr/old/patchbay"),
            "{file}: {}",
            second.text
        );
        assert_eq!(
            second.text.matches("\"linear\":").count() + second.text.matches(".linear]").count(),
            1,
            "{file}: one linear entry\n{}",
            second.text
        );
        let third = merge(client, &second.text, &two(), &Sweep::Nothing, file).expect("third");
        assert_eq!(
            changes(&third),
            vec![
                ("linear", ChangeKind::Unchanged),
                ("github", ChangeKind::Unchanged)
            ],
            "{file}"
        );
        assert_eq!(third.text, second.text, "{file}: nothing to change");
    }
}

#[test]
fn an_updated_codex_table_keeps_its_place_and_comment() {
    let text = "# mine\n[mcp_servers.linear]\ncommand = \"old\"\nargs = []\nenabled = false\n\n[other]\nx = 1\n";
    let m = merge(ExportClient::Codex, text, &two()[..1], &Sweep::Nothing, "f").expect("merge");
    assert_eq!(
        m.text,
        format!(
            "# mine\n[mcp_servers.linear]\ncommand = \"{BIN}\"\nargs = [\"proxy\", \"linear\"]\n\n[other]\nx = 1\n"
        )
    );
}

#[test]
fn unparseable_files_are_refused_with_line_and_column() {
    let bad_json =
        "{\n  \"mcpServers\": {\n    \"x\": { \"command\": \"a\" \"args\": [] }\n  }\n}\n";
    let e = merge(
        ExportClient::Cursor,
        bad_json,
        &two(),
        &Sweep::Nothing,
        "/tmp/mcp.json",
    )
    .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let msg = e.to_string();
    assert!(
        msg.contains("/tmp/mcp.json") && msg.contains("line 3, column"),
        "{msg}"
    );
    assert!(msg.contains("left untouched"), "{msg}");

    let bad_toml = "model = \"x\"\n[mcp_servers.a\ncommand = \"b\"\n";
    let e = merge(
        ExportClient::Codex,
        bad_toml,
        &two(),
        &Sweep::Nothing,
        "config.toml",
    )
    .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("line 2, column"), "{e}");

    for (client, text, what) in [
        (ExportClient::ClaudeDesktop, "[1, 2]", "top level"),
        (
            ExportClient::ClaudeDesktop,
            "{\"mcpServers\": 3}",
            "\"mcpServers\" is not an object",
        ),
        (
            ExportClient::Vscode,
            "{\"servers\": []}",
            "\"servers\" is not an object",
        ),
        (
            ExportClient::Codex,
            "mcp_servers = 3\n",
            "\"mcp_servers\" is not a table",
        ),
    ] {
        let e = merge(client, text, &two(), &Sweep::Nothing, "f").expect_err(text);
        assert!(e.to_string().contains(what), "{text}: {e}");
    }
}

#[test]
fn empty_files_and_inline_tables_are_merged() {
    let m = merge(ExportClient::Cursor, "  \n", &two(), &Sweep::Nothing, "f").expect("merge");
    assert_eq!(
        serde_json::from_str::<Value>(&m.text).expect("json")["mcpServers"]["linear"]["args"],
        json!(["proxy", "linear"])
    );
    let m = merge(
        ExportClient::Codex,
        "mcp_servers = { other = { command = \"x\" } }\n",
        &two()[..1],
        &Sweep::Nothing,
        "f",
    )
    .expect("merge");
    let doc: toml_edit::DocumentMut = m.text.parse().expect("toml");
    assert_eq!(doc["mcp_servers"]["other"]["command"].as_str(), Some("x"));
    assert_eq!(doc["mcp_servers"]["linear"]["command"].as_str(), Some(BIN));
}

#[test]
fn a_byte_order_mark_is_kept() {
    for (client, text) in [
        (ExportClient::Vscode, "\u{feff}{\n  \"servers\": {}\n}\n"),
        (ExportClient::Codex, "\u{feff}model = \"x\"\n"),
    ] {
        let m = merge(client, text, &two(), &Sweep::Nothing, "f").expect("merge");
        assert!(m.text.starts_with('\u{feff}'), "{client:?}");
        assert_eq!(m.text.matches('\u{feff}').count(), 1);
        assert!(m.text.contains("linear"));
    }
}

#[test]
fn default_paths_follow_the_clients_documentation() {
    let dirs = ConfigDirs {
        home: PathBuf::from("/home/u"),
        config: PathBuf::from("/home/u/.config"),
        codex_home: None,
    };
    let p = |c: ExportClient| default_path(c, &dirs).map(|p| p.display().to_string());
    assert_eq!(
        p(ExportClient::ClaudeDesktop).as_deref(),
        Some("/home/u/.config/Claude/claude_desktop_config.json")
    );
    assert_eq!(
        p(ExportClient::ClaudeCode).as_deref(),
        Some("/home/u/.claude.json")
    );
    assert_eq!(
        p(ExportClient::Cursor).as_deref(),
        Some("/home/u/.cursor/mcp.json")
    );
    assert_eq!(
        p(ExportClient::Vscode).as_deref(),
        Some("/home/u/.config/Code/User/mcp.json")
    );
    assert_eq!(
        p(ExportClient::Windsurf).as_deref(),
        Some("/home/u/.codeium/windsurf/mcp_config.json")
    );
    assert_eq!(
        p(ExportClient::Codex).as_deref(),
        Some("/home/u/.codex/config.toml")
    );
    assert_eq!(p(ExportClient::Generic), None);
    let mac = ConfigDirs {
        home: PathBuf::from("/Users/u"),
        config: PathBuf::from("/Users/u/Library/Application Support"),
        codex_home: Some(PathBuf::from("/Users/u/codex")),
    };
    assert_eq!(
        default_path(ExportClient::ClaudeDesktop, &mac),
        Some(PathBuf::from(
            "/Users/u/Library/Application Support/Claude/claude_desktop_config.json"
        ))
    );
    assert_eq!(
        default_path(ExportClient::Codex, &mac),
        Some(PathBuf::from("/Users/u/codex/config.toml"))
    );
    for c in ExportClient::ALL {
        assert_eq!(parse_client(c.as_str()).expect("parses"), c);
    }
    assert!(parse_client("emacs").is_err());
}

#[test]
fn the_binary_is_absolute() {
    let e = resolve_binary(Some("patchbay".into()), Ok(PathBuf::from("/x")))
        .expect_err("relative refused");
    assert!(e.to_string().contains(BIN_ENV), "{e}");
    assert_eq!(
        resolve_binary(Some(BIN.into()), Err(std::io::Error::other("unused"))).expect("abs"),
        PathBuf::from(BIN)
    );
    let exe = std::env::current_exe().expect("exe");
    let resolved = resolve_binary(None, Ok(exe.clone())).expect("current exe");
    assert!(resolved.is_absolute());
    assert_eq!(resolved, exe.canonicalize().expect("canonical"));
}

const NOW: OffsetDateTime = datetime!(2026-11-24 08:30:05 UTC);

#[test]
fn write_keeps_a_backup_and_the_permissions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("claude_desktop_config.json");
    let original = fixture("claude_desktop_config.json");
    fs::write(&path, &original).expect("write fixture");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let p = proxy_plan(ExportClient::ClaudeDesktop, two(), Some(path.clone()), true).expect("plan");
    assert_eq!(p.changes.len(), 2);
    let r = write(&p, NOW).expect("write");
    assert!(r.written);
    let backup = dir
        .path()
        .join("claude_desktop_config.json.patchbay-backup-20261124T083005Z");
    assert_eq!(r.backup.as_deref(), Some(backup.to_str().expect("utf8")));
    assert_eq!(fs::read_to_string(&backup).expect("backup"), original);
    let after: Value =
        serde_json::from_str(&fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(
        after["mcpServers"]["github"]["args"],
        json!(["proxy", "github"])
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o640);
        assert_eq!(mode(&backup), 0o640);
    }
    // Nothing else is left in the folder (no temporary file).
    assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 2);

    // Again in the same second: nothing changes, nothing is written, no new backup.
    let r = write(&p, NOW).expect("write again");
    assert!(!r.written && r.backup.is_none());
    assert!(r.changes.iter().all(|c| c.change == ChangeKind::Unchanged));
    assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 2);

    // A change in the same second gets a backup name of its own.
    let more = entries(Path::new(BIN), &["extra".into()]).expect("entries");
    let p2 = proxy_plan(ExportClient::ClaudeDesktop, more, Some(path.clone()), true).expect("plan");
    let r = write(&p2, NOW).expect("write");
    assert!(r.backup.is_some_and(|b| b.ends_with("-20261124T083005Z-2")));
}

#[test]
fn write_creates_a_new_file_and_its_folders_without_a_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a/b/config.toml");
    let p = proxy_plan(ExportClient::Codex, two(), Some(path.clone()), true).expect("plan");
    let r = write(&p, NOW).expect("write");
    assert!(r.written && r.backup.is_none());
    assert_eq!(fs::read_to_string(&path).expect("read"), p.snippet);
    assert_eq!(
        fs::read_dir(path.parent().expect("dir"))
            .expect("ls")
            .count(),
        1
    );
}

#[cfg(unix)]
#[test]
fn write_through_a_symlink_replaces_the_linked_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("dotfiles-mcp.json");
    fs::write(&real, "{}\n").expect("write");
    let link = dir.path().join("mcp.json");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let p = proxy_plan(ExportClient::Cursor, two(), Some(link.clone()), true).expect("plan");
    write(&p, NOW).expect("write");
    assert!(
        fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    let v: Value = serde_json::from_str(&fs::read_to_string(&real).expect("read")).expect("json");
    assert_eq!(v["mcpServers"]["linear"]["command"], BIN);
}

#[test]
fn an_unparseable_file_is_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mcp.json");
    let bad = "{ \"servers\": { // unterminated\n";
    fs::write(&path, bad).expect("write");
    let e = proxy_plan(ExportClient::Vscode, two(), Some(path.clone()), true)
        .expect_err("refused before anything is shown");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("line "), "{e}");
    // Without --write the snippet is still given, with the problem.
    let p = proxy_plan(ExportClient::Vscode, two(), Some(path.clone()), false).expect("plan");
    assert!(p.changes.is_empty() && p.problem.is_some());
    // The file changed into garbage after planning: write refuses it too.
    let e = write(&p, NOW).expect_err("refused");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(fs::read_to_string(&path).expect("read"), bad);
    assert_eq!(
        fs::read_dir(dir.path()).expect("ls").count(),
        1,
        "no backup"
    );
}

#[test]
fn generic_has_no_file() {
    let p = proxy_plan(ExportClient::Generic, two(), None, false).expect("plan");
    assert_eq!(p.path, None);
    assert_eq!(p.report().path, None);
    for (config, write) in [(None, true), (Some(PathBuf::from("/tmp/x.json")), false)] {
        let e = proxy_plan(ExportClient::Generic, two(), config, write).expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("generic"), "{e}");
    }
}

#[test]
fn the_report_has_the_contract_keys() {
    let p = proxy_plan(ExportClient::Generic, two(), None, false).expect("plan");
    let v = serde_json::to_value(p.report()).expect("json");
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            "backup", "changes", "client", "entries", "notes", "path", "snippet", "via",
            "warnings", "written"
        ]
    );
    assert_eq!(v["client"], "generic");
    assert_eq!(v["via"], "proxy");
    assert_eq!(
        v["entries"][0],
        json!({"name": "linear", "command": BIN, "args": ["proxy", "linear"], "url": null, "keyEnv": null})
    );
}

/// A profile in a temporary folder (the folder goes with it).
struct Profile {
    pb: Patchbay,
    _dir: tempfile::TempDir,
}

fn profile() -> Profile {
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = Patchbay::open(dir.path()).expect("open");
    Profile { pb, _dir: dir }
}

/// An action with no authentication: MCP or HTTP, enabled or not.
fn add_action(pb: &Patchbay, name: &str, http: bool, disabled: bool) {
    use crate::actions::{HttpInput, NewAction};
    pb.add_action(NewAction {
        name: name.into(),
        url: "https://mcp.example.com/mcp".into(),
        http: http.then(HttpInput::default),
        auth: Some(crate::model::AuthSpec::None),
        disabled,
        ..Default::default()
    })
    .expect("add");
}

#[test]
fn export_names_checks_each_action() {
    let Profile { pb, _dir } = profile();
    let add = |name: &str, http: bool, disabled: bool| add_action(&pb, name, http, disabled);
    add("Zeta", false, false);
    add("alpha", false, false);
    add("hook", true, false);
    add("off", false, true);
    assert_eq!(pb.export_names(&[]).expect("all"), vec!["alpha", "Zeta"]);
    assert_eq!(
        pb.export_names(&["zeta".into(), "ZETA".into()])
            .expect("named"),
        vec!["Zeta"]
    );
    let e = pb.export_names(&["nope".into()]).expect_err("unknown");
    assert_eq!(e.code(), ErrorCode::NotFound);
    let e = pb.export_names(&["hook".into()]).expect_err("http");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("HTTP action"), "{e}");
    let e = pb.export_names(&["off".into()]).expect_err("disabled");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(
        e.hint()
            .is_some_and(|h| h.contains("patchbay action enable off"))
    );
}

const ISSUER: &str = "http://127.0.0.1:47616";

/// URL entries for linear and github, as `--via gateway linear github` makes them.
fn two_urls(key_env: Option<&str>) -> Vec<ExportEntry> {
    gateway_entries(ISSUER, &["linear".into(), "github".into()], key_env)
}

#[test]
fn gateway_entries_are_one_for_mcp_or_one_per_action() {
    let all = gateway_entries(ISSUER, &[], None);
    assert_eq!(
        all,
        vec![ExportEntry {
            name: "patchbay".into(),
            command: None,
            args: None,
            url: Some(format!("{ISSUER}/mcp")),
            key_env: None,
        }]
    );
    assert_eq!(all[0].target(), format!("{ISSUER}/mcp"));
    let each = two_urls(Some("MY_KEY"));
    assert_eq!(
        each.iter()
            .map(|e| (e.name.as_str(), e.url.as_deref(), e.key_env.as_deref()))
            .collect::<Vec<_>>(),
        vec![
            (
                "linear",
                Some("http://127.0.0.1:47616/a/linear/mcp"),
                Some("MY_KEY")
            ),
            (
                "github",
                Some("http://127.0.0.1:47616/a/github/mcp"),
                Some("MY_KEY")
            ),
        ]
    );
    let v = serde_json::to_value(&each[0]).expect("json");
    assert_eq!(v["command"], Value::Null);
    assert_eq!(v["args"], Value::Null);
    assert_eq!(v["url"], "http://127.0.0.1:47616/a/linear/mcp");
}

#[test]
fn url_snippets_have_each_clients_shape() {
    let e = two_urls(None);
    let url = format!("{ISSUER}/a/linear/mcp");
    for (client, key, entry) in [
        (
            ExportClient::Vscode,
            "servers",
            json!({"type": "http", "url": url}),
        ),
        (
            ExportClient::ClaudeCode,
            "mcpServers",
            json!({"type": "http", "url": url}),
        ),
        (ExportClient::Cursor, "mcpServers", json!({"url": url})),
        (
            ExportClient::Windsurf,
            "mcpServers",
            json!({"serverUrl": url}),
        ),
    ] {
        let s = snippet(client, &e);
        let v: Value = serde_json::from_str(&s)
            .unwrap_or_else(|err| panic!("{client:?} snippet is JSON ({err}): {s}"));
        assert_eq!(v[key]["linear"], entry, "{client:?}: {s}");
        assert!(!s.contains("command") && !s.contains("proxy"), "{s}");
    }
    let vscode = snippet(ExportClient::Vscode, &e);
    assert!(
        vscode.find("\"type\"") < vscode.find("\"url\""),
        "type before url: {vscode}"
    );
    let toml = snippet(ExportClient::Codex, &two_urls(Some(DEFAULT_KEY_ENV)));
    assert_eq!(
        toml,
        format!(
            "[mcp_servers.linear]\nurl = \"{ISSUER}/a/linear/mcp\"\nbearer_token_env_var = \"{DEFAULT_KEY_ENV}\"\n\n[mcp_servers.github]\nurl = \"{ISSUER}/a/github/mcp\"\nbearer_token_env_var = \"{DEFAULT_KEY_ENV}\"\n"
        )
    );
}

/// The URL clients and a fixture of each.
const URL_CLIENTS: [(ExportClient, &str); 5] = [
    (ExportClient::ClaudeCode, "claude.json"),
    (ExportClient::Cursor, "cursor-mcp.json"),
    (ExportClient::Vscode, "vscode-mcp.json"),
    (ExportClient::Windsurf, "windsurf-mcp_config.json"),
    (ExportClient::Codex, "codex-config.toml"),
];

/// The entries of a file's servers key, JSON or TOML, as JSON.
fn servers_of(client: ExportClient, text: &str) -> serde_json::Map<String, Value> {
    let v = if client == ExportClient::Codex {
        let doc: toml_edit::DocumentMut = text.parse().expect("TOML");
        let mut m = serde_json::Map::new();
        for (k, item) in doc["mcp_servers"].as_table_like().expect("servers").iter() {
            let t = item.as_table_like().expect("table");
            let mut e = serde_json::Map::new();
            for (f, v) in t.iter() {
                let v = match v.as_value() {
                    Some(v) if v.as_str().is_some() => json!(v.as_str()),
                    Some(v) if v.as_array().is_some() => json!(
                        v.as_array()
                            .expect("array")
                            .iter()
                            .filter_map(|x| x.as_str())
                            .collect::<Vec<_>>()
                    ),
                    _ => json!("other"),
                };
                e.insert(f.to_string(), v);
            }
            m.insert(k.to_string(), Value::Object(e));
        }
        return m;
    } else {
        jsonc(text)[client.servers_key()].clone()
    };
    v.as_object().expect("servers object").clone()
}

#[test]
fn a_gateway_merge_takes_out_the_proxy_entries_it_replaces_and_nothing_else() {
    // A proxy export of linear, github and old (an action since deleted) came first, from
    // an older install; then a look-alike that is not Patchbay's.
    let mut proxied = two();
    proxied.extend(entries(Path::new("/usr/old/patchbay"), &["old".into()]).expect("old"));
    let mut lookalike = ExportEntry::proxy("other", "/usr/bin/notpatchbay");
    lookalike.args = Some(vec!["proxy".into(), "linear".into()]);
    proxied.push(lookalike);
    let mut copy = ExportEntry::proxy("linear-copy", "/opt/x/patchbay");
    copy.args = Some(vec!["proxy".into(), "Linear".into()]);
    proxied.push(copy);
    for (client, file) in URL_CLIENTS {
        let before = merge(client, &fixture(file), &proxied, &Sweep::Nothing, file)
            .expect("proxy export")
            .text;
        let theirs: Vec<String> = servers_of(client, &fixture(file)).keys().cloned().collect();

        // One action: its entry becomes a URL entry in place, its copy under another name
        // comes out; the others stay.
        let linear = gateway_entries(ISSUER, &["linear".into()], None);
        let m = merge(
            client,
            &before,
            &linear,
            &Sweep::Actions(vec!["LINEAR".into()]),
            file,
        )
        .expect("gateway linear");
        assert_eq!(
            changes(&m),
            vec![
                ("linear", ChangeKind::Updated),
                ("linear-copy", ChangeKind::Removed)
            ],
            "{file}"
        );
        let after = servers_of(client, &m.text);
        assert!(
            after.contains_key("github") && after.contains_key("old"),
            "{file}"
        );

        // Every action (/mcp): every patchbay proxy entry comes out, whatever its folder;
        // the look-alike and the client's own servers stay.
        let all = gateway_entries(ISSUER, &[], None);
        let m = merge(client, &m.text, &all, &Sweep::Every, file).expect("gateway all");
        assert_eq!(
            changes(&m),
            vec![
                ("patchbay", ChangeKind::Added),
                ("github", ChangeKind::Removed),
                ("old", ChangeKind::Removed),
            ],
            "{file}: linear is a URL entry now, not a proxy entry"
        );
        let after = servers_of(client, &m.text);
        let mut names: Vec<&str> = after.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut want: Vec<&str> = theirs.iter().map(String::as_str).collect();
        want.extend(["linear", "other", "patchbay"]);
        want.sort_unstable();
        assert_eq!(names, want, "{file}:\n{}", m.text);
        assert!(!m.text.contains("/usr/old/patchbay"), "{file}");
        assert!(m.text.contains("/usr/bin/notpatchbay"), "{file}");
        // A file in plain JSON stays plain JSON (no comma left behind).
        if serde_json::from_str::<Value>(&fixture(file)).is_ok() {
            serde_json::from_str::<Value>(&m.text)
                .unwrap_or_else(|e| panic!("{file} is no longer plain JSON ({e}):\n{}", m.text));
        }

        // Again: nothing to change.
        let again = merge(client, &m.text, &all, &Sweep::Every, file).expect("again");
        assert_eq!(changes(&again), vec![("patchbay", ChangeKind::Unchanged)]);
        assert_eq!(again.text, m.text, "{file}");
    }
}

#[test]
fn taking_entries_out_keeps_comments_and_valid_files() {
    let text = fixture("vscode-mcp.json");
    let with_proxy = merge(ExportClient::Vscode, &text, &two(), &Sweep::Nothing, "f")
        .expect("proxy")
        .text;
    let m = merge(
        ExportClient::Vscode,
        &with_proxy,
        &gateway_entries(ISSUER, &[], None),
        &Sweep::Every,
        "f",
    )
    .expect("gateway");
    for kept in [
        "// Inputs are prompted on first start",
        "/* The Perplexity server, started with npx. */",
        "// A remote server.",
    ] {
        assert!(m.text.contains(kept), "{kept}:\n{}", m.text);
    }
    let v = jsonc(&m.text);
    assert_eq!(
        v["servers"]["patchbay"],
        json!({"type": "http", "url": format!("{ISSUER}/mcp")})
    );
    assert!(v["servers"].get("linear").is_none() && v["servers"].get("github").is_none());
    assert_eq!(v["inputs"], jsonc(&text)["inputs"]);

    // Codex: the tables go, with the comment and settings of the others kept.
    let text = fixture("codex-config.toml");
    let with_proxy = merge(ExportClient::Codex, &text, &two(), &Sweep::Nothing, "f")
        .expect("proxy")
        .text;
    let m = merge(
        ExportClient::Codex,
        &with_proxy,
        &two_urls(Some("K")),
        &Sweep::Actions(vec!["linear".into(), "github".into()]),
        "f",
    )
    .expect("gateway");
    assert_eq!(
        changes(&m),
        vec![
            ("linear", ChangeKind::Updated),
            ("github", ChangeKind::Updated)
        ]
    );
    assert!(
        m.text
            .contains("network_access = false # keep the sandbox offline")
    );
    assert!(m.text.contains("# Documentation lookups."));
    assert!(
        m.text.contains(&format!(
            "[mcp_servers.linear]\nurl = \"{ISSUER}/a/linear/mcp\"\nbearer_token_env_var = \"K\"\n"
        )),
        "{}",
        m.text
    );
    assert!(!m.text.contains("proxy"), "{}", m.text);
}

#[test]
fn the_last_entry_comes_out_without_leaving_a_comma() {
    let url = format!("{ISSUER}/mcp");
    let text = format!(
        "{{\n  \"mcpServers\": {{\n    \"patchbay\": {{\n      \"url\": \"{url}\"\n    }},\n    \"linear\": {{\n      \"command\": \"{BIN}\",\n      \"args\": [\"proxy\", \"linear\"]\n    }}\n  }}\n}}\n"
    );
    let all = gateway_entries(ISSUER, &[], None);
    let m = merge(ExportClient::Cursor, &text, &all, &Sweep::Every, "f").expect("merge");
    assert_eq!(
        changes(&m),
        vec![
            ("patchbay", ChangeKind::Unchanged),
            ("linear", ChangeKind::Removed)
        ]
    );
    let v: Value =
        serde_json::from_str(&m.text).unwrap_or_else(|e| panic!("plain JSON ({e}):\n{}", m.text));
    assert_eq!(v, json!({"mcpServers": {"patchbay": {"url": url}}}));
}

#[test]
fn key_env_must_be_a_variable_name() {
    for ok in [DEFAULT_KEY_ENV, "_k", "codex2"] {
        assert_eq!(key_env(ok).expect(ok), ok);
    }
    for bad in ["", "2KEY", "MY-KEY", "MY KEY", "$KEY", "KEY=x", "ключ"] {
        let e = key_env(bad).expect_err(bad);
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad}");
        assert!(e.to_string().contains("--key-env"), "{e}");
    }
}

/// A profile with linear and github (MCP), hook (HTTP) and off (disabled), with the gateway
/// on port 47990.
fn gateway_profile() -> Profile {
    let p = profile();
    for (name, http, disabled) in [
        ("linear", false, false),
        ("github", false, false),
        ("hook", true, false),
        ("off", false, true),
    ] {
        add_action(&p.pb, name, http, disabled);
    }
    p.pb.set_setting("gatewayPort", "47990").expect("port");
    p
}

fn request(client: ExportClient, names: &[&str], via: ExportVia) -> ExportRequest {
    ExportRequest {
        client,
        names: names.iter().map(|n| n.to_string()).collect(),
        via,
        key_env: None,
        config: Some(PathBuf::from("/nonexistent/patchbay-export-test.json")),
        write: false,
    }
}

fn no_bin() -> Result<PathBuf> {
    panic!("a URL export asks for no binary")
}

#[test]
fn a_gateway_plan_names_the_port_the_actions_and_warns_when_the_gateway_is_off() {
    let p = gateway_profile();
    let plan =
        p.pb.export_plan(
            &request(ExportClient::Vscode, &[], ExportVia::Gateway),
            no_bin,
        )
        .expect("plan");
    assert_eq!(plan.via, ExportVia::Gateway);
    assert_eq!(
        plan.entries,
        gateway_entries("http://127.0.0.1:47990", &[], None)
    );
    assert_eq!(plan.sweep, Sweep::Every);
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
    assert!(
        plan.warnings[0].contains("the gateway is off")
            && plan.warnings[0].contains("gatewayEnabled")
            && plan.warnings[0].contains("patchbay gateway serve"),
        "{:?}",
        plan.warnings
    );
    assert_eq!(plan.report().warnings, plan.warnings);

    // Named actions, HTTP ones too (the gateway serves them), by their stored names.
    let plan =
        p.pb.export_plan(
            &request(
                ExportClient::Cursor,
                &["GITHUB", "hook", "github"],
                ExportVia::Gateway,
            ),
            no_bin,
        )
        .expect("plan");
    assert_eq!(
        plan.entries
            .iter()
            .map(|e| e.url.as_deref().unwrap_or_default())
            .collect::<Vec<_>>(),
        vec![
            "http://127.0.0.1:47990/a/github/mcp",
            "http://127.0.0.1:47990/a/hook/mcp"
        ]
    );
    assert_eq!(
        plan.sweep,
        Sweep::Actions(vec!["github".into(), "hook".into()])
    );

    // On: no warning.
    p.pb.set_setting("gatewayEnabled", "true").expect("on");
    let plan =
        p.pb.export_plan(
            &request(ExportClient::Windsurf, &[], ExportVia::Gateway),
            no_bin,
        )
        .expect("plan");
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[test]
fn codex_gets_the_key_variable_and_a_note_never_a_key() {
    let p = gateway_profile();
    let plan =
        p.pb.export_plan(
            &request(ExportClient::Codex, &["linear"], ExportVia::Gateway),
            no_bin,
        )
        .expect("plan");
    assert_eq!(plan.entries[0].key_env.as_deref(), Some(DEFAULT_KEY_ENV));
    assert!(
        plan.snippet
            .contains(&format!("bearer_token_env_var = \"{DEFAULT_KEY_ENV}\""))
    );
    assert_eq!(plan.notes.len(), 1);
    assert!(
        plan.notes[0].contains("patchbay gateway key add codex --actions linear")
            && plan.notes[0].contains(DEFAULT_KEY_ENV),
        "{:?}",
        plan.notes
    );
    assert!(
        p.pb.list_gateway_keys().expect("keys").is_empty(),
        "no key made"
    );

    let mut req = request(ExportClient::Codex, &[], ExportVia::Gateway);
    req.key_env = Some("CODEX_PATCHBAY".into());
    let plan = p.pb.export_plan(&req, no_bin).expect("plan");
    assert_eq!(plan.entries[0].key_env.as_deref(), Some("CODEX_PATCHBAY"));
    assert!(plan.notes[0].contains("--actions '*'"), "{:?}", plan.notes);
}

#[test]
fn a_bad_gateway_request_is_refused_before_anything_is_planned() {
    let p = gateway_profile();
    let refuse = |req: ExportRequest, code: ErrorCode, says: &str| {
        let e = p.pb.export_plan(&req, no_bin).expect_err(says);
        assert_eq!(e.code(), code, "{e}");
        let all = format!("{e} {}", e.hint().unwrap_or_default());
        assert!(all.contains(says), "{says}: {all}");
    };
    let with_key = |client, via, key: &str| {
        let mut r = request(client, &[], via);
        r.key_env = Some(key.into());
        r
    };
    refuse(
        with_key(ExportClient::Codex, ExportVia::Proxy, "K"),
        ErrorCode::InvalidInput,
        "--via gateway",
    );
    refuse(
        with_key(ExportClient::Vscode, ExportVia::Gateway, "K"),
        ErrorCode::InvalidInput,
        "Codex only",
    );
    refuse(
        with_key(ExportClient::ClaudeDesktop, ExportVia::Gateway, "K"),
        ErrorCode::InvalidInput,
        "patchbay proxy NAME",
    );
    refuse(
        with_key(ExportClient::Codex, ExportVia::Gateway, "NOT-A-NAME"),
        ErrorCode::InvalidInput,
        "--key-env must name an environment variable",
    );
    refuse(
        request(ExportClient::Vscode, &["nope"], ExportVia::Gateway),
        ErrorCode::NotFound,
        "nope",
    );
    refuse(
        request(ExportClient::Vscode, &["off"], ExportVia::Gateway),
        ErrorCode::InvalidInput,
        "patchbay action enable off",
    );
}

#[test]
fn claude_desktop_and_generic_keep_proxy_entries_with_a_note() {
    let p = gateway_profile();
    for client in [ExportClient::ClaudeDesktop, ExportClient::Generic] {
        let mut req = request(client, &[], ExportVia::Gateway);
        if client == ExportClient::Generic {
            req.config = None;
        }
        let plan =
            p.pb.export_plan(&req, || Ok(PathBuf::from(BIN)))
                .expect("plan");
        assert_eq!(plan.via, ExportVia::Proxy, "{client:?}");
        assert_eq!(plan.sweep, Sweep::Nothing);
        assert_eq!(
            plan.entries,
            entries(Path::new(BIN), &["github".into(), "linear".into()]).expect("entries")
        );
        assert!(plan.warnings.is_empty(), "the gateway is not needed");
        assert_eq!(plan.notes.len(), 1, "{client:?}");
        let want = match client {
            ExportClient::ClaudeDesktop => "does not read local URL entries",
            _ => "http://127.0.0.1:47990/mcp",
        };
        assert!(plan.notes[0].contains(want), "{:?}", plan.notes);
    }
    // Asked for proxy: no note.
    let plan =
        p.pb.export_plan(
            &request(ExportClient::ClaudeDesktop, &[], ExportVia::Proxy),
            || Ok(PathBuf::from(BIN)),
        )
        .expect("plan");
    assert!(plan.notes.is_empty() && plan.warnings.is_empty());
}

#[test]
fn a_gateway_export_with_no_enabled_action_says_so() {
    let p = profile();
    let plan =
        p.pb.export_plan(
            &request(ExportClient::Cursor, &[], ExportVia::Gateway),
            no_bin,
        )
        .expect("plan");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("no action is enabled")),
        "{:?}",
        plan.warnings
    );
}
