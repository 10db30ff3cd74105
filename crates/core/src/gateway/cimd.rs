//! Client ID Metadata Documents: a client whose `client_id` is an https URL publishes its
//! metadata there (name, redirect URIs). The gateway fetches it over https only, from public
//! addresses only (the name is resolved once and the connection pinned to what was checked),
//! follows no redirect, reads 5 KiB at most, waits 10 s at most, and keeps what it read for
//! 10 minutes. Offline, the sign-in stops with a clear error.
//!
//! Tests map document URLs to local files: `PATCHBAY_TEST_CLIENT_METADATA` names a JSON file
//! `{"https://…": "/path/to/document.json"}` (test-only; every check but the network applies).
//!
//! The address check is written here (std's `IpAddr::is_global` is not stable yet).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{OptionalExtension, params};

use super::authz::Authz;
use super::clients::redirect_uri;
use super::register::{display_name, insert_public, unique_name};
use crate::error::{Error, Result};
use crate::logs::{LogKind, NewLog};
use crate::model::GatewayClientKind;

use crate::env::TEST_CLIENT_METADATA as TEST_MAP_ENV;
const MAX_BYTES: usize = 5 * 1024;
const FETCH_WITHIN: Duration = Duration::from_secs(10);
const RESOLVE_WITHIN: Duration = Duration::from_secs(5);
const KEEP_FOR: Duration = Duration::from_secs(600);

/// When each document was last read.
#[derive(Default)]
pub(crate) struct Cache(Mutex<HashMap<String, Instant>>);

impl Cache {
    fn fresh(&self, url: &str) -> bool {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get(url).is_some_and(|at| at.elapsed() < KEEP_FOR)
    }

    fn read_now(&self, url: &str) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.retain(|_, at| at.elapsed() < KEEP_FOR);
        m.insert(url.to_string(), Instant::now());
    }
}

/// Whether an address is on the public internet (not loopback, private, link-local, shared,
/// documentation, benchmarking, multicast or reserved).
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let s = v6.segments();
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64
                || s[..6] == [0; 6]) // IPv4-compatible and the like
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240) // reserved
}

/// The URL checked as a client id: https, a host, a path, no credentials or fragment.
pub(super) fn checked_url(client_id: &str) -> Result<url::Url> {
    let bad = |why: &str| {
        Error::invalid_with_hint(
            format!(
                "the client id '{}' {why}",
                crate::validate::printable(client_id)
            ),
            "a metadata document client id is an https URL with a path, e.g. https://app.example/oauth/client.json",
        )
    };
    let u = url::Url::parse(client_id).map_err(|_| bad("is not a URL"))?;
    if u.scheme() != "https" {
        return Err(bad("is not https"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(bad("carries credentials"));
    }
    if u.fragment().is_some() {
        return Err(bad("has a fragment"));
    }
    if u.path() == "/" || u.path().is_empty() {
        return Err(bad("has no path"));
    }
    Ok(u)
}

/// The document's bytes: from the test map, or over the network with every check.
async fn fetch(u: &url::Url) -> Result<Vec<u8>> {
    if let Some(map) = std::env::var_os(TEST_MAP_ENV) {
        let text = std::fs::read_to_string(&map)
            .map_err(|e| Error::io(format!("cannot read {}", map.to_string_lossy()), e))?;
        let files: HashMap<String, String> = serde_json::from_str(&text).map_err(|e| {
            Error::Internal(format!(
                "{TEST_MAP_ENV} is not a JSON object of strings: {e}"
            ))
        })?;
        if let Some(path) = files.get(u.as_str()) {
            let bytes =
                std::fs::read(path).map_err(|e| Error::io(format!("cannot read {path}"), e))?;
            return limited(bytes);
        }
    }
    let offline = |why: String| {
        Error::invalid_with_hint(
            format!("cannot fetch the app's metadata document at {u}: {why}"),
            "check this computer's internet connection, then start the sign-in again from the app",
        )
    };
    let host = u.host_str().unwrap_or_default().to_string();
    let port = u.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = match u.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        _ => tokio::time::timeout(
            RESOLVE_WITHIN,
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        .map_err(|_| {
            offline(format!(
                "resolving {host} took over {} s",
                RESOLVE_WITHIN.as_secs()
            ))
        })?
        .map_err(|e| offline(format!("cannot resolve {host}: {e}")))?
        .collect(),
    };
    if addrs.is_empty() {
        return Err(offline(format!("{host} has no address")));
    }
    if let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(Error::invalid(format!(
            "the app's metadata document at {u} is on a non-public address ({}); Patchbay fetches these only from the internet",
            private.ip()
        )));
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .timeout(FETCH_WITHIN)
        .user_agent(concat!("patchbay-gateway/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build an HTTP client: {e}")))?;
    let mut res = client
        .get(u.clone())
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| {
            let cause = std::error::Error::source(&e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            offline(format!("{}{cause}", e.without_url()))
        })?;
    if res.status().is_redirection() {
        return Err(Error::invalid(format!(
            "the app's metadata document at {u} redirects elsewhere; Patchbay follows no redirect there"
        )));
    }
    if !res.status().is_success() {
        return Err(offline(format!("HTTP {}", res.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| offline(e.to_string()))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            break;
        }
    }
    limited(body)
}

fn limited(bytes: Vec<u8>) -> Result<Vec<u8>> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::invalid(format!(
            "the app's metadata document is larger than {} KiB",
            MAX_BYTES / 1024
        )));
    }
    Ok(bytes)
}

