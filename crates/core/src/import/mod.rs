//! `patchbay import`: the remote MCP servers other clients already use, moved into Patchbay.
//!
//! Sources: the config files `export` writes (the same paths: [`crate::export::default_path`])
//! and mcp-remote's token store ([`mcp_remote`]). Each server entry becomes an MCP action:
//!
//! - a URL entry (`url`, `serverUrl`, Codex's `url`) keeps its URL; a token in one of its
//!   headers (`Authorization: Bearer ...`, `X-API-Key`, ...; `${VAR}` resolved from the
//!   entry's `env`) becomes a text token in the keychain that the action uses; without one the
//!   action signs in with OAuth (`patchbay connect NAME`);
//! - an `mcp-remote URL [PORT] [flags]` command becomes an OAuth action for URL with its flags
//!   mapped (`--resource`, `--disable-resource-parameter`, `--client-metadata-url`,
//!   `--static-oauth-client-info`, and a token in a `--header`); the callback port is
//!   mcp-remote's own and not carried over (Patchbay's is the `callbackPort` setting);
//! - when mcp-remote's store holds a registration and tokens for that command (its files are
//!   named by mcp-remote's hash of the URL and flags, computed here the same way), they move
//!   into the keychain as the action's grant: connected, no new sign-in. Store files nothing
//!   matches are reported.
//!
//! An entry that already reaches Patchbay (`patchbay proxy NAME`, a gateway URL), a local
//! command, and a URL an action already has (a duplicate) are reported and skipped. A file
//! that does not parse is reported with its line and column; the others are still imported.
//!
//! `rewrite` points the imported entries at Patchbay exactly as `export` writes them (the
//! same merge: comments and other entries kept, a timestamped backup, atomic replace), which
//! takes the plaintext token out of the file; the backup holding it is written 0600. The
//! store's files of a rewritten entry are deleted. A dry run reads only.

pub mod mcp_remote;
pub mod parse;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::Patchbay;
use crate::actions::{NewAction, OAuthInput};
use crate::error::{Error, Result};
use crate::export::{self, ConfigDirs, Sweep, reads_urls};
use crate::model::{
    ActionKind, AuthSpec, ExportClient, ExportEntry, ExportVia, FoundEntry, FoundKind,
    ImportFileReport, ImportForm, ImportOutcome, ImportSource, TokenAuthMethod,
};
use crate::oauth::AdoptedGrant;
use crate::tokens::NewTextToken;
use parse::{Entry, FoundToken};

/// A secret as it may be shown: its first 4 characters and its length (only its length when
/// it is short enough for 4 characters to give much of it away).
pub fn masked(s: &str) -> String {
    let n = s.chars().count();
    if n < 12 {
        return format!("({n} chars)");
    }
    let head: String = s.chars().take(4).collect();
    format!("{head}… ({n} chars)")
}

/// Where the sources are.
#[derive(Debug, Clone)]
pub struct ImportDirs {
    pub config: ConfigDirs,
    /// mcp-remote's store: `$MCP_REMOTE_CONFIG_DIR`, else `~/.mcp-auth`.
    pub mcp_remote: PathBuf,
}

impl ImportDirs {
    pub fn from_env() -> Result<Self> {
        let config = ConfigDirs::from_env()?;
        let mcp_remote = std::env::var_os(crate::env::MCP_REMOTE_CONFIG_DIR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| config.home.join(".mcp-auth"));
        Ok(ImportDirs { config, mcp_remote })
    }
}

/// What the user asked to import.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// One source, or every one.
    pub from: Option<ImportSource>,
    /// That source's file (for mcp-remote: its store's folder) instead of the default.
    pub config: Option<PathBuf>,
    pub dry_run: bool,
    /// Rewrite the imported entries to reach Patchbay this way.
    pub rewrite: Option<ExportVia>,
    /// Only these entries (`PATH#NAME`), when rewriting (the app's checkboxes).
    pub rewrite_only: Option<Vec<String>>,
    /// Only these entries (`PATH#NAME`) are taken; the others, and the store files of theirs,
    /// are left alone and not reported (the app's checkboxes).
    pub only: Option<Vec<String>>,
}

impl ImportRequest {
    /// Whether the entry `name` of the file `path` is taken.
    fn takes(&self, path: &Path, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.contains(&entry_key(path, name)))
    }
}

/// How the app names one entry of one file: `PATH#NAME` (the report's `path`, the entry's
/// `name`).
pub fn entry_key(path: &Path, name: &str) -> String {
    format!("{}#{}", path.display(), name)
}

