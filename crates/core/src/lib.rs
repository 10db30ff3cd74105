//! Patchbay's core: everything that is Patchbay, with no window and no terminal in it.
//! The desktop shell (`src-tauri`) and the CLI (`crates/cli`) are thin adapters over
//! [`Patchbay`], the context built once per process: home folder, store, vault, clock.

pub mod actions;
pub mod approvals;
pub mod attention;
pub mod autostart;
pub mod browser;
pub mod clock;
pub mod connections;
pub mod doctor;
pub(crate) mod dpop;
pub mod env;
pub mod error;
pub mod export;
pub mod forms;
#[cfg(test)]
mod fuzz;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz_entry;
pub mod gateway;
pub mod gateway_app;
pub(crate) mod http;
pub mod import;
pub(crate) mod locks;
pub mod logs;
pub mod model;
pub mod notices;
pub mod oauth;
pub mod paths;
pub mod providers;
pub mod rollup;
pub mod runtime;
pub mod settings;
pub(crate) mod signing_key;
pub mod store;
pub mod sweep;
#[cfg(test)]
pub(crate) mod testing;
pub mod tokens;
pub mod validate;
pub mod vault;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use error::{Error, ErrorBody, ErrorCode, Kind, Result};
pub use secrecy::{ExposeSecret, SecretString};

use clock::{Clock, SystemClock};
use model::AppStatus;
use secrecy::SecretString as Secret;
use store::Store;
use vault::Vault;

/// Whether the vault entries a write sets may already exist (edits) or are new (adds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entries {
    New,
    MayExist,
}

/// The context every operation runs against.
#[derive(Debug)]
pub struct Patchbay {
    home: PathBuf,
    profile_id: String,
    store: Store,
    vault: Vault,
    clock: Arc<dyn Clock>,
    token_locks: locks::TokenLocks,
    sign_ins: locks::SignIns,
    /// The user's configuration folder (start at login's entry goes under it); in tests, a
    /// folder in the profile, so they never touch the user's own.
    config_dir: Option<PathBuf>,
    /// The log's retention settings and the store's change stamp they were read at: every
    /// log row needs them, and they change only with a commit.
    retention: std::sync::Mutex<Option<logs::KeptRetention>>,
}

impl Patchbay {
    /// Open the profile in `PATCHBAY_HOME` (or the platform data dir), creating it on first run.
    pub fn open_default() -> Result<Self> {
        Self::open(&paths::resolve_home()?)
    }

    /// Open the profile at `home` with the platform keychain.
    pub fn open(home: &Path) -> Result<Self> {
        paths::ensure_home(home)?;
        let profile_id = paths::profile_id(home)?;
        let vault = Vault::for_profile(&profile_id).with_lock_file(paths::vault_lock(home));
        let mut pb = Self::assemble(home, profile_id, vault, Arc::new(SystemClock))?;
        pb.config_dir = autostart::user_config_dir();
        Ok(pb)
    }

    /// Open with an injected vault and clock (tests).
    pub fn open_with(
        home: &Path,
        vault: impl FnOnce(&str) -> Vault,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        paths::ensure_home(home)?;
        let profile_id = paths::profile_id(home)?;
        let vault = vault(&profile_id);
        Self::assemble(home, profile_id, vault, clock)
    }

    fn assemble(
        home: &Path,
        profile_id: String,
        vault: Vault,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let store = Store::open(home)?;
        let vault = vault.with_clock(clock.clone());
        Ok(Patchbay {
            home: home.to_path_buf(),
            profile_id,
            store,
            vault,
            clock,
            token_locks: Default::default(),
            sign_ins: Default::default(),
            config_dir: Some(home.join("config")),
            retention: std::sync::Mutex::new(None),
        })
    }

    pub fn home(&self) -> &Path {
        &self.home
    }
    /// The user's configuration folder (`XDG_CONFIG_HOME`, else `~/.config`), if there is one.
    pub fn config_dir(&self) -> Option<&Path> {
        self.config_dir.as_deref()
    }
    pub fn profile_id(&self) -> &str {
        &self.profile_id
    }
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn vault(&self) -> &Vault {
        &self.vault
    }
    pub(crate) fn now(&self) -> String {
        clock::rfc3339(self.clock.now())
    }
    /// The moment `d` before now on the context's clock, as stored (`logs --since 2h`).
    /// A duration longer than the time since 1970 means 1970 (nothing is older).
    pub fn ago(&self, d: std::time::Duration) -> String {
        let then = time::Duration::try_from(d)
            .ok()
            .and_then(|d| self.clock.now().checked_sub(d))
            .filter(|t| *t > time::OffsetDateTime::UNIX_EPOCH)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        clock::rfc3339(then)
    }
    /// The time from the context's clock (never the wall clock directly: tests inject one).
    pub(crate) fn clock_now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// What the window shows in its header and banner.
    pub fn status(&self) -> AppStatus {
        AppStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            home: self.home.display().to_string(),
            vault: self.vault.status(),
        }
    }

    /// Vault first, then the DB transaction; when the DB write fails, undo the vault writes
    /// (restoring what was there before), so a failure never leaves a half-saved thing.
    pub(crate) fn write_with_secrets<T>(
        &self,
        entries: Entries,
        secrets: &[(String, Secret)],
        db: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut undo: Vec<(&str, Option<Secret>)> = Vec::with_capacity(secrets.len());
        for (key, value) in secrets {
            let prev = match entries {
                // Keys of a row being created name its fresh id: nothing to restore.
                Entries::New => None,
                Entries::MayExist => match self.vault.get(key) {
                    Ok(p) => p,
                    Err(e) => {
                        self.restore(undo);
                        return Err(e);
                    }
                },
            };
            if let Err(e) = self.vault.set(key, value) {
                self.restore(undo);
                return Err(e);
            }
            undo.push((key, prev));
        }
        match self.store.write(db) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.restore(undo);
                Err(e)
            }
        }
    }

    fn restore(&self, undo: Vec<(&str, Option<Secret>)>) {
        for (key, prev) in undo.into_iter().rev() {
            // Best effort: a failure here leaves an entry the start-up sweep removes.
            let _ = match prev {
                Some(p) => self.vault.set(key, &p),
                None => self.vault.delete(key),
            };
        }
    }

    /// After the DB rows are gone: delete their secrets. A failure leaves orphans that the
    /// start-up sweep removes, so it is not reported as a failure of the operation.
    pub(crate) fn forget_secrets(&self, keys: &[String]) {
        for k in keys {
            let _ = self.vault.delete(k);
        }
    }
}
