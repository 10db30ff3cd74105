//! Exporting actions to the local MCP clients' config files: the clients and the report.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The MCP clients Patchbay writes entries for.
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
pub enum ExportClient {
    ClaudeDesktop,
    ClaudeCode,
    Cursor,
    Vscode,
    Windsurf,
    Codex,
    Generic,
}

/// One exported action: the command a client runs for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportEntry {
    /// The action's name, also the server's name in the client.
    pub name: String,
    /// The absolute path of the `patchbay` binary.
    pub command: String,
    /// `["proxy", NAME]`.
    pub args: Vec<String>,
}

impl ExportEntry {
    /// The command line as the user should see it before it is written: `BIN proxy NAME`.
    pub fn command_line(&self) -> String {
        let mut parts = vec![self.command.clone()];
        parts.extend(self.args.iter().cloned());
        parts.join(" ")
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ChangeKind {
    /// The file had no entry of that name.
    Added,
    /// The file had an entry of that name with other content; it was replaced.
    Updated,
    /// The file already had exactly this entry.
    Unchanged,
}

/// What writing does (or would do) to one entry of the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EntryChange {
    pub name: String,
    pub change: ChangeKind,
}

/// The result of an export (`patchbay export --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub client: ExportClient,
    /// The client's config file (`null` for `generic`).
    pub path: Option<String>,
    pub entries: Vec<ExportEntry>,
    /// The entries in the client's format, ready to paste.
    pub snippet: String,
    /// Whether the config file was written (false without `--write`, and when it already
    /// held exactly these entries).
    pub written: bool,
    /// The copy of the previous file, when one existed and was replaced.
    pub backup: Option<String>,
    /// Per entry: added, updated or unchanged. Without `--write`, what writing would do to the
    /// file as it is now (empty when the file cannot be parsed).
    pub changes: Vec<EntryChange>,
}

impl ExportClient {
    pub const ALL: [ExportClient; 7] = [
        ExportClient::ClaudeDesktop,
        ExportClient::ClaudeCode,
        ExportClient::Cursor,
        ExportClient::Vscode,
        ExportClient::Windsurf,
        ExportClient::Codex,
        ExportClient::Generic,
    ];

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            ExportClient::ClaudeDesktop => "Claude Desktop",
            ExportClient::ClaudeCode => "Claude Code",
            ExportClient::Cursor => "Cursor",
            ExportClient::Vscode => "VS Code",
            ExportClient::Windsurf => "Windsurf",
            ExportClient::Codex => "Codex",
            ExportClient::Generic => "an MCP client",
        }
    }

    /// The key (JSON) or table (TOML) that holds the servers.
    pub fn servers_key(self) -> &'static str {
        match self {
            ExportClient::Vscode => "servers",
            ExportClient::Codex => "mcp_servers",
            _ => "mcpServers",
        }
    }
}
