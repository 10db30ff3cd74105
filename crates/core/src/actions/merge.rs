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

/// What an action's OAuth client is before an add or edit.
pub(super) struct Current {
    pub(super) settings: OAuthSettings,
    pub(super) grant: OAuthGrant,
    pub(super) had_secret: bool,
    /// It has a `private_key_jwt` key in the keychain.
    pub(super) had_key: bool,
}

/// What becomes of the client's signing key.
#[derive(Debug)]
pub(crate) enum KeyPlan {
    /// None before, none after; or the one it has stays.
    Keep,
    /// Patchbay makes one (`private_key_jwt` chosen, none yet).
    Generate,
    /// The PEM the user gave.
    Import(SecretString),
    /// The method is no longer `private_key_jwt`: the key goes.
    Remove,
}

impl KeyPlan {
    /// The private key to store and its public JWK, when there is a new one.
    pub(crate) fn material(&self) -> Result<Option<(SecretString, PublicJwk)>> {
        match self {
            KeyPlan::Generate => crate::signing_key::generate().map(Some),
            KeyPlan::Import(pem) => crate::signing_key::import(pem).map(Some),
            KeyPlan::Keep | KeyPlan::Remove => Ok(None),
        }
    }
}

/// The outcome of merging: settings, grant, whether a secret is kept, the key's fate.
pub(super) struct Merged {
    pub(super) settings: OAuthSettings,
    pub(super) grant: OAuthGrant,
    pub(super) has_secret: bool,
    pub(super) key: KeyPlan,
}

/// Apply typed OAuth settings onto what the client is now.
pub(super) fn merge_oauth(base: Current, input: &OAuthInput, clear_secret: bool) -> Result<Merged> {
    let mut s = base.settings;
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
    if let Some(f) = &input.assertion_file {
        s.assertion_file = assertion_file(f)?;
    }
    if let Some(i) = &input.idp {
        let i = i.trim();
        s.idp = if i.is_empty() {
            None
        } else {
            Some(validate::name("identity provider", i).map_err(at(FormField::Idp))?)
        };
    }
    // Naming an identity provider chooses enterprise-managed authorization.
    let grant = match (input.grant, &input.idp) {
        (None, Some(i)) if !i.trim().is_empty() => OAuthGrant::EnterpriseManaged,
        (g, _) => g.unwrap_or(base.grant),
    };
    match grant {
        OAuthGrant::JwtBearer if s.assertion_file.is_none() => {
            return Err(Error::invalid_with_hint(
                "the jwt-bearer grant presents the workload's identity token: it needs the file that holds it",
                "add --assertion-file PATH (e.g. a Kubernetes projected service account token)",
            )
            .at(FormField::AssertionFile));
        }
        OAuthGrant::EnterpriseManaged if s.idp.is_none() => {
            return Err(Error::invalid_with_hint(
                "enterprise-managed authorization needs the identity provider to sign in at",
                "add --idp NAME (see `patchbay idp list`, or add one with `patchbay idp add`)",
            )
            .at(FormField::Idp));
        }
        _ => {}
    }
    // Settings of the other grants do not linger unseen.
    if grant != OAuthGrant::JwtBearer {
        s.assertion_file = None;
    }
    if grant != OAuthGrant::EnterpriseManaged {
        s.idp = None;
    }
    if grant == OAuthGrant::EnterpriseManaged && s.client_id.is_none() {
        return Err(Error::invalid_with_hint(
            "enterprise-managed authorization presents the ID-JAG as a client of the server's authorization server: it needs that client's id",
            "add --client-id ID (and --client-secret-stdin when it has a secret)",
        )
        .at(FormField::ClientId));
    }
    // Choosing private_key_jwt drops a secret left from before (no new secret given).
    let switching_to_key = input.token_auth_method == Some(Some(TokenAuthMethod::PrivateKeyJwt))
        && input.client_secret.is_none();
    let has_secret =
        (base.had_secret && !clear_secret && !switching_to_key) || input.client_secret.is_some();
    if has_secret && s.client_id.is_none() {
        return Err(Error::invalid_with_hint(
            "a client secret needs a client id",
            "give the client id your provider issued with --client-id",
        )
        .at(FormField::ClientId));
    }
    let method = client_auth(
        s.token_auth_method,
        grant,
        has_secret,
        input.private_key.is_some(),
    )?;
    s.token_auth_method = method;
    if grant == OAuthGrant::AuthorizationCode && method.is_none() && s.client_id.is_some() {
        s.token_auth_method = Some(TokenAuthMethod::None);
    }
    let key = match (
        s.token_auth_method == Some(TokenAuthMethod::PrivateKeyJwt),
        &input.private_key,
    ) {
        (true, Some(pem)) => KeyPlan::Import(pem.clone()),
        (true, None) if base.had_key => KeyPlan::Keep,
        (true, None) => KeyPlan::Generate,
        (false, _) if base.had_key => KeyPlan::Remove,
        (false, _) => KeyPlan::Keep,
    };
    Ok(Merged {
        settings: s,
        grant,
        has_secret,
        key,
    })
}

