//! `patchbay-conformance SERVER_URL`: the client the official MCP conformance suite
//! (`@modelcontextprotocol/conformance client --command ...`) drives, on Patchbay's own
//! engine: the action is added and connected exactly as `patchbay action add` + `patchbay
//! connect` + `patchbay call` do, in a throwaway profile. It never looks at the scenario
//! name, with one exception: `json-schema-2020-12-preservation` asks the client to call its
//! tool `json_schema_echo` with `{"schema": <the input schema it listed for
//! json_schema_2020_12_tool>}`, so the suite can see what the client kept; what a client
//! sends a tool is up to its user (here: this driver), so that one call follows the
//! scenario's instructions (`MCP_CONFORMANCE_SCENARIO`). The schema itself is the one
//! Patchbay's runtime listed, unchanged.
//!
//! Inputs (the suite's contract): the server URL as the last argument;
//! `MCP_CONFORMANCE_PROTOCOL_VERSION` (the wire revision to speak);
//! `MCP_CONFORMANCE_CONTEXT` (JSON; pre-registered `client_id` / `client_secret` when the
//! scenario has them, or `client_id` / `private_key_pem` for a `private_key_jwt` client;
//! `valid_jwt` for a workload's identity token, written to a file for the `jwt-bearer` grant;
//! `idp_issuer` / `idp_client_id` / `idp_id_token` for an identity provider signed in with
//! that ID token, used by the `enterprise-managed` grant).
//! The grant follows what the client holds and what the server offers: a private key, or a
//! secret for an authorization server that offers `client_credentials` and not
//! `authorization_code`, means the client credentials grant (no user); anything else the
//! authorization code. Authorization is headless, as the suite documents: the "browser" GETs
//! the authorization URL without following redirects and delivers the `Location` it answers
//! with to Patchbay's loopback callback.
//!
//! Exit 0 when `tools/list` and a `tools/call` succeeded, 1 otherwise (with the reason on
//! stderr).

use std::sync::Arc;
use std::time::Duration;

use patchbay_core::actions::{NewAction, OAuthInput};
use patchbay_core::model::{OAuthGrant, TokenAuthMethod};
use patchbay_core::oauth::{ConnectRequest, NewIdp};
use patchbay_core::runtime::McpOptions;
use patchbay_core::{Error, ErrorCode, Patchbay, Result, SecretString};

const ACTION: &str = "conformance";
/// The Client ID Metadata Document URL the suite expects from a client that has one.
const CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";
/// Sign-ins per operation (the spec's bound on step-up).
const MAX_AUTHORIZATIONS: u32 = 3;
/// The scenario whose echo tool takes back the schema the client listed.
const SCHEMA_SCENARIO: &str = "json-schema-2020-12-preservation";
const SCHEMA_TOOL: &str = "json_schema_2020_12_tool";
const ECHO_TOOL: &str = "json_schema_echo";

fn log(msg: &str) {
    eprintln!("patchbay-conformance: {msg}");
}

/// The headless "browser": GET the authorization URL, follow nothing, hand `Location` (the
/// authorization response) to the loopback callback.
async fn headless_consent(auth_url: String) {
    let http = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(h) => h,
        Err(e) => return log(&format!("cannot build the browser: {e}")),
    };
    let resp = match http.get(&auth_url).send().await {
        Ok(r) => r,
        Err(e) => return log(&format!("authorization request failed: {e}")),
    };
    let Some(location) = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(String::from)
    else {
        return log(&format!(
            "the authorization endpoint answered {} without a redirect",
            resp.status()
        ));
    };
    if let Err(e) = http.get(&location).send().await {
        log(&format!(
            "delivering the authorization response failed: {e}"
        ));
    }
}

async fn authorize(
    pb: &Patchbay,
    extra_scopes: Vec<String>,
    challenge: Option<String>,
) -> Result<()> {
    let req = ConnectRequest {
        action: ACTION.into(),
        port: 0,
        timeout: Duration::from_secs(15),
        extra_scopes,
        challenge,
        receives_app_links: false,
        device: None,
    };
    let grant = pb
        .connect_action(req, |url: &str, _redirect: &str| {
            tokio::spawn(headless_consent(url.to_string()));
            Ok(())
        })
        .await?;
    log(&format!("connected; scopes: {}", grant.scopes.join(" ")));
    Ok(())
}

