//! `patchbay export`: the entries that let a local MCP client reach Patchbay's MCP actions
//! through `patchbay proxy NAME`, in each client's own config format, and their merge into
//! the client's config file without losing anything else written there.
//!
//! An entry runs the Patchbay binary by its absolute path with the arguments
//! `proxy NAME`: no shell, no environment, no secret (the proxy fetches the action's
//! credentials itself, from the keychain, for every request).
//!
//! Where each client reads its MCP servers, from its documentation:
//!
//! | client | user config file | key | entry | documentation |
//! |---|---|---|---|---|
//! | `claude-desktop` | macOS `~/Library/Application Support/Claude/claude_desktop_config.json`, Windows `%APPDATA%\Claude\claude_desktop_config.json`, Linux `~/.config/Claude/claude_desktop_config.json` | `mcpServers` | `{command, args}` | <https://modelcontextprotocol.io/docs/develop/connect-local-servers>, <https://modelcontextprotocol.io/quickstart/user> |
//! | `claude-code` | `~/.claude.json` (user scope; `.mcp.json` in a project is the same shape) | `mcpServers` | `{type: "stdio", command, args, env: {}}` | <https://code.claude.com/docs/en/mcp> |
//! | `cursor` | `~/.cursor/mcp.json` (project: `.cursor/mcp.json`) | `mcpServers` | `{command, args}` | <https://cursor.com/docs/mcp> |
//! | `vscode` | user `mcp.json`: Linux `~/.config/Code/User/mcp.json`, macOS `~/Library/Application Support/Code/User/mcp.json`, Windows `%APPDATA%\Code\User\mcp.json` (workspace: `.vscode/mcp.json`); JSONC | `servers` | `{type: "stdio", command, args}` | <https://code.visualstudio.com/docs/copilot/reference/mcp-configuration> |
//! | `windsurf` | `~/.codeium/windsurf/mcp_config.json` (Windows `%USERPROFILE%\.codeium\windsurf\mcp_config.json`) | `mcpServers` | `{command, args}` | <https://docs.windsurf.com/windsurf/cascade/mcp> |
//! | `codex` | `~/.codex/config.toml` (`$CODEX_HOME/config.toml` when set; project: `.codex/config.toml`); TOML | `[mcp_servers.NAME]` | `command`, `args` | <https://developers.openai.com/codex/mcp> |
//! | `generic` | none: a `{"mcpServers": {...}}` snippet to paste | `mcpServers` | `{command, args}` | <https://modelcontextprotocol.io/docs/develop/connect-local-servers> |
//!
//! The user config folder is the platform's (`dirs::config_dir`: `$XDG_CONFIG_HOME` or
//! `~/.config` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).
//!
//! Merging keeps every other entry and key. JSON files are read as JSONC (comments and
//! trailing commas are accepted in every client's file, since people write them) through a
//! concrete syntax tree, so comments, key order and indentation survive; TOML goes through
//! `toml_edit`, which keeps comments and layout. A file that does not parse is refused and
//! left untouched. Writing keeps a timestamped backup of the previous bytes, then replaces
//! the file atomically (a temporary file in the same folder, renamed over it) with the
//! file's permissions.

mod merge;
#[cfg(test)]
mod tests;
mod write;

pub use merge::merge;
pub use write::{plan, write};

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstRootNode};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::Patchbay;
use crate::error::{Error, Result};
use crate::model::ActionKind;
pub use crate::model::{ChangeKind, EntryChange, ExportClient, ExportEntry, ExportReport};

/// Overrides the binary the entries run (tests, packagers installing elsewhere).
pub use crate::env::EXPORT_BIN as BIN_ENV;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Toml,
}

/// A client as the user names it (`claude-desktop`, ...).
pub fn parse_client(s: &str) -> Result<ExportClient> {
    s.parse().map_err(|_| {
        let all: Vec<&str> = ExportClient::ALL.iter().map(|c| c.as_str()).collect();
        Error::invalid_with_hint(
            format!("unknown MCP client '{}'", crate::validate::printable(s)),
            format!("use one of: {}", all.join(", ")),
        )
    })
}

fn format(client: ExportClient) -> Format {
    match client {
        ExportClient::Codex => Format::Toml,
        _ => Format::Json,
    }
}

