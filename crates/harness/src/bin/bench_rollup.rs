//! `patchbay-bench-rollup [ROWS]`: what health over time costs.
//! - the hot path: a call's log row written in its own IMMEDIATE transaction as `log()`
//!   writes it (the insert with its full-text trigger, the count retention), without and
//!   with the rollup's UPSERT, interleaved in 10 rounds of ROWS / 10 (default 20,000 rows);
//! - the 7-day series query (`health_series`) over a full rollup: 50 actions × 192 hours,
//!   every hour with calls in every latency bucket, median of 200 queries; and the 24-hour one.
//!
//! Prints one JSON object. Runs on a scratch profile in a temporary folder.

use std::time::Instant;

use patchbay_core::Patchbay;
use patchbay_core::model::SeriesWindow;
use patchbay_core::rollup::{self, BUCKETS, KEEP_HOURS};
use rusqlite::params;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let dir = tempfile::tempdir()?;
    let pb = Patchbay::open(dir.path())?;
    let store = pb.store();
    let now_hour = time::OffsetDateTime::now_utc().unix_timestamp() / 3600;

    // The hot path, as logs.rs writes a call's row.
    let write = |with_rollup: bool, i: usize| -> Result<(), patchbay_core::Error> {
        store.write(|tx| {
            tx.execute(
                "INSERT INTO logs (at, action_id, subject, kind, outcome, status, latency_ms, summary, request, response, error_code)
                 VALUES (?1, 'a1', 'a1', 'call', 'ok', NULL, ?2, 'tools/call echo', '{\"tool\":\"echo\",\"arguments\":{\"text\":\"hello\"}}', '{\"isError\":false,\"text\":\"hello\"}', NULL)",
                params!["2026-12-05T04:00:00.000Z", (i % 700) as i64],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute("DELETE FROM logs WHERE id <= ?1 - ?2", params![id, 100_000])?;
            if with_rollup {
                rollup::record(tx, "a1", now_hour, true, Some((i % 700) as i64))?;
            }
            Ok(())
        })
    };
    let (mut without, mut with) = (Vec::new(), Vec::new());
    let per_round = rows / 10;
    for round in 0..10 {
        for (times, flag) in [(&mut without, false), (&mut with, true)] {
            for i in 0..per_round {
                let t = Instant::now();
                write(flag, round * per_round + i)?;
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;

    // A full rollup: 50 actions, every hour of the 8 days kept.
    let cols: Vec<String> = (0..BUCKETS).map(|i| format!("l{i}")).collect();
    store.write(|tx| {
        let mut stmt = tx.prepare(&format!(
            "INSERT OR REPLACE INTO action_hours (action_id, hour, calls, errors, {}) VALUES (?1, ?2, ?3, ?4, {})",
            cols.join(", "),
            (0..BUCKETS).map(|i| format!("?{}", i + 5)).collect::<Vec<_>>().join(", ")
        ))?;
        for a in 0..50 {
            let id = format!("bench-{a:02}");
            tx.execute(
                "INSERT INTO actions (id, name, kind, url, auth_type, created_at, updated_at)
                 VALUES (?1, ?1, 'mcp', 'https://x.example/mcp', 'none', 'now', 'now')",
                [&id],
            )?;
            for h in 0..KEEP_HOURS {
                let mut values: Vec<Box<dyn rusqlite::ToSql>> = vec![
                    Box::new(id.clone()),
                    Box::new(now_hour - h),
                    Box::new(BUCKETS as i64 * 10),
                    Box::new(3_i64),
                ];
                values.extend((0..BUCKETS).map(|_| Box::new(10_i64) as Box<dyn rusqlite::ToSql>));
                let refs: Vec<&dyn rusqlite::ToSql> = values.iter().map(|b| b.as_ref()).collect();
                stmt.execute(refs.as_slice())?;
            }
        }
        Ok(())
    })?;
    let time_series = |w: SeriesWindow, n: usize| -> Result<f64, patchbay_core::Error> {
        let mut t = Vec::new();
        for _ in 0..n {
            let s = Instant::now();
            let series = pb.health_series(w)?;
            t.push(s.elapsed().as_secs_f64() * 1e3);
            assert_eq!(series.len(), 50, "one series per action");
        }
        Ok(median(t))
    };
    let week_ms = time_series(SeriesWindow::Week, 200)?;
    let day_ms = time_series(SeriesWindow::Day, 200)?;
    println!(
        "{}",
        serde_json::json!({
            "log_row_us": {
                "rows_each": without.len(),
                "without_rollup": {"median": median(without.clone()), "mean": mean(&without)},
                "with_rollup": {"median": median(with.clone()), "mean": mean(&with)},
            },
            "series_ms": {
                "rollup_rows": 50 * KEEP_HOURS,
                "week_median": week_ms,
                "day_median": day_ms,
            }
        })
    );
    Ok(())
}
