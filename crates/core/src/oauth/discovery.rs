//! Discovery per the MCP authorization spec (2025-11-25 / 2026-07-28): an unauthenticated
//! request for the `WWW-Authenticate` challenge, RFC 9728 protected-resource metadata
//! (path-inserted, then root), then the authorization server's RFC 8414 / OpenID metadata
//! in the spec's order, with the `issuer` and PKCE checks. Written over reqwest rather than
//! rmcp's auth module: we need the list of URLs tried for the error, a strict S256 check
//! with a per-action override, and our own choice of `resource` and client auth later.

use reqwest::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// What a `WWW-Authenticate: Bearer ...` challenge says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Challenge {
    pub resource_metadata: Option<String>,
    pub scope: Option<String>,
    pub error: Option<String>,
}

/// Parse the Bearer challenge's auth-params (RFC 9110 §11.2: token=token / quoted-string).
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let rest = header.trim();
    let (scheme, params) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut c = Challenge::default();
    let mut s = params.trim();
    while !s.is_empty() {
        let Some((key, after)) = s.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(q) = after.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '\\' => {
                        if let Some((_, esc)) = chars.next() {
                            out.push(esc);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    other => out.push(other),
                }
            }
            (out, &q[end.min(q.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        match key.as_str() {
            "resource_metadata" => c.resource_metadata = Some(value),
            "scope" => c.scope = Some(value),
            "error" => c.error = Some(value),
            _ => {}
        }
        s = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    Some(c)
}

/// RFC 9728 protected resource metadata (the fields we use).
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceMetadata {
    pub resource: String,
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
}

/// RFC 8414 / OpenID provider metadata (the fields we use).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServerMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub registration_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub scopes_supported: Option<Vec<String>>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    #[serde(default)]
    pub client_id_metadata_document_supported: Option<bool>,
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
    /// RFC 8628: where a device sign-in starts, when the server offers one.
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// RFC 9449 §5.1: the algorithms the server accepts in DPoP proofs; ES256 among them
    /// makes Patchbay ask for DPoP-bound tokens.
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// `issuer` was checked against the issuer the metadata was fetched for (discovery),
    /// so an authorization response's `iss` can be held to it. False for endpoints the user
    /// typed, whose issuer Patchbay does not know.
    #[serde(skip)]
    pub issuer_checked: bool,
}

impl ServerMetadata {
    /// Endpoints the user typed (Advanced configuration, or a reusable connection): no
    /// discovery, so PKCE S256 is assumed and the issuer is verified only when known.
    pub fn typed(
        authorization: &str,
        token: &str,
        registration: Option<String>,
        revocation: Option<String>,
        known_issuer: Option<String>,
    ) -> Self {
        let issuer_checked = known_issuer.is_some();
        let issuer = known_issuer.unwrap_or_else(|| {
            Url::parse(authorization)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default()
        });
        ServerMetadata {
            issuer,
            authorization_endpoint: authorization.to_string(),
            token_endpoint: token.to_string(),
            registration_endpoint: registration,
            revocation_endpoint: revocation,
            userinfo_endpoint: None,
            scopes_supported: None,
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            token_endpoint_auth_methods_supported: None,
            authorization_response_iss_parameter_supported: None,
            client_id_metadata_document_supported: None,
            grant_types_supported: None,
            device_authorization_endpoint: None,
            dpop_signing_alg_values_supported: None,
            issuer_checked,
        }
    }
}

/// Everything discovery found for one MCP server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Discovered {
    /// The resource identifier, exactly as the server published it (or the server URL).
    pub resource: String,
    pub server: ServerMetadata,
    /// Scopes from the 401 challenge, then the resource metadata (in the spec's order).
    pub challenge_scopes: Vec<String>,
    pub resource_scopes: Vec<String>,
}

/// Options from the action's Advanced configuration.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryOptions {
    /// The `WWW-Authenticate` challenge of the request that needed a sign-in: used instead
    /// of probing (it carries the scope that request needs).
    pub challenge: Option<String>,
    /// Accept a server whose metadata omits `code_challenge_methods_supported`.
    pub assume_pkce_s256: bool,
}

fn fail(code: ErrorCode, message: String, tried: &[String], hint: &str) -> Error {
    let list = if tried.is_empty() {
        String::new()
    } else {
        format!(" (tried: {})", tried.join(", "))
    };
    Error::oauth(code, format!("{message}{list}"), Some(hint.to_string()))
}

