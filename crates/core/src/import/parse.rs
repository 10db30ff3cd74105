//! Reading the MCP server entries of each client's config file (JSONC or Codex's TOML), and
//! finding the plaintext tokens in them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::mcp_remote;
use crate::error::Result;
use crate::export::{line_column, parse_error, parse_jsonc};
use crate::model::{ExportClient, FoundKind};

/// One server entry of a config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// The remote server's URL (an HTTP entry, or the URL an mcp-remote command bridges to).
    pub url: Option<String>,
    /// The headers sent to it, values as written.
    pub headers: BTreeMap<String, String>,
    /// The entry's `env`.
    pub env: BTreeMap<String, String>,
    pub command: Option<String>,
    pub args: Vec<String>,
    /// `mcp-remote URL ...`, read as mcp-remote reads it.
    pub bridge: Option<mcp_remote::Args>,
    /// Codex's `bearer_token_env_var`.
    pub bearer_env: Option<String>,
}

impl Entry {
    pub fn kind(&self) -> FoundKind {
        if self.bridge.is_some() {
            FoundKind::McpRemote
        } else if self.url.is_some() {
            FoundKind::Http
        } else {
            FoundKind::Stdio
        }
    }

    /// The headers of the remote server: an HTTP entry's, or the `--header`s of mcp-remote.
    pub fn remote_headers(&self) -> &BTreeMap<String, String> {
        match &self.bridge {
            Some(b) => &b.headers,
            None => &self.headers,
        }
    }
}

/// A plaintext token found in an entry: the header it goes in, and its value.
#[derive(Clone, PartialEq, Eq)]
pub struct FoundToken {
    pub header: String,
    /// `Bearer` (or another scheme) before the value.
    pub prefix: Option<String>,
    pub value: String,
}

impl std::fmt::Debug for FoundToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoundToken")
            .field("header", &self.header)
            .field("prefix", &self.prefix)
            .field("value", &crate::import::masked(&self.value))
            .finish()
    }
}

/// Whether a header carries a credential: `Authorization`, or a name that says key, token,
/// secret or auth (`X-API-Key`, `X-Auth-Token`, `Api-Token`).
pub fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n.contains("api-key")
        || n.contains("api_key")
        || n.contains("apikey")
        || n.contains("token")
        || n.contains("secret")
        || n.contains("auth")
}

/// `${VAR}`, `${env:VAR}` and `$VAR` in a value, from the entry's `env`; `Err(VAR)` names the
/// first one the entry does not define (VS Code's `${input:ID}` is never defined).
pub fn substitute(
    value: &str,
    env: &BTreeMap<String, String>,
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (var, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    let v = &inner[..end];
                    (v.strip_prefix("env:").unwrap_or(v), end + 2)
                }
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if var.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        match env.get(var) {
            Some(v) => out.push_str(v),
            None => return Err(var.to_string()),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The first header that carries a credential, with its value resolved from the entry's
/// environment: `Ok(None)` when there is none, `Err(message)` when its value cannot be
/// resolved from the file (a variable of the client's own environment, a VS Code input).
pub fn token_of(e: &Entry) -> std::result::Result<Option<FoundToken>, String> {
    let Some((name, raw)) = e.remote_headers().iter().find(|(n, _)| is_secret_header(n)) else {
        return Ok(None);
    };
    let value = substitute(raw, &e.env).map_err(|var| {
        format!("its {name} header reads ${{{var}}}, which is not in the file: add the token with `patchbay token add` and `patchbay action edit NAME --auth token:TOKEN`")
    })?;
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let (prefix, value) = match value.split_once(' ') {
        Some((scheme, rest))
            if name.eq_ignore_ascii_case("authorization")
                && !rest.trim().is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            (Some(scheme.to_string()), rest.trim())
        }
        _ => (None, value),
    };
    Ok(Some(FoundToken {
        header: name.clone(),
        prefix,
        value: value.to_string(),
    }))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// One entry from its JSON (or TOML, as JSON) value.
fn entry(name: &str, v: &Value) -> Entry {
    let url = ["url", "serverUrl", "httpUrl"]
        .iter()
        .find_map(|k| v[*k].as_str())
        .map(|u| u.trim().to_string());
    let mut headers = string_map(&v["headers"]);
    headers.extend(string_map(&v["http_headers"]));
    let command = v["command"].as_str().map(String::from);
    let args = strings(&v["args"]);
    let bridge = command
        .as_deref()
        .and_then(|c| mcp_remote::find(c, &args))
        .and_then(|a| mcp_remote::parse(&a));
    Entry {
        name: name.to_string(),
        url: bridge.as_ref().map(|b| b.url.clone()).or(url),
        headers,
        env: string_map(&v["env"]),
        command,
        args,
        bridge,
        bearer_env: v["bearer_token_env_var"].as_str().map(String::from),
    }
}

/// The server entries of a client's config file (`source` names it in errors). A byte
/// order mark is skipped.
pub fn entries(client: ExportClient, text: &str, source: &str) -> Result<Vec<Entry>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let servers: Value = if client == ExportClient::Codex {
        let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            let (line, column) = line_column(text, at);
            parse_error(source, line, column, e.message().trim(), "import")
        })?;
        let Some(table) = doc
            .get(client.servers_key())
            .and_then(|t| t.as_table_like())
        else {
            return Ok(Vec::new());
        };
        let mut map = serde_json::Map::new();
        for (name, item) in table.iter() {
            map.insert(name.to_string(), toml_to_json(item));
        }
        Value::Object(map)
    } else {
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let root = parse_jsonc(text, source, "import")?;
        let top = root
            .value()
            .and_then(|v| v.to_serde_value())
            .unwrap_or(Value::Null);
        top[client.servers_key()].clone()
    };
    Ok(servers
        .as_object()
        .map(|m| m.iter().map(|(n, v)| entry(n, v)).collect())
        .unwrap_or_default())
}

