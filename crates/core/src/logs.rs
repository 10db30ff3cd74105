//! The log: every call, test, token fetch, refresh, connect, disconnect and health change,
//! in SQLite, with request and response summaries redacted before they are written
//! (credential headers, secret-looking keys in bodies and query strings, and every known
//! secret value wherever it appears). Retention by count and age.

use std::path::Path;

use rusqlite::params;

use crate::Patchbay;
use crate::error::{Error, Result};
pub use crate::model::{LogBar, LogEntry, LogExport, LogHistogram, LogKind, LogQuery};

/// The Logs screen's histogram has at most this many bars.
pub const HISTOGRAM_BARS: i64 = 60;
/// Bar widths in seconds, the narrowest that keeps to [`HISTOGRAM_BARS`] is taken.
const HISTOGRAM_WIDTHS: [i64; 13] = [
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604_800,
];

/// How often (in rows written) the age retention runs.
const RETENTION_EVERY: i64 = 256;
/// Request and response texts are cut to this many characters.
pub const MAX_FIELD_CHARS: usize = 4096;
const REDACTED: &str = "[redacted]";

/// A log kind as the user types it (`logs --kind`).
pub fn parse_kind(s: &str) -> Result<LogKind> {
    s.parse().map_err(|_| {
        Error::invalid_with_hint(
            format!("'{}' is not a log kind", crate::validate::printable(s)),
            "kinds: call, test, token_fetch, refresh, connect, disconnect, health, breaker, approval",
        )
    })
}

/// A row to write. `secrets` are values to blank wherever they appear.
#[derive(Debug, Default)]
pub(crate) struct NewLog<'a> {
    pub action_id: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub kind: Option<LogKind>,
    pub ok: bool,
    pub status: Option<i64>,
    pub latency_ms: Option<i64>,
    pub summary: String,
    pub request: Option<serde_json::Value>,
    pub response: Option<serde_json::Value>,
    pub error_code: Option<String>,
    pub secrets: Vec<String>,
}

/// Header and field names whose values are credentials.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    matches!(
        n.as_str(),
        "authorization" | "proxy_authorization" | "cookie" | "set_cookie" | "code" | "state"
    ) || [
        "token",
        "secret",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "credential",
        "private_key",
        "session",
        "verifier",
        "assertion",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// Blank every known secret value (4 characters or more) in `text`.
fn blank(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.chars().count() >= 4) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

fn cut(s: String) -> String {
    if s.chars().count() <= MAX_FIELD_CHARS {
        s
    } else {
        let mut c: String = s.chars().take(MAX_FIELD_CHARS).collect();
        c.push_str("…[cut]");
        c
    }
}

/// Redact a JSON value: secret-named keys, known secret values, query strings of URLs.
pub(crate) fn redact(v: &serde_json::Value, secrets: &[String]) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = if secret_name(k) && !v.is_null() {
                        serde_json::Value::String(REDACTED.into())
                    } else {
                        redact(v, secrets)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        serde_json::Value::Array(a) => {
            // [name, value] pairs (headers) are redacted by name.
            if a.len() == 2
                && let (Some(name), Some(_)) = (a[0].as_str(), a[1].as_str())
                && secret_name(name)
            {
                return serde_json::json!([name, REDACTED]);
            }
            serde_json::Value::Array(a.iter().map(|x| redact(x, secrets)).collect())
        }
        serde_json::Value::String(s) => {
            serde_json::Value::String(cut(redact_url(&blank(s, secrets))))
        }
        other => other.clone(),
    }
}

