//! Health over time: an hourly rollup of each action's calls (`action_hours`: calls, errors
//! and a latency histogram of fixed log-spaced buckets), written with each call's log row in
//! the same transaction, backfilled by migration 15, kept [`KEEP_HOURS`] whatever the log's
//! own retention. Percentiles come from the buckets (linear inside a bucket), so an hour
//! costs one row however many calls it had.

use std::collections::HashMap;
use std::sync::LazyLock;

use rusqlite::{Connection, params};

use crate::Patchbay;
use crate::error::Result;
use crate::model::{ActionSeries, HourPoint, SeriesWindow};

/// Upper bounds (inclusive, ms) of the latency buckets; the last bucket holds the rest.
/// Migration 15's backfill spells the same bounds in SQL (a test keeps them alike).
pub const LATENCY_BOUNDS_MS: [i64; 15] = [
    5, 10, 20, 35, 50, 75, 100, 150, 250, 400, 650, 1000, 2000, 5000, 15000,
];
/// How many latency buckets an hour has (`l0` … `l15`).
pub const BUCKETS: usize = LATENCY_BOUNDS_MS.len() + 1;
/// Where interpolation inside the open last bucket stops.
const LAST_BUCKET_TOP_MS: i64 = 30_000;
/// Hours of rollup kept: 8 days, one more than the longest window.
pub const KEEP_HOURS: i64 = 8 * 24;

/// Counts per latency bucket.
pub type Latencies = [i64; BUCKETS];

/// The bucket a latency falls in.
pub fn bucket(ms: i64) -> usize {
    LATENCY_BOUNDS_MS
        .iter()
        .position(|b| ms <= *b)
        .unwrap_or(BUCKETS - 1)
}

/// The hour (Unix seconds / 3600) of a time.
pub fn hour_of(t: time::OffsetDateTime) -> i64 {
    t.unix_timestamp().div_euclid(3600)
}

/// One statement adds a call to its hour: each bucket column gains `?4 = n` (1 in the
/// call's bucket, 0 elsewhere; none for a call without a latency, `?4 = -1`).
static UPSERT: LazyLock<String> = LazyLock::new(|| {
    let cols: Vec<String> = (0..BUCKETS).map(|i| format!("l{i}")).collect();
    let values: Vec<String> = (0..BUCKETS).map(|i| format!("(?4 = {i})")).collect();
    let sets: Vec<String> = cols
        .iter()
        .map(|c| format!("{c} = {c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO action_hours (action_id, hour, calls, errors, {}) VALUES (?1, ?2, 1, ?3, {})
         ON CONFLICT (action_id, hour) DO UPDATE SET calls = calls + 1, errors = errors + excluded.errors, {}",
        cols.join(", "),
        values.join(", "),
        sets.join(", ")
    )
});

static BUCKET_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    (0..BUCKETS)
        .map(|i| format!("l{i}"))
        .collect::<Vec<_>>()
        .join(", ")
});

/// Count one call in the rollup (inside the log row's transaction; public for the benchmark).
#[doc(hidden)]
pub fn record(
    c: &Connection,
    action_id: &str,
    hour: i64,
    ok: bool,
    latency_ms: Option<i64>,
) -> rusqlite::Result<()> {
    let b = latency_ms.map_or(-1, |ms| bucket(ms) as i64);
    c.prepare_cached(&UPSERT)?
        .execute(params![action_id, hour, i64::from(!ok), b])?;
    Ok(())
}

/// Drop the hours older than [`KEEP_HOURS`] before `now_hour`.
pub(crate) fn prune(c: &Connection, now_hour: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM action_hours WHERE hour <= ?1",
        [now_hour - KEEP_HOURS],
    )
}

/// The latency at quantile `q` (0..=1) of a histogram; `None` when it counts nothing.
pub fn percentile(counts: &Latencies, q: f64) -> Option<i64> {
    let n: i64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as i64).clamp(1, n);
    let mut below = 0;
    for (i, &c) in counts.iter().enumerate() {
        if c > 0 && below + c >= rank {
            let lo = if i == 0 { 0 } else { LATENCY_BOUNDS_MS[i - 1] };
            let hi = LATENCY_BOUNDS_MS
                .get(i)
                .copied()
                .unwrap_or(LAST_BUCKET_TOP_MS);
            let frac = (rank - below) as f64 / c as f64;
            return Some((lo as f64 + (hi - lo) as f64 * frac).round() as i64);
        }
        below += c;
    }
    None
}

