//! Input validation shared by every front end. Each function returns a clear, one-line
//! [`Error::Invalid`] naming the field and what is accepted.

use crate::error::{Error, Result};
use crate::model::{AuthSpec, Header};
use url::{Host, Url};

/// A length of time as `--expires` and `--since` take it: `30s`, `10m`, `2h`, `7d`, `1h 30m`
/// (humantime's forms).
pub fn duration(s: &str) -> Result<std::time::Duration> {
    humantime::parse_duration(s.trim()).map_err(|_| {
        Error::invalid_with_hint(
            format!("'{}' is not a duration", s.trim()),
            "write a number and a unit: 30s, 10m, 2h, 7d",
        )
    })
}

/// How an action authenticates, as the CLI takes it: `none`, `oauth`, `token:NAME`,
/// `http-token:NAME` or `connection:NAME`.
pub fn auth(s: &str) -> Result<AuthSpec> {
    let hint = "use none, oauth, token:TOKEN, http-token:TOKEN or connection:CONNECTION";
    let (kind, reference) = match s.split_once(':') {
        Some((k, r)) => (k, Some(r)),
        None => (s, None),
    };
    let need_ref = |r: Option<&str>| -> Result<String> {
        match r {
            Some(r) if !r.is_empty() => Ok(r.to_string()),
            _ => Err(Error::invalid_with_hint(
                format!("--auth {kind}: needs a name after ':'"),
                hint,
            )),
        }
    };
    match kind {
        "none" if reference.is_none() => Ok(AuthSpec::None),
        "oauth" if reference.is_none() => Ok(AuthSpec::OAuth),
        "token" => Ok(AuthSpec::Token(need_ref(reference)?)),
        "http-token" => Ok(AuthSpec::HttpToken(need_ref(reference)?)),
        "connection" => Ok(AuthSpec::Connection(need_ref(reference)?)),
        _ => Err(Error::invalid_with_hint(
            format!("unknown authentication '{}'", printable(s)),
            hint,
        )),
    }
}

/// `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`: the names of actions, connections and tokens.
pub fn name(kind: &str, value: &str) -> Result<String> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_alphanumeric() || (i > 0 && matches!(b, b'.' | b'_' | b'-')));
    if ok {
        Ok(value.to_string())
    } else {
        Err(Error::invalid_with_hint(
            format!("invalid {kind} name '{}'", printable(value)),
            "names start with a letter or digit, then up to 63 letters, digits, '.', '_' or '-'",
        ))
    }
}

/// An endpoint URL: `https`, or `http` only on a loopback host; no credentials in it.
/// Returns the URL exactly as given (trimmed): `url::Url` would add a `/` to a bare origin,
/// and an MCP server's resource identifier must be compared exactly as published.
/// A Client ID Metadata Document URL: the client id itself, so https with a path and
/// nothing a server would refuse (no fragment, no user info, no dot segments).
pub fn client_metadata_url(value: &str) -> Result<String> {
    let trimmed = value.trim();
    let hint = "give the https URL where your client metadata document is published, such as https://example.com/oauth/client.json";
    let parsed = Url::parse(trimmed).map_err(|e| {
        Error::invalid_with_hint(
            format!(
                "client metadata URL '{}' is not a valid URL: {e}",
                printable(trimmed)
            ),
            hint,
        )
    })?;
    let raw_path = trimmed
        .strip_prefix("https://")
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("");
    let problem = if parsed.scheme() != "https" {
        Some("must use https")
    } else if parsed.path() == "/" || raw_path.is_empty() {
        Some("must have a path (the document's location)")
    } else if parsed.fragment().is_some() || trimmed.contains('#') {
        Some("must not have a fragment")
    } else if !parsed.username().is_empty() || parsed.password().is_some() {
        Some("must not contain a user name or password")
    } else if raw_path
        .split(['?'])
        .next()
        .unwrap_or("")
        .split('/')
        .any(|seg| {
            matches!(
                seg.to_ascii_lowercase().replace("%2e", ".").as_str(),
                "." | ".."
            )
        })
    {
        Some("must not contain . or .. segments")
    } else {
        None
    };
    match problem {
        Some(p) => Err(Error::invalid_with_hint(
            format!("client metadata URL '{}' {p}", printable(trimmed)),
            hint,
        )),
        None => Ok(trimmed.to_string()),
    }
}

