//! Deferred writes: rows nobody waits for (the log) queued in memory and written by one
//! writer thread, many to a transaction, instead of one transaction each on the caller's
//! path under the connection's mutex.
//!
//! - A batch is written when it holds [`BATCH`] writes or its oldest is [`FLUSH_AFTER`]
//!   old, whichever comes first: another process (`patchbay logs` after a gateway call)
//!   sees a row within about that time.
//! - The queue holds at most [`MAX_QUEUED`] writes: the caller that fills it writes the
//!   batch itself (back-pressure, never a dropped row, never an unbounded queue).
//! - [`Deferred::flush`] writes what is queued before returning: a reader in this process
//!   calls it first, and sees every row queued before it asked.
//! - Dropping the store (a clean exit: the end of `main`, SIGINT/SIGTERM handled by the
//!   command) stops the writer and writes what is left. A process killed outright
//!   (SIGKILL, a power cut) loses the writes still queued: at most [`FLUSH_AFTER`] of them,
//!   about, on an idle writer, never a committed one.
//!
//! Each write runs in the batch's transaction; one that fails is skipped (SQLite undoes the
//! failed statement only) and the rest commit: these are best-effort rows, as before.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// A write to run later, in a batch's transaction.
pub(crate) type Job = Box<dyn FnOnce(&Transaction<'_>) -> rusqlite::Result<()> + Send>;

/// A batch is written once it has this many writes...
pub const BATCH: usize = 64;
/// ...or once its oldest write has waited this long.
pub const FLUSH_AFTER: Duration = Duration::from_millis(4);
/// The most writes queued; the caller that reaches it writes the batch itself.
pub const MAX_QUEUED: usize = 1024;

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    /// When the oldest queued write was queued.
    since: Option<Instant>,
    stop: bool,
}

/// The log rows noted by the insert trigger, added to the full-text index in one statement
/// (migration 18): FTS5 then writes one segment per batch instead of one per row.
pub(crate) fn index_new_log_rows(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO logs_fts (rowid, summary, request, response)
         SELECT l.id, l.summary, l.request, l.response
         FROM logs_unindexed u JOIN logs l ON l.id = u.id",
    )?
    .execute([])?;
    tx.prepare_cached("DELETE FROM logs_unindexed")?
        .execute([])?;
    Ok(())
}

