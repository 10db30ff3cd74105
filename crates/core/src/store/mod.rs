//! SQLite storage: one file `patchbay.db` in `PATCHBAY_HOME`, shared by the desktop app and
//! every CLI process. WAL + `busy_timeout` let them act at once; foreign keys are on;
//! migrations are embedded and applied in one transaction at open; a database written by a
//! newer Patchbay is refused rather than damaged.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use crate::error::{Error, Result};

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/001_initial.sql")),
    M::up(include_str!("migrations/002_health_details.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub const DB_FILE: &str = "patchbay.db";

#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Store {
    /// Open (creating if needed) the database in `home`, and bring its schema up to date.
    pub fn open(home: &Path) -> Result<Self> {
        Self::open_with(home, MIGRATIONS)
    }

    /// Open with a given list of migrations (tests build a v1 database this way).
    #[doc(hidden)]
    pub fn open_with(home: &Path, migrations: &'static [M<'static>]) -> Result<Self> {
        let path = home.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // WAL lets readers (the window) and a writer (a CLI) work at once.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;

        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = migrations.len() as i64;
        if found > known {
            return Err(Error::DatabaseTooNew { path: path.display().to_string(), found, known });
        }
        if found < known {
            // rusqlite_migration runs every pending migration in one transaction.
            Migrations::from_slice(migrations).to_latest(&mut conn)?;
        }
        Ok(Store { path, conn: Mutex::new(conn) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| Error::Internal("the database lock was poisoned by an earlier failure".into()))
    }

    /// Run `f` on the connection (reads).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock()?;
        f(&conn)
    }

    /// Run `f` in an IMMEDIATE transaction (takes the write lock up front, so two processes
    /// never deadlock upgrading a read lock); commits when `f` succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Changes whenever another connection (another process) commits: the window polls it
    /// to refresh within a second of a CLI change.
    pub fn data_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?))
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }
}

/// The first schema alone, for upgrade tests.
#[doc(hidden)]
pub const FIRST_SCHEMA: &[M<'static>] = &[M::up(include_str!("migrations/001_initial.sql"))];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok(), "every migration applies to an empty database");
    }

    #[test]
    fn open_sets_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let (mode, fk): (String, i64) = store
            .read(|c| {
                Ok((
                    c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                    c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                ))
            })
            .expect("pragmas");
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn data_version_moves_when_another_connection_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = Store::open(dir.path()).expect("opens");
        let b = Store::open(dir.path()).expect("opens again");
        let before = a.data_version().expect("v");
        b.write(|tx| {
            tx.execute(
                "INSERT INTO tokens (id, name, kind, header_name, created_at, updated_at) VALUES ('1', 't', 'text', 'X', 'now', 'now')",
                [],
            )?;
            Ok(())
        })
        .expect("write");
        assert_ne!(a.data_version().expect("v"), before, "a commit by another connection changes data_version");
    }
}
