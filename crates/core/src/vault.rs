//! The vault: every secret Patchbay holds lives in the OS keychain and nowhere else
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows, through
//! keyring-core and one store crate per platform). Entries are namespaced by the profile id
//! kept in `PATCHBAY_HOME`, so profiles and test runs never see each other's entries.
//!
//! Keys name their owner row: `action/<id>/client_secret`, `connection/<id>/client_secret`,
//! `action/<id>/private_key`, `connection/<id>/private_key`, `action/<id>/dpop_key`,
//! `connection/<id>/dpop_key`,
//! `token/<id>/value`, `token/<id>/header/<name>`, `token/<id>/body/<key>`.
//!
//! One profile's processes (the app, the CLI, proxies) take turns at the keychain: every
//! write and delete holds an exclusive `flock` on `PATCHBAY_HOME/locks/vault.lock`, every
//! read and search a shared one. gnome-keyring 42 (Debian 12, Ubuntu 22.04) crashes when
//! two D-Bus clients write and delete the same item at once (a SIGSEGV or a GLib fatal
//! error, after "asked to register item …, but it's already registered" warnings), which
//! takes every app's secrets offline until it restarts; and a search that races a delete
//! fails on the vanished item. `patchbay-vault-stress` reproduces both without the lock.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use keyring_core::{CredentialStore, Entry, Error as KError};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::model::{VaultState, VaultStatus};

/// Attribute holding the unix time an entry was last written (used to spare entries that
/// another process is writing right now from the orphan sweep).
const WRITTEN_AT: &str = "patchbay-written-at";
/// Entries younger than this are never swept: their owner row may be mid-commit elsewhere.
pub const SWEEP_GRACE_SECS: u64 = 120;

type StoreFactory = fn() -> keyring_core::Result<Arc<CredentialStore>>;

/// How long a keychain use waits for another process's turn before it gives up.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

pub struct Vault {
    service: String,
    factory: StoreFactory,
    store: OnceLock<std::result::Result<Arc<CredentialStore>, String>>,
    /// The profile's keychain lock file (none: no turn-taking, for in-memory stores).
    lock: Option<PathBuf>,
    /// Entries are stamped with its time ([`WRITTEN_AT`]).
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// The platform's keychain.
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    {
        let s: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
        Ok(s)
    }
    #[cfg(target_os = "macos")]
    {
        let s: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
        Ok(s)
    }
    #[cfg(target_os = "windows")]
    {
        let s: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
        Ok(s)
    }
    #[cfg(not(any(
        all(
            unix,
            not(any(target_os = "macos", target_os = "ios", target_os = "android"))
        ),
        target_os = "macos",
        target_os = "windows"
    )))]
    {
        Err(KError::NotSupportedByStore(
            "no keychain is supported on this platform".into(),
        ))
    }
}

impl Vault {
    /// A vault over the platform keychain for one profile. Connecting is lazy: opening
    /// Patchbay never fails because the keychain is locked; using a secret does.
    pub fn for_profile(profile_id: &str) -> Self {
        Self::with_factory(profile_id, platform_store)
    }

