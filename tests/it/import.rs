//! Import from the real window: a scratch HOME (with XDG_CONFIG_HOME, CODEX_HOME and
//! MCP_REMOTE_CONFIG_DIR in it, so no file of the developer's is read) holding Claude Desktop's
//! and Cursor's config files in their real shapes (comments, other entries, a plaintext
//! token). The empty Actions screen offers them once painted; importing with a rewrite makes
//! the actions, moves the token into the keychain and out of the file, and keeps a 0600
//! backup.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{
    Keychain, WAIT, bounded, cli_ok, click, find, inner_text, launch_with, screenshot, wait_attr,
    wait_text,
};

const GITHUB_TOKEN: &str = "ghp_IMPORT_5e7a9c1d3f";
const LINEAR_TOKEN: &str = "lin_api_IMPORT_3c9e1f7a2b";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/core/tests/fixtures/import")
        .join(name)
}

fn place(home: &Path, at: &str, fixture_name: &str) -> PathBuf {
    let to = home.join(at);
    std::fs::create_dir_all(to.parent().expect("parent")).expect("folders");
    let text = std::fs::read_to_string(fixture(fixture_name)).expect("fixture");
    std::fs::write(
        &to,
        text.replace("{{MCP_URL}}", "https://mcp.demo.example/mcp"),
    )
    .expect("write the config");
    to
}

/// Until nothing matches `css` (bounded).
async fn gone(c: &fantoccini::Client, css: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        let found = bounded(
            &format!("look for {css} (waiting for it to go)"),
            c.find_all(fantoccini::Locator::Css(css)),
        )
        .await
        .map(|v| v.len())
        .unwrap_or(0);
        if found == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} was still shown {WAIT:?} later");
}

fn row(name: &str) -> String {
    format!("[data-testid=import-entry][data-name={name}]")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_empty_actions_screen_offers_the_clients_servers_and_imports_them_with_a_rewrite() {
    let user = tempfile::tempdir().expect("home");
    let home = user.path();
    let desktop = place(
        home,
        ".config/Claude/claude_desktop_config.json",
        "claude_desktop_config.json",
    );
    let cursor = place(home, ".cursor/mcp.json", "cursor-mcp.json");
    let profile = tempfile::tempdir().expect("profile");
    let env = vec![
        ("HOME", home.display().to_string()),
        (
            "XDG_CONFIG_HOME",
            home.join(".config").display().to_string(),
        ),
        ("CODEX_HOME", home.join(".codex").display().to_string()),
        (
            "MCP_REMOTE_CONFIG_DIR",
            home.join(".mcp-auth").display().to_string(),
        ),
    ];
    let app = launch_with(profile.path(), Keychain::Shared, &env).await;
    let c = &app.client;

    // The empty screen first, then the card with what the files hold.
    find(c, "[data-testid=actions-empty]").await;
    find(c, "[data-testid=import-card]").await;
    let github = wait_text(c, &row("github"), "https://api.github.example/mcp/").await;
    assert!(github.contains("github-token"), "{github}");
    wait_attr(c, &row("github"), "data-outcome", "would-import").await;
    wait_attr(c, &row("linear"), "data-outcome", "would-import").await;
    let sqlite = wait_text(c, &row("sqlite"), "local command").await;
    assert!(sqlite.contains("Not remote"), "{sqlite}");
    let already = wait_text(c, &row("already"), "reaches Patchbay").await;
    assert!(already.contains("Goes through Patchbay"), "{already}");
    let card = inner_text(c, &find(c, "[data-testid=import-card]").await).await;
    for secret in [GITHUB_TOKEN, LINEAR_TOKEN] {
        assert!(!card.contains(secret), "no token in the window");
    }
    screenshot(c, "desktop-import.png").await;

    // Not demo; github rewritten to go through Patchbay.
    click(c, &format!("{} [data-testid=import-take]", row("demo"))).await;
    click(
        c,
        &format!("{} [data-testid=import-rewrite]", row("github")),
    )
    .await;
    let go = wait_text(c, "[data-testid=import-go]", "Import").await;
    assert!(go.contains("Import 3 servers"), "{go}");
    click(c, "[data-testid=import-go]").await;
    let result = wait_text(c, "[data-testid=import-result]", "Imported 3 servers").await;
    for action in ["linear", "github", "sentry"] {
        assert!(result.contains(action), "{result}");
    }
    let backup = wait_text(c, "[data-testid=import-backup]", ".patchbay-backup-").await;
    assert!(backup.contains(".cursor/mcp.json"), "{backup}");
    // The list shows the new actions; the card stays with what it did until Done.
    find(c, "[data-testid=action-row][data-name=github]").await;
    find(c, "[data-testid=import-result]").await;
    screenshot(c, "desktop-import-done.png").await;
    click(c, "[data-testid=import-done]").await;
    gone(c, "[data-testid=import-card]").await;

    // The actions, and the tokens in the keychain.
    let actions: Value =
        serde_json::from_str(&cli_ok(profile.path(), &["--json", "action", "list"])).expect("json");
    let mut names: Vec<&str> = actions
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["github", "linear", "sentry"], "{actions:#}");
    let tokens = cli_ok(profile.path(), &["--json", "token", "list"]);
    assert!(
        tokens.contains("github-token") && tokens.contains("linear-token"),
        "{tokens}"
    );

    // Cursor's file goes through Patchbay now, without the token, comments kept; the backup
    // (0600) holds the old file. Claude Desktop's was not rewritten.
    let after = std::fs::read_to_string(&cursor).expect("cursor's config");
    assert!(!after.contains(GITHUB_TOKEN), "the token left the file");
    assert!(after.contains("// Cursor: remote servers"), "{after}");
    assert!(
        after.contains("\"proxy\"") && after.contains("\"github\""),
        "{after}"
    );
    let copy = std::fs::read_dir(cursor.parent().expect("dir"))
        .expect("dir")
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .contains(".patchbay-backup-")
        })
        .expect("a backup");
    let mode = copy.metadata().expect("backup").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup holds the plaintext token");
    assert!(
        std::fs::read_to_string(copy.path())
            .expect("backup")
            .contains(GITHUB_TOKEN)
    );
    assert!(
        std::fs::read_to_string(&desktop)
            .expect("desktop")
            .contains(LINEAR_TOKEN),
        "not chosen for a rewrite: left as it was"
    );
    app.close().await;
}
