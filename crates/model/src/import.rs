//! Importing remote MCP servers (and their tokens) from other MCP clients' config files and
//! from mcp-remote's token store: the sources and the report (`patchbay import --json`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where `patchbay import` looks: a client's config file, or mcp-remote's token store.
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
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ImportSource {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    Vscode,
    Windsurf,
    Codex,
    McpRemote,
}

impl ImportSource {
    pub const ALL: [ImportSource; 7] = [
        ImportSource::ClaudeDesktop,
        ImportSource::ClaudeCode,
        ImportSource::Cursor,
        ImportSource::Vscode,
        ImportSource::Windsurf,
        ImportSource::Codex,
        ImportSource::McpRemote,
    ];

    /// The client whose config file this is (`None` for mcp-remote's store).
    pub fn client(self) -> Option<crate::ExportClient> {
        use crate::ExportClient as C;
        Some(match self {
            ImportSource::ClaudeDesktop => C::ClaudeDesktop,
            ImportSource::ClaudeCode => C::ClaudeCode,
            ImportSource::Cursor => C::Cursor,
            ImportSource::Vscode => C::Vscode,
            ImportSource::Windsurf => C::Windsurf,
            ImportSource::Codex => C::Codex,
            ImportSource::McpRemote => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self.client() {
            Some(c) => c.label(),
            None => "mcp-remote",
        }
    }
}

/// What an entry is.
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
pub enum FoundKind {
    /// A remote server by its URL (Streamable HTTP or SSE).
    Http,
    /// A command running `mcp-remote URL ...`.
    McpRemote,
    /// Any other command (a local server): not imported.
    Stdio,
    /// Files of mcp-remote's token store (a registration and tokens for one server).
    TokenStore,
}

/// What importing did (or would do) with an entry.
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
pub enum ImportOutcome {
    /// It is now an action (with its token, or its sign-in, when it had one).
    Imported,
    /// A dry run: it would become an action.
    WouldImport,
    /// An action with the same URL exists already: skipped.
    Duplicate,
    /// It already goes through Patchbay (`patchbay proxy` or the gateway).
    PatchbayEntry,
    /// A local command, not a remote server.
    NotRemote,
    /// It could not be imported (the message says why).
    Error,
}

/// One entry found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FoundEntry {
    /// The entry's name in the file (for the token store: the hash its files are named by).
    pub name: String,
    pub kind: FoundKind,
    /// The server's URL (`null` for a local command, and for store files nothing matches).
    pub url: Option<String>,
    pub outcome: ImportOutcome,
    /// The action it became, would become, or duplicates.
    pub action: Option<String>,
    /// How it authenticates once imported: `none`, `token` (a token found in a header or an
    /// environment value: `token` names the text token), `oauth` (signs in), or `oauth`
    /// with `signedIn` (mcp-remote's registration and tokens moved over).
    pub auth: Option<String>,
    /// The text token made from a plaintext token (never its value).
    pub token: Option<String>,
    pub signed_in: bool,
    /// Whether `--rewrite` can point this entry at Patchbay.
    pub rewritable: bool,
    /// Why it was skipped or failed, or what the user should know (a flag not carried over).
    pub message: Option<String>,
}

/// One file `patchbay import` read (`--json` prints an array of these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportFileReport {
    pub source: ImportSource,
    /// The config file (for mcp-remote: its store's folder).
    pub path: String,
    pub found: Vec<FoundEntry>,
    /// Whether the file was rewritten to go through Patchbay (or, for the store, its
    /// imported files removed).
    pub rewritten: bool,
    /// The copy of the previous file (0600: it holds the plaintext tokens).
    pub backup: Option<String>,
    /// Why the file could not be read (with its line and column when it does not parse).
    pub error: Option<String>,
}

/// What the app's Import card asks once the user chose: the entries to import and the ones
/// to rewrite (each as `PATH#NAME`, the report's `path` and the entry's `name`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportForm {
    /// The entries to take (the others are left alone and not reported); a duplicate named
    /// here is only rewritten (to its existing action) when `rewrite` names it too.
    pub entries: Vec<String>,
    /// The entries to rewrite to go through Patchbay (a subset of `entries`).
    pub rewrite: Vec<String>,
    /// How rewritten entries reach Patchbay.
    pub via: crate::ExportVia,
}
