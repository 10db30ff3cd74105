//! `patchbay action ...`: custom actions.

use patchbay_core::actions::{ActionPatch, HttpInput, NewAction, OAuthInput};
use patchbay_core::{Result, validate};

use super::{Status, headers, open};
use crate::args::{ActionCmd, OAuthArgs};
use crate::secrets::SecretInput;
use crate::{outln, output};

pub fn run(cmd: ActionCmd, json: bool) -> Result<Status> {
    let mut stdin = SecretInput::new();
    let (view, verb) = match cmd {
        ActionCmd::List => {
            let list = open(false)?.list_actions()?;
            output::show(&list, json);
            return Ok(Status::Done);
        }
        ActionCmd::Show { name } => {
            let a = open(false)?.get_action(&name)?;
            output::show(&a, json);
            return Ok(Status::Done);
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
    Ok(Status::Done)
}

fn oauth_input(a: OAuthArgs, stdin: &mut SecretInput) -> Result<OAuthInput> {
    let client_secret = if a.client_secret_stdin {
        Some(stdin.read("client secret")?)
    } else {
        None
    };
    let private_key = if a.private_key_stdin {
        Some(stdin.read_pem("private key")?)
    } else {
        None
    };
    Ok(OAuthInput {
        grant: a.grant,
        private_key,
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
        assertion_file: a.assertion_file,
        idp: a.idp,
    })
}
