//! Redaction for diagnoses: what a report shows of an HTTP exchange. Secret-bearing headers
//! and token-looking JSON fields become `"[redacted, N chars]"`; long token-like runs in free
//! text (JWTs, opaque tokens) likewise. A report is meant to be pasted into a bug report.

use serde_json::{Map, Value};

/// The placeholder that replaces a secret: says that something was there and how long.
pub fn mark(value: &str) -> String {
    format!("[redacted, {} chars]", value.chars().count())
}

/// Headers whose values are credentials or session state.
fn secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "dpop"
    ) || n.contains("token")
        || n.contains("secret")
        || n.contains("api-key")
        || n.contains("apikey")
        || n.contains("session")
}

/// JSON fields that carry a token, a secret or an authorization code.
fn secret_field(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "access_token"
            | "refresh_token"
            | "id_token"
            | "client_secret"
            | "code"
            | "code_verifier"
            | "password"
            | "assertion"
            | "client_assertion"
            | "registration_access_token"
            | "accesstoken"
            | "refreshtoken"
            | "idtoken"
            | "clientsecret"
    ) || k.ends_with("_token")
        || k.ends_with("secret")
        || k.ends_with("password")
}

/// Header name → value, secrets redacted; repeated headers joined by ", ".
pub fn headers<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    let mut out = Map::new();
    for (name, value) in pairs {
        let name = name.to_ascii_lowercase();
        let shown = if secret_header(&name) {
            mark(value)
        } else {
            redact_text(value)
        };
        match out.get_mut(&name) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&shown);
            }
            _ => {
                out.insert(name, Value::String(shown));
            }
        }
    }
    Value::Object(out)
}

/// The same for a reqwest / http header map.
pub fn header_map(map: &http::HeaderMap) -> Value {
    headers(
        map.iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("[not text]"))),
    )
}

/// A JSON value with every secret field's value replaced (at any depth), and token-like
/// strings elsewhere redacted too.
pub fn json(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let shown = match v {
                        Value::String(s) if secret_field(k) => Value::String(mark(s)),
                        Value::Null | Value::Bool(_) => v.clone(),
                        _ if secret_field(k) => Value::String(mark(&v.to_string())),
                        _ => json(v),
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(json).collect()),
        Value::String(s) => Value::String(redact_text(s)),
        other => other.clone(),
    }
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Free text with token-looking runs redacted: a JWT (`eyJ…`), or 32+ characters of a
/// token alphabet holding both letters and digits and no `/` path structure.
pub fn redact_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if looks_like_token(run) {
            out.push_str(&mark(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn looks_like_token(run: &str) -> bool {
    if run.starts_with("eyJ") && run.matches('.').count() >= 2 {
        return true;
    }
    // URLs and paths are not tokens; long opaque runs with letters and digits are.
    run.len() >= 32
        && !run.contains('/')
        && run.chars().any(|c| c.is_ascii_digit())
        && run.chars().any(|c| c.is_ascii_alphabetic())
        && !run.contains("..")
}

/// At most `max` characters of a body, token-like runs redacted; JSON bodies go through
/// [`json`] instead.
pub fn body(bytes: &[u8], max: usize) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return json(&v);
    }
    let text = String::from_utf8_lossy(bytes);
    let cut: String = text.chars().take(max).collect();
    let mut shown = redact_text(&cut);
    if text.chars().count() > max {
        shown.push_str(" […]");
    }
    Value::String(shown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    #[test]
    fn secret_headers_are_replaced_by_their_length() {
        let h = headers([
            ("Authorization", "Bearer abc"),
            ("Set-Cookie", "sid=1"),
            ("Set-Cookie", "other=2"),
            ("Cookie", "a=b"),
            ("X-Api-Key", "k"),
            ("Content-Type", "application/json"),
            (
                "WWW-Authenticate",
                r#"Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp""#,
            ),
        ]);
        assert_eq!(h["authorization"], "[redacted, 10 chars]");
        assert_eq!(
            h["set-cookie"],
            "[redacted, 5 chars], [redacted, 7 chars]"
        );
        assert_eq!(h["cookie"], "[redacted, 3 chars]");
        assert_eq!(h["x-api-key"], "[redacted, 1 chars]");
        assert_eq!(h["content-type"], "application/json");
        assert!(
            h["www-authenticate"]
                .as_str()
                .is_some_and(|v| v.contains("/.well-known/oauth-protected-resource/mcp")),
            "a challenge stays readable: {h}"
        );
    }

    #[test]
    fn token_fields_are_redacted_at_any_depth() {
        let v = json!({
            "access_token": JWT,
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "r-123",
            "nested": [{"id_token": JWT, "client_secret": "s3cr3t", "code": "abc", "n": 1}],
            "registration_access_token": "x",
            "note": format!("got {JWT} back"),
            "issuer": "http://127.0.0.1:4000",
        });
        let r = json(&v);
        let text = r.to_string();
        for secret in [JWT, "r-123", "s3cr3t", "\"abc\""] {
            assert!(!text.contains(secret), "{secret} is gone: {text}");
        }
        assert_eq!(r["access_token"], format!("[redacted, {} chars]", JWT.len()));
        assert_eq!(r["refresh_token"], "[redacted, 5 chars]");
        assert_eq!(r["nested"][0]["code"], "[redacted, 3 chars]");
        assert_eq!(r["nested"][0]["n"], 1);
        assert_eq!(r["token_type"], "Bearer", "not a secret");
        assert_eq!(r["expires_in"], 3600);
        assert_eq!(r["issuer"], "http://127.0.0.1:4000", "URLs stay");
        assert!(r["note"].as_str().is_some_and(|n| n.starts_with("got [redacted, ")));
    }

    #[test]
    fn free_text_loses_token_runs_but_keeps_words_and_urls() {
        let opaque = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7";
        let s = format!("token {opaque} for https://example.com/.well-known/oauth-protected-resource/v1/mcp");
        let r = redact_text(&s);
        assert!(!r.contains(opaque), "{r}");
        assert!(r.contains("https://example.com/.well-known/oauth-protected-resource/v1/mcp"));
        assert_eq!(redact_text("plain words stay"), "plain words stay");
        let b = body(b"0123456789", 4);
        assert_eq!(b, "0123 […]");
    }
}
