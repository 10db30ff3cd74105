//! The real desktop window, end to end: the built app under Xvfb, driven through
//! tauri-driver + WebKitWebDriver, over a temp PATCHBAY_HOME that the real CLI writes to.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Keychain, cli, cli_ok, inner_text, launch, screenshot};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_shows_what_the_cli_adds() {
    let home = tempfile::tempdir().expect("tempdir");
    let app = launch(home.path(), Keychain::Shared).await;
    let c = &app.client;

    let empty = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=actions-empty]"))
        .await
        .expect("the empty state invites adding an action");
    let text = inner_text(c, &empty).await;
    assert!(
        text.contains("Add Custom Action") || text.contains("No actions"),
        "empty state text: {text}"
    );
    assert_eq!(c.title().await.expect("title"), "Patchbay");
    screenshot(c, "actions-empty.png").await;

    // Another process (the CLI) writes to the same PATCHBAY_HOME...
    cli_ok(
        home.path(),
        &[
            "action",
            "add",
            "linear",
            "--url",
            "https://mcp.linear.app/mcp",
            "--auth",
            "oauth",
            "--description",
            "Linear issues and projects",
        ],
    );
    let added = Instant::now();

    // ...and the window shows it within 2 s, without a reload.
    let row = c
        .wait()
        .at_most(Duration::from_secs(5))
        .every(Duration::from_millis(50))
        .for_element(Locator::Css("[data-testid=action-row][data-name=linear]"))
        .await
        .expect("the new action appears in the list");
    let waited = added.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "the list refreshed after {waited:?}; expected < 2 s"
    );
    let row_text = inner_text(c, &row).await;
    assert!(
        row_text.contains("mcp.linear.app"),
        "row shows the URL: {row_text}"
    );
    let badge = row
        .find(Locator::Css("[data-testid=health-badge]"))
        .await
        .expect("health badge");
    assert_eq!(
        badge.attr("data-status").await.expect("attr").as_deref(),
        Some("unknown")
    );
    assert!(
        inner_text(c, &badge).await.contains("Unknown"),
        "a new action's health reads Unknown"
    );
    assert!(
        c.find(Locator::Css("[data-testid=actions-empty]"))
            .await
            .is_err(),
        "the empty state is gone"
    );

    // A second one, an HTTP action with a token, shows its kind and auth.
    for args in [
        vec![
            "token",
            "add",
            "gh-pat",
            "--header-name",
            "Authorization",
            "--prefix",
            "Bearer",
            "--value-stdin",
        ],
        vec![
            "action",
            "add",
            "github-api",
            "--url",
            "https://api.github.com/user",
            "--http",
            "--auth",
            "token:gh-pat",
            "--description",
            "GitHub REST",
        ],
    ] {
        let mut child = Command::new(cli())
            .args(&args)
            .env("PATCHBAY_HOME", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the CLI");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("stdin"),
            b"ghp_exampletoken\n",
        )
        .expect("stdin");
        let out = patchbay_testsupport::output_within(
            child,
            crate::support::CLI_WITHIN,
            &format!("patchbay {args:?}"),
        );
        assert!(
            out.status.success(),
            "CLI {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let row = c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(
            "[data-testid=action-row][data-name=github-api]",
        ))
        .await
        .expect("the HTTP action appears");
    let text = inner_text(c, &row).await;
    assert!(
        text.contains("HTTP") && text.contains("gh-pat"),
        "row shows kind and token: {text}"
    );
    let rows = c
        .find_all(Locator::Css("[data-testid=action-row]"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    screenshot(c, "actions-list.png").await;

    // A second launch with an app link is handed to this instance (single instance over
    // D-Bus) and exits at once instead of opening a second window.
    let started = Instant::now();
    let mut second = Command::new(env!("CARGO_BIN_EXE_patchbay-desktop"))
        .arg("patchbay://actions")
        .env("PATCHBAY_HOME", home.path())
        .env("PATCHBAY_NO_SCHEME_REGISTRATION", "1")
        .env("DISPLAY", &app.display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("second launch");
    let status = loop {
        if let Some(s) = second.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = second.kill();
            panic!("the second launch did not hand over and exit within 10 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.success(),
        "the second launch exits cleanly: {status}"
    );
    assert_eq!(
        c.windows().await.expect("windows").len(),
        1,
        "still one window"
    );
    let hash = c
        .execute("return window.location.hash;", vec![])
        .await
        .expect("hash");
    assert_eq!(
        hash.as_str(),
        Some("#/actions"),
        "the link routed the window"
    );

    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_keychain_shows_a_banner_and_still_the_list() {
    let home = tempfile::tempdir().expect("tempdir");
    cli_ok(
        home.path(),
        &[
            "action",
            "add",
            "sentry",
            "--url",
            "https://mcp.sentry.dev/mcp",
            "--auth",
            "oauth",
        ],
    );
    let app = launch(home.path(), Keychain::Locked).await;
    let c = &app.client;
    let banner = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=vault-banner]"))
        .await
        .expect("a banner says the keychain is locked");
    let text = inner_text(c, &banner).await;
    assert!(
        text.to_lowercase().contains("locked"),
        "banner text: {text}"
    );
    assert!(text.contains("unlock"), "the banner names the fix: {text}");
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("[data-testid=action-row][data-name=sentry]"))
        .await
        .expect("the list still shows");
    screenshot(c, "keychain-locked.png").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_whose_app_exits_at_once_fails_within_its_bound_naming_what_it_waited_for() {
    // WebKitWebDriver waits without end for a browser that is gone: the launch must not.
    let home = tempfile::tempdir().expect("tempdir");
    let bin = tempfile::tempdir().expect("tempdir");
    let broken = bin.path().join("patchbay-desktop");
    std::fs::write(
        &broken,
        "#!/bin/sh\necho 'the broken app exits at once' >&2\nexit 3\n",
    )
    .expect("write the broken app");
    std::fs::set_permissions(&broken, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let started = Instant::now();
    let launch = tokio::spawn(async move {
        let app = broken.display().to_string();
        crate::support::launch_app(
            home.path(),
            Keychain::Shared,
            &[],
            &app,
            Duration::from_secs(3),
        )
        .await;
    });
    let panic = launch.await.expect_err("the launch fails").into_panic();
    let msg = panic
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| panic.downcast_ref::<&str>().unwrap_or(&"").to_string());
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(60),
        "two attempts of 3 s each (plus starting the driver) took {took:?}"
    );
    assert!(
        msg.contains("waited for a WebDriver session with the app")
            && msg.contains("attempt 1: no app process appeared within 3s")
            && msg.contains("attempt 2: no app process appeared within 3s"),
        "the message names what it waited for, per attempt: {msg}"
    );
    assert!(
        msg.contains("--- tauri-driver, WebKitWebDriver and the app (")
            && msg.contains("the broken app exits at once"),
        "the message carries the driver's log, with what the app printed: {msg}"
    );
}
