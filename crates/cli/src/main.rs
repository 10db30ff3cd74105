//! `patchbay`: the command line over patchbay-core. Thin: parse, call core, print.
//! Exit codes: 0 ok; 1 an error the user can fix, or a check that ran and failed (an unhealthy
//! test, a tool that returned an error); 2 usage (clap); 3 internal error.

mod args;
mod commands;
mod output;
mod secrets;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use patchbay_core::model::TokenTestReport;
use patchbay_core::{Error, ErrorBody};
use serde::Serialize;

use args::Cli;
use commands::Status;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "internal error: Patchbay stopped unexpectedly{at}; this is a bug, please report it"
        );
    }));
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let json = cli.json;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        commands::run(cli, &matches)
    })) {
        Ok(Ok(Status::Done)) => ExitCode::SUCCESS,
        Ok(Ok(Status::Failed)) => ExitCode::from(1),
        Ok(Ok(Status::Usage)) => ExitCode::from(2),
        Ok(Err(e)) => {
            report(&e, json);
            ExitCode::from(if e.is_user_error() { 1 } else { 3 })
        }
        Err(_) => ExitCode::from(3),
    }
}

/// `--json` errors on stderr: `{"error": {code, message, hint?, field?, report?}}`.
#[derive(Serialize)]
struct JsonError<'a> {
    error: JsonErrorBody<'a>,
}

#[derive(Serialize)]
struct JsonErrorBody<'a> {
    #[serde(flatten)]
    body: ErrorBody,
    /// What an HTTP request token's request gave back, when that was the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a TokenTestReport>,
}

fn report(e: &Error, json: bool) {
    if json {
        let report = match e {
            Error::TokenRequestFailed { report, .. } => Some(report.as_ref()),
            _ => None,
        };
        let out = JsonError {
            error: JsonErrorBody {
                body: e.body(),
                report,
            },
        };
        match serde_json::to_string(&out) {
            Ok(s) => eprintln!("{s}"),
            Err(_) => eprintln!("error: {e}"),
        }
    } else {
        eprintln!("error: {e}");
        if let Some(h) = e.hint() {
            eprintln!("hint: {h}");
        }
    }
}
