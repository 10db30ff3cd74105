//! `patchbay logs`: the activity log, filtered, or followed as it grows.

use patchbay_core::Result;

use super::{Status, duration, open};
use crate::args::LogsArgs;
use crate::{outln, output};

pub fn run(l: LogsArgs, json: bool) -> Result<Status> {
    use patchbay_core::logs::{LogQuery, parse_kind};
    let pb = open(false)?;
    let since = l
        .since
        .as_deref()
        .map(duration)
        .transpose()?
        .map(|d| pb.ago(d));
    let mut q = LogQuery {
        subject: l.action.clone(),
        since,
        until: None,
        kind: l.kind.as_deref().map(parse_kind).transpose()?,
        outcome: l.outcome.clone(),
        search: l.search.clone(),
        after_id: None,
        limit: Some(l.limit),
        brief: None,
    };
    let print = |rows: &[patchbay_core::logs::LogEntry], header: bool| {
        if json {
            for r in rows {
                outln!("{}", serde_json::to_string(r).unwrap_or_default());
            }
            return;
        }
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.at.clone(),
                    r.subject.clone().unwrap_or_else(|| "-".into()),
                    r.kind.as_str().into(),
                    r.outcome.clone(),
                    r.status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into()),
                    r.latency_ms
                        .map(|l| format!("{l} ms"))
                        .unwrap_or_else(|| "-".into()),
                    r.summary.clone(),
                ]
            })
            .collect();
        if header {
            output::table(
                &[
                    "TIME", "ACTION", "KIND", "OUTCOME", "STATUS", "LATENCY", "SUMMARY",
                ],
                cells,
            );
        } else {
            for c in cells {
                outln!("{}", c.join("  "));
            }
        }
    };
    let rows = pb.logs(&q)?;
    if rows.is_empty() && !json && !l.follow {
        outln!("No log entries match.");
        return Ok(Status::Done);
    }
    print(&rows, true);
    if !l.follow {
        return Ok(Status::Done);
    }
    let mut last = match rows.last() {
        Some(r) => r.id,
        None => pb
            .logs(&LogQuery {
                limit: Some(1),
                ..Default::default()
            })?
            .last()
            .map(|r| r.id)
            .unwrap_or(0),
    };
    q.limit = None;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(400));
        q.after_id = Some(last);
        let rows = pb.logs(&q)?;
        if let Some(r) = rows.last() {
            last = r.id;
            print(&rows, false);
            use std::io::Write;
            let _ = std::io::stdout().flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn since_takes_a_number_and_a_unit_and_refuses_anything_else() {
        for (s, secs) in [
            ("30s", 30),
            ("10m", 600),
            ("2h", 7200),
            ("7d", 604_800),
            (" 1h 30m ", 5400),
        ] {
            assert_eq!(duration(s).expect(s).as_secs(), secs, "{s}");
        }
        for s in ["soon", "-1h", "", "10", "1y2"] {
            let e = duration(s).expect_err(s);
            assert!(e.to_string().contains("is not a duration"), "{s}: {e}");
        }
    }
}
