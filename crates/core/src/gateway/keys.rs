//! Access keys: random bearer keys `pbk_…` (256 bits) for local clients of the gateway that
//! take a fixed token (Codex's `bearer_token_env_var`, curl, a script). The key is shown once;
//! SQLite keeps its SHA-256 (hex), which is what every request is checked against, so a
//! revocation by any process applies to the next request. A hash is not a secret: the
//! gateway checks keys while the keychain is locked.
//!
//! A key opens actions by id (it survives a rename; a removed action drops out), or every
//! action present and future (`*`); `tools` limits some of those actions to some tools.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::Patchbay;
use crate::error::{Error, FormField, Kind, Result, at};
use crate::logs::{LogKind, NewLog};
use crate::model::{GatewayClient, GatewayKeyView, NewGatewayKey};
use crate::store::named;
use crate::validate;

use super::names;

/// The readable prefix of every access key.
pub const KEY_PREFIX: &str = "pbk_";

/// What a key opens, as the user asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyActions {
    /// Every action, present and future (`*`).
    All,
    /// These actions, by name.
    Named(Vec<String>),
}

/// `gateway key add`, typed.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub actions: KeyActions,
    /// `ACTION__TOOL`: limits ACTION to the tools listed for it.
    pub tools: Vec<String>,
    /// The key stops working this long after it is made.
    pub expires_in: Option<Duration>,
}

/// What a valid key opens, as the gateway checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGrant {
    pub name: String,
    /// When the key stops working (RFC 3339), if ever.
    pub expires_at: Option<String>,
    /// `None`: every action.
    pub action_ids: Option<Vec<String>>,
    /// Action id → the only tools of it the key opens.
    pub tools: BTreeMap<String, Vec<String>>,
    /// An OAuth client's token rather than an access key (`name` is then the client's).
    pub oauth_client: bool,
}

impl KeyGrant {
    /// Whether the key opens the action with this id at all.
    pub fn opens_action(&self, action_id: &str) -> bool {
        self.action_ids
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|i| i == action_id))
    }

    /// Whether the key opens `tool` of the action with this id.
    pub fn opens_tool(&self, action_id: &str, tool: &str) -> bool {
        self.opens_action(action_id)
            && self
                .tools
                .get(action_id)
                .is_none_or(|only| only.iter().any(|t| t == tool))
    }
}

/// `'*'` or `A,B` as `--actions` takes it.
pub fn parse_actions(s: &str) -> Result<KeyActions> {
    let s = s.trim();
    if s == "*" {
        return Ok(KeyActions::All);
    }
    let names: Vec<String> = s
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    if names.is_empty() {
        return Err(Error::invalid_with_hint(
            "name the actions it may use: none were given",
            "name them with --actions A,B, or --actions '*' for every action, present and future",
        )
        .at(FormField::Auth));
    }
    Ok(KeyActions::Named(names))
}

/// A new key: `pbk_` and 32 random bytes, base64url.
fn new_key() -> Result<String> {
    random_secret(KEY_PREFIX)
}

