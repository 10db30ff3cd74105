//! SQLite storage: one file `patchbay.db` in `PATCHBAY_HOME`, shared by the desktop app and
//! every CLI process. WAL + `busy_timeout` let them act at once; foreign keys are on;
//! migrations are embedded and applied in one transaction at open; a database written by a
//! newer Patchbay is refused rather than damaged.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub(crate) mod deferred;
pub(crate) mod named;

use crate::error::{Error, Result};

/// Schema migrations, in order; `PRAGMA user_version` counts how many were applied.
/// Append only: never edit one that has shipped.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_health_details.sql"),
    include_str!("migrations/003_oauth.sql"),
    include_str!("migrations/004_token_lifecycle.sql"),
    include_str!("migrations/005_logs.sql"),
    include_str!("migrations/006_breakers.sql"),
    include_str!("migrations/007_logs_search.sql"),
    include_str!("migrations/008_approvals.sql"),
    include_str!("migrations/009_settings.sql"),
    include_str!("migrations/010_gateway_keys.sql"),
    include_str!("migrations/011_log_kinds.sql"),
    include_str!("migrations/012_gateway_oauth.sql"),
    include_str!("migrations/013_gateway_consent.sql"),
    include_str!("migrations/014_client_credentials.sql"),
    include_str!("migrations/015_health_rollup.sql"),
    include_str!("migrations/016_jwt_bearer_grants.sql"),
    include_str!("migrations/017_dpop.sql"),
    include_str!("migrations/018_logs_index_per_batch.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The first schema alone, for upgrade tests.
#[doc(hidden)]
pub const FIRST_SCHEMA: &[&str] = &[include_str!("migrations/001_initial.sql")];

/// A value of a database column, parsed: a value this build does not know is an internal
/// error naming the column (`what`), never a panic.
pub(crate) fn from_column<T: std::str::FromStr>(what: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::Internal(format!("unknown {what} '{value}' in the database")))
}

pub const DB_FILE: &str = "patchbay.db";

/// How long an open keeps trying while another process sets up the same new database.
const OPEN_BUSY_FOR: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    /// The connection and the queue of deferred writes (shared with their writer thread).
    shared: Arc<deferred::Shared>,
    deferred: deferred::Deferred,
    /// Transactions this process committed through [`Store::write`] that changed rows:
    /// `PRAGMA data_version`
    /// moves only for other connections' commits, so [`Store::change_stamp`] adds this.
    writes: std::sync::atomic::AtomicU64,
}

impl Drop for Store {
    /// A clean exit writes the deferred rows still queued.
    fn drop(&mut self) {
        self.deferred.stop(&self.shared);
    }
}

impl Store {
    /// Open (creating if needed) the database in `home`, and bring its schema up to date.
    pub fn open(home: &Path) -> Result<Self> {
        Self::open_with(home, MIGRATIONS)
    }

    /// Open with a given list of migrations (tests build a v1 database this way).
    #[doc(hidden)]
    pub fn open_with(home: &Path, migrations: &[&str]) -> Result<Self> {
        let path = home.join(DB_FILE);
        // Switching a new file to WAL can answer SQLITE_BUSY at once, without the busy
        // handler, while another process does the same (the app and a CLI on first run):
        // such an open is tried again, for at most OPEN_BUSY_FOR.
        let started = std::time::Instant::now();
        loop {
            match Self::connect(&path, migrations) {
                Err(Error::Database(e))
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) =>
                {
                    if started.elapsed() >= OPEN_BUSY_FOR {
                        return Err(Error::Migration(format!(
                            "the database at {} stayed locked for {} s while opening it (another Patchbay process holds it): {e}",
                            path.display(),
                            OPEN_BUSY_FOR.as_secs()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(e),
                Ok(conn) => {
                    return Ok(Store {
                        path,
                        shared: Arc::new(deferred::Shared::new(conn)),
                        deferred: deferred::Deferred::new(),
                        writes: std::sync::atomic::AtomicU64::new(0),
                    });
                }
            }
        }
    }

    fn connect(path: &Path, migrations: &[&str]) -> Result<Connection> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // A call through the gateway alone runs about a dozen distinct statements; the
        // default cache (16) would keep preparing them again.
        conn.set_prepared_statement_cache_capacity(64);
        // WAL lets readers (the window) and a writer (a CLI) work at once.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Foreign keys are not enforced while migrations run (SQLite's way to rebuild a table
        // that others refer to: a DROP would otherwise cascade), and checked before they commit.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        migrate(&mut conn, path, migrations)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        self.shared.conn.lock().map_err(|_| {
            Error::Internal("the database lock was poisoned by an earlier failure".into())
        })
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
        // Only this connection writes while the lock is held (deferred writes take it too).
        let before = conn.total_changes();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        if conn.total_changes() != before {
            self.writes
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(out)
    }

    /// Queue a write nobody waits for (a log row): written within
    /// [`deferred::FLUSH_AFTER`] by the writer thread, in a batch's transaction. Readers of
    /// what such writes write call [`Store::flush_deferred`] first.
    pub(crate) fn defer(&self, job: deferred::Job) {
        self.deferred.push(&self.shared, job);
    }

    /// Write the deferred writes queued so far, before returning.
    pub fn flush_deferred(&self) {
        self.deferred.flush(&self.shared);
    }

    /// Changes whenever another connection (another process) commits: the window polls it
    /// to refresh within a second of a CLI change.
    pub fn data_version(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.prepare_cached("PRAGMA data_version")?
                .query_row([], |r| r.get(0))?)
        })
    }

    /// Changes whenever anything but a deferred write (a log row) commits, in this process
    /// or another: what a cache of rows compares to know it must read again.
    pub fn change_stamp(&self) -> Result<(i64, u64)> {
        let other = self.data_version()?;
        Ok((other, self.writes.load(std::sync::atomic::Ordering::SeqCst)))
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }
}

