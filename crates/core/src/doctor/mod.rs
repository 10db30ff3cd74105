//! Diagnose an action (`patchbay doctor`, the app's Diagnose): connect to it and use it step
//! by step, each step timed, with its HTTP exchange (redacted, see [`redact`]) and a verdict.
//! The first failing step ends the trace and says what to do.
//!
//! The steps, in order (a closed list, [`DoctorStepName`]), and which actions get them:
//!
//! | step | MCP + OAuth | MCP + OAuth, typed endpoints | MCP + token / connection | MCP, no auth | HTTP |
//! |---|---|---|---|---|---|
//! | `probe` | ✓ | ✓ | ✓ | ✓ | – |
//! | `resource-metadata` | ✓ | – | – | – | – |
//! | `authorization-server-metadata` | ✓ | – | – | – | – |
//! | `client` | ✓ | ✓ | – | – | OAuth only |
//! | `token` | ✓ | ✓ | ✓ | – | with any auth |
//! | `mcp-handshake`, `tools` | ✓ | ✓ | ✓ | ✓ | – |
//! | `http-request` | – | – | – | – | ✓ |
//!
//! Steps that do not apply are left out (not listed as skipped): a report lists what ran.
//!
//! What doctor never does: open a browser or start a sign-in (a missing token fails `token`
//! with `patchbay connect NAME`), register a client (the `client` step sends an empty
//! registration request, which an open endpoint refuses with 400 and an allow-listed one with
//! 401/403, so no client is created; a lax server that registers it anyway is named in the
//! step's `note`), or print a credential. It may refresh an access token
//! that is due, exactly as a call would ("a fresh token if needed"). Every request is bounded
//! by the OAuth client's or the runtime's timeout.

pub mod redact;

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use rusqlite::OptionalExtension;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use url::Url;

use crate::Patchbay;
use crate::error::{Error, ErrorCode, Kind, Result};
use crate::model::{
    ActionKind, ActionView, AuthType, DoctorReport, DoctorStep, DoctorStepName, OAuthSettings,
    TokenKind,
};
use crate::oauth::discovery::{self, Challenge, DiscoveryOptions, ServerMetadata};
use crate::runtime::McpOptions;

/// How many actions a diagnosis of several runs at once (as `test --all`).
pub const CONCURRENCY: usize = 4;

/// How much of a response body a step shows.
const BODY_CHARS: usize = 600;

/// The steps recorded so far; a failure ends the trace.
struct Trace {
    /// The action's name, put in place of `NAME` in the fixes core's hints suggest.
    name: String,
    steps: Vec<DoctorStep>,
    /// Credential values the trace held (access token, token value): scrubbed from the whole
    /// report at the end, wherever a server may have echoed them.
    secrets: Vec<String>,
}

/// A step failed: the trace ends.
struct Stop;

type Step<T> = std::result::Result<T, Stop>;

impl Trace {
    fn pass(&mut self, step: DoctorStepName, started: Instant, detail: Value) {
        self.steps.push(DoctorStep {
            step,
            ok: true,
            latency_ms: started.elapsed().as_millis() as i64,
            detail,
            fix: None,
        });
    }

    fn fail(
        &mut self,
        step: DoctorStepName,
        started: Instant,
        detail: Value,
        fix: impl Into<String>,
    ) -> Stop {
        self.steps.push(DoctorStep {
            step,
            ok: false,
            latency_ms: started.elapsed().as_millis() as i64,
            detail,
            fix: Some(fill_name(&fix.into(), &self.name)),
        });
        Stop
    }

    /// The finished report, every known credential value scrubbed from it.
    fn report(self) -> DoctorReport {
        let ok = self.steps.iter().all(|s| s.ok);
        let secrets = self.secrets;
        let steps = self
            .steps
            .into_iter()
            .map(|s| DoctorStep {
                detail: redact::scrub(&s.detail, &secrets),
                fix: s.fix.map(|f| redact::scrub_text(&f, &secrets)),
                ..s
            })
            .collect();
        DoctorReport {
            name: self.name,
            ok,
            steps,
        }
    }

    /// Fail with an error: its message and code go into the detail, its hint is the fix.
    fn fail_with(
        &mut self,
        step: DoctorStepName,
        started: Instant,
        mut detail: Value,
        e: &Error,
        fallback_fix: &str,
    ) -> Stop {
        if let Value::Object(m) = &mut detail {
            m.insert(
                "error".into(),
                json!({"code": e.code().as_str(), "message": redact::redact_text(&e.to_string())}),
            );
        }
        let fix = e.hint().unwrap_or_else(|| fallback_fix.to_string());
        self.fail(step, started, detail, fix)
    }
}

/// `NAME` (a whole word, as core's hints write it) replaced by the action's name.
fn fill_name(fix: &str, name: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut out = String::with_capacity(fix.len());
    let mut rest = fix;
    while let Some(i) = rest.find("NAME") {
        let before = rest[..i].chars().next_back().or(out.chars().next_back());
        let after = rest[i + 4..].chars().next();
        out.push_str(&rest[..i]);
        if word(before) || word(after) {
            out.push_str("NAME");
        } else {
            out.push_str(name);
        }
        rest = &rest[i + 4..];
    }
    out.push_str(rest);
    out
}

