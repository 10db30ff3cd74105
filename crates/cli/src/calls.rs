//! `patchbay test`, `tools` and `call`: running actions.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use patchbay_core::model::{Health, HealthStatus};
use patchbay_core::{Error, Kind, Patchbay, Result};

use crate::args::{CallArgs, LogsArgs, TestArgs};
use crate::connect::runtime;
use crate::{open, outln, output};

/// The exit code of a command that succeeded in running but reports a failure (an
/// unhealthy test, a tool result with `isError`): 0 unless set.
pub static EXIT: AtomicU8 = AtomicU8::new(0);

fn fail_softly() {
    EXIT.store(1, Ordering::Relaxed);
}

fn core() -> Result<Arc<Patchbay>> {
    Ok(Arc::new(open(false)?))
}

fn health_line(name: &str, h: &Health) -> String {
    match h.status {
        HealthStatus::Healthy => format!(
            "{name}: healthy ({} tools, {} ms)",
            h.tool_count.unwrap_or(0),
            h.latency_ms.unwrap_or(0)
        ),
        _ => format!(
            "{name}: unhealthy ({}): {}",
            h.reason.as_deref().unwrap_or("unknown"),
            h.message.as_deref().unwrap_or("")
        ),
    }
}

pub fn test(t: TestArgs, json: bool) -> Result<()> {
    let pb = core()?;
    let rt = runtime()?;
    let names: Vec<String> = match (&t.name, t.all) {
        (Some(n), _) => vec![n.clone()],
        (None, _) => pb
            .list_actions()?
            .into_iter()
            .filter(|a| a.enabled)
            .map(|a| a.name)
            .collect(),
    };
    let results: Vec<(String, Result<Health>)> = rt.block_on(async {
        let tasks: Vec<_> = names
            .iter()
            .map(|n| {
                let pb = pb.clone();
                let n = n.clone();
                tokio::spawn(async move {
                    let r = pb.test_action(&n).await;
                    (n, r)
                })
            })
            .collect();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            match t.await {
                Ok(r) => out.push(r),
                Err(e) => out.push((
                    String::new(),
                    Err(Error::Internal(format!("a test stopped: {e}"))),
                )),
            }
        }
        out
    });
    if t.name.is_some() {
        let (name, r) = results.into_iter().next().expect("one name, one result");
        let h = r?;
        if json {
            output::json(&h);
        } else {
            outln!("{}", health_line(&name, &h));
        }
        if h.status != HealthStatus::Healthy {
            fail_softly();
        }
        return Ok(());
    }
    let mut rows = Vec::new();
    for (name, r) in results {
        let h = match r {
            Ok(h) => h,
            Err(e) => Health {
                status: HealthStatus::Unhealthy,
                reason: Some("error".into()),
                message: Some(e.to_string()),
                checked_at: None,
                latency_ms: None,
                tool_count: None,
            },
        };
        if h.status != HealthStatus::Healthy {
            fail_softly();
        }
        rows.push((name, h));
    }
    if json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(n, h)| {
                let mut v = serde_json::to_value(h).unwrap_or_default();
                v["name"] = n.clone().into();
                v
            })
            .collect();
        output::json(&list);
    } else if rows.is_empty() {
        outln!("No enabled actions to test.");
    } else {
        for (n, h) in &rows {
            outln!("{}", health_line(n, h));
        }
    }
    Ok(())
}

pub fn tools(name: &str, json: bool) -> Result<()> {
    let pb = core()?;
    let tools = runtime()?.block_on(pb.mcp_tools(name))?;
    if json {
        output::json(&tools);
    } else if tools.is_empty() {
        outln!("'{name}' offers no tools.");
    } else {
        for t in &tools {
            match &t.description {
                Some(d) => outln!("{}  {}", t.name, d.lines().next().unwrap_or("")),
                None => outln!("{}", t.name),
            }
        }
    }
    Ok(())
}