/// What `--rewrite` will write into one file, told before it is written.
#[derive(Debug, Clone)]
pub struct RewriteNotice {
    pub client: ExportClient,
    pub path: PathBuf,
    pub entries: Vec<ExportEntry>,
}

/// A config file read (or not) for this import.
struct Scanned {
    source: ImportSource,
    path: PathBuf,
    in_scope: bool,
    entries: std::result::Result<Vec<Entry>, String>,
}

/// What became of one entry, with what a rewrite and the store need.
struct Taken {
    found: FoundEntry,
    /// The store files moved into this action.
    store: Option<String>,
}

/// The store's registration and tokens for one server, by hash.
struct Store {
    /// Each version folder and the hashes in it.
    dirs: Vec<(PathBuf, Vec<mcp_remote::StoreItem>)>,
}

impl Store {
    /// The newest folder's item of this hash that has tokens.
    fn get(&self, hash: &str) -> Option<&mcp_remote::StoreItem> {
        self.dirs
            .iter()
            .rev()
            .flat_map(|(_, items)| items.iter())
            .find(|i| i.hash == hash && i.file("tokens.json").exists())
    }
}

/// The action name an entry gets: its own name made valid, then `-2`, `-3`... when taken.
fn action_name(entry: &str, taken: &[String]) -> String {
    let mut base: String = entry
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    base = base.trim_start_matches(['.', '_', '-']).to_string();
    if base.is_empty() {
        base = "imported".into();
    }
    base.truncate(60);
    let free = |n: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if free(&base) {
        return base;
    }
    (2..)
        .map(|i| format!("{base}-{i}"))
        .find(|n| free(n))
        .unwrap_or(base)
}

/// The same server URL, however written (a trailing `/`, the host's case).
fn same_url(a: &str, b: &str) -> bool {
    let norm = |u: &str| {
        url::Url::parse(u.trim())
            .map(|p| p.to_string().trim_end_matches('/').to_string())
            .unwrap_or_else(|_| u.trim().trim_end_matches('/').to_string())
    };
    norm(a) == norm(b)
}

/// Whether an entry already reaches Patchbay: `patchbay proxy NAME`, or the local gateway.
fn is_patchbay(e: &Entry, issuer: &str) -> bool {
    let program = e
        .command
        .as_deref()
        .and_then(|c| Path::new(c).file_name())
        .and_then(|n| n.to_str());
    if matches!(program, Some("patchbay" | "patchbay.exe"))
        && e.args.first().map(String::as_str) == Some("proxy")
    {
        return true;
    }
    e.bridge.is_none()
        && e.url
            .as_deref()
            .is_some_and(|u| u.starts_with(&format!("{issuer}/")))
}