/// Run one operation, signing in (again) when the server asks for it: at most
/// [`MAX_AUTHORIZATIONS`] times, with the challenged scopes on a step-up.
async fn with_auth<T, F, Fut>(pb: &Arc<Patchbay>, what: &str, op: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut signed_in = 0;
    loop {
        let err = match op().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let (extra, challenge) = match &err {
            Error::InsufficientScope { scopes, .. } => (scopes.clone(), None),
            Error::SignInRequired { challenge, .. } => (Vec::new(), Some(challenge.clone())),
            e if matches!(
                e.code(),
                ErrorCode::NotConnected | ErrorCode::NeedsReconnect | ErrorCode::AuthRejected
            ) =>
            {
                (Vec::new(), None)
            }
            _ => return Err(err),
        };
        if signed_in >= MAX_AUTHORIZATIONS {
            log(&format!("{what}: giving up after {signed_in} sign-ins"));
            return Err(err);
        }
        signed_in += 1;
        log(&format!("{what}: {err}; signing in ({signed_in})"));
        authorize(pb, extra, challenge).await?;
    }
}

async fn run(server_url: String) -> Result<()> {
    let home = tempfile::tempdir().map_err(|e| Error::io("cannot create a profile folder", e))?;
    let pb = Arc::new(Patchbay::open(home.path())?);
    let context: serde_json::Value = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let mut oauth = OAuthInput {
        client_metadata_url: Some(CLIENT_METADATA_URL.into()),
        ..Default::default()
    };
    if let Some(id) = context["client_id"].as_str() {
        oauth.client_id = Some(id.into());
        oauth.client_secret = context["client_secret"]
            .as_str()
            .map(|s| SecretString::from(s.to_string()));
        if let Some(pem) = context["private_key_pem"].as_str() {
            if let Some(alg) = context["signing_algorithm"]
                .as_str()
                .filter(|a| *a != "ES256")
            {
                log(&format!(
                    "the scenario's key is for {alg}; Patchbay signs with ES256"
                ));
            }
            oauth.grant = Some(OAuthGrant::ClientCredentials);
            oauth.token_auth_method = Some(Some(TokenAuthMethod::PrivateKeyJwt));
            oauth.private_key = Some(SecretString::from(pem.to_string()));
        } else if let Some(jwt) = context["valid_jwt"].as_str() {
            // Workload identity federation: the workload's identity token, where its platform
            // would write it.
            let path = home.path().join("workload-token.jwt");
            std::fs::write(&path, jwt)
                .map_err(|e| Error::io("cannot write the workload identity token", e))?;
            oauth.grant = Some(OAuthGrant::JwtBearer);
            oauth.assertion_file = Some(path.display().to_string());
            log("jwt-bearer: the workload's identity token, no user");
        } else if let (Some(id_token), Some(issuer), Some(idp_client)) = (
            context["idp_id_token"].as_str(),
            context["idp_issuer"].as_str(),
            context["idp_client_id"].as_str(),
        ) {
            // Enterprise-managed authorization: the enterprise identity provider, signed in
            // with the ID token the scenario gives (as `patchbay idp login --id-token-stdin`).
            pb.add_idp(NewIdp {
                name: "enterprise".into(),
                issuer: issuer.into(),
                client_id: idp_client.into(),
                ..Default::default()
            })?;
            pb.idp_login_with_id_token("enterprise", SecretString::from(id_token.to_string()))?;
            oauth.idp = Some("enterprise".into());
            log("enterprise-managed: the identity provider's sign-in, exchanged for an ID-JAG");
        } else if oauth.client_secret.is_some() && offers_only_client_credentials(&server_url).await
        {
            oauth.grant = Some(OAuthGrant::ClientCredentials);
            log("client credentials: no user, no browser");
        }
    }
    pb.add_action(NewAction {
        name: ACTION.into(),
        url: server_url,
        auth: Some(patchbay_core::model::AuthSpec::OAuth),
        oauth,
        ..Default::default()
    })?;
    let opts = McpOptions {
        protocol: std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION").ok(),
        ..Default::default()
    };
    // Arguments the scenario supplies for some tools; the rest get minimal valid ones.
    let supplied: Vec<(String, serde_json::Value)> = context["toolCalls"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .filter_map(|c| Some((c["name"].as_str()?.to_string(), c["arguments"].clone())))
                .collect()
        })
        .unwrap_or_default();
    with_auth(&pb, "session", || exercise(&pb, &opts, &supplied)).await?;
    // Forget this profile's keychain entries.
    let _ = pb.remove_action(ACTION);
    Ok(())
}