pub fn url(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    let parsed = Url::parse(trimmed).map_err(|e| {
        Error::invalid_with_hint(
            format!("{field} '{}' is not a valid URL: {e}", printable(trimmed)),
            "write a full URL such as https://example.com/mcp",
        )
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid_with_hint(
            format!("{field} must not contain a user name or password"),
            "put credentials in a token or connection, never in the URL",
        ));
    }
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(trimmed.to_string()),
        "http" if is_loopback(&parsed) => Ok(trimmed.to_string()),
        "http" => Err(Error::invalid_with_hint(
            format!(
                "{field} must use https (plain http is allowed only on 127.0.0.1, [::1] or localhost)"
            ),
            format!("use https://{}", trimmed.trim_start_matches("http://")),
        )),
        other => Err(Error::invalid_with_hint(
            format!("{field} has unsupported scheme '{other}'"),
            "use an https:// URL (or http:// on loopback)",
        )),
    }
}

pub fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// An HTTP header name (an RFC 9110 token).
pub fn header_name(value: &str) -> Result<String> {
    let v = value.trim();
    http::HeaderName::from_bytes(v.as_bytes()).map_err(|_| {
        Error::invalid_with_hint(
            format!("'{}' is not a valid HTTP header name", printable(v)),
            "header names are letters, digits and !#$%&'*+-.^_`|~ with no spaces or colons, e.g. Authorization",
        )
    })?;
    Ok(v.to_string())
}

/// A header value: visible ASCII / spaces, no line breaks.
pub fn header_value(name: &str, value: &str) -> Result<String> {
    http::HeaderValue::from_str(value).map_err(|_| {
        Error::invalid(format!("the value of header '{name}' contains characters not allowed in a header (line breaks or control characters)"))
    })?;
    Ok(value.to_string())
}

/// A header as given (a form row, or a line the CLI split): a valid name, an allowed value.
pub fn header(name: &str, value: &str) -> Result<Header> {
    let name = header_name(name)?;
    let value = header_value(&name, value.trim())?;
    Ok(Header { name, value })
}

/// An HTTP action's URL, which may hold `{{param}}` placeholders in its path and query (never
/// in the scheme or host: where a request goes is fixed when the action is made).
pub fn templated_url(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    let Some(first) = trimmed.find("{{") else {
        return url(field, trimmed);
    };
    template_params(trimmed)?;
    let fixed = &trimmed[..first];
    let authority_ends = fixed
        .split_once("://")
        .is_some_and(|(_, rest)| rest.contains(['/', '?', '#']));
    if !authority_ends {
        return Err(Error::invalid_with_hint(
            format!(
                "{field} '{}' has a placeholder before the end of its host",
                printable(trimmed)
            ),
            "placeholders may stand in the path or the query, e.g. https://api.example.com/users/{{id}}",
        ));
    }
    url(field, &fill_text(trimmed, |_| "x".to_string()))?;
    Ok(trimmed.to_string())
}

/// `text` with each `{{param}}` replaced by `value(param)`.
pub fn fill_text(text: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&value(rest[start + 2..start + 2 + end].trim()));
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Every `{{param}}` of an HTTP action, in first-use order: its URL's, its headers', then
/// its body's.
pub fn http_params<'a>(
    url: &'a str,
    header_values: impl IntoIterator<Item = &'a str>,
    body: Option<&'a str>,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let parts = std::iter::once(url).chain(header_values).chain(body);
    for part in parts {
        for p in template_params(part)? {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// `'Name: value'` as typed on the command line.
pub fn header_line(line: &str) -> Result<Header> {
    let Some((k, v)) = line.split_once(':') else {
        return Err(Error::invalid_with_hint(
            format!("header '{}' has no ':'", printable(line)),
            "write headers as 'Name: value', e.g. --header 'Accept: application/json'",
        ));
    };
    header(k, v)
}

/// `key=value` as typed on the command line (a body field of an HTTP request token).
pub fn body_field_line(pair: &str) -> Result<(String, String)> {
    let Some((k, v)) = pair.split_once('=') else {
        return Err(Error::invalid_with_hint(
            format!("body field '{}' has no '='", printable(pair)),
            "write body fields as key=value, e.g. --body grant_type=client_credentials",
        ));
    };
    Ok((k.to_string(), v.to_string()))
}

/// An HTTP method such as GET or POST.
pub fn method(value: &str) -> Result<String> {
    let m = value.trim().to_ascii_uppercase();
    match m.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => Ok(m),
        _ => Err(Error::invalid_with_hint(
            format!("unsupported HTTP method '{}'", printable(value)),
            "use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
        )),
    }
}

/// A token location: an RFC 9535 JSONPath (`$.data.access_token`), or the dotted shorthand
/// `data.access_token`. Returns the normalised JSONPath.
pub fn json_path(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid_with_hint(
            "the token path is empty",
            "write where the token is in the response, e.g. $.access_token or data.access_token",
        ));
    }
    let full = if v.starts_with('$') {
        v.to_string()
    } else {
        format!("$.{v}")
    };
    serde_json_path::JsonPath::parse(&full).map_err(|e| {
        Error::invalid_with_hint(
            format!("'{}' is not a valid JSONPath: {e}", printable(v)),
            "use RFC 9535 syntax such as $.data.access_token or $['token'], or the shorthand data.access_token",
        )
    })?;
    Ok(full)
}