/// `patchbay proxy NAME`: stdout carries only MCP messages; anything for a person goes to
/// stderr (MCP clients show it in their server log).
pub fn proxy(name: &str) -> Result<()> {
    // What the MCP transport itself reports when it gives up (a worker's fatal error) goes
    // to stderr, which MCP clients keep in their server log.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .try_init();
    let pb = core()?;
    let report = runtime()?.block_on(pb.proxy(name, tokio::io::stdin(), tokio::io::stdout()))?;
    if let Some(f) = &report.failure {
        eprintln!("patchbay proxy {name}: {f}");
    }
    Ok(())
}

/// `patchbay approvals`: what waits for the user, then the counts per action.
pub fn approvals(json: bool) -> Result<()> {
    let pb = core()?;
    let pending = pb.pending_approvals()?;
    let counts = pb.approval_counts()?;
    if json {
        output::json(&serde_json::json!({"pending": pending, "counts": counts}));
        return Ok(());
    }
    if pending.is_empty() {
        outln!("No tool call is waiting for confirmation.");
    }
    for a in &pending {
        outln!(
            "{}  {} wants to call '{}' on '{}'{}",
            a.id,
            a.requester,
            a.tool,
            a.action,
            a.arguments
                .as_ref()
                .map(|v| format!(" with {v}"))
                .unwrap_or_default()
        );
    }
    for c in &counts {
        outln!(
            "{}: {} approved, {} denied, {} expired",
            c.action,
            c.approved,
            c.denied,
            c.expired
        );
    }
    Ok(())
}

/// `patchbay approve|deny ID`.
pub fn decide(id: &str, approve: bool, json: bool) -> Result<()> {
    let a = core()?.decide_approval(id, approve)?;
    if json {
        output::json(&a);
    } else {
        outln!(
            "{} the call of '{}' on '{}'.",
            if approve { "Approved" } else { "Denied" },
            a.tool,
            a.action
        );
    }
    Ok(())
}

/// Step-up sign-ins per call before giving up (the spec's bound).
const MAX_STEP_UPS: u32 = 3;

fn uses_own_oauth(pb: &Patchbay, name: &str) -> bool {
    pb.get_action(name)
        .is_ok_and(|a| a.auth.kind == patchbay_core::model::AuthType::OAuth)
}

/// Re-authorize with the union of the granted and the challenged scopes, saying why.
fn step_up(
    pb: &Patchbay,
    c: &CallArgs,
    tool: &str,
    challenged: &[String],
    attempt: u32,
) -> Result<()> {
    let granted = pb.oauth_status(Kind::Action, &c.name)?.scopes;
    let adding: Vec<&String> = challenged.iter().filter(|s| !granted.contains(s)).collect();
    let adding = if adding.is_empty() {
        "the scopes it asked for again".to_string()
    } else {
        adding
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    eprintln!(
        "'{}' needs more permissions for '{}': the server answered 403 insufficient_scope asking for '{}'. Signing in again to add {adding} (step-up {attempt} of {MAX_STEP_UPS})...",
        c.name,
        tool,
        challenged.join(" ")
    );
    let args = crate::args::ConnectArgs {
        name: c.name.clone(),
        no_browser: false,
        timeout: None,
        port: c.port,
    };
    let grant = crate::connect::authorize(pb, Kind::Action, &args, challenged.to_vec())?;
    eprintln!("Granted: {}", grant.scopes.join(" "));
    Ok(())
}

pub fn call(c: CallArgs, json: bool) -> Result<()> {
    let args = match &c.args {
        None => None,
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            Ok(_) => {
                return Err(Error::invalid_with_hint(
                    "--args must be a JSON object",
                    r#"e.g. --args '{"text": "hello"}'"#,
                ));
            }
            Err(e) => {
                return Err(Error::invalid_with_hint(
                    format!("--args is not valid JSON: {e}"),
                    r#"e.g. --args '{"text": "hello"}'"#,
                ));
            }
        },
    };
    let pb = core()?;
    let rt = runtime()?;
    let action = pb.get_action(&c.name)?;
    let tool = match (action.kind, &c.tool) {
        (patchbay_core::model::ActionKind::Http, None) => {
            return http_call(&pb, &rt, &c.name, args, json);
        }
        (patchbay_core::model::ActionKind::Http, Some(t)) => {
            return Err(Error::invalid_with_hint(
                format!("'{}' is an HTTP action: it has no tool '{t}'", c.name),
                format!("call it with `patchbay call {} --args JSON`", c.name),
            ));
        }
        (_, Some(t)) => t.clone(),
        (_, None) => {
            return Err(Error::invalid_with_hint(
                format!("'{}' is an MCP server: name the tool to call", c.name),
                format!("see its tools with `patchbay tools {}`", c.name),
            ));
        }
    };
    let mut step_ups = 0;
    let out = loop {
        match rt.block_on(pb.mcp_call(&c.name, &tool, args.clone())) {
            Err(Error::InsufficientScope { scopes, .. })
                if !c.no_step_up && step_ups < MAX_STEP_UPS && uses_own_oauth(&pb, &c.name) =>
            {
                step_ups += 1;
                step_up(&pb, &c, &tool, &scopes, step_ups)?;
            }
            other => break other?,
        }
    };
    if out.is_error {
        fail_softly();
    }
    if json {
        output::json(&out);
    } else if out.is_error {
        eprintln!("{tool}: the tool returned an error:");
        eprintln!("{}", out.text);
    } else if !out.text.is_empty() {
        outln!("{}", out.text);
    } else {
        output::json(&out.result);
    }
    Ok(())
}

