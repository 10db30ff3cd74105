//! Configure and connect from the window, end to end: the real app under Xvfb through
//! WebDriver, the real authorization server (oidc-provider) and MCP server on loopback, and
//! consent given by the headless browser script the app launches as `$BROWSER`.

use std::path::Path;
use std::time::Duration;

use crate::support::{
    App, Keychain, Servers, apps_of, browser_env, cli_ok, click, fill, find, go, inner_text,
    launch_with, screenshot, select, wait_attr, wait_text,
};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

struct Session {
    app: App,
    home: tempfile::TempDir,
    mode: tempfile::NamedTempFile,
}

impl Session {
    async fn new() -> Session {
        Session::new_with(&[]).await
    }
    /// With extra environment for the app (e.g. its own HOME).
    async fn new_with(extra: &[(&str, String)]) -> Session {
        let home = tempfile::tempdir().expect("tempdir");
        let mode = tempfile::NamedTempFile::new().expect("mode file");
        std::fs::write(mode.path(), "consent").expect("mode");
        let mut env = browser_env(mode.path());
        env.extend(extra.iter().cloned());
        let app = launch_with(home.path(), Keychain::Shared, &env).await;
        find(&app.client, "[data-testid=add-action]").await;
        Session { app, home, mode }
    }
    fn c(&self) -> &Client {
        &self.app.client
    }
    fn browser(&self, mode: &str) {
        std::fs::write(self.mode.path(), mode).expect("mode");
    }
    fn home(&self) -> &Path {
        self.home.path()
    }
    fn status(&self, name: &str) -> Value {
        serde_json::from_str(&cli_ok(self.home(), &["--json", "status", name])).expect("json")
    }
    async fn close(self) {
        self.app.close().await;
    }
}

/// The Add Custom Action form up to the Connect button: name, MCP URL, OAuth 2.1.
async fn new_oauth_action(c: &Client, name: &str, url: &str) {
    click(c, "[data-testid=add-action]").await;
    find(c, "[data-testid=action-form]").await;
    fill(c, "[data-testid=action-form] input[name=name]", name).await;
    fill(c, "[data-testid=action-form] input[name=url]", url).await;
    click(c, "[data-testid=auth-card-oauth]").await;
    find(c, "[data-testid=connect-button]").await;
}

