//! `patchbay export`: the entries that let a local MCP client reach Patchbay's actions, in
//! each client's own config format, and their merge into the client's config file without
//! losing anything else written there.
//!
//! An entry reaches Patchbay one of two ways ([`ExportVia`]):
//!
//! - `proxy` (the default): it runs the Patchbay binary by its absolute path with the
//!   arguments `proxy NAME`: no shell, no environment, no secret (the proxy fetches the
//!   action's credentials itself, from the keychain, for every request).
//! - `gateway`: a URL entry for the local gateway (the issuer, `http://127.0.0.1:PORT`, asked
//!   of the context): without names one entry named `patchbay` for `/mcp` (every action),
//!   else one per action for `/a/NAME/mcp`. No secret either: VS Code, Claude Code, Cursor
//!   and Windsurf sign in through the browser at the gateway's OAuth server; Codex reads an
//!   access key from an environment variable it is told the name of (`PATCHBAY_GATEWAY_KEY`
//!   unless `--key-env` says otherwise; export never creates a key). Claude Desktop does not
//!   read local URL entries and `generic` has no URL form every client reads: both keep proxy
//!   entries, with a note. Writing gateway entries takes out the `patchbay proxy` entries of
//!   the same actions (of every action, for `/mcp`): an entry whose command is a program
//!   named `patchbay` and whose arguments are `proxy NAME`.
//!
//! Where each client reads its MCP servers, from its documentation:
//!
//! | client | user config file | key | proxy entry | URL entry | documentation |
//! |---|---|---|---|---|---|
//! | `claude-desktop` | macOS `~/Library/Application Support/Claude/claude_desktop_config.json`, Windows `%APPDATA%\Claude\claude_desktop_config.json`, Linux `~/.config/Claude/claude_desktop_config.json` | `mcpServers` | `{command, args}` | none (proxy kept) | <https://modelcontextprotocol.io/docs/develop/connect-local-servers>, <https://modelcontextprotocol.io/quickstart/user> |
//! | `claude-code` | `~/.claude.json` (user scope; `.mcp.json` in a project is the same shape) | `mcpServers` | `{type: "stdio", command, args, env: {}}` | `{type: "http", url}` | <https://code.claude.com/docs/en/mcp> |
//! | `cursor` | `~/.cursor/mcp.json` (project: `.cursor/mcp.json`) | `mcpServers` | `{command, args}` | `{url}` | <https://cursor.com/docs/mcp> |
//! | `vscode` | user `mcp.json`: Linux `~/.config/Code/User/mcp.json`, macOS `~/Library/Application Support/Code/User/mcp.json`, Windows `%APPDATA%\Code\User\mcp.json` (workspace: `.vscode/mcp.json`); JSONC | `servers` | `{type: "stdio", command, args}` | `{type: "http", url}` | <https://code.visualstudio.com/docs/copilot/reference/mcp-configuration> |
//! | `windsurf` | `~/.codeium/windsurf/mcp_config.json` (Windows `%USERPROFILE%\.codeium\windsurf\mcp_config.json`) | `mcpServers` | `{command, args}` | `{serverUrl}` | <https://docs.windsurf.com/windsurf/cascade/mcp> |
//! | `codex` | `~/.codex/config.toml` (`$CODEX_HOME/config.toml` when set; project: `.codex/config.toml`); TOML | `[mcp_servers.NAME]` | `command`, `args` | `url`, `bearer_token_env_var` | <https://developers.openai.com/codex/mcp> |
//! | `generic` | none: a `{"mcpServers": {...}}` snippet to paste | `mcpServers` | `{command, args}` | none (proxy kept) | <https://modelcontextprotocol.io/docs/develop/connect-local-servers> |
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
pub(crate) use merge::{line_column, parse_error, parse_jsonc};
pub(crate) use write::write_private;
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
pub use crate::model::{
    ChangeKind, EntryChange, ExportClient, ExportEntry, ExportReport, ExportVia,
};

/// Overrides the binary the entries run (tests, packagers installing elsewhere).
pub use crate::env::EXPORT_BIN as BIN_ENV;
/// The variable a Codex gateway entry reads its access key from, unless told another.
pub use crate::env::GATEWAY_KEY as DEFAULT_KEY_ENV;

/// The name of the one gateway entry for `/mcp` (every action).
pub const GATEWAY_ENTRY: &str = "patchbay";

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

/// Whether the client reads URL entries for a local server (else a gateway export keeps
/// proxy entries for it).
pub fn reads_urls(client: ExportClient) -> bool {
    !matches!(client, ExportClient::ClaudeDesktop | ExportClient::Generic)
}

