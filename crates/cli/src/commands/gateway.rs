//! `patchbay gateway serve|status`, `patchbay gateway key add|list|revoke` and
//! `patchbay gateway client add|list|rotate|revoke|reactivate`, and `patchbay gateway
//! consents|approve|deny` for browser sign-ins.

use patchbay_core::Result;
use patchbay_core::model::{GatewayKeyForm, GatewayKeyView};

use super::{Status, open, runtime, stopped};
use crate::args::{ClientCmd, ClientTypeArg, GatewayCmd, KeyCmd};
use crate::{outln, output};

pub fn run(cmd: GatewayCmd, json: bool) -> Result<Status> {
    match cmd {
        GatewayCmd::Serve { port } => serve(port),
        GatewayCmd::Status => {
            let st = open(false)?.gateway_status()?;
            if json {
                output::json(&st);
                return Ok(Status::Done);
            }
            match (&st.url, st.pid) {
                (Some(url), Some(pid)) => outln!("Gateway running at {url} (pid {pid})."),
                _ => outln!(
                    "Gateway not running (port {}). Start it with `patchbay gateway serve`.",
                    st.port
                ),
            }
            outln!("Access keys that work: {}.", st.keys);
            if st.clients.is_empty() {
                outln!("No tool calls through the gateway in the last 10 minutes.");
            } else {
                let rows = st
                    .clients
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            c.kind.clone(),
                            c.last_call_at.clone(),
                            c.last_tool.clone(),
                        ]
                    })
                    .collect();
                output::table(&["CLIENT", "KIND", "LAST CALL", "LAST TOOL"], rows);
            }
            Ok(Status::Done)
        }
        GatewayCmd::Key(KeyCmd::Add(a)) => {
            // The desktop's Create access key form: the same checks, the same key.
            let form = GatewayKeyForm {
                name: a.name,
                actions: vec![a.actions],
                tools: a.tools,
                expires: a.expires,
            };
            let k = open(false)?.add_gateway_key_form(form)?;
            if json {
                output::json(&k);
            } else {
                // The key alone on stdout, for `KEY=$(patchbay gateway key add ...)`.
                outln!("{}", k.key);
                eprintln!(
                    "Access key '{}' opens {}. This is the only time it is shown: Patchbay keeps only its hash.",
                    k.name,
                    opens(&k.actions, &k.tools)
                );
            }
            Ok(Status::Done)
        }
        GatewayCmd::Key(KeyCmd::List) => {
            let keys = open(false)?.list_gateway_keys()?;
            if json {
                output::json(&keys);
            } else if keys.is_empty() {
                outln!(
                    "No access keys. Make one with `patchbay gateway key add NAME --actions A,B`."
                );
            } else {
                list(&keys);
            }
            Ok(Status::Done)
        }
        GatewayCmd::Client(cmd) => client(cmd, json),
        GatewayCmd::Consents => {
            let c = open(false)?.pending_gateway_consents()?;
            if json {
                output::json(&c);
            } else if c.pending.is_empty() {
                outln!("No sign-in waits for your consent.");
            } else {
                let rows = c
                    .pending
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.clone(),
                            p.code.clone(),
                            consent_client(&p.client),
                            p.redirect_uri.clone(),
                            p.actions.join(","),
                            p.expires_at.clone(),
                        ]
                    })
                    .collect();
                output::table(
                    &["ID", "CODE", "CLIENT", "REDIRECT", "ASKS FOR", "EXPIRES"],
                    rows,
                );
                eprintln!(
                    "Check the code against the browser's page, then `patchbay gateway approve ID` (or deny ID)."
                );
            }
            Ok(Status::Done)
        }
        GatewayCmd::Approve { id, actions, tools } => {
            let actions = actions
                .as_deref()
                .map(patchbay_core::gateway::keys::parse_actions)
                .transpose()?;
            let p = open(false)?.approve_gateway_consent(&id, actions, &tools)?;
            if json {
                output::json(&p);
            } else {
                outln!(
                    "Approved the sign-in of '{}' (code {}): the browser goes back to it now.",
                    p.client.name,
                    p.code
                );
            }
            Ok(Status::Done)
        }
        GatewayCmd::Deny { id } => {
            let p = open(false)?.deny_gateway_consent(&id)?;
            if json {
                output::json(&p);
            } else {
                outln!(
                    "Denied the sign-in of '{}' (code {}).",
                    p.client.name,
                    p.code
                );
            }
            Ok(Status::Done)
        }
        GatewayCmd::Key(KeyCmd::Revoke { name }) => {
            let k = open(false)?.revoke_gateway_key(&name)?;
            if json {
                output::json(&k);
            } else {
                outln!(
                    "Revoked access key '{}': the next request with it is refused.",
                    k.name
                );
            }
            Ok(Status::Done)
        }
    }
}

/// "Visual Studio Code (published by vscode.dev)", "x (registered itself, unverified)".
fn consent_client(c: &patchbay_core::model::ConsentClient) -> String {
    match &c.publisher {
        Some(p) => format!("{} (published by {p})", c.name),
        None => format!("{} (registered itself, unverified)", c.name),
    }
}

fn opens(actions: &[String], tools: &[String]) -> String {
    let actions = if actions.iter().any(|a| a == "*") {
        "every action, present and future".to_string()
    } else {
        actions.join(", ")
    };
    if tools.is_empty() {
        actions
    } else {
        format!("{actions} (only {} of those tools)", tools.join(", "))
    }
}