/// `prefix` and 32 random bytes, base64url: keys, client secrets, codes and tokens.
pub(super) fn random_secret(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no randomness for a key: {e}")))?;
    Ok(format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The SHA-256 of a key, hex: what SQLite keeps and requests are checked against.
pub fn key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `--actions` and `--tools` name, as stored: `'*'` or a JSON array of action ids, and
/// a JSON object {action id: [tool, ...]}. Shared by access keys and OAuth clients.
pub(super) fn resolve_scope(
    tx: &rusqlite::Connection,
    actions: &KeyActions,
    tool_names: &[String],
) -> Result<(String, String)> {
    let input_actions = actions;
    let by_name: BTreeMap<String, String> = action_names(tx)?
        .into_iter()
        .map(|(id, n)| (n.to_lowercase(), id))
        .collect();
    let find = |n: &str| -> Result<String> {
        by_name.get(&n.to_lowercase()).cloned().ok_or_else(|| {
            Error::invalid_with_hint(
                format!("there is no action '{}'", validate::printable(n)),
                "see `patchbay action list`",
            )
            .at(FormField::Auth)
        })
    };
    let ids = match input_actions {
        KeyActions::All => None,
        KeyActions::Named(list) => {
            let mut ids: Vec<String> = Vec::new();
            for n in list {
                let id = find(n)?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Some(ids)
        }
    };
    let mut tools: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in tool_names {
        let Some((action, tool)) = names::split(t) else {
            return Err(Error::invalid_with_hint(
                format!(
                    "'{}' does not name an action's tool",
                    validate::printable(t)
                ),
                "write ACTION__TOOL, e.g. --tools linear__search_issues",
            )
            .at(FormField::Auth));
        };
        let id = find(action)?;
        if ids.as_ref().is_some_and(|ids| !ids.contains(&id)) {
            return Err(Error::invalid_with_hint(
                format!("'{t}' is a tool of '{action}', which --actions leaves out"),
                format!("add {action} to --actions, or drop the tool"),
            )
            .at(FormField::Auth));
        }
        let list = tools.entry(id).or_default();
        if !list.iter().any(|x| x == tool) {
            list.push(tool.to_string());
        }
    }
    let actions_col = match &ids {
        None => "*".to_string(),
        Some(ids) => serde_json::to_string(ids)
            .map_err(|e| Error::Internal(format!("cannot encode a key's actions: {e}")))?,
    };
    let tools_col = serde_json::to_string(&tools)
        .map_err(|e| Error::Internal(format!("cannot encode a key's tools: {e}")))?;
    Ok((actions_col, tools_col))
}

/// A stored key row, before its action ids become names.
struct Row {
    name: String,
    actions: String,
    tools: String,
    created_at: String,
    expires_at: Option<String>,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
}

const SELECT: &str = "SELECT name, actions, tools, created_at, expires_at, revoked_at, last_used_at FROM gateway_keys";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        name: r.get(0)?,
        actions: r.get(1)?,
        tools: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        revoked_at: r.get(5)?,
        last_used_at: r.get(6)?,
    })
}

pub(super) fn parse_ids(actions: &str) -> Result<Option<Vec<String>>> {
    if actions == "*" {
        return Ok(None);
    }
    serde_json::from_str(actions)
        .map(Some)
        .map_err(|e| Error::Internal(format!("a gateway key's actions do not parse: {e}")))
}

pub(super) fn parse_tools(tools: &str) -> Result<BTreeMap<String, Vec<String>>> {
    serde_json::from_str(tools)
        .map_err(|e| Error::Internal(format!("a gateway key's tools do not parse: {e}")))
}

/// Action id → current name, for every action.
fn action_names(c: &rusqlite::Connection) -> Result<BTreeMap<String, String>> {
    let mut stmt = c.prepare_cached("SELECT id, name FROM actions")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<BTreeMap<String, String>>>()?;
    Ok(rows)
}

/// Stored actions and tools as names: `["*"]` or action names, and `ACTION__TOOL`s.
pub(super) fn scope_names(
    c: &rusqlite::Connection,
    actions_col: &str,
    tools_col: &str,
) -> Result<(Vec<String>, Vec<String>)> {
    let names = action_names(c)?;
    let actions = match parse_ids(actions_col)? {
        None => vec!["*".to_string()],
        Some(ids) => ids.iter().filter_map(|i| names.get(i).cloned()).collect(),
    };
    let mut tools = Vec::new();
    for (id, list) in parse_tools(tools_col)? {
        if let Some(action) = names.get(&id) {
            tools.extend(
                list.iter()
                    .map(|t| format!("{action}{}{t}", names::SEPARATOR)),
            );
        }
    }
    Ok((actions, tools))
}

fn view(c: &rusqlite::Connection, r: Row) -> Result<GatewayKeyView> {
    let (actions, tools) = scope_names(c, &r.actions, &r.tools)?;
    Ok(GatewayKeyView {
        name: r.name,
        actions,
        tools,
        created_at: r.created_at,
        last_used_at: r.last_used_at,
        expires_at: r.expires_at,
        revoked_at: r.revoked_at,
    })
}

