//! The local gateway from the real window: the app serves it while its switch is on (and
//! stops it when turned off or quit), access keys are made, shown once and revoked there, a
//! confirmed tool call through the gateway waits for Approve in the window, a gateway that
//! another process (`patchbay gateway serve`) already holds is named with its pid, and an
//! OAuth client made in the window signs in, then lives through rotate, revoke and
//! re-activate there.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::Client;
use serde_json::{Value, json};

use crate::desktop::cli_connect;
use crate::support::{
    App, Keychain, Servers, apps_of, cli, cli_ok, click, fill, find, free_port, go, inner_text,
    launch_with, log_file, log_stdio, screenshot, servers_dir, wait_attr, wait_text,
};

const STATUS: &str = "[data-testid=gateway-status]";

/// How long one HTTP exchange with the gateway may take.
const HTTP_WITHIN: Duration = Duration::from_secs(10);

/// The status code of a JSON-RPC `initialize` POSTed to `/mcp` with this key (or none);
/// `None` when nothing listens on the port.
pub(crate) fn post_initialize(port: u16, key: Option<&str>) -> Option<u16> {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).ok()?;
    tcp.set_read_timeout(Some(HTTP_WITHIN)).expect("timeout");
    tcp.set_write_timeout(Some(HTTP_WITHIN)).expect("timeout");
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "e2e-raw", "version": "1"}}
    })
    .to_string();
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{auth}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("send a request to the gateway on port {port}: {e}"));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") {
        match tcp.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            Ok(_) => break,
            Err(e) => panic!(
                "waited {HTTP_WITHIN:?} for the gateway on port {port} to answer: {e} (read {:?})",
                String::from_utf8_lossy(&head)
            ),
        }
    }
    let line = String::from_utf8_lossy(&head).to_string();
    let code = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("the gateway on port {port} answered {line:?}"));
    Some(code)
}