fn add(into: &mut Latencies, from: &Latencies) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

struct HourRow {
    action_id: String,
    hour: i64,
    calls: i64,
    errors: i64,
    latencies: Latencies,
}

impl Patchbay {
    /// Every action's calls per hour over `window` (ending with the current hour), by name.
    pub fn health_series(&self, window: SeriesWindow) -> Result<Vec<ActionSeries>> {
        // The calls logged so far count (their rows are written in batches).
        self.store().flush_deferred();
        let now_hour = hour_of(self.clock_now());
        let first = now_hour - window.hours() + 1;
        let (actions, rows) = self.store().read(|c| {
            let mut stmt =
                c.prepare("SELECT id, name FROM actions ORDER BY name COLLATE NOCASE")?;
            let actions = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut stmt = c.prepare(&format!(
                "SELECT action_id, hour, calls, errors, {} FROM action_hours
                 WHERE hour BETWEEN ?1 AND ?2",
                *BUCKET_COLUMNS
            ))?;
            let rows = stmt
                .query_map([first, now_hour], |r| {
                    let mut latencies = [0; BUCKETS];
                    for (i, l) in latencies.iter_mut().enumerate() {
                        *l = r.get(4 + i)?;
                    }
                    Ok(HourRow {
                        action_id: r.get(0)?,
                        hour: r.get(1)?,
                        calls: r.get(2)?,
                        errors: r.get(3)?,
                        latencies,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((actions, rows))
        })?;
        let mut by_action: HashMap<&str, Vec<&HourRow>> = HashMap::new();
        for r in &rows {
            by_action.entry(r.action_id.as_str()).or_default().push(r);
        }
        Ok(actions
            .into_iter()
            .map(|(id, name)| {
                let hours = by_action.remove(id.as_str()).unwrap_or_default();
                series(id, name, window, first, &hours)
            })
            .collect())
    }

    /// Drop rollup hours older than [`KEEP_HOURS`] (the log's writes also do it now and then).
    pub fn prune_rollup(&self) -> Result<usize> {
        let now_hour = hour_of(self.clock_now());
        self.store().flush_deferred();
        self.store().write(|tx| Ok(prune(tx, now_hour)?))
    }
}

/// A dense series from `first` over `window`, out of the hours that had calls.
fn series(
    action_id: String,
    name: String,
    window: SeriesWindow,
    first: i64,
    hours: &[&HourRow],
) -> ActionSeries {
    let n = window.hours();
    let mut points: Vec<HourPoint> = (0..n)
        .map(|i| HourPoint {
            at: (first + i) * 3600,
            calls: 0,
            errors: 0,
            p50_ms: None,
            p95_ms: None,
        })
        .collect();
    let mut total = [0; BUCKETS];
    let (mut calls, mut errors) = (0, 0);
    for h in hours {
        let Some(p) = usize::try_from(h.hour - first)
            .ok()
            .and_then(|i| points.get_mut(i))
        else {
            continue;
        };
        p.calls = h.calls;
        p.errors = h.errors;
        p.p50_ms = percentile(&h.latencies, 0.5);
        p.p95_ms = percentile(&h.latencies, 0.95);
        calls += h.calls;
        errors += h.errors;
        add(&mut total, &h.latencies);
    }
    ActionSeries {
        action_id,
        name,
        window,
        points,
        calls,
        errors,
        p50_ms: percentile(&total, 0.5),
        p95_ms: percentile(&total, 0.95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::NewLog;
    use crate::model::LogKind;
    use crate::testing::{Profile, action, profile};

    /// The migration that made `action_hours` and backfills it (v15): the tests open a store
    /// at the version before it, then let it run (later migrations run after it as usual).
    const ROLLUP_MIGRATION: usize = 15;

    fn call(p: &Profile, a: &crate::model::ActionView, ok: bool, ms: i64) {
        p.pb.log(NewLog {
            action_id: Some(&a.id),
            subject: Some(&a.name),
            kind: Some(LogKind::Call),
            ok,
            latency_ms: Some(ms),
            summary: "tools/call t".into(),
            ..Default::default()
        });
    }

    fn series_of(p: &Profile, name: &str, w: SeriesWindow) -> ActionSeries {
        p.pb.health_series(w)
            .expect("series")
            .into_iter()
            .find(|s| s.name == name)
            .expect("the action's series")
    }

    #[test]
    fn buckets_and_percentiles_follow_the_bounds() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(5), 0);
        assert_eq!(bucket(6), 1);
        assert_eq!(bucket(15_000), 14);
        assert_eq!(bucket(15_001), 15);
        assert_eq!(bucket(i64::MAX), 15);
        assert_eq!(percentile(&[0; BUCKETS], 0.5), None, "no calls, no latency");
        // 100 calls in (50, 75]: the median interpolates to the middle of the bucket.
        let mut h = [0; BUCKETS];
        h[bucket(60)] = 100;
        assert_eq!(percentile(&h, 0.5), Some(63));
        assert_eq!(percentile(&h, 0.95), Some(74));
        // 90 fast calls and 10 slow ones: p50 fast, p95 slow.
        let mut h = [0; BUCKETS];
        h[bucket(8)] = 90;
        h[bucket(3000)] = 10;
        let p50 = percentile(&h, 0.5).expect("p50");
        let p95 = percentile(&h, 0.95).expect("p95");
        assert!((5..=10).contains(&p50), "p50 {p50}");
        assert!((2000..=5000).contains(&p95), "p95 {p95}");
        // The open last bucket stops at LAST_BUCKET_TOP_MS.
        let mut h = [0; BUCKETS];
        h[BUCKETS - 1] = 1;
        assert_eq!(percentile(&h, 1.0), Some(LAST_BUCKET_TOP_MS));
    }

    /// Calls written through the log land in their hours, across midnight, with quiet hours
    /// as zeros; other kinds and other actions do not count.
    #[test]
    fn calls_roll_up_per_hour_with_gaps_and_a_day_boundary() {
        let p = profile();
        let a = action(&p, "alpha");
        let b = action(&p, "beta");
        // 2026-12-01 22:10 UTC: two calls, one failed.
        p.clock.advance(time::Duration::minutes(10 * 60 + 10));
        call(&p, &a, true, 40);
        call(&p, &a, false, 900);
        // 23:59:59 then 00:00:00 the next day: two hours, two days.
        p.clock
            .advance(time::Duration::minutes(109) + time::Duration::seconds(59));
        call(&p, &a, true, 12);
        p.clock.advance(time::Duration::seconds(1));
        call(&p, &a, true, 14);
        // Not calls, or not alpha's: a test, a health change, beta's call.
        for kind in [LogKind::Test, LogKind::Health] {
            p.pb.log(NewLog {
                action_id: Some(&a.id),
                subject: Some(&a.name),
                kind: Some(kind),
                ok: false,
                latency_ms: Some(5),
                summary: "not a call".into(),
                ..Default::default()
            });
        }
        call(&p, &b, true, 7);
        // Quiet until 03:30 on Dec 2.
        p.clock.advance(time::Duration::minutes(3 * 60 + 30));
        call(&p, &a, true, 100);

        let s = series_of(&p, "alpha", SeriesWindow::Day);
        assert_eq!(s.points.len(), 24);
        let now_hour = hour_of(p.pb.clock_now());
        assert_eq!(
            s.points[23].at,
            now_hour * 3600,
            "the last point is this hour"
        );
        assert_eq!(s.points[0].at, (now_hour - 23) * 3600);
        let calls: Vec<i64> = s.points.iter().map(|p| p.calls).collect();
        // 22:00, 23:00 (Dec 1), 00:00, 01:00 and 02:00 quiet, 03:00 (Dec 2).
        assert_eq!(&calls[18..], &[2, 1, 1, 0, 0, 1], "{calls:?}");
        assert!(calls[..18].iter().all(|c| *c == 0), "{calls:?}");
        assert_eq!(calls.iter().sum::<i64>(), 5);
        assert_eq!(s.calls, 5);
        assert_eq!(s.errors, 1);
        assert_eq!(s.points[18].errors, 1);
        let quiet = &s.points[21];
        assert_eq!(
            (quiet.calls, quiet.p50_ms, quiet.p95_ms),
            (0, None, None),
            "a quiet hour has no latency"
        );
        let p22 = &s.points[18];
        assert!((35..=50).contains(&p22.p50_ms.expect("p50")), "{p22:?}");
        assert!((650..=1000).contains(&p22.p95_ms.expect("p95")), "{p22:?}");
        assert_eq!(series_of(&p, "beta", SeriesWindow::Day).calls, 1);

        // A week later the day window is empty and the week still has them all.
        p.clock.advance(time::Duration::days(2));
        assert_eq!(series_of(&p, "alpha", SeriesWindow::Day).calls, 0);
        let w = series_of(&p, "alpha", SeriesWindow::Week);
        assert_eq!((w.points.len(), w.calls, w.errors), (168, 5, 1));
    }

    /// The rollup keeps 8 days whatever the log keeps: the log's count retention removes
    /// rows, the rollup keeps counting them; hours older than 8 days go.
    #[test]
    fn the_rollup_outlives_the_log_and_keeps_eight_days() {
        let p = profile();
        let a = action(&p, "alpha");
        p.pb.set_setting("logMaxRows", "3").expect("setting");
        for i in 0..10 {
            call(&p, &a, i % 2 == 0, 20);
        }
        // The rows are written in batches; counted once written.
        p.pb.flush_logs();
        let logs: i64 =
            p.pb.store()
                .read(|c| Ok(c.query_row("SELECT count(*) FROM logs", [], |r| r.get(0))?))
                .expect("count");
        assert!(logs <= 3, "the log kept {logs} rows");
        assert_eq!(series_of(&p, "alpha", SeriesWindow::Day).calls, 10);

        p.clock
            .advance(time::Duration::days(7) + time::Duration::hours(23));
        assert_eq!(p.pb.prune_rollup().expect("prune"), 0, "7 d 23 h old: kept");
        assert_eq!(series_of(&p, "alpha", SeriesWindow::Week).calls, 0);
        p.clock.advance(time::Duration::hours(1));
        assert_eq!(p.pb.prune_rollup().expect("prune"), 1, "8 days old: gone");
        let left: i64 =
            p.pb.store()
                .read(|c| Ok(c.query_row("SELECT count(*) FROM action_hours", [], |r| r.get(0))?))
                .expect("count");
        assert_eq!(left, 0);
    }

    /// The rows of a table, for comparing two rollups.
    fn table(c: &Connection) -> Vec<Vec<i64>> {
        let mut stmt = c
            .prepare(&format!(
                "SELECT hour, calls, errors, {} FROM action_hours ORDER BY action_id, hour",
                *BUCKET_COLUMNS
            ))
            .expect("prepare");
        stmt.query_map([], |r| {
            (0..3 + BUCKETS)
                .map(|i| r.get::<_, i64>(i))
                .collect::<rusqlite::Result<Vec<i64>>>()
        })
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows")
    }

    /// Log rows spread over `days` before now (real time: the migration's backfill reads
    /// SQLite's clock): calls of three actions with every latency bucket, some without a
    /// latency, errors, and rows of other kinds. Returns (action_id, at, ok, latency) of
    /// each call.
    fn generate(
        c: &Connection,
        n: usize,
        days: i64,
    ) -> Vec<(String, time::OffsetDateTime, bool, Option<i64>)> {
        let now = time::OffsetDateTime::now_utc();
        let span = days * 86_400;
        let mut calls = Vec::new();
        let mut stmt = c
            .prepare(
                "INSERT INTO logs (at, action_id, subject, kind, outcome, latency_ms, summary)
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5, 's')",
            )
            .expect("prepare");
        // A small linear congruential generator: the same rows each run.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            x >> 33
        };
        for _ in 0..n {
            let back = (next() % span as u64) as i64;
            let at = now - time::Duration::seconds(back);
            let action = format!("a{}", next() % 3);
            let kind = if next() % 10 == 0 { "test" } else { "call" };
            let ok = next() % 7 != 0;
            let latency = match next() % 40 {
                0 => None,
                r => Some(((r * r * r) as i64) % 40_000),
            };
            stmt.execute(params![
                crate::clock::rfc3339(at),
                action,
                kind,
                if ok { "ok" } else { "error" },
                latency
            ])
            .expect("insert");
            if kind == "call" {
                calls.push((action, at, ok, latency));
            }
        }
        calls
    }

    /// Migration 15 fills the rollup from the log's last 8 days exactly as writing each call
    /// would have (the SQL buckets agree with [`bucket`]); older rows are left out.
    #[test]
    fn the_migration_backfills_the_last_eight_days_like_the_writes_would() {
        let old = crate::store::MIGRATIONS;
        let dir = tempfile::tempdir().expect("tempdir");
        let before = &old[..ROLLUP_MIGRATION - 1];
        let store = crate::store::Store::open_with(dir.path(), before).expect("v14");
        let calls = store
            .write(|tx| Ok(generate(tx, 20_000, 10)))
            .expect("rows");
        drop(store);
        let migrated = crate::store::Store::open(dir.path()).expect("migrated");

        let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(8);
        let expected_dir = tempfile::tempdir().expect("tempdir");
        let expected = crate::store::Store::open(expected_dir.path()).expect("empty");
        let kept = expected
            .write(|tx| {
                let mut kept = 0;
                // A minute's margin either side of the cutoff: the migration ran a moment later.
                for (a, at, ok, latency) in &calls {
                    if *at >= cutoff + time::Duration::minutes(1) {
                        record(tx, a, hour_of(*at), *ok, *latency)?;
                        kept += 1;
                    }
                }
                Ok(kept)
            })
            .expect("expected rollup");
        assert!(
            kept > 10_000 && kept < calls.len(),
            "{kept} of {}",
            calls.len()
        );
        let got = migrated.read(|c| Ok(table(c))).expect("got");
        let want = expected.read(|c| Ok(table(c))).expect("want");
        // Only the oldest hour may differ (rows within the margin of the cutoff).
        let strip = |t: &[Vec<i64>]| -> Vec<Vec<i64>> {
            let min = hour_of(cutoff) + 1;
            t.iter().filter(|r| r[0] > min).cloned().collect()
        };
        assert_eq!(strip(&got), strip(&want), "backfill ≠ the writes' rollup");
        let total: i64 = got.iter().map(|r| r[1]).sum();
        let total_want: i64 = want.iter().map(|r| r[1]).sum();
        assert!((total - total_want).abs() < 50, "{total} vs {total_want}");
    }

    /// A million log rows: the backfill counts every call of the last 8 days, and the week's
    /// series adds up to the same.
    #[test]
    fn a_million_rows_backfill_and_add_up() {
        let old = crate::store::MIGRATIONS;
        let dir = tempfile::tempdir().expect("tempdir");
        let before = &old[..ROLLUP_MIGRATION - 1];
        let store = crate::store::Store::open_with(dir.path(), before).expect("v14");
        let calls = store
            .write(|tx| {
                // The search index is beside the point here, and triples the time.
                tx.execute_batch("DROP TRIGGER logs_fts_insert; DROP TRIGGER logs_fts_delete;")?;
                Ok(generate(tx, 1_000_000, 7))
            })
            .expect("rows");
        drop(store);
        // The system clock: the rows are real-time ones.
        let pb = Patchbay::open(dir.path()).expect("migrated");
        let total: i64 = pb
            .store()
            .read(|c| Ok(c.query_row("SELECT sum(calls) FROM action_hours", [], |r| r.get(0))?))
            .expect("sum");
        assert_eq!(total, calls.len() as i64, "every call of the week counted");
        let errors = calls.iter().filter(|c| !c.2).count() as i64;
        let got_errors: i64 = pb
            .store()
            .read(|c| Ok(c.query_row("SELECT sum(errors) FROM action_hours", [], |r| r.get(0))?))
            .expect("sum");
        assert_eq!(got_errors, errors);
        // The series name actions; give the generated ids actions of their own.
        pb.store()
            .write(|tx| {
                for a in ["a0", "a1", "a2"] {
                    tx.execute(
                        "INSERT INTO actions (id, name, kind, url, auth_type, created_at, updated_at)
                         VALUES (?1, ?1, 'mcp', 'https://x.example/mcp', 'none', 'now', 'now')",
                        [a],
                    )?;
                }
                Ok(())
            })
            .expect("actions");
        let week = pb.health_series(SeriesWindow::Week).expect("series");
        let in_week: i64 = week.iter().map(|s| s.calls).sum();
        // The week is 168 whole hours ending now: rows in the first hour's older part fall out.
        assert!(
            in_week <= total && in_week > total * 99 / 100,
            "{in_week} of {total}"
        );
    }
}