/// What one GET of a metadata document gave.
enum Fetched {
    Json(Value),
    /// Answered, but not with a JSON document (status, why).
    Skipped(String),
}

/// A transport failure named for the URL, with TLS told apart from a refused connection even
/// when the TLS library's error text says neither (an https URL on a plain-HTTP port).
fn transport(url: &str, e: &reqwest::Error) -> Error {
    let mapped = discovery::transport_error(url, e);
    if mapped.code() == ErrorCode::Unreachable && url.starts_with("https:") && !e.is_timeout() {
        let mut chain = String::new();
        let mut src: Option<&dyn std::error::Error> = Some(e);
        while let Some(s) = src {
            chain.push_str(&format!("{s:?} "));
            src = s.source();
        }
        let text = chain.to_ascii_lowercase();
        let refused = text.contains("connectionrefused")
            || text.contains("connection refused")
            || text.contains("dns")
            || text.contains("resolve");
        if !refused
            && (text.contains("invalidcontenttype")
                || text.contains("invalidmessage")
                || text.contains("corrupt")
                || text.contains("rustls")
                || text.contains("peer"))
        {
            return Error::oauth(
                ErrorCode::Tls,
                format!("TLS failed talking to {url}"),
                Some("the server did not answer TLS (an https URL on a plain-http port?) or its certificate is not trusted; check the URL's scheme and port".into()),
            );
        }
    }
    mapped
}

async fn get_doc(http: &reqwest::Client, url: &str) -> Result<Fetched> {
    let resp = http
        .get(url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| transport(url, &e))?;
    let status = resp.status();
    if !status.is_success() {
        return Ok(Fetched::Skipped(format!("HTTP {}", status.as_u16())));
    }
    let bytes = resp.bytes().await.map_err(|e| transport(url, &e))?;
    Ok(match serde_json::from_slice::<Value>(&bytes) {
        Ok(v @ Value::Object(_)) => Fetched::Json(v),
        _ => Fetched::Skipped(format!("HTTP {}, not a JSON object", status.as_u16())),
    })
}

fn connect_fix(kind: Kind, name: &str) -> String {
    match kind {
        Kind::Connection => format!("run `patchbay connection connect {name}`"),
        _ => format!("run `patchbay connect {name}`"),
    }
}

fn oauth_settings(action: &ActionView) -> OAuthSettings {
    action
        .oauth
        .as_ref()
        .map(|o| o.settings.clone())
        .unwrap_or_default()
}

/// The endpoints the user typed, when both are set (then no discovery happens).
fn typed_server(s: &OAuthSettings) -> Option<ServerMetadata> {
    match (&s.authorization_url, &s.token_url) {
        (Some(a), Some(t)) => Some(ServerMetadata::typed(
            a,
            t,
            s.registration_url.clone(),
            None,
            None,
        )),
        _ => None,
    }
}

impl Patchbay {
    /// Diagnose one action. `Err` only when it does not exist or the profile cannot be read;
    /// a failing step is an `Ok` report with `ok: false`.
    pub async fn doctor(self: &Arc<Self>, name: &str) -> Result<DoctorReport> {
        let action = self.get_action(name)?;
        let mut t = Trace {
            name: action.name.clone(),
            steps: Vec::new(),
            secrets: Vec::new(),
        };
        let _ = self.trace(&action, &mut t).await;
        Ok(t.report())
    }

    /// Diagnose several actions, [`CONCURRENCY`] at once, in the given order.
    pub async fn doctor_many(self: &Arc<Self>, names: Vec<String>) -> Vec<Result<DoctorReport>> {
        futures::stream::iter(names.into_iter().map(|n| {
            let pb = self.clone();
            async move { pb.doctor(&n).await }
        }))
        .buffered(CONCURRENCY)
        .collect()
        .await
    }

    async fn trace(self: &Arc<Self>, action: &ActionView, t: &mut Trace) -> Step<()> {
        let settings = oauth_settings(action);
        let own_oauth = action.auth.kind == AuthType::OAuth;
        if action.kind == ActionKind::Http {
            if own_oauth {
                let server = typed_server(&settings);
                self.client_step(action, &settings, server.as_ref(), t)
                    .await?;
            }
            if action.auth.kind != AuthType::None {
                self.token_step(action, t).await?;
            }
            return self.http_step(action, t).await;
        }
        let http = crate::oauth::http_client().map_err(|e| {
            t.fail_with(
                DoctorStepName::Probe,
                Instant::now(),
                json!({}),
                &e,
                "this is a bug",
            )
        })?;
        let challenge = self.probe_step(action, &http, t).await?;
        if own_oauth {
            let server = match typed_server(&settings) {
                Some(s) => s,
                None => {
                    let issuer = self
                        .resource_step(action, challenge.as_ref(), &http, t)
                        .await?;
                    self.server_step(&issuer, &settings, &http, t).await?
                }
            };
            self.client_step(action, &settings, Some(&server), t)
                .await?;
        }
        if action.auth.kind != AuthType::None {
            self.token_step(action, t).await?;
        }
        self.mcp_steps(action, t).await
    }

