//! Checking an action's input and merging it onto what is stored: HTTP request settings,
//! the authentication reference, and the OAuth settings with their client-secret rules.

use super::*;

/// The JSON stored in `actions.http`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct HttpColumn {
    pub(super) method: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Option<String>,
}

pub(super) fn http_spec(input: &HttpInput) -> Result<HttpColumn> {
    let mut headers = Vec::with_capacity(input.headers.len());
    for h in &input.headers {
        let h = validate::header(&h.name, &h.value).map_err(at(FormField::Headers))?;
        validate::template_params(&h.value).map_err(at(FormField::Headers))?;
        if h.name.eq_ignore_ascii_case("authorization") {
            return Err(Error::invalid_with_hint(
                "an HTTP action's Authorization header comes from its authentication, not from a fixed header",
                "keep the credential in a token (`patchbay token add`) and use --auth token:NAME",
            )
            .at(FormField::Headers));
        }
        headers.push((h.name, h.value));
    }
    if let Some(body) = &input.body {
        validate::template_params(body).map_err(at(FormField::Body))?;
    }
    let method = match &input.method {
        Some(m) => validate::method(m).map_err(at(FormField::Method))?,
        None if input.body.is_some() => "POST".to_string(),
        None => "GET".to_string(),
    };
    if input.body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
        return Err(Error::invalid_with_hint(
            format!("a {method} request cannot have a body"),
            "use --method POST (or PUT / PATCH), or drop --body",
        )
        .at(FormField::Body));
    }
    Ok(HttpColumn {
        method,
        headers,
        body: input.body.clone(),
    })
}

/// Resolved authentication: what goes in the row.
pub(super) struct AuthRow {
    pub(super) auth_type: AuthType,
    pub(super) token_id: Option<String>,
    pub(super) connection_id: Option<String>,
}

pub(super) fn resolve_auth(tx: &Transaction<'_>, spec: &AuthSpec) -> Result<AuthRow> {
    resolve_auth_row(tx, spec).map_err(at(FormField::Auth))
}