fn toml_to_json(item: &toml_edit::Item) -> Value {
    match item {
        toml_edit::Item::Value(v) => toml_value(v),
        toml_edit::Item::Table(t) => Value::Object(
            t.iter()
                .map(|(k, i)| (k.to_string(), toml_to_json(i)))
                .collect(),
        ),
        toml_edit::Item::ArrayOfTables(a) => Value::Array(
            a.iter()
                .map(|t| toml_to_json(&toml_edit::Item::Table(t.clone())))
                .collect(),
        ),
        toml_edit::Item::None => Value::Null,
    }
}

fn toml_value(v: &toml_edit::Value) -> Value {
    match v {
        toml_edit::Value::String(s) => Value::from(s.value().as_str()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        toml_edit::Value::Float(f) => Value::from(*f.value()),
        toml_edit::Value::Boolean(b) => Value::from(*b.value()),
        toml_edit::Value::Datetime(d) => Value::from(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::Array(a.iter().map(toml_value).collect()),
        toml_edit::Value::InlineTable(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), toml_value(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_entries_with_comments_and_every_shape() {
        let text = r#"{
  // my servers
  "servers": {
    "remote": { "type": "http", "url": "https://a.example/mcp", "headers": { "Authorization": "Bearer abc123" } },
    "bridged": { "command": "npx", "args": ["-y", "mcp-remote", "https://b.example/mcp", "--header", "X-Api-Key: ${KEY}"], "env": { "KEY": "k-1" } },
    "local": { "command": "node", "args": ["server.js"] }, /* trailing */
  },
}"#;
        let e = entries(ExportClient::Vscode, text, "mcp.json").expect("parses");
        let by = |n: &str| e.iter().find(|x| x.name == n).expect(n).clone();
        assert_eq!(by("remote").kind(), FoundKind::Http);
        let t = token_of(&by("remote")).expect("ok").expect("a token");
        assert_eq!(
            (t.header.as_str(), t.prefix.as_deref(), t.value.as_str()),
            ("Authorization", Some("Bearer"), "abc123")
        );
        assert_eq!(by("bridged").kind(), FoundKind::McpRemote);
        assert_eq!(by("bridged").url.as_deref(), Some("https://b.example/mcp"));
        let t = token_of(&by("bridged")).expect("ok").expect("a token");
        assert_eq!(
            (t.header.as_str(), t.prefix.as_deref(), t.value.as_str()),
            ("X-Api-Key", None, "k-1")
        );
        assert_eq!(by("local").kind(), FoundKind::Stdio);
        assert!(
            !format!("{t:?}").contains("k-1"),
            "Debug never shows a token"
        );
    }

    #[test]
    fn a_broken_file_names_its_line_and_column() {
        let err = entries(
            ExportClient::Cursor,
            "{\n  \"mcpServers\": {\n    \"a\": { \"url\": \"x\" \n    \"b\": 1 }\n}",
            "cursor.json",
        )
        .expect_err("missing comma");
        assert!(err.to_string().contains("line 3, column 22"), "{err}");
        let err = entries(
            ExportClient::Codex,
            "[mcp_servers.a]\nurl = \n",
            "config.toml",
        )
        .expect_err("bad toml");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn codex_tables_and_inline_headers() {
        let text = "# codex\n[mcp_servers.docs]\nurl = \"https://d.example/mcp\"\nhttp_headers = { \"X-Auth-Token\" = \"tok-9\" }\n\n[mcp_servers.ci]\nurl = \"https://c.example/mcp\"\nbearer_token_env_var = \"CI_TOKEN\"\n";
        let e = entries(ExportClient::Codex, text, "config.toml").expect("parses");
        assert_eq!(e.len(), 2);
        let docs = e.iter().find(|x| x.name == "docs").expect("docs");
        assert_eq!(token_of(docs).expect("ok").expect("token").value, "tok-9");
        let ci = e.iter().find(|x| x.name == "ci").expect("ci");
        assert_eq!(ci.bearer_env.as_deref(), Some("CI_TOKEN"));
        assert_eq!(token_of(ci).expect("ok"), None);
    }

    #[test]
    fn header_tokens_are_detected_and_variables_resolved() {
        for n in [
            "Authorization",
            "x-api-key",
            "X-Auth-Token",
            "Api_Key",
            "Client-Secret",
        ] {
            assert!(is_secret_header(n), "{n}");
        }
        for n in ["Accept", "X-Tenant", "User-Agent"] {
            assert!(!is_secret_header(n), "{n}");
        }
        let env: BTreeMap<String, String> = [("T".to_string(), "v1".to_string())].into();
        assert_eq!(substitute("Bearer ${T}", &env).as_deref(), Ok("Bearer v1"));
        assert_eq!(substitute("${env:T}-$T", &env).as_deref(), Ok("v1-v1"));
        assert_eq!(
            substitute("${input:tok}", &env),
            Err("input:tok".to_string())
        );
        assert_eq!(substitute("cost $ 5", &env).as_deref(), Ok("cost $ 5"));
        let e = Entry {
            headers: [("Authorization".to_string(), "Bearer ${MISSING}".to_string())].into(),
            url: Some("https://x/mcp".into()),
            ..Default::default()
        };
        assert!(token_of(&e).expect_err("unresolved").contains("${MISSING}"));
    }
}
