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

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstRootNode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::macros::format_description;
use ts_rs::TS;

use crate::Patchbay;
use crate::error::{Error, Result};
use crate::model::ActionKind;

/// Overrides the binary the entries run (tests, packagers installing elsewhere).
pub use crate::env::EXPORT_BIN as BIN_ENV;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Toml,
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

    /// A client as the user names it (`claude-desktop`, ...).
    pub fn parse(s: &str) -> Result<Self> {
        s.parse().map_err(|_| {
            let all: Vec<&str> = Self::ALL.iter().map(|c| c.as_str()).collect();
            Error::invalid_with_hint(
                format!("unknown MCP client '{}'", crate::validate::printable(s)),
                format!("use one of: {}", all.join(", ")),
            )
        })
    }

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

    fn format(self) -> Format {
        match self {
            ExportClient::Codex => Format::Toml,
            _ => Format::Json,
        }
    }

    /// The client's user config file on this machine (`None` for `generic`, which has none).
    pub fn default_path(self, dirs: &ConfigDirs) -> Option<PathBuf> {
        let home = &dirs.home;
        Some(match self {
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
    fn json_entry(self, e: &ExportEntry) -> Vec<(String, CstInputValue)> {
        let args = CstInputValue::Array(e.args.iter().map(|a| a.as_str().into()).collect());
        let mut fields: Vec<(String, CstInputValue)> = Vec::new();
        if matches!(self, ExportClient::ClaudeCode | ExportClient::Vscode) {
            fields.push(("type".into(), "stdio".into()));
        }
        fields.push(("command".into(), e.command.as_str().into()));
        fields.push(("args".into(), args));
        if self == ExportClient::ClaudeCode {
            fields.push(("env".into(), CstInputValue::Object(Vec::new())));
        }
        fields
    }

    /// The same entry as a JSON value, to compare with what a file already has.
    fn json_entry_value(self, e: &ExportEntry) -> serde_json::Value {
        let mut v = serde_json::json!({ "command": e.command, "args": e.args });
        if matches!(self, ExportClient::ClaudeCode | ExportClient::Vscode) {
            v["type"] = "stdio".into();
        }
        if self == ExportClient::ClaudeCode {
            v["env"] = serde_json::json!({});
        }
        v
    }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::IntoStaticStr)]
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

as_str!(ChangeKind, ExportClient);

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

/// Merge the entries into a config file's text (`""` for a file that does not exist yet):
/// every other entry and key, and the comments and layout, stay as they were; an entry of
/// the same name is replaced. `source` names the file in errors.
pub fn merge(
    client: ExportClient,
    text: &str,
    entries: &[ExportEntry],
    source: &str,
) -> Result<Merged> {
    // A byte order mark (editors on Windows write one) is kept, outside the parsers.
    const BOM: char = '\u{feff}';
    let (bom, body) = match text.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut merged = match client.format() {
        Format::Json => merge_json(client, body, entries, source),
        Format::Toml => merge_toml(body, entries, source),
    }?;
    if bom {
        merged.text.insert(0, BOM);
    }
    Ok(merged)
}

fn parse_error(source: &str, line: usize, column: usize, what: &str) -> Error {
    Error::invalid_with_hint(
        format!(
            "cannot parse {source}: {what} at line {line}, column {column}; it was left untouched"
        ),
        "fix the file (or move it away) and export again",
    )
}

fn shape_error(source: &str, what: String) -> Error {
    Error::invalid_with_hint(
        format!("cannot merge into {source}: {what}; it was left untouched"),
        "fix the file (or move it away) and export again",
    )
}

/// JSON as the clients read it: comments and trailing commas (JSONC, what VS Code writes
/// and people add to the others), nothing looser (a missing comma is an error, not a guess).
fn json_options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

fn merge_json(
    client: ExportClient,
    text: &str,
    entries: &[ExportEntry],
    source: &str,
) -> Result<Merged> {
    // Whitespace alone is a new file (and so gets the snippet's layout).
    let text = if text.trim().is_empty() { "" } else { text };
    let root = CstRootNode::parse(text, &json_options()).map_err(|e| {
        parse_error(
            source,
            e.line_display(),
            e.column_display(),
            &e.kind().to_string(),
        )
    })?;
    let top = match root.value() {
        None => root.object_value_or_set(),
        Some(v) => v
            .as_object()
            .ok_or_else(|| shape_error(source, "the top level is not a JSON object".into()))?,
    };
    let key = client.servers_key();
    let servers = top
        .object_value_or_create(key)
        .ok_or_else(|| shape_error(source, format!("\"{key}\" is not an object")))?;
    let mut changes = Vec::with_capacity(entries.len());
    for e in entries {
        let change = match servers.get(&e.name) {
            Some(prop) => {
                let current = prop.value().and_then(|v| v.to_serde_value());
                if current.as_ref() == Some(&client.json_entry_value(e)) {
                    ChangeKind::Unchanged
                } else {
                    prop.set_value(CstInputValue::Object(client.json_entry(e)));
                    ChangeKind::Updated
                }
            }
            None => {
                servers.append(&e.name, CstInputValue::Object(client.json_entry(e)));
                ChangeKind::Added
            }
        };
        changes.push(EntryChange {
            name: e.name.clone(),
            change,
        });
    }
    let mut out = root.to_string();
    if !out.ends_with('\n') && (text.is_empty() || text.ends_with('\n')) {
        out.push('\n');
    }
    Ok(Merged { text: out, changes })
}

fn toml_args(e: &ExportEntry) -> toml_edit::Array {
    e.args.iter().map(|a| a.as_str()).collect()
}

fn toml_matches(t: &dyn toml_edit::TableLike, e: &ExportEntry) -> bool {
    let args: Option<Vec<&str>> = t
        .get("args")
        .and_then(|a| a.as_array())
        .and_then(|a| a.iter().map(|v| v.as_str()).collect());
    t.len() == 2
        && t.get("command").and_then(|c| c.as_str()) == Some(e.command.as_str())
        && args.is_some_and(|a| a.iter().copied().eq(e.args.iter().map(String::as_str)))
}

fn fill_toml(t: &mut dyn toml_edit::TableLike, e: &ExportEntry) {
    t.clear();
    t.insert("command", toml_edit::value(e.command.as_str()));
    t.insert("args", toml_edit::value(toml_args(e)));
}

fn merge_toml(text: &str, entries: &[ExportEntry], source: &str) -> Result<Merged> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let at = e.span().map(|s| s.start).unwrap_or(0);
        let (line, column) = line_column(text, at);
        parse_error(source, line, column, e.message().trim())
    })?;
    let key = ExportClient::Codex.servers_key();
    let root = doc.as_table_mut();
    if !root.contains_key(key) {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        root.insert(key, toml_edit::Item::Table(t));
    }
    let servers = root
        .get_mut(key)
        .and_then(|i| i.as_table_like_mut())
        .ok_or_else(|| shape_error(source, format!("\"{key}\" is not a table")))?;
    let mut changes = Vec::with_capacity(entries.len());
    for e in entries {
        let change = match servers.get_mut(&e.name) {
            Some(item) => {
                if item.as_table_like().is_some_and(|t| toml_matches(t, e)) {
                    ChangeKind::Unchanged
                } else {
                    match item.as_table_like_mut() {
                        // Replaced in place: its position and the comments above it stay.
                        Some(t) => fill_toml(t, e),
                        None => *item = new_toml_table(e),
                    }
                    ChangeKind::Updated
                }
            }
            None => {
                servers.insert(&e.name, new_toml_table(e));
                ChangeKind::Added
            }
        };
        changes.push(EntryChange {
            name: e.name.clone(),
            change,
        });
    }
    Ok(Merged {
        text: doc.to_string(),
        changes,
    })
}

