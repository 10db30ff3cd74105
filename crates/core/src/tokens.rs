//! Tokens: text tokens (a value the user pastes) and HTTP request tokens (a value
//! fetched from an auth endpoint, found in the response by JSONPath). Either one becomes a
//! header on the actions that use it: `HEADER: [PREFIX ]VALUE`.

use rusqlite::{Row, params};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FormField, Kind, Result, at};
use crate::model::{
    FieldView, Header, HeaderView, TokenKind, TokenRequestView, TokenView, header_value_with_prefix,
};
use crate::store::named;
use crate::validate::{self, printable};
use crate::vault::keys;
use crate::{Entries, Patchbay};

#[derive(Debug)]
pub struct NewTextToken {
    pub name: String,
    pub description: Option<String>,
    pub value: SecretString,
    pub prefix: Option<String>,
    pub header_name: String,
}

#[derive(Debug, Default)]
pub struct NewHttpToken {
    pub name: String,
    pub description: Option<String>,
    /// Defaults to POST.
    pub method: Option<String>,
    pub url: String,
    pub headers: Vec<Header>,
    /// Header name and secret value (read from stdin by the CLI).
    pub secret_headers: Vec<(String, SecretString)>,
    /// Body fields: `(key, value)`.
    pub body: Vec<(String, String)>,
    pub secret_body: Vec<(String, SecretString)>,
    /// Send the body as a form instead of JSON.
    pub form: bool,
    pub token_path: String,
    pub prefix: Option<String>,
    pub header_name: String,
}

#[derive(Debug, Default)]
pub struct TokenPatch {
    pub rename: Option<String>,
    pub description: Option<String>,
    /// `Some("")` removes the prefix.
    pub prefix: Option<String>,
    pub header_name: Option<String>,
    /// A new value (text tokens only).
    pub value: Option<SecretString>,
    /// A new JSONPath (HTTP request tokens only).
    pub token_path: Option<String>,
}

/// The JSON stored in `tokens.request` (secret values are absent: they are in the vault).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RequestColumn {
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) headers: Vec<HeaderView>,
    pub(crate) body: Vec<FieldView>,
    pub(crate) form: bool,
}

fn prefix(p: Option<&str>) -> Result<Option<String>> {
    match p {
        None => Ok(None),
        Some(p) if p.trim().is_empty() => Ok(None),
        Some(p) => {
            if p.len() > 64 || http::HeaderValue::from_str(p).is_err() {
                return Err(Error::invalid_with_hint(
                    format!("prefix '{}' is not allowed in a header", printable(p)),
                    "a prefix is a short word such as Bearer or Token",
                ));
            }
            Ok(Some(p.trim_end().to_string()))
        }
    }
}

fn secret_value(what: &str, v: &SecretString) -> Result<()> {
    let s = v.expose_secret();
    if s.is_empty() {
        return Err(Error::invalid_with_hint(
            format!("{what} is empty"),
            "pipe the value on stdin, e.g. `printf %s \"$TOKEN\" | patchbay ...`",
        ));
    }
    if http::HeaderValue::from_str(s).is_err() {
        // Never echo the value itself.
        return Err(Error::invalid(format!(
            "{what} contains line breaks or control characters"
        )));
    }
    Ok(())
}

fn description(d: Option<String>) -> String {
    d.unwrap_or_default().trim().to_string()
}

const SELECT: &str = "SELECT id, name, kind, description, prefix, header_name, request, token_path, created_at, updated_at FROM tokens";

