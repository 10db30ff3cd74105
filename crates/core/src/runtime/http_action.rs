//! HTTP actions: the configured method, URL and headers, the body template with its
//! `{{param}}` placeholders filled from the call's arguments, the action's credential in its
//! header (a 401 gets one fresh credential and one retry), and the response captured with a
//! size cap.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::Patchbay;
use crate::error::{Error, ErrorCode, Result};
use crate::model::{ActionKind, ActionView, Health, HealthStatus};

/// Response bodies are kept up to this size (the rest is cut and `truncated` set).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What an HTTP action answered (`patchbay call NAME --json`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpOutcome {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), at most [`MAX_BODY_BYTES`].
    pub body: String,
    /// The body parsed, when it is JSON.
    pub json: Option<serde_json::Value>,
    pub truncated: bool,
    pub latency_ms: i64,
}

impl HttpOutcome {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn is_json_template(template: &str) -> bool {
    // With every placeholder standing for `null`, is the template JSON?
    let probe = crate::validate::fill_text(template, |_| "null".to_string());
    serde_json::from_str::<serde_json::Value>(&probe).is_ok()
}

/// Fill a body template. In a JSON template a placeholder that is a whole JSON string
/// (`"{{q}}"`) or stands alone (`{{n}}`) becomes the argument's JSON value; one inside a
/// longer string becomes the argument's text, escaped. In any other template the
/// argument's text is put in as is.
pub fn fill_template(
    template: &str,
    args: &serde_json::Map<String, serde_json::Value>,
) -> Result<String> {
    let params = crate::validate::template_params(template)?;
    check_args(&params, args)?;
    fill_checked(template, args)
}

/// Every placeholder given an argument, and no argument without a placeholder.
pub fn check_args(
    params: &[String],
    args: &serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    for p in params {
        if !args.contains_key(p) {
            return Err(Error::invalid_with_hint(
                format!("the argument '{p}' is missing"),
                format!("the request takes: {}", params.join(", ")),
            ));
        }
    }
    if let Some(extra) = args.keys().find(|k| !params.contains(k)) {
        return Err(Error::invalid_with_hint(
            format!("the request has no placeholder '{extra}'"),
            if params.is_empty() {
                "this action's request takes no arguments".to_string()
            } else {
                format!("the request takes: {}", params.join(", "))
            },
        ));
    }
    Ok(())
}

/// An argument as text (a string as is, anything else as JSON).
fn arg_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Characters left as they are in a URL placeholder's value (RFC 3986 unreserved).
const URL_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An action's URL with its placeholders filled, each value percent-encoded (so an argument
/// can neither leave its path segment or query value nor change the host).
pub fn fill_url(url: &str, args: &serde_json::Map<String, serde_json::Value>) -> String {
    crate::validate::fill_text(url, |p| {
        let v = args.get(p).map(arg_text).unwrap_or_default();
        percent_encoding::utf8_percent_encode(&v, URL_VALUE).to_string()
    })
}

/// A header value with its placeholders filled; a value that would break the header (a line
/// break, a control character) is refused.
pub fn fill_header(
    name: &str,
    value: &str,
    args: &serde_json::Map<String, serde_json::Value>,
) -> Result<String> {
    let filled =
        crate::validate::fill_text(value, |p| args.get(p).map(arg_text).unwrap_or_default());
    crate::validate::header_value(name, &filled)
}

/// [`fill_template`] once the arguments are known to match.
fn fill_checked(
    template: &str,
    args: &serde_json::Map<String, serde_json::Value>,
) -> Result<String> {
    let text = arg_text;
    let json = is_json_template(template);
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut i = 0;
    let bytes = template.as_bytes();
    while i < template.len() {
        if template[i..].starts_with("{{")
            && let Some(end) = template[i + 2..].find("}}")
        {
            let name = template[i + 2..i + 2 + end].trim();
            let value = &args[name];
            let after = i + 2 + end + 2;
            if !json {
                out.push_str(&text(value));
            } else if in_string {
                let whole = out.ends_with('"') && template[after..].starts_with('"');
                if whole {
                    // Replace the quotes too: "{{n}}" becomes the JSON value.
                    out.pop();
                    out.push_str(&value.to_string());
                    in_string = false;
                    i = after + 1;
                    continue;
                }
                let quoted = serde_json::Value::String(text(value)).to_string();
                out.push_str(&quoted[1..quoted.len() - 1]);
            } else {
                out.push_str(&value.to_string());
            }
            i = after;
            continue;
        }
        let c = template[i..].chars().next().unwrap_or('\0');
        if json {
            if in_string && escaped {
                escaped = false;
            } else if in_string && bytes[i] == b'\\' {
                escaped = true;
            } else if bytes[i] == b'"' {
                in_string = !in_string;
            }
        }
        out.push(c);
        i += c.len_utf8();
    }
    Ok(out)
}

impl Patchbay {
    /// Call an HTTP action with `args` for its body's placeholders.
    pub async fn http_call(
        self: &Arc<Self>,
        name: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<HttpOutcome> {
        self.http_call_via(name, args, None).await
    }

    /// [`Patchbay::http_call`] for a caller the log row names (`via`).
    pub async fn http_call_via(
        self: &Arc<Self>,
        name: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
        via: Option<&str>,
    ) -> Result<HttpOutcome> {
        let action = self.get_action(name)?;
        self.breaker_admit(&action)?;
        let out = self
            .http_request(&action, &args.unwrap_or_default(), false, via)
            .await;
        match &out {
            Ok(o) if o.status >= 500 => {
                self.breaker_record(&action, Some(&format!("HTTP {}", o.status)))
            }
            other => self.breaker_after(&action, other.as_ref().err()),
        }
        out
    }

    /// Send an HTTP action's request. `lenient` (Test Connection) fills missing placeholders
    /// with empty strings.
    pub(crate) async fn http_request(
        self: &Arc<Self>,
        action: &ActionView,
        args: &serde_json::Map<String, serde_json::Value>,
        lenient: bool,
        via: Option<&str>,
    ) -> Result<HttpOutcome> {
        let (ActionKind::Http, Some(spec)) = (action.kind, &action.http) else {
            return Err(Error::invalid_with_hint(
                format!("'{}' is an MCP server, not an HTTP action", action.name),
                format!(
                    "call one of its tools: `patchbay call {} TOOL`",
                    action.name
                ),
            ));
        };
        if !action.enabled {
            return Err(Error::invalid_with_hint(
                format!("action '{}' is disabled", action.name),
                format!("enable it first: `patchbay action enable {}`", action.name),
            ));
        }
        let mut filled_args = args.clone();
        if lenient {
            for p in &spec.params {
                filled_args.entry(p.clone()).or_insert_with(|| "".into());
            }
        } else if spec.params.is_empty() && !args.is_empty() {
            return Err(Error::invalid_with_hint(
                format!(
                    "'{}' has no placeholders, so it takes no arguments",
                    action.name
                ),
                "drop --args",
            ));
        }
        check_args(&spec.params, &filled_args)?;
        let body = match &spec.body {
            None => None,
            Some(t) => Some(fill_checked(t, &filled_args)?),
        };
        let url = fill_url(&action.url, &filled_args);
        let mut headers = Vec::with_capacity(spec.headers.len());
        for h in &spec.headers {
            headers.push((
                h.name.as_str(),
                fill_header(&h.name, &h.value, &filled_args)?,
            ));
        }
        let creds = self.credentials(action)?;
        let http = crate::http::client(crate::http::Purpose::Action)?;
        let method = reqwest::Method::from_bytes(spec.method.as_bytes())
            .map_err(|_| Error::invalid(format!("'{}' is not an HTTP method", spec.method)))?;
        let json_body = body
            .as_deref()
            .is_some_and(|b| serde_json::from_str::<serde_json::Value>(b).is_ok());
        let has_content_type = spec
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-type"));
        let send = |cred: Option<(http::HeaderName, http::HeaderValue)>| {
            // A DPoP-bound token's proof for this method and URL (RFC 9449 §7).
            let proof = creds.proof(&cred, method.as_str(), &url);
            let mut req = http.request(method.clone(), &url);
            for (name, value) in &headers {
                req = req.header(*name, value.as_str());
            }
            if let Some(b) = &body {
                if json_body && !has_content_type {
                    req = req.header("content-type", "application/json");
                }
                req = req.body(b.clone());
            }
            if let Some((k, v)) = cred {
                req = req.header(k, v);
            }
            async move {
                if let Some((k, v)) = proof? {
                    req = req.header(k, v);
                }
                req.send().await.map_err(|e| transport(action, &e))
            }
        };
        // The server's DPoP nonce, when it gives one (RFC 9449 §9); `true` when it asks for
        // it with a 401 and it is new: worth one more try.
        let asks_nonce = |resp: &reqwest::Response| {
            resp.status() == reqwest::StatusCode::UNAUTHORIZED
                && resp
                    .headers()
                    .get_all(reqwest::header::WWW_AUTHENTICATE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .any(crate::dpop::nonce_challenge)
        };
        let nonce_asked = |resp: &reqwest::Response| {
            let learned = crate::dpop::remember_nonce(
                &url,
                resp.headers()
                    .get(crate::dpop::DPOP_NONCE)
                    .and_then(|v| v.to_str().ok()),
            );
            learned && asks_nonce(resp)
        };
        let started = Instant::now();
        let mut secrets: Vec<String> = Vec::new();
        let outcome = async {
            let cred = creds.header().await?;
            let mut used = cred.clone();
            let mut resp = send(cred.clone()).await?;
            if nonce_asked(&resp) && cred.is_some() {
                // Once more with the server's nonce.
                resp = send(cred.clone()).await?;
                nonce_asked(&resp);
            }
            // A nonce asked for again after its one retry is the answer (a new token would
            // not help); another 401 gets one fresh credential.
            if resp.status() == reqwest::StatusCode::UNAUTHORIZED
                && cred.is_some()
                && !asks_nonce(&resp)
            {
                // One fresh credential, one retry.
                if let Some(fresh) = creds.after_401(&cred).await? {
                    used = Some(fresh.clone());
                    resp = send(Some(fresh.clone())).await?;
                    if nonce_asked(&resp) {
                        // The new token's request, once more with the server's nonce.
                        resp = send(Some(fresh)).await?;
                        nonce_asked(&resp);
                    }
                }
            }
            for (_, v) in cred.iter().chain(used.iter()) {
                if let Ok(s) = v.to_str() {
                    secrets.push(s.to_string());
                    if let Some((_, token)) = s.split_once(' ') {
                        secrets.push(token.to_string());
                    }
                }
            }
            read(resp, started).await
        }
        .await;
        if !lenient {
            let mut headers: Vec<serde_json::Value> = spec
                .headers
                .iter()
                .map(|h| serde_json::json!([h.name, h.value]))
                .collect();
            if action.auth.kind != crate::model::AuthType::None {
                headers.push(serde_json::json!(["authorization", "[redacted]"]));
            }
            self.log(crate::logs::NewLog {
                action_id: Some(&action.id),
                subject: Some(&action.name),
                kind: Some(crate::logs::LogKind::Call),
                ok: outcome.as_ref().is_ok_and(HttpOutcome::ok),
                status: outcome.as_ref().ok().map(|o| i64::from(o.status)),
                latency_ms: Some(started.elapsed().as_millis() as i64),
                summary: {
                    let via = via.map(|v| format!(" (via {v})")).unwrap_or_default();
                    match &outcome {
                        Ok(o) => format!("{} {}{via} → HTTP {}", spec.method, action.url, o.status),
                        Err(e) => format!("{} {}{via}: {e}", spec.method, action.url),
                    }
                },
                request: Some(serde_json::json!({
                    "method": spec.method,
                    "url": action.url,
                    "headers": headers,
                    "body": body,
                })),
                response: outcome.as_ref().ok().map(|o| {
                    serde_json::json!({"status": o.status, "headers": o.headers, "body": o.body})
                }),
                error_code: outcome.as_ref().err().map(|e| e.code().as_str().to_string()),
                secrets,
            });
        }
        outcome
    }
}

fn transport(action: &ActionView, e: &reqwest::Error) -> Error {
    let (code, what) = if e.is_timeout() {
        (
            ErrorCode::Timeout,
            format!("{} did not answer in time", action.url),
        )
    } else if format!("{e:?}")
        .to_ascii_lowercase()
        .contains("certificate")
    {
        (
            ErrorCode::Tls,
            format!("the TLS connection to {} failed", action.url),
        )
    } else {
        (
            ErrorCode::Unreachable,
            format!("cannot reach {}", action.url),
        )
    };
    Error::oauth(code, what, Some("check the URL and your network".into()))
}

async fn read(mut resp: reqwest::Response, started: Instant) -> Result<HttpOutcome> {
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body: Vec<u8> = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        Error::oauth(
            ErrorCode::Protocol,
            format!("reading the response failed: {e}"),
            Some("try again".into()),
        )
    })? {
        let room = MAX_BODY_BYTES - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            truncated = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    let json = if truncated {
        None
    } else {
        serde_json::from_slice(&body).ok()
    };
    Ok(HttpOutcome {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        json,
        truncated,
        latency_ms: started.elapsed().as_millis() as i64,
    })
}

/// Health from an HTTP action's answer.
pub(crate) fn http_health(out: &HttpOutcome, checked_at: String) -> Health {
    let reason = match out.status {
        200..=299 => None,
        401 | 403 => Some("auth"),
        500..=599 => Some("server_error"),
        _ => Some("protocol"),
    };
    Health {
        status: if reason.is_none() {
            HealthStatus::Healthy
        } else {
            HealthStatus::Unhealthy
        },
        reason: reason.map(String::from),
        message: reason.map(|_| format!("the endpoint answered HTTP {}", out.status)),
        checked_at: Some(checked_at),
        latency_ms: Some(out.latency_ms),
        tool_count: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn json_templates_get_json_values_and_escaped_text() {
        let t = r#"{"q": "{{query}}", "n": {{ limit }}, "greeting": "hi {{query}}!"}"#;
        let out = fill_template(t, &args(json!({"query": "a \"b\"", "limit": 5}))).expect("fills");
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(
            v,
            json!({"q": "a \"b\"", "n": 5, "greeting": "hi a \"b\"!"})
        );
        // A whole-string placeholder takes the value's type.
        let out = fill_template(r#"{"n": "{{n}}"}"#, &args(json!({"n": 3}))).expect("fills");
        assert_eq!(out, r#"{"n": 3}"#);
    }

    #[test]
    fn other_templates_get_text_and_arguments_must_match() {
        let out =
            fill_template("q={{q}}&n={{n}}", &args(json!({"q": "x y", "n": 2}))).expect("fills");
        assert_eq!(out, "q=x y&n=2");
        let missing = fill_template("{{a}}", &args(json!({}))).expect_err("missing");
        assert!(missing.to_string().contains("'a' is missing"));
        let extra = fill_template("{{a}}", &args(json!({"a": 1, "b": 2}))).expect_err("extra");
        assert!(extra.to_string().contains("no placeholder 'b'"));
    }

    #[test]
    fn url_values_stay_in_their_place_and_header_values_cannot_break_lines() {
        let a = args(json!({"id": "../admin?x=1#f", "q": "a b/é", "n": 7}));
        assert_eq!(
            fill_url("https://api.example.com/users/{{id}}?q={{q}}&n={{n}}", &a),
            "https://api.example.com/users/..%2Fadmin%3Fx%3D1%23f?q=a%20b%2F%C3%A9&n=7"
        );
        assert_eq!(
            fill_header("X-Tenant", "t-{{n}}", &a).expect("fills"),
            "t-7"
        );
        let bad = args(json!({"v": "a\r\nX-Injected: 1"}));
        let e = fill_header("X-Tenant", "{{v}}", &bad).expect_err("a line break is refused");
        assert!(e.to_string().contains("X-Tenant"), "{e}");
        assert!(check_args(&["a".into()], &args(json!({"a": 1}))).is_ok());
        let e = check_args(&[], &args(json!({"a": 1}))).expect_err("no placeholders");
        assert!(e.to_string().contains("no placeholder 'a'"), "{e}");
    }
}