fn http_call(
    pb: &Arc<Patchbay>,
    rt: &tokio::runtime::Runtime,
    name: &str,
    args: Option<serde_json::Map<String, serde_json::Value>>,
    json: bool,
) -> Result<()> {
    let out = rt.block_on(pb.http_call(name, args))?;
    if !out.ok() {
        fail_softly();
    }
    if json {
        output::json(&out);
        return Ok(());
    }
    if !out.ok() {
        eprintln!("{name}: HTTP {}", out.status);
    }
    match &out.json {
        Some(v) => output::json(v),
        None => outln!("{}", out.body),
    }
    if out.truncated {
        eprintln!(
            "(the response was cut at {} KiB)",
            patchbay_core::runtime::http_action::MAX_BODY_BYTES / 1024
        );
    }
    Ok(())
}

/// `30s`, `10m`, `2h`, `7d`, `1h 30m` (humantime's forms) as seconds.
fn duration_secs(s: &str) -> Result<i64> {
    let bad = || {
        Error::invalid_with_hint(
            format!("'{}' is not a duration", s.trim()),
            "write a number and a unit: 30s, 10m, 2h, 7d",
        )
    };
    let d = humantime::parse_duration(s.trim()).map_err(|_| bad())?;
    i64::try_from(d.as_secs()).map_err(|_| bad())
}

pub fn logs(l: LogsArgs, json: bool) -> Result<()> {
    use patchbay_core::logs::{LogKind, LogQuery};
    let pb = open(false)?;
    let since = match &l.since {
        None => None,
        Some(d) => {
            let secs = duration_secs(d)?;
            let at = time::OffsetDateTime::now_utc() - time::Duration::seconds(secs);
            Some(patchbay_core::clock::rfc3339(at))
        }
    };
    let mut q = LogQuery {
        subject: l.action.clone(),
        since,
        kind: l.kind.as_deref().map(LogKind::parse).transpose()?,
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
        return Ok(());
    }
    print(&rows, true);
    if !l.follow {
        return Ok(());
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
    use super::duration_secs;

    #[test]
    fn since_takes_a_number_and_a_unit_and_refuses_anything_else() {
        for (s, secs) in [
            ("30s", 30),
            ("10m", 600),
            ("2h", 7200),
            ("7d", 604_800),
            (" 1h 30m ", 5400),
        ] {
            assert_eq!(duration_secs(s).expect(s), secs, "{s}");
        }
        for s in ["soon", "-1h", "", "10", "1y2"] {
            let e = duration_secs(s).expect_err(s);
            assert!(e.to_string().contains("is not a duration"), "{s}: {e}");
        }
    }
}