impl Patchbay {
    /// Make an access key; the returned key is the only copy there will ever be.
    pub fn add_gateway_key(&self, input: NewKey) -> Result<NewGatewayKey> {
        let name = validate::name("access key", &input.name).map_err(at(FormField::Name))?;
        let key = new_key()?;
        let hash = key_hash(&key);
        let now = self.now();
        let expires_at = match input.expires_in {
            None => None,
            Some(d) => {
                let d = time::Duration::try_from(d).ok().filter(|d| d.is_positive());
                let at = d.and_then(|d| self.clock_now().checked_add(d));
                Some(crate::clock::rfc3339(at.ok_or_else(|| {
                    Error::invalid(
                        "the key's lifetime must be more than nothing and less than forever",
                    )
                })?))
            }
        };
        let id = uuid::Uuid::new_v4().to_string();
        self.store()
            .write(|tx| {
                named::ensure_free(tx, Kind::AccessKey, &name, None)?;
                let (actions_col, tools_col) = resolve_scope(tx, &input.actions, &input.tools)?;
                tx.execute(
                "INSERT INTO gateway_keys (id, name, hash, actions, tools, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, name, hash, actions_col, tools_col, now, expires_at],
            )?;
                let v = named::find(tx, Kind::AccessKey, SELECT, "name", &name, row)?;
                let v = view(tx, v)?;
                Ok(NewGatewayKey {
                    name: v.name,
                    key: key.clone(),
                    actions: v.actions,
                    tools: v.tools,
                    expires_at: v.expires_at,
                    created_at: v.created_at,
                })
            })
            .inspect(|k| {
                let opens = if k.actions.iter().any(|a| a == "*") {
                    "every action".to_string()
                } else {
                    k.actions.join(", ")
                };
                let until = k
                    .expires_at
                    .as_ref()
                    .map(|e| format!(", until {e}"))
                    .unwrap_or_default();
                self.log(NewLog {
                    subject: Some(&k.name),
                    kind: Some(LogKind::GatewayKey),
                    ok: true,
                    summary: format!("access key '{}' made: opens {opens}{until}", k.name),
                    secrets: vec![k.key.clone()],
                    ..Default::default()
                });
            })
    }

    /// Every access key, by name (never the key).
    pub fn list_gateway_keys(&self) -> Result<Vec<GatewayKeyView>> {
        self.store().read(|c| {
            named::all(c, SELECT, "name", row)?
                .into_iter()
                .map(|r| view(c, r))
                .collect()
        })
    }

    /// Revoke an access key: the next request with it is refused, whichever process serves.
    pub fn revoke_gateway_key(&self, name: &str) -> Result<GatewayKeyView> {
        let now = self.now();
        let (v, changed) = self.store().write(|tx| {
            let r = named::find(tx, Kind::AccessKey, SELECT, "name", name, row)?;
            let changed = r.revoked_at.is_none();
            if changed {
                tx.execute(
                    "UPDATE gateway_keys SET revoked_at = ?2 WHERE name = ?1 COLLATE NOCASE",
                    params![name, now],
                )?;
            }
            let r = named::find(tx, Kind::AccessKey, SELECT, "name", name, row)?;
            Ok((view(tx, r)?, changed))
        })?;
        if changed {
            self.log(NewLog {
                subject: Some(&v.name),
                kind: Some(LogKind::GatewayKey),
                ok: true,
                summary: format!("access key '{}' revoked", v.name),
                ..Default::default()
            });
        }
        Ok(v)
    }

    /// What a presented key opens: `None` for an unknown, revoked or expired key. A valid
    /// use is recorded (`lastUsedAt`, to the minute).
    pub fn gateway_key_grant(&self, presented: &str) -> Result<Option<KeyGrant>> {
        if !presented.starts_with(KEY_PREFIX) {
            return Ok(None);
        }
        let hash = key_hash(presented);
        let now = self.now();
        let found = self.store().read(|c| {
            Ok(c.prepare_cached(&format!("{SELECT} WHERE hash = ?1"))?
                .query_row([&hash], row)
                .optional()?)
        })?;
        let Some(r) = found else {
            return Ok(None);
        };
        if r.revoked_at.is_some()
            || r.expires_at
                .as_ref()
                .is_some_and(|e| e.as_str() <= now.as_str())
        {
            return Ok(None);
        }
        // `lastUsedAt` to the minute: a write per request would cost every call a lock.
        let stale = r
            .last_used_at
            .as_deref()
            .is_none_or(|at| at < self.ago(Duration::from_secs(60)).as_str());
        if stale {
            self.store().write(|tx| {
                tx.execute(
                    "UPDATE gateway_keys SET last_used_at = ?2 WHERE hash = ?1",
                    params![hash, now],
                )?;
                Ok(())
            })?;
        }
        Ok(Some(KeyGrant {
            name: r.name,
            expires_at: r.expires_at,
            action_ids: parse_ids(&r.actions)?,
            tools: parse_tools(&r.tools)?,
            oauth_client: false,
        }))
    }