/// A value in an entry, as each format writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field<'a> {
    Text(&'a str),
    List(&'a [String]),
    /// `{}` (Claude Code's `env`).
    EmptyMap,
}

/// One entry as this client's file wants it, keys in the order they are written.
fn fields(client: ExportClient, e: &ExportEntry) -> Vec<(&'static str, Field<'_>)> {
    use ExportClient::*;
    let mut out = Vec::new();
    if let Some(url) = &e.url {
        match client {
            ClaudeCode | Vscode => {
                out.push(("type", Field::Text("http")));
                out.push(("url", Field::Text(url)));
            }
            Windsurf => out.push(("serverUrl", Field::Text(url))),
            Cursor | Codex | ClaudeDesktop | Generic => out.push(("url", Field::Text(url))),
        }
        if let Some(var) = &e.key_env {
            out.push(("bearer_token_env_var", Field::Text(var)));
        }
        return out;
    }
    if matches!(client, ClaudeCode | Vscode) {
        out.push(("type", Field::Text("stdio")));
    }
    out.push((
        "command",
        Field::Text(e.command.as_deref().unwrap_or_default()),
    ));
    out.push(("args", Field::List(e.args.as_deref().unwrap_or_default())));
    if client == ClaudeCode {
        out.push(("env", Field::EmptyMap));
    }
    out
}

/// One entry as this client's JSON wants it.
fn json_entry(client: ExportClient, e: &ExportEntry) -> Vec<(String, CstInputValue)> {
    fields(client, e)
        .into_iter()
        .map(|(k, f)| {
            let v = match f {
                Field::Text(t) => t.into(),
                Field::List(l) => {
                    CstInputValue::Array(l.iter().map(|a| a.as_str().into()).collect())
                }
                Field::EmptyMap => CstInputValue::Object(Vec::new()),
            };
            (k.to_string(), v)
        })
        .collect()
}

/// The same entry as a JSON value, to compare with what a file already has.
fn json_entry_value(client: ExportClient, e: &ExportEntry) -> serde_json::Value {
    let map = fields(client, e)
        .into_iter()
        .map(|(k, f)| {
            let v = match f {
                Field::Text(t) => serde_json::json!(t),
                Field::List(l) => serde_json::json!(l),
                Field::EmptyMap => serde_json::json!({}),
            };
            (k.to_string(), v)
        })
        .collect();
    serde_json::Value::Object(map)
}

/// The action a `patchbay proxy` entry serves: its command is a program named `patchbay`
/// (in any folder) and its arguments are `proxy NAME`.
fn proxied_action<'a>(command: Option<&str>, args: Option<Vec<&'a str>>) -> Option<&'a str> {
    let program = Path::new(command?).file_name()?.to_str()?;
    if program != "patchbay" && program != "patchbay.exe" {
        return None;
    }
    match args?.as_slice() {
        ["proxy", name] => Some(name),
        _ => None,
    }
}

/// Which `patchbay proxy` entries an export takes out of the file (the gateway entries
/// replace them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sweep {
    /// None (a proxy export).
    Nothing,
    /// Those of these actions (names compared case-insensitively).
    Actions(Vec<String>),
    /// Every one (the gateway's `/mcp` serves every action).
    Every,
}

impl Sweep {
    fn takes(&self, action: &str) -> bool {
        match self {
            Sweep::Nothing => false,
            Sweep::Actions(names) => names.iter().any(|n| n.eq_ignore_ascii_case(action)),
            Sweep::Every => true,
        }
    }
}

/// `--key-env`: an environment variable's name, `[A-Za-z_][A-Za-z0-9_]*`.
pub fn key_env(s: &str) -> Result<String> {
    let mut chars = s.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(Error::invalid_with_hint(
            format!(
                "--key-env must name an environment variable, not '{}'",
                crate::validate::printable(s)
            ),
            format!("letters, digits and '_', not starting with a digit, e.g. {DEFAULT_KEY_ENV}"),
        ));
    }
    Ok(s.to_string())
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
        let codex_home = std::env::var_os(crate::env::CODEX_HOME)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Ok(ConfigDirs {
            home,
            config,
            codex_home,
        })
    }
}

/// The binary proxy entries written from the app run: `PATCHBAY_EXPORT_BIN`, else the
/// `patchbay` command installed next to the app (an error saying so when it is not there).
pub fn app_binary() -> Result<PathBuf> {
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
    resolve_binary(std::env::var_os(BIN_ENV), cli)
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
    let command = bin.to_str().ok_or_else(|| {
        Error::invalid_with_hint(
            format!(
                "the path of the patchbay binary is not valid UTF-8: {}",
                bin.display()
            ),
            format!("install patchbay under a UTF-8 path, or set {BIN_ENV}"),
        )
    })?;
    Ok(names
        .iter()
        .map(|n| ExportEntry::proxy(n, command))
        .collect())
}