/// The token endpoint authentication a client ends up with, checked against its grant, its
/// secret and a key given to import. `None`: automatic, a public client (authorization code
/// only, when no client id is set either).
pub(crate) fn client_auth(
    requested: Option<TokenAuthMethod>,
    grant: OAuthGrant,
    has_secret: bool,
    key_given: bool,
) -> Result<Option<TokenAuthMethod>> {
    use TokenAuthMethod as M;
    let method = match (requested, has_secret) {
        (Some(m), _) => Some(m),
        // Default: a confidential client when a secret is given; with client credentials and
        // no secret, a signing key (imported or generated).
        (None, true) => Some(M::ClientSecretBasic),
        (None, false) if grant == OAuthGrant::ClientCredentials || key_given => {
            Some(M::PrivateKeyJwt)
        }
        (None, false) => None,
    };
    match (method, has_secret) {
        (Some(M::None), true) => {
            return Err(Error::invalid_with_hint(
                "token auth method 'none' is for public clients, which have no client secret",
                "use client_secret_basic or client_secret_post with a secret, or drop the secret",
            )
            .at(FormField::TokenAuthMethod));
        }
        (Some(M::PrivateKeyJwt), true) => {
            return Err(Error::invalid_with_hint(
                "token auth method 'private_key_jwt' signs with a key, not a client secret",
                "drop the secret (--no-client-secret), or use client_secret_basic / client_secret_post",
            )
            .at(FormField::TokenAuthMethod));
        }
        (Some(m @ (M::ClientSecretBasic | M::ClientSecretPost)), false) => {
            return Err(Error::invalid_with_hint(
                format!("token auth method '{}' needs a client secret", m.as_str()),
                "pass it with --client-secret-stdin, use --token-auth-method private_key_jwt for a signing key, or none for a public PKCE client",
            )
            .at(FormField::ClientSecret));
        }
        _ => {}
    }
    if key_given && method != Some(M::PrivateKeyJwt) {
        return Err(Error::invalid_with_hint(
            format!(
                "a private key is only used with token auth method private_key_jwt, not {}",
                method.map(|m| m.as_str()).unwrap_or("none")
            ),
            "add --token-auth-method private_key_jwt, or leave out --private-key-stdin",
        )
        .at(FormField::PrivateKey));
    }
    if grant == OAuthGrant::ClientCredentials && matches!(method, None | Some(M::None)) {
        return Err(Error::invalid_with_hint(
            "the client credentials grant needs a confidential client: one with a client secret or a signing key",
            "use --token-auth-method client_secret_basic (or client_secret_post) with --client-secret-stdin, or private_key_jwt",
        )
        .at(FormField::Grant));
    }
    Ok(method)
}

/// The jwt-bearer grant's token file: an absolute path (the token itself is read, never
/// stored, at each token request); empty clears it.
fn assertion_file(v: &str) -> Result<Option<String>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if !std::path::Path::new(v).is_absolute() {
        return Err(Error::invalid_with_hint(
            format!("the assertion file '{v}' is not an absolute path"),
            "give the full path, e.g. /var/run/secrets/tokens/patchbay",
        )
        .at(FormField::AssertionFile));
    }
    Ok(Some(v.to_string()))
}

pub(super) fn optional_url(field: &str, v: &str) -> Result<Option<String>> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(validate::url(field, v)?.to_string()))
    }
}

/// MCP servers publish their OAuth endpoints (discovery); a plain HTTP endpoint does not,
/// so an HTTP action's own OAuth client needs them spelled out: the token URL always, the
/// authorization URL only where a user signs in (not with client credentials).
pub(super) fn require_endpoints_for_http(kind: ActionKind, m: &Merged) -> Result<()> {
    let s = &m.settings;
    if kind == ActionKind::Http && m.grant == OAuthGrant::ClientCredentials && s.token_url.is_none()
    {
        return Err(Error::invalid_with_hint(
            "client credentials on an HTTP action need its token URL (only MCP servers publish it for discovery)",
            "add --token-url URL",
        )
        .at(FormField::TokenUrl));
    }
    if kind == ActionKind::Http
        && m.grant == OAuthGrant::AuthorizationCode
        && (s.authorization_url.is_none() || s.token_url.is_none())
    {
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
