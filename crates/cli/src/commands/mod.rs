//! One module per group of commands; each returns the [`Status`] it ended with.

pub mod action;
pub mod approvals;
pub mod connect;
pub mod connection;
pub mod doctor;
pub mod export;
pub mod gateway;
pub mod idp;
pub mod import;
pub mod logs;
pub mod run;
pub mod status;
pub mod token;

use clap::ArgMatches;
use patchbay_core::model::Header;
use patchbay_core::{Error, Kind, Patchbay, Result, validate};

use crate::args::{Cli, Command};

/// How a command that ran to its end went (errors are `Err`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Done,
    /// Exit 1: it ran, but what it checked failed (an unhealthy test, a tool or HTTP error).
    Failed,
    /// Exit 2: it could not ask what it had to (e.g. a confirmation with no terminal); it said
    /// why on stderr.
    Usage,
}

impl Status {
    pub fn failed_unless(ok: bool) -> Self {
        if ok { Status::Done } else { Status::Failed }
    }
}

pub fn run(cli: Cli, matches: &ArgMatches) -> Result<Status> {
    let json = cli.json;
    match cli.command {
        Command::Action(cmd) => action::run(cmd, json),
        Command::Connection(cmd) => connection::run(cmd, json),
        Command::Token(cmd) => token::run(cmd, json, matches),
        Command::Status { name: Some(name) } => status::grant(Kind::Action, &name, json),
        Command::Status { name: None } => status::profile(json),
        Command::Connect(c) => connect::run(Kind::Action, c, json),
        Command::Disconnect { name } => connect::disconnect(Kind::Action, &name, json),
        Command::AccessToken { name } => connect::print_token(Kind::Action, &name),
        Command::Test(t) => run::test(t, json),
        Command::Tools { name } => run::tools(&name, json),
        Command::Call(c) => run::call(c, json),
        Command::Proxy { name } => run::proxy(&name),
        Command::Logs(l) => logs::run(l, json),
        Command::Approvals => approvals::approvals(json),
        Command::Approve { id } => approvals::decide(&id, true, json),
        Command::Deny { id } => approvals::decide(&id, false, json),
        Command::Export(e) => export::run(e, json),
        Command::Gateway(cmd) => gateway::run(cmd, json),
        Command::Idp(cmd) => idp::run(cmd, json),
        Command::Settings { cmd } => status::settings(cmd, json),
        Command::Providers => status::providers(json),
        Command::Doctor(d) => doctor::run(d, json),
        Command::Import(a) => import::run(a, json),
    }
}

/// The profile, after removing orphaned keychain entries when `sweep` (before writes).
pub(crate) fn open(sweep: bool) -> Result<Patchbay> {
    let pb = Patchbay::open_default()?;
    if sweep {
        // A keychain that is locked or missing is reported by the operation itself, so it is
        // not an error here.
        let _ = pb.sweep_orphans();
    }
    Ok(pb)
}

/// The async runtime for the network commands.
/// Until SIGINT or SIGTERM.
pub(crate) async fn stopped() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}

/// `--header 'Name: value'` arguments, parsed.
pub(crate) fn headers(lines: &[String]) -> Result<Vec<Header>> {
    lines.iter().map(|l| validate::header_line(l)).collect()
}

/// `30s`, `10m`, `2h`, `7d`, `1h 30m` (humantime's forms; the app's forms take the same).
pub(crate) use patchbay_core::validate::duration;
