//! `patchbay test`, `tools`, `call` and `proxy`: using actions.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use patchbay_core::model::{Health, HealthStatus};
use patchbay_core::runtime::step_up::{MAX_STEP_UPS, StepUpEvent, StepUpPolicy};
use patchbay_core::{Error, Patchbay, Result};
use serde::Serialize;

use super::{Status, open, runtime};
use crate::args::{CallArgs, TestArgs};
use crate::{outln, output};

/// How many actions `test --all` checks at once (the app's Test all does the same).
const TEST_CONCURRENCY: usize = 4;

/// One row of `test --all --json`: the action's name and its health.
#[derive(Serialize)]
struct NamedHealth {
    name: String,
    #[serde(flatten)]
    health: Health,
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

pub fn test(t: TestArgs, json: bool) -> Result<Status> {
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
    // At most TEST_CONCURRENCY at once (as the app's Test all), results in the listed order.
    let results: Vec<(String, Result<Health>)> = rt.block_on(
        futures::stream::iter(names.into_iter().map(|n| {
            let pb = pb.clone();
            async move {
                let r = pb.test_action(&n).await;
                (n, r)
            }
        }))
        .buffered(TEST_CONCURRENCY)
        .collect(),
    );
    if t.name.is_some() {
        let (name, r) = results.into_iter().next().expect("one name, one result");
        let h = r?;
        if json {
            output::json(&h);
        } else {
            outln!("{}", health_line(&name, &h));
        }
        return Ok(Status::failed_unless(h.status == HealthStatus::Healthy));
    }
    let mut rows = Vec::new();
    let mut status = Status::Done;
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
            status = Status::Failed;
        }
        rows.push(NamedHealth { name, health: h });
    }
    if json {
        output::json(&rows);
    } else if rows.is_empty() {
        outln!("No enabled actions to test.");
    } else {
        for r in &rows {
            outln!("{}", health_line(&r.name, &r.health));
        }
    }
    Ok(status)
}

pub fn tools(name: &str, json: bool) -> Result<Status> {
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
    Ok(Status::Done)
}

/// `patchbay proxy NAME`: stdout carries only MCP messages; anything for a person goes to
/// stderr (MCP clients show it in their server log).
pub fn proxy(name: &str) -> Result<Status> {
    // What the MCP transport itself reports when it gives up (a worker's fatal error) goes
    // to stderr, which MCP clients keep in their server log.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .try_init();
    let pb = core()?;
    // SIGINT or SIGTERM ends the proxy as closing stdin does, but writes the log rows still
    // queued first (a signal's default action would lose them).
    let rt = runtime()?;
    let report = rt.block_on(async {
        tokio::select! {
            r = pb.proxy(name, tokio::io::stdin(), tokio::io::stdout()) => r.map(Some),
            _ = super::stopped() => Ok(None),
        }
    });
    pb.flush_logs();
    // After a signal, stdin's reader thread may still wait for a line: do not wait for it.
    rt.shutdown_background();
    if let Some(f) = report?.and_then(|r| r.failure) {
        eprintln!("patchbay proxy {name}: {f}");
    }
    Ok(Status::Done)
}

/// What a step-up tells the user (on stderr: stdout carries the call's result).
fn say_step_up(e: StepUpEvent<'_>) {
    match e {
        StepUpEvent::Starting {
            action,
            tool,
            challenged,
            adding,
            attempt,
        } => {
            let adding = if adding.is_empty() {
                "the scopes it asked for again".to_string()
            } else {
                adding.join(" ")
            };
            eprintln!(
                "'{action}' needs more permissions for '{tool}': the server answered 403 insufficient_scope asking for '{}'. Signing in again to add {adding} (step-up {attempt} of {MAX_STEP_UPS})...",
                challenged.join(" ")
            );
        }
        StepUpEvent::Granted(grant) => eprintln!("Granted: {}", grant.scopes.join(" ")),
    }
}

pub fn call(c: CallArgs, json: bool) -> Result<Status> {
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
    let settings = pb.settings();
    let policy = (!c.no_step_up).then(|| StepUpPolicy {
        port: c.port.unwrap_or(settings.callback_port),
        timeout: Duration::from_secs(settings.consent_timeout_secs.into()),
    });
    let out = rt.block_on(pb.mcp_call_stepping_up(
        &c.name,
        &tool,
        args,
        policy.as_ref(),
        |url: &str, redirect_uri: &str| {
            eprintln!("Opening the browser to sign in (callback {redirect_uri})...");
            if let Err(e) = patchbay_core::browser::open(url) {
                eprintln!("{e}\nOpen this URL yourself:\n{url}");
            }
            eprintln!(
                "Waiting for the browser (up to {} s)...",
                settings.consent_timeout_secs
            );
            Ok(())
        },
        say_step_up,
    ))?;
    // The call's log row before any output (a closed stdout ends the process at once).
    pb.flush_logs();
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
    Ok(Status::failed_unless(!out.is_error))
}

fn http_call(
    pb: &Arc<Patchbay>,
    rt: &tokio::runtime::Runtime,
    name: &str,
    args: Option<serde_json::Map<String, serde_json::Value>>,
    json: bool,
) -> Result<Status> {
    let out = rt.block_on(pb.http_call(name, args))?;
    pb.flush_logs();
    let status = Status::failed_unless(out.ok());
    if json {
        output::json(&out);
        return Ok(status);
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
    Ok(status)
}
