//! Patchbay's wire types: what the store keeps, what the UI and `--json` see, and the
//! `{code, message, hint, field}` error contract. No I/O here: core fills these in, the CLI
//! prints them, the desktop sends them to the window, and `bindings` writes their TypeScript
//! twins into `ui/src/bindings/` (a test fails when those drift). Wire types never carry a
//! secret: where one exists, the view says only whether it is set.
//!
//! Enums stored in columns or named on the command line get `as_str` and `FromStr` through
//! strum with serde's names (a test pins that they agree).

/// `as_str` for the enums stored in columns and printed by the CLI: strum's `IntoStaticStr`,
/// the same names as serde's (`EnumString` parses them back).
macro_rules! as_str {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    )*};
}

mod action;
mod approval;
mod attention;
pub mod bindings;
mod connection;
mod doctor;
mod error;
mod export;
mod forms;
mod gateway;
mod gateway_app;
mod gateway_consent;
mod grant;
mod idp;
mod import;
mod log;
mod provider;
mod series;
mod settings;
mod status;
mod token;

pub use action::*;
pub use approval::*;
pub use attention::*;
pub use connection::*;
pub use doctor::*;
pub use error::*;
pub use export::*;
pub use forms::*;
pub use gateway::*;
pub use gateway_app::*;
pub use gateway_consent::*;
pub use grant::*;
pub use idp::*;
pub use import::*;
pub use log::*;
pub use provider::*;
pub use series::*;
pub use settings::*;
pub use status::*;
pub use token::*;

as_str!(
    ActionKind,
    AuthType,
    TokenAuthMethod,
    OAuthGrant,
    HealthStatus,
    CallbackKind,
    TokenKind,
    LogKind,
    ApprovalStatus,
    ChangeKind,
    ExportClient,
    ExportVia,
    ErrorCode,
    AttentionKind,
    ImportSource,
    FoundKind,
    ImportOutcome
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// The column and CLI names (strum) are the wire names (serde), and parse back.
    #[test]
    fn enum_strings_are_the_wire_names() {
        fn check<T>(all: &[T])
        where
            T: Copy
                + Serialize
                + std::str::FromStr
                + PartialEq
                + std::fmt::Debug
                + Into<&'static str>,
        {
            for v in all {
                let s: &'static str = (*v).into();
                assert_eq!(serde_json::to_value(v).expect("json"), serde_json::json!(s));
                assert_eq!(s.parse::<T>().ok(), Some(*v), "{s} parses back");
            }
        }
        check(&[ActionKind::Mcp, ActionKind::Http]);
        check(&[
            AuthType::None,
            AuthType::OAuth,
            AuthType::Token,
            AuthType::HttpToken,
            AuthType::Connection,
        ]);
        check(&[
            TokenAuthMethod::ClientSecretBasic,
            TokenAuthMethod::ClientSecretPost,
            TokenAuthMethod::PrivateKeyJwt,
            TokenAuthMethod::None,
        ]);
        check(&[
            OAuthGrant::AuthorizationCode,
            OAuthGrant::ClientCredentials,
            OAuthGrant::JwtBearer,
            OAuthGrant::EnterpriseManaged,
        ]);
        check(&[
            HealthStatus::Healthy,
            HealthStatus::Unhealthy,
            HealthStatus::Unknown,
        ]);
        check(&[CallbackKind::Loopback, CallbackKind::AppLink]);
        check(&[TokenKind::Text, TokenKind::HttpRequest]);
        check(&[
            LogKind::Call,
            LogKind::Test,
            LogKind::TokenFetch,
            LogKind::Refresh,
            LogKind::Connect,
            LogKind::Disconnect,
            LogKind::Health,
            LogKind::Breaker,
            LogKind::Approval,
        ]);
        check(&[
            ApprovalStatus::Pending,
            ApprovalStatus::Approved,
            ApprovalStatus::Denied,
            ApprovalStatus::Expired,
        ]);
        check(&[
            ChangeKind::Added,
            ChangeKind::Updated,
            ChangeKind::Unchanged,
            ChangeKind::Removed,
        ]);
        check(&ExportClient::ALL);
        check(&[ExportVia::Proxy, ExportVia::Gateway]);
        check(&ImportSource::ALL);
        check(&[
            FoundKind::Http,
            FoundKind::McpRemote,
            FoundKind::Stdio,
            FoundKind::TokenStore,
        ]);
        check(&[
            ImportOutcome::Imported,
            ImportOutcome::WouldImport,
            ImportOutcome::Duplicate,
            ImportOutcome::PatchbayEntry,
            ImportOutcome::NotRemote,
            ImportOutcome::Error,
        ]);
        check(&[
            ErrorCode::InvalidInput,
            ErrorCode::NeedsReconnect,
            ErrorCode::AuthRejected,
            ErrorCode::InsufficientScope,
            ErrorCode::CircuitOpen,
            ErrorCode::TokenRequestFailed,
        ]);
        check(&[
            AttentionKind::Reconnect,
            AttentionKind::Approval,
            AttentionKind::Consent,
            AttentionKind::BreakerOpen,
        ]);
        assert!("bogus".parse::<TokenKind>().is_err());
    }

    #[test]
    fn prefix_is_trimmed_and_joined_by_one_space() {
        assert_eq!(
            header_value_with_prefix(Some("Bearer   "), "abc"),
            "Bearer abc"
        );
        assert_eq!(
            header_value_with_prefix(Some("Bearer"), "abc"),
            "Bearer abc"
        );
        assert_eq!(header_value_with_prefix(Some("  "), "abc"), "abc");
        assert_eq!(header_value_with_prefix(None, "abc"), "abc");
    }

    #[test]
    fn auth_ref_serializes_as_the_cli_contract() {
        let r = AuthRef {
            kind: AuthType::HttpToken,
            reference: Some("t".into()),
        };
        assert_eq!(
            serde_json::to_value(&r).expect("json"),
            serde_json::json!({"type": "http-token", "ref": "t"})
        );
        let n = AuthRef {
            kind: AuthType::OAuth,
            reference: None,
        };
        assert_eq!(
            serde_json::to_value(&n).expect("json"),
            serde_json::json!({"type": "oauth", "ref": null})
        );
    }
}
