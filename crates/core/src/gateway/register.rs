//! `POST /register`: dynamic client registration (RFC 7591), for public clients only (VS
//! Code, Claude Code, mcp-remote…). A registered client gets no actions of its own: the user
//! chooses them when approving its first sign-in. A registration that never signed in is
//! removed after a day.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::params;

use super::authz::Authz;
use super::clients::redirect_uri;
use super::keys;
use crate::error::{Error, Result};
use crate::logs::{LogKind, NewLog};
use crate::model::{GatewayClientKind, GatewayClientType};

/// The readable prefix of a registered client's id.
pub const REGISTERED_PREFIX: &str = "pbr_";
/// A client name longer than this is cut.
const NAME_MAX: usize = 80;

fn metadata_error(error: &'static str, description: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::json!({"error": error, "error_description": description.into()}).to_string(),
    )
        .into_response()
}

/// A client's own name made printable and short; `fallback` when it gave none.
pub(crate) fn display_name(given: Option<&str>, fallback: &str) -> String {
    let cleaned: String = given
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned = if cleaned.is_empty() {
        fallback.to_string()
    } else {
        cleaned
    };
    match cleaned.char_indices().nth(NAME_MAX) {
        Some((i, _)) => format!("{}…", &cleaned[..i]),
        None => cleaned,
    }
}

/// `base`, or `base (2)`, `base (3)`… : the first name no client has (names are unique).
pub(crate) fn unique_name(tx: &rusqlite::Connection, base: &str) -> Result<String> {
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            format!("{base} ({n})")
        };
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM gateway_clients WHERE name = ?1 COLLATE NOCASE)",
            [&candidate],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(Error::invalid_with_hint(
        format!("too many OAuth clients are named '{base}'"),
        "remove old ones on the Gateway screen",
    ))
}

fn err(error: &'static str, description: impl Into<String>) -> (&'static str, String) {
    (error, description.into())
}

/// A public client the user did not make (registered, or known by its metadata document): no
/// actions of its own until the user approves a sign-in.
pub(crate) fn insert_public(
    tx: &rusqlite::Connection,
    client_id: &str,
    name: &str,
    kind: GatewayClientKind,
    uris_col: &str,
    now: &str,
) -> Result<()> {
    let kind: &str = kind.into();
    let client_type: &str = GatewayClientType::Public.into();
    tx.execute(
        "INSERT INTO gateway_clients (id, client_id, name, type, kind, secret_hash, redirect_uris, actions, tools, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, '[]', '{}', ?7)",
        params![uuid::Uuid::new_v4().to_string(), client_id, name, client_type, kind, uris_col, now],
    )?;
    Ok(())
}

/// What a registration asked for, checked.
#[derive(Debug, PartialEq)]
struct Registration {
    name: String,
    redirect_uris: Vec<String>,
}

/// The registration checked, or the RFC 7591 error and its description.
fn checked(body: &[u8]) -> std::result::Result<Registration, (&'static str, String)> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        (
            "invalid_client_metadata",
            format!("the registration is not JSON: {e}"),
        )
    })?;
    let Some(obj) = v.as_object() else {
        return Err(err(
            "invalid_client_metadata",
            "the registration must be a JSON object",
        ));
    };
    let uris = match obj.get("redirect_uris") {
        Some(serde_json::Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(err(
                "invalid_redirect_uri",
                "redirect_uris must be a non-empty array",
            ));
        }
    };
    let mut redirect_uris = Vec::new();
    for u in uris {
        let Some(u) = u.as_str() else {
            return Err(err(
                "invalid_redirect_uri",
                "each redirect URI must be a string",
            ));
        };
        let u = redirect_uri(u).map_err(|e| ("invalid_redirect_uri", e.to_string()))?;
        if !redirect_uris.contains(&u) {
            redirect_uris.push(u);
        }
    }
    let strings = |key: &str| -> Option<Vec<String>> {
        obj.get(key)?.as_array().map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        })
    };
    if let Some(grants) = strings("grant_types")
        && let Some(bad) = grants
            .iter()
            .find(|g| !["authorization_code", "refresh_token"].contains(&g.as_str()))
    {
        return Err(err(
            "invalid_client_metadata",
            format!(
                "grant type '{}' is not offered here (authorization_code and refresh_token are)",
                crate::validate::printable(bad)
            ),
        ));
    }
    if let Some(types) = strings("response_types")
        && types.iter().any(|t| t != "code")
    {
        return Err(err(
            "invalid_client_metadata",
            "only the response type code is offered here",
        ));
    }
    let name = display_name(
        obj.get("client_name").and_then(|n| n.as_str()),
        "Unnamed app",
    );
    Ok(Registration {
        name,
        redirect_uris,
    })
}

