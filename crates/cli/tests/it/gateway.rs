//! `patchbay gateway key ...`: access keys as scripts use them.

use serde_json::Value;

use crate::support::Home;

fn seeded() -> Home {
    let h = Home::new();
    h.ok(&[
        "action",
        "add",
        "linear",
        "--url",
        "https://mcp.linear.example/mcp",
    ]);
    h.ok(&[
        "action",
        "add",
        "github",
        "--url",
        "https://api.github.example/mcp",
    ]);
    h
}

#[test]
fn a_key_is_printed_alone_once_and_listed_without_it() {
    let h = seeded();
    let key = h.ok(&[
        "gateway",
        "key",
        "add",
        "codex",
        "--actions",
        "linear,github",
        "--tools",
        "linear__search_issues",
    ]);
    let key = key.trim();
    assert!(
        key.starts_with("pbk_") && key.len() == 47 && !key.contains(' '),
        "{key}"
    );

    let json = h.json(&[
        "gateway",
        "key",
        "add",
        "ci",
        "--actions",
        "*",
        "--expires",
        "30d",
    ]);
    let keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["actions", "createdAt", "expiresAt", "key", "name", "tools"]
    );
    assert_eq!(json["actions"], serde_json::json!(["*"]));
    assert!(
        json["expiresAt"]
            .as_str()
            .is_some_and(|e| e > json["createdAt"].as_str().unwrap_or(""))
    );

    let list = h.json(&["gateway", "key", "list"]);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    let codex = list.iter().find(|k| k["name"] == "codex").expect("codex");
    let mut fields: Vec<&str> = codex
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "actions",
            "createdAt",
            "expiresAt",
            "lastUsedAt",
            "name",
            "revokedAt",
            "tools"
        ]
    );
    assert_eq!(codex["actions"], serde_json::json!(["linear", "github"]));
    assert_eq!(codex["tools"], serde_json::json!(["linear__search_issues"]));
    assert_eq!(codex["revokedAt"], Value::Null);

    // Nowhere on disk but that one output: the database has its hash only.
    let ci_key = json["key"].as_str().expect("key");
    for (file, bytes) in patchbay_testsupport::all_bytes(h.0.path()) {
        assert!(
            !patchbay_testsupport::contains(&bytes, key),
            "the key is in {file}"
        );
        assert!(
            !patchbay_testsupport::contains(&bytes, ci_key),
            "the key is in {file}"
        );
    }
    assert!(!h.ok(&["gateway", "key", "list"]).contains("pbk_"));

    let human = h.ok(&["gateway", "key", "revoke", "CODEX"]);
    assert!(human.contains("Revoked access key 'codex'"), "{human}");
    let list = h.json(&["gateway", "key", "list"]);
    let codex = list
        .as_array()
        .expect("array")
        .iter()
        .find(|k| k["name"] == "codex")
        .expect("codex");
    assert!(codex["revokedAt"].is_string(), "{codex}");
    let table = h.ok(&["gateway", "key", "list"]);
    assert!(
        table.contains("revoked") && table.contains("every action, present and future"),
        "{table}"
    );
}

#[test]
fn bad_keys_name_the_problem_and_save_nothing() {
    let h = seeded();
    let out = h
        .run(&["--json", "gateway", "key", "add", "k", "--actions", "nope"])
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(
        crate::support::error_code(&err).as_deref(),
        Some("invalid_input"),
        "{err}"
    );
    assert!(err.contains("there is no action 'nope'"), "{err}");
    h.run(&[
        "gateway",
        "key",
        "add",
        "k",
        "--actions",
        "linear",
        "--tools",
        "github__x",
    ])
    .code(1)
    .stderr(predicates::str::contains("does not open"));
    h.run(&[
        "gateway",
        "key",
        "add",
        "k",
        "--actions",
        "linear",
        "--expires",
        "soon",
    ])
    .code(1)
    .stderr(predicates::str::contains("is not a duration"));
    h.run(&["gateway", "key", "add", "k"]).code(2);
    h.run(&["gateway", "key", "revoke", "nope"])
        .code(1)
        .stderr(predicates::str::contains("patchbay gateway key list"));
    assert_eq!(h.json(&["gateway", "key", "list"]), serde_json::json!([]));
}

#[test]
fn action_names_may_not_contain_the_tool_separator() {
    let h = seeded();
    h.run(&["action", "add", "a__b", "--url", "https://x.example/mcp"])
        .code(1)
        .stderr(predicates::str::contains("contains '__'"));
    h.run(&["action", "edit", "linear", "--rename", "lin__ear"])
        .code(1)
        .stderr(predicates::str::contains("ACTION__TOOL"));
    h.ok(&["action", "add", "a_b", "--url", "https://x.example/mcp"]);
}
