//! mcp-remote (npm): its command line, and its token store.
//!
//! The store is `$MCP_REMOTE_CONFIG_DIR` (else `~/.mcp-auth`), one folder per store version
//! (`mcp-remote-0.1.37`, `mcp-remote-v1`, ...). Its files are `HASH_client_info.json` (the
//! client registration), `HASH_tokens.json` (the tokens) and a few more of a sign-in in
//! progress, where HASH is mcp-remote's `getServerUrlHash`: the MD5 (hex) of the server URL
//! and its options joined by `|` — the `--resource`, the `--authorize-param`s and the
//! `--header`s (each as JSON with sorted keys, as written on the command line), the
//! `--client-metadata-url` and the `--token-endpoint`, each when given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

/// An `mcp-remote URL [PORT] [flags]` command line, as mcp-remote reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    pub url: String,
    pub callback_port: Option<u16>,
    /// `--header "Name: value"`, values as written (`${VAR}` not substituted).
    pub headers: BTreeMap<String, String>,
    pub resource: Option<String>,
    pub omit_resource: bool,
    pub authorize_params: BTreeMap<String, String>,
    pub client_metadata_url: Option<String>,
    pub token_endpoint: Option<String>,
    /// `--static-oauth-client-info` (inline JSON; `@FILE` is read by the caller's choice).
    pub static_client_info: Option<String>,
    /// Flags Patchbay has no equivalent for (reported).
    pub ignored: Vec<String>,
}

/// The arguments after the `mcp-remote` package in a command (`npx -y mcp-remote URL ...`,
/// `mcp-remote URL ...`, `node .../mcp-remote/dist/proxy.js URL ...`), or `None` when the
/// command does not run mcp-remote.
pub fn find(command: &str, args: &[String]) -> Option<Vec<String>> {
    let is_bridge = |s: &str| {
        let s = s.trim();
        let base = s.rsplit(['/', '\\']).next().unwrap_or(s);
        base == "mcp-remote"
            || base.starts_with("mcp-remote@")
            || (s.contains("mcp-remote") && (base == "proxy.js" || base == "proxy"))
    };
    if is_bridge(command) {
        return Some(args.to_vec());
    }
    let at = args.iter().position(|a| is_bridge(a))?;
    Some(args[at + 1..].to_vec())
}

/// mcp-remote's own reading of its arguments (`parseCommandLineArgs`).
pub fn parse(argv: &[String]) -> Option<Args> {
    let mut rest: Vec<String> = Vec::with_capacity(argv.len());
    let mut headers = BTreeMap::new();
    let mut i = 0;
    while i < argv.len() {
        if argv[i] == "--header" && i + 1 < argv.len() {
            if let Some((name, value)) = header_line(&argv[i + 1]) {
                headers.insert(name, value);
            }
            i += 2;
            continue;
        }
        rest.push(argv[i].clone());
        i += 1;
    }
    let url = rest.first()?.clone();
    if url.starts_with("--") {
        return None;
    }
    let value_of = |flag: &str| {
        rest.iter()
            .position(|a| a == flag)
            .and_then(|p| rest.get(p + 1))
            .cloned()
    };
    let mut authorize_params = BTreeMap::new();
    for (k, a) in rest.iter().enumerate() {
        if a == "--authorize-param"
            && let Some(raw) = rest.get(k + 1)
            && let Some(sep) = raw.find('=').filter(|s| *s >= 1)
        {
            authorize_params.insert(raw[..sep].trim().to_string(), raw[sep + 1..].to_string());
        }
    }
    let mut omit_resource = rest.iter().any(|a| a == "--disable-resource-parameter");
    let mut resource = value_of("--resource").map(|r| r.trim().to_string());
    if resource.as_deref() == Some("") {
        omit_resource = true;
    }
    if omit_resource {
        resource = None;
    }
    let mut ignored = Vec::new();
    for (k, a) in rest.iter().enumerate() {
        if !a.starts_with("--") || k == 0 {
            continue;
        }
        let kept = [
            "--resource",
            "--authorize-param",
            "--client-metadata-url",
            "--static-oauth-client-info",
            "--disable-resource-parameter",
            "--allow-http",
            "--transport",
            "--silent",
            "--debug",
        ];
        if !kept.contains(&a.as_str()) && !ignored.contains(a) {
            ignored.push(a.clone());
        }
    }
    Some(Args {
        url,
        callback_port: rest
            .get(1)
            .filter(|p| !p.starts_with("--"))
            .and_then(|p| p.parse().ok()),
        headers,
        resource,
        omit_resource,
        authorize_params,
        client_metadata_url: value_of("--client-metadata-url").map(|v| v.trim().to_string()),
        token_endpoint: value_of("--token-endpoint").map(|v| v.trim().to_string()),
        static_client_info: value_of("--static-oauth-client-info"),
        ignored,
    })
}

/// `Name: value` as mcp-remote reads a `--header` (`^([A-Za-z0-9_-]+):\s*(.*)$`).
fn header_line(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    Some((name.to_string(), value.trim_start().to_string()))
}

/// A JSON object with its keys sorted, as `JSON.stringify(obj, Object.keys(obj).sort())`.
fn sorted_json(map: &BTreeMap<String, String>) -> String {
    let body: Vec<String> = map
        .iter()
        .map(|(k, v)| {
            format!(
                "{}:{}",
                serde_json::Value::from(k.as_str()),
                serde_json::Value::from(v.as_str())
            )
        })
        .collect();
    format!("{{{}}}", body.join(","))
}