/// Apply the pending migrations in ONE transaction that takes the write lock before reading
/// the schema version, so two processes opening a new database at once (the app and a CLI
/// on first run) migrate it exactly once. Written by hand: rusqlite_migration reads the
/// version before taking the write lock, and our concurrency test caught the second process
/// re-running migration 1.
fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str]) -> Result<()> {
    let known = migrations.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(Error::DatabaseTooNew {
            path: path.display().to_string(),
            found,
            known,
        });
    }
    for (i, sql) in migrations.iter().enumerate().skip(found.max(0) as usize) {
        tx.execute_batch(sql)
            .map_err(|e| Error::Migration(format!("migration {} of {known} failed: {e}", i + 1)))?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_record_the_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
        drop(store);
        let again = Store::open(dir.path()).expect("reopens without re-running migrations");
        assert_eq!(again.schema_version().expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn a_failing_migration_leaves_the_database_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(Store::open_with(dir.path(), FIRST_SCHEMA).expect("v1"));
        let broken: &[&str] = &[
            MIGRATIONS[0],
            "ALTER TABLE actions ADD COLUMN x INTEGER; NOT SQL;",
        ];
        let err = Store::open_with(dir.path(), broken).expect_err("broken migration");
        assert!(matches!(err, Error::Migration(_)), "{err}");
        let v1 = Store::open_with(dir.path(), FIRST_SCHEMA).expect("still v1");
        assert_eq!(v1.schema_version().expect("version"), 1);
        let has_x: i64 = v1
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM pragma_table_info('actions') WHERE name = 'x'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("query");
        assert_eq!(has_x, 0, "the half-applied migration was rolled back");
    }

    /// v14 rebuilds `connections` (which actions and grants refer to) and `oauth_grants`:
    /// every row and reference survives, and foreign keys hold on the new tables.
    #[test]
    fn v14_rebuilds_connections_and_grants_keeping_rows_and_references() {
        let dir = tempfile::tempdir().expect("tempdir");
        let v13 = Store::open_with(dir.path(), &MIGRATIONS[..13]).expect("v13");
        v13.write(|tx| {
            tx.execute_batch(
                "INSERT INTO connections (id, name, provider, client_id, has_client_secret, authorization_url,
                    token_url, token_auth_method, created_at, updated_at)
                 VALUES ('c1', 'gh', 'github', 'cid', 1, 'https://a/auth', 'https://a/token',
                    'client_secret_post', 't', 't');
                 INSERT INTO actions (id, name, kind, url, auth_type, connection_id, created_at, updated_at)
                 VALUES ('a1', 'uses-gh', 'mcp', 'https://m/mcp', 'connection', 'c1', 't', 't');
                 INSERT INTO oauth_grants (owner, connection_id, issuer, client_id, connected_at, auth_method)
                 VALUES ('connection/c1', 'c1', 'https://a', 'cid', 't', 'client_secret_post');",
            )?;
            Ok(())
        })
        .expect("v13 rows");
        drop(v13);
        let s = Store::open(dir.path()).expect("migrates to v14");
        let row: (String, String, Option<String>, String, String) = s
            .read(|c| {
                Ok(c.query_row(
                    "SELECT c.token_auth_method, c.grant_type, c.public_jwk, a.connection_id, g.grant_type
                     FROM connections c JOIN actions a ON a.connection_id = c.id
                     JOIN oauth_grants g ON g.connection_id = c.id",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?)
            })
            .expect("rows kept");
        assert_eq!(
            row,
            (
                "client_secret_post".into(),
                "authorization-code".into(),
                None,
                "c1".into(),
                "authorization-code".into()
            )
        );
        let refused = s.write(|tx| {
            tx.execute("DELETE FROM connections WHERE id = 'c1'", [])?;
            Ok(())
        });
        assert!(
            refused.is_err(),
            "the action still refers to the connection"
        );
        let no_key = s.write(|tx| {
            tx.execute(
                "UPDATE connections SET token_auth_method = 'private_key_jwt', has_client_secret = 0",
                [],
            )?;
            Ok(())
        });
        assert!(no_key.is_err(), "private_key_jwt needs its public key");
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
    }

    fn insert_a_token(store: &Store) {
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO tokens (id, name, kind, header_name, created_at, updated_at)
                     VALUES ('1', 't', 'text', 'X', 'now', 'now')",
                    [],
                )?;
                Ok(())
            })
            .expect("write");
    }

    #[test]
    fn the_change_stamp_moves_for_this_processs_writes_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = Store::open(dir.path()).expect("opens");
        let before = a.change_stamp().expect("stamp");
        assert_eq!(
            a.change_stamp().expect("stamp"),
            before,
            "no write, no change"
        );
        insert_a_token(&a);
        assert_ne!(a.change_stamp().expect("stamp"), before);
    }

    #[test]
    fn data_version_moves_when_another_connection_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = Store::open(dir.path()).expect("opens");
        let b = Store::open(dir.path()).expect("opens again");
        let before = a.data_version().expect("v");
        insert_a_token(&b);
        assert_ne!(
            a.data_version().expect("v"),
            before,
            "a commit by another connection changes data_version"
        );
    }
}