/// The gateway's URL entries at `issuer` (`http://127.0.0.1:PORT`): one named `patchbay`
/// for `/mcp` when `names` is empty, else one per action for `/a/NAME/mcp`; each reads its
/// access key from `key_env` when given (Codex).
pub fn gateway_entries(issuer: &str, names: &[String], key_env: Option<&str>) -> Vec<ExportEntry> {
    let key_env = key_env.map(String::from);
    if names.is_empty() {
        return vec![ExportEntry::url(
            GATEWAY_ENTRY,
            format!("{issuer}/mcp"),
            key_env,
        )];
    }
    names
        .iter()
        .map(|n| ExportEntry::url(n, format!("{issuer}/a/{n}/mcp"), key_env.clone()))
        .collect()
}

/// The entries in the client's format, as a document of their own: the JSON object with the
/// client's servers key, or the Codex TOML tables.
pub fn snippet(client: ExportClient, entries: &[ExportEntry]) -> String {
    // A fresh document never fails to merge; the fallback only keeps this infallible.
    merge(client, "", entries, &Sweep::Nothing, "snippet")
        .map(|m| m.text)
        .unwrap_or_default()
}

/// A config file's text after the merge, and what happened to each entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub changes: Vec<EntryChange>,
}

/// What the user asked to export: the CLI's arguments, the Export screen's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub client: ExportClient,
    /// The actions (none: every enabled MCP action, or the gateway's `/mcp`).
    pub names: Vec<String>,
    pub via: ExportVia,
    /// Codex through the gateway: the variable its access key is read from (default
    /// [`DEFAULT_KEY_ENV`]); refused anywhere else.
    pub key_env: Option<String>,
    /// Another config file than the client's user file.
    pub config: Option<PathBuf>,
    pub write: bool,
}

/// What an export will do, computed before anything is written (so the commands can be
/// shown first).
#[derive(Debug, Clone)]
pub struct ExportPlan {
    pub client: ExportClient,
    /// `gateway` when the entries are URL entries.
    pub via: ExportVia,
    pub path: Option<PathBuf>,
    pub entries: Vec<ExportEntry>,
    /// The `patchbay proxy` entries writing takes out.
    pub sweep: Sweep,
    pub snippet: String,
    /// What writing would do to the file as it is now.
    pub changes: Vec<EntryChange>,
    /// Why the current file cannot be merged into (only when not planning to write; a plan
    /// to write refuses such a file).
    pub problem: Option<String>,
    /// What the user should know to make the entries work.
    pub notes: Vec<String>,
    /// What stands in the way (the gateway is off).
    pub warnings: Vec<String>,
}

impl ExportPlan {
    /// The report of an export that writes nothing.
    pub fn report(&self) -> ExportReport {
        ExportReport {
            client: self.client,
            via: self.via,
            path: self.path.as_ref().map(|p| p.display().to_string()),
            entries: self.entries.clone(),
            snippet: self.snippet.clone(),
            written: false,
            backup: None,
            changes: self.changes.clone(),
            notes: self.notes.clone(),
            warnings: self.warnings.clone(),
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
        self.named_for_export(names, ExportVia::Proxy)
    }

    /// The actions to export through the gateway, by their stored names: these (each must
    /// exist and be enabled; MCP and HTTP actions alike, since the gateway serves both), or
    /// none for the one `/mcp` entry.
    pub fn gateway_export_names(&self, names: &[String]) -> Result<Vec<String>> {
        self.named_for_export(names, ExportVia::Gateway)
    }

    /// The named actions' stored names, once each; each must exist and be enabled, and be an
    /// MCP action for the proxy.
    fn named_for_export(&self, names: &[String], via: ExportVia) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::with_capacity(names.len());
        for n in names {
            let a = self.get_action(n)?;
            if via == ExportVia::Proxy && a.kind == ActionKind::Http {
                return Err(Error::invalid_with_hint(
                    format!(
                        "action '{}' is an HTTP action: it has no MCP server for a client to reach through `patchbay proxy`",
                        a.name
                    ),
                    "export MCP actions only, or reach it through the gateway (--via gateway, for a client that reads URL entries); call HTTP actions with `patchbay call NAME`",
                ));
            }
            if !a.enabled {
                let why = match via {
                    ExportVia::Proxy => "its proxy would refuse every request",
                    ExportVia::Gateway => "the gateway serves none of its tools",
                };
                return Err(Error::invalid_with_hint(
                    format!("action '{}' is disabled, so {why}", a.name),
                    format!("enable it first with `patchbay action enable {}`", a.name),
                ));
            }
            if !out.contains(&a.name) {
                out.push(a.name);
            }
        }
        Ok(out)
    }

