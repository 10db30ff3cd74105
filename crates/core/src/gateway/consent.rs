//! The user's consent to a browser sign-in at the gateway, for clients the user did not make
//! (they registered themselves, or are known by their metadata document).
//!
//! `GET /authorize` answers a page with a short code and a meta refresh to
//! `/authorize/continue?request=ID&csrf=TOKEN`, which answers the same page until the user
//! decides (in the window, or `patchbay gateway approve|deny`), then sends the browser back to
//! the client with a code or `error=access_denied`. A request waits `consentTimeoutSecs` at
//! most. A consent given is remembered per client, redirect URI, scope set and resource; the
//! next sign-in there goes through without asking.

use std::collections::HashMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{OptionalExtension, params};
use subtle::ConstantTimeEq;

use super::authz::{Authz, authorize_page_error, redirect_to};
use super::clients::ClientRow;
use super::keys::{self, KeyActions};
use crate::Patchbay;
use crate::error::{Error, Result};
use crate::logs::{LogKind, NewLog};
use crate::model::{
    ConsentClient, ConsentDecision, GatewayClientKind, GatewayConsents, PendingConsent,
};

/// A checked authorization request, ready for a code.
#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub client: ClientRow,
    pub redirect_uri: String,
    pub challenge: String,
    pub resource: String,
    pub scope: String,
    pub state: String,
}

/// Letters and digits nobody confuses (no 0/O, 1/I/L, 5/S, 8/B).
const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY234679";

/// `KXT-MBR`: the short code shown in the browser and in the window.
fn short_code() -> Result<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    let letters: String = bytes
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect();
    Ok(format!("{}-{}", &letters[..3], &letters[3..]))
}

/// The host that publishes a metadata document client (`vscode.dev`).
pub(crate) fn publisher(c: &ClientRow) -> Option<String> {
    (c.kind == GatewayClientKind::MetadataDocument)
        .then(|| {
            url::Url::parse(&c.client_id)
                .ok()?
                .host_str()
                .map(str::to_string)
        })
        .flatten()
}

