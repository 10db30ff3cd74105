//! `patchbay`: the command line over patchbay-core. Thin: parse, call core, print.
//! Exit codes: 0 ok; 1 an error the user can fix; 2 usage (clap); 3 internal error.

mod args;
mod calls;
mod connect;
mod export;

mod output;
mod secrets;

use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches};
use patchbay_core::actions::{ActionPatch, HttpInput, NewAction, OAuthInput};
use patchbay_core::connections::{ConnectionPatch, NewConnection};
use patchbay_core::model::Header;
use patchbay_core::tokens::{NewHttpToken, NewTextToken, TokenPatch};
use patchbay_core::validate;
use patchbay_core::{Error, Kind, Patchbay, Result, SecretString};

use args::*;
use secrets::SecretInput;

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
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli, &matches))) {
        Ok(Ok(())) => ExitCode::from(calls::EXIT.load(std::sync::atomic::Ordering::Relaxed)),
        Ok(Err(e)) => {
            report(&e, json);
            ExitCode::from(if e.is_user_error() { 1 } else { 3 })
        }
        Err(_) => ExitCode::from(3),
    }
}

fn report(e: &Error, json: bool) {
    if json {
        let mut err = serde_json::json!({ "code": e.code(), "message": e.to_string() });
        if let Some(h) = e.hint() {
            err["hint"] = h.into();
        }
        if let Error::TokenRequestFailed { report, .. } = e {
            err["report"] = serde_json::to_value(report).unwrap_or_default();
        }
        eprintln!("{}", serde_json::json!({ "error": err }));
    } else {
        eprintln!("error: {e}");
        if let Some(h) = e.hint() {
            eprintln!("hint: {h}");
        }
    }
}

pub(crate) fn open(sweep: bool) -> Result<Patchbay> {
    let pb = Patchbay::open_default()?;
    if sweep {
        // Orphaned keychain entries are removed before anything writes. A keychain that is
        // locked or missing is reported by the operation itself, so it is not an error here.
        let _ = pb.sweep_orphans();
    }
    Ok(pb)
}

fn run(cli: Cli, matches: &ArgMatches) -> Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Action(cmd) => action(cmd, json),
        Command::Connection(cmd) => connection(cmd, json),
        Command::Token(cmd) => token(cmd, json, matches),
        Command::Status { name: Some(name) } => {
            let g = open(false)?.oauth_status(Kind::Action, &name)?;
            if json {
                output::json(&g);
            } else {
                output::grant(&name, &g);
            }
            Ok(())
        }
        Command::Status { name: None } => {
            let pb = open(false)?;
            let status = pb.status();
            if json {
                output::json(&serde_json::json!({
                    "version": status.version,
                    "home": status.home,
                    "profileId": pb.profile_id(),
                    "database": pb.store().path(),
                    "schemaVersion": pb.store().schema_version()?,
                    "vault": status.vault,
                }));
            } else {
                outln!("patchbay {}", status.version);
                outln!("home:      {}", status.home);
                outln!(
                    "database:  {} (schema v{})",
                    pb.store().path().display(),
                    pb.store().schema_version()?
                );
                outln!("profile:   {}", pb.profile_id());
                match status.vault.message {
                    None => outln!("keychain:  ok ({})", pb.vault().service()),
                    Some(m) => outln!("keychain:  {:?}: {m}", status.vault.state),
                }
            }
            Ok(())
        }
        Command::Connect(c) => connect::run(Kind::Action, c, json),
        Command::Disconnect { name } => disconnect(Kind::Action, &name, json),
        Command::AccessToken { name } => print_token(Kind::Action, &name),
        Command::Test(t) => calls::test(t, json),
        Command::Tools { name } => calls::tools(&name, json),
        Command::Call(c) => calls::call(c, json),
        Command::Logs(l) => calls::logs(l, json),
        Command::Proxy { name } => calls::proxy(&name),
        Command::Approvals => calls::approvals(json),
        Command::Approve { id } => calls::decide(&id, true, json),
        Command::Deny { id } => calls::decide(&id, false, json),
        Command::Export(e) => export::run(e, json),
        Command::Settings { cmd } => {
            let pb = open(false)?;
            let view = match cmd {
                None => pb.settings_view()?,
                Some(args::SettingsCmd::Set { key, value }) => pb.set_setting(&key, &value)?,
                Some(args::SettingsCmd::Reset { key }) => pb.reset_settings(key.as_deref())?,
            };
            if json {
                output::json(&view);
            } else {
                output::settings(&view);
            }
            Ok(())
        }
        Command::Providers => {
            let list = patchbay_core::providers::providers();
            if json {
                output::json(&list);
            } else {
                output::providers(list);
            }
            Ok(())
        }
    }
}

