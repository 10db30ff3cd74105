//! `patchbay token ...`: text tokens and HTTP request tokens.

use clap::ArgMatches;
use patchbay_core::tokens::{NewHttpToken, NewTextToken, TokenPatch};
use patchbay_core::{Error, Result, SecretString, validate};

use super::{Status, headers, open, runtime};
use crate::args::{TokenAdd, TokenCmd};
use crate::secrets::SecretInput;
use crate::{outln, output};

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

pub fn run(cmd: TokenCmd, json: bool, matches: &ArgMatches) -> Result<Status> {
    let mut stdin = SecretInput::new();
    let (view, verb) = match cmd {
        TokenCmd::List => {
            let list = open(false)?.list_tokens()?;
            output::show(&list, json);
            return Ok(Status::Done);
        }
        TokenCmd::Show { name } => {
            let t = open(false)?.get_token(&name)?;
            output::show(&t, json);
            return Ok(Status::Done);
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
                runtime()?.block_on(pb.add_http_token_tested(input, !a.no_test))?;
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
            let report = runtime()?.block_on(pb.test_token(&name))?;
            if json {
                output::json(&report);
            } else {
                output::token_test(&name, &report);
            }
            return Ok(Status::failed_unless(report.ok));
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
    Ok(Status::Done)
}
