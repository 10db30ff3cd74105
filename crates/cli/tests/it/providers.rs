//! `patchbay providers` and `patchbay action add NAME --provider ID`: the gallery's data file
//! as the CLI shows it, and the pre-fill of a new action (never the live providers).

use crate::support::Home;
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn providers_json_lists_every_entry_with_its_source() {
    let list = Home::new().json(&["providers"]);
    let list = list.as_array().expect("an array");
    assert!(list.len() >= 15, "{} entries", list.len());
    for p in list {
        for key in ["id", "name", "description", "url", "flow", "source"] {
            assert!(p[key].is_string(), "{key} in {p}");
        }
        if p["flow"] == "own_app" {
            assert!(p["register"]["redirectUri"].is_string(), "{p}");
            assert!(p["register"]["where"].is_string(), "{p}");
        }
    }
    let hubspot = list.iter().find(|p| p["id"] == "hubspot").expect("hubspot");
    assert_eq!(hubspot["flow"], "own_app");
    assert_eq!(hubspot["url"], "https://mcp.hubspot.com");
}

#[test]
fn providers_table_names_the_flows() {
    Home::new()
        .run(&["providers"])
        .success()
        .stdout(predicate::str::contains("linear"))
        .stdout(predicate::str::contains("https://mcp.linear.app/mcp"))
        .stdout(predicate::str::contains("needs your own OAuth app"))
        .stdout(predicate::str::contains("automatic registration"));
}

#[test]
fn add_with_provider_prefills_url_auth_and_oauth_settings() {
    let h = Home::new();
    let a = h.run(&["--json", "action", "add", "gh", "--provider", "github"]);
    let a = a
        .success()
        .stderr(predicate::str::contains("needs your own OAuth app"))
        .stderr(predicate::str::contains("http://127.0.0.1:47615/callback"));
    let v: Value = serde_json::from_slice(&a.get_output().stdout).expect("JSON");
    assert_eq!(v["url"], "https://api.githubcopilot.com/mcp/");
    assert_eq!(v["auth"]["type"], "oauth");
    assert_eq!(
        v["oauth"]["scopes"],
        serde_json::json!(["repo", "read:org"])
    );
    assert_eq!(
        v["oauth"]["tokenUrl"],
        "https://github.com/login/oauth/access_token"
    );
    assert!(!v["description"].as_str().unwrap_or_default().is_empty());

    let l = h.json(&["action", "add", "lin", "--provider", "linear"]);
    assert_eq!(l["url"], "https://mcp.linear.app/mcp");
    assert_eq!(l["auth"]["type"], "oauth");
    assert_eq!(l["oauth"]["clientId"], Value::Null);
}

#[test]
fn explicit_flags_override_the_provider() {
    let h = Home::new();
    let v = h.json(&[
        "action",
        "add",
        "gh2",
        "--provider",
        "github",
        "--url",
        "https://ghe.example.com/mcp",
        "--scopes",
        "repo",
        "--description",
        "enterprise",
        "--client-id",
        "Iv1.abc",
    ]);
    assert_eq!(v["url"], "https://ghe.example.com/mcp");
    assert_eq!(v["oauth"]["scopes"], serde_json::json!(["repo"]));
    assert_eq!(v["oauth"]["clientId"], "Iv1.abc");
    assert_eq!(v["description"], "enterprise");

    let n = h.json(&[
        "action",
        "add",
        "plain",
        "--provider",
        "notion",
        "--auth",
        "none",
    ]);
    assert_eq!(n["url"], "https://mcp.notion.com/mcp");
    assert_eq!(n["auth"]["type"], "none");
}

#[test]
fn unknown_provider_is_not_found_with_the_gallery_hint() {
    let h = Home::new();
    let a = h
        .run(&["--json", "action", "add", "x", "--provider", "nope"])
        .code(1);
    let err: Value = serde_json::from_slice(&a.get_output().stderr).expect("JSON error");
    assert_eq!(err["error"]["code"], "not_found");
    assert!(
        err["error"]["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("patchbay providers"),
        "{err}"
    );
    h.run(&["action", "list"])
        .success()
        .stdout(predicate::str::contains("No actions yet"));
}

#[test]
fn url_is_required_without_a_provider() {
    Home::new().run(&["action", "add", "x"]).code(2);
}