pub(crate) struct Shared {
    pub(crate) conn: Mutex<Connection>,
    queue: Mutex<Queue>,
    wake: Condvar,
    /// Held while a batch is taken and written, so a flush returns only once every write
    /// queued before it is committed (not merely taken by the writer).
    writing: Mutex<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// A poisoned lock only means a thread panicked while holding it; the data (a queue, the
/// connection) stays usable, and losing every later log row to it would be worse.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(conn: Connection) -> Self {
        Shared {
            conn: Mutex::new(conn),
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            writing: Mutex::new(()),
        }
    }

    /// Write every queued write, in one transaction.
    fn flush(&self) {
        let _writing = lock(&self.writing);
        let jobs = {
            let mut q = lock(&self.queue);
            q.since = None;
            std::mem::take(&mut q.jobs)
        };
        if jobs.is_empty() {
            return;
        }
        let mut conn = lock(&self.conn);
        let Ok(tx) = conn.transaction_with_behavior(TransactionBehavior::Immediate) else {
            return;
        };
        for job in jobs {
            let _ = job(&tx);
        }
        let _ = index_new_log_rows(&tx);
        let _ = tx.commit();
    }

    /// The writer thread: waits for a first write, then for the batch to fill or age.
    fn run(&self) {
        loop {
            let mut q = lock(&self.queue);
            while q.jobs.is_empty() && !q.stop {
                q = self.wake.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
            if q.jobs.is_empty() {
                return; // stopped, nothing left
            }
            while !q.stop && q.jobs.len() < BATCH {
                let due = q.since.map_or_else(Instant::now, |s| s + FLUSH_AFTER);
                let left = due.saturating_duration_since(Instant::now());
                if left.is_zero() || q.jobs.is_empty() {
                    break;
                }
                q = self
                    .wake
                    .wait_timeout(q, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            drop(q);
            self.flush();
        }
    }
}

/// The queue of a store and its writer thread (started at the first write).
#[derive(Debug)]
pub(crate) struct Deferred {
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Deferred {
    pub(crate) fn new() -> Self {
        Deferred {
            writer: Mutex::new(None),
        }
    }

    /// Queue `job`; written within [`FLUSH_AFTER`] (or now, by this caller, when the queue
    /// is full or no writer thread could be started).
    pub(crate) fn push(&self, shared: &Arc<Shared>, job: Job) {
        let (first, full) = {
            let mut q = lock(&shared.queue);
            if q.stop {
                drop(q);
                return self.write_now(shared, job);
            }
            q.jobs.push(job);
            let first = q.since.is_none();
            if first {
                q.since = Some(Instant::now());
            }
            (first, q.jobs.len())
        };
        if full >= MAX_QUEUED || !self.ensure_writer(shared) {
            shared.flush();
        } else if first || full >= BATCH {
            shared.wake.notify_one();
        }
    }

    fn write_now(&self, shared: &Arc<Shared>, job: Job) {
        lock(&shared.queue).jobs.push(job);
        shared.flush();
    }

    /// Whether the writer thread runs (started here on the first write).
    fn ensure_writer(&self, shared: &Arc<Shared>) -> bool {
        let mut w = lock(&self.writer);
        if w.is_some() {
            return true;
        }
        let s = shared.clone();
        match std::thread::Builder::new()
            .name("patchbay-log-writer".into())
            .spawn(move || s.run())
        {
            Ok(h) => {
                *w = Some(h);
                true
            }
            Err(_) => false,
        }
    }

    /// Write everything queued so far before returning.
    pub(crate) fn flush(&self, shared: &Shared) {
        shared.flush();
    }

    /// Stop the writer (it writes what is queued first) and wait for it.
    pub(crate) fn stop(&self, shared: &Shared) {
        lock(&shared.queue).stop = true;
        shared.wake.notify_all();
        if let Some(h) = lock(&self.writer).take() {
            let _ = h.join();
        }
        shared.flush();
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::store::{DB_FILE, Store};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        store
            .write(|tx| Ok(tx.execute_batch("CREATE TABLE t (n INTEGER NOT NULL)")?))
            .expect("table");
        (dir, store)
    }

    fn insert(store: &Store, n: i64) {
        store.defer(Box::new(move |tx| {
            tx.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
            Ok(())
        }));
    }

    fn count(c: &rusqlite::Connection) -> i64 {
        c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count")
    }

    /// Another connection (another process) sees deferred rows without anyone flushing,
    /// within a bounded time, in the order they were queued.
    #[test]
    fn the_writer_thread_writes_without_being_asked() {
        let (dir, store) = store();
        for n in 0..10 {
            insert(&store, n);
        }
        let other = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("open");
        let started = Instant::now();
        while count(&other) < 10 {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the writer thread wrote {} of 10 rows in 5 s",
                count(&other)
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let order: Vec<i64> = other
            .prepare("SELECT n FROM t ORDER BY rowid")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(order, (0..10).collect::<Vec<_>>());
    }

    /// A flush returns once every row queued before it is committed, even when the writer
    /// thread is in the middle of a batch; more rows than the queue holds are all written.
    #[test]
    fn a_flush_sees_every_earlier_row_and_a_full_queue_writes_itself() {
        let (_dir, store) = store();
        let total = super::MAX_QUEUED as i64 * 3 + 7;
        for n in 0..total {
            insert(&store, n);
            if n % 500 == 0 {
                store.flush_deferred();
                assert_eq!(store.read(|c| Ok(count(c))).expect("count"), n + 1);
            }
        }
        store.flush_deferred();
        assert_eq!(store.read(|c| Ok(count(c))).expect("count"), total);
    }

    /// Dropping the store (a clean exit) writes what is still queued.
    #[test]
    fn dropping_the_store_writes_what_is_queued() {
        let (dir, store) = store();
        for n in 0..5 {
            insert(&store, n);
        }
        drop(store);
        let other = rusqlite::Connection::open(dir.path().join(DB_FILE)).expect("open");
        assert_eq!(count(&other), 5);
    }

    /// A write that fails is skipped; the rest of its batch commits.
    #[test]
    fn a_failing_write_costs_only_itself() {
        let (_dir, store) = store();
        insert(&store, 1);
        store.defer(Box::new(|tx| {
            tx.execute("INSERT INTO no_such_table (n) VALUES (1)", [])?;
            Ok(())
        }));
        insert(&store, 2);
        store.flush_deferred();
        assert_eq!(store.read(|c| Ok(count(c))).expect("count"), 2);
    }
}
