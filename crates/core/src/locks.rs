//! The in-process halves of Patchbay's locks (the file halves, `flock`s under
//! `PATCHBAY_HOME/locks/`, are taken where they are used: `oauth::lifecycle` for an
//! owner's tokens, `vault` for the keychain, `approvals` for the app's presence).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::vault::StoredTokens;

/// The in-process half of the token locks: one async mutex per owner, guarding the tokens
/// this process last refreshed (so users queued behind a refresh take its result from
/// memory instead of each re-reading the keychain under the file lock).
#[derive(Default)]
pub(crate) struct TokenLocks(Mutex<HashMap<String, Arc<LocalSlot>>>);

pub(crate) type LocalSlot = tokio::sync::Mutex<Option<StoredTokens>>;

impl std::fmt::Debug for TokenLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenLocks")
    }
}

impl TokenLocks {
    pub(crate) fn for_owner(&self, key: &str) -> Arc<LocalSlot> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string()).or_default().clone()
    }
}