/// Map a transport failure to unreachable / TLS, naming the URL.
pub(crate) fn transport_error(url: &str, e: &reqwest::Error) -> Error {
    let text = format!("{e:?}").to_ascii_lowercase();
    if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        Error::oauth(
            ErrorCode::Tls,
            format!("TLS failed talking to {url}"),
            Some("the server's certificate is not trusted (expired, self-signed or for another name); check the URL".into()),
        )
    } else if e.is_timeout() {
        Error::oauth(
            ErrorCode::Unreachable,
            format!("{url} did not answer in time"),
            Some("check the server is up and reachable from this machine".into()),
        )
    } else {
        Error::oauth(
            ErrorCode::Unreachable,
            format!("cannot reach {url}"),
            Some("check the URL, your network, and that the server is running".into()),
        )
    }
}

/// `https://host/.well-known/NAME/path` (path-inserted) and `https://host/.well-known/NAME`.
pub(crate) fn well_known(base: &Url, name: &str) -> Vec<String> {
    let origin = base.origin().ascii_serialization();
    let path = base.path().trim_end_matches('/');
    let mut out = Vec::new();
    if !path.is_empty() {
        out.push(format!("{origin}/.well-known/{name}{path}"));
    }
    out.push(format!("{origin}/.well-known/{name}"));
    out
}

/// Authorization server metadata URLs in the MCP spec's order.
pub(crate) fn server_metadata_urls(issuer: &Url) -> Vec<String> {
    let origin = issuer.origin().ascii_serialization();
    let path = issuer.path().trim_end_matches('/');
    if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    }
}

async fn get_json<T: for<'de> Deserialize<'de>>(
    http: &reqwest::Client,
    url: &str,
) -> Result<Option<T>> {
    let resp = http
        .get(url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| transport_error(url, &e))?;
    if !resp.status().is_success() {
        return Ok(None);
    }
    let bytes = resp.bytes().await.map_err(|e| transport_error(url, &e))?;
    Ok(serde_json::from_slice(&bytes).ok())
}

/// The challenge of an unauthenticated MCP request (POST initialize), if the server sends one.
pub async fn probe(http: &reqwest::Client, server_url: &str) -> Result<Option<Challenge>> {
    let body = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "Patchbay", "version": env!("CARGO_PKG_VERSION")}}
    });
    let resp = http
        .post(server_url)
        .header(ACCEPT, "application/json, text/event-stream")
        .header(CONTENT_TYPE, "application/json")
        .json(&body)
        .send()
        .await
        .map_err(|e| transport_error(server_url, &e))?;
    if resp.status() != reqwest::StatusCode::UNAUTHORIZED {
        return Ok(None);
    }
    Ok(Some(
        resp.headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(parse_challenge)
            .unwrap_or_default(),
    ))
}

