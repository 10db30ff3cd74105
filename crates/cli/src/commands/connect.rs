//! `patchbay connect`, `disconnect` and `access-token`, for actions and connections: open the
//! browser (or print the URL), wait, report.

use std::io::Write;
use std::time::Duration;

use patchbay_core::model::GrantView;
use patchbay_core::oauth::ConnectRequest;
use patchbay_core::{Kind, Patchbay, Result};

use super::{Status, open, runtime};
use crate::args::ConnectArgs;
use crate::{outln, output};

pub fn run(kind: Kind, c: ConnectArgs, json: bool) -> Result<Status> {
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
    Ok(Status::Done)
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

pub fn print_token(kind: Kind, name: &str) -> Result<Status> {
    let pb = open(false)?;
    let token = runtime()?.block_on(pb.access_token(kind, name))?;
    outln!("{}", patchbay_core::ExposeSecret::expose_secret(&token));
    if pb.access_token_is_dpop(kind, name)? {
        eprintln!(
            "Note: this token is DPoP-bound (RFC 9449): its server takes it only with a proof signed by the key in Patchbay's keychain, not as a Bearer token. Use it through Patchbay (`patchbay call`, the gateway or the proxy)."
        );
    }
    Ok(Status::Done)
}

pub fn disconnect(kind: Kind, name: &str, json: bool) -> Result<Status> {
    use patchbay_core::model::RevocationOutcome as R;
    let pb = open(true)?;
    let report = runtime()?.block_on(pb.disconnect(kind, name))?;
    if json {
        output::json(&report);
        return Ok(Status::Done);
    }
    if !report.was_connected {
        outln!("'{name}' was not connected; nothing to delete.");
        return Ok(Status::Done);
    }
    let r = &report.revocation;
    match r.outcome {
        R::Revoked => {
            outln!(
                "Disconnected '{name}': the provider revoked its {}, and its tokens were deleted from this machine.",
                r.revoked.join(" and ").replace('_', " ")
            );
            if let Some(note) = &r.message {
                outln!("Note: {note}.");
            }
        }
        R::Unsupported => outln!(
            "Disconnected '{name}': its tokens were deleted from this machine (the provider offers no revocation endpoint, so they stay valid there until they expire)."
        ),
        R::Failed => outln!(
            "Disconnected '{name}': its tokens were deleted from this machine, but revoking them at the provider failed: {}",
            r.message.as_deref().unwrap_or("no reason given")
        ),
        R::Nothing => outln!("Disconnected '{name}': its tokens were deleted from this machine."),
    }
    Ok(Status::Done)
}
