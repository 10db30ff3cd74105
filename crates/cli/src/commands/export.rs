//! `patchbay export`: thin over `patchbay_core::export` (formats, paths, merge, backups).

use patchbay_core::Result;
use patchbay_core::export::{self, ChangeKind, ExportClient, ExportPlan, ExportReport};

use super::{Status, open};
use crate::args::ExportArgs;
use crate::{outln, output};

pub fn run(a: ExportArgs, json: bool) -> Result<Status> {
    let client = a.client;
    let bin = export::resolve_binary(std::env::var_os(export::BIN_ENV), std::env::current_exe())?;
    let pb = open(false)?;
    let names = pb.export_names(&a.names)?;
    let entries = export::entries(&bin, &names)?;
    let plan = export::plan(client, entries, a.config, None, a.write)?;
    if !a.write {
        let report = plan.report();
        if json {
            output::json(&report);
        } else {
            print_snippet(&plan);
        }
        return Ok(Status::Done);
    }
    // The user sees exactly what the client will run before anything is written.
    let path = plan
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    eprintln!(
        "{} will start these commands (from {path}):",
        client.label()
    );
    for e in &plan.entries {
        eprintln!("  {}", e.command_line());
    }
    let report = pb.write_export(&plan)?;
    if json {
        output::json(&report);
    } else {
        print_written(client, &report);
    }
    Ok(Status::Done)
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
    if let Some(problem) = &plan.problem {
        eprintln!("warning: {problem}");
    }
}

fn print_written(client: ExportClient, r: &ExportReport) {
    let path = r.path.as_deref().unwrap_or_default();
    let list = |kind: ChangeKind| -> Vec<String> {
        r.changes
            .iter()
            .filter(|c| c.change == kind)
            .map(|c| format!("'{}'", c.name))
            .collect()
    };
    if !r.written {
        outln!(
            "{path} already has these entries ({}); nothing was written.",
            list(ChangeKind::Unchanged).join(", ")
        );
        return;
    }
    let mut parts = Vec::new();
    for kind in [
        ChangeKind::Added,
        ChangeKind::Updated,
        ChangeKind::Unchanged,
    ] {
        let names = list(kind);
        if !names.is_empty() {
            parts.push(format!("{} {}", kind.as_str(), names.join(", ")));
        }
    }
    outln!("Wrote {path}: {}.", parts.join("; "));
    if let Some(b) = &r.backup {
        outln!("The previous file is kept as {b}.");
    }
    outln!(
        "Restart {} (or reload its MCP servers) to use them.",
        client.label()
    );
}