/// Until the gateway on `port` answers `want` (`None`: nothing listens), bounded.
pub(crate) async fn wait_http(port: u16, key: Option<&str>, want: Option<u16>, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut last = None;
    while std::time::Instant::now() < deadline {
        let key = key.map(String::from);
        last = tokio::task::spawn_blocking(move || post_initialize(port, key.as_deref()))
            .await
            .expect("the HTTP probe");
        if last == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited 15 s for {what} on port {port}: wanted {want:?}, the last answer was {last:?}");
}

fn gateway_status(home: &Path) -> Value {
    serde_json::from_str(&cli_ok(home, &["--json", "gateway", "status"])).expect("json")
}

/// What the system clipboard holds, pasted (Ctrl+V, as a user would) into a scratch text
/// area added inside `within` (an open dialog keeps the focus inside itself); WebKitGTK
/// refuses `navigator.clipboard.readText()` to scripts.
pub(crate) async fn pasted(c: &Client, within: &str) -> String {
    crate::support::bounded(
        "add a scratch text area",
        c.execute(
            "const t = document.createElement('textarea'); t.id = 'e2e-paste'; \
             document.querySelector(arguments[0]).appendChild(t);",
            vec![json!(within)],
        ),
    )
    .await
    .expect("add a text area");
    let area = find(c, "#e2e-paste").await;
    crate::support::bounded("paste with Ctrl+V", area.send_keys("\u{E009}v\u{E000}"))
        .await
        .expect("paste");
    let value = crate::support::bounded("read the pasted text", area.prop("value"))
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    crate::support::bounded(
        "remove the scratch text area",
        c.execute("document.getElementById('e2e-paste').remove();", vec![]),
    )
    .await
    .expect("remove the text area");
    value
}

/// The MCP TypeScript SDK's client calling `tool` through the gateway, in the background.
pub(crate) fn gateway_client(url: &str, key: &str, tool: &str, args: Value) -> Child {
    Command::new("node")
        .arg(servers_dir().join("gateway-client.mjs"))
        .args([url, key, "--call", tool, &args.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_stdio(&log_file("gateway-client")))
        .spawn()
        .expect("start the gateway client")
}

pub(crate) fn client_report(child: Child) -> Value {
    crate::support::client_json(
        child,
        "the MCP client (gateway-client.mjs) calling through the app's gateway",
    )
}

async fn open_gateway_screen(app: &App) {
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;
    go(c, "#/gateway").await;
    find(c, STATUS).await;
}

async fn quit(app: App, home: &Path) {
    app.close_expecting_exit(Duration::from_secs(15)).await;
    assert!(apps_of(home).is_empty(), "the app is gone once closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_serves_the_gateway_makes_shows_once_and_revokes_keys_and_asks_before_a_confirmed_call()
 {
    let servers = Servers::new(json!({}), json!({}));
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let port = free_port();
    cli_ok(h, &["settings", "set", "gatewayPort", &port.to_string()]);
    cli_ok(
        h,
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
    cli_connect(h, "guarded");

    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    open_gateway_screen(&app).await;
    wait_attr(c, STATUS, "data-state", "off").await;
    assert_eq!(
        post_initialize(port, None),
        None,
        "nothing listens while off"
    );

    // On: the app serves it; a request without a key is refused.
    click(c, "[data-testid=gateway-switch]").await;
    wait_attr(c, STATUS, "data-state", "here").await;
    wait_http(port, None, Some(401), "a request without a key refused").await;
    let st = gateway_status(h);
    assert_eq!(st["running"], true, "{st}");
    assert_eq!(
        st["pid"].as_u64().map(|p| p as u32),
        apps_of(h).first().copied(),
        "the app's own process serves it: {st}"
    );
    let url = format!("http://127.0.0.1:{port}/mcp");
    wait_text(c, "[data-testid=gateway-url]", &url).await;
    wait_text(
        c,
        "[data-testid=gateway-url-guarded]",
        &format!("http://127.0.0.1:{port}/a/guarded/mcp"),
    )
    .await;
    let saved: Value = serde_json::from_str(&cli_ok(h, &["--json", "settings"])).expect("json");
    assert_eq!(saved["saved"]["gatewayEnabled"], true, "{saved}");

    // A key for the action: shown once, copied, working.
    click(c, "[data-testid=gateway-create-key]").await;
    let dialog = "[data-testid=gateway-key-dialog]";
    fill(c, &format!("{dialog} input[name=name]"), "e2e-key").await;
    click(c, "[data-testid=gateway-key-action-guarded]").await;
    // Its tools, asked of the action's server (through Patchbay's sign-in), to limit the key.
    click(c, "[data-testid=gateway-key-limit-guarded-on]").await;
    click(c, "[data-testid=gateway-key-tool-guarded-echo]").await;
    click(c, "[data-testid=gateway-key-expiry-30d]").await;
    screenshot(c, "desktop-gateway-create-key.png").await;
    click(c, "[data-testid=gateway-key-save]").await;
    find(c, "[data-testid=gateway-key-created]").await;
    let shown = inner_text(c, &find(c, "[data-testid=gateway-new-key] code").await).await;
    let key = shown.trim().to_string();
    assert!(
        key.len() == 47
            && key.starts_with("pbk_")
            && key[4..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "the key is pbk_ and 43 base64url characters, got {} characters",
        key.len()
    );
    wait_text(
        c,
        "[data-testid=gateway-key-warning]",
        "it can’t be shown again",
    )
    .await;
    click(c, "[data-testid=gateway-new-key-copy]").await;
    wait_text(c, "[data-testid=gateway-new-key]", "Copied").await;
    assert!(
        pasted(c, "[data-testid=gateway-key-created]").await == key,
        "the clipboard holds the key (pasted back, it differs)"
    );
    screenshot(c, "desktop-gateway-key-created.png").await;
    wait_http(port, Some(&key), Some(200), "the new key let in").await;
    click(c, "[data-testid=gateway-key-done]").await;
    wait_attr(
        c,
        "[data-testid=gateway-key-row][data-name=e2e-key]",
        "data-state",
        "active",
    )
    .await;
    let page = inner_text(c, &find(c, "body").await).await;
    assert!(!page.contains(&key), "the key is not shown a second time");
    let listed: Value =
        serde_json::from_str(&cli_ok(h, &["--json", "gateway", "key", "list"])).expect("json");
    assert_eq!(
        (
            listed[0]["name"].clone(),
            listed[0]["actions"].clone(),
            listed[0]["tools"].clone()
        ),
        (
            json!("e2e-key"),
            json!(["guarded"]),
            json!(["guarded__echo"])
        ),
        "{listed}"
    );
    assert!(!listed.to_string().contains(&key), "never the key");
    wait_text(
        c,
        "[data-testid=gateway-key-row][data-name=e2e-key]",
        "only guarded__echo",
    )
    .await;

    // A confirmed tool call through the app's gateway waits for Approve in this window.
    let client = gateway_client(
        &url,
        &key,
        "guarded__echo",
        json!({"text": "hello through the gateway"}),
    );
    let prompt = wait_text(c, "[data-testid=approval-prompt]", "echo").await;
    assert!(prompt.contains("guarded"), "{prompt}");
    assert!(
        prompt.contains("hello through the gateway"),
        "the arguments are shown: {prompt}"
    );
    click(c, "[data-testid=approval-approve]").await;
    let r = client_report(client);
    assert_eq!(r["calls"][0]["ok"], true, "{r}");
    assert_eq!(r["calls"][0]["text"], "hello through the gateway", "{r}");
    // The screen's recent clients (it asks again every few seconds).
    let row = wait_text(
        c,
        "[data-testid=gateway-client-row][data-name=e2e-key]",
        "echo",
    )
    .await;
    assert!(row.contains("Access key"), "{row}");
    // The picture without the "Approved" toast over the keys (if it has not gone by itself).
    crate::support::bounded(
        "dismiss the toasts",
        c.execute(
            "document.querySelectorAll('[data-testid=toast] [aria-label=Dismiss]') \
               .forEach((b) => b.click());",
            vec![],
        ),
    )
    .await
    .expect("dismiss the toasts");
    screenshot(c, "desktop-gateway.png").await;

    // Revoke, after confirming: the next request with the key is refused.
    click(
        c,
        "[data-testid=gateway-key-row][data-name=e2e-key] [data-testid=gateway-key-revoke]",
    )
    .await;
    wait_text(
        c,
        "[data-testid=gateway-revoke-dialog]",
        "refused from their next request",
    )
    .await;
    assert_eq!(
        post_initialize(port, Some(&key)),
        Some(200),
        "not revoked before the confirmation"
    );
    click(c, "[data-testid=confirm-ok]").await;
    wait_attr(
        c,
        "[data-testid=gateway-key-row][data-name=e2e-key]",
        "data-state",
        "revoked",
    )
    .await;
    // Revoked in this window, refused at the gateway's very next request.
    let refused = tokio::task::spawn_blocking({
        let key = key.clone();
        move || post_initialize(port, Some(&key))
    })
    .await
    .expect("the HTTP probe");
    assert_eq!(refused, Some(401), "the revoked key is refused at once");

    // Off: the app stops serving; on again, then quitting the app stops it too.
    click(c, "[data-testid=gateway-switch]").await;
    wait_attr(c, STATUS, "data-state", "off").await;
    wait_http(port, None, None, "the port closed").await;
    assert_eq!(gateway_status(h)["running"], false);
    click(c, "[data-testid=gateway-switch]").await;
    wait_attr(c, STATUS, "data-state", "here").await;
    wait_http(port, None, Some(401), "the gateway serving again").await;
    quit(app, h).await;
    wait_http(port, None, None, "the port closed once the app quit").await;
    let st = gateway_status(h);
    assert_eq!(st["running"], false, "the lock went with the app: {st}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_names_what_keeps_it_from_serving_the_gateway() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let port = free_port();
    cli_ok(h, &["settings", "set", "gatewayPort", &port.to_string()]);
    cli_ok(h, &["settings", "set", "gatewayEnabled", "true"]);

    // `patchbay gateway serve` holds this profile's gateway first.
    let mut serve = Command::new(cli())
        .args(["gateway", "serve"])
        .env("PATCHBAY_HOME", h)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_stdio(&log_file("gateway-serve")))
        .spawn()
        .expect("patchbay gateway serve");
    let mut lines = patchbay_testsupport::Lines::new(
        serve.stdout.take().expect("stdout"),
        "patchbay gateway serve",
    );
    let first = lines.next(Duration::from_secs(30));
    assert_eq!(first, format!("http://127.0.0.1:{port}/mcp"));
    let pid = serve.id();

    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    open_gateway_screen(&app).await;
    wait_attr(c, STATUS, "data-state", "elsewhere").await;
    let error = wait_text(c, "[data-testid=gateway-start-error]", "already running").await;
    assert!(
        error.contains(&format!("process {pid}")),
        "names the process: {error}"
    );
    let text = inner_text(c, &find(c, "[data-testid=gateway-state-text]").await).await;
    assert!(text.contains(&format!("pid {pid}")), "{text}");
    screenshot(c, "desktop-gateway-elsewhere.png").await;

    // Once that one stops, the app takes the gateway over by itself.
    patchbay_testsupport::stop(&mut serve, Duration::from_secs(15));
    wait_attr(c, STATUS, "data-state", "here").await;
    wait_http(port, None, Some(401), "the app's gateway serving").await;
    let st = gateway_status(h);
    assert_eq!(
        st["pid"].as_u64().map(|p| p as u32),
        apps_of(h).first().copied(),
        "the app serves it now: {st}"
    );
    quit(app, h).await;

    // A port another program holds: the error says so and names the setting (in the dark
    // theme, for its picture).
    cli_ok(h, &["settings", "set", "theme", "dark"]);
    let busy = std::net::TcpListener::bind(("127.0.0.1", port)).expect("hold the port");
    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    open_gateway_screen(&app).await;
    wait_attr(c, STATUS, "data-state", "failed").await;
    wait_attr(
        c,
        "[data-testid=gateway-start-error]",
        "data-code",
        "port_busy",
    )
    .await;
    let error = wait_text(c, "[data-testid=gateway-start-error]", "gatewayPort").await;
    assert!(error.contains(&format!("port {port}")), "{error}");
    assert!(error.contains("Try again"), "{error}");
    wait_attr(c, "html", "data-theme", "dark").await;
    screenshot(c, "desktop-gateway-port-busy-dark.png").await;
    // Not tried again by itself; Try again once the port is free.
    drop(busy);
    tokio::time::sleep(Duration::from_secs(3)).await;
    wait_attr(c, STATUS, "data-state", "failed").await;
    click(c, "[data-testid=gateway-retry]").await;
    wait_attr(c, STATUS, "data-state", "here").await;
    wait_http(
        port,
        None,
        Some(401),
        "the app's gateway serving after Try again",
    )
    .await;
    quit(app, h).await;
}

/// A local app signing in to the gateway with a third-party OAuth library (oauth4webapi, in
/// `tests/servers/oauth-app.mjs`): its one JSON line (a token response, or an error).
fn oauth_app(args: &[&str]) -> Value {
    let child = Command::new("node")
        .arg(servers_dir().join("oauth-app.mjs"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_stdio(&log_file("oauth-app")))
        .spawn()
        .expect("start the OAuth app");
    crate::support::client_json(child, "the OAuth app (tests/servers/oauth-app.mjs)")
}

fn token_of(v: &Value, which: &str) -> String {
    v[which]
        .as_str()
        .unwrap_or_else(|| panic!("no {which} in {v}"))
        .to_string()
}

/// `patchbay gateway client list --json`, and the client named `name` in it.
fn listed_client(home: &Path, name: &str) -> (Value, Value) {
    let listed: Value =
        serde_json::from_str(&cli_ok(home, &["--json", "gateway", "client", "list"]))
            .expect("json");
    let one = listed
        .as_array()
        .and_then(|l| l.iter().find(|c| c["name"] == name).cloned())
        .unwrap_or_else(|| panic!("no client {name} in {listed}"));
    (listed, one)
}

/// The text of a value shown with Copy (its `<code>`).
async fn shown_value(c: &Client, test_id: &str) -> String {
    let css = format!("[data-testid={test_id}] code");
    inner_text(c, &find(c, &css).await).await.trim().to_string()
}

/// The whole page's text must not hold `secret` (`what` says where the page is).
async fn nowhere(c: &Client, secret: &str, what: &str) {
    let page = inner_text(c, &find(c, "body").await).await;
    assert!(!page.contains(secret), "the secret shows again {what}");
    let html = crate::support::bounded(
        "read the page's HTML",
        c.execute("return document.documentElement.outerHTML;", vec![]),
    )
    .await
    .expect("the page's HTML");
    assert!(
        !html.as_str().unwrap_or_default().contains(secret),
        "the secret is in the page's HTML {what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_makes_an_oauth_client_shows_its_secret_once_and_rotates_revokes_and_reactivates_it()
 {
    let servers = Servers::new(json!({}), json!({}));
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let port = free_port();
    cli_ok(h, &["settings", "set", "gatewayPort", &port.to_string()]);
    cli_ok(h, &["settings", "set", "gatewayEnabled", "true"]);
    cli_ok(h, &["action", "add", "notes", "--url", &servers.mcp_url()]);
    // Another client, made in a terminal, so the table has a public one too.
    cli_ok(
        h,
        &[
            "gateway",
            "client",
            "add",
            "n8n",
            "--type",
            "public",
            "--redirect-uri",
            "http://127.0.0.1:5678/rest/oauth2-credential/callback",
            "--actions",
            "*",
        ],
    );
    // And an access key, so the screen shows both kinds of credential.
    cli_ok(h, &["gateway", "key", "add", "codex", "--actions", "*"]);
    let issuer = format!("http://127.0.0.1:{port}");
    let redirect = "http://127.0.0.1:8765/callback";

    let app = launch_with(h, Keychain::Shared, &[]).await;
    let c = &app.client;
    open_gateway_screen(&app).await;
    wait_attr(c, STATUS, "data-state", "here").await;

    // The wizard: the app, then what it may use.
    click(c, "[data-testid=gateway-create-client]").await;
    let dialog = "[data-testid=gateway-client-dialog]";
    find(c, dialog).await;
    crate::support::settled(c).await;
    fill(c, &format!("{dialog} input[name=name]"), "e2e-crm").await;
    // A URI core refuses, caught as typed: the wizard stays on its first step.
    fill(
        c,
        &format!("{dialog} textarea[name=redirectUris]"),
        "http://crm.example.com/cb",
    )
    .await;
    click(c, "[data-testid=gateway-client-next]").await;
    wait_text(c, dialog, "uses plain http away from this computer").await;
    wait_attr(c, "[data-testid=gateway-client-step]", "data-step", "app").await;
    fill(
        c,
        &format!("{dialog} textarea[name=redirectUris]"),
        redirect,
    )
    .await;
    screenshot(c, "desktop-gateway-oauth-client-new.png").await;
    click(c, "[data-testid=gateway-client-next]").await;
    wait_attr(c, "[data-testid=gateway-client-step]", "data-step", "scope").await;
    click(c, "[data-testid=gateway-client-action-notes]").await;
    click(c, "[data-testid=gateway-client-save]").await;

    // Shown once: the endpoint, the client id and the secret, each with Copy.
    find(c, "[data-testid=gateway-client-created]").await;
    crate::support::settled(c).await;
    let endpoint = shown_value(c, "gateway-new-client-endpoint").await;
    assert_eq!(endpoint, format!("{issuer}/mcp"));
    let client_id = shown_value(c, "gateway-new-client-id").await;
    let secret = shown_value(c, "gateway-new-client-secret").await;
    assert!(client_id.starts_with("pbc_"), "{client_id}");
    assert!(
        secret.len() == 48 && secret.starts_with("pbcs_"),
        "the secret is pbcs_ and 43 base64url characters, got {} characters",
        secret.len()
    );
    wait_text(
        c,
        "[data-testid=gateway-client-warning]",
        "it can’t be shown again",
    )
    .await;
    click(c, "[data-testid=gateway-new-client-secret-copy]").await;
    wait_text(c, "[data-testid=gateway-new-client-secret]", "Copied").await;
    assert!(
        pasted(c, "[data-testid=gateway-client-created]").await == secret,
        "the clipboard holds the secret (pasted back, it differs)"
    );
    screenshot(c, "desktop-gateway-oauth-client-created.png").await;
    click(c, "[data-testid=gateway-client-done]").await;
    let row = "[data-testid=gateway-oauth-row][data-name=e2e-crm]";
    wait_attr(c, row, "data-status", "active").await;
    nowhere(c, &secret, "once the dialog is closed").await;
    // Nor after leaving the screen and coming back, nor after reloading the page.
    go(c, "#/actions").await;
    find(c, "[data-testid=add-action]").await;
    go(c, "#/gateway").await;
    wait_attr(c, row, "data-status", "active").await;
    nowhere(c, &secret, "on coming back to the screen").await;
    crate::support::bounded("reload the page", c.refresh())
        .await
        .expect("reload");
    // The page comes back on its route, the Gateway screen.
    find(c, STATUS).await;
    wait_attr(c, row, "data-status", "active").await;
    nowhere(c, &secret, "after a reload").await;

    // The CLI sees it as made in the window, never its secret.
    let (listed, made) = listed_client(h, "e2e-crm");
    assert_eq!(
        (
            &made["clientId"],
            &made["type"],
            &made["kind"],
            &made["status"],
            &made["redirectUris"],
            &made["actions"],
            &made["secretRotatedAt"],
        ),
        (
            &json!(client_id),
            &json!("confidential"),
            &json!("custom"),
            &json!("active"),
            &json!([redirect]),
            &json!(["notes"]),
            &Value::Null,
        ),
        "{listed}"
    );
    assert!(!listed.to_string().contains(&secret), "never the secret");

    // An app signs in with it (code + PKCE + the secret) and reaches the gateway.
    let signed = oauth_app(&["signin", &issuer, &client_id, &secret, redirect]);
    let access = token_of(&signed, "access_token");
    let refresh = token_of(&signed, "refresh_token");
    wait_http(
        port,
        Some(&access),
        Some(200),
        "the client's access token let in",
    )
    .await;

    // Rotate: asked first (the old secret still works until confirmed), then shown once.
    click(c, &format!("{row} [data-testid=gateway-oauth-menu]")).await;
    find(c, "[data-testid=gateway-oauth-rotate]").await;
    crate::support::settled(c).await;
    click(c, "[data-testid=gateway-oauth-rotate]").await;
    wait_text(
        c,
        "[data-testid=gateway-oauth-rotate-dialog]",
        "The old secret stops working at once",
    )
    .await;
    assert_eq!(
        listed_client(h, "e2e-crm").1["secretRotatedAt"],
        Value::Null,
        "nothing rotated before the confirmation"
    );
    crate::support::settled(c).await;
    click(c, "[data-testid=confirm-ok]").await;
    find(c, "[data-testid=gateway-client-rotated]").await;
    crate::support::settled(c).await;
    let new_secret = shown_value(c, "gateway-new-client-secret").await;
    assert!(
        new_secret.starts_with("pbcs_") && new_secret != secret,
        "a new secret"
    );
    assert_eq!(shown_value(c, "gateway-new-client-id").await, client_id);
    wait_text(
        c,
        "[data-testid=gateway-client-next-steps]",
        "What to do next",
    )
    .await;
    screenshot(c, "desktop-gateway-oauth-secret-rotated.png").await;
    click(c, "[data-testid=gateway-client-done]").await;
    nowhere(c, &new_secret, "once the rotation's dialog is closed").await;
    let (listed, rotated) = listed_client(h, "e2e-crm");
    assert!(
        rotated["secretRotatedAt"].is_string(),
        "secretRotatedAt is set: {rotated}"
    );
    assert!(
        !listed.to_string().contains(&new_secret),
        "never the new secret"
    );
    // The old secret is refused at the token endpoint; the new one works.
    let old = oauth_app(&["refresh", &issuer, &client_id, &secret, &refresh]);
    assert_eq!(
        (&old["error"], &old["status"]),
        (&json!("invalid_client"), &json!(401)),
        "{old}"
    );
    let renewed = oauth_app(&["refresh", &issuer, &client_id, &new_secret, &refresh]);
    let access = token_of(&renewed, "access_token");
    let refresh = token_of(&renewed, "refresh_token");
    wait_http(
        port,
        Some(&access),
        Some(200),
        "the renewed access token let in",
    )
    .await;
    crate::support::bounded(
        "scroll the OAuth clients into view",
        c.execute(
            "document.querySelector('[data-testid=gateway-oauth]').scrollIntoView({block: 'end'});",
            vec![],
        ),
    )
    .await
    .expect("scroll");
    screenshot(c, "desktop-gateway-oauth-clients.png").await;

    // Revoke, after confirming: every token of the client dies at once.
    click(c, &format!("{row} [data-testid=gateway-oauth-menu]")).await;
    find(c, "[data-testid=gateway-oauth-revoke]").await;
    crate::support::settled(c).await;
    click(c, "[data-testid=gateway-oauth-revoke]").await;
    wait_text(
        c,
        "[data-testid=gateway-oauth-revoke-dialog]",
        "Every token of this client stops working at once",
    )
    .await;
    assert_eq!(
        post_initialize(port, Some(&access)),
        Some(200),
        "not revoked before the confirmation"
    );
    crate::support::settled(c).await;
    click(c, "[data-testid=confirm-ok]").await;
    wait_attr(c, row, "data-status", "revoked").await;
    let refused = tokio::task::spawn_blocking({
        let access = access.clone();
        move || post_initialize(port, Some(&access))
    })
    .await
    .expect("the HTTP probe");
    assert_eq!(
        refused,
        Some(401),
        "the revoked client's token is refused at once"
    );
    let dead = oauth_app(&["refresh", &issuer, &client_id, &new_secret, &refresh]);
    assert_eq!(dead["error"], "invalid_client", "{dead}");

    // Re-activate, after being told no old token comes back: a new sign-in works, the old
    // token stays dead.
    click(c, &format!("{row} [data-testid=gateway-oauth-menu]")).await;
    find(c, "[data-testid=gateway-oauth-reactivate]").await;
    crate::support::settled(c).await;
    click(c, "[data-testid=gateway-oauth-reactivate]").await;
    wait_text(
        c,
        "[data-testid=gateway-oauth-reactivate-dialog]",
        "None of its old tokens comes back",
    )
    .await;
    crate::support::settled(c).await;
    click(c, "[data-testid=confirm-ok]").await;
    wait_attr(c, row, "data-status", "active").await;
    assert_eq!(
        post_initialize(port, Some(&access)),
        Some(401),
        "the old token stays dead"
    );
    let again = oauth_app(&["signin", &issuer, &client_id, &new_secret, redirect]);
    let access = token_of(&again, "access_token");
    wait_http(port, Some(&access), Some(200), "a new sign-in let in").await;
    quit(app, h).await;
}