/// The client's user config file on this machine (`None` for `generic`, which has none).
pub fn default_path(client: ExportClient, dirs: &ConfigDirs) -> Option<PathBuf> {
    let home = &dirs.home;
    Some(match client {
        ExportClient::ClaudeDesktop => dirs
            .config
            .join("Claude")
            .join("claude_desktop_config.json"),
        ExportClient::ClaudeCode => home.join(".claude.json"),
        ExportClient::Cursor => home.join(".cursor").join("mcp.json"),
        ExportClient::Vscode => dirs.config.join("Code").join("User").join("mcp.json"),
        ExportClient::Windsurf => home
            .join(".codeium")
            .join("windsurf")
            .join("mcp_config.json"),
        ExportClient::Codex => dirs
            .codex_home
            .clone()
            .unwrap_or_else(|| home.join(".codex"))
            .join("config.toml"),
        ExportClient::Generic => return None,
    })
}

/// One entry as this client's JSON wants it, keys in the order they are written.
fn json_entry(client: ExportClient, e: &ExportEntry) -> Vec<(String, CstInputValue)> {
    let args = CstInputValue::Array(e.args.iter().map(|a| a.as_str().into()).collect());
    let mut fields: Vec<(String, CstInputValue)> = Vec::new();
    if matches!(client, ExportClient::ClaudeCode | ExportClient::Vscode) {
        fields.push(("type".into(), "stdio".into()));
    }
    fields.push(("command".into(), e.command.as_str().into()));
    fields.push(("args".into(), args));
    if client == ExportClient::ClaudeCode {
        fields.push(("env".into(), CstInputValue::Object(Vec::new())));
    }
    fields
}

/// The same entry as a JSON value, to compare with what a file already has.
fn json_entry_value(client: ExportClient, e: &ExportEntry) -> serde_json::Value {
    let mut v = serde_json::json!({ "command": e.command, "args": e.args });
    if matches!(client, ExportClient::ClaudeCode | ExportClient::Vscode) {
        v["type"] = "stdio".into();
    }
    if client == ExportClient::ClaudeCode {
        v["env"] = serde_json::json!({});
    }
    v
}

/// The folders client config files live under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDirs {
    /// The user's home folder (`%USERPROFILE%` on Windows).
    pub home: PathBuf,
    /// The platform's user config folder: `$XDG_CONFIG_HOME` or `~/.config` (Linux),
    /// `~/Library/Application Support` (macOS), `%APPDATA%` (Windows).
    pub config: PathBuf,
    /// `$CODEX_HOME`, where Codex keeps its `config.toml` when set.
    pub codex_home: Option<PathBuf>,
}

impl ConfigDirs {
    /// This user's folders, from the environment.
    pub fn from_env() -> Result<Self> {
        let home = dirs::home_dir().ok_or_else(|| {
            Error::invalid_with_hint(
                "cannot find your home folder",
                "name the client's config file with --config PATH",
            )
        })?;
        let config = dirs::config_dir().unwrap_or_else(|| home.join(".config"));
        let codex_home = std::env::var_os("CODEX_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Ok(ConfigDirs {
            home,
            config,
            codex_home,
        })
    }
}

/// The binary entries run: `PATCHBAY_EXPORT_BIN` when set (it must be absolute), else this
/// process's own executable, canonicalized.
pub fn resolve_binary(
    override_bin: Option<OsString>,
    current_exe: std::io::Result<PathBuf>,
) -> Result<PathBuf> {
    if let Some(bin) = override_bin.filter(|b| !b.is_empty()) {
        let path = PathBuf::from(bin);
        if !path.is_absolute() {
            return Err(Error::invalid_with_hint(
                format!(
                    "{BIN_ENV} must be an absolute path, not '{}'",
                    path.display()
                ),
                "MCP clients start the command without a shell or your PATH: give the full path of the patchbay binary",
            ));
        }
        return Ok(path);
    }
    let exe =
        current_exe.map_err(|e| Error::io("cannot find the patchbay binary's own path", e))?;
    exe.canonicalize()
        .map_err(|e| Error::io(format!("cannot resolve {}", exe.display()), e))
}

/// The entries for these actions, each running `BIN proxy NAME`.
pub fn entries(bin: &Path, names: &[String]) -> Result<Vec<ExportEntry>> {
    let command = bin
        .to_str()
        .ok_or_else(|| {
            Error::invalid_with_hint(
                format!(
                    "the path of the patchbay binary is not valid UTF-8: {}",
                    bin.display()
                ),
                format!("install patchbay under a UTF-8 path, or set {BIN_ENV}"),
            )
        })?
        .to_string();
    Ok(names
        .iter()
        .map(|n| ExportEntry {
            name: n.clone(),
            command: command.clone(),
            args: vec!["proxy".into(), n.clone()],
        })
        .collect())
}

