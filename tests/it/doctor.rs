//! Diagnose in the real window: an action's ⋮ menu opens the timeline of core's doctor steps
//! for a real OAuth action (every step passes) and for one whose server is down (the trace
//! stops at `probe`, its fix shown); Copy report puts a report on the system clipboard that
//! holds no token of the action.

use std::time::Duration;

use fantoccini::Client;
use serde_json::{Value, json};

use crate::desktop::cli_connect;
use crate::gateway::pasted;
use crate::support::{
    Keychain, Servers, bounded, cli_ok, click, find, launch_with, screenshot, settled, wait_text,
};

const DIALOG: &str = "[data-testid=diagnose-dialog]";

/// Open Diagnose from the ⋮ menu of the action `name`.
async fn open_diagnose(c: &Client, name: &str) {
    click(
        c,
        &format!("[data-testid=action-row][data-name={name}] [data-testid=action-menu]"),
    )
    .await;
    click(c, "[data-testid=menu-diagnose]").await;
    find(c, DIALOG).await;
}

/// The timeline as `step:ok` pairs, in order.
async fn timeline(c: &Client) -> Vec<String> {
    let v = bounded(
        "read the timeline's steps",
        c.execute(
            "return [...document.querySelectorAll('[data-testid=diagnose-step]')] \
             .map(e => e.dataset.step + ':' + e.dataset.ok);",
            vec![],
        ),
    )
    .await
    .expect("the steps");
    serde_json::from_value(v).expect("a list of strings")
}

/// The ⋮ menu closed once its item opened the dialog (bounded: 5 s).
async fn no_menu(c: &Client) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let open = bounded(
            "count open menus",
            c.execute(
                "return document.querySelectorAll('[role=menu]').length;",
                vec![],
            ),
        )
        .await
        .expect("a count");
        if open == json!(0) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited 5 s for the ⋮ menu to close behind the Diagnose dialog; {open} still open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_shows_the_timeline_and_copies_a_report_with_no_secret() {
    let servers = Servers::new(json!({}), json!({}));
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let url = servers.mcp_url();
    cli_ok(
        h,
        &["action", "add", "demo", "--url", &url, "--auth", "oauth"],
    );
    cli_connect(h, "demo");
    // Nothing listens on port 9 of the loopback (discard, never served here).
    cli_ok(
        h,
        &[
            "action",
            "add",
            "offline",
            "--url",
            "http://127.0.0.1:9/mcp",
        ],
    );
    let token = cli_ok(h, &["access-token", "demo"]).trim().to_string();
    // Every refresh token the authorization server issued (its test-only admin list).
    let out = patchbay_testsupport::run(
        std::process::Command::new("node").args([
            "-e",
            "fetch(process.argv[1]).then(r => r.text()).then(t => process.stdout.write(t))",
            &format!("{}/__admin/refresh-tokens", servers.issuer()),
        ]),
        Duration::from_secs(20),
        "the authorization server's list of refresh tokens",
    );
    let issued: Value = serde_json::from_slice(&out.stdout).expect("JSON from the admin list");
    let mut secrets = vec![token];
    for t in issued["tokens"].as_array().expect("tokens") {
        secrets.push(t["value"].as_str().expect("value").to_string());
    }
    assert!(
        secrets.len() >= 2 && secrets[0].len() > 20,
        "a token and a refresh token"
    );

    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    open_diagnose(c, "demo").await;
    wait_text(c, "[data-testid=diagnose-verdict]", "All 7 steps passed").await;
    assert_eq!(
        timeline(c).await,
        [
            "probe:true",
            "resource-metadata:true",
            "authorization-server-metadata:true",
            "client:true",
            "token:true",
            "mcp-handshake:true",
            "tools:true"
        ]
    );
    wait_text(c, "[data-testid=diagnose-step][data-step=tools]", "4 tools").await;
    no_menu(c).await;
    settled(c).await;
    screenshot(c, "desktop-diagnose.png").await;
    click(c, "[data-testid=diagnose-detail-token-toggle]").await;
    wait_text(
        c,
        "[data-testid=diagnose-detail-token]",
        "\"accessToken\": \"[redacted, ",
    )
    .await;

    click(c, "[data-testid=diagnose-copy]").await;
    wait_text(c, "[data-testid=diagnose-copy]", "Copied").await;
    let copied = pasted(c, DIALOG).await;
    assert!(
        copied.starts_with("Patchbay diagnosis of demo: ok\n"),
        "the report was copied: {copied:?}"
    );
    assert!(copied.contains("\n7. tools: ok ("), "every step: {copied}");
    assert!(copied.contains(&url), "what it talked to");
    for s in &secrets {
        assert!(
            !copied.contains(s.as_str()),
            "no token in the copied report"
        );
    }

    // Another action, whose server is down: the trace stops at probe and says what to do.
    click(c, &format!("{DIALOG} .dialog__close")).await;
    open_diagnose(c, "offline").await;
    wait_text(c, "[data-testid=diagnose-verdict]", "Failed at probe").await;
    assert_eq!(timeline(c).await, ["probe:false"]);
    wait_text(
        c,
        "[data-testid=diagnose-fix]",
        "check the URL, your network, and that the server is running",
    )
    .await;
    no_menu(c).await;
    settled(c).await;
    screenshot(c, "desktop-diagnose-failed.png").await;
    app.close().await;
}
