//! The provider gallery's entries.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a provider's server signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderFlow {
    /// OAuth with discovery and dynamic client registration: nothing to register.
    Dcr,
    /// OAuth with an app the user registers at the provider (no dynamic registration).
    OwnApp,
}

/// What to register at the provider for an [`ProviderFlow::OwnApp`] provider.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwnAppSetup {
    /// Where in the provider's console the app is created.
    #[serde(rename = "where")]
    pub where_: String,
    /// The redirect URI to register (Patchbay's loopback callback).
    pub redirect_uri: String,
    /// What to fill in and copy back (client id, secret, scopes...).
    pub what: String,
}

/// One gallery entry.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// One line.
    pub description: String,
    /// The remote MCP server (Streamable HTTP).
    pub url: String,
    pub flow: ProviderFlow,
    /// Endpoints to pre-fill when discovery does not find them.
    #[serde(default)]
    pub authorization_url: Option<String>,
    #[serde(default)]
    pub token_url: Option<String>,
    /// Space-separated scopes to pre-fill.
    #[serde(default)]
    pub scopes: Option<String>,
    /// Present exactly for [`ProviderFlow::OwnApp`].
    #[serde(default)]
    pub register: Option<OwnAppSetup>,
    /// The provider's documentation of its MCP server.
    pub source: String,
    /// Caveats, and whether the URL could be confirmed.
    #[serde(default)]
    pub notes: Option<String>,
}