fn list(keys: &[GatewayKeyView]) {
    let rows = keys
        .iter()
        .map(|k| {
            let state = match (&k.revoked_at, &k.expires_at) {
                (Some(at), _) => format!("revoked {at}"),
                (None, Some(at)) => format!("expires {at}"),
                (None, None) => "active".to_string(),
            };
            vec![
                k.name.clone(),
                opens(&k.actions, &k.tools),
                k.created_at.clone(),
                k.last_used_at.clone().unwrap_or_else(|| "never".into()),
                state,
            ]
        })
        .collect();
    output::table(&["NAME", "OPENS", "CREATED", "LAST USED", "STATE"], rows);
}

/// How long calls in flight may take to finish after SIGINT or SIGTERM.
const STOP_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

fn serve(port: Option<u16>) -> Result<Status> {
    let pb = std::sync::Arc::new(open(true)?);
    let port = port.unwrap_or_else(|| pb.settings().gateway_port);
    runtime()?.block_on(async {
        let bound = pb.bind_gateway(port).await?;
        // The URL alone on the first line: scripts and tests wait for it.
        outln!("{}", bound.url());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        eprintln!(
            "Serving every action at {} (one action: http://127.0.0.1:{}/a/NAME/mcp); clients need an access key. Ctrl-C stops.",
            bound.url(),
            bound.port()
        );
        // Calls in flight get a bounded time to finish once the signal came.
        let (signalled, got_signal) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            stopped().await;
            let _ = signalled.send(());
        };
        tokio::select! {
            r = bound.serve(shutdown) => r,
            _ = async {
                let _ = got_signal.await;
                tokio::time::sleep(STOP_WITHIN).await;
            } => {
                eprintln!(
                    "The gateway's connections did not close within {} s of the signal; stopping anyway.",
                    STOP_WITHIN.as_secs()
                );
                Ok(())
            }
        }
    })?;
    // The last calls' log rows, before the process ends (also done when `pb` is dropped,
    // unless a task still holds it).
    pb.flush_logs();
    eprintln!("The gateway stopped.");
    Ok(Status::Done)
}

fn client(cmd: ClientCmd, json: bool) -> Result<Status> {
    use patchbay_core::gateway::clients::NewClient;
    use patchbay_core::gateway::keys::parse_actions;
    use patchbay_core::model::GatewayClientType;
    let pb = open(false)?;
    match cmd {
        ClientCmd::Add(a) => {
            let made = pb.add_gateway_client(NewClient {
                name: a.name,
                client_type: match a.client_type {
                    ClientTypeArg::Confidential => GatewayClientType::Confidential,
                    ClientTypeArg::Public => GatewayClientType::Public,
                },
                redirect_uris: a.redirect_uris,
                actions: parse_actions(&a.actions)?,
                tools: a.tools,
            })?;
            shown_once(&made, json, "made");
            Ok(Status::Done)
        }
        ClientCmd::List => {
            let clients = pb.list_gateway_clients()?;
            if json {
                output::json(&clients);
            } else if clients.is_empty() {
                outln!(
                    "No OAuth clients. Make one with `patchbay gateway client add NAME --type confidential --redirect-uri URI --actions A,B`."
                );
            } else {
                let rows = clients
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            c.client_id.clone(),
                            <&str>::from(c.client_type).to_string(),
                            <&str>::from(c.status).to_string(),
                            opens(&c.actions, &c.tools),
                            c.last_used_at.clone().unwrap_or_else(|| "never".into()),
                        ]
                    })
                    .collect();
                output::table(
                    &[
                        "NAME",
                        "CLIENT ID",
                        "TYPE",
                        "STATUS",
                        "MAY USE",
                        "LAST USED",
                    ],
                    rows,
                );
            }
            Ok(Status::Done)
        }
        ClientCmd::Rotate { name, yes } => {
            if !yes {
                use std::io::IsTerminal;
                if !std::io::stdin().is_terminal() {
                    eprintln!(
                        "error: rotating the secret of '{name}' makes the old one stop working at once; confirm with --yes (no terminal to ask on)"
                    );
                    return Ok(Status::Usage);
                }
                eprint!(
                    "Rotate the secret of '{name}'? The old secret stops working at once. [y/N] "
                );
                let mut answer = String::new();
                let _ = std::io::stdin().read_line(&mut answer);
                if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
                    eprintln!("Nothing changed.");
                    return Ok(Status::Done);
                }
            }
            let made = pb.rotate_gateway_client_secret(&name)?;
            shown_once(&made, json, "has a new secret");
            Ok(Status::Done)
        }
        ClientCmd::Revoke { name } => {
            let c = pb.revoke_gateway_client(&name)?;
            if json {
                output::json(&c);
            } else {
                outln!(
                    "Revoked OAuth client '{}': every token it held stopped working.",
                    c.name
                );
            }
            Ok(Status::Done)
        }
        ClientCmd::Reactivate { name } => {
            let c = pb.reactivate_gateway_client(&name)?;
            if json {
                output::json(&c);
            } else {
                outln!(
                    "OAuth client '{}' may sign in again (its old tokens stay dead).",
                    c.name
                );
            }
            Ok(Status::Done)
        }
    }
}

/// A client's id and secret, shown once.
fn shown_once(c: &patchbay_core::model::NewGatewayClient, json: bool, what: &str) {
    if json {
        output::json(c);
        return;
    }
    outln!("client_id:     {}", c.client_id);
    if let Some(s) = &c.client_secret {
        outln!("client_secret: {s}");
    }
    outln!("issuer:        {}", c.issuer);
    outln!("endpoint:      {}", c.endpoint);
    eprintln!(
        "OAuth client '{}' {what}: it may use {}.{}",
        c.name,
        opens(&c.actions, &c.tools),
        if c.client_secret.is_some() {
            " This is the only time the secret is shown: Patchbay keeps only its hash. Put it in your app's configuration now."
        } else {
            " It is public: it signs in with PKCE and has no secret."
        }
    );
}