fn new_toml_table(e: &ExportEntry) -> toml_edit::Item {
    let mut t = toml_edit::Table::new();
    fill_toml(&mut t, e);
    toml_edit::Item::Table(t)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(at.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
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

/// Plan an export of `entries` for `client`. `config` overrides the client's file;
/// `dirs` finds the default one. With `write`, a file that cannot be parsed is an error
/// (nothing has been written yet).
pub fn plan(
    client: ExportClient,
    entries: Vec<ExportEntry>,
    config: Option<PathBuf>,
    dirs: Option<&ConfigDirs>,
    write: bool,
) -> Result<ExportPlan> {
    let path = if client == ExportClient::Generic {
        if write || config.is_some() {
            return Err(Error::invalid_with_hint(
                "the generic format has no config file to write",
                "paste the snippet into your client's config, or choose its --client (claude-desktop, claude-code, cursor, vscode, windsurf, codex)",
            ));
        }
        None
    } else {
        match config {
            Some(p) => Some(p),
            None => {
                let dirs = match dirs {
                    Some(d) => d.clone(),
                    None => ConfigDirs::from_env()?,
                };
                client.default_path(&dirs)
            }
        }
    };
    let snippet = snippet(client, &entries);
    let (mut changes, mut problem) = (Vec::new(), None);
    if let Some(p) = &path {
        let source = p.display().to_string();
        let merged = read_text(p)
            .and_then(|text| merge(client, text.as_deref().unwrap_or(""), &entries, &source));
        match merged {
            Ok(m) => changes = m.changes,
            Err(e) if write => return Err(e),
            Err(e) => problem = Some(e.to_string()),
        }
    }
    Ok(ExportPlan {
        client,
        path,
        entries,
        snippet,
        changes,
        problem,
    })
}

/// A config file's text, `None` when it does not exist.
fn read_text(path: &Path) -> Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            Error::invalid_with_hint(
                format!(
                    "{} is not UTF-8 text; it was left untouched",
                    path.display()
                ),
                "fix the file (or move it away) and export again",
            )
        }),
        // No such file, or a folder on its way is a file: nothing to merge with (creating
        // the folders when writing says what is wrong, if anything).
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// Write a planned export into its config file: the file is read again and merged (it may
/// have changed since the plan), a timestamped backup of its previous bytes is kept, and the
/// new text replaces it atomically with the same permissions. Parent folders are created
/// for a new file. A file that already holds exactly these entries is not touched.
pub fn write(plan: &ExportPlan, now: OffsetDateTime) -> Result<ExportReport> {
    let Some(path) = &plan.path else {
        return Err(Error::invalid(
            "the generic format has no config file to write",
        ));
    };
    // Through a symlink (dotfile managers), the file it points at is the one to replace.
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)
            .map_err(|e| Error::io(format!("cannot follow the link {}", path.display()), e))?,
        _ => path.clone(),
    };
    let source = path.display().to_string();
    let original = read_text(&target)?;
    let merged = merge(
        plan.client,
        original.as_deref().unwrap_or(""),
        &plan.entries,
        &source,
    )?;
    let mut report = plan.report();
    report.changes = merged.changes.clone();
    if original.as_deref() == Some(merged.text.as_str()) {
        return Ok(report);
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let permissions = match &original {
        Some(_) => Some(
            fs::metadata(&target)
                .map_err(|e| Error::io(format!("cannot read {}", target.display()), e))?
                .permissions(),
        ),
        None => None,
    };
    if let (Some(text), Some(perms)) = (&original, &permissions) {
        let backup = write_backup(&target, text.as_bytes(), perms, now)?;
        report.backup = Some(backup.display().to_string());
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".patchbay-export-")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(format!("cannot create a file in {}", dir.display()), e))?;
    let io_err = |e| Error::io(format!("cannot write {}", target.display()), e);
    tmp.write_all(merged.text.as_bytes()).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    if let Some(perms) = permissions {
        fs::set_permissions(tmp.path(), perms).map_err(io_err)?;
    }
    tmp.persist(&target).map_err(|e| io_err(e.error))?;
    report.written = true;
    Ok(report)
}

