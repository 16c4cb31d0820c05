//! The unit of work: how the service layer runs database work without blocking the
//! async workers.
//!
//! A unit is a closure over `&mut DbConn`. [`Db::write`] commits it before returning: on
//! SQLite through the group-commit writer ([`super::writer`]), on PostgreSQL in its own
//! transaction on the blocking pool. [`Db::read`] runs it in one read snapshot,
//! [`Db::read_latest`] outside a transaction. Which path a unit takes is decided here
//! and nowhere else: nothing outside `store/` knows the backend.
//!
//! Every hop keeps the caller's tracing span, so a line logged on the blocking pool or
//! by the SQLite writer thread names the request it served.

use std::future::Future;
use std::ops::ControlFlow;

use diesel::result::Error as DieselError;
use tracing::Instrument;

use super::{Db, DbConn, StoreError};

/// How often a unit that lost a race on a unique constraint is run in all.
const WRITE_ATTEMPTS: usize = 3;

/// The error a unit of work ends with: made from a [`StoreError`], and able to say when
/// the unit lost a race to a concurrent writer (so [`Db::write_retrying`] runs it again).
pub trait UnitError: From<StoreError> + Send + 'static {
    /// True when the unit failed on [`StoreError::Conflict`].
    fn is_conflict(&self) -> bool;
}

impl UnitError for StoreError {
    fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict)
    }
}

impl StoreError {
    /// A database error inside a retried unit: a unique violation, or PostgreSQL
    /// breaking a deadlock by aborting this transaction, is a lost race
    /// ([`StoreError::Conflict`]); anything else stays what it was.
    pub fn retryable(err: DieselError) -> Self {
        if super::is_unique_violation(&err) || super::is_deadlock(&err) {
            StoreError::Conflict
        } else {
            StoreError::Query(err)
        }
    }
}

/// Runs blocking work (queries, password hashing) on the blocking pool, inside the
/// caller's span.
pub async fn blocking<T, F>(f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|err| StoreError::Interrupted(err.to_string()))
}

impl Db {
    /// One write unit, committed before this returns: on SQLite the unit runs in its own
    /// savepoint of the writer's shared transaction; on PostgreSQL in its own
    /// transaction. An `Err` rolls back the unit's changes and nothing else.
    pub async fn write<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        match self.writer() {
            Some(writer) => writer
                .submit(unit)
                .await
                .map_err(|gone| E::from(StoreError::Unavailable(gone.to_string())))?,
            None => {
                let db = self.clone();
                blocking(move || db.write_blocking(unit)).await?
            }
        }
    }

    /// [`Db::write`], run again in a new transaction while it fails with a conflict, up
    /// to three times in all. On PostgreSQL two writers can both pass a uniqueness check
    /// and one loses at INSERT; on the retry it reads the winner's row and answers from
    /// it.
    pub async fn write_retrying<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: UnitError,
        F: Fn(&mut DbConn) -> Result<T, E> + Send + Clone + 'static,
    {
        retrying(|| {
            let unit = unit.clone();
            self.write(move |conn| unit(conn))
        })
        .await
    }

    /// Reads outside a transaction (as [`Db::read_latest`]), then, unless the read
    /// already decided the answer (`Break`), writes what it prepared in one write unit
    /// (as [`Db::write`]). On SQLite the read runs on a read connection and the write on
    /// the group-commit writer; on PostgreSQL both run on one pooled connection, so a
    /// request checks out (and health-checks) a connection once, not twice.
    pub async fn read_then_write<R, T, E, Read, Write>(&self, read: Read, write: Write) -> Result<T, E>
    where
        R: Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        Read: FnOnce(&mut DbConn) -> Result<ControlFlow<T, R>, E> + Send + 'static,
        Write: FnOnce(&mut DbConn, R) -> Result<T, E> + Send + 'static,
    {
        if self.writer().is_some() {
            return match self.read_latest(read).await? {
                ControlFlow::Break(answer) => Ok(answer),
                ControlFlow::Continue(prepared) => self.write(move |conn| write(conn, prepared)).await,
            };
        }
        let pool = self.write.clone();
        blocking(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            match read(&mut conn)? {
                ControlFlow::Break(answer) => Ok(answer),
                ControlFlow::Continue(prepared) => super::in_write_transaction(&mut conn, |conn| write(conn, prepared)),
            }
        })
        .await?
    }

    /// One read-only snapshot: the unit runs in one (deferred) transaction.
    pub async fn read<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + From<DieselError> + Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        blocking(move || db.read_blocking(unit)).await?
    }

    /// Reads outside a transaction: each statement sees the latest committed data (see
    /// [`Db::read_latest_blocking`]).
    pub async fn read_latest<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        blocking(move || db.read_latest_blocking(unit)).await?
    }

    /// Reads page after page, each in its own read snapshot, on one blocking thread (in
    /// the caller's span), and hands each page to the returned channel: for exports
    /// too large to hold in memory. `next_page` gets the cursor the previous page
    /// returned (`None` first); it stops after a page with no next cursor, after an
    /// error (which is sent), or when the receiver is dropped.
    pub fn read_pages<P, E, F>(&self, mut next_page: F) -> tokio::sync::mpsc::Receiver<Result<P, E>>
    where
        P: Send + 'static,
        E: From<StoreError> + From<DieselError> + Send + 'static,
        F: FnMut(&mut DbConn, Option<String>) -> Result<(P, Option<String>), E> + Send + 'static,
    {
        let (pages, received) = tokio::sync::mpsc::channel(4);
        let db = self.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut cursor = None;
            loop {
                let (page, next) = match db.read_blocking(|conn| next_page(conn, cursor.take())) {
                    Ok(page) => page,
                    Err(err) => {
                        let _ = pages.blocking_send(Err(err));
                        return;
                    }
                };
                if pages.blocking_send(Ok(page)).is_err() {
                    return; // the reader went away
                }
                match next {
                    Some(next) => cursor = Some(next),
                    None => return,
                }
            }
        });
        received
    }

    /// True when the database answers a trivial query.
    pub async fn is_reachable(&self) -> bool {
        let db = self.clone();
        blocking(move || db.ping()).await.unwrap_or(false)
    }
}

