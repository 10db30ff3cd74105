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

/// How the exported entries reach Patchbay.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ExportVia {
    /// The client starts `patchbay proxy NAME` (stdio), one per action.
    #[default]
    Proxy,
    /// The client connects to the local gateway over HTTP: `/mcp` (every action) or
    /// `/a/NAME/mcp`.
    Gateway,
}

/// One exported entry: the command a client runs (`patchbay proxy NAME`), or the gateway URL
/// it connects to. Exactly one of the two is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportEntry {
    /// The server's name in the client: the action's name, or `patchbay` for the gateway's
    /// `/mcp`.
    pub name: String,
    /// The absolute path of the `patchbay` binary (`null` for a URL entry).
    pub command: Option<String>,
    /// `["proxy", NAME]` (`null` for a URL entry).
    pub args: Option<Vec<String>>,
    /// The gateway's `http://127.0.0.1:PORT/mcp` or `.../a/NAME/mcp` (`null` for a proxy
    /// entry).
    pub url: Option<String>,
    /// The environment variable the client reads the gateway access key from (Codex's
    /// `bearer_token_env_var`); `null` for every other entry.
    pub key_env: Option<String>,
}

impl ExportEntry {
    /// An entry that runs `BIN proxy NAME`.
    pub fn proxy(name: &str, bin: &str) -> Self {
        ExportEntry {
            name: name.to_string(),
            command: Some(bin.to_string()),
            args: Some(vec!["proxy".into(), name.to_string()]),
            url: None,
            key_env: None,
        }
    }

    /// An entry that connects to `url` (with the access key from `key_env`, for Codex).
    pub fn url(name: &str, url: String, key_env: Option<String>) -> Self {
        ExportEntry {
            name: name.to_string(),
            command: None,
            args: None,
            url: Some(url),
            key_env,
        }
    }

    /// What the client starts or reaches, as the user should see it before it is written:
    /// `BIN proxy NAME`, or the URL.
    pub fn target(&self) -> String {
        if let Some(url) = &self.url {
            return url.clone();
        }
        let mut parts: Vec<String> = self.command.iter().cloned().collect();
        parts.extend(self.args.iter().flatten().cloned());
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
    /// A `patchbay proxy` entry of an action the gateway entries now serve: taken out.
    Removed,
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
    /// How the entries reach Patchbay: `gateway` when asked for and the client reads URL
    /// entries; else `proxy` (Claude Desktop and `generic` keep proxy entries).
    pub via: ExportVia,
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
    /// Per entry: added, updated or unchanged, then each `patchbay proxy` entry the gateway
    /// entries replace: removed. Without `--write`, what writing would do to the file as it is
    /// now (empty when the file cannot be parsed).
    pub changes: Vec<EntryChange>,
    /// What the user should know to make the entries work (the access key Codex needs; why
    /// Claude Desktop keeps proxy entries).
    pub notes: Vec<String>,
    /// What stands in the way (the gateway is off).
    pub warnings: Vec<String>,
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
