//! `patchbay connection ...`: reusable OAuth connections.

use patchbay_core::connections::{ConnectionPatch, NewConnection};
use patchbay_core::{Kind, Result};

use super::{Status, connect, open};
use crate::args::{ConnectArgs, ConnectionCmd};
use crate::secrets::SecretInput;
use crate::{outln, output};

pub fn run(cmd: ConnectionCmd, json: bool) -> Result<Status> {
    let mut stdin = SecretInput::new();
    let (view, verb) = match cmd {
        ConnectionCmd::List => {
            let list = open(false)?.list_connections()?;
            output::show(&list, json);
            return Ok(Status::Done);
        }
        ConnectionCmd::Show { name } => {
            let c = open(false)?.get_connection(&name)?;
            output::show(&c, json);
            return Ok(Status::Done);
        }
        ConnectionCmd::Connect(c) => return connect::run(Kind::Connection, c, json),
        ConnectionCmd::Disconnect { name } => {
            return connect::disconnect(Kind::Connection, &name, json);
        }
        ConnectionCmd::AccessToken { name } => {
            return connect::print_token(Kind::Connection, &name);
        }
        ConnectionCmd::Status { name } => {
            return super::status::grant(Kind::Connection, &name, json);
        }
        ConnectionCmd::Add(a) => {
            let then_connect = a.connect.then(|| ConnectArgs {
                name: a.name.clone(),
                no_browser: a.no_browser,
                device: false,
                timeout: a.timeout,
                port: a.port,
            });
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
            let input = NewConnection {
                grant: a.grant,
                private_key,
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
            let private_key = if e.private_key_stdin {
                Some(stdin.read_pem("private key")?)
            } else {
                None
            };
            let patch = ConnectionPatch {
                grant: e.grant,
                private_key,
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
    Ok(Status::Done)
}
