//! `patchbay import`: thin over `patchbay_core::import` (sources, parsing, the store, rewrites).

use patchbay_core::export;
use patchbay_core::import::{ImportDirs, ImportRequest, RewriteNotice};
use patchbay_core::model::{ImportFileReport, ImportOutcome, ImportSource};
use patchbay_core::{Error, Result};

use super::{Status, open, runtime};
use crate::args::ImportArgs;
use crate::{outln, output};

pub fn run(a: ImportArgs, json: bool) -> Result<Status> {
    let from = match a.from.as_str() {
        "all" => None,
        // clap allows only the sources' names and `all`.
        s => Some(
            s.parse::<ImportSource>()
                .map_err(|_| Error::Internal(format!("unknown source {s:?}")))?,
        ),
    };
    if a.config.is_some() && from.is_none() {
        eprintln!("error: --config names one source's file: add --from SOURCE");
        return Ok(Status::Usage);
    }
    let req = ImportRequest {
        from,
        config: a.config,
        dry_run: a.dry_run,
        rewrite: a.rewrite.then(|| a.via.unwrap_or_default()),
        rewrite_only: None,
        only: None,
    };
    let dirs = ImportDirs::from_env()?;
    let pb = open(true)?;
    let bin = || export::resolve_binary(std::env::var_os(export::BIN_ENV), std::env::current_exe());
    let reports = runtime()?.block_on(pb.import(&req, &dirs, bin, announce))?;
    if json {
        output::json(&reports);
    } else {
        print(&reports, &req);
    }
    let failed = reports.iter().any(|r| {
        r.error.is_some()
            || r.found.iter().any(|f| {
                f.outcome == ImportOutcome::Error
                    && f.kind != patchbay_core::model::FoundKind::TokenStore
            })
    });
    Ok(Status::failed_unless(!failed))
}

/// Before a file is rewritten: what its entries will start or reach (as `export --write`).
fn announce(n: &RewriteNotice) {
    let path = n.path.display();
    if n.entries.iter().any(|e| e.url.is_some()) {
        eprintln!(
            "{} will connect to these URLs (from {path}):",
            n.client.label()
        );
    } else {
        eprintln!(
            "{} will start these commands (from {path}):",
            n.client.label()
        );
    }
    for e in &n.entries {
        eprintln!("  {}: {}", e.name, e.target());
    }
}

fn print(reports: &[ImportFileReport], req: &ImportRequest) {
    if reports.is_empty() {
        outln!("Found no MCP client config file and no mcp-remote token store to import from.");
        return;
    }
    for r in reports {
        outln!("{} ({}):", r.path, r.source.label());
        if let Some(e) = &r.error {
            outln!("  error: {e}");
        }
        if r.found.is_empty() && r.error.is_none() {
            outln!("  no MCP server entries");
        }
        for f in &r.found {
            let outcome: &str = f.outcome.as_str();
            let mut line = format!("  {} [{}] {}", f.name, f.kind.as_str(), outcome);
            if let Some(a) = &f.action {
                line.push_str(&format!(" → action '{a}'"));
            }
            if let Some(t) = &f.token {
                line.push_str(&format!(" with token '{t}'"));
            }
            if f.signed_in {
                line.push_str(", signed in (mcp-remote's sign-in moved)");
            }
            if let Some(u) = &f.url {
                line.push_str(&format!(" ({u})"));
            }
            outln!("{line}");
            if let Some(m) = &f.message {
                outln!("      {m}");
            }
        }
        if r.rewritten {
            outln!("  rewritten to go through Patchbay");
        }
        if let Some(b) = &r.backup {
            outln!(
                "  the previous file (with its plaintext tokens, mode 0600) is kept as {b}: delete it once the new entries work"
            );
        }
    }
    if req.dry_run {
        outln!("Dry run: nothing was changed.");
    } else if req.rewrite.is_none()
        && reports
            .iter()
            .flat_map(|r| &r.found)
            .any(|f| f.outcome == ImportOutcome::Imported && f.token.is_some())
    {
        outln!(
            "The tokens are in the keychain now, and still in the files: run again with --rewrite to point the entries at Patchbay and take them out."
        );
    }
}
