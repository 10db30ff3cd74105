//! `patchbay export`: thin over `patchbay_core::export` (formats, paths, merge, backups).

use patchbay_core::Result;
use patchbay_core::export::{
    self, ChangeKind, ExportClient, ExportPlan, ExportReport, ExportRequest, ExportVia,
};

use super::{Status, open};
use crate::args::ExportArgs;
use crate::{outln, output};

pub fn run(a: ExportArgs, json: bool) -> Result<Status> {
    let client = a.client;
    let req = ExportRequest {
        client,
        names: a.names,
        via: a.via,
        key_env: a.key_env,
        config: a.config,
        write: a.write,
    };
    let pb = open(false)?;
    let plan = pb.export_plan(&req, || {
        export::resolve_binary(std::env::var_os(export::BIN_ENV), std::env::current_exe())
    })?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    for warning in &plan.warnings {
        eprintln!("warning: {warning}");
    }
    if !req.write {
        let report = plan.report();
        if json {
            output::json(&report);
        } else {
            print_snippet(&plan);
        }
        return Ok(Status::Done);
    }
    // The user sees exactly what the client will run (or reach) before anything is written.
    let path = plan
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    match plan.via {
        ExportVia::Proxy => eprintln!(
            "{} will start these commands (from {path}):",
            client.label()
        ),
        ExportVia::Gateway => eprintln!(
            "{} will connect to these URLs (from {path}):",
            client.label()
        ),
    }
    for e in &plan.entries {
        eprintln!("  {}", e.target());
    }
    let going = names_of(&plan.changes, ChangeKind::Removed);
    if !going.is_empty() {
        eprintln!(
            "and these `patchbay proxy` entries come out: {}",
            going.join(", ")
        );
    }
    let report = pb.write_export(&plan)?;
    if json {
        output::json(&report);
    } else {
        print_written(client, &report);
    }
    Ok(Status::Done)
}

/// The names of the entries with this change, quoted.
fn names_of(changes: &[export::EntryChange], kind: ChangeKind) -> Vec<String> {
    changes
        .iter()
        .filter(|c| c.change == kind)
        .map(|c| format!("'{}'", c.name))
        .collect()
}

fn print_snippet(plan: &ExportPlan) {
    let client = plan.client;
    match &plan.path {
        Some(p) => outln!(
            "{} reads its MCP servers from {} (key \"{}\"). Add this there, or run again with --write to merge it in:\n",
            client.label(),
            p.display(),
            client.servers_key()
        ),
        None => outln!(
            "Add this to {}'s MCP server configuration:\n",
            client.label()
        ),
    }
    outln!("{}", plan.snippet.trim_end());
    let going = names_of(&plan.changes, ChangeKind::Removed);
    if !going.is_empty() {
        outln!(
            "\nWriting also takes out the `patchbay proxy` entries these replace: {}.",
            going.join(", ")
        );
    }
    if let Some(problem) = &plan.problem {
        eprintln!("warning: {problem}");
    }
}

fn print_written(client: ExportClient, r: &ExportReport) {
    let path = r.path.as_deref().unwrap_or_default();
    if !r.written {
        outln!(
            "{path} already has these entries ({}); nothing was written.",
            names_of(&r.changes, ChangeKind::Unchanged).join(", ")
        );
        return;
    }
    let mut parts = Vec::new();
    for kind in [
        ChangeKind::Added,
        ChangeKind::Updated,
        ChangeKind::Unchanged,
        ChangeKind::Removed,
    ] {
        let names = names_of(&r.changes, kind);
        if !names.is_empty() {
            parts.push(format!("{} {}", kind.as_str(), names.join(", ")));
        }
    }
    outln!("Wrote {path}: {}.", parts.join("; "));
    if let Some(b) = &r.backup {
        outln!("The previous file is kept as {b}.");
    }
    match (r.via, client) {
        (ExportVia::Proxy, _) => outln!(
            "Restart {} (or reload its MCP servers) to use them.",
            client.label()
        ),
        (ExportVia::Gateway, ExportClient::Codex) => {
            outln!("Restart Codex with the access key in its environment to use them.")
        }
        (ExportVia::Gateway, _) => outln!(
            "Restart {} (or reload its MCP servers); it signs in through your browser at the gateway the first time.",
            client.label()
        ),
    }
}
