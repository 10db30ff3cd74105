//! A local app's browser sign-in at the app's gateway, answered in the real window: the MCP
//! TypeScript SDK's client (its own OAuth) registers and opens the consent page; the window
//! comes forward with the prompt, showing the app, where it comes from, where the browser
//! goes back to and the same short code as the page; Allow with one action chosen; the app
//! then lists and calls only that action's tools. A notification daemon (dunst) on the run's
//! bus is told of the waiting sign-in (with its code) and of the new gateway client.

use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::desktop::cli_connect;
use crate::gateway::wait_http;
use crate::support::{
    Keychain, Servers, cli_ok, click, find, free_port, inner_text, launch_with, log_file,
    log_stdio, screenshot, servers_dir, wait_text,
};

const PROMPT: &str = "[data-testid=consent-prompt]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_apps_browser_sign_in_is_approved_in_the_window() {
    let servers = Servers::new(json!({}), json!({}));
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let port = free_port();
    cli_ok(h, &["settings", "set", "gatewayPort", &port.to_string()]);
    cli_ok(h, &["settings", "set", "gatewayEnabled", "true"]);
    for name in ["demo", "other"] {
        cli_ok(
            h,
            &[
                "action",
                "add",
                name,
                "--url",
                &servers.mcp_url(),
                "--auth",
                "oauth",
            ],
        );
        cli_connect(h, name);
    }

    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    wait_http(
        port,
        None,
        Some(401),
        "the app's gateway asking for a sign-in",
    )
    .await;
    let daemon = crate::notify::Daemon::start(&app.display);

    let url = format!("http://127.0.0.1:{port}/mcp");
    let signin = Command::new("node")
        .arg(servers_dir().join("sdk-oauth-client.mjs"))
        .args([
            url.as_str(),
            "--call",
            "demo__echo",
            r#"{"text":"from the window"}"#,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_stdio(&log_file("sdk-oauth-client")))
        .spawn()
        .expect("node tests/servers/sdk-oauth-client.mjs");

    find(c, PROMPT).await;
    let waiting: Value =
        serde_json::from_str(&cli_ok(h, &["--json", "gateway", "consents"])).expect("json");
    let code = waiting["pending"][0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{waiting}"))
        .to_string();
    wait_text(c, "[data-testid=consent-code]", &code).await;
    daemon.wait(
        "SDK test app wants to sign in to the gateway",
        &format!("shows the code {code}"),
    );
    wait_text(c, "[data-testid=consent-client]", "SDK test app").await;
    wait_text(
        c,
        "[data-testid=consent-origin]",
        "registered itself, unverified",
    )
    .await;
    wait_text(c, "[data-testid=consent-redirect]", "127.0.0.1 port 53682").await;
    find(c, "[data-testid=consent-unverified]").await;
    // Only `demo`, not every action.
    click(c, "[data-testid=consent-all]").await;
    click(c, "[data-testid=consent-action-demo]").await;
    screenshot(c, "desktop-gateway-consent.png").await;
    click(c, "[data-testid=consent-approve]").await;

    let r = crate::support::client_json(
        signin,
        "the SDK's OAuth client signing in to the app's gateway",
    );
    let tools: Vec<&str> = r["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        tools.contains(&"demo__echo") && tools.iter().all(|t| t.starts_with("demo__")),
        "only demo was given, not other: {r}"
    );
    assert_eq!(r["calls"][0]["ok"], json!(true), "{r}");
    daemon.wait(
        "New gateway client: SDK test app",
        "The OAuth client 'SDK test app' called demo__echo through the gateway.",
    );
    let page = inner_text(c, &find(c, "body").await).await;
    assert!(
        !page.contains("Let SDK test app use"),
        "the prompt is gone once answered"
    );
    let listed: Value =
        serde_json::from_str(&cli_ok(h, &["--json", "gateway", "client", "list"])).expect("json");
    assert!(
        listed.as_array().is_some_and(|l| l
            .iter()
            .any(|c| c["name"] == json!("SDK test app") && c["kind"] == json!("registered"))),
        "{listed}"
    );
    app.close_expecting_exit(std::time::Duration::from_secs(15))
        .await;
}
