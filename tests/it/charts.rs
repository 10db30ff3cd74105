//! Health over time in the real window: real calls through the CLI plus a day of history
//! written into the profile's database as the log writes it (log rows and their rollup),
//! then the Health screen's sparklines and an action's chart, and the Logs screen's
//! histogram, where a click on a bar (a real pointer click on the canvas) filters the list.

use std::time::Duration;

use crate::support::{
    Keychain, Servers, cli_ok, click, find, go, launch_with, screenshot, select, wait_attr,
    wait_text,
};
use fantoccini::Client;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use serde_json::json;

/// `hours` hours of calls before this one for `action_id` (`name`), as `logs::log` writes
/// them: a log row each and its hour in the rollup. Returns how many.
fn history(home: &std::path::Path, action_id: &str, name: &str, hours: i64) -> i64 {
    let pb = patchbay_core::Patchbay::open(home).expect("open the profile");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    pb.store()
        .write(|tx| {
            let mut n = 0;
            for h in 1..=hours {
                // A daily rhythm: busier in the middle of the window, an error now and then.
                let calls = 2 + (h * 7 % 9);
                for i in 0..calls {
                    let at = (now / 3600 - h) * 3600 + 60 + i * 97;
                    let ok = (h + i) % 11 != 0;
                    let latency = 30 + (h * 13 + i * 29) % 400;
                    let stamp = time::OffsetDateTime::from_unix_timestamp(at)
                        .expect("time")
                        .format(&time::format_description::well_known::Rfc3339)
                        .expect("format");
                    tx.execute(
                        "INSERT INTO logs (at, action_id, subject, kind, outcome, latency_ms, summary)
                         VALUES (?1, ?2, ?3, 'call', ?4, ?5, 'tools/call echo (history)')",
                        (
                            &stamp,
                            action_id,
                            name,
                            if ok { "ok" } else { "error" },
                            latency,
                        ),
                    )?;
                    patchbay_core::rollup::record(tx, action_id, at / 3600, ok, Some(latency))?;
                    n += 1;
                }
            }
            Ok(n)
        })
        .expect("write the history")
}

async fn count(c: &Client) -> i64 {
    let text = wait_text(c, "[data-testid=logs-count]", "row").await;
    text.split_whitespace()
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("a row count in {text:?}"))
}

