//! The start-up sweep: keychain entries of this profile that no database row owns (left by
//! a crash between the vault write and the DB commit, or by a failed delete) are removed.
//! Entries written in the last [`SWEEP_GRACE_SECS`] are spared: another process may be
//! about to commit the row that owns them.

use std::collections::HashSet;

use crate::Patchbay;
use crate::error::Result;
use crate::model::TokenKind;
use crate::vault::{SWEEP_GRACE_SECS, VaultEntry, keys};

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
            if a.public_jwk.is_some() {
                keys_set.insert(keys::action_private_key(&a.id));
            }
        }
        for c in self.list_connections()? {
            if c.client_secret_set {
                keys_set.insert(keys::connection_client_secret(&c.id));
            }
            if c.public_jwk.is_some() {
                keys_set.insert(keys::connection_private_key(&c.id));
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
        // A grant's DPoP key (when its server takes proofs) lives as long as the grant.
        keys_set.extend(granted.iter().map(|owner| keys::dpop_key(owner)));
        keys_set.extend(self.idp_vault_keys()?);
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
        let now = u64::try_from(self.clock_now().unix_timestamp()).unwrap_or(0);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry no row owns is spared while younger than the grace period on the profile's
    /// clock (its row may be mid-commit in another process), then removed; owned ones stay.
    #[test]
    fn an_orphan_is_spared_for_the_grace_period_then_removed() {
        let p = crate::testing::profile();
        let owned =
            p.pb.add_text_token(crate::tokens::NewTextToken {
                name: "kept".into(),
                description: None,
                value: secrecy::SecretString::from("owned-value"),
                prefix: None,
                header_name: "Authorization".into(),
            })
            .expect("token");
        let orphan = keys::token_value("no-such-row");
        p.pb.vault()
            .set(&orphan, &secrecy::SecretString::from("orphan-value"))
            .expect("set");
        let report = p.pb.sweep_orphans().expect("sweep");
        assert!(report.supported, "the Secret Service lists entries");
        assert!(report.removed.is_empty(), "fresh: {:?}", report.removed);
        p.clock
            .advance(time::Duration::seconds(SWEEP_GRACE_SECS as i64 + 1));
        let report = p.pb.sweep_orphans().expect("sweep");
        assert_eq!(report.removed, vec![orphan.clone()]);
        assert!(p.pb.vault().get(&orphan).expect("get").is_none());
        assert!(
            p.pb.vault()
                .get(&keys::token_value(&owned.id))
                .expect("get")
                .is_some()
        );
    }
}
