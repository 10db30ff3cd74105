//! HTTP request tokens: perform the token's auth request, find the token in the
//! JSON response by JSONPath, keep the most recent one in the keychain. "Test request"
//! reports where the token was found (its first 4 characters and its length, never the
//! token) or, when the JSONPath found nothing, the response's shape so the path can be fixed.

use std::collections::HashMap;
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};
use serde_json_path::JsonPath;

use crate::Patchbay;
use crate::error::{Error, Result};
use crate::model::{TokenKind, TokenView};
use crate::tokens::{NewHttpToken, RequestColumn};
use crate::vault::keys;

/// Responses larger than this are refused.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

pub use crate::model::{FoundToken, TokenTestReport};

fn type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// The shape of a response: `{key: type}` for an object, else its type.
pub(crate) fn shape(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), type_name(v).into()))
                .collect(),
        ),
        other => type_name(other).into(),
    }
}

/// Find the token at `path` in `json`.
pub(crate) fn extract(json: &serde_json::Value, path: &str) -> std::result::Result<String, String> {
    let p =
        JsonPath::parse(path).map_err(|e| format!("the JSONPath '{path}' is not valid: {e}"))?;
    let nodes = p.query(json).all();
    match nodes.first() {
        None => Err(format!("the JSONPath {path} found nothing in the response")),
        Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(format!(
            "the JSONPath {path} found {} {}, not a token",
            if matches!(
                other,
                serde_json::Value::Array(_) | serde_json::Value::Object(_)
            ) {
                "an"
            } else {
                "a"
            },
            match other {
                serde_json::Value::String(_) => "empty string",
                o => type_name(o),
            }
        )),
    }
}

fn failed(status: Option<u16>, started: Instant, message: String) -> TokenTestReport {
    TokenTestReport {
        ok: false,
        status,
        latency_ms: started.elapsed().as_millis() as i64,
        found: None,
        shape: None,
        message: Some(message),
    }
}

/// Perform a token request. `secrets` maps vault keys to the secret header and body values.
pub(crate) async fn run_request(
    id: &str,
    req: &RequestColumn,
    token_path: &str,
    secrets: &HashMap<String, SecretString>,
) -> (TokenTestReport, Option<SecretString>) {
    let started = Instant::now();
    let http = match crate::http::client(crate::http::Purpose::TokenRequest) {
        Ok(h) => h,
        Err(e) => {
            return (failed(None, started, e.to_string()), None);
        }
    };
    let Ok(method) = reqwest::Method::from_bytes(req.method.as_bytes()) else {
        return (
            failed(
                None,
                started,
                format!("'{}' is not an HTTP method", req.method),
            ),
            None,
        );
    };
    let secret = |key: String, what: &str| -> std::result::Result<String, String> {
        secrets
            .get(&key)
            .map(|s| s.expose_secret().to_string())
            .ok_or_else(|| format!("the keychain is missing the secret {what}"))
    };
    let mut builder = http.request(method, &req.url);
    for h in &req.headers {
        let value = match &h.value {
            Some(v) => v.clone(),
            None => match secret(
                keys::token_header(id, &h.name),
                &format!("header {}", h.name),
            ) {
                Ok(v) => v,
                Err(m) => return (failed(None, started, m), None),
            },
        };
        builder = builder.header(h.name.as_str(), value);
    }
    if !req.body.is_empty() {
        let mut fields: Vec<(String, String)> = Vec::with_capacity(req.body.len());
        for f in &req.body {
            let value = match &f.value {
                Some(v) => v.clone(),
                None => match secret(
                    keys::token_body(id, &f.key),
                    &format!("body field {}", f.key),
                ) {
                    Ok(v) => v,
                    Err(m) => return (failed(None, started, m), None),
                },
            };
            fields.push((f.key.clone(), value));
        }
        builder = if req.form {
            builder.form(&fields)
        } else {
            builder.json(
                &fields
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect::<serde_json::Map<_, _>>(),
            )
        };
    }
    let mut resp = match builder.send().await {
        Ok(r) => r,
        Err(e) => {
            let what = if e.is_timeout() {
                format!(
                    "{} did not answer within {} s",
                    req.url,
                    super::call_timeout().as_secs()
                )
            } else {
                format!("cannot reach {}: {e}", req.url)
            };
            return (failed(None, started, what), None);
        }
    };
    let status = resp.status();
    let mut body: Vec<u8> = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if body.len() + c.len() > MAX_RESPONSE_BYTES {
                    return (
                        failed(
                            Some(status.as_u16()),
                            started,
                            format!(
                                "the response is larger than {} KiB",
                                MAX_RESPONSE_BYTES / 1024
                            ),
                        ),
                        None,
                    );
                }
                body.extend_from_slice(&c);
            }
            Ok(None) => break,
            Err(e) => {
                return (
                    failed(
                        Some(status.as_u16()),
                        started,
                        format!("reading the response failed: {e}"),
                    ),
                    None,
                );
            }
        }
    }
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let mut report = TokenTestReport {
        ok: false,
        status: Some(status.as_u16()),
        latency_ms: started.elapsed().as_millis() as i64,
        found: None,
        shape: json.as_ref().map(shape),
        message: None,
    };
    if !status.is_success() {
        report.message = Some(format!("the token endpoint answered {status}"));
        return (report, None);
    }
    let Some(json) = json else {
        report.message = Some("the response is not JSON".into());
        return (report, None);
    };
    match extract(&json, token_path) {
        Ok(token) => {
            report.ok = true;
            report.shape = None;
            report.found = Some(FoundToken {
                path: token_path.to_string(),
                preview: token.chars().take(4).collect(),
                length: token.chars().count(),
            });
            (report, Some(SecretString::from(token)))
        }
        Err(m) => {
            report.message = Some(m);
            (report, None)
        }
    }
}

