//! `patchbay connect`, `disconnect` and `access-token`, for actions and connections: open the
//! browser (or print the URL), wait, report.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use patchbay_core::model::{DeviceCodePrompt, GrantView};
use patchbay_core::oauth::{ConnectRequest, DeviceSignIn};
use patchbay_core::{Kind, Patchbay, Result};

use super::{Status, open, runtime};
use crate::args::ConnectArgs;
use crate::{outln, output};

pub fn run(kind: Kind, c: ConnectArgs, json: bool) -> Result<Status> {
    let pb = open(true)?;
    let grant = authorize(&pb, kind, &c, Vec::new(), json)?;
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

/// The sign-in for an action (with `extra_scopes` on a step-up) or a connection: in a
/// browser here, by URL (`--no-browser`, with paste-back on a terminal), or with a code on
/// another device (`--device`, or by itself on a terminal with no display).
pub fn authorize(
    pb: &Patchbay,
    kind: Kind,
    c: &ConnectArgs,
    extra_scopes: Vec<String>,
    json: bool,
) -> Result<GrantView> {
    let runtime = runtime()?;
    let settings = pb.settings();
    let timeout = c.timeout.unwrap_or(settings.consent_timeout_secs.into());
    let device = (c.device || device_by_itself()).then(|| DeviceSignIn {
        required: c.device,
        show: Arc::new(move |p: &DeviceCodePrompt| {
            show_device_code(p, json);
            Ok(())
        }),
    });
    let req = ConnectRequest {
        action: c.name.clone(),
        port: c.port.unwrap_or(settings.callback_port),
        timeout: Duration::from_secs(timeout),
        extra_scopes,
        challenge: None,
        receives_app_links: false,
        device,
    };
    let no_browser = c.no_browser;
    let handle = runtime.handle().clone();
    let open_url = move |url: &str, redirect_uri: &str| {
        show_sign_in_url(url, redirect_uri, no_browser, timeout);
        if no_browser && std::io::stdin().is_terminal() {
            paste_back(handle.clone(), redirect_uri.to_string());
        }
        Ok(())
    };
    match kind {
        Kind::Connection => runtime.block_on(pb.connect_connection(req, open_url)),
        _ => runtime.block_on(pb.connect_action(req, open_url)),
    }
}

/// A browser sign-in's URL: opened in the browser, or (`no_browser`) alone on the first line
/// of stdout, for scripts; then what it waits for, on stderr.
pub(crate) fn show_sign_in_url(url: &str, redirect_uri: &str, no_browser: bool, timeout: u64) {
    if no_browser {
        outln!("{url}");
        let _ = std::io::stdout().flush();
    } else {
        eprintln!("Opening the browser to sign in (callback {redirect_uri})...");
        if let Err(e) = patchbay_core::browser::open(url) {
            eprintln!("{e}\nOpen this URL yourself:\n{url}");
        }
    }
    eprintln!("Waiting for the browser (up to {timeout} s)...");
}

/// RFC 8628 without being asked: only where no browser can open here ($BROWSER unset, no
/// X11 or Wayland display) and a person reads stdout (a terminal); the server must offer it.
fn device_by_itself() -> bool {
    let unset = |v: &str| std::env::var_os(v).is_none_or(|x| x.is_empty());
    unset("BROWSER")
        && unset("DISPLAY")
        && unset("WAYLAND_DISPLAY")
        && std::io::stdout().is_terminal()
}

/// The device sign-in's code: the verification URL alone on stdout's first line and the code
/// on the second (or one JSON object), and a human explanation on stderr.
fn show_device_code(p: &DeviceCodePrompt, json: bool) {
    if json {
        match serde_json::to_string(p) {
            Ok(s) => outln!("{s}"),
            Err(e) => eprintln!("error: cannot encode JSON: {e}"),
        }
    } else {
        outln!("{}", p.verification_uri);
        outln!("{}", p.user_code);
    }
    let _ = std::io::stdout().flush();
    eprintln!(
        "To sign in, open {} on any device and enter the code {} (it works until {}).",
        p.verification_uri, p.user_code, p.expires_at
    );
    if let Some(complete) = &p.verification_uri_complete {
        eprintln!("Or open {complete} (the code is filled in).");
    }
    eprintln!("Waiting for the sign-in...");
}

/// Paste-back for `--no-browser` on a terminal: a browser on another device lands on the
/// loopback callback, which cannot load there; the user pastes that address here and it is
/// handed to the waiting sign-in. Read on a thread of its own; the process ends with the
/// sign-in, whichever way it comes back.
fn paste_back(handle: tokio::runtime::Handle, redirect_uri: String) {
    eprintln!(
        "Signing in on another device? The browser there ends on {redirect_uri}?... , which cannot load there: paste that whole address here and press Enter."
    );
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { return };
            if line.trim().is_empty() {
                continue;
            }
            match handle.block_on(patchbay_core::oauth::callback::paste_back(
                &line,
                &redirect_uri,
            )) {
                Ok(true) => return,
                Ok(false) => eprintln!(
                    "The waiting sign-in refused that address (see below); paste the address of this sign-in."
                ),
                Err(e) => match e.hint() {
                    Some(h) => eprintln!("{e}\nhint: {h}"),
                    None => eprintln!("{e}"),
                },
            }
        }
    });
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
