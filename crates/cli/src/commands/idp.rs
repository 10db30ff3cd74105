//! `patchbay idp ...`: enterprise identity providers for enterprise-managed authorization.

use std::time::Duration;

use patchbay_core::Result;
use patchbay_core::model::IdpView;
use patchbay_core::oauth::NewIdp;

use super::{Status, open, runtime};
use crate::args::IdpCmd;
use crate::secrets::SecretInput;
use crate::{outln, output};

pub fn run(cmd: IdpCmd, json: bool) -> Result<Status> {
    let mut stdin = SecretInput::new();
    let (view, said) = match cmd {
        IdpCmd::List => {
            let list = open(false)?.list_idps()?;
            if json {
                output::json(&list);
            } else {
                table(&list);
            }
            return Ok(Status::Done);
        }
        IdpCmd::Add {
            name,
            issuer,
            client_id,
            client_secret_stdin,
            scopes,
        } => {
            let client_secret = if client_secret_stdin {
                Some(stdin.read("client secret")?)
            } else {
                None
            };
            let v = open(true)?.add_idp(NewIdp {
                name,
                issuer,
                client_id,
                client_secret,
                scopes,
            })?;
            let said = format!(
                "Added identity provider '{}' ({}). Sign in there with `patchbay idp login {}`.",
                v.name, v.issuer, v.name
            );
            (v, said)
        }
        IdpCmd::Login {
            name,
            no_browser,
            id_token_stdin,
            timeout,
            port,
        } => {
            let pb = open(true)?;
            let v = if id_token_stdin {
                let token = stdin.read("ID token")?;
                pb.idp_login_with_id_token(&name, token)?
            } else {
                let settings = pb.settings();
                let timeout = timeout.unwrap_or(settings.consent_timeout_secs.into());
                let open_url = move |url: &str, redirect_uri: &str| {
                    super::connect::show_sign_in_url(url, redirect_uri, no_browser, timeout);
                    Ok(())
                };
                runtime()?.block_on(pb.idp_login(
                    &name,
                    port.unwrap_or(settings.callback_port),
                    Duration::from_secs(timeout),
                    open_url,
                ))?
            };
            let said = match &v.account {
                Some(a) => format!("Signed in at {} as {a}", v.name),
                None => format!("Signed in at {}", v.name),
            };
            (v, said)
        }
        IdpCmd::Logout { name } => {
            let v = open(true)?.idp_logout(&name)?;
            let said = format!(
                "Signed out of {} (tokens its sign-in already got for servers stay until they expire).",
                v.name
            );
            (v, said)
        }
        IdpCmd::Remove { name } => {
            let v = open(true)?.remove_idp(&name)?;
            let said = format!("Removed identity provider '{}' and its sign-in.", v.name);
            (v, said)
        }
    };
    if json {
        output::json(&view);
    } else {
        outln!("{said}");
    }
    Ok(Status::Done)
}

fn table(list: &[IdpView]) {
    if list.is_empty() {
        outln!(
            "No identity providers. Add one with `patchbay idp add NAME --issuer URL --client-id ID`."
        );
        return;
    }
    let rows = list
        .iter()
        .map(|i| {
            vec![
                i.name.clone(),
                i.issuer.clone(),
                match (i.signed_in, &i.account) {
                    (true, Some(a)) => a.clone(),
                    (true, None) => "yes".into(),
                    (false, _) => "-".into(),
                },
                i.id_token_expires_at.clone().unwrap_or_else(|| "-".into()),
                if i.actions.is_empty() {
                    "-".to_string()
                } else {
                    i.actions.join(", ")
                },
            ]
        })
        .collect();
    output::table(
        &["NAME", "ISSUER", "SIGNED IN AS", "UNTIL", "ACTIONS"],
        rows,
    );
}