fn print_token(kind: Kind, name: &str) -> Result<()> {
    let pb = open(false)?;
    let token = connect::runtime()?.block_on(pb.access_token(kind, name))?;
    outln!("{}", patchbay_core::ExposeSecret::expose_secret(&token));
    Ok(())
}

fn disconnect(kind: Kind, name: &str, json: bool) -> Result<()> {
    use patchbay_core::model::RevocationOutcome as R;
    let pb = open(true)?;
    let report = connect::runtime()?.block_on(pb.disconnect(kind, name))?;
    if json {
        output::json(&report);
        return Ok(());
    }
    if !report.was_connected {
        outln!("'{name}' was not connected; nothing to delete.");
        return Ok(());
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
    Ok(())
}

/// `--header 'Name: value'` arguments, parsed.
fn headers(lines: &[String]) -> Result<Vec<Header>> {
    lines.iter().map(|l| validate::header_line(l)).collect()
}

fn oauth_input(a: OAuthArgs, stdin: &mut SecretInput) -> Result<OAuthInput> {
    let client_secret = if a.client_secret_stdin {
        Some(stdin.read("client secret")?)
    } else {
        None
    };
    Ok(OAuthInput {
        client_id: a.client_id,
        client_secret,
        token_auth_method: a.token_auth_method.map(Some),
        authorization_url: a.authorization_url,
        token_url: a.token_url,
        registration_url: a.registration_url,
        scopes: a.scopes,
        assume_pkce_s256: a.assume_pkce_s256.then_some(true),
        resource_override: a.resource,
        omit_resource: a.no_resource.then_some(true),
        client_metadata_url: a.client_metadata_url,
        callback: a.callback,
    })
}

fn action(cmd: ActionCmd, json: bool) -> Result<()> {
    let mut stdin = SecretInput::new();
    let (view, verb) = match cmd {
        ActionCmd::List => {
            let list = open(false)?.list_actions()?;
            if json {
                output::json(&list)
            } else {
                output::actions(&list)
            }
            return Ok(());
        }
        ActionCmd::Show { name } => {
            let a = open(false)?.get_action(&name)?;
            if json {
                output::json(&a)
            } else {
                output::action(&a)
            }
            return Ok(());
        }
        ActionCmd::Add(a) => {
            let oauth = oauth_input(a.oauth, &mut stdin)?;
            let input = NewAction {
                name: a.name,
                url: a.url.unwrap_or_default(),
                http: a.http.then_some(HttpInput {
                    method: a.method,
                    headers: headers(&a.headers)?,
                    body: a.body,
                }),
                auth: a.auth.as_deref().map(validate::auth).transpose()?,
                oauth,
                description: a.description,
                confirm: a.confirm,
                disabled: a.disabled,
            };
            let input = match &a.provider {
                Some(id) => patchbay_core::providers::prefill(id, input)?,
                None => input,
            };
            let own_app = match &a.provider {
                Some(id) if input.oauth.client_id.is_none() => {
                    patchbay_core::providers::provider(id)?.register.as_ref()
                }
                _ => None,
            };
            let view = open(true)?.add_action(input)?;
            if let Some(r) = own_app {
                eprintln!(
                    "note: this provider needs your own OAuth app. Register one at {} with the redirect URI {}. {} Then: patchbay action edit {} --client-id ID --client-secret-stdin",
                    r.where_, r.redirect_uri, r.what, view.name
                );
            }
            (view, "Added")
        }
        ActionCmd::Edit(e) => {
            let oauth = oauth_input(e.oauth, &mut stdin)?;
            let patch = ActionPatch {
                rename: e.rename,
                url: e.url,
                description: e.description,
                confirm: if e.confirm {
                    Some(true)
                } else if e.no_confirm {
                    Some(false)
                } else {
                    None
                },
                enabled: None,
                auth: e.auth.as_deref().map(validate::auth).transpose()?,
                oauth,
                clear_client_secret: e.no_client_secret,
                method: e.method,
                headers: if e.clear_headers {
                    Some(Vec::new())
                } else if e.headers.is_empty() {
                    None
                } else {
                    Some(headers(&e.headers)?)
                },
                body: if e.no_body {
                    Some(None)
                } else {
                    e.body.map(Some)
                },
            };
            (open(true)?.edit_action(&e.name, patch)?, "Updated")
        }
        ActionCmd::Remove { name } => (open(true)?.remove_action(&name)?, "Removed"),
        ActionCmd::Enable { name } => (open(false)?.set_action_enabled(&name, true)?, "Enabled"),
        ActionCmd::Disable { name } => (open(false)?.set_action_enabled(&name, false)?, "Disabled"),
    };
    if json {
        output::json(&view);
    } else {
        outln!(
            "{verb} action '{}' ({} {}, auth {}{})",
            view.name,
            view.kind.as_str(),
            view.url,
            output::auth_label(&view),
            if view.enabled { "" } else { ", disabled" }
        );
    }
    Ok(())
}

fn connection(cmd: ConnectionCmd, json: bool) -> Result<()> {
    let mut stdin = SecretInput::new();
    let (view, verb) = match cmd {
        ConnectionCmd::List => {
            let list = open(false)?.list_connections()?;
            if json {
                output::json(&list)
            } else {
                output::connections(&list)
            }
            return Ok(());
        }
        ConnectionCmd::Show { name } => {
            let c = open(false)?.get_connection(&name)?;
            if json {
                output::json(&c)
            } else {
                output::connection(&c)
            }
            return Ok(());
        }
        ConnectionCmd::Connect(c) => return connect::run(Kind::Connection, c, json),
        ConnectionCmd::Disconnect { name } => return disconnect(Kind::Connection, &name, json),
        ConnectionCmd::AccessToken { name } => return print_token(Kind::Connection, &name),
        ConnectionCmd::Status { name } => {
            let g = open(false)?.oauth_status(Kind::Connection, &name)?;
            if json {
                output::json(&g)
            } else {
                output::grant(&name, &g)
            }
            return Ok(());
        }
        ConnectionCmd::Add(a) => {
            let then_connect = a.connect.then(|| args::ConnectArgs {
                name: a.name.clone(),
                no_browser: a.no_browser,
                timeout: a.timeout,
                port: a.port,
            });
            let client_secret = if a.client_secret_stdin {
                Some(stdin.read("client secret")?)
            } else {
                None
            };
            let input = NewConnection {
                name: a.name,
                provider: a.provider,
                client_id: a.client_id,
                client_secret,
                authorization_url: a.authorization_url,
                token_url: a.token_url,
                registration_url: a.registration_url,
                revocation_url: a.revocation_url,
                token_auth_method: a.token_auth_method,
                scopes: a.scopes,
            };
            let view = open(true)?.add_connection(input)?;
            if let Some(c) = then_connect {
                // Saved first, then authorized; a failed authorization keeps it.
                eprintln!("Added connection '{}'; now authorizing it.", view.name);
                return connect::run(Kind::Connection, c, json);
            }
            (view, "Added")
        }
        ConnectionCmd::Edit(e) => {
            let client_secret = if e.client_secret_stdin {
                Some(stdin.read("client secret")?)
            } else {
                None
            };
            let patch = ConnectionPatch {
                rename: e.rename,
                provider: e.provider,
                client_id: e.client_id,
                client_secret,
                clear_client_secret: e.no_client_secret,
                authorization_url: e.authorization_url,
                token_url: e.token_url,
                registration_url: e.registration_url,
                revocation_url: e.revocation_url,
                token_auth_method: e.token_auth_method,
                scopes: e.scopes,
            };
            (open(true)?.edit_connection(&e.name, patch)?, "Updated")
        }
        ConnectionCmd::Remove { name } => (open(true)?.remove_connection(&name)?, "Removed"),
    };
    if json {
        output::json(&view);
    } else {
        outln!(
            "{verb} connection '{}' ({}, {} client)",
            view.name,
            view.provider,
            if view.public_client {
                "public"
            } else {
                "confidential"
            }
        );
    }
    Ok(())
}

/// The secret headers and body fields of `token add`, in the order given on the command line
/// (that is the order their values are read from stdin).
fn secret_order(matches: &ArgMatches, a: &TokenAdd) -> Vec<(usize, bool, String)> {
    let add = matches
        .subcommand_matches("token")
        .and_then(|m| m.subcommand_matches("add"));
    let idx = |id: &str| -> Vec<usize> {
        add.and_then(|m| m.indices_of(id))
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    let mut order: Vec<(usize, bool, String)> = Vec::new();
    for (i, k) in idx("secret_headers").into_iter().zip(&a.secret_headers) {
        order.push((i, true, k.clone()));
    }
    for (i, k) in idx("secret_body").into_iter().zip(&a.secret_body) {
        order.push((i, false, k.clone()));
    }
    order.sort_by_key(|(i, _, _)| *i);
    order
}

fn token(cmd: TokenCmd, json: bool, matches: &ArgMatches) -> Result<()> {
    let mut stdin = SecretInput::new();
    let (view, verb) = match cmd {
        TokenCmd::List => {
            let list = open(false)?.list_tokens()?;
            if json {
                output::json(&list)
            } else {
                output::tokens(&list)
            }
            return Ok(());
        }
        TokenCmd::Show { name } => {
            let t = open(false)?.get_token(&name)?;
            if json {
                output::json(&t)
            } else {
                output::token(&t)
            }
            return Ok(());
        }
        TokenCmd::Add(a) if a.http_request => {
            let (Some(url), Some(token_path)) = (a.url.clone(), a.token_path.clone()) else {
                return Err(Error::invalid_with_hint(
                    "an HTTP request token needs --url and --token-path",
                    "e.g. --http-request --url https://auth.example.com/token --token-path $.access_token",
                ));
            };
            let mut secret_headers: Vec<(String, SecretString)> = Vec::new();
            let mut secret_body: Vec<(String, SecretString)> = Vec::new();
            for (_, is_header, key) in secret_order(matches, &a) {
                if is_header {
                    secret_headers.push((
                        key.clone(),
                        stdin.read(&format!("value of secret header {key}"))?,
                    ));
                } else {
                    secret_body.push((
                        key.clone(),
                        stdin.read(&format!("value of secret body field {key}"))?,
                    ));
                }
            }
            let input = NewHttpToken {
                name: a.name,
                description: a.description,
                method: a.method,
                url,
                headers: headers(&a.headers)?,
                secret_headers,
                body: a
                    .body
                    .iter()
                    .map(|p| validate::body_field_line(p))
                    .collect::<Result<_>>()?,
                secret_body,
                form: a.form,
                token_path,
                prefix: a.prefix,
                header_name: a.header_name,
            };
            let pb = open(true)?;
            let (view, report) =
                connect::runtime()?.block_on(pb.add_http_token_tested(input, !a.no_test))?;
            if let (Some(r), false) = (&report, json) {
                output::token_test(&view.name, r);
            }
            (view, "Added")
        }
        TokenCmd::Add(a) => {
            if !a.value_stdin && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                return Err(Error::invalid_with_hint(
                    "a text token needs its value",
                    "pipe it with --value-stdin (e.g. `printf %s \"$TOKEN\" | patchbay token add ... --value-stdin`), or use --http-request",
                ));
            }
            let value = stdin.read("token value")?;
            let input = NewTextToken {
                name: a.name,
                description: a.description,
                value,
                prefix: a.prefix,
                header_name: a.header_name,
            };
            (open(true)?.add_text_token(input)?, "Added")
        }
        TokenCmd::Edit(e) => {
            let value = if e.value_stdin {
                Some(stdin.read("token value")?)
            } else {
                None
            };
            let patch = TokenPatch {
                rename: e.rename,
                description: e.description,
                prefix: e.prefix,
                header_name: e.header_name,
                value,
                token_path: e.token_path,
            };
            (open(true)?.edit_token(&e.name, patch)?, "Updated")
        }
        TokenCmd::Remove { name } => (open(true)?.remove_token(&name)?, "Removed"),
        TokenCmd::Test { name } => {
            let pb = open(false)?;
            let report = connect::runtime()?.block_on(pb.test_token(&name))?;
            if json {
                output::json(&report);
            } else {
                output::token_test(&name, &report);
            }
            if !report.ok {
                calls::EXIT.store(1, std::sync::atomic::Ordering::Relaxed);
            }
            return Ok(());
        }
    };
    if json {
        output::json(&view);
    } else {
        outln!(
            "{verb} token '{}' ({}, header {})",
            view.name,
            view.kind.as_str(),
            view.header_name
        );
    }
    Ok(())
}