    /// `probe`: an unauthenticated `initialize`, and the challenge it got.
    async fn probe_step(
        &self,
        action: &ActionView,
        http: &reqwest::Client,
        t: &mut Trace,
    ) -> Step<Option<Challenge>> {
        let started = Instant::now();
        let url = action.url.clone();
        let request = json!({"method": "POST", "url": url, "body": "initialize, no credentials"});
        let body = json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "Patchbay doctor", "version": env!("CARGO_PKG_VERSION")}}
        });
        let resp = http
            .post(&url)
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .json(&body)
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                let e = transport(&url, &e);
                return Err(t.fail_with(
                    DoctorStepName::Probe,
                    started,
                    json!({"request": request, "waitedFor": format!("an answer from {url}")}),
                    &e,
                    "check the URL and that the server is running",
                ));
            }
        };
        let status = resp.status();
        let headers = redact::header_map(resp.headers());
        let challenge = resp
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(discovery::parse_challenge);
        let bytes = resp.bytes().await.unwrap_or_default();
        let response = json!({
            "status": status.as_u16(),
            "headers": headers,
            "body": if status.is_success() { Value::String(format!("[{} bytes]", bytes.len())) } else { redact::body(&bytes, BODY_CHARS) },
        });
        let challenge_json = challenge.as_ref().map(|c| {
            json!({"resourceMetadata": c.resource_metadata, "scope": c.scope, "error": c.error})
        });
        let mut detail = json!({
            "request": request,
            "response": response,
            "challenge": challenge_json,
        });
        let needs_auth = status == reqwest::StatusCode::UNAUTHORIZED;
        detail["needsAuth"] = json!(needs_auth);
        if status.is_server_error() || status == reqwest::StatusCode::NOT_FOUND {
            return Err(t.fail(
                DoctorStepName::Probe,
                started,
                detail,
                format!(
                    "{url} answered HTTP {}: check the URL is the server's MCP endpoint (often ending in /mcp) and that the server is healthy",
                    status.as_u16()
                ),
            ));
        }
        if needs_auth && action.auth.kind == AuthType::None {
            return Err(t.fail(
                DoctorStepName::Probe,
                started,
                detail,
                format!(
                    "the server asks for credentials: sign in with OAuth (`patchbay action edit {} --auth oauth`, then `patchbay connect {}`) or set a token",
                    action.name, action.name
                ),
            ));
        }
        detail["note"] = json!(match (needs_auth, &challenge) {
            (true, Some(_)) => "401 with a Bearer challenge, as the MCP authorization spec says",
            (true, None) => "401 without a Bearer challenge: discovery uses the well-known URLs",
            (false, _) => "the server answered without credentials",
        });
        t.pass(DoctorStepName::Probe, started, detail);
        Ok(if needs_auth {
            Some(challenge.unwrap_or_default())
        } else {
            None
        })
    }

    /// `resource-metadata`: RFC 9728, each URL tried; the authorization server it names.
    async fn resource_step(
        &self,
        action: &ActionView,
        challenge: Option<&Challenge>,
        http: &reqwest::Client,
        t: &mut Trace,
    ) -> Step<String> {
        let started = Instant::now();
        let step = DoctorStepName::ResourceMetadata;
        let base = Url::parse(&action.url).map_err(|e| {
            t.fail(
                step,
                started,
                json!({"url": action.url}),
                format!(
                    "the action's URL is not valid ({e}): `patchbay action edit {} --url URL`",
                    action.name
                ),
            )
        })?;
        let announced = challenge.and_then(|c| c.resource_metadata.clone());
        let mut candidates: Vec<(String, &str)> = Vec::new();
        if let Some(u) = &announced {
            candidates.push((u.clone(), "named by the challenge"));
        }
        for u in discovery::well_known(&base, "oauth-protected-resource") {
            if Some(&u) != announced.as_ref() {
                candidates.push((u, "well-known"));
            }
        }
        let mut tried: Vec<Value> = Vec::new();
        let mut found: Option<(String, Value)> = None;
        for (url, why) in candidates {
            if found.is_some() {
                tried.push(json!({"url": url, "source": why, "outcome": "not tried: an earlier URL answered"}));
                continue;
            }
            let t0 = Instant::now();
            match get_doc(http, &url).await {
                Ok(Fetched::Json(v)) if v.get("resource").is_some_and(Value::is_string) => {
                    tried.push(json!({"url": url, "source": why, "outcome": "used", "latencyMs": t0.elapsed().as_millis() as i64}));
                    found = Some((url, v));
                }
                Ok(Fetched::Json(_)) => tried.push(json!({"url": url, "source": why, "outcome": "skipped: JSON without \"resource\"", "latencyMs": t0.elapsed().as_millis() as i64})),
                Ok(Fetched::Skipped(s)) => tried.push(json!({"url": url, "source": why, "outcome": format!("skipped: {s}"), "latencyMs": t0.elapsed().as_millis() as i64})),
                Err(e) => {
                    tried.push(json!({"url": url, "source": why, "outcome": "failed"}));
                    return Err(t.fail_with(
                        step,
                        started,
                        json!({"tried": tried, "waitedFor": format!("the metadata document at {url}")}),
                        &e,
                        "check the server is reachable",
                    ));
                }
            }
        }
        let Some((used, doc)) = found else {
            let origin = base.origin().ascii_serialization();
            if let Some(u) = announced {
                return Err(t.fail(
                    step,
                    started,
                    json!({"tried": tried, "found": false}),
                    format!(
                        "the server's challenge names {u}, which serves no metadata (nor do the well-known URLs): report it to the server's operator, or fill in Advanced configuration: `patchbay action edit {} --authorization-url URL --token-url URL`",
                        action.name
                    ),
                ));
            }
            t.pass(
                step,
                started,
                json!({"tried": tried, "found": false, "fallback": origin,
                       "note": "no RFC 9728 metadata: the server's origin is taken as its authorization server (servers before the 2025-06-18 spec)"}),
            );
            return Ok(origin);
        };
        let resource = doc["resource"].as_str().unwrap_or_default().to_string();
        let servers: Vec<String> = doc["authorization_servers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let detail = json!({
            "tried": tried,
            "used": used,
            "resource": resource,
            "authorizationServers": servers,
            "scopesSupported": doc.get("scopes_supported").map(redact::json),
        });
        if !discovery::resource_covers(&resource, &action.url) {
            return Err(t.fail(
                step,
                started,
                detail,
                format!(
                    "the metadata names resource '{resource}', which does not cover {}: it belongs to another server; check the URL is the exact MCP endpoint",
                    action.url
                ),
            ));
        }
        let Some(issuer) = servers.first().cloned() else {
            return Err(t.fail(
                step,
                started,
                detail,
                format!(
                    "the metadata lists no authorization server: fill in Advanced configuration (`patchbay action edit {} --authorization-url URL --token-url URL`)",
                    action.name
                ),
            ));
        };
        t.pass(step, started, detail);
        Ok(issuer)
    }

    /// `authorization-server-metadata`: RFC 8414 / OpenID, issuer, PKCE S256, `iss`.
    async fn server_step(
        &self,
        issuer: &str,
        settings: &OAuthSettings,
        http: &reqwest::Client,
        t: &mut Trace,
    ) -> Step<ServerMetadata> {
        let started = Instant::now();
        let step = DoctorStepName::AuthorizationServerMetadata;
        let issuer_url = match Url::parse(issuer) {
            Ok(u) => u,
            Err(_) => {
                return Err(t.fail(
                    step,
                    started,
                    json!({"issuer": issuer}),
                    "the resource metadata names an authorization server that is not a URL: report it to the server's operator",
                ));
            }
        };
        if let Err(e) = discovery::check_endpoint("authorization server", &issuer_url) {
            return Err(t.fail_with(step, started, json!({"issuer": issuer}), &e, ""));
        }
        let mut tried: Vec<Value> = Vec::new();
        let mut found: Option<(String, Value)> = None;
        for url in discovery::server_metadata_urls(&issuer_url) {
            if found.is_some() {
                tried.push(json!({"url": url, "outcome": "not tried: an earlier URL answered"}));
                continue;
            }
            let t0 = Instant::now();
            match get_doc(http, &url).await {
                Ok(Fetched::Json(v)) => {
                    tried.push(json!({"url": url, "outcome": "used", "latencyMs": t0.elapsed().as_millis() as i64}));
                    found = Some((url, v));
                }
                Ok(Fetched::Skipped(s)) => tried.push(json!({"url": url, "outcome": format!("skipped: {s}"), "latencyMs": t0.elapsed().as_millis() as i64})),
                Err(e) => {
                    tried.push(json!({"url": url, "outcome": "failed"}));
                    return Err(t.fail_with(
                        step,
                        started,
                        json!({"fetchedFor": issuer, "tried": tried, "waitedFor": format!("the metadata document at {url}")}),
                        &e,
                        "check the authorization server is reachable",
                    ));
                }
            }
        }
        let Some((used, doc)) = found else {
            return Err(t.fail(
                step,
                started,
                json!({"fetchedFor": issuer, "tried": tried, "found": false}),
                "found no OAuth metadata; if the provider documents its endpoints, fill in Advanced configuration: `patchbay action edit NAME --authorization-url URL --token-url URL` (and --client-id)",
            ));
        };
        let mut detail = json!({
            "fetchedFor": issuer,
            "tried": tried,
            "used": used,
            "issuer": doc.get("issuer"),
            "authorizationEndpoint": doc.get("authorization_endpoint"),
            "tokenEndpoint": doc.get("token_endpoint"),
            "registrationEndpoint": doc.get("registration_endpoint"),
            "codeChallengeMethodsSupported": doc.get("code_challenge_methods_supported"),
            "issParameterSupported": doc.get("authorization_response_iss_parameter_supported"),
            "clientIdMetadataDocumentSupported": doc.get("client_id_metadata_document_supported"),
        });
        let server: ServerMetadata = match serde_json::from_value(doc) {
            Ok(s) => s,
            Err(e) => {
                return Err(t.fail(
                    step,
                    started,
                    detail,
                    format!("the metadata lacks a required field ({e}): report it to the server's operator, or fill in Advanced configuration"),
                ));
            }
        };
        let checks = json!({
            "issuerMatches": server.issuer == issuer,
            "pkceS256": server.code_challenge_methods_supported.as_ref().is_some_and(|m| m.iter().any(|x| x == "S256")),
            "pkceAssumed": settings.assume_pkce_s256 && server.code_challenge_methods_supported.is_none(),
            "iss": if server.authorization_response_iss_parameter_supported == Some(true) {
                "required in every authorization response (RFC 9207)"
            } else {
                "checked when the response carries it"
            },
        });
        detail["checks"] = checks;
        if server.issuer != issuer {
            return Err(t.fail(
                step,
                started,
                detail,
                format!(
                    "the metadata says issuer '{}' but was fetched for '{issuer}', so Patchbay refuses it (a mix-up defence): the server's resource metadata must name the issuer exactly; report it to the server's operator",
                    server.issuer
                ),
            ));
        }
        let opts = DiscoveryOptions {
            challenge: None,
            assume_pkce_s256: settings.assume_pkce_s256,
        };
        if let Err(e) = discovery::check_pkce(&server, &opts) {
            return Err(t.fail_with(step, started, detail, &e, ""));
        }
        for (what, u) in [
            ("authorization endpoint", &server.authorization_endpoint),
            ("token endpoint", &server.token_endpoint),
        ] {
            let checked = Url::parse(u)
                .map_err(|_| {
                    Error::oauth(
                        ErrorCode::DiscoveryFailed,
                        format!("the {what} '{u}' is not a URL"),
                        Some("report it to the server's operator".into()),
                    )
                })
                .and_then(|p| discovery::check_endpoint(what, &p));
            if let Err(e) = checked {
                return Err(t.fail_with(step, started, detail, &e, ""));
            }
        }
        t.pass(step, started, detail);
        Ok(server)
    }

    /// `client`: the identity a sign-in (or the grant's refreshes) uses, and why.
    async fn client_step(
        &self,
        action: &ActionView,
        settings: &OAuthSettings,
        server: Option<&ServerMetadata>,
        t: &mut Trace,
    ) -> Step<()> {
        let started = Instant::now();
        let step = DoctorStepName::Client;
        let edit = format!("patchbay action edit {}", action.name);
        let grant = self.oauth_status(Kind::Action, &action.name).ok();
        let typed = settings.authorization_url.is_some() && settings.token_url.is_some();
        if let Some(id) = &settings.client_id {
            t.pass(
                step,
                started,
                json!({"identity": "your client", "clientId": id,
                       "why": "a client id is set in Advanced configuration, so it is used as is",
                       "tokenAuthMethod": settings.token_auth_method.map(|m| m.as_str()),
                       "grantClientId": grant.as_ref().and_then(|g| g.client_id.clone())}),
            );
            return Ok(());
        }
        if let Some(g) = grant.as_ref().filter(|g| g.client_id.is_some()) {
            t.pass(
                step,
                started,
                json!({"identity": "the grant's client", "clientId": g.client_id,
                       "why": "the action is connected: its refreshes use the client the sign-in used"}),
            );
            return Ok(());
        }
        let Some(server) = server else {
            return Err(t.fail(
                step,
                started,
                json!({"typedEndpoints": typed}),
                format!("this HTTP action's OAuth needs its authorization and token URLs and a client id: `{edit} --authorization-url URL --token-url URL --client-id ID`"),
            ));
        };
        if let Some(url) = &settings.client_metadata_url
            && server.client_id_metadata_document_supported == Some(true)
        {
            t.pass(
                step,
                started,
                json!({"identity": "client metadata document", "clientId": url,
                       "why": "the server supports Client ID Metadata Documents and one is configured"}),
            );
            return Ok(());
        }
        let saved: Option<String> = self
            .store()
            .read(|c| {
                Ok(c.query_row(
                    "SELECT client_id FROM oauth_clients WHERE issuer = ?1 AND has_secret = 0 LIMIT 1",
                    [&server.issuer],
                    |r| r.get(0),
                )
                .optional()?)
            })
            .unwrap_or(None);
        if let Some(id) = saved {
            t.pass(
                step,
                started,
                json!({"identity": "saved registration", "clientId": id, "issuer": server.issuer,
                       "why": "Patchbay registered with this issuer before (reused when the callback URL matches)"}),
            );
            return Ok(());
        }
        let Some(reg) = server.registration_endpoint.clone() else {
            return Err(t.fail(
                step,
                started,
                json!({"identity": null, "issuer": server.issuer, "registrationEndpoint": null,
                       "why": "no client id, no usable metadata document, and the server offers no dynamic registration"}),
                format!("register an OAuth app with the provider (redirect URI http://127.0.0.1:PORT/callback), then `{edit} --client-id ID [--client-secret-stdin]`"),
            ));
        };
        // Is registration open? An empty request is refused with 400 by an open endpoint and
        // with 401/403 by a closed one; nothing is registered either way.
        let http = match crate::oauth::http_client() {
            Ok(h) => h,
            Err(e) => return Err(t.fail_with(step, started, json!({}), &e, "")),
        };
        let request = json!({"method": "POST", "url": reg, "body": {"client_name": "Patchbay doctor", "redirect_uris": []}});
        let resp = http
            .post(&reg)
            .json(&json!({"client_name": "Patchbay doctor", "redirect_uris": []}))
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                let e = transport(&reg, &e);
                return Err(t.fail_with(
                    step,
                    started,
                    json!({"request": request, "waitedFor": format!("an answer from {reg}")}),
                    &e,
                    "check the authorization server is reachable",
                ));
            }
        };
        let status = resp.status();
        let headers = redact::header_map(resp.headers());
        let bytes = resp.bytes().await.unwrap_or_default();
        let detail = json!({
            "identity": "dynamic registration",
            "registrationEndpoint": reg,
            "request": request,
            "response": {"status": status.as_u16(), "headers": headers, "body": redact::body(&bytes, BODY_CHARS)},
        });
        if matches!(status.as_u16(), 401 | 403) {
            return Err(t.fail(
                step,
                started,
                detail,
                format!("the authorization server refuses dynamic registration (HTTP {}): register an OAuth app with the provider yourself (redirect URI http://127.0.0.1:PORT/callback) and fill in Advanced configuration: `{edit} --client-id ID`", status.as_u16()),
            ));
        }
        if status.is_server_error() || status == reqwest::StatusCode::NOT_FOUND {
            return Err(t.fail(
                step,
                started,
                detail,
                format!("the registration endpoint answered HTTP {}: register an OAuth app with the provider yourself and `{edit} --client-id ID`", status.as_u16()),
            ));
        }
        let mut detail = detail;
        detail["why"] = json!(
            "no client id is configured: connect registers Patchbay as a public client (RFC 7591); the endpoint accepts registrations"
        );
        if status.is_success() {
            // A lax server registers even an empty request: say so, since that client stays
            // there unused (Patchbay neither keeps nor uses it).
            detail["note"] = json!(
                "the server registered a client for this empty request; Patchbay neither keeps nor uses it"
            );
        }
        t.pass(step, started, detail);
        Ok(())
    }

    /// `token`: the credential the action's requests carry; OAuth tokens refreshed if due.
    async fn token_step(self: &Arc<Self>, action: &ActionView, t: &mut Trace) -> Step<()> {
        let started = Instant::now();
        let step = DoctorStepName::Token;
        let reference = action.auth.reference.clone().unwrap_or_default();
        let (kind, owner) = match action.auth.kind {
            AuthType::OAuth => (Kind::Action, action.name.clone()),
            AuthType::Connection => (Kind::Connection, reference.clone()),
            AuthType::Token | AuthType::HttpToken => {
                return self.static_token_step(action, &reference, t).await;
            }
            AuthType::None => return Ok(()),
        };
        let before = match self.oauth_status(kind, &owner) {
            Ok(g) => g,
            Err(e) => {
                return Err(t.fail_with(
                    step,
                    started,
                    json!({"owner": owner}),
                    &e,
                    "check the action's settings",
                ));
            }
        };
        let mut detail = json!({
            "kind": if kind == Kind::Connection { "oauth (reusable connection)" } else { "oauth" },
            "owner": owner,
            "connected": before.connected,
            "account": before.account,
            "issuer": before.issuer,
            "resource": before.resource,
            "scopes": before.scopes,
            "expiresAt": before.expires_at,
            "refreshPossible": before.has_refresh_token,
        });
        if before.client_id.is_none() {
            return Err(t.fail(
                step,
                started,
                detail,
                format!("not connected: {}", connect_fix(kind, &owner)),
            ));
        }
        if before.needs_reconnect {
            detail["reconnectReason"] = json!(before.reconnect_reason);
            return Err(t.fail(
                step,
                started,
                detail,
                format!("the grant stopped working: {}", connect_fix(kind, &owner)),
            ));
        }
        match self.access_token(kind, &owner).await {
            Ok(token) => {
                let after = self.oauth_status(kind, &owner).ok();
                let refreshed = after
                    .as_ref()
                    .is_some_and(|a| a.refreshed_at != before.refreshed_at);
                detail["accessToken"] = json!(redact::mark(token.expose_secret()));
                t.secrets.push(token.expose_secret().to_string());
                detail["refreshed"] = json!(refreshed);
                if let Some(a) = after {
                    detail["expiresAt"] = json!(a.expires_at);
                    detail["refreshPossible"] = json!(a.has_refresh_token);
                    detail["scopes"] = json!(a.scopes);
                }
                if let Some(exp) = detail["expiresAt"].as_str().and_then(|e| {
                    time::OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339)
                        .ok()
                }) {
                    detail["expiresInS"] = json!((exp - self.clock_now()).whole_seconds());
                }
                t.pass(step, started, detail);
                Ok(())
            }
            Err(e) => {
                let fallback = connect_fix(kind, &owner);
                let after = self.oauth_status(kind, &owner).ok();
                let reason = after
                    .as_ref()
                    .and_then(|a| a.reconnect_reason.as_deref())
                    .map(redact::redact_text);
                if let Some(r) = &reason {
                    detail["reconnectReason"] = json!(r);
                }
                let fix = match e.code() {
                    ErrorCode::NeedsReconnect => format!(
                        "{}: it expired or was revoked; sign in again: {fallback}",
                        reason
                            .as_deref()
                            .unwrap_or("the authorization server refused the refresh token")
                    ),
                    ErrorCode::NotConnected => fallback.clone(),
                    _ => e.hint().unwrap_or(fallback.clone()),
                };
                detail["error"] = json!({"code": e.code().as_str(), "message": redact::redact_text(&e.to_string())});
                Err(t.fail(step, started, detail, fix))
            }
        }
    }

    async fn static_token_step(
        self: &Arc<Self>,
        action: &ActionView,
        reference: &str,
        t: &mut Trace,
    ) -> Step<()> {
        let started = Instant::now();
        let step = DoctorStepName::Token;
        let token = match self.get_token(reference) {
            Ok(tk) => tk,
            Err(e) => {
                return Err(t.fail_with(
                    step,
                    started,
                    json!({"token": reference}),
                    &e,
                    &format!(
                        "choose an existing token: `patchbay action edit {} --auth token:NAME`",
                        action.name
                    ),
                ));
            }
        };
        let mut detail = json!({
            "kind": token.kind.as_str(),
            "token": token.name,
            "header": token.header_name,
            "prefix": token.prefix,
            "refreshPossible": token.kind == TokenKind::HttpRequest,
        });
        let value = match token.kind {
            TokenKind::Text => self.text_token_header(&token).map(|(_, v)| v),
            TokenKind::HttpRequest => self.http_token_value(&token, false).await,
        };
        match value {
            Ok(v) => {
                let full = v.expose_secret();
                detail["value"] = json!(redact::mark(full));
                // The header value carries the prefix ("Bearer …"): scrub the bare value too.
                let bare = token
                    .prefix
                    .as_deref()
                    .and_then(|p| full.strip_prefix(p))
                    .map(str::trim_start);
                t.secrets.extend(bare.map(String::from));
                t.secrets.push(full.to_string());
                t.pass(step, started, detail);
                Ok(())
            }
            Err(e) => Err(t.fail_with(
                step,
                started,
                detail,
                &e,
                &format!(
                    "set the token's value: `patchbay token edit {} --value-stdin`",
                    token.name
                ),
            )),
        }
    }

    /// `mcp-handshake` and `tools`: a session as calls open it (credentials, one refresh on
    /// a 401), then `tools/list`.
    async fn mcp_steps(self: &Arc<Self>, action: &ActionView, t: &mut Trace) -> Step<()> {
        let started = Instant::now();
        let timeout_s = crate::http::call_timeout().as_secs();
        let conn = match self.mcp_connect(&action.name, &McpOptions::default()).await {
            Ok(c) => c,
            Err(e) => {
                return Err(t.fail_with(
                    DoctorStepName::McpHandshake,
                    started,
                    json!({"url": action.url, "waitedFor": format!("the MCP handshake with {} (at most {timeout_s} s)", action.url)}),
                    &e,
                    "check the server is up, then try again",
                ));
            }
        };
        t.pass(
            DoctorStepName::McpHandshake,
            started,
            json!({"url": action.url, "protocolVersion": conn.protocol()}),
        );
        let started = Instant::now();
        let tools = conn.tools().await;
        conn.close().await;
        match tools {
            Ok(tools) => {
                t.pass(
                    DoctorStepName::Tools,
                    started,
                    json!({"count": tools.len(), "names": tools.iter().map(|x| x.name.clone()).collect::<Vec<_>>()}),
                );
                Ok(())
            }
            Err(e) => Err(t.fail_with(
                DoctorStepName::Tools,
                started,
                json!({"waitedFor": format!("tools/list from {} (at most {timeout_s} s)", action.url)}),
                &e,
                "the server accepted the session but not tools/list; check its logs",
            )),
        }
    }

    /// `http-request`: an HTTP action's configured request (placeholders empty), as Test.
    async fn http_step(self: &Arc<Self>, action: &ActionView, t: &mut Trace) -> Step<()> {
        let started = Instant::now();
        let step = DoctorStepName::HttpRequest;
        let spec = action.http.as_ref();
        let request = json!({
            "method": spec.map(|s| s.method.as_str()),
            "url": action.url,
            "headers": spec.map(|s| s.headers.iter().map(|h| h.name.clone()).collect::<Vec<_>>()),
            "note": "header values are not shown",
        });
        match self
            .http_request(action, &serde_json::Map::new(), true, None)
            .await
        {
            Ok(out) => {
                let detail = json!({
                    "request": request,
                    "response": {
                        "status": out.status,
                        "headers": redact::headers(out.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
                        "body": redact::body(out.body.as_bytes(), BODY_CHARS),
                        "truncated": out.truncated,
                    },
                });
                if out.ok() {
                    t.pass(step, started, detail);
                    Ok(())
                } else {
                    let fix = match out.status {
                        401 | 403 => format!("the server refused the credential (HTTP {}): check the action's authentication (`patchbay action show {}`)", out.status, action.name),
                        404 => format!("HTTP 404: check the URL (`patchbay action edit {} --url URL`)", action.name),
                        s if s >= 500 => format!("the server failed (HTTP {s}): try again later or ask its operator"),
                        s => format!("the server answered HTTP {s}: check the request's method, headers and body"),
                    };
                    Err(t.fail(step, started, detail, fix))
                }
            }
            Err(e) => Err(t.fail_with(
                step,
                started,
                json!({"request": request, "waitedFor": format!("an answer from {} (at most {} s)", action.url, crate::http::call_timeout().as_secs())}),
                &e,
                "check the URL and that the server is running",
            )),
        }
    }
}