/// `FILE.patchbay-backup-YYYYMMDDTHHMMSSZ` beside the file (`-2`, `-3`... when that name is
/// taken), with the file's permissions.
fn write_backup(
    target: &Path,
    bytes: &[u8],
    perms: &fs::Permissions,
    now: OffsetDateTime,
) -> Result<PathBuf> {
    let stamp = now
        .to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .map_err(|e| Error::Internal(format!("cannot format the backup time: {e}")))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "config".into());
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let backup = target.with_file_name(format!("{name}.patchbay-backup-{stamp}{suffix}"));
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        match opts.open(&backup) {
            Ok(mut f) => {
                let io_err = |e| Error::io(format!("cannot write {}", backup.display()), e);
                f.write_all(bytes).map_err(io_err)?;
                f.sync_all().map_err(io_err)?;
                fs::set_permissions(&backup, perms.clone()).map_err(io_err)?;
                return Ok(backup);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::io(
                    format!("cannot create the backup {}", backup.display()),
                    e,
                ));
            }
        }
    }
    Err(Error::invalid(format!(
        "too many backups of {} for this second",
        target.display()
    )))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::{Value, json};
    use time::macros::datetime;

    const BIN: &str = "/opt/patchbay/bin/patchbay";

    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/export")
            .join(name);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
    }

    fn two() -> Vec<ExportEntry> {
        entries(Path::new(BIN), &["linear".into(), "github".into()]).expect("entries")
    }

    /// JSONC text → JSON value (comments and trailing commas allowed).
    fn jsonc(text: &str) -> Value {
        CstRootNode::parse(text, &json_options())
            .expect("parses as JSONC")
            .to_serde_value()
            .unwrap_or(Value::Null)
    }

    fn changes(m: &Merged) -> Vec<(&str, ChangeKind)> {
        m.changes
            .iter()
            .map(|c| (c.name.as_str(), c.change))
            .collect()
    }

    #[test]
    fn entries_run_the_proxy_by_absolute_path() {
        let e = two();
        assert_eq!(e[0].command, BIN);
        assert_eq!(e[0].args, vec!["proxy", "linear"]);
        assert_eq!(e[1].command_line(), format!("{BIN} proxy github"));
    }

    #[test]
    fn snippets_have_each_clients_shape() {
        let e = two();
        let plain = json!({"command": BIN, "args": ["proxy", "linear"]});
        for (client, key, entry) in [
            (ExportClient::ClaudeDesktop, "mcpServers", plain.clone()),
            (ExportClient::Cursor, "mcpServers", plain.clone()),
            (ExportClient::Windsurf, "mcpServers", plain.clone()),
            (ExportClient::Generic, "mcpServers", plain.clone()),
            (
                ExportClient::ClaudeCode,
                "mcpServers",
                json!({"type": "stdio", "command": BIN, "args": ["proxy", "linear"], "env": {}}),
            ),
            (
                ExportClient::Vscode,
                "servers",
                json!({"type": "stdio", "command": BIN, "args": ["proxy", "linear"]}),
            ),
        ] {
            let s = snippet(client, &e);
            // Plain JSON, pasteable anywhere.
            let v: Value = serde_json::from_str(&s)
                .unwrap_or_else(|err| panic!("{client:?} snippet is JSON ({err}): {s}"));
            assert_eq!(v.as_object().map(|o| o.len()), Some(1), "{s}");
            assert_eq!(v[key]["linear"], entry, "{client:?}: {s}");
            assert_eq!(v[key]["github"]["args"], json!(["proxy", "github"]));
            assert!(s.ends_with("}\n"), "{s:?}");
        }
        // The type comes first, as the clients' documentation writes it.
        let code = snippet(ExportClient::ClaudeCode, &e);
        assert!(
            code.find("\"type\"") < code.find("\"command\""),
            "type before command: {code}"
        );

        let toml = snippet(ExportClient::Codex, &e);
        assert_eq!(
            toml,
            format!(
                "[mcp_servers.linear]\ncommand = \"{BIN}\"\nargs = [\"proxy\", \"linear\"]\n\n[mcp_servers.github]\ncommand = \"{BIN}\"\nargs = [\"proxy\", \"github\"]\n"
            )
        );
    }

    #[test]
    fn claude_desktop_merge_keeps_other_servers_and_preferences() {
        let text = fixture("claude_desktop_config.json");
        let m = merge(ExportClient::ClaudeDesktop, &text, &two(), "f").expect("merge");
        assert_eq!(
            changes(&m),
            vec![("linear", ChangeKind::Added), ("github", ChangeKind::Added)]
        );
        let before: Value = serde_json::from_str(&text).expect("json");
        let after: Value = serde_json::from_str(&m.text).expect("still plain JSON");
        assert_eq!(after["preferences"], before["preferences"]);
        assert_eq!(
            after["mcpServers"]["filesystem"],
            before["mcpServers"]["filesystem"]
        );
        assert_eq!(
            after["mcpServers"]["linear"],
            json!({"command": BIN, "args": ["proxy", "linear"]})
        );
        // The untouched part of the file is byte for byte the same.
        let head = &text[..text.find("    }\n  },").expect("end of filesystem")];
        assert!(m.text.starts_with(head), "{}", m.text);
        assert!(
            m.text
                .contains("\n  \"preferences\": {\n    \"sidebarMode\": \"chat\",")
        );
    }

    #[test]
    fn vscode_merge_keeps_comments_trailing_commas_and_inputs() {
        let text = fixture("vscode-mcp.json");
        let m = merge(ExportClient::Vscode, &text, &two(), "f").expect("merge");
        for kept in [
            "// Inputs are prompted on first start and stored securely by VS Code.",
            "/* The Perplexity server, started with npx. */",
            "// A remote server.",
            "\"PERPLEXITY_API_KEY\": \"${input:perplexity-key}\"",
        ] {
            assert!(m.text.contains(kept), "lost {kept:?}:\n{}", m.text);
        }
        let after = jsonc(&m.text);
        let before = jsonc(&text);
        assert_eq!(after["inputs"], before["inputs"]);
        assert_eq!(
            after["servers"]["Perplexity"],
            before["servers"]["Perplexity"]
        );
        assert_eq!(after["servers"]["fetch"], before["servers"]["fetch"]);
        assert_eq!(
            after["servers"]["github"],
            json!({"type": "stdio", "command": BIN, "args": ["proxy", "github"]})
        );
        // The file's trailing-comma style goes on.
        assert!(m.text.trim_end().ends_with("},\n  },\n}"), "{}", m.text);
    }

    #[test]
    fn cursor_and_windsurf_merges_keep_every_other_entry() {
        for (client, file) in [
            (ExportClient::Cursor, "cursor-mcp.json"),
            (ExportClient::Windsurf, "windsurf-mcp_config.json"),
        ] {
            let text = fixture(file);
            let m = merge(client, &text, &two(), file).expect("merge");
            let before: Value = serde_json::from_str(&text).expect("json");
            let after: Value = serde_json::from_str(&m.text).expect("json");
            let servers = after["mcpServers"].as_object().expect("servers");
            for (name, entry) in before["mcpServers"].as_object().expect("servers") {
                assert_eq!(&servers[name], entry, "{file}: {name}");
            }
            assert_eq!(
                servers.len(),
                before["mcpServers"].as_object().map_or(0, |o| o.len()) + 2
            );
            assert_eq!(
                servers["linear"],
                json!({"command": BIN, "args": ["proxy", "linear"]})
            );
        }
    }

    #[test]
    fn claude_code_merge_writes_the_user_scope_and_keeps_projects() {
        let text = fixture("claude.json");
        let m = merge(ExportClient::ClaudeCode, &text, &two(), "f").expect("merge");
        let before: Value = serde_json::from_str(&text).expect("json");
        let after: Value = serde_json::from_str(&m.text).expect("json");
        for key in ["numStartups", "projects", "tipsHistory", "userID", "theme"] {
            assert_eq!(after[key], before[key], "{key}");
        }
        assert_eq!(
            after["mcpServers"]["linear"],
            json!({"type": "stdio", "command": BIN, "args": ["proxy", "linear"], "env": {}})
        );
        assert_eq!(
            after["mcpServers"]["sequential-thinking"],
            before["mcpServers"]["sequential-thinking"]
        );
        // Not into a project's servers.
        assert_eq!(
            after["projects"]["/home/alice/src/app"]["mcpServers"]
                .as_object()
                .map(|o| o.len()),
            Some(1)
        );
    }

    #[test]
    fn codex_merge_keeps_comments_tables_and_settings() {
        let text = fixture("codex-config.toml");
        let m = merge(ExportClient::Codex, &text, &two(), "f").expect("merge");
        assert_eq!(
            changes(&m),
            vec![("linear", ChangeKind::Added), ("github", ChangeKind::Added)]
        );
        for kept in [
            "# Codex settings, edited by hand.\nmodel = \"gpt-5-codex\"",
            "network_access = false # keep the sandbox offline",
            "# Documentation lookups.\n[mcp_servers.context7]",
            "[mcp_servers.context7.env]\nLOG_LEVEL = \"warn\"",
            "# Figma, through its desktop app.\n[mcp_servers.figma]",
            "[profiles.deep]\nmodel = \"gpt-5-codex\"\nmodel_reasoning_effort = \"high\"",
        ] {
            assert!(m.text.contains(kept), "lost {kept:?}:\n{}", m.text);
        }
        let doc: toml_edit::DocumentMut = m.text.parse().expect("valid TOML");
        assert_eq!(doc["mcp_servers"]["linear"]["command"].as_str(), Some(BIN));
        assert_eq!(
            doc["mcp_servers"]["github"]["args"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>()),
            Some(vec!["proxy", "github"])
        );
        // New servers go with the other servers, before the unrelated tables.
        let pos = |s: &str| m.text.find(s).unwrap_or_else(|| panic!("{s}: {}", m.text));
        assert!(pos("[mcp_servers.figma]") < pos("[mcp_servers.linear]"));
        assert!(
            pos("[mcp_servers.github]") < pos("[profiles.deep]"),
            "{}",
            m.text
        );
    }

    #[test]
    fn an_existing_entry_is_updated_and_a_second_run_changes_nothing() {
        let old = entries(Path::new("/usr/old/patchbay"), &["linear".into()]).expect("old");
        for (client, file) in [
            (ExportClient::ClaudeDesktop, "claude_desktop_config.json"),
            (ExportClient::ClaudeCode, "claude.json"),
            (ExportClient::Cursor, "cursor-mcp.json"),
            (ExportClient::Vscode, "vscode-mcp.json"),
            (ExportClient::Windsurf, "windsurf-mcp_config.json"),
            (ExportClient::Codex, "codex-config.toml"),
        ] {
            let first = merge(client, &fixture(file), &old, file).expect("first");
            let second = merge(client, &first.text, &two(), file).expect("second");
            assert_eq!(
                changes(&second),
                vec![
                    ("linear", ChangeKind::Updated),
                    ("github", ChangeKind::Added)
                ],
                "{file}"
            );
            assert!(
                !second.text.contains("/usr/old/patchbay"),
                "{file}: {}",
                second.text
            );
            assert_eq!(
                second.text.matches("\"linear\":").count()
                    + second.text.matches(".linear]").count(),
                1,
                "{file}: one linear entry\n{}",
                second.text
            );
            let third = merge(client, &second.text, &two(), file).expect("third");
            assert_eq!(
                changes(&third),
                vec![
                    ("linear", ChangeKind::Unchanged),
                    ("github", ChangeKind::Unchanged)
                ],
                "{file}"
            );
            assert_eq!(third.text, second.text, "{file}: nothing to change");
        }
    }

    #[test]
    fn an_updated_codex_table_keeps_its_place_and_comment() {
        let text = "# mine\n[mcp_servers.linear]\ncommand = \"old\"\nargs = []\nenabled = false\n\n[other]\nx = 1\n";
        let m = merge(ExportClient::Codex, text, &two()[..1], "f").expect("merge");
        assert_eq!(
            m.text,
            format!(
                "# mine\n[mcp_servers.linear]\ncommand = \"{BIN}\"\nargs = [\"proxy\", \"linear\"]\n\n[other]\nx = 1\n"
            )
        );
    }

    #[test]
    fn unparseable_files_are_refused_with_line_and_column() {
        let bad_json =
            "{\n  \"mcpServers\": {\n    \"x\": { \"command\": \"a\" \"args\": [] }\n  }\n}\n";
        let e =
            merge(ExportClient::Cursor, bad_json, &two(), "/tmp/mcp.json").expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        let msg = e.to_string();
        assert!(
            msg.contains("/tmp/mcp.json") && msg.contains("line 3, column"),
            "{msg}"
        );
        assert!(msg.contains("left untouched"), "{msg}");

        let bad_toml = "model = \"x\"\n[mcp_servers.a\ncommand = \"b\"\n";
        let e = merge(ExportClient::Codex, bad_toml, &two(), "config.toml").expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("line 2, column"), "{e}");

        for (client, text, what) in [
            (ExportClient::ClaudeDesktop, "[1, 2]", "top level"),
            (
                ExportClient::ClaudeDesktop,
                "{\"mcpServers\": 3}",
                "\"mcpServers\" is not an object",
            ),
            (
                ExportClient::Vscode,
                "{\"servers\": []}",
                "\"servers\" is not an object",
            ),
            (
                ExportClient::Codex,
                "mcp_servers = 3\n",
                "\"mcp_servers\" is not a table",
            ),
        ] {
            let e = merge(client, text, &two(), "f").expect_err(text);
            assert!(e.to_string().contains(what), "{text}: {e}");
        }
    }

    #[test]
    fn empty_files_and_inline_tables_are_merged() {
        let m = merge(ExportClient::Cursor, "  \n", &two(), "f").expect("merge");
        assert_eq!(
            serde_json::from_str::<Value>(&m.text).expect("json")["mcpServers"]["linear"]["args"],
            json!(["proxy", "linear"])
        );
        let m = merge(
            ExportClient::Codex,
            "mcp_servers = { other = { command = \"x\" } }\n",
            &two()[..1],
            "f",
        )
        .expect("merge");
        let doc: toml_edit::DocumentMut = m.text.parse().expect("toml");
        assert_eq!(doc["mcp_servers"]["other"]["command"].as_str(), Some("x"));
        assert_eq!(doc["mcp_servers"]["linear"]["command"].as_str(), Some(BIN));
    }

    #[test]
    fn a_byte_order_mark_is_kept() {
        for (client, text) in [
            (ExportClient::Vscode, "\u{feff}{\n  \"servers\": {}\n}\n"),
            (ExportClient::Codex, "\u{feff}model = \"x\"\n"),
        ] {
            let m = merge(client, text, &two(), "f").expect("merge");
            assert!(m.text.starts_with('\u{feff}'), "{client:?}");
            assert_eq!(m.text.matches('\u{feff}').count(), 1);
            assert!(m.text.contains("linear"));
        }
    }

    #[test]
    fn default_paths_follow_the_clients_documentation() {
        let dirs = ConfigDirs {
            home: PathBuf::from("/home/u"),
            config: PathBuf::from("/home/u/.config"),
            codex_home: None,
        };
        let p = |c: ExportClient| c.default_path(&dirs).map(|p| p.display().to_string());
        assert_eq!(
            p(ExportClient::ClaudeDesktop).as_deref(),
            Some("/home/u/.config/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            p(ExportClient::ClaudeCode).as_deref(),
            Some("/home/u/.claude.json")
        );
        assert_eq!(
            p(ExportClient::Cursor).as_deref(),
            Some("/home/u/.cursor/mcp.json")
        );
        assert_eq!(
            p(ExportClient::Vscode).as_deref(),
            Some("/home/u/.config/Code/User/mcp.json")
        );
        assert_eq!(
            p(ExportClient::Windsurf).as_deref(),
            Some("/home/u/.codeium/windsurf/mcp_config.json")
        );
        assert_eq!(
            p(ExportClient::Codex).as_deref(),
            Some("/home/u/.codex/config.toml")
        );
        assert_eq!(p(ExportClient::Generic), None);
        let mac = ConfigDirs {
            home: PathBuf::from("/Users/u"),
            config: PathBuf::from("/Users/u/Library/Application Support"),
            codex_home: Some(PathBuf::from("/Users/u/codex")),
        };
        assert_eq!(
            ExportClient::ClaudeDesktop.default_path(&mac),
            Some(PathBuf::from(
                "/Users/u/Library/Application Support/Claude/claude_desktop_config.json"
            ))
        );
        assert_eq!(
            ExportClient::Codex.default_path(&mac),
            Some(PathBuf::from("/Users/u/codex/config.toml"))
        );
        for c in ExportClient::ALL {
            assert_eq!(ExportClient::parse(c.as_str()).expect("parses"), c);
        }
        assert!(ExportClient::parse("emacs").is_err());
    }

    #[test]
    fn the_binary_is_absolute() {
        let e = resolve_binary(Some("patchbay".into()), Ok(PathBuf::from("/x")))
            .expect_err("relative refused");
        assert!(e.to_string().contains(BIN_ENV), "{e}");
        assert_eq!(
            resolve_binary(Some(BIN.into()), Err(std::io::Error::other("unused"))).expect("abs"),
            PathBuf::from(BIN)
        );
        let exe = std::env::current_exe().expect("exe");
        let resolved = resolve_binary(None, Ok(exe.clone())).expect("current exe");
        assert!(resolved.is_absolute());
        assert_eq!(resolved, exe.canonicalize().expect("canonical"));
    }

    const NOW: OffsetDateTime = datetime!(2026-11-24 08:30:05 UTC);

    #[test]
    fn write_keeps_a_backup_and_the_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("claude_desktop_config.json");
        let original = fixture("claude_desktop_config.json");
        fs::write(&path, &original).expect("write fixture");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        }
        let p = plan(
            ExportClient::ClaudeDesktop,
            two(),
            Some(path.clone()),
            None,
            true,
        )
        .expect("plan");
        assert_eq!(p.changes.len(), 2);
        let r = write(&p, NOW).expect("write");
        assert!(r.written);
        let backup = dir
            .path()
            .join("claude_desktop_config.json.patchbay-backup-20261124T083005Z");
        assert_eq!(r.backup.as_deref(), Some(backup.to_str().expect("utf8")));
        assert_eq!(fs::read_to_string(&backup).expect("backup"), original);
        let after: Value =
            serde_json::from_str(&fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(
            after["mcpServers"]["github"]["args"],
            json!(["proxy", "github"])
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o640);
            assert_eq!(mode(&backup), 0o640);
        }
        // Nothing else is left in the folder (no temporary file).
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 2);

        // Again in the same second: nothing changes, nothing is written, no new backup.
        let r = write(&p, NOW).expect("write again");
        assert!(!r.written && r.backup.is_none());
        assert!(r.changes.iter().all(|c| c.change == ChangeKind::Unchanged));
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 2);

        // A change in the same second gets a backup name of its own.
        let more = entries(Path::new(BIN), &["extra".into()]).expect("entries");
        let p2 = plan(
            ExportClient::ClaudeDesktop,
            more,
            Some(path.clone()),
            None,
            true,
        )
        .expect("plan");
        let r = write(&p2, NOW).expect("write");
        assert!(r.backup.is_some_and(|b| b.ends_with("-20261124T083005Z-2")));
    }

    #[test]
    fn write_creates_a_new_file_and_its_folders_without_a_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b/config.toml");
        let p = plan(ExportClient::Codex, two(), Some(path.clone()), None, true).expect("plan");
        let r = write(&p, NOW).expect("write");
        assert!(r.written && r.backup.is_none());
        assert_eq!(fs::read_to_string(&path).expect("read"), p.snippet);
        assert_eq!(
            fs::read_dir(path.parent().expect("dir"))
                .expect("ls")
                .count(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn write_through_a_symlink_replaces_the_linked_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("dotfiles-mcp.json");
        fs::write(&real, "{}\n").expect("write");
        let link = dir.path().join("mcp.json");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let p = plan(ExportClient::Cursor, two(), Some(link.clone()), None, true).expect("plan");
        write(&p, NOW).expect("write");
        assert!(
            fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        let v: Value =
            serde_json::from_str(&fs::read_to_string(&real).expect("read")).expect("json");
        assert_eq!(v["mcpServers"]["linear"]["command"], BIN);
    }

    #[test]
    fn an_unparseable_file_is_left_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mcp.json");
        let bad = "{ \"servers\": { // unterminated\n";
        fs::write(&path, bad).expect("write");
        let e = plan(ExportClient::Vscode, two(), Some(path.clone()), None, true)
            .expect_err("refused before anything is shown");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("line "), "{e}");
        // Without --write the snippet is still given, with the problem.
        let p = plan(ExportClient::Vscode, two(), Some(path.clone()), None, false).expect("plan");
        assert!(p.changes.is_empty() && p.problem.is_some());
        // The file changed into garbage after planning: write refuses it too.
        let e = write(&p, NOW).expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert_eq!(fs::read_to_string(&path).expect("read"), bad);
        assert_eq!(
            fs::read_dir(dir.path()).expect("ls").count(),
            1,
            "no backup"
        );
    }

    #[test]
    fn generic_has_no_file() {
        let p = plan(ExportClient::Generic, two(), None, None, false).expect("plan");
        assert_eq!(p.path, None);
        assert_eq!(p.report().path, None);
        for (config, write) in [(None, true), (Some(PathBuf::from("/tmp/x.json")), false)] {
            let e = plan(ExportClient::Generic, two(), config, None, write).expect_err("refused");
            assert_eq!(e.code(), ErrorCode::InvalidInput);
            assert!(e.to_string().contains("generic"), "{e}");
        }
    }

    #[test]
    fn the_report_has_the_contract_keys() {
        let p = plan(ExportClient::Generic, two(), None, None, false).expect("plan");
        let v = serde_json::to_value(p.report()).expect("json");
        let mut keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            vec![
                "backup", "changes", "client", "entries", "path", "snippet", "written"
            ]
        );
        assert_eq!(v["client"], "generic");
        assert_eq!(
            v["entries"][0],
            json!({"name": "linear", "command": BIN, "args": ["proxy", "linear"]})
        );
    }

    #[test]
    fn export_names_checks_each_action() {
        use crate::actions::{HttpInput, NewAction};
        let home = tempfile::tempdir().expect("tempdir");
        let pb = Patchbay::open(home.path()).expect("open");
        let add = |name: &str, http: bool, disabled: bool| {
            pb.add_action(NewAction {
                name: name.into(),
                url: "https://mcp.example.com/mcp".into(),
                http: http.then(HttpInput::default),
                auth: Some(crate::model::AuthSpec::None),
                disabled,
                ..Default::default()
            })
            .expect("add");
        };
        add("Zeta", false, false);
        add("alpha", false, false);
        add("hook", true, false);
        add("off", false, true);
        assert_eq!(pb.export_names(&[]).expect("all"), vec!["alpha", "Zeta"]);
        assert_eq!(
            pb.export_names(&["zeta".into(), "ZETA".into()])
                .expect("named"),
            vec!["Zeta"]
        );
        let e = pb.export_names(&["nope".into()]).expect_err("unknown");
        assert_eq!(e.code(), ErrorCode::NotFound);
        let e = pb.export_names(&["hook".into()]).expect_err("http");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("HTTP action"), "{e}");
        let e = pb.export_names(&["off".into()]).expect_err("disabled");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(
            e.hint()
                .is_some_and(|h| h.contains("patchbay action enable off"))
        );
    }
}
