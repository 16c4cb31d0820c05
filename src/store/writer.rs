//! Group commit for SQLite's single writer.
//!
//! SQLite admits one writer at a time, and with `synchronous=FULL` every commit waits
//! for the disk. Request handlers therefore hand their write units to one writer thread
//! instead of queueing for the connection: while a commit is being flushed, the units
//! that arrive meanwhile queue up, and the next transaction runs all of them, each inside
//! its own savepoint, then commits once. A unit that fails is rolled back to its
//! savepoint and answers its own error without touching its neighbours; every other
//! unit answers only after the shared COMMIT has returned, so an acknowledged write is
//! as durable as with one transaction per unit. If the COMMIT itself fails, every unit
//! of the group is told so and nothing of the group was written.
//!
//! PostgreSQL does not need this (each request has its own connection and the server
//! flushes concurrent commits together), so only SQLite databases get a writer.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use tokio::sync::oneshot;

use super::{DbConn, Pool, StoreError};

/// Most units run in one transaction; a bound keeps one group's latency predictable.
const MAX_GROUP: usize = 64;

/// A unit of work waiting for the writer.
trait Unit: Send {
    /// Runs the unit; `true` when its changes are to be kept. The returned closure
    /// delivers the unit's answer once the group's commit outcome is known.
    fn run(self: Box<Self>, conn: &mut DbConn) -> (bool, Finish);
    /// The group could not start: answer with this error.
    fn abandon(self: Box<Self>, err: StoreError);
}

type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

struct Job<F, T, E> {
    work: F,
    answer: oneshot::Sender<Result<T, E>>,
    /// The submitter's span: what the unit logs names the request it serves.
    span: tracing::Span,
}

impl<F, T, E> Unit for Job<F, T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConn) -> (bool, Finish) {
        let Job { work, answer, span } = *self;
        match span.in_scope(|| catch_unwind(AssertUnwindSafe(|| work(conn)))) {
            Ok(Ok(value)) => (
                true,
                Box::new(move |committed: Result<(), StoreError>| {
                    let _ = answer.send(committed.map(|()| value).map_err(E::from));
                }),
            ),
            Ok(Err(err)) => (
                false,
                Box::new(move |_| {
                    let _ = answer.send(Err(err));
                }),
            ),
            // The unit panicked: its changes are rolled back and its caller sees the
            // channel close (reported as an error), while the writer carries on.
            Err(_) => (false, Box::new(move |_| drop(answer))),
        }
    }

    fn abandon(self: Box<Self>, err: StoreError) {
        let _ = self.answer.send(Err(E::from(err)));
    }
}

/// The handle requests use to reach the writer thread.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Box<dyn Unit>>,
}

/// Why a submitted unit got no answer.
#[derive(Debug, thiserror::Error)]
#[error("the database writer stopped before answering")]
pub struct WriterGone;

impl Writer {
    /// Starts the writer thread on the (one-connection) write pool. The thread ends when
    /// the last handle is dropped.
    pub fn start(pool: Pool) -> std::io::Result<Self> {
        let (queue, units) = mpsc::channel::<Box<dyn Unit>>();
        std::thread::Builder::new()
            .name("reftrack-writer".into())
            .spawn(move || run(&pool, &units))?;
        Ok(Self { queue })
    }

    /// Queues `work` for the next group and waits, without blocking the caller's thread,
    /// for its answer after the group's commit.
    pub async fn submit<T, E, F>(&self, work: F) -> Result<Result<T, E>, WriterGone>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Box::new(Job {
                work,
                answer,
                span: tracing::Span::current(),
            }))
            .map_err(|_| WriterGone)?;
        answered.await.map_err(|_| WriterGone)
    }
}

fn run(pool: &Pool, units: &mpsc::Receiver<Box<dyn Unit>>) {
    while let Ok(first) = units.recv() {
        let mut group = Vec::with_capacity(MAX_GROUP);
        group.push(first);
        while group.len() < MAX_GROUP {
            match units.try_recv() {
                Ok(unit) => group.push(unit),
                Err(_) => break,
            }
        }
        commit_group(pool, group);
    }
}

fn commit_group(pool: &Pool, group: Vec<Box<dyn Unit>>) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(err) => return abandon(group, &err),
    };
    let conn: &mut DbConn = &mut conn;
    let begun = match conn {
        DbConn::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE"),
        DbConn::Pg(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN"),
    };
    if let Err(err) = begun {
        return abandon(group, &err);
    }
    let mut finishes: Vec<Finish> = Vec::with_capacity(group.len());
    let mut units = group.into_iter();
    while let Some(unit) = units.next() {
        // Each unit starts at the group's own transaction, depth 1. Anything else means
        // the transaction is gone (SQLite rolls the whole of it back on an I/O error or
        // a full disk) and a unit would otherwise run, and commit, on its own.
        if depth(conn) != Some(1) {
            let cause = "the group's transaction was lost";
            rollback_all(conn);
            tracing::error!(units = finishes.len() + 1 + units.len(), "{cause}");
            for finish in finishes {
                finish(Err(StoreError::Unavailable(cause.into())));
            }
            for unit in std::iter::once(unit).chain(units) {
                unit.abandon(StoreError::Unavailable(cause.into()));
            }
            return;
        }
        // A savepoint per unit: a unit that fails takes back only its own changes.
        if let Err(err) = <DbConn as Connection>::TransactionManager::begin_transaction(conn) {
            unit.abandon(StoreError::Query(err));
            continue;
        }
        let (keep, finish) = unit.run(conn);
        let closed = if keep {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)
        } else {
            // A unit that panicked inside a nested transaction leaves it open: take
            // back every level down to the group's transaction.
            rollback_to_group(conn)
        };
        match closed {
            Ok(()) => finishes.push(finish),
            Err(err) => {
                let _ = rollback_to_group(conn);
                finish(Err(StoreError::Query(err)));
            }
        }
    }
    let committed = match depth(conn) {
        Some(1) => <DbConn as Connection>::TransactionManager::commit_transaction(conn).map_err(|e| e.to_string()),
        _ => Err("the group's transaction was lost".to_owned()),
    };
    let failure = match committed {
        Ok(()) => None,
        Err(cause) => {
            rollback_all(conn);
            tracing::error!(error = %cause, units = finishes.len(), "group commit failed");
            Some(cause)
        }
    };
    for finish in finishes {
        finish(match &failure {
            None => Ok(()),
            Some(cause) => Err(StoreError::Unavailable(cause.clone())),
        });
    }
}