/// `POST /register`. Whatever `token_endpoint_auth_method` was asked, the client is
/// registered as public (`none`): RFC 7591 §3.2.1 lets the server substitute values, and the
/// answer says what was registered.
pub(crate) async fn register(State(a): State<Arc<Authz>>, body: axum::body::Bytes) -> Response {
    let reg = match checked(&body) {
        Ok(r) => r,
        Err((error, description)) => return metadata_error(error, description),
    };
    let a2 = a.clone();
    let out = tokio::task::spawn_blocking(move || a2.register(reg)).await;
    match out {
        Ok(Ok(v)) => (
            StatusCode::CREATED,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            v.to_string(),
        )
            .into_response(),
        Ok(Err(e)) => metadata_error("invalid_client_metadata", e.to_string()),
        Err(e) => metadata_error(
            "invalid_client_metadata",
            format!("the registration stopped: {e}"),
        ),
    }
}

impl Authz {
    fn register(&self, reg: Registration) -> Result<serde_json::Value> {
        let client_id = keys::random_secret(REGISTERED_PREFIX)?;
        let now_t = self.pb.clock_now();
        let now = crate::clock::rfc3339(now_t);
        let day_ago = crate::clock::rfc3339(now_t - time::Duration::days(1));
        let uris_col = serde_json::to_string(&reg.redirect_uris)
            .map_err(|e| Error::Internal(format!("cannot encode redirect URIs: {e}")))?;
        let name = self.pb.store().write(|tx| {
            // Registrations that never signed in are forgotten after a day.
            tx.execute(
                "DELETE FROM gateway_clients WHERE kind = 'registered' AND created_at < ?1
                   AND NOT EXISTS (SELECT 1 FROM gateway_grants g WHERE g.client = gateway_clients.id)",
                [&day_ago],
            )?;
            let name = unique_name(tx, &reg.name)?;
            insert_public(tx, &client_id, &name, GatewayClientKind::Registered, &uris_col, &now)?;
            Ok(name)
        })?;
        self.pb.log(NewLog {
            subject: Some(&name),
            kind: Some(LogKind::GatewayAuth),
            ok: true,
            summary: format!("OAuth client '{name}' registered itself (unverified)"),
            ..Default::default()
        });
        Ok(serde_json::json!({
            "client_id": client_id,
            "client_id_issued_at": now_t.unix_timestamp(),
            "client_name": name,
            "redirect_uris": reg.redirect_uris,
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": "mcp offline_access",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_checked_and_names_cleaned() {
        let ok = checked(
            br#"{"client_name":"VS\u0007Code  ","redirect_uris":["http://127.0.0.1:33418/","http://127.0.0.1:33418/"],"token_endpoint_auth_method":"client_secret_post"}"#,
        )
        .map_err(|_| ())
        .expect("valid");
        assert_eq!(ok.name, "VS Code");
        assert_eq!(ok.redirect_uris, vec!["http://127.0.0.1:33418/"]);
        for bad in [
            &b"nope"[..],
            br#"[]"#,
            br#"{"client_name":"x"}"#,
            br#"{"redirect_uris":[]}"#,
            br#"{"redirect_uris":[1]}"#,
            br#"{"redirect_uris":["http://evil.example/cb"]}"#,
            br#"{"redirect_uris":["http://127.0.0.1/cb"],"grant_types":["client_credentials"]}"#,
            br#"{"redirect_uris":["http://127.0.0.1/cb"],"response_types":["token"]}"#,
        ] {
            assert!(checked(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(display_name(None, "Unnamed app"), "Unnamed app");
        let long = "x".repeat(200);
        assert_eq!(display_name(Some(&long), "f").chars().count(), NAME_MAX + 1);
    }
}