/// Runs `attempt` again while it fails with a conflict, up to three times in all: for
/// work that reads first and writes after in separate units (each attempt reads again,
/// so it sees what the concurrent writer committed).
pub async fn retrying<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: UnitError,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        match attempt().in_current_span().await {
            Err(err) if err.is_conflict() && attempts < WRITE_ATTEMPTS => {
                tracing::debug!(attempts, "write conflict; running the unit again");
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing::Instrument;

    use super::{StoreError, UnitError, retrying};
    use crate::store::{Db, DbTarget, PoolSettings, SqliteSync};

    /// A line logged inside a unit names the request it serves: the unit runs in the
    /// caller's span on the SQLite writer thread and on the blocking pool.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn units_run_in_the_callers_span_on_the_writer_and_the_blocking_pool() -> Result<(), StoreError> {
        // Spans have ids only under a subscriber; keep one that is already installed.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        let dir = tempfile::tempdir().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let target = DbTarget::Sqlite(dir.path().join("span.db").to_string_lossy().into_owned());
        let db = Db::connect(&target, SqliteSync::Full, &PoolSettings::default())?;
        let request = tracing::info_span!("request");
        let outer = request.id();
        assert!(outer.is_some(), "no subscriber gave the span an id");
        let current = || Ok::<_, StoreError>(tracing::Span::current().id());
        let (written, read, latest) = async {
            let written = db.write(move |_| current()).await?;
            let read = db.read(move |_| current()).await?;
            let latest = db.read_latest(move |_| current()).await?;
            Ok::<_, StoreError>((written, read, latest))
        }
        .instrument(request)
        .await?;
        assert_eq!((written, read, latest), (outer.clone(), outer.clone(), outer));
        Ok(())
    }

    #[derive(Debug)]
    struct Lost(StoreError);

    impl From<StoreError> for Lost {
        fn from(err: StoreError) -> Self {
            Lost(err)
        }
    }

    impl UnitError for Lost {
        fn is_conflict(&self) -> bool {
            self.0.is_conflict()
        }
    }

    #[actix_web::test]
    async fn a_conflict_is_retried_three_times_in_all_then_answered() {
        let mut runs = 0;
        let answer: Result<(), Lost> = retrying(|| {
            runs += 1;
            async { Err(Lost(StoreError::Conflict)) }
        })
        .await;
        assert!(matches!(answer, Err(Lost(StoreError::Conflict))));
        assert_eq!(runs, 3);
    }

    #[actix_web::test]
    async fn other_errors_and_successes_are_answered_at_once() {
        let mut runs = 0;
        let answer: Result<(), Lost> = retrying(|| {
            runs += 1;
            async { Err(Lost(StoreError::Unavailable("down".into()))) }
        })
        .await;
        assert!(matches!(answer, Err(Lost(StoreError::Unavailable(_)))));
        assert_eq!(runs, 1);

        let mut runs = 0;
        let answer: Result<u8, Lost> = retrying(|| {
            runs += 1;
            let run = runs;
            async move {
                if run < 2 {
                    Err(Lost(StoreError::Conflict))
                } else {
                    Ok(7)
                }
            }
        })
        .await;
        assert_eq!(answer.ok(), Some(7));
        assert_eq!(runs, 2);
    }
}
