//! Redaction for diagnoses: what a report shows of an HTTP exchange. Secret-bearing headers
//! and token-looking JSON fields become `"[redacted, N chars]"`; long token-like runs in free
//! text (JWTs, opaque tokens, the word after `Bearer`/`Basic`, `access_token=…` in a query,
//! a URL's password) likewise; and [`scrub`] removes the exact credential values a diagnosis
//! held, wherever a server echoed them. A report is meant to be pasted into a bug report.

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
            | "token"
            | "secret"
            | "api_key"
            | "apikey"
            | "private_key"
            | "authorization"
            | "cookie"
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

/// Free text with token-looking runs redacted: a JWT (`eyJ…`), 32+ characters of a token
/// alphabet holding both letters and digits and no `/` path structure, the credential after
/// `Bearer ` or `Basic `, the value of a secret-named `key=value` (a query or form), and the
/// password of a URL.
pub fn redact_text(s: &str) -> String {
    let s = url_passwords(s);
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    // Whether the last run was `Bearer`/`Basic`, and what came after it so far.
    let mut scheme = false;
    let mut gap = String::new();
    let flush = |run: &mut String, out: &mut String, after_scheme: bool| -> bool {
        // `Bearer realm="x"`: an auth-param (a lower-case name and `=`) is no credential.
        let param = run.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        });
        // `missing bearer token`: a short lower-case word is prose, not a credential.
        let word = run.len() <= 10 && run.chars().all(|c| c.is_ascii_lowercase());
        let shown = match run.split_once('=') {
            _ if after_scheme && !param && !word => mark(run),
            Some((k, v)) if secret_field(k) && !v.is_empty() => format!("{k}={}", mark(v)),
            _ if looks_like_token(run) => mark(run),
            _ => run.clone(),
        };
        out.push_str(&shown);
        let is_scheme = run.eq_ignore_ascii_case("bearer") || run.eq_ignore_ascii_case("basic");
        run.clear();
        is_scheme
    };
    for c in s.chars() {
        if token_char(c) {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            // The credential follows its scheme after exactly one space.
            scheme = flush(&mut run, &mut out, scheme && gap == " ");
            gap.clear();
        }
        gap.push(c);
        out.push(c);
    }
    if !run.is_empty() {
        flush(&mut run, &mut out, scheme && gap == " ");
    }
    out
}

/// `scheme://user:password@host` → `scheme://user:[redacted, N chars]@host`.
fn url_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@')
            && let Some((user, password)) = authority[..at].split_once(':')
        {
            out.push_str(user);
            out.push(':');
            out.push_str(&mark(password));
            out.push_str(&authority[at..]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// `text` with every occurrence of a known secret (6+ characters) replaced by its mark.
pub fn scrub_text(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.chars().count() >= 6) {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), &mark(secret));
        }
    }
    out
}

