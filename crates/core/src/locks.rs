//! The in-process halves of Patchbay's locks (the file halves, `flock`s under
//! `PATCHBAY_HOME/locks/`, are taken where they are used: `oauth::lifecycle` for an
//! owner's tokens, `vault` for the keychain, `approvals` for the app's presence), and the
//! registry of sign-ins waiting for the browser (one per target: a second one cancels the
//! first; a front end can cancel one).

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

/// Sign-ins waiting for the browser, by target (`kind:name`, case-insensitive); each entry
/// stops its sign-in when it sends.
#[derive(Default)]
pub(crate) struct SignIns(Mutex<HashMap<String, tokio::sync::oneshot::Sender<()>>>);

impl std::fmt::Debug for SignIns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignIns")
    }
}

impl SignIns {
    fn key(target: &str) -> String {
        target.to_lowercase()
    }

    /// Register a sign-in for `target`, cancelling one already waiting for it; the receiver
    /// fires when this one is cancelled in turn.
    pub(crate) fn begin(&self, target: &str) -> tokio::sync::oneshot::Receiver<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = map.insert(Self::key(target), tx) {
            let _ = old.send(());
        }
        rx
    }

    /// The sign-in for `target` ended: forget it unless a newer one took its place.
    pub(crate) fn end(&self, target: &str) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(&Self::key(target)).is_some_and(|tx| tx.is_closed()) {
            map.remove(&Self::key(target));
        }
    }

    /// Stop the sign-in waiting for `target`; false when none was.
    pub(crate) fn cancel(&self, target: &str) -> bool {
        let tx = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&Self::key(target));
        tx.is_some_and(|tx| tx.send(()).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_sign_in_for_a_target_cancels_the_first_and_cancel_stops_one_once() {
        let s = SignIns::default();
        let mut first = s.begin("Action:Linear");
        let mut second = s.begin("action:linear");
        assert_eq!(first.try_recv(), Ok(()), "the first was cancelled");
        assert!(second.try_recv().is_err(), "the second waits");
        s.end("action:linear");
        assert!(
            s.cancel("ACTION:linear"),
            "still registered: it had not ended"
        );
        assert_eq!(second.try_recv(), Ok(()));
        assert!(!s.cancel("action:linear"), "nothing left to cancel");
        let done = s.begin("connection:c");
        drop(done);
        s.end("connection:c");
        assert!(!s.cancel("connection:c"), "an ended sign-in is forgotten");
    }
}