/// A URL's secret-looking query parameters blanked; other text unchanged.
fn redact_url(s: &str) -> String {
    let Ok(mut u) = url::Url::parse(s) else {
        return s.to_string();
    };
    if u.query().is_none() || !matches!(u.scheme(), "http" | "https") {
        return s.to_string();
    }
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if secret_name(&k) {
                REDACTED.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

/// The `AND …` conditions of a log query but its `after_id` (each value bound in `args`).
fn filters(q: &LogQuery, args: &mut Vec<Box<dyn rusqlite::ToSql>>) -> Result<String> {
    let mut sql = String::new();
    // Each value gets the next numbered placeholder.
    let mut bind = |v: Box<dyn rusqlite::ToSql>| {
        args.push(v);
        format!("?{}", args.len())
    };
    if let Some(s) = &q.subject {
        sql.push_str(&format!(
            " AND subject = {} COLLATE NOCASE",
            bind(Box::new(s.clone()))
        ));
    }
    if let Some(s) = &q.since {
        sql.push_str(&format!(" AND at >= {}", bind(Box::new(s.clone()))));
    }
    if let Some(s) = &q.until {
        sql.push_str(&format!(" AND at < {}", bind(Box::new(s.clone()))));
    }
    if let Some(k) = q.kind {
        sql.push_str(&format!(" AND kind = {}", bind(Box::new(k.as_str()))));
    }
    if let Some(o) = &q.outcome {
        if o != "ok" && o != "error" {
            return Err(Error::invalid_with_hint(
                format!("'{o}' is not an outcome"),
                "use --outcome ok or --outcome error",
            ));
        }
        sql.push_str(&format!(" AND outcome = {}", bind(Box::new(o.clone()))));
    }
    if let Some(text) = q.search.as_deref().filter(|t| !t.is_empty()) {
        if text.chars().count() >= 3 {
            // The trigram index: the text as one phrase, any substring, any case.
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            let p = bind(Box::new(phrase));
            sql.push_str(&format!(
                " AND id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH {p})"
            ));
        } else {
            // Shorter than a trigram: a scan.
            let pattern = format!(
                "%{}%",
                text.replace('!', "!!")
                    .replace('%', "!%")
                    .replace('_', "!_")
            );
            let p = bind(Box::new(pattern));
            sql.push_str(&format!(
                " AND (summary LIKE {p} ESCAPE '!' OR request LIKE {p} ESCAPE '!' OR response LIKE {p} ESCAPE '!')"
            ));
        }
    }
    Ok(sql)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogEntry> {
    let json = |i: usize| -> rusqlite::Result<Option<serde_json::Value>> {
        Ok(r.get::<_, Option<String>>(i)?
            .and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(LogEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        subject: r.get(2)?,
        kind: r.get::<_, String>(3)?.parse().unwrap_or(LogKind::Call),
        outcome: r.get(4)?,
        status: r.get(5)?,
        latency_ms: r.get(6)?,
        summary: r.get(7)?,
        request: json(8)?,
        response: json(9)?,
        error_code: r.get(10)?,
    })
}

/// The store's change stamp, and `logMaxRows` and `logMaxAgeDays` as read at it.
pub(crate) type KeptRetention = ((i64, u64), (u32, u32));

impl Patchbay {
    /// Write a log row (redacted here). Best effort: logging never fails an operation.
    pub(crate) fn log(&self, e: NewLog<'_>) {
        let secrets = &e.secrets;
        let summary = cut(blank(&e.summary, secrets));
        let enc =
            |v: &Option<serde_json::Value>| v.as_ref().map(|v| redact(v, secrets).to_string());
        let (request, response) = (enc(&e.request), enc(&e.response));
        let at = self.clock_now();
        let now = crate::clock::rfc3339(at);
        let kind_ = e.kind.unwrap_or(LogKind::Call);
        let kind = kind_.as_str();
        let outcome = if e.ok { "ok" } else { "error" };
        let (max_rows, max_age_days) = self.log_retention();
        let cutoff = crate::clock::rfc3339(at - time::Duration::days(max_age_days.into()));
        let action_id = e.action_id.map(str::to_owned);
        let subject = e.subject.map(str::to_owned);
        let (ok, status, latency_ms, error_code) = (e.ok, e.status, e.latency_ms, e.error_code);
        // Written by the store's writer thread, in a batch (readers below flush first).
        self.store().defer(Box::new(move |tx| {
            tx.prepare_cached(
                "INSERT INTO logs (at, action_id, subject, kind, outcome, status, latency_ms, summary, request, response, error_code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                now,
                action_id,
                subject,
                kind,
                outcome,
                status,
                latency_ms,
                summary,
                request,
                response,
                error_code
            ])?;
            // Health over time: a call counts in its action's hour.
            if kind_ == LogKind::Call
                && let Some(action_id) = &action_id
            {
                crate::rollup::record(tx, action_id, crate::rollup::hour_of(at), ok, latency_ms)?;
            }
            // Retention: by count on every row (a primary-key range, usually empty), by age
            // every RETENTION_EVERY rows.
            let id = tx.last_insert_rowid();
            tx.prepare_cached("DELETE FROM logs WHERE id <= ?1 - ?2")?
                .execute(params![id, max_rows])?;
            if id % RETENTION_EVERY == 0 {
                tx.execute("DELETE FROM logs WHERE at < ?1", [cutoff])?;
                // The rollup keeps its 8 days whatever the log keeps.
                crate::rollup::prune(tx, crate::rollup::hour_of(at))?;
            }
            Ok(())
        }));
    }

    /// `logMaxRows` and `logMaxAgeDays`, read again only when the store's change stamp moved
    /// (the environment's overrides are fixed for the process's life).
    fn log_retention(&self) -> (u32, u32) {
        let stamp = self.store().change_stamp().ok();
        let mut kept = self.retention.lock().unwrap_or_else(|p| p.into_inner());
        if let (Some(stamp), Some((at, values))) = (stamp, *kept)
            && stamp == at
        {
            return values;
        }
        let s = self.settings();
        let values = (s.log_max_rows, s.log_max_age_days);
        *kept = stamp.map(|at| (at, values));
        values
    }

    /// Write the log rows still queued (every reader of `logs` or the rollup calls this
    /// first, so it sees every row logged before it asked).
    pub fn flush_logs(&self) {
        self.store().flush_deferred();
    }

    /// Log rows matching `q`: oldest first when following (`after_id`), else the most
    /// recent `limit` rows, oldest first.
    pub fn logs(&self, q: &LogQuery) -> Result<Vec<LogEntry>> {
        self.flush_logs();
        let mut sql = String::from(if q.brief == Some(true) {
            "SELECT id, at, subject, kind, outcome, status, latency_ms, summary, NULL, NULL, error_code FROM logs WHERE 1 = 1"
        } else {
            "SELECT id, at, subject, kind, outcome, status, latency_ms, summary, request, response, error_code FROM logs WHERE 1 = 1"
        });
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        sql.push_str(&filters(q, &mut args)?);
        let mut bind = |v: Box<dyn rusqlite::ToSql>| {
            args.push(v);
            format!("?{}", args.len())
        };
        let following = q.after_id.is_some();
        if let Some(a) = q.after_id {
            sql.push_str(&format!(" AND id > {}", bind(Box::new(a))));
        }
        sql.push_str(if following {
            " ORDER BY id ASC"
        } else {
            " ORDER BY id DESC"
        });
        if let Some(l) = q.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        self.store().read(|c| {
            let mut stmt = c.prepare(&sql)?;
            let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
            let mut rows = stmt
                .query_map(params.as_slice(), row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if !following {
                rows.reverse();
            }
            Ok(rows)
        })
    }

    /// The rows `q` selects (its `after_id`, `limit` and `brief` aside), counted per time
    /// bucket from `since` (else the oldest such row) to `until` (else now): at most
    /// [`HISTOGRAM_BARS`] bars of a round width, empty ones included.
    pub fn log_histogram(&self, q: &LogQuery) -> Result<LogHistogram> {
        self.flush_logs();
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        let cond = filters(q, &mut args)?;
        let parse = |s: &Option<String>, what: &str| -> Result<Option<i64>> {
            s.as_deref()
                .map(|t| {
                    crate::clock::parse_rfc3339(t)
                        .map(|t| t.unix_timestamp())
                        .ok_or_else(|| {
                            Error::invalid(format!(
                                "{what} '{}' is not an RFC 3339 time",
                                crate::validate::printable(t)
                            ))
                        })
                })
                .transpose()
        };
        let since = parse(&q.since, "since")?;
        let end = parse(&q.until, "until")?.unwrap_or_else(|| self.clock_now().unix_timestamp());
        self.store().read(|c| {
            let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
            let start = match since {
                Some(s) => s,
                None => {
                    let oldest: Option<i64> = c.query_row(
                        &format!("SELECT unixepoch(min(at)) FROM logs WHERE 1 = 1{cond}"),
                        params.as_slice(),
                        |r| r.get(0),
                    )?;
                    match oldest {
                        Some(o) => o,
                        None => {
                            return Ok(LogHistogram {
                                bucket_secs: HISTOGRAM_WIDTHS[0],
                                bars: Vec::new(),
                            });
                        }
                    }
                }
            };
            let span = (end - start).max(1);
            let width = HISTOGRAM_WIDTHS
                .iter()
                .copied()
                .find(|w| (span + w - 1) / w <= HISTOGRAM_BARS)
                .unwrap_or(HISTOGRAM_WIDTHS[HISTOGRAM_WIDTHS.len() - 1]);
            let first = start.div_euclid(width) * width;
            let count = ((end - first).max(0) / width + 1).min(HISTOGRAM_BARS * 2);
            let mut bars: Vec<LogBar> = (0..count)
                .map(|i| LogBar {
                    at: first + i * width,
                    rows: 0,
                    errors: 0,
                })
                .collect();
            let w = args.len() + 1;
            let mut stmt = c.prepare(&format!(
                "SELECT unixepoch(at) / ?{w} * ?{w} AS b, count(*), sum(outcome = 'error')
                 FROM logs WHERE 1 = 1{cond} GROUP BY b"
            ))?;
            let mut params = params;
            params.push(&width);
            let mut rows = stmt.query(params.as_slice())?;
            while let Some(r) = rows.next()? {
                let Some(b) = r.get::<_, Option<i64>>(0)? else {
                    continue;
                };
                if let Some(bar) = usize::try_from((b - first) / width)
                    .ok()
                    .and_then(|i| bars.get_mut(i))
                {
                    bar.rows += r.get::<_, i64>(1)?;
                    bar.errors += r.get::<_, i64>(2)?;
                }
            }
            Ok(LogHistogram {
                bucket_secs: width,
                bars,
            })
        })
    }

    /// One whole log row (the details pane); `None` once retention removed it.
    pub fn log_entry(&self, id: i64) -> Result<Option<LogEntry>> {
        self.flush_logs();
        use rusqlite::OptionalExtension;
        self.store().read(|c| {
            Ok(c.query_row(
                "SELECT id, at, subject, kind, outcome, status, latency_ms, summary, request, response, error_code FROM logs WHERE id = ?1",
                [id],
                row,
            )
            .optional()?)
        })
    }

    /// Write the rows `q` selects (whole, redacted as stored; oldest first) as JSON lines to
    /// a new file `patchbay-logs-<UTC stamp>.jsonl` in `dir`. Returns the file and the count.
    pub fn export_logs(&self, q: &LogQuery, dir: &Path) -> Result<LogExport> {
        let whole = LogQuery {
            brief: None,
            ..q.clone()
        };
        let rows = self.logs(&whole)?;
        let stamp = self
            .now()
            .replace(['-', ':'], "")
            .split('.')
            .next()
            .unwrap_or_default()
            .trim_end_matches('Z')
            .to_string();
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        // A second export within the same second gets its own name.
        let mut path = dir.join(format!("patchbay-logs-{stamp}Z.jsonl"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("patchbay-logs-{stamp}Z-{n}.jsonl"));
            n += 1;
        }
        let mut text = String::with_capacity(rows.len() * 256);
        for r in &rows {
            text.push_str(&serde_json::to_string(r).map_err(|e| Error::invalid(e.to_string()))?);
            text.push('\n');
        }
        // create_new: never over an existing file (another export in the same instant).
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        std::io::Write::write_all(&mut f, text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        Ok(LogExport {
            path: path.display().to_string(),
            rows: rows.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_never_reach_a_log_row() {
        let secrets = vec!["s3cr3t-value".to_string()];
        let v = json!({
            "headers": [["Authorization", "Bearer abc"], ["Accept", "application/json"]],
            "body": {"client_secret": "x", "refresh_token": "y", "query": "about s3cr3t-value"},
            "url": "https://api.example.com/x?api_key=k1&page=2",
            "note": "token s3cr3t-value here",
        });
        let r = redact(&v, &secrets);
        let text = r.to_string();
        for leaked in ["Bearer abc", "s3cr3t-value", "k1", "\"x\"", "\"y\""] {
            assert!(!text.contains(leaked), "{leaked} leaked: {text}");
        }
        assert_eq!(r["headers"][1], json!(["Accept", "application/json"]));
        assert!(text.contains("page=2"), "{text}");
        assert_eq!(blank("abc s3cr3t-value", &secrets), "abc [redacted]");
        assert_eq!(
            cut("x".repeat(MAX_FIELD_CHARS + 5)).chars().count(),
            MAX_FIELD_CHARS + 6
        );
    }

    #[test]
    fn search_finds_substrings_in_any_case_short_or_long_and_quotes_are_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pb = Patchbay::open(dir.path()).expect("open");
        for (summary, req) in [
            (
                "tools/call search_issues",
                json!({"q": "Login BUG in \"prod\""}),
            ),
            ("tools/call whoami", json!({"n": 1})),
            ("GET https://api.example.com → HTTP 200", json!(null)),
        ] {
            pb.log(NewLog {
                subject: Some("a"),
                kind: Some(LogKind::Call),
                ok: true,
                summary: summary.into(),
                request: Some(req),
                ..Default::default()
            });
        }
        let found = |text: &str| {
            pb.logs(&LogQuery {
                search: Some(text.into()),
                ..Default::default()
            })
            .expect("query")
            .len()
        };
        assert_eq!(found("login bug"), 1, "case-insensitive substring");
        assert_eq!(found("ssue"), 1, "inside a word");
        assert_eq!(found("\\\"prod"), 1, "quotes are text, not syntax");
        assert_eq!(found("→ HTTP"), 1);
        assert_eq!(found("wh"), 1, "shorter than a trigram: a scan");
        assert_eq!(found("%"), 0, "LIKE wildcards are text");
        assert_eq!(found("nothing like it"), 0);
        assert_eq!(found("tools/call"), 2);
    }

    /// The index is written at the end of each batch (migration 18): every kept row is found,
    /// rows that retention deleted (some before their batch indexed them) are not, and the
    /// index agrees with the table.
    #[test]
    fn the_index_written_per_batch_finds_every_kept_row_and_stays_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pb = Patchbay::open(dir.path()).expect("open");
        pb.set_setting("logMaxRows", "40").expect("setting");
        let write = |from: usize, to: usize| {
            for n in from..to {
                pb.log(NewLog {
                    subject: Some("a"),
                    kind: Some(LogKind::Call),
                    ok: true,
                    summary: format!("tools/call row-{n:04}"),
                    request: Some(json!({"q": format!("needle {n}")})),
                    ..Default::default()
                });
            }
        };
        // More than a batch at once, then a few more after a flush: both paths.
        write(0, 150);
        let found = |text: &str| {
            pb.logs(&LogQuery {
                search: Some(text.into()),
                limit: Some(1000),
                ..Default::default()
            })
            .expect("query")
            .len()
        };
        assert_eq!(found("needle"), 40, "the last 40 rows, all indexed");
        write(150, 157);
        assert_eq!(found("needle"), 40);
        assert_eq!(found("row-0156"), 1, "the newest row is found");
        assert_eq!(found("row-0116"), 0, "a row retention deleted is gone");
        assert_eq!(found("row-0117"), 1, "the oldest row kept");
        let (unindexed, whole) = pb
            .store()
            .read(|c| {
                let n: i64 =
                    c.query_row("SELECT count(*) FROM logs_unindexed", [], |r| r.get(0))?;
                let whole = c
                    .execute(
                        "INSERT INTO logs_fts (logs_fts, rank) VALUES ('integrity-check', 1)",
                        [],
                    )
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                Ok((n, whole))
            })
            .expect("read");
        assert_eq!(unindexed, 0, "every committed row is indexed");
        // FTS5's own check: an error (SQLITE_CORRUPT_VTAB) when the index and table differ.
        assert_eq!(whole, Ok(()), "the index matches the table");
    }

    #[test]
    fn every_kind_is_one_the_table_takes() {
        use strum::IntoEnumIterator;
        let dir = tempfile::tempdir().expect("tempdir");
        let pb = Patchbay::open(dir.path()).expect("open");
        let kinds: Vec<LogKind> = LogKind::iter().collect();
        for k in &kinds {
            pb.log(NewLog {
                kind: Some(*k),
                ok: true,
                summary: format!("a {} row", k.as_str()),
                ..Default::default()
            });
        }
        let rows = pb.logs(&LogQuery::default()).expect("rows");
        let written: Vec<LogKind> = rows.iter().map(|r| r.kind).collect();
        assert_eq!(written, kinds, "the log's CHECK refused a kind");
    }

    #[test]
    fn brief_rows_leave_out_the_bodies_and_one_row_or_an_export_has_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pb = Patchbay::open(dir.path()).expect("open");
        for n in 0..3 {
            pb.log(NewLog {
                subject: Some("a"),
                kind: Some(LogKind::Call),
                ok: n != 1,
                summary: format!("call {n}"),
                request: Some(json!({"n": n, "token": "s3cr3t"})),
                response: Some(json!({"status": 200})),
                ..Default::default()
            });
        }
        let brief = pb
            .logs(&LogQuery {
                brief: Some(true),
                ..Default::default()
            })
            .expect("brief");
        assert_eq!(brief.len(), 3);
        assert!(
            brief
                .iter()
                .all(|r| r.request.is_none() && r.response.is_none())
        );
        let whole = pb.log_entry(brief[1].id).expect("read").expect("row");
        assert_eq!(whole.request, Some(json!({"n": 1, "token": "[redacted]"})));
        assert!(pb.log_entry(9_999).expect("read").is_none());

        let out = tempfile::tempdir().expect("tempdir");
        let errors = LogQuery {
            outcome: Some("error".into()),
            brief: Some(true),
            ..Default::default()
        };
        let first = pb.export_logs(&errors, out.path()).expect("export");
        let second = pb.export_logs(&errors, out.path()).expect("export again");
        assert_ne!(first.path, second.path, "a second export gets its own file");
        assert_eq!(first.rows, 1);
        let text = std::fs::read_to_string(&first.path).expect("read the export");
        let rows: Vec<LogEntry> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].summary, "call 1");
        assert!(rows[0].request.is_some(), "exports are whole rows");
        assert!(!text.contains("s3cr3t"));
        let name = std::path::Path::new(&first.path)
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name");
        assert!(
            name.starts_with("patchbay-logs-") && name.ends_with("Z.jsonl"),
            "{name}"
        );
    }

    /// The histogram counts what the filters select per bar over the time range; a bar's
    /// `since`/`until` selects exactly its rows.
    #[test]
    fn the_histogram_counts_rows_per_bar_and_a_bar_selects_its_rows() {
        let p = crate::testing::profile();
        let write = |subject: &str, ok: bool| {
            p.pb.log(NewLog {
                subject: Some(subject),
                kind: Some(LogKind::Call),
                ok,
                summary: "tools/call t".into(),
                ..Default::default()
            })
        };
        // 12:00, 12:00, 12:05 (an error), then a quiet while, then 13:30 (beta).
        write("alpha", true);
        write("alpha", true);
        p.clock.advance(time::Duration::minutes(5));
        write("alpha", false);
        p.clock.advance(time::Duration::minutes(85));
        write("beta", true);
        p.clock.advance(time::Duration::minutes(10));
        // Last 24 h: half-hour bars from 13:30 yesterday (the range) to 13:40 now.
        let day = LogQuery {
            since: Some(p.pb.ago(std::time::Duration::from_secs(86_400))),
            ..Default::default()
        };
        let h = p.pb.log_histogram(&day).expect("histogram");
        assert_eq!(h.bucket_secs, 1800);
        assert_eq!(h.bars.len(), 49, "every bar, empty ones too");
        let busy: Vec<(i64, i64)> = h
            .bars
            .iter()
            .filter(|b| b.rows > 0)
            .map(|b| (b.rows, b.errors))
            .collect();
        assert_eq!(busy, vec![(3, 1), (1, 0)]);
        assert_eq!(h.bars.iter().map(|b| b.rows).sum::<i64>(), 4);
        // Filters apply: alpha's errors alone.
        let errors = LogQuery {
            subject: Some("ALPHA".into()),
            outcome: Some("error".into()),
            ..day.clone()
        };
        let h = p.pb.log_histogram(&errors).expect("histogram");
        assert_eq!(h.bars.iter().map(|b| b.rows).sum::<i64>(), 1);
        // All time: from the oldest row, minute bars.
        let all = p.pb.log_histogram(&LogQuery::default()).expect("histogram");
        assert_eq!(all.bucket_secs, 120, "100 minutes fit 60 two-minute bars");
        assert_eq!(all.bars.first().map(|b| (b.rows, b.errors)), Some((2, 0)));
        // A bar's own range lists its rows.
        let bar = all
            .bars
            .iter()
            .find(|b| b.errors == 1)
            .expect("the error's bar");
        let at = |s: i64| {
            crate::clock::rfc3339(time::OffsetDateTime::from_unix_timestamp(s).expect("time"))
        };
        let rows =
            p.pb.logs(&LogQuery {
                since: Some(at(bar.at)),
                until: Some(at(bar.at + all.bucket_secs)),
                ..Default::default()
            })
            .expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].outcome, "error");
        // Nothing logged: no bars; a bad time is an error, not a panic.
        let none = LogQuery {
            subject: Some("nobody".into()),
            ..Default::default()
        };
        assert!(
            p.pb.log_histogram(&none)
                .expect("histogram")
                .bars
                .is_empty()
        );
        let bad = LogQuery {
            since: Some("yesterday".into()),
            ..Default::default()
        };
        assert!(p.pb.log_histogram(&bad).is_err());
    }
}