/// Whether the server's authorization server offers the client credentials grant and not
/// the authorization code (RFC 8414 `grant_types_supported`), as discovery finds it.
async fn offers_only_client_credentials(server_url: &str) -> bool {
    let Ok(http) = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return false;
    };
    let found = patchbay_core::oauth::discovery::discover(
        &http,
        server_url,
        &patchbay_core::oauth::discovery::DiscoveryOptions::default(),
    )
    .await;
    match found {
        Ok(d) => d.server.grant_types_supported.is_some_and(|g| {
            g.iter().any(|x| x == "client_credentials")
                && !g.iter().any(|x| x == "authorization_code")
        }),
        Err(e) => {
            log(&format!("discovery before choosing the grant: {e}"));
            false
        }
    }
}

/// One session: `tools/list`, then every tool called at once (each with the scenario's
/// arguments, or minimal ones from its input schema). A tool result with `isError` is
/// reported, not fatal; an authorization failure is (the caller signs in and retries).
async fn exercise(
    pb: &Arc<Patchbay>,
    opts: &McpOptions,
    supplied: &[(String, serde_json::Value)],
) -> Result<()> {
    let conn = pb.mcp_connect(ACTION, opts).await?;
    log(&format!(
        "session: protocol {}",
        conn.protocol().unwrap_or_default()
    ));
    let tools = match conn.tools().await {
        Ok(t) => t,
        Err(e) => {
            conn.close().await;
            return Err(e);
        }
    };
    let mut calls: Vec<(String, serde_json::Map<String, serde_json::Value>)> = Vec::new();
    let echo = std::env::var("MCP_CONFORMANCE_SCENARIO").is_ok_and(|s| s == SCHEMA_SCENARIO);
    let listed_schema = tools
        .iter()
        .find(|t| t.name == SCHEMA_TOOL)
        .map(|t| t.input_schema.clone());
    for t in &tools {
        let given: Vec<_> = supplied.iter().filter(|(n, _)| n == &t.name).collect();
        if echo
            && t.name == ECHO_TOOL
            && let Some(schema) = &listed_schema
        {
            let mut args = serde_json::Map::new();
            args.insert("schema".into(), schema.clone());
            calls.push((t.name.clone(), args));
        } else if given.is_empty() {
            calls.push((t.name.clone(), minimal_args(&t.input_schema)));
        }
        for (_, args) in given {
            calls.push((
                t.name.clone(),
                args.as_object().cloned().unwrap_or_default(),
            ));
        }
    }
    let results = futures::future::join_all(
        calls
            .iter()
            .map(|(tool, args)| conn.call(tool, Some(args.clone()))),
    )
    .await;
    conn.close().await;
    for ((tool, _), r) in calls.iter().zip(results) {
        match r {
            Ok(out) if out.is_error => log(&format!("{tool}: tool error: {}", out.text)),
            Ok(out) => log(&format!("{tool}: {}", out.text)),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Minimal arguments for an input schema: each required property with a value of its type.
fn minimal_args(schema: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    let mut args = serde_json::Map::new();
    let Some(props) = schema["properties"].as_object() else {
        return args;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    for (name, prop) in props {
        if !required.contains(&name.as_str()) {
            continue;
        }
        let value = match prop["type"].as_str() {
            Some("integer") | Some("number") => serde_json::json!(2),
            Some("boolean") => serde_json::json!(true),
            Some("array") => serde_json::json!([]),
            Some("object") => serde_json::json!({}),
            _ => match prop["enum"].as_array().and_then(|e| e.first()) {
                Some(first) => first.clone(),
                None => serde_json::json!("test"),
            },
        };
        args.insert(name.clone(), value);
    }
    args
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(url) = std::env::args().skip(1).last() else {
        eprintln!("usage: patchbay-conformance SERVER_URL");
        std::process::exit(2)
    };
    if let Err(e) = run(url).await {
        log(&format!("{e}"));
        std::process::exit(1);
    }
}
