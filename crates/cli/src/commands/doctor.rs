//! `patchbay doctor [NAME...]`: the step-by-step diagnosis of core's `doctor` module, printed.
//! An unknown NAME is a usage error (exit 2); a failing step exits 1.

use std::sync::Arc;

use patchbay_core::model::{DoctorReport, DoctorStep};
use patchbay_core::{Error, Result};

use super::{Status, open, runtime};
use crate::args::DoctorArgs;
use crate::{outln, output};

pub fn run(d: DoctorArgs, json: bool) -> Result<Status> {
    let pb = Arc::new(open(false)?);
    let single = d.names.len() == 1;
    let names: Vec<String> = if d.names.is_empty() {
        pb.list_actions()?.into_iter().map(|a| a.name).collect()
    } else {
        d.names
    };
    // Every NAME must exist before anything runs: a typo is a usage error, not a diagnosis.
    for n in &names {
        if let Err(e) = pb.get_action(n) {
            if !e.is_user_error() {
                return Err(e);
            }
            usage(&e, json);
            return Ok(Status::Usage);
        }
    }
    let rt = runtime()?;
    let results = rt.block_on(pb.doctor_many(names));
    let reports = results.into_iter().collect::<Result<Vec<DoctorReport>>>()?;
    let status = Status::failed_unless(reports.iter().all(|r| r.ok));
    if single {
        let r = &reports[0];
        if json {
            output::json(r);
        } else {
            trace(r);
        }
    } else if json {
        output::json(&reports);
    } else if reports.is_empty() {
        outln!("No actions to diagnose.");
    } else {
        for r in &reports {
            outln!("{}", summary(r));
        }
    }
    Ok(status)
}

fn usage(e: &Error, json: bool) {
    if json {
        let body = serde_json::json!({"error": e.body()});
        eprintln!("{body}");
    } else {
        eprintln!("error: {e}");
        if let Some(h) = e.hint() {
            eprintln!("hint: {h}");
        }
    }
}

fn total_ms(r: &DoctorReport) -> i64 {
    r.steps.iter().map(|s| s.latency_ms).sum()
}

/// One line: `NAME: ok (7 steps, 120 ms)` or `NAME: failed at STEP: FIX`.
pub fn summary(r: &DoctorReport) -> String {
    match r.failed() {
        None => format!(
            "{}: ok ({} steps, {} ms)",
            r.name,
            r.steps.len(),
            total_ms(r)
        ),
        Some(s) => format!(
            "{}: failed at {}: {}",
            r.name,
            s.step.as_str(),
            s.fix.as_deref().unwrap_or("see `patchbay doctor NAME`")
        ),
    }
}

/// What a step's detail says in one line.
fn gist(s: &DoctorStep) -> String {
    let d = &s.detail;
    let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(String::from);
    if let Some(e) = d
        .get("error")
        .and_then(|e| e.get("message"))
        .and_then(|m| m.as_str())
    {
        return e.to_string();
    }
    match s.step.as_str() {
        "probe" => {
            let status = d["response"]["status"]
                .as_u64()
                .map(|x| format!("HTTP {x}"));
            [status, text("note")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ")
        }
        "resource-metadata" | "authorization-server-metadata" => match text("used") {
            Some(u) => match text("issuer") {
                Some(i) => format!("{u} (issuer {i})"),
                None => u,
            },
            None => text("note").unwrap_or_else(|| "no document found".into()),
        },
        "client" => format!(
            "{}{}",
            text("identity").unwrap_or_default(),
            text("clientId")
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        ),
        "token" => {
            let mut parts = vec![text("kind").unwrap_or_default()];
            if let Some(e) = text("expiresAt") {
                parts.push(format!("expires {e}"));
            }
            if d["refreshed"] == true {
                parts.push("refreshed now".into());
            }
            if d["refreshPossible"] == true {
                parts.push("refresh possible".into());
            }
            parts.join(", ")
        }
        "mcp-handshake" => text("protocolVersion")
            .map(|p| format!("protocol {p}"))
            .unwrap_or_default(),
        "tools" => format!("{} tools", d["count"].as_u64().unwrap_or(0)),
        "http-request" => d["response"]["status"]
            .as_u64()
            .map(|x| format!("HTTP {x}"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn trace(r: &DoctorReport) {
    match r.failed() {
        None => outln!("{}: ok", r.name),
        Some(s) => outln!("{}: failed at {}", r.name, s.step.as_str()),
    }
    for s in &r.steps {
        outln!(
            "  {} {:<30} {:>6} ms  {}",
            if s.ok { "ok  " } else { "FAIL" },
            s.step.as_str(),
            s.latency_ms,
            gist(s)
        );
        if let Some(f) = &s.fix {
            outln!("       fix: {f}");
        }
    }
    outln!("(details: patchbay --json doctor {})", r.name);
}