/// Scopes typed space- or comma-separated; returned de-duplicated in order.
pub fn scopes(value: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
        if !s
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
        {
            return Err(Error::invalid(format!(
                "scope '{}' contains characters OAuth does not allow (quotes, backslashes or non-ASCII)",
                printable(s)
            )));
        }
        if !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    Ok(out)
}

/// The `{{param}}` placeholders of a body template, in first-use order. Rejects unbalanced
/// braces and names that are not identifiers.
pub fn template_params(template: &str) -> Result<Vec<String>> {
    let mut params: Vec<String> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(Error::invalid_with_hint(
                "the body template has '{{' without a closing '}}'",
                "placeholders look like {{name}}",
            ));
        };
        let name = after[..end].trim();
        let valid = !name.is_empty()
            && name.bytes().enumerate().all(|(i, b)| {
                b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit())
            });
        if !valid {
            return Err(Error::invalid_with_hint(
                format!("'{{{{{}}}}}' is not a valid placeholder", printable(name)),
                "placeholder names are letters, digits and '_', starting with a letter or '_'",
            ));
        }
        if !params.iter().any(|p| p == name) {
            params.push(name.to_string());
        }
        rest = &after[end + 2..];
    }
    Ok(params)
}

/// Show user input in an error without control characters and at a bounded length.
pub(crate) fn printable(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if cleaned.chars().count() > 80 {
        let cut: String = cleaned.chars().take(77).collect();
        format!("{cut}...")
    } else {
        cleaned
    }
}

