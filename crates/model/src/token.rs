//! Tokens (pasted values and HTTP request tokens) and what testing one found.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::HeaderView;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum TokenKind {
    /// A value the user pasted (text token).
    Text,
    /// A token fetched by an HTTP request (HTTP request token).
    HttpRequest,
}

/// A body field of an HTTP request token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    pub key: String,
    /// `None` when the value is a secret kept in the keychain.
    pub value: Option<String>,
    pub secret: bool,
}

/// The request an HTTP request token performs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequestView {
    pub method: String,
    pub url: String,
    pub headers: Vec<HeaderView>,
    pub body: Vec<FieldView>,
    /// Body sent as `application/x-www-form-urlencoded` instead of JSON.
    pub form: bool,
    /// RFC 9535 JSONPath of the token in the response.
    pub token_path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub kind: TokenKind,
    pub description: String,
    pub prefix: Option<String>,
    pub header_name: String,
    /// For text tokens: whether the value is in the keychain.
    pub value_set: bool,
    pub request: Option<TokenRequestView>,
    pub used_by: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The header value a token produces: the value alone, or `PREFIX VALUE` (the prefix's
/// trailing spaces trimmed, then one space).
pub fn header_value_with_prefix(prefix: Option<&str>, value: &str) -> String {
    match prefix.map(str::trim_end).filter(|p| !p.is_empty()) {
        Some(p) => format!("{p} {value}"),
        None => value.to_string(),
    }
}

/// What a token request did (`patchbay token test NAME --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenTestReport {
    /// A token was found.
    pub ok: bool,
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub found: Option<FoundToken>,
    /// Top-level keys of the JSON response and their types (or the type of a non-object
    /// response), when no token was found. Never values.
    #[ts(type = "Record<string, string> | string | null")]
    pub shape: Option<serde_json::Value>,
    /// Why no token was found.
    pub message: Option<String>,
}

/// Where the token was, without the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FoundToken {
    pub path: String,
    /// The token's first 4 characters.
    pub preview: String,
    /// Its length in characters.
    pub length: usize,
}
