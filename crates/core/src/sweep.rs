//! The start-up sweep: keychain entries of this profile that no database row owns (left by
//! a crash between the vault write and the DB commit, or by a failed delete) are removed.
//! Entries written in the last [`SWEEP_GRACE_SECS`] are spared: another process may be
//! about to commit the row that owns them.

use std::collections::HashSet;

use crate::Patchbay;
use crate::error::Result;
use crate::model::TokenKind;
use crate::vault::{SWEEP_GRACE_SECS, VaultEntry, keys, unix_now};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Keys of the entries removed.
    pub removed: Vec<String>,
    /// `false` when the keychain cannot list entries (the sweep is then a no-op).
    pub supported: bool,
}

impl Patchbay {
    /// Every vault key the database says should exist.
    pub fn expected_vault_keys(&self) -> Result<HashSet<String>> {
        let mut keys_set = HashSet::new();
        for a in self.list_actions()? {
            if a.oauth.as_ref().is_some_and(|o| o.client_secret_set) {
                keys_set.insert(keys::action_client_secret(&a.id));
            }
        }
        for c in self.list_connections()? {
            if c.client_secret_set {
                keys_set.insert(keys::connection_client_secret(&c.id));
            }
        }
        let granted: Vec<String> = self.store().read(|c| {
            let mut stmt = c.prepare("SELECT owner FROM oauth_grants")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(ids)
        })?;
        keys_set.extend(granted.iter().map(|owner| keys::oauth_tokens(owner)));
        for t in self.list_tokens()? {
            debug_assert!(t.kind == TokenKind::Text || t.request.is_some());
            keys_set.extend(crate::tokens::vault_keys(&t));
        }
        Ok(keys_set)
    }

    pub fn sweep_orphans(&self) -> Result<SweepReport> {
        self.sweep_orphans_older_than(SWEEP_GRACE_SECS)
    }

    /// The sweep with another grace period (tests use 0).
    pub fn sweep_orphans_older_than(&self, grace_secs: u64) -> Result<SweepReport> {
        let Some(entries) = self.vault().list()? else {
            return Ok(SweepReport {
                removed: Vec::new(),
                supported: false,
            });
        };
        let expected = self.expected_vault_keys()?;
        let now = unix_now();
        let mut removed = Vec::new();
        for VaultEntry { key, written_at } in entries {
            let fresh = written_at.is_some_and(|w| now.saturating_sub(w) < grace_secs);
            if !expected.contains(&key) && !fresh {
                self.vault().delete(&key)?;
                removed.push(key);
            }
        }
        removed.sort();
        Ok(SweepReport {
            removed,
            supported: true,
        })
    }
}