/// The entries in the client's format, as a document of their own: the JSON object with the
/// client's servers key, or the Codex TOML tables.
pub fn snippet(client: ExportClient, entries: &[ExportEntry]) -> String {
    // A fresh document never fails to merge; the fallback only keeps this infallible.
    merge(client, "", entries, "snippet")
        .map(|m| m.text)
        .unwrap_or_default()
}

/// A config file's text after the merge, and what happened to each entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub changes: Vec<EntryChange>,
}

/// What an export will do, computed before anything is written (so the commands can be
/// shown first).
#[derive(Debug, Clone)]
pub struct ExportPlan {
    pub client: ExportClient,
    pub path: Option<PathBuf>,
    pub entries: Vec<ExportEntry>,
    pub snippet: String,
    /// What writing would do to the file as it is now.
    pub changes: Vec<EntryChange>,
    /// Why the current file cannot be merged into (only when not planning to write; a plan
    /// to write refuses such a file).
    pub problem: Option<String>,
}

impl ExportPlan {
    /// The report of an export that writes nothing.
    pub fn report(&self) -> ExportReport {
        ExportReport {
            client: self.client,
            path: self.path.as_ref().map(|p| p.display().to_string()),
            entries: self.entries.clone(),
            snippet: self.snippet.clone(),
            written: false,
            backup: None,
            changes: self.changes.clone(),
        }
    }
}

impl Patchbay {
    /// The actions to export, by their stored names: these (each must exist, be an MCP
    /// action and be enabled), or every enabled MCP action when none are named.
    pub fn export_names(&self, names: &[String]) -> Result<Vec<String>> {
        if names.is_empty() {
            let all: Vec<String> = self
                .list_actions()?
                .into_iter()
                .filter(|a| a.enabled && a.kind == ActionKind::Mcp)
                .map(|a| a.name)
                .collect();
            if all.is_empty() {
                return Err(Error::invalid_with_hint(
                    "there is no enabled MCP action to export",
                    "add one with `patchbay action add NAME --url URL`, or enable one with `patchbay action enable NAME`",
                ));
            }
            return Ok(all);
        }
        let mut out: Vec<String> = Vec::with_capacity(names.len());
        for n in names {
            let a = self.get_action(n)?;
            if a.kind == ActionKind::Http {
                return Err(Error::invalid_with_hint(
                    format!(
                        "action '{}' is an HTTP action: it has no MCP server for a client to reach through `patchbay proxy`",
                        a.name
                    ),
                    "export MCP actions only; call HTTP actions with `patchbay call NAME`",
                ));
            }
            if !a.enabled {
                return Err(Error::invalid_with_hint(
                    format!(
                        "action '{}' is disabled, so its proxy would refuse every request",
                        a.name
                    ),
                    format!("enable it first with `patchbay action enable {}`", a.name),
                ));
            }
            if !out.contains(&a.name) {
                out.push(a.name);
            }
        }
        Ok(out)
    }

    /// The desktop app's Export screen: the entries for `names` (every enabled MCP action
    /// when empty) in `client`'s format, written into its config file when `write`. The
    /// entries run the `patchbay` CLI installed next to the app (or `PATCHBAY_EXPORT_BIN`).
    pub fn export_from_app(
        &self,
        client: ExportClient,
        names: &[String],
        write: bool,
    ) -> Result<ExportReport> {
        let cli = std::env::current_exe()
            .map(|app| app.with_file_name(format!("patchbay{}", std::env::consts::EXE_SUFFIX)));
        if std::env::var_os(BIN_ENV).is_none()
            && let Ok(p) = &cli
            && !p.exists()
        {
            return Err(Error::invalid_with_hint(
                format!(
                    "the patchbay command is not installed next to the app ({})",
                    p.display()
                ),
                "install Patchbay from its package (it puts both in place), or set PATCHBAY_EXPORT_BIN to the patchbay binary",
            ));
        }
        let bin = resolve_binary(std::env::var_os(BIN_ENV), cli)?;
        let names = self.export_names(names)?;
        let plan = plan(client, entries(&bin, &names)?, None, None, write)?;
        if write {
            self.write_export(&plan)
        } else {
            Ok(plan.report())
        }
    }

    /// [`write`] with the time from this context's clock (for the backup's name).
    pub fn write_export(&self, plan: &ExportPlan) -> Result<ExportReport> {
        write(plan, self.clock.now())
    }
}
