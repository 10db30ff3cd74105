//! `patchbay connect NAME`: open the browser (or print the URL), wait, report.

use std::io::Write;
use std::time::Duration;

use patchbay_core::model::GrantView;
use patchbay_core::oauth::ConnectRequest;
use patchbay_core::{Error, Kind, Patchbay, Result};

use crate::args::ConnectArgs;
use crate::{open, outln, output};

/// The async runtime for the network commands.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}

pub fn run(kind: Kind, c: ConnectArgs, json: bool) -> Result<()> {
    let pb = open(true)?;
    let grant = authorize(&pb, kind, &c, Vec::new())?;
    if json {
        output::json(&grant);
    } else {
        match &grant.account {
            Some(a) => outln!("Connected as {a}"),
            None => outln!("Connected"),
        }
    }
    Ok(())
}

/// The browser flow for an action (with `extra_scopes` on a step-up) or a connection.
pub fn authorize(
    pb: &Patchbay,
    kind: Kind,
    c: &ConnectArgs,
    extra_scopes: Vec<String>,
) -> Result<GrantView> {
    let runtime = runtime()?;
    let settings = pb.settings();
    let timeout = c.timeout.unwrap_or(settings.consent_timeout_secs.into());
    let req = ConnectRequest {
        action: c.name.clone(),
        port: c.port.unwrap_or(settings.callback_port),
        timeout: Duration::from_secs(timeout),
        extra_scopes,
        challenge: None,
        receives_app_links: false,
    };
    let no_browser = c.no_browser;
    let open_url = move |url: &str, redirect_uri: &str| {
        if no_browser {
            // The URL alone on the first line of stdout, for scripts.
            outln!("{url}");
            let _ = std::io::stdout().flush();
        } else {
            eprintln!("Opening the browser to sign in (callback {redirect_uri})...");
            if let Err(e) = patchbay_core::browser::open(url) {
                eprintln!("{e}\nOpen this URL yourself:\n{url}");
            }
        }
        eprintln!("Waiting for the browser (up to {timeout} s)...");
        Ok(())
    };
    match kind {
        Kind::Connection => runtime.block_on(pb.connect_connection(req, open_url)),
        _ => runtime.block_on(pb.connect_action(req, open_url)),
    }
}