fn found(e: &Entry, outcome: ImportOutcome) -> FoundEntry {
    FoundEntry {
        name: e.name.clone(),
        kind: e.kind(),
        url: e.url.clone(),
        outcome,
        action: None,
        auth: None,
        token: None,
        signed_in: false,
        rewritable: false,
        message: None,
    }
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// mcp-remote's registration and tokens for one server, as a grant to adopt.
pub(crate) fn adopted(item: &mcp_remote::StoreItem) -> Result<AdoptedGrant> {
    let tokens = read_json(&item.file("tokens.json"))
        .ok_or_else(|| Error::invalid("its tokens.json cannot be read"))?;
    let info = read_json(&item.file("client_info.json")).ok_or_else(|| {
        Error::invalid("its client_info.json (the client registration) cannot be read")
    })?;
    let access = tokens["access_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::invalid("its tokens.json has no access token"))?;
    let client_id = info["client_id"]
        .as_str()
        .ok_or_else(|| Error::invalid("its client_info.json has no client_id"))?;
    let expires_at = tokens["expires_at"]
        .as_f64()
        .and_then(|ms| time::OffsetDateTime::from_unix_timestamp((ms / 1000.0) as i64).ok())
        .map(crate::clock::rfc3339);
    Ok(AdoptedGrant {
        client_id: client_id.to_string(),
        client_secret: info["client_secret"].as_str().map(String::from),
        auth_method: info["token_endpoint_auth_method"]
            .as_str()
            .and_then(|m| m.parse::<TokenAuthMethod>().ok()),
        access_token: access.to_string(),
        refresh_token: tokens["refresh_token"].as_str().map(String::from),
        expires_at,
        issued_at: None,
        scopes: tokens["scope"]
            .as_str()
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default(),
    })
}

impl Patchbay {
    /// Import what `req` names (see the module's documentation). `bin` is the binary proxy
    /// entries run (asked only when rewriting to proxy entries); `notice` is told what each
    /// rewrite will write before it is written. One report per file read.
    pub async fn import(
        &self,
        req: &ImportRequest,
        dirs: &ImportDirs,
        bin: impl Fn() -> Result<PathBuf>,
        mut notice: impl FnMut(&RewriteNotice),
    ) -> Result<Vec<ImportFileReport>> {
        if req.config.is_some() && req.from.is_none() {
            return Err(Error::invalid_with_hint(
                "--config names one source's file",
                "add --from SOURCE (claude-desktop, claude-code, cursor, vscode, windsurf, codex, mcp-remote)",
            ));
        }
        let in_scope = |s: ImportSource| req.from.is_none_or(|f| f == s);
        let store_scope = in_scope(ImportSource::McpRemote);
        let mut scanned = Vec::new();
        for source in ImportSource::ALL {
            let Some(client) = source.client() else {
                continue;
            };
            if !in_scope(source) && !store_scope {
                continue;
            }
            let path = match (&req.config, in_scope(source)) {
                (Some(p), true) => p.clone(),
                _ => match export::default_path(client, &dirs.config) {
                    Some(p) => p,
                    None => continue,
                },
            };
            let text = match std::fs::read(&path) {
                Ok(b) => b,
                Err(_) if !in_scope(source) || req.config.is_none() => continue,
                Err(e) => return Err(Error::io(format!("cannot read {}", path.display()), e)),
            };
            let source_name = path.display().to_string();
            let entries = String::from_utf8(text)
                .map_err(|_| format!("{source_name} is not UTF-8 text; it was left untouched"))
                .and_then(|t| parse::entries(client, &t, &source_name).map_err(|e| e.to_string()));
            scanned.push(Scanned {
                source,
                path,
                in_scope: in_scope(source),
                entries,
            });
        }
        let store_base = match (&req.config, req.from) {
            (Some(p), Some(ImportSource::McpRemote)) => p.clone(),
            _ => dirs.mcp_remote.clone(),
        };
        let store = Store {
            dirs: if store_scope {
                mcp_remote::version_dirs(&store_base)
                    .into_iter()
                    .map(|d| {
                        let items = mcp_remote::items(&d);
                        (d, items)
                    })
                    .collect()
            } else {
                Vec::new()
            },
        };

        let issuer = self.gateway_issuer();
        let actions = self.list_actions()?;
        let mut known: Vec<(String, String)> = actions
            .iter()
            .filter(|a| a.kind == ActionKind::Mcp)
            .map(|a| (a.url.clone(), a.name.clone()))
            .collect();
        let mut taken: Vec<String> = actions.into_iter().map(|a| a.name).collect();
        taken.extend(self.list_tokens()?.into_iter().map(|t| t.name));

        let mut reports = Vec::new();
        // Store hash → what became of the entry that matched it.
        let mut store_matches: HashMap<String, FoundEntry> = HashMap::new();
        for s in &scanned {
            let mut report = ImportFileReport {
                source: s.source,
                path: s.path.display().to_string(),
                found: Vec::new(),
                rewritten: false,
                backup: None,
                error: None,
            };
            let entries = match &s.entries {
                Ok(e) => e,
                Err(message) => {
                    if s.in_scope {
                        report.error = Some(message.clone());
                        reports.push(report);
                    }
                    continue;
                }
            };
            for e in entries {
                if s.in_scope && !req.takes(&s.path, &e.name) {
                    continue;
                }
                let hash = store_hash(e);
                let item = hash.as_deref().and_then(|h| store.get(h));
                if !s.in_scope && item.is_none() {
                    continue;
                }
                let t = self
                    .take(e, s, item, &issuer, &mut known, &mut taken, req.dry_run)
                    .await;
                if let Some(h) = &t.store {
                    store_matches.insert(h.clone(), t.found.clone());
                }
                if s.in_scope {
                    report.found.push(t.found);
                }
            }
            if s.in_scope {
                reports.push(report);
            }
        }

        // Rewrites, file by file.
        let mut emptied: Vec<String> = Vec::new();
        if let Some(via) = req.rewrite {
            for (report, s) in reports
                .iter_mut()
                .zip(scanned.iter().filter(|s| s.in_scope))
            {
                let Some(client) = s.source.client() else {
                    continue;
                };
                let chosen: Vec<usize> = (0..report.found.len())
                    .filter(|i| report.found[*i].rewritable)
                    .filter(|i| {
                        req.rewrite_only.as_ref().is_none_or(|only| {
                            only.contains(&entry_key(&s.path, &report.found[*i].name))
                        })
                    })
                    .collect();
                if chosen.is_empty() {
                    continue;
                }
                let gateway = via == ExportVia::Gateway && reads_urls(client);
                let mut entries = Vec::with_capacity(chosen.len());
                for i in &chosen {
                    let f = &report.found[*i];
                    let action = f.action.clone().unwrap_or_default();
                    entries.push(if gateway {
                        ExportEntry::url(
                            &f.name,
                            format!("{issuer}/a/{action}/mcp"),
                            (client == ExportClient::Codex)
                                .then(|| export::DEFAULT_KEY_ENV.to_string()),
                        )
                    } else {
                        let bin = bin()?;
                        let mut e = export::entries(&bin, std::slice::from_ref(&action))?.remove(0);
                        e.name = f.name.clone();
                        e
                    });
                }
                if req.dry_run {
                    // What the rewrite would make of each entry, and nothing written.
                    for (i, e) in chosen.iter().zip(&entries) {
                        let f = &mut report.found[*i];
                        let would = format!("--rewrite would make it `{}`", e.target());
                        f.message = Some(match f.message.take() {
                            Some(m) => format!("{m}; {would}"),
                            None => would,
                        });
                    }
                    continue;
                }
                notice(&RewriteNotice {
                    client,
                    path: s.path.clone(),
                    entries: entries.clone(),
                });
                let plan = export::plan(
                    client,
                    entries,
                    Sweep::Nothing,
                    Some(s.path.clone()),
                    None,
                    true,
                )?;
                let written = export::write_private(&plan, self.clock_now())?;
                report.rewritten = written.written;
                report.backup = written.backup;
                if written.written {
                    for i in &chosen {
                        let f = &report.found[*i];
                        if let Some(h) = store_matches
                            .iter()
                            .find(|(_, m)| m.signed_in && m.name == f.name && m.action == f.action)
                            .map(|(h, _)| h.clone())
                        {
                            emptied.push(h);
                        }
                    }
                }
            }
        }

        // The store: one report per version folder.
        for (dir, items) in &store.dirs {
            let mut report = ImportFileReport {
                source: ImportSource::McpRemote,
                path: dir.display().to_string(),
                found: Vec::new(),
                rewritten: false,
                backup: None,
                error: None,
            };
            for item in items {
                let matched = store_matches.get(&item.hash);
                // Another version folder's copy of a sign-in that moved: it goes with it.
                let older = store.get(&item.hash).is_some_and(|i| i.dir != *dir);
                if matched.is_none() && req.only.is_some() {
                    // Only some entries were chosen: the files of the others stay unreported.
                    continue;
                }
                let mut f = match matched {
                    Some(m) => FoundEntry {
                        name: item.hash.clone(),
                        kind: FoundKind::TokenStore,
                        rewritable: false,
                        ..m.clone()
                    },
                    None => FoundEntry {
                        name: item.hash.clone(),
                        kind: FoundKind::TokenStore,
                        url: None,
                        outcome: ImportOutcome::Error,
                        action: None,
                        auth: None,
                        token: None,
                        signed_in: false,
                        rewritable: false,
                        message: Some(
                            "no config entry matches these files (mcp-remote names them by a hash of the server URL and its flags): import the entry that runs mcp-remote for them, or name its file with --from CLIENT --config PATH".into(),
                        ),
                    },
                };
                if matched.is_some() && older {
                    f.message = Some(
                        "another mcp-remote version's copy of this sign-in (the newest one with tokens moved)"
                            .into(),
                    );
                }
                if matched.is_some() && emptied.contains(&item.hash) {
                    for file in &item.files {
                        std::fs::remove_file(file).map_err(|e| {
                            Error::io(format!("cannot remove {}", file.display()), e)
                        })?;
                    }
                    report.rewritten = true;
                    f.message = Some("its files were removed from the store".into());
                }
                report.found.push(f);
            }
            reports.push(report);
        }
        Ok(reports)
    }

    /// One entry: classified, then imported (or, in a dry run, what would be).
    #[allow(clippy::too_many_arguments)]
    async fn take(
        &self,
        e: &Entry,
        s: &Scanned,
        item: Option<&mcp_remote::StoreItem>,
        issuer: &str,
        known: &mut Vec<(String, String)>,
        taken: &mut Vec<String>,
        dry_run: bool,
    ) -> Taken {
        let none = |f| Taken {
            found: f,
            store: None,
        };
        if is_patchbay(e, issuer) {
            return none(found(e, ImportOutcome::PatchbayEntry));
        }
        let Some(url) = e.url.clone() else {
            return none(found(e, ImportOutcome::NotRemote));
        };
        let mut f = found(e, ImportOutcome::Error);
        f.rewritable = true;
        if let Some((_, name)) = known.iter().find(|(u, _)| same_url(u, &url)) {
            f.outcome = ImportOutcome::Duplicate;
            f.action = Some(name.clone());
            f.message = Some(format!("action '{name}' has this URL already"));
            return Taken {
                found: f,
                store: item.map(|i| i.hash.clone()),
            };
        }
        if let Err(err) = crate::validate::url("MCP server URL", &url) {
            f.rewritable = false;
            f.message = Some(err.to_string());
            return none(f);
        }
        let mut notes: Vec<String> = Vec::new();
        let token = match parse::token_of(e) {
            Ok(t) => t,
            Err(why) => {
                notes.push(why);
                None
            }
        };
        if token.is_none()
            && let Some(var) = &e.bearer_env
        {
            notes.push(format!("it reads its token from ${var}, which is not in the file: add it with `patchbay token add` and `patchbay action edit NAME --auth token:TOKEN`"));
        }
        let name = action_name(&e.name, taken);
        taken.push(name.clone());
        let token_name = token.as_ref().map(|_| {
            let n = action_name(&format!("{name}-token"), taken);
            taken.push(n.clone());
            n
        });
        let oauth = token.is_none();
        let mut input = OAuthInput::default();
        if let Some(b) = &e.bridge {
            if let Some(p) = b.callback_port {
                notes.push(format!("mcp-remote's callback port {p} is its own: Patchbay signs in on its callbackPort setting"));
            }
            if !b.ignored.is_empty() {
                notes.push(format!("not carried over: {}", b.ignored.join(", ")));
            }
            if oauth {
                input.resource_override = b.resource.clone();
                input.omit_resource = b.omit_resource.then_some(true);
                input.client_metadata_url = b.client_metadata_url.clone();
                if let Some(info) = &b.static_client_info {
                    match static_client(info, e) {
                        Ok((id, secret)) => {
                            input.client_id = Some(id);
                            input.client_secret = secret.map(SecretString::from);
                        }
                        Err(why) => notes.push(why),
                    }
                }
            }
        }
        f.action = Some(name.clone());
        f.auth = Some(if oauth { "oauth" } else { "token" }.into());
        f.token = token_name.clone();
        let store_hash = item.map(|i| i.hash.clone());
        let signs_in = oauth && item.is_some();
        known.push((url.clone(), name.clone()));
        if dry_run {
            f.outcome = ImportOutcome::WouldImport;
            f.signed_in = signs_in;
            f.message = (!notes.is_empty()).then(|| notes.join("; "));
            return Taken {
                found: f,
                store: store_hash,
            };
        }
        let result = self
            .create(
                e,
                s,
                &name,
                &url,
                token.as_ref(),
                token_name.as_deref(),
                input,
            )
            .await;
        match result {
            Ok(()) => {
                f.outcome = ImportOutcome::Imported;
                if signs_in && let Some(item) = item {
                    match adopted(item) {
                        Ok(g) => match self.adopt_grant(&name, g).await {
                            Ok(_) => f.signed_in = true,
                            Err(err) => notes.push(format!("mcp-remote's sign-in could not be moved ({err}): sign in with `patchbay connect {name}`")),
                        },
                        Err(err) => notes.push(format!("mcp-remote's sign-in could not be read ({err}): sign in with `patchbay connect {name}`")),
                    }
                } else if oauth {
                    notes.push(format!("sign in with `patchbay connect {name}`"));
                }
            }
            Err(err) => {
                known.pop();
                f.rewritable = false;
                notes.push(err.to_string());
            }
        }
        f.message = (!notes.is_empty()).then(|| notes.join("; "));
        Taken {
            found: f,
            store: store_hash,
        }
    }

    /// The text token (when there is one), then the action; the token goes when the action
    /// cannot be added.
    #[allow(clippy::too_many_arguments)]
    async fn create(
        &self,
        e: &Entry,
        s: &Scanned,
        name: &str,
        url: &str,
        token: Option<&FoundToken>,
        token_name: Option<&str>,
        oauth: OAuthInput,
    ) -> Result<()> {
        let from = format!("imported from {} ({})", s.source.label(), s.path.display());
        let auth = match (token, token_name) {
            (Some(t), Some(n)) => {
                self.add_text_token(NewTextToken {
                    name: n.to_string(),
                    description: Some(format!("{from}, entry '{}'", e.name)),
                    value: SecretString::from(t.value.clone()),
                    prefix: t.prefix.clone(),
                    header_name: t.header.clone(),
                })?;
                AuthSpec::Token(n.to_string())
            }
            _ => AuthSpec::OAuth,
        };
        let added = self.add_action(NewAction {
            name: name.to_string(),
            url: url.to_string(),
            auth: Some(auth),
            oauth,
            description: Some(from),
            ..Default::default()
        });
        if let Err(err) = added {
            if let Some(n) = token_name {
                let _ = self.remove_token(n);
            }
            return Err(err);
        }
        Ok(())
    }
}

impl Patchbay {
    /// The app's Import card, before the user chooses: a dry run of every source (the files
    /// under this process's `HOME`, `XDG_CONFIG_HOME`, `CODEX_HOME`, `MCP_REMOTE_CONFIG_DIR`).
    pub async fn import_scan(&self) -> Result<Vec<ImportFileReport>> {
        let req = ImportRequest {
            dry_run: true,
            ..Default::default()
        };
        self.import(&req, &ImportDirs::from_env()?, export::app_binary, |_| {})
            .await
    }

    /// The app's Import button: the entries the user checked, and the rewrites of the ones
    /// checked for it (proxy entries run the `patchbay` command installed next to the app).
    pub async fn import_chosen(&self, form: ImportForm) -> Result<Vec<ImportFileReport>> {
        let mut only = form.entries;
        only.extend(form.rewrite.iter().cloned());
        let req = ImportRequest {
            rewrite: (!form.rewrite.is_empty()).then_some(form.via),
            rewrite_only: Some(form.rewrite),
            only: Some(only),
            ..Default::default()
        };
        self.import(&req, &ImportDirs::from_env()?, export::app_binary, |_| {})
            .await
    }
}

/// The hash mcp-remote names this entry's store files by: its command's, or for a URL entry
/// the URL's alone (`mcp-remote URL` without flags).
fn store_hash(e: &Entry) -> Option<String> {
    match (&e.bridge, &e.url) {
        (Some(b), _) => Some(mcp_remote::server_url_hash(b)),
        (None, Some(u)) => Some(mcp_remote::server_url_hash(&mcp_remote::Args {
            url: u.clone(),
            ..Default::default()
        })),
        _ => None,
    }
}

/// `--static-oauth-client-info`: inline JSON (`${VAR}` from the entry's env) or `@FILE`.
fn static_client(raw: &str, e: &Entry) -> std::result::Result<(String, Option<String>), String> {
    let text = match raw.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file)
            .map_err(|err| format!("cannot read the static client info {file}: {err}"))?,
        None => raw.to_string(),
    };
    let text = parse::substitute(&text, &e.env).map_err(|var| {
        format!("the static client info reads ${{{var}}}, which is not in the file")
    })?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|_| "the static client info is not JSON".to_string())?;
    let id = v["client_id"]
        .as_str()
        .ok_or("the static client info has no client_id")?;
    Ok((
        id.to_string(),
        v["client_secret"].as_str().map(String::from),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_valid_and_unique() {
        let taken = vec!["docs".to_string(), "Docs-2".to_string()];
        assert_eq!(action_name("docs", &taken), "docs-3");
        assert_eq!(action_name("My Server (prod)", &taken), "My-Server--prod-");
        assert_eq!(action_name("@@@", &taken), "imported");
        assert_eq!(action_name("-x", &[]), "x");
    }

    #[test]
    fn urls_compare_as_servers() {
        assert!(same_url("https://A.example/mcp/", "https://a.example/mcp"));
        assert!(!same_url("https://a.example/mcp", "https://a.example/sse"));
    }

    #[test]
    fn secrets_are_masked() {
        assert_eq!(masked("abcdefghijklmnop"), "abcd… (16 chars)");
        assert_eq!(masked("k-1"), "(3 chars)");
    }
}