/// The page the browser shows while the user decides (and polls through its meta refresh).
fn waiting_page(client: &str, code: &str, id: &str, csrf: &str, publisher: &str) -> Response {
    let esc = super::authz::html_escape;
    let body = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="1;url=/authorize/continue?request={id}&csrf={csrf}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Approve in Patchbay</title>
<style>
body{{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f7f9;color:#1d2330}}
main{{max-width:30rem;padding:2rem;background:#fff;border:1px solid #dde1e8;border-radius:12px}}
.code{{font:600 2rem/1 ui-monospace,monospace;letter-spacing:.15em;margin:1rem 0}}
.muted{{color:#5a6372;font-size:.9rem}}
@media (prefers-color-scheme:dark){{body{{background:#14171d;color:#e6e9ef}}main{{background:#1c2028;border-color:#2c323d}}.muted{{color:#9aa3b2}}}}
</style></head>
<body><main>
<h1>Approve in Patchbay</h1>
<p><strong>{client}</strong> {publisher} asks to use your Patchbay gateway.</p>
<p>The Patchbay window asks you now. Check that it shows the same code:</p>
<p class="code" id="code">{code}</p>
<p class="muted">This page moves on by itself once you approve or deny there (or with <code>patchbay gateway approve</code>).</p>
</main></body></html>
"#,
        client = esc(client),
        publisher = esc(publisher),
        code = esc(code),
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        body,
    )
        .into_response()
}

fn from_label(c: &ClientRow) -> String {
    match publisher(c) {
        Some(p) => format!("(published by {p})"),
        None => "(registered itself, unverified)".to_string(),
    }
}

type ConsentRow = (
    String,         // client
    String,         // code
    String,         // csrf_hash
    String,         // redirect_uri
    String,         // challenge
    String,         // resource
    String,         // scope
    Option<String>, // state
    String,         // expires_at
    Option<String>, // decision
    Option<String>, // actions
    Option<String>, // tools
    Option<String>, // finished_at
);

/// A pending consent as read, before its actions are named.
struct PendingRow {
    id: String,
    code: String,
    client: ClientRow,
    redirect_uri: String,
    scope: String,
    asked: String,
    requested_at: String,
    expires_at: String,
}

impl Authz {
    /// A request from a client the user did not make: through at once when the same consent
    /// was given before, else a new consent request and its waiting page.
    pub(crate) fn ask_consent(&self, req: AuthRequest) -> Response {
        let remembered = self.pb.store().read(|c| {
            Ok(c.query_row(
                "SELECT actions, tools FROM gateway_consent_memory WHERE client = ?1 AND redirect_uri = ?2 AND scope = ?3 AND resource = ?4",
                params![req.client.id, req.redirect_uri, req.scope, req.resource],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?)
        });
        match remembered {
            Ok(Some(scope)) => return self.code_response(&req, Some(scope)),
            Ok(None) => {}
            Err(e) => return authorize_page_error(&e.to_string()),
        }
        match self.new_consent(&req) {
            Ok((id, code, csrf)) => {
                // The window asks the user; start the app when it does not run.
                if let Err(e) = self.pb.ensure_app_running() {
                    // The page and `gateway approve` still work; say why no window asks.
                    self.pb.log(NewLog {
                        subject: Some(&req.client.name),
                        kind: Some(LogKind::GatewayAuth),
                        ok: false,
                        summary: format!(
                            "sign-in {code} waits, but no Patchbay window can ask: {e}; answer with `patchbay gateway approve {code}`"
                        ),
                        ..Default::default()
                    });
                }
                self.pb.log(NewLog {
                    subject: Some(&req.client.name),
                    kind: Some(LogKind::GatewayAuth),
                    ok: true,
                    summary: format!(
                        "OAuth client '{}' {} asks to sign in (code {code}); waiting for the user",
                        req.client.name,
                        from_label(&req.client)
                    ),
                    ..Default::default()
                });
                waiting_page(
                    &req.client.name,
                    &code,
                    &id,
                    &csrf,
                    &from_label(&req.client),
                )
            }
            Err(e) => authorize_page_error(&e.to_string()),
        }
    }

    fn new_consent(&self, req: &AuthRequest) -> Result<(String, String, String)> {
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        let code = short_code()?;
        let csrf = keys::random_secret("")?;
        let now = self.pb.clock_now();
        let wait = time::Duration::seconds(self.pb.settings().consent_timeout_secs.into());
        let asked = match self.resource_action(&req.resource) {
            Some(action_id) => serde_json::to_string(&[action_id])
                .map_err(|e| Error::Internal(format!("cannot encode an action id: {e}")))?,
            None => "*".to_string(),
        };
        self.pb.store().write(|tx| {
            // Requests nobody finished are useless a day later.
            tx.execute(
                "DELETE FROM gateway_consents WHERE expires_at < ?1",
                [crate::clock::rfc3339(now - time::Duration::days(1))],
            )?;
            tx.execute(
                "INSERT INTO gateway_consents (id, code, csrf_hash, client, redirect_uri, challenge, resource, scope, state, asked, requested_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    id,
                    code,
                    keys::key_hash(&csrf),
                    req.client.id,
                    req.redirect_uri,
                    req.challenge,
                    req.resource,
                    req.scope,
                    (!req.state.is_empty()).then_some(&req.state),
                    asked,
                    crate::clock::rfc3339(now),
                    crate::clock::rfc3339(now + wait),
                ],
            )?;
            Ok(())
        })?;
        Ok((id, code, csrf))
    }

    /// The action id of `/a/NAME/mcp`; `None` for `/mcp`.
    fn resource_action(&self, resource: &str) -> Option<String> {
        let name = resource
            .strip_prefix(&self.issuer)?
            .strip_prefix("/a/")?
            .strip_suffix("/mcp")?;
        self.pb.get_action(name).ok().map(|a| a.id)
    }

    /// `GET /authorize/continue?request=ID&csrf=TOKEN`: the waiting page until the user
    /// decides, then back to the client with a code or `access_denied`.
    pub(crate) fn continue_consent(&self, q: &HashMap<String, String>) -> Response {
        let (Some(id), Some(csrf)) = (q.get("request"), q.get("csrf")) else {
            return authorize_page_error("request and csrf are missing");
        };
        let found: Result<Option<ConsentRow>> = self.pb.store().read(|c| {
            Ok(c.query_row(
                "SELECT client, code, csrf_hash, redirect_uri, challenge, resource, scope, state, expires_at, decision, actions, tools, finished_at
                 FROM gateway_consents WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?,
                        r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?,
                        r.get(12)?,
                    ))
                },
            )
            .optional()?)
        });
        let row = match found {
            Ok(Some(r)) => r,
            Ok(None) => {
                return authorize_page_error(
                    "this sign-in request is unknown; start the sign-in again from the app",
                );
            }
            Err(e) => return authorize_page_error(&e.to_string()),
        };
        let (
            client_pk,
            code,
            csrf_hash,
            redirect_uri,
            challenge,
            resource,
            scope,
            state,
            expires_at,
            decision,
            actions,
            tools,
            finished_at,
        ) = row;
        if !bool::from(keys::key_hash(csrf).as_bytes().ct_eq(csrf_hash.as_bytes())) {
            return authorize_page_error(
                "this page's check value is wrong; start the sign-in again from the app",
            );
        }
        if finished_at.is_some() {
            return authorize_page_error(
                "this sign-in already finished; start it again from the app if it did not work",
            );
        }
        let client = match self.pb.store().read(|c| {
            Ok(c.query_row(
                &format!("{} WHERE id = ?1", super::clients::SELECT),
                [&client_pk],
                super::clients::row,
            )
            .optional()?)
        }) {
            Ok(Some(c)) => c,
            Ok(None) => return authorize_page_error("this client no longer exists"),
            Err(e) => return authorize_page_error(&e.to_string()),
        };
        let req = AuthRequest {
            client,
            redirect_uri,
            challenge,
            resource,
            scope,
            state: state.unwrap_or_default(),
        };
        let now = crate::clock::rfc3339(self.pb.clock_now());
        let finish = || {
            self.pb.store().write(|tx| {
                Ok(tx.execute(
                    "UPDATE gateway_consents SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL",
                    params![id, now],
                )? == 1)
            })
        };
        match decision.as_deref() {
            Some("approved") => match finish() {
                Ok(true) => {
                    let scope = actions.map(|a| (a, tools.unwrap_or_else(|| "{}".into())));
                    self.code_response(&req, scope)
                }
                Ok(false) => authorize_page_error("this sign-in already finished"),
                Err(e) => authorize_page_error(&e.to_string()),
            },
            Some(_) => {
                let _ = finish();
                self.error_redirect(&req, "access_denied", "the user denied this sign-in")
            }
            None if expires_at.as_str() <= now.as_str() => {
                let _ = finish();
                self.error_redirect(
                    &req,
                    "access_denied",
                    "nobody approved this sign-in in time",
                )
            }
            None => waiting_page(&req.client.name, &code, id, csrf, &from_label(&req.client)),
        }
    }

    /// Back to the client with an error (its redirect URI was checked).
    pub(crate) fn error_redirect(
        &self,
        req: &AuthRequest,
        error: &str,
        description: &str,
    ) -> Response {
        let mut p = vec![
            ("error", error),
            ("error_description", description),
            ("iss", self.issuer.as_str()),
        ];
        if !req.state.is_empty() {
            p.push(("state", req.state.as_str()));
        }
        redirect_to(&req.redirect_uri, &p)
    }
}

impl Patchbay {
    /// Browser sign-ins waiting for the user's consent, oldest first.
    pub fn pending_gateway_consents(&self) -> Result<GatewayConsents> {
        let now = crate::clock::rfc3339(self.clock_now());
        let rows: Vec<PendingRow> = self.store().read(|c| {
                let mut stmt = c.prepare(
                    "SELECT id, code, client, redirect_uri, scope, asked, requested_at, expires_at
                     FROM gateway_consents WHERE decision IS NULL AND finished_at IS NULL AND expires_at > ?1
                     ORDER BY requested_at, id",
                )?;
                let raw = stmt
                    .query_map([&now], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                            r.get::<_, String>(6)?,
                            r.get::<_, String>(7)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut out = Vec::new();
                for (id, code, client, redirect, scope, asked, at, until) in raw {
                    let Some(row) = c
                        .query_row(
                            &format!("{} WHERE id = ?1", super::clients::SELECT),
                            [&client],
                            super::clients::row,
                        )
                        .optional()?
                    else {
                        continue;
                    };
                    out.push(PendingRow {
                        id,
                        code,
                        client: row,
                        redirect_uri: redirect,
                        scope,
                        asked,
                        requested_at: at,
                        expires_at: until,
                    });
                }
                Ok(out)
            })?;
        let mut pending = Vec::new();
        for PendingRow {
            id,
            code,
            client,
            redirect_uri,
            scope,
            asked,
            requested_at,
            expires_at,
        } in rows
        {
            let (actions, _) = self.store().read(|c| keys::scope_names(c, &asked, "{}"))?;
            pending.push(PendingConsent {
                id,
                code,
                client: ConsentClient {
                    publisher: publisher(&client),
                    name: client.name,
                    client_id: client.client_id,
                    kind: client.kind,
                },
                redirect_uri,
                scopes: scope.split_whitespace().map(str::to_string).collect(),
                actions,
                requested_at,
                expires_at,
            });
        }
        Ok(GatewayConsents { pending })
    }

    /// The pending consent `id` (or its short code, any case).
    fn find_consent(&self, id: &str) -> Result<PendingConsent> {
        let all = self.pending_gateway_consents()?.pending;
        let wanted = id.trim();
        all.into_iter()
            .find(|p| p.id == wanted || p.code.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::NotFound {
                kind: crate::error::Kind::Consent,
                name: crate::validate::printable(wanted),
            })
    }

    /// Approve a browser sign-in: the client gets `actions` (`None`: what it asked for) and
    /// `tools`; the consent is remembered for its redirect URI and scopes.
    pub fn approve_gateway_consent(
        &self,
        id: &str,
        actions: Option<KeyActions>,
        tools: &[String],
    ) -> Result<PendingConsent> {
        let p = self.find_consent(id)?;
        let now = self.now();
        self.store().write(|tx| {
            let (client, redirect, scope, resource, asked): (String, String, String, String, String) =
                tx.query_row(
                    "SELECT client, redirect_uri, scope, resource, asked FROM gateway_consents WHERE id = ?1",
                    [&p.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?;
            let (actions_col, tools_col) = match &actions {
                Some(a) => keys::resolve_scope(tx, a, tools)?,
                None if tools.is_empty() => (asked.clone(), "{}".to_string()),
                None => {
                    let asked_actions = match keys::parse_ids(&asked)? {
                        None => KeyActions::All,
                        Some(_) => KeyActions::Named(keys::scope_names(tx, &asked, "{}")?.0),
                    };
                    keys::resolve_scope(tx, &asked_actions, tools)?
                }
            };
            if let Some(only) = keys::parse_ids(&asked)?
                && let Some(given) = keys::parse_ids(&actions_col)?
                && !only.iter().all(|a| given.contains(a))
            {
                return Err(Error::invalid_with_hint(
                    format!("this sign-in is for the endpoint of '{}', which --actions leaves out", p.actions.join(", ")),
                    "include that action, or deny the sign-in",
                ));
            }
            tx.execute(
                "UPDATE gateway_consents SET decision = 'approved', decided_at = ?2, actions = ?3, tools = ?4 WHERE id = ?1",
                params![p.id, now, actions_col, tools_col],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO gateway_consent_memory (client, redirect_uri, scope, resource, actions, tools, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![client, redirect, scope, resource, actions_col, tools_col, now],
            )?;
            Ok(())
        })?;
        self.log_consent(&p, true);
        Ok(p)
    }

    /// Deny a browser sign-in: the browser goes back to the client with `access_denied`.
    pub fn deny_gateway_consent(&self, id: &str) -> Result<PendingConsent> {
        let p = self.find_consent(id)?;
        let now = self.now();
        self.store().write(|tx| {
            tx.execute(
                "UPDATE gateway_consents SET decision = 'denied', decided_at = ?2 WHERE id = ?1",
                params![p.id, now],
            )?;
            Ok(())
        })?;
        self.log_consent(&p, false);
        Ok(p)
    }

    fn log_consent(&self, p: &PendingConsent, approved: bool) {
        self.log(NewLog {
            subject: Some(&p.client.name),
            kind: Some(LogKind::GatewayAuth),
            ok: approved,
            summary: format!(
                "sign-in of OAuth client '{}' {} (code {})",
                p.client.name,
                if approved { "approved" } else { "denied" },
                p.code
            ),
            ..Default::default()
        });
    }

    /// The window's answer to a consent.
    pub fn decide_gateway_consent(&self, id: &str, d: ConsentDecision) -> Result<PendingConsent> {
        if !d.approve {
            return self.deny_gateway_consent(id);
        }
        let actions = if d.actions.is_empty() {
            None
        } else if d.actions.iter().any(|a| a == "*") {
            Some(KeyActions::All)
        } else {
            Some(KeyActions::Named(d.actions))
        };
        self.approve_gateway_consent(id, actions, &d.tools)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: Response) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let bytes = rt
            .block_on(axum::body::to_bytes(r.into_body(), 1 << 20))
            .expect("body");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn location(r: &Response) -> url::Url {
        let l = r
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .expect("a redirect");
        url::Url::parse(l).expect("url")
    }

    /// The consent page's poll target, read from its meta refresh.
    fn continue_query(page: &str) -> HashMap<String, String> {
        let start = page.find("url=/authorize/continue?").expect("meta refresh") + 24;
        let rest = &page[start..];
        let q = &rest[..rest.find('"').expect("end")];
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    }

    /// A registered client asks; the page polls; approval by short code sends a code with
    /// the given actions; a finished request cannot be replayed; the next sign-in there is
    /// remembered; revoking forgets it; an unanswered request expires into access_denied.
    #[test]
    fn a_consent_is_asked_once_remembered_and_forgotten_on_revoke() {
        let p = crate::testing::profile();
        crate::testing::action(&p, "mail");
        crate::testing::action(&p, "docs");
        let a = Authz::new(p.pb.clone(), 47616);
        let redirect = "http://127.0.0.1:5000/cb";
        p.pb.store()
            .write(|tx| {
                super::super::register::insert_public(
                    tx,
                    "pbr_test",
                    "Editor",
                    GatewayClientKind::Registered,
                    &serde_json::to_string(&[redirect]).expect("json"),
                    "2026-12-01T12:00:00Z",
                )
            })
            .expect("client");
        let q: HashMap<String, String> = [
            ("client_id", "pbr_test"),
            ("redirect_uri", "http://127.0.0.1:6000/cb"),
            ("response_type", "code"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
            ("state", "s1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let page = a.authorize(&q);
        assert_eq!(page.status(), StatusCode::OK);
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("csp")
            .to_string();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
        let html = body(page);
        let poll = continue_query(&html);
        let pending = p.pb.pending_gateway_consents().expect("pending").pending;
        assert_eq!(pending.len(), 1);
        let c = &pending[0];
        assert!(html.contains(&c.code), "the page shows the code");
        assert_eq!(c.actions, vec!["*"]);
        assert_eq!(c.client.kind, GatewayClientKind::Registered);
        // Still waiting: the same page.
        assert_eq!(a.continue_consent(&poll).status(), StatusCode::OK);
        let mut forged = poll.clone();
        forged.insert("csrf".into(), "guess".into());
        assert_eq!(
            a.continue_consent(&forged).status(),
            StatusCode::BAD_REQUEST
        );
        assert!(
            p.pb.approve_gateway_consent("nope", None, &[]).is_err(),
            "an unknown id"
        );
        p.pb.approve_gateway_consent(
            &c.code.to_lowercase(),
            Some(KeyActions::Named(vec!["mail".into()])),
            &[],
        )
        .expect("approve");
        let back = a.continue_consent(&poll);
        assert_eq!(back.status(), StatusCode::FOUND);
        let to = location(&back);
        let got: HashMap<_, _> = to.query_pairs().into_owned().collect();
        assert!(got["code"].starts_with("pbac_"), "{to}");
        assert_eq!(got["state"], "s1");
        assert_eq!(got["iss"], "http://127.0.0.1:47616");
        assert_eq!(
            a.continue_consent(&poll).status(),
            StatusCode::BAD_REQUEST,
            "one use"
        );
        let actions: Option<String> =
            p.pb.store()
                .read(|c| Ok(c.query_row("SELECT actions FROM gateway_codes", [], |r| r.get(0))?))
                .expect("code");
        assert!(
            actions.is_some_and(|a| a.starts_with('[') && a.len() > 4),
            "the code carries the actions given"
        );
        // Remembered: straight back with a code.
        assert_eq!(a.authorize(&q).status(), StatusCode::FOUND);
        // Revoked and re-activated: asked again.
        p.pb.revoke_gateway_client("Editor").expect("revoke");
        p.pb.reactivate_gateway_client("Editor")
            .expect("reactivate");
        let again = a.authorize(&q);
        assert_eq!(again.status(), StatusCode::OK);
        let poll = continue_query(&body(again));
        // Nobody answers within consentTimeoutSecs: access_denied, and it is not listed.
        p.clock.advance(time::Duration::seconds(301));
        assert!(
            p.pb.pending_gateway_consents()
                .expect("pending")
                .pending
                .is_empty()
        );
        let expired = a.continue_consent(&poll);
        assert_eq!(expired.status(), StatusCode::FOUND);
        let got: HashMap<_, _> = location(&expired).query_pairs().into_owned().collect();
        assert_eq!(got["error"], "access_denied");
    }
}