/// Discover how to authorize against the MCP server at `server_url`.
pub async fn discover(
    http: &reqwest::Client,
    server_url: &str,
    opts: &DiscoveryOptions,
) -> Result<Discovered> {
    let base = Url::parse(server_url)
        .map_err(|e| Error::invalid(format!("the server URL is not valid: {e}")))?;
    let challenge = match opts.challenge.as_deref().and_then(parse_challenge) {
        Some(c) => c,
        None => probe(http, server_url).await?.unwrap_or_default(),
    };
    let mut tried: Vec<String> = Vec::new();

    // RFC 9728: the URL from the challenge, else path-inserted, then root.
    let candidates = match &challenge.resource_metadata {
        Some(u) => vec![u.clone()],
        None => well_known(&base, "oauth-protected-resource"),
    };
    let mut prm: Option<ResourceMetadata> = None;
    for url in candidates {
        tried.push(url.clone());
        if let Some(m) = get_json::<ResourceMetadata>(http, &url).await? {
            prm = Some(m);
            break;
        }
    }
    if prm.is_none() && challenge.resource_metadata.is_some() {
        // The challenge pointed at a missing document; try the well-known places anyway.
        for url in well_known(&base, "oauth-protected-resource") {
            tried.push(url.clone());
            if let Some(m) = get_json::<ResourceMetadata>(http, &url).await? {
                prm = Some(m);
                break;
            }
        }
    }

    let (resource, issuer, resource_scopes) = match prm {
        Some(m) => {
            if !resource_covers(&m.resource, server_url) {
                return Err(Error::oauth(
                    ErrorCode::ResourceMismatch,
                    format!("the server's metadata names resource '{}', not '{server_url}'", m.resource),
                    Some("the metadata belongs to another server; check the URL (it must be the exact MCP endpoint)".into()),
                ));
            }
            let Some(issuer) = m.authorization_servers.first().cloned() else {
                return Err(fail(
                    ErrorCode::DiscoveryFailed,
                    "the resource metadata lists no authorization server".into(),
                    &tried,
                    "fill in Advanced configuration (authorization and token URLs)",
                ));
            };
            (m.resource, issuer, m.scopes_supported)
        }
        // Servers without RFC 9728 (older spec): the authorization server is the origin.
        None => (
            server_url.to_string(),
            base.origin().ascii_serialization(),
            Vec::new(),
        ),
    };

    let issuer_url = Url::parse(&issuer).map_err(|_| {
        fail(
            ErrorCode::DiscoveryFailed,
            format!("the authorization server '{issuer}' is not a URL"),
            &tried,
            "fill in Advanced configuration (authorization and token URLs)",
        )
    })?;
    check_endpoint("authorization server", &issuer_url)?;
    let server = first_server_metadata(http, &issuer_url, &mut tried).await?;
    let Some(server) = server else {
        return Err(fail(
            ErrorCode::DiscoveryFailed,
            format!("found no OAuth metadata for {server_url}"),
            &tried,
            "if the provider documents its endpoints, fill in Advanced configuration: --authorization-url, --token-url (and --client-id)",
        ));
    };
    if server.issuer != issuer {
        return Err(Error::oauth(
            ErrorCode::IssuerMismatch,
            format!("the authorization server metadata says issuer '{}', but it was fetched for '{issuer}'", server.issuer),
            Some("refusing metadata that names another issuer (a mix-up defence); report it to the server's operator".into()),
        ));
    }
    check_pkce(&server, opts)?;
    let mut server = server;
    server.issuer_checked = true;
    for (what, u) in [
        ("authorization endpoint", &server.authorization_endpoint),
        ("token endpoint", &server.token_endpoint),
    ] {
        let parsed = Url::parse(u).map_err(|_| {
            Error::oauth(
                ErrorCode::DiscoveryFailed,
                format!("the {what} '{u}' is not a URL"),
                None,
            )
        })?;
        check_endpoint(what, &parsed)?;
    }
    let challenge_scopes = challenge
        .scope
        .map(|s| s.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    Ok(Discovered {
        resource,
        server,
        challenge_scopes,
        resource_scopes,
    })
}

/// Whether the protected resource a server's metadata names covers the server URL: the same
/// string, or (as the MCP spec allows for metadata published at the root) the same origin
/// with a path the server's path starts with, segment by segment. The resource is then sent
/// exactly as published.
/// The first metadata document found at the issuer's well-known places (RFC 8414, then
/// OpenID Connect Discovery), noting each URL tried.
async fn first_server_metadata(
    http: &reqwest::Client,
    issuer: &Url,
    tried: &mut Vec<String>,
) -> Result<Option<ServerMetadata>> {
    for url in server_metadata_urls(issuer) {
        tried.push(url.clone());
        if let Some(m) = get_json::<ServerMetadata>(http, &url).await? {
            return Ok(Some(m));
        }
    }
    Ok(None)
}

/// The metadata of the authorization server (or OpenID provider) `issuer` (RFC 8414 §3, the
/// OpenID Connect Discovery document as a fallback), held to that issuer, its authorization
/// and token endpoints https or loopback. PKCE support is the caller's to check.
pub async fn authorization_server(http: &reqwest::Client, issuer: &str) -> Result<ServerMetadata> {
    let issuer_url = Url::parse(issuer)
        .map_err(|_| Error::invalid(format!("the issuer '{issuer}' is not a URL")))?;
    check_endpoint("issuer", &issuer_url)?;
    let mut tried = Vec::new();
    let server = first_server_metadata(http, &issuer_url, &mut tried).await?;
    let Some(mut server) = server else {
        return Err(fail(
            ErrorCode::DiscoveryFailed,
            format!("found no OpenID or OAuth metadata for the issuer {issuer}"),
            &tried,
            "check the issuer URL (it is the `iss` of the provider's ID tokens)",
        ));
    };
    if server.issuer != issuer {
        return Err(Error::oauth(
            ErrorCode::IssuerMismatch,
            format!(
                "the metadata says issuer '{}', but it was fetched for '{issuer}'",
                server.issuer
            ),
            Some("give the issuer exactly as the provider writes it".into()),
        ));
    }
    server.issuer_checked = true;
    let token = Url::parse(&server.token_endpoint).map_err(|_| {
        Error::oauth(
            ErrorCode::DiscoveryFailed,
            format!(
                "the token endpoint '{}' is not a URL",
                server.token_endpoint
            ),
            None,
        )
    })?;
    check_endpoint("token endpoint", &token)?;
    Ok(server)
}

pub fn resource_covers(resource: &str, server_url: &str) -> bool {
    if resource == server_url {
        return true;
    }
    let (Ok(r), Ok(s)) = (Url::parse(resource), Url::parse(server_url)) else {
        return false;
    };
    if r.origin() != s.origin() || r.query().is_some() || r.fragment().is_some() {
        return false;
    }
    let rp = r.path().trim_end_matches('/');
    let sp = s.path();
    rp.is_empty() || sp == rp || sp.starts_with(&format!("{rp}/"))
}

/// PKCE S256 is required: refuse servers that do not advertise it, unless overridden.
pub fn check_pkce(server: &ServerMetadata, opts: &DiscoveryOptions) -> Result<()> {
    match &server.code_challenge_methods_supported {
        Some(m) if m.iter().any(|x| x == "S256") => Ok(()),
        None if opts.assume_pkce_s256 => Ok(()),
        other => Err(Error::oauth(
            ErrorCode::PkceUnsupported,
            match other {
                None => "the authorization server does not advertise PKCE (code_challenge_methods_supported is missing)".to_string(),
                Some(m) => format!("the authorization server does not support PKCE S256 (it offers: {})", m.join(", ")),
            },
            Some(if other.is_none() {
                "if you know it supports S256 anyway, turn on \"assume PKCE S256\": `patchbay action edit NAME --assume-pkce-s256`".into()
            } else {
                "Patchbay only uses PKCE with S256, as OAuth 2.1 requires".into()
            }),
        )),
    }
}

/// OAuth endpoints must be https, or http on loopback.
pub fn check_endpoint(what: &str, u: &Url) -> Result<()> {
    match u.scheme() {
        "https" => Ok(()),
        "http" if crate::validate::is_loopback(u) => Ok(()),
        _ => Err(Error::oauth(
            ErrorCode::DiscoveryFailed,
            format!("the {what} {u} is not https"),
            Some(
                "OAuth endpoints must use https (plain http only on 127.0.0.1 / localhost)".into(),
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_quoted_and_bare_params() {
        let c = parse_challenge(r#"Bearer resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp", scope="mcp:read mcp:write", error=invalid_token"#)
            .expect("bearer");
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some("https://a.example/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(c.scope.as_deref(), Some("mcp:read mcp:write"));
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(
            parse_challenge("Bearer").expect("bare"),
            Challenge::default()
        );
        assert_eq!(
            parse_challenge(r#"bearer realm="x\"y", scope=a"#)
                .expect("escaped")
                .scope
                .as_deref(),
            Some("a")
        );
        assert!(parse_challenge("Basic realm=x").is_none());
    }

    #[test]
    fn a_resource_covers_its_own_paths_on_the_same_origin_only() {
        let s = "http://localhost:3000/mcp";
        assert!(resource_covers(s, s));
        assert!(resource_covers("http://localhost:3000", s));
        assert!(resource_covers("http://localhost:3000/", s));
        assert!(resource_covers(
            "https://a.example/api",
            "https://a.example/api/mcp"
        ));
        assert!(!resource_covers(
            "https://a.example/api",
            "https://a.example/apix/mcp"
        ));
        assert!(!resource_covers("https://evil.example.com/mcp", s));
        assert!(!resource_covers("http://localhost:3001/mcp", s));
        assert!(!resource_covers("http://localhost:3000/other", s));
        assert!(!resource_covers("not a url", s));
    }

    #[test]
    fn well_known_urls_follow_the_spec_order() {
        let u = Url::parse("https://mcp.example.com/v1/mcp").expect("url");
        assert_eq!(
            well_known(&u, "oauth-protected-resource"),
            vec![
                "https://mcp.example.com/.well-known/oauth-protected-resource/v1/mcp",
                "https://mcp.example.com/.well-known/oauth-protected-resource"
            ]
        );
        let i = Url::parse("https://auth.example.com/tenant/1").expect("url");
        assert_eq!(
            server_metadata_urls(&i),
            vec![
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant/1",
                "https://auth.example.com/.well-known/openid-configuration/tenant/1",
                "https://auth.example.com/tenant/1/.well-known/openid-configuration",
            ]
        );
        let root = Url::parse("https://auth.example.com").expect("url");
        assert_eq!(server_metadata_urls(&root).len(), 2);
    }
}