/// [`scrub_text`] over every string of a JSON value, keys included.
pub fn scrub(v: &Value, secrets: &[String]) -> Value {
    match v {
        Value::String(s) => Value::String(scrub_text(s, secrets)),
        Value::Array(a) => Value::Array(a.iter().map(|x| scrub(x, secrets)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (scrub_text(k, secrets), scrub(x, secrets)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn looks_like_token(run: &str) -> bool {
    if run.starts_with("eyJ") && run.matches('.').count() >= 2 {
        return true;
    }
    let has = |f: fn(&char) -> bool| run.chars().any(|c| f(&c));
    if run.len() < 32 || !has(char::is_ascii_digit) || !has(char::is_ascii_alphabetic) {
        return false;
    }
    // URLs and paths are not tokens (`//host/path`, `/a/b`, `a/b.json`); base64 with a `/`
    // in it is: no leading `/`, no `.`, and upper case, lower case and digits mixed.
    if run.contains('/') {
        return !run.starts_with('/')
            && !run.contains('.')
            && has(char::is_ascii_uppercase)
            && has(char::is_ascii_lowercase);
    }
    !run.contains("..")
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
        assert_eq!(h["set-cookie"], "[redacted, 5 chars], [redacted, 7 chars]");
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
        assert_eq!(
            r["access_token"],
            format!("[redacted, {} chars]", JWT.len())
        );
        assert_eq!(r["refresh_token"], "[redacted, 5 chars]");
        assert_eq!(r["nested"][0]["code"], "[redacted, 3 chars]");
        assert_eq!(r["nested"][0]["n"], 1);
        assert_eq!(r["token_type"], "Bearer", "not a secret");
        assert_eq!(r["expires_in"], 3600);
        assert_eq!(r["issuer"], "http://127.0.0.1:4000", "URLs stay");
        assert!(
            r["note"]
                .as_str()
                .is_some_and(|n| n.starts_with("got [redacted, "))
        );
    }

    #[test]
    fn free_text_loses_token_runs_but_keeps_words_and_urls() {
        let opaque = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7";
        let s = format!(
            "token {opaque} for https://example.com/.well-known/oauth-protected-resource/v1/mcp"
        );
        let r = redact_text(&s);
        assert!(!r.contains(opaque), "{r}");
        assert!(r.contains("https://example.com/.well-known/oauth-protected-resource/v1/mcp"));
        assert_eq!(redact_text("plain words stay"), "plain words stay");
        let b = body(b"0123456789", 4);
        assert_eq!(b, "0123 […]");
    }

    #[test]
    fn base64_with_a_slash_is_a_token_but_a_path_is_not() {
        let b64 = "Zm9vYmFyYmF6/cXV4MTIzNDU2Nzg5MGFi+Y2RlZmdoaWpr";
        assert_eq!(
            redact_text(&format!("got {b64} back")),
            format!("got {} back", mark(b64))
        );
        for path in [
            "http://127.0.0.1:4000/.well-known/oauth-authorization-server/tenant/acme",
            "/Users/Alice/Projects/patchbay2026/docs/Screenshots",
            "api/V1/Items/0123456789abcdefghijklmnopqrs/list.json",
        ] {
            assert_eq!(redact_text(path), path, "a path stays");
        }
    }

    #[test]
    fn the_credential_after_an_auth_scheme_goes_but_auth_params_stay() {
        assert_eq!(
            redact_text("sent Authorization: Bearer abc.def, got 401"),
            "sent Authorization: Bearer [redacted, 7 chars], got 401"
        );
        assert_eq!(
            redact_text("basic dXNlcjpwYXNz"),
            "basic [redacted, 12 chars]",
            "any case"
        );
        let challenge = r#"Bearer error="invalid_token", resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp", scope="mcp:read""#;
        assert_eq!(
            redact_text(challenge),
            challenge,
            "a challenge stays readable"
        );
        assert_eq!(
            redact_text("Bearer  two-spaces"),
            "Bearer  two-spaces",
            "only right after the scheme word"
        );
        assert_eq!(redact_text("Bearer"), "Bearer", "nothing after it");
        assert_eq!(
            redact_text("missing bearer token"),
            "missing bearer token",
            "a word after it is prose"
        );
    }

    #[test]
    fn secret_query_values_and_url_passwords_go() {
        let r = redact_text(
            "GET http://127.0.0.1:1/cb?code=abc123&state=s1&iss=x and https://bob:hunter22@db.example.com:5432/x?access_token=q&x=1",
        );
        assert_eq!(
            r,
            "GET http://127.0.0.1:1/cb?code=[redacted, 6 chars]&state=s1&iss=x and https://bob:[redacted, 8 chars]@db.example.com:5432/x?access_token=[redacted, 1 chars]&x=1"
        );
        assert_eq!(
            redact_text("code= empty"),
            "code= empty",
            "an empty value is no secret"
        );
        assert_eq!(redact_text("ftp://host/x"), "ftp://host/x", "no userinfo");
        assert_eq!(
            redact_text("mailto:a@b https://user@host/"),
            "mailto:a@b https://user@host/",
            "a user without a password"
        );
    }

    #[test]
    fn fields_named_token_secret_or_key_go_whatever_their_type() {
        let r = json(&json!({
            "token": "t0k3n", "secret": {"nested": 1}, "api_key": 12345, "apiKey": "k",
            "private_key": null, "keys": ["kept"], "expires_in": 60, "ok": true,
        }));
        assert_eq!(r["token"], "[redacted, 5 chars]");
        assert_eq!(
            r["secret"], "[redacted, 12 chars]",
            "an object as its JSON text"
        );
        assert_eq!(r["api_key"], "[redacted, 5 chars]");
        assert_eq!(r["apiKey"], "[redacted, 1 chars]");
        assert_eq!(r["private_key"], Value::Null, "null says nothing");
        assert_eq!(r["keys"], json!(["kept"]));
        assert_eq!(r["expires_in"], 60);
    }

    #[test]
    fn scrubbing_replaces_known_values_everywhere_but_ignores_tiny_ones() {
        let secrets = vec!["s3cr3t-value".to_string(), "abc".to_string()];
        let v = json!({"a": "x s3cr3t-value y", "s3cr3t-value": ["s3cr3t-values"], "abc": "abc"});
        let r = scrub(&v, &secrets);
        let text = r.to_string();
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert_eq!(r["a"], "x [redacted, 12 chars] y");
        assert_eq!(
            r["abc"], "abc",
            "shorter than 6: left (it would match any text)"
        );
        assert_eq!(scrub_text("", &secrets), "");
        assert_eq!(scrub_text("nothing here", &[]), "nothing here");
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "",
            "=",
            "==",
            "://",
            "a://@",
            "x://:@",
            "Bearer ",
            "é://ü:ö@ä/",
            "\u{0}",
        ] {
            let _ = redact_text(s);
            let _ = body(s.as_bytes(), 0);
        }
        let _ = body(&[0xff, 0xfe, 0x00], 10);
        let _ = headers([("", ""), ("Authorization", "")]);
    }
}