/// A real pointer click on the histogram's bar starting at `at`. The chart is drawn anew
/// when its data arrives again (a refetch), which can replace the plot between finding it and
/// clicking it: then it is found again (at most 5 tries, each bounded).
async fn click_bar(c: &Client, at: i64) {
    let mut last = String::new();
    for _ in 0..5 {
        match try_click_bar(c, at).await {
            Ok(()) => return,
            Err(e) => {
                last = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("could not click the histogram's bar at {at} in 5 tries: {last}");
}

async fn try_click_bar(c: &Client, at: i64) -> Result<(), String> {
    let hist = find(c, "[data-testid=logs-histogram]").await;
    let attr = |name: &'static str| {
        let hist = hist.clone();
        async move {
            hist.attr(name)
                .await
                .map_err(|e| format!("the histogram's {name}: {e}"))?
                .and_then(|v| v.parse::<i64>().ok())
                .ok_or_else(|| format!("the histogram's {name}"))
        }
    };
    let (first, count, width) = (
        attr("data-first").await?,
        attr("data-count").await?,
        attr("data-bucket-secs").await?,
    );
    let index = (at - first) / width;
    let over = find(c, "[data-testid=logs-histogram] .u-over").await;
    let (_, _, w, h) = over
        .rectangle()
        .await
        .map_err(|e| format!("the plot's box: {e}"))?;
    // The plot spans the bars with half a bar either side: bar i's middle is at
    // (i + 0.5) / count of the width.
    let x = ((index as f64 + 0.5) / count.max(1) as f64) * w - w / 2.0;
    let actions = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: over,
            duration: Some(Duration::from_millis(50)),
            x: x.clamp(-w / 2.0 + 1.0, w / 2.0 - 1.0),
            y: h / 2.0 - 4.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    crate::support::bounded("click a bar of the histogram", c.perform_actions(actions))
        .await
        .map_err(|e| format!("pointer actions: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn sparklines_an_actions_chart_and_a_histogram_bar_that_filters_the_logs() {
    let servers = Servers::new(json!({}), json!({}));
    let home = tempfile::tempdir().expect("tempdir");
    let url = servers.mcp_url();
    cli_ok(
        home.path(),
        &["action", "add", "demo", "--url", &url, "--auth", "oauth"],
    );
    crate::desktop::cli_connect(home.path(), "demo");
    cli_ok(
        home.path(),
        &["action", "add", "idle", "--url", "http://127.0.0.1:9/mcp"],
    );
    for n in 0..3 {
        cli_ok(
            home.path(),
            &[
                "call",
                "demo",
                "echo",
                "--args",
                &format!(r#"{{"text": "now {n}"}}"#),
            ],
        );
    }
    let actions: serde_json::Value =
        serde_json::from_str(&cli_ok(home.path(), &["--json", "action", "show", "demo"]))
            .expect("json");
    let id = actions["id"].as_str().expect("the action's id").to_string();
    let past = history(home.path(), &id, "demo", 23);

    let app = launch_with(home.path(), Keychain::Shared, &[]).await;
    let c = &app.client;
    find(c, "[data-testid=add-action]").await;

    // Health: demo's 24 hours, every call counted; idle has none.
    go(c, "#/health").await;
    let total = past + 3;
    wait_text(
        c,
        "[data-testid=health-row][data-name=demo] [data-testid=health-spark-text]",
        &format!("{total} calls"),
    )
    .await;
    wait_text(
        c,
        "[data-testid=health-row][data-name=idle] [data-testid=health-spark-text]",
        "No calls",
    )
    .await;
    find(
        c,
        "[data-testid=health-row][data-name=demo] [data-testid=health-sparkline] canvas",
    )
    .await;
    click(
        c,
        "[data-testid=health-row][data-name=demo] [data-testid=health-spark-toggle]",
    )
    .await;
    find(c, "[data-testid=health-chart][data-name=demo] canvas").await;
    wait_text(
        c,
        "[data-testid=health-chart-totals]",
        &format!("Calls\n{total}"),
    )
    .await;
    screenshot(c, "desktop-health-charts.png").await;
    // The same chart on the action's edit page.
    go(c, "#/actions/demo/edit").await;
    find(
        c,
        "[data-testid=action-history] [data-testid=health-chart] canvas",
    )
    .await;
    wait_text(
        c,
        "[data-testid=action-history] [data-testid=health-chart-totals]",
        &format!("Calls\n{total}"),
    )
    .await;

    // Logs over the last 24 hours: a bar per half hour; the current one holds the 3 real calls.
    go(c, "#/logs").await;
    select(c, "[data-testid=logs-range]", "24h").await;
    select(c, "[data-testid=logs-kind]", "call").await;
    find(c, "[data-testid=logs-histogram] canvas").await;
    let all = count(c).await;
    assert_eq!(all, total, "the list shows every call of the day");
    let bars = find(c, "[data-testid=logs-histogram-bar]").await;
    let first_busy: i64 = bars
        .attr("data-at")
        .await
        .expect("attribute")
        .and_then(|v| v.parse().ok())
        .expect("a bar's start");
    let label = bars
        .prop("textContent")
        .await
        .expect("text")
        .unwrap_or_default();
    let in_bar: i64 = label
        .split(": ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a row count in {label:?}"));
    assert!(in_bar > 0 && in_bar < all, "{label}");
    click_bar(c, first_busy).await;
    wait_text(c, "[data-testid=logs-bar-filter]", "Showing").await;
    wait_text(c, "[data-testid=logs-count]", &format!("{in_bar} row")).await;
    screenshot(c, "desktop-logs-histogram.png").await;
    click(c, "[data-testid=logs-bar-clear]").await;
    wait_text(c, "[data-testid=logs-count]", &format!("{all} rows")).await;

    // The same in the dark theme.
    cli_ok(home.path(), &["settings", "set", "theme", "dark"]);
    wait_attr(c, "html", "data-theme", "dark").await;
    click_bar(c, first_busy).await;
    wait_text(c, "[data-testid=logs-count]", &format!("{in_bar} row")).await;
    screenshot(c, "desktop-logs-histogram-dark.png").await;
    go(c, "#/health").await;
    click(
        c,
        "[data-testid=health-row][data-name=demo] [data-testid=health-spark-toggle]",
    )
    .await;
    find(c, "[data-testid=health-chart][data-name=demo] canvas").await;
    screenshot(c, "desktop-health-charts-dark.png").await;
    app.close().await;
}