/// What a document says, checked: its name and redirect URIs.
pub(super) fn parse(u: &url::Url, bytes: &[u8]) -> Result<(String, Vec<String>)> {
    let bad = |why: String| Error::invalid(format!("the app's metadata document at {u} {why}"));
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("is not JSON: {e}")))?;
    if v.get("client_id").and_then(|c| c.as_str()) != Some(u.as_str()) {
        return Err(bad("names another client_id than its own URL".into()));
    }
    match v.get("token_endpoint_auth_method").and_then(|m| m.as_str()) {
        None | Some("none") => {}
        Some(other) => {
            return Err(bad(format!(
                "asks for token_endpoint_auth_method '{}'; the gateway signs in such apps as public clients (none)",
                crate::validate::printable(other)
            )));
        }
    }
    let uris = v
        .get("redirect_uris")
        .and_then(|r| r.as_array())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad("has no redirect_uris".into()))?;
    let mut out = Vec::new();
    for r in uris {
        let r = r
            .as_str()
            .ok_or_else(|| bad("has a redirect URI that is not a string".into()))?;
        let r = redirect_uri(r).map_err(|e| bad(format!("has a bad redirect URI: {e}")))?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    let name = display_name(
        v.get("client_name").and_then(|n| n.as_str()),
        u.host_str().unwrap_or("app"),
    );
    Ok((name, out))
}

impl Authz {
    /// Make sure the client known by the document at `client_id` exists and is current:
    /// fetched unless read within the last 10 minutes.
    pub(crate) async fn metadata_document_client(&self, client_id: &str) -> Result<()> {
        let u = checked_url(client_id)?;
        if self.documents.fresh(u.as_str()) && self.pb.gateway_client_by_id(u.as_str())?.is_some() {
            return Ok(());
        }
        let bytes = fetch(&u).await?;
        let (name, uris) = parse(&u, &bytes)?;
        let uris_col = serde_json::to_string(&uris)
            .map_err(|e| Error::Internal(format!("cannot encode redirect URIs: {e}")))?;
        let now = self.pb.now();
        let added = self.pb.store().write(|tx| {
            let known: Option<String> = tx
                .query_row(
                    "SELECT id FROM gateway_clients WHERE client_id = ?1",
                    [u.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            match known {
                Some(id) => {
                    tx.execute(
                        "UPDATE gateway_clients SET redirect_uris = ?2 WHERE id = ?1",
                        params![id, uris_col],
                    )?;
                    Ok(None)
                }
                None => {
                    let name = unique_name(tx, &name)?;
                    insert_public(
                        tx,
                        u.as_str(),
                        &name,
                        GatewayClientKind::MetadataDocument,
                        &uris_col,
                        &now,
                    )?;
                    Ok(Some(name))
                }
            }
        })?;
        self.documents.read_now(u.as_str());
        if let Some(name) = added {
            self.pb.log(NewLog {
                subject: Some(&name),
                kind: Some(LogKind::GatewayAuth),
                ok: true,
                summary: format!(
                    "OAuth client '{name}' known by its metadata document (published by {})",
                    u.host_str().unwrap_or_default()
                ),
                ..Default::default()
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "198.18.0.1",
            "192.0.2.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "64:ff9b::7f00:1",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        for public in [
            "1.1.1.1",
            "140.82.112.3",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }

    #[test]
    fn client_ids_and_documents_are_checked() {
        assert!(checked_url("https://vscode.dev/oauth/client-metadata.json").is_ok());
        for bad in [
            "http://vscode.dev/x.json",
            "https://vscode.dev/",
            "https://user:pw@vscode.dev/x",
            "https://vscode.dev/x#f",
            "vscode",
        ] {
            assert!(checked_url(bad).is_err(), "{bad}");
        }
        let u = checked_url("https://vscode.dev/oauth/client-metadata.json").expect("url");
        let doc = br#"{"client_id":"https://vscode.dev/oauth/client-metadata.json","client_name":"Visual Studio Code","redirect_uris":["http://127.0.0.1:33418/","https://vscode.dev/redirect"]}"#;
        let (name, uris) = parse(&u, doc).expect("valid");
        assert_eq!(name, "Visual Studio Code");
        assert_eq!(uris.len(), 2);
        let other =
            br#"{"client_id":"https://evil.example/c.json","redirect_uris":["http://127.0.0.1/"]}"#;
        assert!(parse(&u, other).is_err());
        let jwt = br#"{"client_id":"https://vscode.dev/oauth/client-metadata.json","redirect_uris":["http://127.0.0.1/"],"token_endpoint_auth_method":"private_key_jwt"}"#;
        assert!(parse(&u, jwt).is_err());
        assert!(limited(vec![b' '; MAX_BYTES + 1]).is_err());
    }
}
