//! `patchbay gateway serve|status` and `patchbay gateway key add|list|revoke`.

use patchbay_core::Result;
use patchbay_core::model::{GatewayKeyForm, GatewayKeyView};

use super::{Status, open, runtime};
use crate::args::{GatewayCmd, KeyCmd};
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

/// Until SIGINT or SIGTERM.
async fn stopped() {
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
    eprintln!("The gateway stopped.");
    Ok(Status::Done)
}