fn request_failed(token: &str, report: TokenTestReport) -> Error {
    Error::TokenRequestFailed {
        token: token.to_string(),
        report: Box::new(report),
    }
}

impl Patchbay {
    /// The secret header and body values of a saved HTTP request token, by vault key.
    fn token_request_secrets(&self, t: &TokenView) -> Result<HashMap<String, SecretString>> {
        let mut out = HashMap::new();
        if let Some(r) = &t.request {
            for h in r.headers.iter().filter(|h| h.secret) {
                let k = keys::token_header(&t.id, &h.name);
                if let Some(v) = self.vault().get(&k)? {
                    out.insert(k, v);
                }
            }
            for f in r.body.iter().filter(|f| f.secret) {
                let k = keys::token_body(&t.id, &f.key);
                if let Some(v) = self.vault().get(&k)? {
                    out.insert(k, v);
                }
            }
        }
        Ok(out)
    }

    async fn fetch_token(&self, t: &TokenView) -> (TokenTestReport, Option<SecretString>) {
        let Some(r) = &t.request else {
            let started = Instant::now();
            return (
                failed(None, started, "not an HTTP request token".into()),
                None,
            );
        };
        let secrets = match self.token_request_secrets(t) {
            Ok(s) => s,
            Err(e) => return (failed(None, Instant::now(), e.to_string()), None),
        };
        let column = RequestColumn {
            method: r.method.clone(),
            url: r.url.clone(),
            headers: r.headers.clone(),
            body: r.body.clone(),
            form: r.form,
        };
        let (report, token) = run_request(&t.id, &column, &r.token_path, &secrets).await;
        if let Some(v) = &token {
            // The most recent token, for the next use.
            let _ = self.vault().set(&keys::token_value(&t.id), v);
        }
        let mut known: Vec<String> = secrets
            .values()
            .map(|s| s.expose_secret().to_string())
            .collect();
        if let Some(v) = &token {
            known.push(v.expose_secret().to_string());
        }
        self.log(crate::logs::NewLog {
            subject: Some(&t.name),
            kind: Some(crate::logs::LogKind::TokenFetch),
            ok: report.ok,
            status: report.status.map(i64::from),
            latency_ms: Some(report.latency_ms),
            summary: match (&report.found, &report.message) {
                (Some(f), _) => format!(
                    "token request {} {}: token found at {} ({} characters)",
                    column.method, column.url, f.path, f.length
                ),
                (None, m) => format!(
                    "token request {} {}: {}",
                    column.method,
                    column.url,
                    m.as_deref().unwrap_or("no token")
                ),
            },
            response: report
                .shape
                .clone()
                .map(|s| serde_json::json!({"shape": s})),
            error_code: (!report.ok).then(|| "token_request_failed".to_string()),
            secrets: known,
            ..Default::default()
        });
        (report, token)
    }

