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
    assert_eq!(e[0].command, BIN);
    assert_eq!(e[0].args, vec!["proxy", "linear"]);
    assert_eq!(e[1].command_line(), format!("{BIN} proxy github"));
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
    let m = merge(ExportClient::ClaudeDesktop, &text, &two(), "f").expect("merge");
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
    let m = merge(ExportClient::Vscode, &text, &two(), "f").expect("merge");
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
        let m = merge(client, &text, &two(), file).expect("merge");
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
    let m = merge(ExportClient::ClaudeCode, &text, &two(), "f").expect("merge");
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
    let m = merge(ExportClient::Codex, &text, &two(), "f").expect("merge");
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
        let first = merge(client, &fixture(file), &old, file).expect("first");
        let second = merge(client, &first.text, &two(), file).expect("second");
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
        let third = merge(client, &second.text, &two(), file).expect("third");
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
    let m = merge(ExportClient::Codex, text, &two()[..1], "f").expect("merge");
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
    let e = merge(ExportClient::Cursor, bad_json, &two(), "/tmp/mcp.json").expect_err("refused");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let msg = e.to_string();
    assert!(
        msg.contains("/tmp/mcp.json") && msg.contains("line 3, column"),
        "{msg}"
    );
    assert!(msg.contains("left untouched"), "{msg}");

    let bad_toml = "model = \"x\"\n[mcp_servers.a\ncommand = \"b\"\n";
    let e = merge(ExportClient::Codex, bad_toml, &two(), "config.toml").expect_err("refused");
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
        let e = merge(client, text, &two(), "f").expect_err(text);
        assert!(e.to_string().contains(what), "{text}: {e}");
    }
}

#[test]
fn empty_files_and_inline_tables_are_merged() {
    let m = merge(ExportClient::Cursor, "  \n", &two(), "f").expect("merge");
    assert_eq!(
        serde_json::from_str::<Value>(&m.text).expect("json")["mcpServers"]["linear"]["args"],
        json!(["proxy", "linear"])
    );
    let m = merge(
        ExportClient::Codex,
        "mcp_servers = { other = { command = \"x\" } }\n",
        &two()[..1],
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
        let m = merge(client, text, &two(), "f").expect("merge");
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
    let p = plan(
        ExportClient::ClaudeDesktop,
        two(),
        Some(path.clone()),
        None,
        true,
    )
    .expect("plan");
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
    let p2 = plan(
        ExportClient::ClaudeDesktop,
        more,
        Some(path.clone()),
        None,
        true,
    )
    .expect("plan");
    let r = write(&p2, NOW).expect("write");
    assert!(r.backup.is_some_and(|b| b.ends_with("-20261124T083005Z-2")));
}

#[test]
fn write_creates_a_new_file_and_its_folders_without_a_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a/b/config.toml");
    let p = plan(ExportClient::Codex, two(), Some(path.clone()), None, true).expect("plan");
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
    let p = plan(ExportClient::Cursor, two(), Some(link.clone()), None, true).expect("plan");
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
    let e = plan(ExportClient::Vscode, two(), Some(path.clone()), None, true)
        .expect_err("refused before anything is shown");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("line "), "{e}");
    // Without --write the snippet is still given, with the problem.
    let p = plan(ExportClient::Vscode, two(), Some(path.clone()), None, false).expect("plan");
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
    let p = plan(ExportClient::Generic, two(), None, None, false).expect("plan");
    assert_eq!(p.path, None);
    assert_eq!(p.report().path, None);
    for (config, write) in [(None, true), (Some(PathBuf::from("/tmp/x.json")), false)] {
        let e = plan(ExportClient::Generic, two(), config, None, write).expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("generic"), "{e}");
    }
}

#[test]
fn the_report_has_the_contract_keys() {
    let p = plan(ExportClient::Generic, two(), None, None, false).expect("plan");
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
            "backup", "changes", "client", "entries", "path", "snippet", "written"
        ]
    );
    assert_eq!(v["client"], "generic");
    assert_eq!(
        v["entries"][0],
        json!({"name": "linear", "command": BIN, "args": ["proxy", "linear"]})
    );
}

#[test]
fn export_names_checks_each_action() {
    use crate::actions::{HttpInput, NewAction};
    let home = tempfile::tempdir().expect("tempdir");
    let pb = Patchbay::open(home.path()).expect("open");
    let add = |name: &str, http: bool, disabled: bool| {
        pb.add_action(NewAction {
            name: name.into(),
            url: "https://mcp.example.com/mcp".into(),
            http: http.then(HttpInput::default),
            auth: Some(crate::model::AuthSpec::None),
            disabled,
            ..Default::default()
        })
        .expect("add");
    };
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