    /// What an export will do, before anything is written: the request checked, its entries
    /// (proxy entries run `bin()`, asked only when there are some), the changes to the file as
    /// it is now, and the notes and warnings for the user.
    pub fn export_plan(
        &self,
        req: &ExportRequest,
        bin: impl FnOnce() -> Result<PathBuf>,
    ) -> Result<ExportPlan> {
        let client = req.client;
        let gateway = req.via == ExportVia::Gateway && reads_urls(client);
        let key_env = match (&req.key_env, req.via) {
            (Some(_), ExportVia::Proxy) => {
                return Err(Error::invalid_with_hint(
                    "--key-env goes with --via gateway: a proxy entry needs no key",
                    "add --via gateway, or leave --key-env out",
                ));
            }
            (Some(_), ExportVia::Gateway) if client != ExportClient::Codex => {
                return Err(Error::invalid_with_hint(
                    format!(
                        "--key-env is for Codex only: {} needs no access key",
                        client.label()
                    ),
                    if gateway {
                        "it signs in through the browser at the gateway: leave --key-env out"
                    } else {
                        "its entries run `patchbay proxy NAME`: leave --key-env out"
                    },
                ));
            }
            (Some(v), ExportVia::Gateway) => Some(key_env(v)?),
            (None, _) if gateway && client == ExportClient::Codex => {
                Some(DEFAULT_KEY_ENV.to_string())
            }
            (None, _) => None,
        };
        let (mut notes, mut warnings) = (Vec::new(), Vec::new());
        let (entries, sweep) = if gateway {
            let issuer = self.gateway_issuer();
            let names = self.gateway_export_names(&req.names)?;
            if let Some(var) = &key_env {
                let actions = if names.is_empty() {
                    "'*'".to_string()
                } else {
                    names.join(",")
                };
                notes.push(format!(
                    "Codex sends the gateway access key from the environment variable {var}: make one with `patchbay gateway key add codex --actions {actions}` and set {var} to it where Codex starts (export never creates a key)"
                ));
            }
            if !self.settings().gateway_enabled && self.gateway_serving().ok().flatten().is_none() {
                warnings.push(format!(
                    "the gateway is off, so {} cannot connect to {issuer} yet: turn it on in the app's Gateway screen (or `patchbay settings set gatewayEnabled true`), or run `patchbay gateway serve`",
                    client.label()
                ));
            }
            if names.is_empty() && !self.list_actions()?.iter().any(|a| a.enabled) {
                warnings.push(
                    "no action is enabled: the gateway serves no tool until you add or enable one"
                        .into(),
                );
            }
            let sweep = if names.is_empty() {
                Sweep::Every
            } else {
                Sweep::Actions(names.clone())
            };
            (gateway_entries(&issuer, &names, key_env.as_deref()), sweep)
        } else {
            if req.via == ExportVia::Gateway {
                notes.push(match client {
                    ExportClient::ClaudeDesktop => "Claude Desktop does not read local URL entries: its entries run `patchbay proxy NAME` instead (they need no gateway)".to_string(),
                    _ => {
                        let issuer = self.gateway_issuer();
                        format!(
                            "the generic snippet keeps `patchbay proxy NAME` entries, which every MCP client can start; a client that takes a URL can reach the gateway at {issuer}/mcp (every action) or {issuer}/a/NAME/mcp"
                        )
                    }
                });
            }
            let names = self.export_names(&req.names)?;
            (entries(&bin()?, &names)?, Sweep::Nothing)
        };
        let mut plan = plan(client, entries, sweep, req.config.clone(), None, req.write)?;
        plan.notes = notes;
        plan.warnings = warnings;
        Ok(plan)
    }

    /// The desktop app's Export screen: the entries for `names` (every enabled MCP action
    /// when empty, or the gateway's `/mcp`) in `client`'s format, written into its config file
    /// when `write`. Proxy entries run the `patchbay` CLI installed next to the app (or
    /// `PATCHBAY_EXPORT_BIN`).
    pub fn export_from_app(
        &self,
        client: ExportClient,
        names: &[String],
        via: ExportVia,
        write: bool,
    ) -> Result<ExportReport> {
        let req = ExportRequest {
            client,
            names: names.to_vec(),
            via,
            key_env: None,
            config: None,
            write,
        };
        let plan = self.export_plan(&req, app_binary)?;
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