    /// Which of these key hashes still belong to a key that works (not revoked, not
    /// expired): the gateway ends the sessions of the others.
    pub fn gateway_key_hashes_working(
        &self,
        hashes: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        let now = self.now();
        self.store().read(|c| {
            let mut q = c.prepare_cached(
                "SELECT 1 FROM gateway_keys WHERE hash = ?1 AND revoked_at IS NULL \
                 AND (expires_at IS NULL OR expires_at > ?2)",
            )?;
            let mut working = std::collections::HashSet::new();
            for h in hashes {
                if q.exists(params![h, now])? {
                    working.insert(h.clone());
                }
            }
            Ok(working)
        })
    }
}

impl Patchbay {
    /// Record a tool call made with the key `name`, or with a token of the OAuth client
    /// `name` (`oauth_client`): the Gateway screen's "who called".
    pub fn note_gateway_call(&self, name: &str, oauth_client: bool, tool: &str) -> Result<()> {
        let now = self.now();
        let table = if oauth_client {
            "gateway_clients"
        } else {
            "gateway_keys"
        };
        self.store().write(|tx| {
            tx.execute(
                &format!(
                    "UPDATE {table} SET last_call_at = ?2, last_tool = ?3 WHERE name = ?1 COLLATE NOCASE"
                ),
                params![name, now, tool],
            )?;
            Ok(())
        })
    }