/// Test Connection from the row's ⋮ menu; waits for the badge to read `status`.
async fn test_from_menu(c: &Client, name: &str, status: &str) {
    let row = format!("[data-testid=action-row][data-name=\"{name}\"]");
    click(c, &format!("{row} [data-testid=action-menu]")).await;
    click(c, "[data-testid=menu-test]").await;
    wait_attr(
        c,
        &format!("{row} [data-testid=health-badge]"),
        "data-status",
        status,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_action_is_added_connected_after_a_denied_consent_and_tested_healthy() {
    let servers = Servers::new(json!({}), json!({}));
    let s = Session::new().await;
    let c = s.c();
    screenshot(c, "desktop-actions-empty.png").await;

    new_oauth_action(c, "demo", &servers.mcp_url()).await;
    screenshot(c, "desktop-add-action-oauth.png").await;

    // The user denies at the provider: "Authorization failed", with the reason.
    s.browser("deny");
    click(c, "[data-testid=connect-button]").await;
    let failed = wait_text(c, "[data-testid=auth-failed]", "Authorization failed").await;
    assert!(
        failed.to_lowercase().contains("denied"),
        "the reason is shown: {failed}"
    );
    screenshot(c, "desktop-authorization-failed.png").await;

    // Try again, and allow this time: "Connected as alice@example.com".
    s.browser("consent");
    click(c, "[data-testid=try-again]").await;
    let connected = wait_text(c, "[data-testid=connected-as]", "Connected as").await;
    assert!(connected.contains("alice@example.com"), "{connected}");
    find(c, "[data-testid=disconnect-button]").await;
    screenshot(c, "desktop-connected-as.png").await;

    // The rest of the form, then Create Custom Action.
    fill(
        c,
        "[data-testid=action-form] textarea[name=description]",
        "The test MCP server",
    )
    .await;
    click(c, "[data-testid=confirm-yes]").await;
    click(c, "[data-testid=save-action]").await;
    // The row may render before the list's refetch brings its description: wait for it.
    wait_text(
        c,
        "[data-testid=action-row][data-name=demo]",
        "The test MCP server",
    )
    .await;
    assert!(
        c.find(Locator::Css("[data-testid=action-form]"))
            .await
            .is_err(),
        "the form closed"
    );

    // What the CLI sees in the shared profile: connected, confirmation required.
    let status = s.status("demo");
    assert_eq!(status["connected"], true, "{status}");
    assert_eq!(status["account"], "alice@example.com");
    let action: Value =
        serde_json::from_str(&cli_ok(s.home(), &["--json", "action", "show", "demo"]))
            .expect("json");
    assert_eq!(action["confirm"], true, "{action}");
    assert_eq!(action["description"], "The test MCP server");

    // Test Connection from the ⋮ menu: Healthy, with the server's tools counted.
    test_from_menu(c, "demo", "healthy").await;
    let row = find(c, "[data-testid=action-row][data-name=demo]").await;
    let text = inner_text(c, &row).await;
    assert!(text.contains("Healthy"), "{text}");
    screenshot(c, "desktop-actions-healthy.png").await;

    // The ⋮ menu offers what an OAuth action can do.
    click(
        c,
        "[data-testid=action-row][data-name=demo] [data-testid=action-menu]",
    )
    .await;
    for item in [
        "menu-edit",
        "menu-test",
        "menu-connect",
        "menu-disconnect",
        "menu-toggle",
        "menu-delete",
    ] {
        find(c, &format!("[data-testid={item}]")).await;
    }
    screenshot(c, "desktop-action-menu.png").await;
    // Delete asks first; Cancel keeps the action.
    click(c, "[data-testid=menu-delete]").await;
    find(c, "[data-testid=confirm-dialog]").await;
    screenshot(c, "desktop-delete-confirm.png").await;
    click(c, "[data-testid=confirm-cancel]").await;
    find(c, "[data-testid=action-row][data-name=demo]").await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_registration_opens_advanced_configuration_and_connects_with_a_client_id()
{
    let servers = Servers::new(
        json!({"dcr": false, "clients": [
            {"client_id": "desk-public", "token_endpoint_auth_method": "none", "redirect_uris": ["http://127.0.0.1/callback"]}
        ]}),
        json!({}),
    );
    let s = Session::new().await;
    let c = s.c();
    new_oauth_action(c, "noreg", &servers.mcp_url()).await;
    click(c, "[data-testid=connect-button]").await;
    let failed = wait_text(c, "[data-testid=auth-failed]", "Authorization failed").await;
    assert!(
        failed.contains("Advanced configuration"),
        "the message says to fill in Advanced configuration: {failed}"
    );
    // ...and Advanced configuration is open, its fields there to fill in.
    wait_attr(c, "[data-testid=advanced-toggle]", "aria-expanded", "true").await;
    screenshot(c, "desktop-needs-client-id.png").await;
    fill(
        c,
        "[data-testid=action-form] input[name=clientId]",
        "desk-public",
    )
    .await;
    click(c, "[data-testid=try-again]").await;
    let connected = wait_text(c, "[data-testid=connected-as]", "Connected as").await;
    assert!(connected.contains("alice@example.com"), "{connected}");
    click(c, "[data-testid=save-action]").await;
    find(c, "[data-testid=action-row][data-name=noreg]").await;
    let action: Value =
        serde_json::from_str(&cli_ok(s.home(), &["--json", "action", "show", "noreg"]))
            .expect("json");
    assert_eq!(action["oauth"]["clientId"], "desk-public", "{action}");
    assert_eq!(s.status("noreg")["connected"], true);
    test_from_menu(c, "noreg", "healthy").await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_action_with_an_http_request_token_is_tested_saved_and_healthy() {
    let servers = Servers::new(
        json!({"clients": [{
            "client_id": "machine",
            "client_secret": "machine-secret",
            "token_endpoint_auth_method": "client_secret_post",
            "grant_types": ["client_credentials"],
            "response_types": [],
            "redirect_uris": [],
        }]}),
        json!({"jsonResponse": true}),
    );
    let s = Session::new().await;
    let c = s.c();

    // Tokens → Add token → HTTP request token.
    go(c, "#/tokens").await;
    click(c, "[data-testid=add-token]").await;
    let dialog = "[data-testid=token-dialog]";
    find(c, dialog).await;
    click(c, "[data-testid=tokenKind-http]").await;
    fill(c, &format!("{dialog} input[name=name]"), "machine").await;
    select(c, &format!("{dialog} select[name=method]"), "POST").await;
    fill(
        c,
        &format!("{dialog} input[name=url]"),
        &format!("{}/token", servers.issuer()),
    )
    .await;
    let resource = servers.mcp_url();
    let fields = [
        ("grant_type", "client_credentials", false),
        ("client_id", "machine", false),
        ("scope", "mcp:read", false),
        ("resource", resource.as_str(), false),
        ("client_secret", "machine-secret", true),
    ];
    for (i, (name, value, secret)) in fields.iter().enumerate() {
        if c.find(Locator::Css(&format!("{dialog} input[name=body-name-{i}]")))
            .await
            .is_err()
        {
            click(c, &format!("{dialog} [data-testid=body-add]")).await;
        }
        fill(c, &format!("{dialog} input[name=body-name-{i}]"), name).await;
        fill(c, &format!("{dialog} input[name=body-value-{i}]"), value).await;
        if *secret {
            click(c, &format!("{dialog} input[name=body-secret-{i}]")).await;
        }
    }
    click(c, &format!("{dialog} input[name=form]")).await;
    fill(
        c,
        &format!("{dialog} input[name=tokenPath]"),
        "$.access_token",
    )
    .await;

    // Test request: where the token was found, never the token.
    click(c, "[data-testid=token-test]").await;
    wait_attr(c, "[data-testid=token-test-result]", "data-ok", "true").await;
    let result = wait_text(c, "[data-testid=token-test-result]", "200").await;
    assert!(result.contains("$.access_token"), "{result}");
    assert!(!result.contains("machine-secret"), "{result}");
    screenshot(c, "desktop-token-test-request.png").await;
    click(c, "[data-testid=token-save]").await;
    find(c, "[data-testid=token-row][data-name=machine]").await;
    screenshot(c, "desktop-tokens.png").await;

    // Actions → Add → HTTP endpoint with that token.
    go(c, "#/actions").await;
    click(c, "[data-testid=add-action]").await;
    let form = "[data-testid=action-form]";
    find(c, form).await;
    fill(c, &format!("{form} input[name=name]"), "api").await;
    click(c, "[data-testid=kind-http]").await;
    fill(c, &format!("{form} input[name=url]"), &servers.mcp_url()).await;
    select(c, &format!("{form} select[name=method]"), "POST").await;
    if c.find(Locator::Css(&format!("{form} input[name=header-name-0]")))
        .await
        .is_err()
    {
        click(c, &format!("{form} [data-testid=add-header]")).await;
    }
    fill(c, &format!("{form} input[name=header-name-0]"), "Accept").await;
    fill(
        c,
        &format!("{form} input[name=header-value-0]"),
        "application/json, text/event-stream",
    )
    .await;
    fill(
        c,
        &format!("{form} textarea[name=body]"),
        r#"{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "patchbay", "version": "1"}}}"#,
    )
    .await;
    click(c, "[data-testid=auth-card-http-token]").await;
    select(c, &format!("{form} select[name=authRef]"), "machine").await;
    screenshot(c, "desktop-add-http-action.png").await;
    click(c, "[data-testid=save-action]").await;
    find(c, "[data-testid=action-row][data-name=api]").await;
    test_from_menu(c, "api", "healthy").await;
    let shown: Value =
        serde_json::from_str(&cli_ok(s.home(), &["--json", "action", "show", "api"]))
            .expect("json");
    assert_eq!(
        shown["auth"],
        json!({"type": "http-token", "ref": "machine"})
    );
    assert_eq!(shown["http"]["method"], "POST");
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_link_callback_reaches_the_running_instance_and_finishes_its_sign_in() {
    let servers = Servers::new(json!({}), json!({}));
    let s = Session::new().await;
    let c = s.c();
    // An action whose provider sends the browser back through the app link.
    cli_ok(
        s.home(),
        &[
            "action",
            "add",
            "linked",
            "--url",
            &servers.mcp_url(),
            "--auth",
            "oauth",
            "--callback",
            "app-link",
        ],
    );
    let row = "[data-testid=action-row][data-name=linked]";
    find(c, row).await;
    // Connect from the ⋮ menu. The consent script gets redirected to
    // dev.patchbay.app:/oauth/callback?code=...&state=..., and opens it with a second
    // launch of the app, which hands it to this instance and exits.
    click(c, &format!("{row} [data-testid=action-menu]")).await;
    click(c, "[data-testid=menu-connect]").await;
    let mut connected = Value::Null;
    for _ in 0..200 {
        connected = s.status("linked");
        if connected["connected"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(connected["connected"], true, "{connected}");
    assert_eq!(connected["account"], "alice@example.com");
    // The window says so.
    wait_text(c, "[data-testid=toast]", "Connected as alice@example.com").await;
    screenshot(c, "desktop-app-link-connected.png").await;
    // The registration used the app link as its redirect URI.
    let logs = cli_ok(s.home(), &["logs", "--kind", "connect"]);
    assert!(logs.contains("connected as alice@example.com"), "{logs}");
    s.close().await;
}

/// `patchbay connect NAME` from the CLI, consent by the headless browser script.
pub(crate) fn cli_connect(home: &Path, name: &str) {
    let out = patchbay_testsupport::run(
        std::process::Command::new(crate::support::cli())
            .args(["connect", name, "--port", "0", "--timeout", "30"])
            .env("PATCHBAY_HOME", home)
            .env(
                "BROWSER",
                format!(
                    "node {}",
                    crate::support::servers_dir().join("browser.mjs").display()
                ),
            )
            .env("PATCHBAY_TEST_BROWSER", "consent"),
        Duration::from_secs(60),
        &format!("patchbay connect {name}"),
    );
    assert!(
        out.status.success(),
        "connect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An MCP client (the SDK's, over stdio) calling `echo` through `patchbay proxy NAME`, in
/// the background.
fn proxy_client(home: &Path, name: &str, env: &[(&str, String)]) -> std::process::Child {
    std::process::Command::new("node")
        .arg(crate::support::servers_dir().join("proxy-client.mjs"))
        .arg(crate::support::cli())
        .arg(name)
        .env("PATCHBAY_HOME", home)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(crate::support::log_stdio(&crate::support::log_file(
            "proxy-client",
        )))
        .spawn()
        .expect("start the MCP client")
}

fn client_result(child: std::process::Child) -> Value {
    crate::support::client_json(
        child,
        "the MCP client (proxy-client.mjs) calling through the proxy",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_tool_call_waits_for_approve_or_deny_in_the_running_app() {
    let servers = Servers::new(json!({}), json!({}));
    let s = Session::new().await;
    let c = s.c();
    cli_ok(
        s.home(),
        &[
            "action",
            "add",
            "guarded",
            "--url",
            &servers.mcp_url(),
            "--auth",
            "oauth",
            "--confirm",
        ],
    );
    cli_connect(s.home(), "guarded");

    // Approve: the prompt names the action, tool and arguments; the call then succeeds.
    let client = proxy_client(s.home(), "guarded", &[]);
    let prompt = wait_text(c, "[data-testid=approval-prompt]", "echo").await;
    assert!(prompt.contains("guarded"), "{prompt}");
    assert!(
        prompt.contains("hello through the proxy"),
        "the arguments are shown: {prompt}"
    );
    assert!(prompt.contains("patchbay-proxy-test"), "who asks: {prompt}");
    screenshot(c, "desktop-approval-prompt.png").await;
    click(c, "[data-testid=approval-approve]").await;
    let out = client_result(client);
    assert_eq!(out["results"][0]["ok"], true, "{out}");
    assert_eq!(out["results"][0]["text"], "hello through the proxy");

    // Deny: the client gets an MCP error saying so.
    let client = proxy_client(s.home(), "guarded", &[]);
    find(c, "[data-testid=approval-prompt]").await;
    click(c, "[data-testid=approval-deny]").await;
    let out = client_result(client);
    assert_eq!(out["results"][0]["ok"], false, "{out}");
    assert!(
        out["results"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("denied")),
        "{out}"
    );

    // No answer: denied when the time is up, and the prompt goes away.
    let client = proxy_client(
        s.home(),
        "guarded",
        &[("PATCHBAY_CONFIRM_TIMEOUT_SECS", "3".into())],
    );
    find(c, "[data-testid=approval-prompt]").await;
    let out = client_result(client);
    assert!(
        out["results"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("in time")),
        "{out}"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while c
        .find(Locator::Css("[data-testid=approval-prompt]"))
        .await
        .is_ok()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the expired prompt closes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let counts: Value =
        serde_json::from_str(&cli_ok(s.home(), &["--json", "approvals"])).expect("json");
    assert_eq!(
        (
            counts["counts"][0]["approved"].clone(),
            counts["counts"][0]["denied"].clone(),
            counts["counts"][0]["expired"].clone()
        ),
        (json!(1), json!(1), json!(1)),
        "{counts}"
    );
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_running_app_the_proxy_starts_it_to_ask() {
    let _slot = crate::support::app_slot().await;
    let servers = Servers::new(json!({}), json!({}));
    let home = tempfile::tempdir().expect("tempdir");
    cli_ok(
        home.path(),
        &[
            "action",
            "add",
            "guarded",
            "--url",
            &servers.mcp_url(),
            "--auth",
            "oauth",
            "--confirm",
        ],
    );
    cli_connect(home.path(), "guarded");
    let (display, _xvfb) = crate::support::display();
    let client = proxy_client(
        home.path(),
        "guarded",
        &[
            (
                "PATCHBAY_DESKTOP_BIN",
                env!("CARGO_BIN_EXE_patchbay-desktop").to_string(),
            ),
            ("DISPLAY", display),
            ("PATCHBAY_NO_SCHEME_REGISTRATION", "1".into()),
        ],
    );
    // The real app comes up (holding its presence lock) and the request waits in it.
    let lock = home.path().join("locks/app.lock");
    let held = || {
        !std::process::Command::new("flock")
            .args(["--nonblock", "--shared"])
            .arg(&lock)
            .arg("true")
            .status()
            .expect("flock")
            .success()
    };
    let mut pending = Value::Null;
    for _ in 0..200 {
        pending =
            serde_json::from_str(&cli_ok(home.path(), &["--json", "approvals"])).expect("json");
        if !apps_of(home.path()).is_empty() && pending["pending"][0]["id"].is_string() && held() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let apps = apps_of(home.path());
    assert_eq!(apps.len(), 1, "the proxy started one app: {apps:?}");
    assert!(held(), "the app holds its presence lock");
    let id = pending["pending"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a pending request: {pending}"))
        .to_string();
    cli_ok(home.path(), &["approve", &id]);
    let out = client_result(client);
    assert_eq!(out["results"][0]["ok"], true, "{out}");
    for pid in apps {
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
    patchbay_testsupport::must(
        "the app the proxy started to exit on SIGTERM",
        crate::support::INSTANCE_GONE,
        || apps_of(home.path()).is_empty().then_some(()),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_connection_is_saved_and_authorized_from_its_dialog() {
    let servers = Servers::new(
        json!({"clients": [{"client_id": "conn-app", "client_secret": "conn-secret-789", "token_endpoint_auth_method": "client_secret_post", "redirect_uris": ["http://127.0.0.1/callback"]}]}),
        json!({}),
    );
    let s = Session::new().await;
    let c = s.c();
    go(c, "#/connections").await;
    // The callback URLs to register, each with a copy button.
    let urls = wait_text(
        c,
        "[data-testid=callback-urls]",
        "dev.patchbay.app:/oauth/callback",
    )
    .await;
    assert!(urls.contains("http://127.0.0.1:"), "{urls}");
    screenshot(c, "desktop-connections-empty.png").await;

    click(c, "[data-testid=add-connection]").await;
    let d = "[data-testid=connection-dialog]";
    find(c, d).await;
    let issuer = servers.issuer();
    for (field, value) in [
        ("name", "test-provider-work"),
        ("provider", "Test provider"),
        ("clientId", "conn-app"),
        ("clientSecret", "conn-secret-789"),
        ("authorizationUrl", &format!("{issuer}/auth")),
        ("tokenUrl", &format!("{issuer}/token")),
        ("scopes", "openid email mcp:read"),
    ] {
        fill(c, &format!("{d} input[name={field}]"), value).await;
    }
    select(
        c,
        &format!("{d} select[name=tokenAuthMethod]"),
        "client_secret_post",
    )
    .await;
    screenshot(c, "desktop-connection-dialog.png").await;
    click(c, "[data-testid=connection-save-authorize]").await;
    let done = wait_text(c, "[data-testid=connection-signin]", "Connected as").await;
    assert!(done.contains("alice@example.com"), "{done}");
    screenshot(c, "desktop-connection-authorized.png").await;
    click(c, "[data-testid=connection-done]").await;
    let row = wait_text(
        c,
        "[data-testid=connection-row][data-name=test-provider-work]",
        "alice@example.com",
    )
    .await;
    assert!(row.contains("conn-app"), "{row}");
    // The secret went to the keychain only: the CLI sees it as set, never its value.
    let shown = cli_ok(
        s.home(),
        &["--json", "connection", "show", "test-provider-work"],
    );
    let v: Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(v["clientSecretSet"], true, "{shown}");
    assert!(!shown.contains("conn-secret-789"), "{shown}");
    screenshot(c, "desktop-connections.png").await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_a_clients_config_from_the_window_keeping_what_was_there() {
    let servers = Servers::new(json!({}), json!({}));
    // The app's HOME is a scratch folder: the client config it writes is Cursor's there.
    let fake_home = tempfile::tempdir().expect("home");
    let cursor = fake_home.path().join(".cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().expect("dir")).expect("mkdir");
    let before = "{\n  // my own server\n  \"mcpServers\": {\n    \"other\": { \"command\": \"/usr/bin/other-mcp\", \"args\": [] },\n  },\n}\n";
    std::fs::write(&cursor, before).expect("seed the config");
    let home = tempfile::tempdir().expect("tempdir");
    let mode = tempfile::NamedTempFile::new().expect("mode file");
    let mut env = browser_env(mode.path());
    env.push(("HOME", fake_home.path().display().to_string()));
    let app = launch_with(home.path(), Keychain::Shared, &env).await;
    let c = &app.client;
    cli_ok(
        home.path(),
        &[
            "action",
            "add",
            "demo",
            "--url",
            &servers.mcp_url(),
            "--auth",
            "oauth",
        ],
    );
    // From the action's ⋮ menu: Export… opens the screen with it selected.
    let row = "[data-testid=action-row][data-name=demo]";
    click(c, &format!("{row} [data-testid=action-menu]")).await;
    click(c, "[data-testid=menu-export]").await;
    find(c, "[data-testid=export-screen]").await;
    click(c, "[data-testid=export-client-cursor]").await;
    let path = wait_text(c, "[data-testid=export-path]", ".cursor/mcp.json").await;
    assert!(
        path.contains(&fake_home.path().display().to_string()),
        "{path}"
    );
    let command = wait_text(c, "[data-testid=export-command]", "proxy demo").await;
    assert!(command.starts_with('/'), "an absolute path: {command}");
    screenshot(c, "desktop-export.png").await;

    // Write to config asks first, listing the exact command.
    click(c, "[data-testid=export-write]").await;
    let confirm = wait_text(c, "[data-testid=export-confirm]", "proxy demo").await;
    assert!(confirm.contains("backup"), "{confirm}");
    screenshot(c, "desktop-export-confirm.png").await;
    click(c, "[data-testid=confirm-ok]").await;
    wait_text(c, "[data-testid=export-result]", "mcp.json").await;
    let backup = wait_text(c, "[data-testid=export-backup]", "patchbay-backup-").await;
    screenshot(c, "desktop-export-written.png").await;

    let after = std::fs::read_to_string(&cursor).expect("the config");
    assert!(after.contains("// my own server"), "comments kept: {after}");
    assert!(
        after.contains("/usr/bin/other-mcp"),
        "other entries kept: {after}"
    );
    assert!(
        after.contains("\"demo\"") && after.contains("\"proxy\""),
        "{after}"
    );
    let backups: Vec<_> = std::fs::read_dir(cursor.parent().expect("dir"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("patchbay-backup-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backup}");
    assert_eq!(
        std::fs::read_to_string(backups[0].path()).expect("backup"),
        before
    );
    app.close().await;
}

/// Run the CLI with `stdin` (for secrets); its stdout, or a panic with its stderr.
fn cli_with_stdin(home: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = std::process::Command::new(crate::support::cli())
        .args(args)
        .env("PATCHBAY_HOME", home)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the CLI");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes())
        .expect("stdin");
    let out = patchbay_testsupport::output_within(
        child,
        crate::support::CLI_WITHIN,
        &format!("patchbay {args:?}"),
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_after_test_all_logs_without_secrets_and_the_gallery_prefill() {
    let servers = Servers::new(json!({}), json!({}));
    // The app's own HOME: the logs export goes to its Downloads folder (here: HOME itself).
    let user_home = tempfile::tempdir().expect("tempdir");
    let s = Session::new_with(&[("HOME", user_home.path().display().to_string())]).await;
    let c = s.c();
    let url = servers.mcp_url();
    cli_ok(
        s.home(),
        &["action", "add", "demo", "--url", &url, "--auth", "oauth"],
    );
    cli_connect(s.home(), "demo");
    cli_ok(
        s.home(),
        &["action", "add", "down", "--url", "http://127.0.0.1:9/mcp"],
    );
    // A call that carries a secret the server refuses, and one that works.
    const SECRET: &str = "ghp_e2eSecretValue0123456789";
    cli_with_stdin(
        s.home(),
        &[
            "token",
            "add",
            "pat",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
            "--value-stdin",
        ],
        &format!("{SECRET}\n"),
    );
    cli_ok(
        s.home(),
        &[
            "action",
            "add",
            "api",
            "--http",
            "--url",
            &url,
            "--auth",
            "token:pat",
        ],
    );
    cli_with_stdin(s.home(), &["call", "api"], "");
    cli_ok(
        s.home(),
        &[
            "call",
            "demo",
            "echo",
            "--args",
            r#"{"text": "logged call"}"#,
        ],
    );

    // Health: Test all, then every row says how it went.
    go(c, "#/health").await;
    click(c, "[data-testid=health-test-all]").await;
    wait_attr(
        c,
        "[data-testid=health-row][data-name=demo]",
        "data-status",
        "healthy",
    )
    .await;
    wait_attr(
        c,
        "[data-testid=health-row][data-name=down]",
        "data-status",
        "unhealthy",
    )
    .await;
    wait_attr(
        c,
        "[data-testid=health-row][data-name=api]",
        "data-status",
        "unhealthy",
    )
    .await;
    screenshot(c, "desktop-health.png").await;

    // Logs: the calls are there, searchable, and no secret shows anywhere.
    go(c, "#/logs").await;
    find(c, "[data-testid=log-row]").await;
    select(c, "[data-testid=logs-action]", "api").await;
    click(c, "[data-testid=log-row]").await;
    let details = wait_text(c, "[data-testid=log-details]", "api").await;
    let page = c
        .execute("return document.body.innerText;", vec![])
        .await
        .expect("page text");
    assert!(
        !page.as_str().unwrap_or_default().contains(SECRET) && !details.contains(SECRET),
        "no secret on the Logs screen"
    );
    select(c, "[data-testid=logs-action]", "all").await;
    fill(c, "[data-testid=logs-search]", "logged call").await;
    let row = wait_text(c, "[data-testid=log-row]", "echo").await;
    assert!(row.contains("demo"), "{row}");
    click(c, "[data-testid=log-row]").await;
    wait_text(c, "[data-testid=log-details]", "logged call").await;
    screenshot(c, "desktop-logs.png").await;
    // Export what the search selects: whole rows, as JSON lines, where the toast says.
    click(c, "[data-testid=logs-export]").await;
    let toast = wait_text(c, "body", "Exported 1 row").await;
    let file = std::fs::read_dir(user_home.path())
        .expect("read HOME")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap_or_else(|| panic!("no .jsonl in HOME; the window says {toast:?}"));
    assert!(toast.contains(&file.display().to_string()), "{toast}");
    let text = std::fs::read_to_string(&file).expect("read the export");
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0]["request"].is_object(), "whole rows: {text}");
    assert!(!text.contains(SECRET), "{text}");

    // Provider gallery: Add pre-fills the form.
    go(c, "#/gallery").await;
    click(
        c,
        "[data-testid=provider-tile][data-id=linear] [data-testid=provider-add]",
    )
    .await;
    let name = find(c, "[data-testid=action-form] input[name=url]").await;
    let mut value = None;
    for _ in 0..50 {
        value = name.prop("value").await.ok().flatten();
        if value.as_deref() == Some("https://mcp.linear.app/mcp") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(value.as_deref(), Some("https://mcp.linear.app/mcp"));
    screenshot(c, "desktop-gallery-prefill.png").await;
    go(c, "#/gallery").await;
    find(c, "[data-testid=provider-tile][data-id=github]").await;
    screenshot(c, "desktop-gallery.png").await;
    s.close().await;
}

/// An input's current value (the property: what React last rendered or the user typed).
async fn input_value(c: &Client, css: &str) -> String {
    let el = find(c, css).await;
    el.prop("value").await.ok().flatten().unwrap_or_default()
}

async fn wait_value(c: &Client, css: &str, want: &str) {
    for _ in 0..100 {
        if input_value(c, css).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shot = crate::support::failure_screenshot(c).await;
    panic!(
        "{css} holds {:?}, not {want:?} (the window then: {shot})",
        input_value(c, css).await
    );
}

/// Close the app and wait until its process is gone (the next launch must not hand over
/// to it: the app is single-instance).
async fn quit(app: App, home: &Path) {
    app.close_expecting_exit(Duration::from_secs(10)).await;
    assert!(
        apps_of(home).is_empty(),
        "the app for {} is gone once closed",
        home.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_persist_across_restarts_and_reach_the_cli() {
    let home = tempfile::tempdir().expect("tempdir");
    let port = crate::support::free_port().to_string();
    let port_field = "[data-testid=settings-callback-port]";

    // First run: change every setting and save.
    let app = launch_with(home.path(), Keychain::Shared, &[]).await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    go(c, "#/settings").await;
    wait_value(c, port_field, "47615").await;
    for (field, value) in [
        (port_field, port.as_str()),
        ("[data-testid=settings-consent-timeout]", "90"),
        ("[data-testid=settings-confirm-timeout]", "45"),
        ("[data-testid=settings-log-rows]", "5000"),
        ("[data-testid=settings-log-days]", "7"),
    ] {
        fill(c, field, value).await;
        wait_value(c, field, value).await;
    }
    wait_text(
        c,
        "[data-testid=settings-form]",
        &format!("http://127.0.0.1:{port}/callback"),
    )
    .await;
    wait_text(c, "[data-testid=settings-form]", "1 minute 30 seconds").await;
    screenshot(c, "desktop-settings.png").await;
    // The desktop's switches: keep running in the tray off, start at login on, one kind of
    // notification off.
    for switch in [
        "settings-close-to-tray",
        "settings-start-at-login",
        "settings-notify-gateway-clients",
    ] {
        click(c, &format!("[data-testid={switch}]")).await;
    }
    wait_attr(
        c,
        "[data-testid=settings-start-at-login]",
        "data-state",
        "checked",
    )
    .await;
    wait_attr(
        c,
        "[data-testid=settings-close-to-tray]",
        "data-state",
        "unchecked",
    )
    .await;
    crate::support::bounded(
        "scroll to the Desktop settings",
        c.execute(
            "document.querySelector('[data-testid=settings-start-at-login]') \
               .scrollIntoView({block: 'center'});",
            vec![],
        ),
    )
    .await
    .expect("scroll");
    screenshot(c, "desktop-settings-tray.png").await;
    click(c, "[data-testid=settings-theme-dark]").await;
    wait_attr(c, "html", "data-theme", "dark").await;
    click(c, "[data-testid=settings-save]").await;
    wait_text(c, "body", "Settings saved").await;
    // Saved in the profile: another process (the CLI) reads them; start at login from the
    // user's configuration folder (the CLI is told the app's scratch one).
    let out = patchbay_testsupport::run(
        std::process::Command::new(crate::support::cli())
            .args(["--json", "settings"])
            .env("PATCHBAY_HOME", home.path())
            .env("XDG_CONFIG_HOME", app.config_home()),
        crate::support::CLI_WITHIN,
        "patchbay --json settings",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["saved"],
        json!({
            "callbackPort": port.parse::<u16>().expect("port"),
            "consentTimeoutSecs": 90,
            "confirmTimeoutSecs": 45,
            "logMaxRows": 5000,
            "logMaxAgeDays": 7,
            "theme": "dark",
            "gatewayPort": 47616,
            "gatewayAccessTokenSecs": 3600,
            "gatewayRefreshTokenDays": 30,
            "gatewayRefreshGraceSecs": 60,
            "gatewayEnabled": false,
            "closeToTray": false,
            "startAtLogin": true,
            "notifyHealth": true,
            "notifyApprovals": true,
            "notifyGatewayClients": false
        }),
        "{v}"
    );
    // Start at login is the user's XDG autostart entry, starting this app hidden.
    let entry = app.config_home().join("autostart/dev.patchbay.app.desktop");
    let text = std::fs::read_to_string(&entry)
        .unwrap_or_else(|e| panic!("the autostart entry {}: {e}", entry.display()));
    assert!(
        text.contains(&format!(
            "\nExec={} --hidden\n",
            env!("CARGO_BIN_EXE_patchbay-desktop")
        )),
        "{text}"
    );
    click(c, "[data-testid=settings-start-at-login]").await;
    click(c, "[data-testid=settings-save]").await;
    patchbay_testsupport::must(
        "the autostart entry to go when the switch is turned off and saved",
        Duration::from_secs(10),
        || (!entry.exists()).then_some(()),
    );
    quit(app, home.path()).await;

    // Second run: the theme, the form and the callback URL all come back.
    let app = launch_with(home.path(), Keychain::Shared, &[]).await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    wait_attr(c, "html", "data-theme", "dark").await;
    go(c, "#/settings").await;
    wait_value(c, port_field, &port).await;
    wait_value(c, "[data-testid=settings-consent-timeout]", "90").await;
    wait_value(c, "[data-testid=settings-log-rows]", "5000").await;
    wait_value(c, "[data-testid=settings-log-days]", "7").await;
    wait_attr(
        c,
        "[data-testid=settings-close-to-tray]",
        "data-state",
        "unchecked",
    )
    .await;
    wait_attr(
        c,
        "[data-testid=settings-notify-gateway-clients]",
        "data-state",
        "unchecked",
    )
    .await;
    let about = wait_text(c, "[data-testid=settings-about]", "first screen in").await;
    assert!(
        about.contains(&home.path().display().to_string()),
        "{about}"
    );
    screenshot(c, "desktop-settings-dark.png").await;
    go(c, "#/connections").await;
    wait_text(
        c,
        "[data-testid=callback-urls]",
        &format!("http://127.0.0.1:{port}/callback"),
    )
    .await;
    quit(app, home.path()).await;

    // Third run with the port set in the environment: it wins, and the screen says so.
    let app = launch_with(
        home.path(),
        Keychain::Shared,
        &[("PATCHBAY_CALLBACK_PORT", "0".into())],
    )
    .await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    go(c, "#/settings").await;
    wait_value(c, port_field, &port).await;
    wait_text(
        c,
        "[data-testid=settings-override-callbackPort]",
        "PATCHBAY_CALLBACK_PORT",
    )
    .await;
    quit(app, home.path()).await;
}