/// A client id as the user typed it: no control characters, at most 512 bytes.
pub fn client_id(v: &str) -> Result<String> {
    if v.chars().any(char::is_control) || v.len() > 512 {
        return Err(Error::invalid(
            "the client id contains control characters or is too long",
        ));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_specs_parse() {
        assert_eq!(auth("none").expect("valid"), crate::model::AuthSpec::None);
        assert_eq!(auth("oauth").expect("valid"), AuthSpec::OAuth);
        assert_eq!(
            auth("token:gh").expect("valid"),
            AuthSpec::Token("gh".into())
        );
        assert_eq!(
            auth("http-token:t").expect("valid"),
            AuthSpec::HttpToken("t".into())
        );
        assert_eq!(
            auth("connection:c").expect("valid"),
            AuthSpec::Connection("c".into())
        );
        for bad in ["token", "token:", "oauth:x", "basic", "", "none:x"] {
            assert!(auth(bad).is_err(), "expected '{bad}' to be rejected");
        }
    }

    #[test]
    fn names_follow_the_pattern() {
        for ok in ["a", "A9", "linear", "my-server.v2_x", &"a".repeat(64)] {
            assert!(
                name("action", ok).is_ok(),
                "expected '{ok}' to be a valid name"
            );
        }
        for bad in [
            "",
            "-a",
            ".a",
            "_a",
            "a b",
            "a/b",
            "é",
            &"a".repeat(65),
            "a\n",
        ] {
            assert!(
                name("action", bad).is_err(),
                "expected '{bad}' to be rejected"
            );
        }
    }

    #[test]
    fn urls_need_https_except_on_loopback() {
        assert!(url("URL", "https://mcp.example.com/mcp").is_ok());
        assert_eq!(
            url("URL", " https://mcp.example.com ").expect("valid"),
            "https://mcp.example.com",
            "kept as typed, no '/' added"
        );
        assert!(url("URL", "http://127.0.0.1:8080/mcp").is_ok());
        assert!(url("URL", "http://localhost:3000").is_ok());
        assert!(url("URL", "http://[::1]:3000/").is_ok());
        let e = url("URL", "http://example.com/mcp").expect_err("plain http off loopback");
        assert!(e.to_string().contains("must use https"), "{e}");
        assert!(url("URL", "ftp://example.com").is_err());
        assert!(url("URL", "not a url").is_err());
        assert!(url("URL", "https://user:pw@example.com").is_err());
        assert!(url("URL", "http://127.0.0.2.example.com").is_err());
    }

    #[test]
    fn header_lines_parse_and_validate() {
        assert_eq!(
            header_line("Accept:  application/json ").expect("valid"),
            Header {
                name: "Accept".to_string(),
                value: "application/json".to_string()
            }
        );
        assert_eq!(
            body_field_line("grant_type=a=b").expect("valid"),
            ("grant_type".to_string(), "a=b".to_string())
        );
        assert!(body_field_line("no-equals").is_err());
        assert!(header_line("NoColon").is_err());
        assert!(header_line("Bad Name: x").is_err());
        assert!(header_line("X-A: line\nbreak").is_err());
        assert!(header_name("X-Api-Key").is_ok());
        assert!(header_name("").is_err());
    }

    #[test]
    fn json_paths_accept_rfc9535_and_the_dotted_shorthand() {
        assert_eq!(
            json_path("$.data.access_token").expect("valid"),
            "$.data.access_token"
        );
        assert_eq!(
            json_path("data.access_token").expect("valid"),
            "$.data.access_token"
        );
        assert_eq!(json_path("$['token']").expect("valid"), "$['token']");
        assert!(json_path("$.data[").is_err());
        assert!(json_path("").is_err());
        assert!(json_path("data..").is_err());
    }

    #[test]
    fn scopes_split_on_spaces_and_commas() {
        assert_eq!(
            scopes("read write,admin  read").expect("valid"),
            vec!["read", "write", "admin"]
        );
        assert_eq!(scopes(" , ").expect("valid"), Vec::<String>::new());
        assert!(scopes("bad\"scope").is_err());
    }

    #[test]
    fn templates_list_their_placeholders() {
        assert_eq!(
            template_params(r#"{"q": "{{query}}", "n": {{ limit }}, "again": "{{query}}"}"#)
                .expect("valid"),
            vec!["query", "limit"]
        );
        assert!(template_params("{{unclosed").is_err());
        assert!(template_params("{{1abc}}").is_err());
        assert!(template_params("{{}}").is_err());
        assert_eq!(
            template_params("no placeholders").expect("valid"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn placeholders_may_stand_in_a_urls_path_and_query_never_its_host() {
        for ok in [
            "https://api.example.com/users/{{id}}",
            "https://api.example.com/search?q={{q}}&n={{ n }}",
            "http://127.0.0.1:8080/{{a}}/{{b}}",
            "https://api.example.com/plain",
        ] {
            assert_eq!(templated_url("URL", ok).expect(ok), ok);
        }
        for bad in [
            "https://{{host}}/x",
            "https://api.{{zone}}.example.com/x",
            "{{scheme}}://example.com/",
            "https://example.com:{{port}}/x",
            "https://example.com/{{unclosed",
            "http://example.com/{{id}}",
        ] {
            assert!(templated_url("URL", bad).is_err(), "{bad}");
        }
        assert_eq!(
            http_params(
                "https://x.example/{{id}}?q={{q}}",
                ["Bearer {{tenant}}", "{{id}}"],
                Some(r#"{"q": "{{q}}", "more": {{extra}}}"#),
            )
            .expect("valid"),
            vec!["id", "q", "tenant", "extra"]
        );
    }

    #[test]
    fn methods_are_normalised() {
        assert_eq!(method("post").expect("valid"), "POST");
        assert!(method("FETCH").is_err());
    }

    #[test]
    fn client_metadata_urls_are_https_with_a_path() {
        for ok in [
            "https://example.com/oauth/client.json",
            " https://example.com/c?v=1 ",
        ] {
            assert!(client_metadata_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/client.json",
            "http://127.0.0.1/client.json",
            "https://example.com",
            "https://example.com/",
            "https://example.com/a/./b",
            "https://example.com/a/%2E%2E/b",
            "https://example.com/c#frag",
            "https://u:p@example.com/c",
            "not a url",
        ] {
            assert!(client_metadata_url(bad).is_err(), "{bad}");
        }
    }
}
