//! One error type for the core. Every variant maps to a small [`ErrorCode`] that the UI and the
//! CLI branch on; messages are one line, never contain a secret, and say what to do.

pub use crate::model::{ErrorBody, ErrorCode, FormField};

/// The kinds of things a user names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Action,
    Connection,
    Token,
    /// An entry of the provider gallery.
    Provider,
    /// An access key of the local gateway.
    AccessKey,
    /// An OAuth client of the local gateway.
    OAuthClient,
    /// A browser sign-in at the gateway waiting for the user's consent.
    Consent,
    /// An enterprise identity provider (`patchbay idp`).
    Idp,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Action => "action",
            Kind::Connection => "connection",
            Kind::Token => "token",
            Kind::Provider => "provider",
            Kind::AccessKey => "access key",
            Kind::OAuthClient => "OAuth client",
            Kind::Consent => "sign-in waiting for consent",
            Kind::Idp => "identity provider",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input from the user: a malformed URL, name, header, JSONPath, option mix...
    #[error("{message}")]
    Invalid {
        message: String,
        hint: Option<String>,
        /// The form field it is about, when there is one.
        field: Option<FormField>,
    },

    #[error("{kind} '{name}' not found")]
    NotFound { kind: Kind, name: String },

    #[error("{kind} '{name}' already exists (names are case-insensitive)")]
    Conflict { kind: Kind, name: String },

    #[error("{kind} '{name}' is used by {}", describe_users(.actions))]
    InUse {
        kind: Kind,
        name: String,
        actions: Vec<String>,
    },

    #[error("the keychain is locked ({detail})")]
    VaultLocked { detail: String },

    #[error("no keychain is available ({detail})")]
    VaultUnavailable { detail: String },

    #[error(
        "the database at {path} was written by a newer Patchbay (schema version {found}; this build knows up to {known})"
    )]
    DatabaseTooNew {
        path: String,
        found: i64,
        known: i64,
    },

    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),

    #[error("database migration failed: {0}")]
    Migration(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("internal error: {0}")]
    Internal(String),

    /// An OAuth step failed in a way the user can act on; `code` says which.
    #[error("{message}")]
    OAuth {
        code: ErrorCode,
        message: String,
        hint: Option<String>,
    },

    /// The server answered 401 and Patchbay has no usable grant: `code` says why
    /// (`not_connected`, `needs_reconnect`, `auth_rejected`), `challenge` is the server's
    /// `WWW-Authenticate`, for the sign-in that fixes it.
    #[error("{message}")]
    SignInRequired {
        code: ErrorCode,
        message: String,
        hint: Option<String>,
        challenge: String,
    },

    /// An HTTP request token's request gave no token; the report says what came back.
    #[error("the request of token '{token}' gave no token: {}", report.message.as_deref().unwrap_or("no reason"))]
    TokenRequestFailed {
        token: String,
        report: Box<crate::model::TokenTestReport>,
    },

    /// 403 `insufficient_scope`: the server wants these scopes for the operation (step-up).
    #[error(
        "the MCP server of '{action}' needs more permissions for this (403 insufficient_scope{})",
        describe_scopes(scopes)
    )]
    InsufficientScope { action: String, scopes: Vec<String> },
}

fn describe_scopes(scopes: &[String]) -> String {
    if scopes.is_empty() {
        String::new()
    } else {
        format!(": scope {}", scopes.join(" "))
    }
}