struct RawToken {
    id: String,
    name: String,
    kind: String,
    description: String,
    prefix: Option<String>,
    header_name: String,
    request: Option<String>,
    token_path: Option<String>,
    created_at: String,
    updated_at: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<RawToken> {
    Ok(RawToken {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        description: r.get(3)?,
        prefix: r.get(4)?,
        header_name: r.get(5)?,
        request: r.get(6)?,
        token_path: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

fn finish(c: &rusqlite::Connection, t: RawToken) -> Result<TokenView> {
    let kind: TokenKind = crate::store::from_column("token kind", &t.kind)?;
    let request = match (t.request, t.token_path) {
        (Some(req), Some(path)) => {
            let r: RequestColumn = serde_json::from_str(&req)
                .map_err(|e| Error::Internal(format!("tokens.request is unreadable: {e}")))?;
            Some(TokenRequestView {
                method: r.method,
                url: r.url,
                headers: r.headers,
                body: r.body,
                form: r.form,
                token_path: path,
            })
        }
        _ => None,
    };
    Ok(TokenView {
        used_by: crate::actions::names_using(c, "token_id", &t.id)?,
        id: t.id,
        name: t.name,
        kind,
        description: t.description,
        prefix: t.prefix,
        header_name: t.header_name,
        // A text token always has its value: saving one requires it (vault first).
        value_set: kind == TokenKind::Text,
        request,
        created_at: t.created_at,
        updated_at: t.updated_at,
    })
}

fn get_in(c: &rusqlite::Connection, name: &str) -> Result<TokenView> {
    let raw = named::find(c, Kind::Token, SELECT, "name", name, from_row)?;
    finish(c, raw)
}

fn ensure_name_free(c: &rusqlite::Connection, name: &str, except: Option<&str>) -> Result<()> {
    named::ensure_free(c, Kind::Token, name, except)
}

/// Every vault key a token owns.
pub(crate) fn vault_keys(t: &TokenView) -> Vec<String> {
    let mut out = Vec::new();
    match &t.request {
        None => out.push(keys::token_value(&t.id)),
        Some(r) => {
            out.extend(
                r.headers
                    .iter()
                    .filter(|h| h.secret)
                    .map(|h| keys::token_header(&t.id, &h.name)),
            );
            out.extend(
                r.body
                    .iter()
                    .filter(|f| f.secret)
                    .map(|f| keys::token_body(&t.id, &f.key)),
            );
            // The most recently fetched token (kept by the runtime).
            out.push(keys::token_value(&t.id));
        }
    }
    out
}

/// An HTTP request token checked and ready to insert (nothing saved yet).
pub(crate) struct PreparedHttpToken {
    pub(crate) id: String,
    pub(crate) name: String,
    description: String,
    prefix: Option<String>,
    header_name: String,
    pub(crate) request: RequestColumn,
    pub(crate) token_path: String,
    /// Vault key → secret value.
    pub(crate) secrets: Vec<(String, SecretString)>,
}

impl Patchbay {
    pub fn list_tokens(&self) -> Result<Vec<TokenView>> {
        self.store().read(|c| {
            let raws = named::all(c, SELECT, "name", from_row)?;
            raws.into_iter().map(|r| finish(c, r)).collect()
        })
    }

    pub fn get_token(&self, name: &str) -> Result<TokenView> {
        self.store().read(|c| get_in(c, name))
    }

    pub fn add_text_token(&self, input: NewTextToken) -> Result<TokenView> {
        let name = validate::name("token", &input.name).map_err(at(FormField::Name))?;
        let header_name =
            validate::header_name(&input.header_name).map_err(at(FormField::HeaderName))?;
        let prefix = prefix(input.prefix.as_deref()).map_err(at(FormField::Prefix))?;
        secret_value("the token value", &input.value).map_err(at(FormField::Value))?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let description = description(input.description);
        self.write_with_secrets(Entries::New, &[(keys::token_value(&id), input.value)], |tx| {
            ensure_name_free(tx, &name, None)?;
            tx.execute(
                "INSERT INTO tokens (id, name, kind, description, prefix, header_name, created_at, updated_at)
                 VALUES (?1, ?2, 'text', ?3, ?4, ?5, ?6, ?6)",
                params![id, name, description, prefix, header_name, now],
            )?;
            get_in(tx, &name)
        })
    }

    pub fn add_http_token(&self, input: NewHttpToken) -> Result<TokenView> {
        let prepared = self.prepare_http_token(input)?;
        self.insert_http_token(prepared, None)
    }

    /// Validate an HTTP request token without saving it.
    pub(crate) fn prepare_http_token(&self, input: NewHttpToken) -> Result<PreparedHttpToken> {
        let name = validate::name("token", &input.name).map_err(at(FormField::Name))?;
        let header_name =
            validate::header_name(&input.header_name).map_err(at(FormField::HeaderName))?;
        let prefix = prefix(input.prefix.as_deref()).map_err(at(FormField::Prefix))?;
        let url = validate::url("token request URL", &input.url)
            .map_err(at(FormField::Url))?
            .to_string();
        let method = validate::method(input.method.as_deref().unwrap_or("POST"))
            .map_err(at(FormField::Method))?;
        let token_path =
            validate::json_path(&input.token_path).map_err(at(FormField::TokenPath))?;
        let id = uuid::Uuid::new_v4().to_string();

        let mut headers: Vec<HeaderView> = Vec::new();
        let mut secrets: Vec<(String, SecretString)> = Vec::new();
        let seen_header = |n: &str, headers: &[HeaderView]| -> Result<()> {
            if headers.iter().any(|h| h.name.eq_ignore_ascii_case(n)) {
                return Err(
                    Error::invalid(format!("header '{n}' is given twice")).at(FormField::Headers)
                );
            }
            Ok(())
        };
        for h in &input.headers {
            let h = validate::header(&h.name, &h.value).map_err(at(FormField::Headers))?;
            seen_header(&h.name, &headers)?;
            headers.push(HeaderView {
                name: h.name,
                value: Some(h.value),
                secret: false,
            });
        }
        for (k, v) in input.secret_headers {
            let k = validate::header_name(&k).map_err(at(FormField::Headers))?;
            seen_header(&k, &headers)?;
            secret_value(&format!("the value of secret header '{k}'"), &v)
                .map_err(at(FormField::Headers))?;
            secrets.push((keys::token_header(&id, &k), v));
            headers.push(HeaderView {
                name: k,
                value: None,
                secret: true,
            });
        }
        let mut body: Vec<FieldView> = Vec::new();
        let check_key = |k: &str, body: &[FieldView]| -> Result<String> {
            let k = k.trim();
            if k.is_empty() || k.chars().any(char::is_control) {
                return Err(Error::invalid_with_hint(
                    format!("body field name '{}' is not valid", printable(k)),
                    "write body fields as key=value",
                )
                .at(FormField::Body));
            }
            if body.iter().any(|f| f.key == k) {
                return Err(
                    Error::invalid(format!("body field '{k}' is given twice")).at(FormField::Body)
                );
            }
            Ok(k.to_string())
        };
        for (k, v) in &input.body {
            let k = check_key(k, &body)?;
            body.push(FieldView {
                key: k,
                value: Some(v.to_string()),
                secret: false,
            });
        }
        for (k, v) in input.secret_body {
            let k = check_key(&k, &body)?;
            if v.expose_secret().is_empty() {
                return Err(Error::invalid(format!(
                    "the value of secret body field '{k}' is empty"
                ))
                .at(FormField::Body));
            }
            secrets.push((keys::token_body(&id, &k), v));
            body.push(FieldView {
                key: k,
                value: None,
                secret: true,
            });
        }
        if !body.is_empty() && matches!(method.as_str(), "GET" | "HEAD") {
            return Err(Error::invalid_with_hint(
                format!("a {method} request cannot have a body"),
                "use --method POST, or drop the body fields",
            )
            .at(FormField::Method));
        }
        if input.form && body.is_empty() {
            return Err(Error::invalid(
                "--form sends the body as a form, but no body fields are given",
            )
            .at(FormField::Body));
        }
        let request = RequestColumn {
            method,
            url,
            headers,
            body,
            form: input.form,
        };
        Ok(PreparedHttpToken {
            id,
            name,
            description: description(input.description),
            prefix,
            header_name,
            request,
            token_path,
            secrets,
        })
    }

    /// Save a prepared HTTP request token, with the token its test fetched when given.
    pub(crate) fn insert_http_token(
        &self,
        p: PreparedHttpToken,
        fetched: Option<SecretString>,
    ) -> Result<TokenView> {
        let PreparedHttpToken {
            id,
            name,
            description,
            prefix,
            header_name,
            request,
            token_path,
            mut secrets,
        } = p;
        if let Some(v) = fetched {
            secrets.push((keys::token_value(&id), v));
        }
        let request_json = serde_json::to_string(&request)
            .map_err(|e| Error::Internal(format!("cannot encode request: {e}")))?;
        let now = self.now();
        self.write_with_secrets(Entries::New, &secrets, |tx| {
            ensure_name_free(tx, &name, None)?;
            tx.execute(
                "INSERT INTO tokens (id, name, kind, description, prefix, header_name, request, token_path, created_at, updated_at)
                 VALUES (?1, ?2, 'http-request', ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![id, name, description, prefix, header_name, request_json, token_path, now],
            )?;
            get_in(tx, &name)
        })
    }

    pub fn edit_token(&self, name: &str, patch: TokenPatch) -> Result<TokenView> {
        let cur = self.get_token(name)?;
        let new_name = patch
            .rename
            .as_deref()
            .map(|n| validate::name("token", n))
            .transpose()
            .map_err(at(FormField::Name))?;
        let header_name = patch
            .header_name
            .as_deref()
            .map(validate::header_name)
            .transpose()
            .map_err(at(FormField::HeaderName))?
            .unwrap_or(cur.header_name.clone());
        let prefix = match &patch.prefix {
            Some(p) => prefix(Some(p)).map_err(at(FormField::Prefix))?,
            None => cur.prefix.clone(),
        };
        let mut secrets = Vec::new();
        if let Some(v) = patch.value {
            if cur.kind != TokenKind::Text {
                return Err(Error::invalid(
                    "only text tokens have a value to set; an HTTP request token fetches its own",
                )
                .at(FormField::Value));
            }
            secret_value("the token value", &v).map_err(at(FormField::Value))?;
            secrets.push((keys::token_value(&cur.id), v));
        }
        let token_path = match &patch.token_path {
            Some(p) if cur.kind == TokenKind::HttpRequest => {
                Some(validate::json_path(p).map_err(at(FormField::TokenPath))?)
            }
            Some(_) => {
                return Err(Error::invalid("only HTTP request tokens have a token path")
                    .at(FormField::TokenPath));
            }
            None => cur.request.as_ref().map(|r| r.token_path.clone()),
        };
        let description = patch
            .description
            .map(|d| d.trim().to_string())
            .unwrap_or(cur.description.clone());
        let final_name = new_name.clone().unwrap_or(cur.name.clone());
        let now = self.now();
        self.write_with_secrets(Entries::MayExist, &secrets, |tx| {
            if let Some(n) = &new_name {
                ensure_name_free(tx, n, Some(&cur.id))?;
            }
            tx.execute(
                "UPDATE tokens SET name = ?2, description = ?3, prefix = ?4, header_name = ?5, token_path = ?6, updated_at = ?7
                 WHERE id = ?1",
                params![cur.id, final_name, description, prefix, header_name, token_path, now],
            )?;
            get_in(tx, &final_name)
        })
    }

    /// Remove a token no action uses (refused, naming the actions, otherwise).
    pub fn remove_token(&self, name: &str) -> Result<TokenView> {
        let view = self.store().write(|tx| {
            let view = get_in(tx, name)?;
            if !view.used_by.is_empty() {
                return Err(Error::InUse {
                    kind: Kind::Token,
                    name: view.name.clone(),
                    actions: view.used_by.clone(),
                });
            }
            tx.execute("DELETE FROM tokens WHERE id = ?1", [&view.id])?;
            Ok(view)
        })?;
        self.forget_secrets(&vault_keys(&view));
        Ok(view)
    }

    /// The header a text token produces: `(name, [PREFIX ]VALUE)`, read from the keychain.
    pub fn text_token_header(&self, t: &TokenView) -> Result<(String, SecretString)> {
        if t.kind != TokenKind::Text {
            return Err(Error::invalid(format!(
                "token '{}' is fetched by an HTTP request; it has no stored value",
                t.name
            )));
        }
        let value = self.vault().get(&keys::token_value(&t.id))?.ok_or_else(|| {
            Error::invalid_with_hint(
                format!("the keychain has no value for token '{}'", t.name),
                format!("set it again: `printf %s \"$VALUE\" | patchbay token edit {} --value-stdin`", t.name),
            )
        })?;
        Ok((
            t.header_name.clone(),
            SecretString::from(header_value_with_prefix(
                t.prefix.as_deref(),
                value.expose_secret(),
            )),
        ))
    }

    /// The secret values of an HTTP request token's request, by header name / body key.
    pub fn http_token_secrets(&self, t: &TokenView) -> Result<Vec<(String, SecretString)>> {
        let Some(r) = &t.request else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for h in r.headers.iter().filter(|h| h.secret) {
            let v = self.vault().get(&keys::token_header(&t.id, &h.name))?;
            out.push((format!("header:{}", h.name), missing(t, v)?));
        }
        for f in r.body.iter().filter(|f| f.secret) {
            let v = self.vault().get(&keys::token_body(&t.id, &f.key))?;
            out.push((format!("body:{}", f.key), missing(t, v)?));
        }
        Ok(out)
    }
}

fn missing(t: &TokenView, v: Option<SecretString>) -> Result<SecretString> {
    v.ok_or_else(|| {
        Error::invalid_with_hint(
            format!("the keychain is missing a secret of token '{}'", t.name),
            "remove the token and add it again",
        )
    })
}
