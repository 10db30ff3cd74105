//! `patchbay settings`: the settings the desktop app's Settings screen edits, shared by every
//! process through the profile's database, with environment overrides reported.

use crate::support::{Home, World};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn settings_are_listed_saved_reset_and_survive_a_new_process() {
    let h = Home::new();
    let v = h.json(&["settings"]);
    assert_eq!(v["effective"], v["defaults"]);
    assert_eq!(v["defaults"]["callbackPort"], 47615);
    assert_eq!(v["defaults"]["theme"], "system");
    assert_eq!(v["overrides"], serde_json::json!([]));
    let port_limit = v["limits"]
        .as_array()
        .expect("limits")
        .iter()
        .find(|l| l["key"] == "callbackPort")
        .expect("callbackPort limit");
    assert_eq!(
        (port_limit["min"].clone(), port_limit["also"].clone()),
        (1024.into(), 0.into())
    );

    h.json(&["settings", "set", "callbackPort", "47700"]);
    h.json(&["settings", "set", "theme", "dark"]);
    // A new process reads what the last one saved.
    let v = h.json(&["settings"]);
    assert_eq!(v["saved"]["callbackPort"], 47700);
    assert_eq!(v["effective"]["theme"], "dark");
    h.cmd().args(["settings"]).assert().success().stdout(
        predicate::str::is_match(r"(?m)^callbackPort +47700 +47615 +saved$").expect("regex"),
    );

    let v = h.json(&["settings", "reset", "theme"]);
    assert_eq!(v["saved"]["theme"], "system");
    assert_eq!(v["saved"]["callbackPort"], 47700);
    let v = h.json(&["settings", "reset"]);
    assert_eq!(v["saved"], v["defaults"]);
}

#[test]
fn start_at_login_writes_and_removes_the_users_xdg_autostart_entry() {
    let h = Home::new();
    let entry = h.config_dir().join("autostart/dev.patchbay.app.desktop");
    let v = h.json(&["settings"]);
    assert_eq!(v["effective"]["startAtLogin"], false);
    assert_eq!(v["defaults"]["closeToTray"], true);
    assert!(!entry.exists());

    let bin = "/opt/Patch bay/patchbay-desktop";
    let v: Value = serde_json::from_slice(
        &h.cmd()
            .env("PATCHBAY_DESKTOP_BIN", bin)
            .args(["--json", "settings", "set", "startAtLogin", "true"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .expect("JSON");
    assert_eq!(v["saved"]["startAtLogin"], true);
    let text = std::fs::read_to_string(&entry).expect("the autostart entry is written");
    assert!(
        text.contains("\nExec=\"/opt/Patch bay/patchbay-desktop\" --hidden\n"),
        "starts the app hidden, its path quoted: {text}"
    );
    // Per OS user: another profile sees it on.
    let other = Home(tempfile::tempdir().expect("tempdir"));
    let v = other
        .cmd()
        .env("XDG_CONFIG_HOME", h.config_dir())
        .args(["--json", "settings"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&v.get_output().stdout).expect("JSON");
    assert_eq!(v["saved"]["startAtLogin"], true, "the entry is the value");
    h.cmd().args(["settings"]).assert().success().stdout(
        predicate::str::is_match(r"(?m)^startAtLogin +true +false +saved$").expect("regex"),
    );

    h.json(&["settings", "set", "start-at-login", "false"]);
    assert!(!entry.exists(), "off removes the entry");
    h.json(&["settings", "set", "startAtLogin", "true"]);
    assert!(entry.exists());
    let v = h.json(&["settings", "reset"]);
    assert_eq!(v["saved"]["startAtLogin"], false);
    assert!(!entry.exists(), "reset removes the entry");
    h.cmd()
        .args(["settings", "set", "startAtLogin", "yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "startAtLogin: 'yes' is not one of true, false",
        ));
}

#[test]
fn bad_values_are_refused_with_the_allowed_range_and_change_nothing() {
    let h = Home::new();
    h.json(&["settings", "set", "logMaxAgeDays", "14"]);
    for (key, value, says) in [
        ("callbackPort", "80", "from 1024 to 65535 (or 0)"),
        ("callbackPort", "99999", "from 1024 to 65535"),
        ("consent-timeout-secs", "-1", "from 10 to 3600 seconds"),
        ("logMaxAgeDays", "ten", "from 1 to 3650 days"),
        ("theme", "blue", "system, light, dark"),
    ] {
        h.cmd()
            .args(["settings", "set", key, value])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(says));
    }
    h.cmd()
        .args(["--json", "settings", "set", "colour", "red"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\"invalid_input\""))
        .stderr(predicate::str::contains("callbackPort, consentTimeoutSecs"));
    let v = h.json(&["settings"]);
    assert_eq!(v["saved"]["logMaxAgeDays"], 14);
    assert_eq!(v["saved"]["callbackPort"], 47615);
}

#[test]
fn the_environment_overrides_a_saved_value_and_says_so() {
    let h = Home::new();
    h.json(&["settings", "set", "confirmTimeoutSecs", "45"]);
    let out = h
        .cmd()
        .env("PATCHBAY_CONFIRM_TIMEOUT_SECS", "7")
        // Not a number: ignored (the saved value stays in effect), not an error.
        .env("PATCHBAY_LOG_MAX_ROWS", "lots")
        .args(["--json", "settings"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["effective"]["confirmTimeoutSecs"], 7);
    assert_eq!(v["saved"]["confirmTimeoutSecs"], 45);
    assert_eq!(v["effective"]["logMaxRows"], 100_000);
    assert_eq!(
        v["overrides"],
        serde_json::json!([{"key": "confirmTimeoutSecs", "env": "PATCHBAY_CONFIRM_TIMEOUT_SECS", "value": "7"}])
    );
    h.cmd()
        .env("PATCHBAY_CONFIRM_TIMEOUT_SECS", "7")
        .args(["settings"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "environment (PATCHBAY_CONFIRM_TIMEOUT_SECS)",
        ));
}

#[test]
fn log_retention_keeps_at_most_the_saved_number_of_rows() {
    let h = Home::new();
    h.json(&["settings", "set", "logMaxRows", "3"]);
    // An HTTP action on a closed port: every test writes one (failing) log row.
    h.cmd()
        .args([
            "action",
            "add",
            "down",
            "--http",
            "--url",
            "http://127.0.0.1:9/",
        ])
        .args(["--auth", "none"])
        .assert()
        .success();
    for _ in 0..6 {
        h.cmd().args(["test", "down"]).assert().code(1);
    }
    // JSON lines, one row each; the newest are the ones kept.
    let out = h.cmd().args(["--json", "logs"]).assert().success();
    let rows: Vec<Value> = String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| r["id"].as_i64() > Some(6)), "{rows:?}");
}

#[test]
fn the_saved_callback_port_is_the_redirect_uri_of_a_cli_sign_in() {
    let w = World::simple();
    w.add(&[]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    w.ok(&["settings", "set", "callbackPort", &port.to_string()]);
    let (mut child, url) = w.start_no_browser(&[]);
    let _ = child.kill();
    let _ = child.wait();
    let first = url.as_str();
    let encoded = format!("redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback");
    assert!(first.contains(&encoded), "{first}");
}