fn describe_users(actions: &[String]) -> String {
    let quoted: Vec<String> = actions.iter().map(|a| format!("'{a}'")).collect();
    match quoted.len() {
        1 => format!("action {}", quoted[0]),
        _ => format!("actions {}", quoted.join(", ")),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            hint: None,
            field: None,
        }
    }

    pub fn invalid_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            hint: Some(hint.into()),
            field: None,
        }
    }

    /// Say which form field this invalid input is about (other errors, and an invalid input
    /// that already names its field, are returned as they are).
    pub fn at(self, at: FormField) -> Self {
        match self {
            Error::Invalid {
                message,
                hint,
                field: None,
            } => Error::Invalid {
                message,
                hint,
                field: Some(at),
            },
            other => other,
        }
    }

    /// The form field the error is about: an invalid input's own, or the name for a clash.
    pub fn field(&self) -> Option<FormField> {
        match self {
            Error::Invalid { field, .. } => *field,
            Error::Conflict { .. } => Some(FormField::Name),
            _ => None,
        }
    }

    pub fn oauth(code: ErrorCode, message: impl Into<String>, hint: Option<String>) -> Self {
        Error::OAuth {
            code,
            message: message.into(),
            hint,
        }
    }

    /// This error, with the server's challenge for the sign-in that fixes it.
    pub fn with_challenge(self, challenge: String) -> Self {
        Error::SignInRequired {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
            challenge,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid { .. } => ErrorCode::InvalidInput,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::InUse { .. } => ErrorCode::InUse,
            Error::VaultLocked { .. } => ErrorCode::VaultLocked,
            Error::VaultUnavailable { .. } => ErrorCode::VaultUnavailable,
            Error::DatabaseTooNew { .. } | Error::Database(_) | Error::Migration(_) => {
                ErrorCode::Database
            }
            Error::Io { .. } => ErrorCode::Io,
            Error::Internal(_) => ErrorCode::Internal,
            Error::OAuth { code, .. } => *code,
            Error::InsufficientScope { .. } => ErrorCode::InsufficientScope,
            Error::SignInRequired { code, .. } => *code,
            Error::TokenRequestFailed { .. } => ErrorCode::TokenRequestFailed,
        }
    }

    /// An error the user can do something about (exit 1), as opposed to a bug (exit 3).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Internal(_))
    }

    /// One line that tells the user how to fix it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Invalid { hint, .. } => hint.clone(),
            Error::NotFound {
                kind: Kind::Provider,
                ..
            } => Some("run `patchbay providers` to see the gallery".to_string()),
            Error::NotFound {
                kind: Kind::AccessKey,
                ..
            } => Some("run `patchbay gateway key list` to see what exists".to_string()),
            Error::NotFound {
                kind: Kind::OAuthClient,
                ..
            } => Some("run `patchbay gateway client list` to see what exists".to_string()),
            Error::NotFound {
                kind: Kind::Consent,
                ..
            } => Some("it may have expired or been answered; run `patchbay gateway consents` to see what waits".to_string()),
            Error::NotFound {
                kind: Kind::Idp,
                ..
            } => Some("run `patchbay idp list` to see what exists, or add one with `patchbay idp add`".to_string()),
            Error::NotFound { kind, .. } => Some(format!("run `patchbay {kind} list` to see what exists")),
            Error::Conflict {
                kind: Kind::AccessKey,
                ..
            } => Some("pick another name: each access key has its own".to_string()),
            Error::Conflict {
                kind: Kind::OAuthClient,
                ..
            } => Some("pick another name: each OAuth client has its own".to_string()),
            Error::Conflict {
                kind: Kind::Idp,
                ..
            } => Some("pick another name, or remove the existing one with `patchbay idp remove`".to_string()),
            Error::Conflict { kind, .. } => {
                Some(format!("pick another name, or change the existing one with `patchbay {kind} edit`"))
            }
            Error::InUse { .. } => {
                Some("point those actions at other authentication first (`patchbay action edit NAME --auth ...`) or remove them".into())
            }
            Error::VaultLocked { .. } => Some(
                "unlock your login keyring (log in to the desktop session, or run `gnome-keyring-daemon --unlock`) and try again".into(),
            ),
            Error::VaultUnavailable { .. } => Some(
                "Patchbay keeps secrets only in the OS keychain: on Linux install and start a Secret Service (gnome-keyring or KWallet) on the D-Bus session bus".into(),
            ),
            Error::DatabaseTooNew { .. } => Some("install the newer Patchbay again, or point PATCHBAY_HOME at another folder".into()),
            Error::Database(_) | Error::Migration(_) => {
                Some("another Patchbay process may hold the database; try again, and check the disk is writable".into())
            }
            Error::Io { .. } => Some("check the folder exists and is writable (PATCHBAY_HOME overrides it)".into()),
            Error::Internal(_) => Some("this is a bug in Patchbay; please report it".into()),
            Error::OAuth { hint, .. } => hint.clone(),
            Error::SignInRequired { hint, .. } => hint.clone(),
            Error::TokenRequestFailed { token, report } => Some(match &report.shape {
                Some(s) if report.status.is_some_and(|c| (200..300).contains(&c)) => format!(
                    "the response has {s}; fix the path with `patchbay token edit {token} --token-path PATH`"
                ),
                _ => format!(
                    "check the token's URL, method and fields, then `patchbay token test {token}`"
                ),
            }),
            Error::InsufficientScope { action, .. } => Some(format!(
                "connect again to grant it: `patchbay connect {action}` (`patchbay call` does this for you)"
            )),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
            field: self.field(),
        }
    }
}

/// `map_err(at(FormField::Url))`: the error of a field's validation, tagged with the field.
pub fn at(field: FormField) -> impl Fn(Error) -> Error {
    move |e| e.at(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_use_names_every_action() {
        let e = Error::InUse {
            kind: Kind::Token,
            name: "gh".into(),
            actions: vec!["a".into(), "b".into()],
        };
        assert_eq!(e.to_string(), "token 'gh' is used by actions 'a', 'b'");
        let one = Error::InUse {
            kind: Kind::Connection,
            name: "c".into(),
            actions: vec!["x".into()],
        };
        assert_eq!(one.to_string(), "connection 'c' is used by action 'x'");
        assert_eq!(one.code(), ErrorCode::InUse);
    }

    #[test]
    fn codes_serialize_snake_case() {
        let body = Error::VaultLocked { detail: "d".into() }.body();
        let json = serde_json::to_value(&body).expect("serializes");
        assert_eq!(json["code"], "vault_locked");
        assert!(
            json["message"]
                .as_str()
                .is_some_and(|m| m.contains("locked"))
        );
    }
}