    /// `patchbay token test NAME`: perform the request again and say what came back.
    pub async fn test_token(&self, name: &str) -> Result<TokenTestReport> {
        let t = self.get_token(name)?;
        if t.kind != TokenKind::HttpRequest {
            return Err(Error::invalid(format!(
                "token '{}' is a text token: there is no request to test",
                t.name
            )));
        }
        Ok(self.fetch_token(&t).await.0)
    }

    /// Perform an unsaved token's request and report what came back; nothing is stored.
    pub async fn test_http_token_draft(&self, mut input: NewHttpToken) -> Result<TokenTestReport> {
        if input.name.trim().is_empty() {
            input.name = "draft".into();
        }
        let prepared = self.prepare_http_token(input)?;
        let secrets: HashMap<String, SecretString> = prepared.secrets.iter().cloned().collect();
        let (report, _token) = run_request(
            &prepared.id,
            &prepared.request,
            &prepared.token_path,
            &secrets,
        )
        .await;
        Ok(report)
    }

    /// Add an HTTP request token after its request passed (unless `test` is false). A
    /// failing test saves nothing and returns the report in the error.
    pub async fn add_http_token_tested(
        &self,
        input: NewHttpToken,
        test: bool,
    ) -> Result<(TokenView, Option<TokenTestReport>)> {
        let prepared = self.prepare_http_token(input)?;
        if !test {
            return Ok((self.insert_http_token(prepared, None)?, None));
        }
        let secrets: HashMap<String, SecretString> = prepared
            .secrets
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (report, token) = run_request(
            &prepared.id,
            &prepared.request,
            &prepared.token_path,
            &secrets,
        )
        .await;
        if !report.ok {
            return Err(request_failed(&prepared.name, report));
        }
        Ok((self.insert_http_token(prepared, token)?, Some(report)))
    }

    /// The token an HTTP request token currently gives: the most recent one kept, or a
    /// freshly fetched one (`fresh`, after the action answered 401 to the kept one).
    pub(crate) async fn http_token_value(
        &self,
        t: &TokenView,
        fresh: bool,
    ) -> Result<SecretString> {
        if !fresh && let Some(v) = self.vault().get(&keys::token_value(&t.id))? {
            return Ok(v);
        }
        let (report, token) = self.fetch_token(t).await;
        token.ok_or_else(|| request_failed(&t.name, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_found_by_path_and_misses_show_the_shape() {
        let body = json!({"data": {"access_token": "abcd1234", "ttl": 60}, "ok": true});
        assert_eq!(
            extract(&body, "$.data.access_token").as_deref(),
            Ok("abcd1234")
        );
        assert!(
            extract(&body, "$.token")
                .expect_err("a miss")
                .contains("found nothing")
        );
        assert!(
            extract(&body, "$.data")
                .expect_err("a miss")
                .contains("an object")
        );
        assert_eq!(shape(&body), json!({"data": "object", "ok": "boolean"}));
        assert_eq!(shape(&json!([1, 2])), json!("array"));
        assert_eq!(extract(&json!({"n": 42}), "$.n").as_deref(), Ok("42"));
        assert!(
            extract(&json!({"t": ""}), "$.t")
                .expect_err("a miss")
                .contains("empty string")
        );
    }
}