/// How many transactions and savepoints are open on the connection.
fn depth(conn: &mut DbConn) -> Option<u32> {
    <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .ok()
        .flatten()
        .map(std::num::NonZeroU32::get)
}

/// Rolls back savepoints until only the group's transaction is open.
fn rollback_to_group(conn: &mut DbConn) -> diesel::QueryResult<()> {
    while depth(conn).is_some_and(|d| d > 1) {
        <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
    }
    Ok(())
}

/// Rolls back everything still open, group transaction included.
fn rollback_all(conn: &mut DbConn) {
    while depth(conn).is_some() {
        if <DbConn as Connection>::TransactionManager::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

/// Answers every unit of a group that could not start.
fn abandon(group: Vec<Box<dyn Unit>>, cause: &dyn std::fmt::Display) {
    tracing::error!(error = %cause, units = group.len(), "write group could not start");
    for unit in group {
        unit.abandon(StoreError::Unavailable(cause.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::BigInt;
    use diesel::{Connection, RunQueryDsl};

    use super::*;
    use crate::store::{Db, DbTarget, PoolSettings, SqliteSync};

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn count(db: &Db) -> i64 {
        db.read_blocking(|conn| {
            diesel::sql_query("SELECT COUNT(*) AS n FROM scratch")
                .get_result::<Count>(conn)
                .map(|c| c.n)
                .map_err(StoreError::from)
        })
        .unwrap_or(-1)
    }

    /// A SQLite database with one scratch table, and its writer.
    fn scratch_db(dir: &tempfile::TempDir) -> Result<(Db, Writer), StoreError> {
        let target = DbTarget::Sqlite(dir.path().join("w.db").to_string_lossy().into_owned());
        let db = Db::connect(&target, SqliteSync::Full, &PoolSettings::default())?;
        db.write_conn()?
            .batch_execute("CREATE TABLE scratch (n BIGINT PRIMARY KEY)")
            .map_err(StoreError::from)?;
        let writer = db
            .writer()
            .cloned()
            .ok_or(StoreError::Unavailable("no writer".into()))?;
        Ok((db, writer))
    }

    fn insert(conn: &mut DbConn, n: i64) -> Result<(), StoreError> {
        diesel::sql_query(format!("INSERT INTO scratch (n) VALUES ({n})"))
            .execute(conn)
            .map(drop)
            .map_err(StoreError::from)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failing_unit_takes_back_only_its_own_writes() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let (db, writer) = scratch_db(&dir)?;
        let tasks: Vec<_> = (0..60)
            .map(|n| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    writer
                        .submit(move |conn| {
                            insert(conn, n)?;
                            if n % 5 == 0 {
                                // Written, then failed: must leave no trace.
                                return Err(StoreError::Unavailable(format!("unit {n} fails")));
                            }
                            Ok(n)
                        })
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            match task.await {
                Ok(Ok(Ok(_))) => ok += 1,
                Ok(Ok(Err(StoreError::Unavailable(_)))) => {}
                other => panic!("unexpected answer: {other:?}"),
            }
        }
        assert_eq!(ok, 48);
        assert_eq!(count(&db), 48);
        // A unique violation in one unit is that unit's error only.
        let duplicate = writer.submit(|conn| insert(conn, 1)).await;
        assert!(matches!(duplicate, Ok(Err(StoreError::Query(_)))));
        assert_eq!(
            writer.submit(|conn| insert(conn, 1000)).await.ok().map(|r| r.is_ok()),
            Some(true)
        );
        assert_eq!(count(&db), 49);
        Ok(())
    }

    #[tokio::test]
    async fn a_panicking_unit_is_rolled_back_and_the_writer_carries_on() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let (db, writer) = scratch_db(&dir)?;
        let panicked = writer
            .submit(|conn| -> Result<(), StoreError> {
                insert(conn, 7)?;
                panic!("unit bug");
            })
            .await;
        assert!(panicked.is_err());
        // A panic inside a nested transaction leaves that savepoint open too.
        let nested = writer
            .submit(|conn| -> Result<(), StoreError> {
                conn.transaction(|conn| -> Result<(), StoreError> {
                    insert(conn, 9)?;
                    panic!("nested unit bug");
                })
            })
            .await;
        assert!(nested.is_err());
        assert!(matches!(writer.submit(|conn| insert(conn, 8)).await, Ok(Ok(()))));
        // Answered only after a real COMMIT: a separate connection sees exactly it.
        assert_eq!(count(&db), 1);
        Ok(())
    }
}