/// Every step's name, in the order a trace runs them.
pub fn step_order() -> [DoctorStepName; 8] {
    DoctorStepName::ALL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_have_their_contract_names_in_order() {
        let names: Vec<&str> = step_order().iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "probe",
                "resource-metadata",
                "authorization-server-metadata",
                "client",
                "token",
                "mcp-handshake",
                "tools",
                "http-request"
            ]
        );
        for s in step_order() {
            assert_eq!(
                serde_json::to_value(s).expect("json"),
                json!(s.as_str()),
                "serde and as_str agree"
            );
        }
    }

    #[test]
    fn fixes_name_the_action_where_hints_say_name() {
        assert_eq!(
            fill_name(
                "run `patchbay action edit NAME --assume-pkce-s256`",
                "linear"
            ),
            "run `patchbay action edit linear --assume-pkce-s256`"
        );
        assert_eq!(
            fill_name("NAME, then NAME.", "a"),
            "a, then a.",
            "at the start, before punctuation"
        );
        assert_eq!(
            fill_name("CLIENT_NAME and NAMES and RENAME stay", "a"),
            "CLIENT_NAME and NAMES and RENAME stay",
            "only the whole word"
        );
    }

    #[test]
    fn a_report_scrubs_the_credentials_it_held() {
        let secret = "opaque-access-token-value-1234";
        let mut t = Trace {
            name: "a".into(),
            steps: Vec::new(),
            secrets: vec![secret.into()],
        };
        t.pass(
            DoctorStepName::Token,
            Instant::now(),
            json!({"echo": format!("server said Bearer {secret}!"), "n": 1}),
        );
        let _ = t.fail(
            DoctorStepName::HttpRequest,
            Instant::now(),
            json!({"list": [secret]}),
            format!("do not print {secret}"),
        );
        let text = serde_json::to_string(&t.report()).expect("json");
        assert!(!text.contains(secret), "{text}");
        assert!(
            text.contains("server said Bearer [redacted, 30 chars]!"),
            "{text}"
        );
    }

    #[test]
    fn a_trace_stops_at_the_first_failure_with_its_fix() {
        let mut t = Trace {
            name: "a".into(),
            steps: Vec::new(),
            secrets: Vec::new(),
        };
        let run = |t: &mut Trace| -> Step<()> {
            t.pass(DoctorStepName::Probe, Instant::now(), json!({}));
            let e = Error::oauth(
                ErrorCode::PkceUnsupported,
                "no S256",
                Some("turn on assume PKCE".into()),
            );
            Err(t.fail_with(
                DoctorStepName::AuthorizationServerMetadata,
                Instant::now(),
                json!({"issuer": "x"}),
                &e,
                "unused",
            ))?;
            t.pass(DoctorStepName::Client, Instant::now(), json!({}));
            Ok(())
        };
        assert!(run(&mut t).is_err());
        let steps: Vec<_> = t.steps.iter().map(|s| (s.step, s.ok)).collect();
        assert_eq!(
            steps,
            [
                (DoctorStepName::Probe, true),
                (DoctorStepName::AuthorizationServerMetadata, false)
            ]
        );
        let failed = &t.steps[1];
        assert_eq!(failed.fix.as_deref(), Some("turn on assume PKCE"));
        assert_eq!(failed.detail["error"]["code"], "pkce_unsupported");
        assert_eq!(t.steps[0].fix, None);
        let report = t.report();
        assert!(!report.ok);
        assert_eq!(
            report.failed().map(|s| s.step),
            Some(DoctorStepName::AuthorizationServerMetadata)
        );
        let v = serde_json::to_value(&report).expect("json");
        let keys: Vec<&String> = v["steps"][0].as_object().expect("step").keys().collect();
        let mut keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["detail", "fix", "latencyMs", "ok", "step"]);
    }
}