pub(super) fn resolve_auth_row(tx: &Transaction<'_>, spec: &AuthSpec) -> Result<AuthRow> {
    let mut row = AuthRow {
        auth_type: spec.auth_type(),
        token_id: None,
        connection_id: None,
    };
    match spec {
        AuthSpec::None | AuthSpec::OAuth => {}
        AuthSpec::Token(name) | AuthSpec::HttpToken(name) => {
            let found: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT id, kind, name FROM tokens WHERE name = ?1 COLLATE NOCASE",
                    [name],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((id, kind, real)) = found else {
                return Err(Error::invalid_with_hint(
                    format!("token '{name}' does not exist"),
                    "create it first with `patchbay token add`, or see `patchbay token list`",
                ));
            };
            let kind: TokenKind = crate::store::from_column("token kind", &kind)?;
            match (spec, kind) {
                (AuthSpec::Token(_), TokenKind::HttpRequest) => {
                    return Err(Error::invalid_with_hint(
                        format!("token '{real}' is an HTTP request token"),
                        format!("use --auth http-token:{real}"),
                    ));
                }
                (AuthSpec::HttpToken(_), TokenKind::Text) => {
                    return Err(Error::invalid_with_hint(
                        format!("token '{real}' is a text token, not an HTTP request token"),
                        format!("use --auth token:{real}"),
                    ));
                }
                _ => {}
            }
            row.token_id = Some(id);
        }
        AuthSpec::Connection(name) => {
            let id: Option<String> = tx
                .query_row(
                    "SELECT id FROM connections WHERE name = ?1 COLLATE NOCASE",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = id else {
                return Err(Error::invalid_with_hint(
                    format!("connection '{name}' does not exist"),
                    "create it first with `patchbay connection add`, or see `patchbay connection list`",
                ));
            };
            row.connection_id = Some(id);
        }
    }
    Ok(row)
}

/// Apply typed OAuth settings onto `base`; returns the settings and the secret to store.
pub(super) fn merge_oauth(
    base: OAuthSettings,
    input: &OAuthInput,
    had_secret: bool,
    clear_secret: bool,
) -> Result<(OAuthSettings, bool)> {
    let mut s = base;
    if let Some(id) = &input.client_id {
        let id = id.trim();
        s.client_id = if id.is_empty() {
            None
        } else {
            Some(validate::client_id(id).map_err(at(FormField::ClientId))?)
        };
    }
    if let Some(u) = &input.authorization_url {
        s.authorization_url =
            optional_url("authorization URL", u).map_err(at(FormField::AuthorizationUrl))?;
    }
    if let Some(u) = &input.token_url {
        s.token_url = optional_url("token URL", u).map_err(at(FormField::TokenUrl))?;
    }
    if let Some(u) = &input.registration_url {
        s.registration_url =
            optional_url("registration URL", u).map_err(at(FormField::RegistrationUrl))?;
    }
    if let Some(sc) = &input.scopes {
        s.scopes = validate::scopes(sc).map_err(at(FormField::Scopes))?;
    }
    if let Some(m) = input.token_auth_method {
        // `None` (automatic): chosen below from whether there is a secret.
        s.token_auth_method = m;
    }
    if let Some(a) = input.assume_pkce_s256 {
        s.assume_pkce_s256 = a;
    }
    if let Some(r) = &input.resource_override {
        s.resource_override =
            optional_url("resource", r).map_err(at(FormField::ResourceOverride))?;
    }
    if let Some(o) = input.omit_resource {
        s.omit_resource = o;
    }
    if let Some(u) = &input.client_metadata_url {
        s.client_metadata_url = if u.trim().is_empty() {
            None
        } else {
            Some(validate::client_metadata_url(u).map_err(at(FormField::ClientMetadataUrl))?)
        };
    }
    if let Some(c) = input.callback {
        s.callback = c;
    }
    if s.omit_resource && s.resource_override.is_some() {
        return Err(
            Error::invalid("give a resource override or omit the resource, not both")
                .at(FormField::ResourceOverride),
        );
    }
    let has_secret = (had_secret && !clear_secret) || input.client_secret.is_some();
    if has_secret && s.client_id.is_none() {
        return Err(Error::invalid_with_hint(
            "a client secret needs a client id",
            "give the client id your provider issued with --client-id",
        )
        .at(FormField::ClientId));
    }
    match (s.token_auth_method, has_secret) {
        (Some(TokenAuthMethod::None), true) => {
            return Err(Error::invalid_with_hint(
                "token auth method 'none' is for public clients, which have no client secret",
                "use client_secret_basic or client_secret_post with a secret, or drop the secret",
            )
            .at(FormField::TokenAuthMethod));
        }
        (
            Some(m @ (TokenAuthMethod::ClientSecretBasic | TokenAuthMethod::ClientSecretPost)),
            false,
        ) => {
            return Err(Error::invalid_with_hint(
                format!("token auth method '{}' needs a client secret", m.as_str()),
                "pass it with --client-secret-stdin, or use --token-auth-method none for a public PKCE client",
            )
            .at(FormField::ClientSecret));
        }
        // Default: a confidential client when a secret is given, a public one when only an id is.
        (None, true) => s.token_auth_method = Some(TokenAuthMethod::ClientSecretBasic),
        (None, false) if s.client_id.is_some() => s.token_auth_method = Some(TokenAuthMethod::None),
        _ => {}
    }
    Ok((s, has_secret))
}

pub(super) fn optional_url(field: &str, v: &str) -> Result<Option<String>> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(validate::url(field, v)?.to_string()))
    }
}

/// MCP servers publish their OAuth endpoints (discovery); a plain HTTP endpoint does not,
/// so an HTTP action's own OAuth client needs them spelled out.
pub(super) fn require_endpoints_for_http(kind: ActionKind, s: &OAuthSettings) -> Result<()> {
    if kind == ActionKind::Http && (s.authorization_url.is_none() || s.token_url.is_none()) {
        return Err(Error::invalid_with_hint(
            "OAuth on an HTTP action needs its authorization URL and token URL (only MCP servers publish them for discovery)",
            "add --authorization-url and --token-url, or use a reusable connection with --auth connection:NAME",
        )
        .at(FormField::AuthorizationUrl));
    }
    Ok(())
}

pub(super) fn oauth_only_error() -> Error {
    Error::invalid_with_hint(
        "client id, client secret, token auth method, OAuth endpoints and scopes apply only to OAuth authentication",
        "add --auth oauth, or leave those settings out",
    )
}
