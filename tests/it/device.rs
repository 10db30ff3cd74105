//! Sign in with a code in the real window: an OAuth action's ⋮ menu asks the real
//! authorization server (oidc-provider in its device mode) for a code, the dialog shows where to
//! go and the code with Copy, the consent browser types it "on another device", and the
//! dialog closes on "Connected as …" with the grant saved.

use std::time::Duration;

use serde_json::json;

use crate::gateway::pasted;
use crate::support::{
    Keychain, Servers, cli_ok, click, find, inner_text, launch_with, screenshot, servers_dir,
    settled, wait_text,
};

const DIALOG: &str = "[data-testid=device-code-dialog]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_a_code_shows_the_code_with_copy_then_connects() {
    let servers = Servers::new(
        json!({ "issuerPath": "/rfc8628", "deviceFlow": true }),
        json!({}),
    );
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let url = servers.mcp_url();
    cli_ok(
        h,
        &["action", "add", "demo", "--url", &url, "--auth", "oauth"],
    );

    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    click(
        c,
        "[data-testid=action-row][data-name=demo] [data-testid=action-menu]",
    )
    .await;
    click(c, "[data-testid=menu-connect-code]").await;
    find(c, DIALOG).await;
    let code = wait_text(c, "[data-testid=device-code-code]", "-").await;
    let code = code.trim().to_string();
    let verification = inner_text(
        c,
        &find(c, "[data-testid=device-code-url] .copy-field__value").await,
    )
    .await;
    assert_eq!(
        verification.trim(),
        format!("{}/device", servers.issuer()),
        "the server's code page"
    );
    settled(c).await;
    screenshot(c, "desktop-device-code.png").await;

    // Copy puts the code itself on the system clipboard.
    click(c, "[data-testid=device-code-code-copy]").await;
    wait_text(c, "[data-testid=device-code-code-copy]", "Copied").await;
    assert_eq!(pasted(c, DIALOG).await.trim(), code, "the code was copied");

    // "Another device": the consent browser types the code, signs in, allows.
    let page = verification.trim().to_string();
    let mode = format!("consent,user-code={code}");
    let out = tokio::task::spawn_blocking(move || {
        patchbay_testsupport::run(
            std::process::Command::new("node")
                .arg(servers_dir().join("browser.mjs"))
                .args(["--foreground", &page])
                .env("PATCHBAY_TEST_BROWSER", mode),
            Duration::from_secs(60),
            "the consent browser typing the code",
        )
    })
    .await
    .expect("the browser ran");
    assert!(
        out.status.success(),
        "the browser approved: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_text(c, "[data-testid=toast]", "Connected as alice@example.com").await;
    let status: serde_json::Value =
        serde_json::from_str(&cli_ok(h, &["--json", "status", "demo"])).expect("status JSON");
    assert_eq!(status["connected"], true, "{status}");
    assert_eq!(status["account"], "alice@example.com", "{status}");
    app.close().await;
}