    /// A vault over another keyring-core store (tests inject failures with keyring-core's mock).
    pub fn with_factory(profile_id: &str, factory: StoreFactory) -> Self {
        Vault {
            service: format!("dev.patchbay.app/{profile_id}"),
            factory,
            store: OnceLock::new(),
            lock: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Stamp entries with this clock's time (the profile's: tests inject a fixed one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Take turns with the profile's other processes through an advisory lock on `path`
    /// (created when missing): writes and deletes exclusively, reads shared.
    pub fn with_lock_file(mut self, path: PathBuf) -> Self {
        self.lock = Some(path);
        self
    }

    /// Wait (at most [`LOCK_WAIT`]) for this process's turn; the turn ends when the
    /// returned file is dropped.
    fn turn(&self, exclusive: bool) -> Result<Option<File>> {
        let Some(path) = &self.lock else {
            return Ok(None);
        };
        let file = open_lock_file(path)?;
        let deadline = Instant::now() + LOCK_WAIT;
        let mut pause = Duration::from_millis(1);
        loop {
            let tried = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match tried {
                Ok(()) => return Ok(Some(file)),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::VaultUnavailable {
                        detail: format!(
                            "waited {}s for another Patchbay process to finish with the keychain \
                             (lock {}); it did not",
                            LOCK_WAIT.as_secs(),
                            path.display()
                        ),
                    });
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::io(format!("cannot lock {}", path.display()), e));
                }
            }
        }
    }

    /// The keychain "service" all of this profile's entries share.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn store(&self) -> Result<&Arc<CredentialStore>> {
        match self
            .store
            .get_or_init(|| (self.factory)().map_err(|e| describe(&e)))
        {
            Ok(s) => Ok(s),
            Err(detail) => Err(Error::VaultUnavailable {
                detail: detail.clone(),
            }),
        }
    }

    fn entry(&self, key: &str) -> Result<Entry> {
        let label = format!("Patchbay: {key}");
        let mods = HashMap::from([("label", label.as_str())]);
        self.store()?
            .build(&self.service, key, Some(&mods))
            .map_err(map_err)
    }

    pub fn set(&self, key: &str, secret: &SecretString) -> Result<()> {
        let _turn = self.turn(true)?;
        let entry = self.entry(key)?;
        entry
            .set_password(secret.expose_secret())
            .map_err(map_err)?;
        let now = self.clock.now().unix_timestamp().to_string();
        match entry.update_attributes(&HashMap::from([(WRITTEN_AT, now.as_str())])) {
            Ok(()) | Err(KError::NotSupportedByStore(_)) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    pub fn get(&self, key: &str) -> Result<Option<SecretString>> {
        let _turn = self.turn(false)?;
        match self.entry(key)?.get_password() {
            Ok(p) => Ok(Some(SecretString::from(p))),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    /// Delete an entry; a missing entry is not an error.
    pub fn delete(&self, key: &str) -> Result<()> {
        let _turn = self.turn(true)?;
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(KError::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    /// Every entry of this profile: its key and when it was written (unix seconds, when the
    /// store records it). `None` when the store cannot search (the sweep is then skipped).
    pub fn list(&self) -> Result<Option<Vec<VaultEntry>>> {
        let _turn = self.turn(false)?;
        let spec = HashMap::from([("service", self.service.as_str())]);
        let entries = match self.store()?.search(&spec) {
            Ok(e) => e,
            Err(KError::NotSupportedByStore(_)) => return Ok(None),
            Err(e) => return Err(map_err(e)),
        };
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let attrs = e.get_attributes().map_err(map_err)?;
            let key = attrs
                .get("username")
                .cloned()
                .or_else(|| e.get_specifiers().map(|(_, u)| u));
            if let Some(key) = key {
                let written = attrs.get(WRITTEN_AT).and_then(|v| v.parse().ok());
                out.push(VaultEntry {
                    key,
                    written_at: written,
                });
            }
        }
        Ok(Some(out))
    }

    /// Probe the keychain by writing and deleting a probe entry: a locked keychain lists
    /// entries happily but refuses writes, which is what Patchbay needs to do.
    pub fn status(&self) -> VaultStatus {
        let probe = self
            .set(PROBE_KEY, &SecretString::from("probe"))
            .and_then(|()| self.delete(PROBE_KEY));
        match probe {
            Ok(()) => VaultStatus {
                state: VaultState::Ok,
                message: None,
            },
            Err(e) => {
                let state = if matches!(e, Error::VaultLocked { .. }) {
                    VaultState::Locked
                } else {
                    VaultState::Unavailable
                };
                // What to do first, then what the keychain said.
                let detail = match &e {
                    Error::VaultLocked { detail } | Error::VaultUnavailable { detail } => {
                        detail.clone()
                    }
                    other => other.to_string(),
                };
                let message = match e.hint() {
                    Some(h) => {
                        let mut chars = h.chars();
                        let first: String = chars
                            .next()
                            .map(|c| c.to_uppercase().collect())
                            .unwrap_or_default();
                        format!("{first}{}. Details: {detail}", chars.as_str())
                    }
                    None => format!("Details: {detail}"),
                };
                VaultStatus {
                    state,
                    message: Some(message),
                }
            }
        }
    }
}

/// One keychain entry of this profile (its key, never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultEntry {
    pub key: String,
    /// Unix seconds of the last write, when the store records it.
    pub written_at: Option<u64>,
}

fn open_lock_file(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))
}

/// The key of the entry [`Vault::status`] writes and deletes.
pub const PROBE_KEY: &str = "probe";

/// keyring errors carry platform text (D-Bus errors and the like), never a secret; but
/// `BadEncoding`/`BadDataFormat` carry the raw bytes, which we never print.
fn describe(e: &KError) -> String {
    match e {
        KError::BadEncoding(_) => "a keychain entry is not valid UTF-8".into(),
        KError::BadDataFormat(_, _) => "a keychain entry has an unexpected format".into(),
        other => other.to_string(),
    }
}

fn map_err(e: KError) -> Error {
    match e {
        KError::NoStorageAccess(_) => Error::VaultLocked {
            detail: describe(&e),
        },
        _ => Error::VaultUnavailable {
            detail: describe(&e),
        },
    }
}

/// The OAuth tokens of a grant owner, kept in the keychain as one JSON entry
/// ([`keys::oauth_tokens`]).
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct StoredTokens {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
    #[serde(default)]
    pub(crate) expires_at: Option<String>,
    /// When the access token was issued (with `expires_at`, its lifetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) issued_at: Option<String>,
    /// A secret the authorization server issued with a dynamic registration (kept with the
    /// tokens it is needed to refresh and revoke). The user's own client secrets stay in
    /// their own keychain entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) client_secret: Option<String>,
}

/// The vault key of a secret owned by a row.
pub mod keys {
    /// The OAuth tokens of a grant owner (`action/<id>`, `connection/<id>`).
    pub fn oauth_tokens(owner_key: &str) -> String {
        format!("{owner_key}/oauth_tokens")
    }
    pub fn action_oauth_tokens(id: &str) -> String {
        oauth_tokens(&format!("action/{id}"))
    }
    pub fn connection_oauth_tokens(id: &str) -> String {
        oauth_tokens(&format!("connection/{id}"))
    }
    pub fn action_client_secret(id: &str) -> String {
        format!("action/{id}/client_secret")
    }
    pub fn connection_client_secret(id: &str) -> String {
        format!("connection/{id}/client_secret")
    }
    /// The PKCS#8 PEM private key of a `private_key_jwt` client.
    pub fn action_private_key(id: &str) -> String {
        format!("action/{id}/private_key")
    }
    pub fn connection_private_key(id: &str) -> String {
        format!("connection/{id}/private_key")
    }
    /// The PKCS#8 PEM private key a grant owner's (`action/<id>`, `connection/<id>`)
    /// DPoP proofs are signed with (RFC 9449).
    pub fn dpop_key(owner_key: &str) -> String {
        format!("{owner_key}/dpop_key")
    }
    pub fn token_value(id: &str) -> String {
        format!("token/{id}/value")
    }
    pub fn token_header(id: &str, name: &str) -> String {
        format!("token/{id}/header/{}", name.to_ascii_lowercase())
    }
    pub fn token_body(id: &str, key: &str) -> String {
        format!("token/{id}/body/{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> keyring_core::Result<Arc<CredentialStore>> {
        let s: Arc<CredentialStore> = keyring_core::mock::Store::new()?;
        Ok(s)
    }

    fn lock_path(dir: &Path) -> PathBuf {
        dir.join("locks/vault.lock")
    }

    fn locked_vault(dir: &Path) -> Vault {
        Vault::with_factory("lock-test", mock).with_lock_file(lock_path(dir))
    }

    /// With `other` holding an exclusive lock, a turn of `vault` waits; once `other`
    /// unlocks, it goes ahead.
    fn waits_for(vault: Vault, exclusive: bool, other: &File) {
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let turn = vault.turn(exclusive).map(|f| f.is_some());
            let _ = tx.send(());
            turn
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "the turn (exclusive: {exclusive}) waits while another process writes"
        );
        other.unlock().expect("unlock");
        rx.recv_timeout(Duration::from_secs(5))
            .expect("it goes ahead once the other turn ends");
        assert!(waiter.join().expect("join").expect("a turn"));
    }

    #[test]
    fn a_write_waits_for_another_process_turn_and_goes_ahead_once_it_ends() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Another process's turn: an exclusive lock on its own open file.
        let other = open_lock_file(&lock_path(dir.path())).expect("lock file");
        other.lock().expect("exclusive");
        waits_for(locked_vault(dir.path()), true, &other);
    }

    #[test]
    fn reads_share_their_turn_but_wait_for_a_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = locked_vault(dir.path());
        let other = open_lock_file(&lock_path(dir.path())).expect("lock file");
        other.lock_shared().expect("shared");
        let started = Instant::now();
        let read = vault.turn(false).expect("a read's turn").expect("locked");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "reads do not wait for reads"
        );
        drop(read);
        other.unlock().expect("unlock");
        other.lock().expect("exclusive");
        waits_for(vault, false, &other);
    }

    #[test]
    fn without_a_lock_file_there_is_no_turn_taking() {
        let free = Vault::with_factory("lock-test", mock);
        assert!(free.turn(true).expect("no lock file").is_none());
    }
}