/// mcp-remote's `getServerUrlHash`: what its store's files for this command are named by.
pub fn server_url_hash(a: &Args) -> String {
    let mut parts = vec![a.url.clone()];
    if let Some(r) = &a.resource {
        parts.push(r.clone());
    }
    if !a.authorize_params.is_empty() {
        parts.push(sorted_json(&a.authorize_params));
    }
    if !a.headers.is_empty() {
        parts.push(sorted_json(&a.headers));
    }
    if let Some(u) = &a.client_metadata_url {
        parts.push(u.clone());
    }
    if let Some(t) = &a.token_endpoint {
        parts.push(t.clone());
    }
    hex(&Md5::digest(parts.join("|").as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One server's files in one version folder of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreItem {
    pub dir: PathBuf,
    pub hash: String,
    /// Every file of this hash (`HASH_*`).
    pub files: Vec<PathBuf>,
}

impl StoreItem {
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{}_{name}", self.hash))
    }
}

/// The store's version folders (`mcp-remote-*`), oldest first: the package-version folders
/// of older mcp-remotes by number (`mcp-remote-0.9.0` before `mcp-remote-0.15.1`), then the
/// store-version folders of newer ones (`mcp-remote-v1`, `-v2`...).
pub fn version_dirs(base: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(base)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| e.file_name().to_string_lossy().starts_with("mcp-remote-"))
        .map(|e| e.path())
        .collect();
    out.sort_by_key(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string());
        (version_of(name.as_deref().unwrap_or_default()), p.clone())
    });
    out
}

/// `mcp-remote-0.1.29` → (false, [0, 1, 29]); `mcp-remote-v1` → (true, [1]) (a part that is
/// not a number counts as 0).
fn version_of(folder: &str) -> (bool, Vec<u64>) {
    let v = folder.trim_start_matches("mcp-remote-");
    let (store, numbers) = match v.strip_prefix('v') {
        Some(n) => (true, n),
        None => (false, v),
    };
    (
        store,
        numbers
            .split(['.', '-'])
            .map(|part| part.parse().unwrap_or(0))
            .collect(),
    )
}

/// The servers with a registration or tokens in one version folder, by hash.
pub fn items(dir: &Path) -> Vec<StoreItem> {
    let mut by_hash: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some((hash, _)) = name.split_once('_')
            && hash.len() == 32
            && hash.chars().all(|c| c.is_ascii_hexdigit())
        {
            by_hash.entry(hash.to_string()).or_default().push(e.path());
        }
    }
    by_hash
        .into_iter()
        .filter(|(_, files)| {
            files.iter().any(|f| {
                f.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.ends_with("_tokens.json") || n.ends_with("_client_info.json")
                })
            })
        })
        .map(|(hash, mut files)| {
            files.sort();
            StoreItem {
                dir: dir.to_path_buf(),
                hash,
                files,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_folders_sort_old_package_versions_by_number_then_store_versions() {
        let base = tempfile::tempdir().expect("tempdir");
        for v in [
            "mcp-remote-v2",
            "mcp-remote-0.9.0",
            "mcp-remote-v1",
            "mcp-remote-0.15.1",
            "mcp-remote-0.1.29",
            "other",
        ] {
            std::fs::create_dir(base.path().join(v)).expect("mkdir");
        }
        let names: Vec<String> = version_dirs(base.path())
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .collect();
        assert_eq!(
            names,
            [
                "mcp-remote-0.1.29",
                "mcp-remote-0.9.0",
                "mcp-remote-0.15.1",
                "mcp-remote-v1",
                "mcp-remote-v2"
            ]
        );
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Values computed by mcp-remote 0.15.1's own `getServerUrlHash` (node).
    #[test]
    fn the_hash_is_mcp_remotes() {
        let a = parse(&args(&["https://mcp.example.com/mcp"])).expect("args");
        assert_eq!(server_url_hash(&a), "94baabe3c3fadb285b26c035e4e86046");
        let a = parse(&args(&[
            "https://mcp.example.com/mcp",
            "9876",
            "--header",
            "X-B: 2",
            "--header",
            "Authorization:Bearer ${TOKEN}",
            "--resource",
            "https://mcp.example.com/",
            "--authorize-param",
            "audience=api",
        ]))
        .expect("args");
        assert_eq!(a.callback_port, Some(9876));
        assert_eq!(server_url_hash(&a), "827133f1b24c05b0b3ef5a3b864483dc");
    }

    #[test]
    fn commands_that_run_mcp_remote_are_recognized() {
        assert_eq!(
            find(
                "npx",
                &args(&["-y", "mcp-remote@0.1.37", "https://x/mcp", "--allow-http"])
            ),
            Some(args(&["https://x/mcp", "--allow-http"]))
        );
        assert_eq!(
            find("/usr/bin/mcp-remote", &args(&["https://x/mcp"])),
            Some(args(&["https://x/mcp"]))
        );
        assert_eq!(
            find(
                "node",
                &args(&["/n/node_modules/mcp-remote/dist/proxy.js", "https://x/mcp"])
            ),
            Some(args(&["https://x/mcp"]))
        );
        assert_eq!(find("npx", &args(&["-y", "@acme/server"])), None);
        assert_eq!(parse(&args(&["--allow-http"])), None);
    }

    #[test]
    fn flags_map_and_the_rest_are_named() {
        let a = parse(&args(&[
            "https://x/mcp",
            "--resource",
            "",
            "--static-oauth-client-info",
            "{\"client_id\":\"c\"}",
            "--ipv4",
            "--header",
            "bad header",
        ]))
        .expect("args");
        assert!(a.omit_resource && a.resource.is_none());
        assert_eq!(
            a.static_client_info.as_deref(),
            Some("{\"client_id\":\"c\"}")
        );
        assert_eq!(a.ignored, vec!["--ipv4".to_string()]);
        assert!(
            a.headers.is_empty(),
            "mcp-remote ignores a header not in Name:Value form"
        );
        assert_eq!(a.callback_port, None);
    }
}