    /// Keys that work now (not revoked, not expired).
    pub fn working_gateway_keys(&self) -> Result<u32> {
        let now = self.now();
        self.store().read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM gateway_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?1)",
                [&now],
                |r| r.get(0),
            )?)
        })
    }

    /// Who called a tool through the gateway within `within`, latest first.
    pub fn gateway_clients(&self, within: Duration) -> Result<Vec<GatewayClient>> {
        let since = self.ago(within);
        self.store().read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT name, 'key', last_call_at, last_tool FROM gateway_keys
                 WHERE last_call_at IS NOT NULL AND last_call_at >= ?1
                 UNION ALL
                 SELECT name, 'oauth', last_call_at, last_tool FROM gateway_clients
                 WHERE last_call_at IS NOT NULL AND last_call_at >= ?1
                 ORDER BY 3 DESC",
            )?;
            let rows = stmt
                .query_map([&since], |r| {
                    Ok(GatewayClient {
                        name: r.get(0)?,
                        kind: r.get(1)?,
                        last_call_at: r.get(2)?,
                        last_tool: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{action, profile};

    fn named(name: &str, actions: &[&str], tools: &[&str]) -> NewKey {
        NewKey {
            name: name.into(),
            actions: KeyActions::Named(actions.iter().map(|s| s.to_string()).collect()),
            tools: tools.iter().map(|s| s.to_string()).collect(),
            expires_in: None,
        }
    }

    #[test]
    fn a_key_is_shown_once_kept_as_a_hash_and_opens_what_it_names() {
        let p = profile();
        let linear = action(&p, "linear");
        let github = action(&p, "github");
        let k =
            p.pb.add_gateway_key(named("codex", &["linear", "GitHub"], &["linear__search"]))
                .expect("add");
        assert!(
            k.key.starts_with("pbk_") && k.key.len() == 4 + 43,
            "{}",
            k.key
        );
        assert_eq!(k.actions, vec!["linear", "github"]);
        assert_eq!(k.tools, vec!["linear__search"]);
        let g =
            p.pb.gateway_key_grant(&k.key)
                .expect("check")
                .expect("valid");
        assert!(g.opens_tool(&linear.id, "search"));
        assert!(
            !g.opens_tool(&linear.id, "delete"),
            "limited to its listed tools"
        );
        assert!(
            g.opens_tool(&github.id, "anything"),
            "unlisted actions keep all tools"
        );
        assert!(!g.opens_action("another-id"));
        assert!(
            p.pb.gateway_key_grant("pbk_not-a-key")
                .expect("check")
                .is_none()
        );
        assert!(
            p.pb.gateway_key_grant("bearer-xyz")
                .expect("check")
                .is_none()
        );
        let listed = p.pb.list_gateway_keys().expect("list");
        assert_eq!(
            listed[0].last_used_at.as_deref(),
            Some("2026-12-01T12:00:00.000Z")
        );

        // A rename keeps the key's action; the stored row has the hash, never the key.
        p.pb.edit_action(
            "linear",
            crate::actions::ActionPatch {
                rename: Some("linear-work".into()),
                ..Default::default()
            },
        )
        .expect("rename");
        let listed = p.pb.list_gateway_keys().expect("list");
        assert_eq!(listed[0].actions, vec!["linear-work", "github"]);
        assert_eq!(listed[0].tools, vec!["linear-work__search"]);
        let stored: String =
            p.pb.store()
                .read(|c| Ok(c.query_row("SELECT hash FROM gateway_keys", [], |r| r.get(0))?))
                .expect("row");
        assert_eq!(stored, key_hash(&k.key));
        assert_ne!(stored, k.key);
    }

    #[test]
    fn revoked_and_expired_keys_open_nothing() {
        let p = profile();
        action(&p, "linear");
        let all =
            p.pb.add_gateway_key(NewKey {
                name: "ci".into(),
                actions: KeyActions::All,
                tools: Vec::new(),
                expires_in: Some(Duration::from_secs(30 * 86_400)),
            })
            .expect("add");
        assert_eq!(all.actions, vec!["*"]);
        assert_eq!(all.expires_at.as_deref(), Some("2026-12-31T12:00:00.000Z"));
        let g =
            p.pb.gateway_key_grant(&all.key)
                .expect("check")
                .expect("valid");
        assert!(g.opens_action("any-action-even-a-future-one"));
        p.clock.advance(time::Duration::days(30));
        assert!(
            p.pb.gateway_key_grant(&all.key).expect("check").is_none(),
            "expired"
        );

        let k =
            p.pb.add_gateway_key(named("bot", &["linear"], &[]))
                .expect("add");
        assert!(p.pb.gateway_key_grant(&k.key).expect("check").is_some());
        let v = p.pb.revoke_gateway_key("BOT").expect("revoke");
        assert!(v.revoked_at.is_some());
        assert!(
            p.pb.gateway_key_grant(&k.key).expect("check").is_none(),
            "revoked"
        );
    }

    #[test]
    fn bad_keys_are_refused_and_nothing_is_saved() {
        let p = profile();
        action(&p, "linear");
        p.pb.add_gateway_key(named("one", &["linear"], &[]))
            .expect("add");
        let clash =
            p.pb.add_gateway_key(named("ONE", &["linear"], &[]))
                .expect_err("taken");
        assert_eq!(clash.code(), crate::ErrorCode::Conflict);
        for (bad, why) in [
            (named("two", &["nope"], &[]), "there is no action 'nope'"),
            (
                named("two", &["linear"], &["linear"]),
                "does not name an action's tool",
            ),
            (
                named("two", &["linear"], &["nope__x"]),
                "there is no action 'nope'",
            ),
            (named("bad name!", &["linear"], &[]), "access key"),
        ] {
            let e = p.pb.add_gateway_key(bad).expect_err(why);
            assert!(e.to_string().contains(why), "{e}");
        }
        action(&p, "other");
        let outside =
            p.pb.add_gateway_key(named("two", &["linear"], &["other__x"]))
                .expect_err("a tool of an action the key does not open");
        assert!(
            outside.to_string().contains("which --actions leaves out"),
            "{outside}"
        );
        assert!(parse_actions(" , ").is_err());
        assert_eq!(parse_actions("*").expect("all"), KeyActions::All);
        assert_eq!(p.pb.list_gateway_keys().expect("list").len(), 1);
        let e = p.pb.revoke_gateway_key("nope").expect_err("unknown");
        assert!(
            e.hint().is_some_and(|h| h.contains("gateway key list")),
            "{e:?}"
        );
    }
}
