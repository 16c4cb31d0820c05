//! Storage: the diesel schema, the queries, the connection pools and the embedded
//! migrations, one code path over SQLite and PostgreSQL.

pub mod api_keys;
pub mod batch;
pub mod bindings;
pub mod brand_reports;
pub mod brand_stats;
pub mod brands;
pub mod clicks;
pub mod codes;
pub mod conn;
pub mod dashboard;
pub mod deal_proofs;
pub mod deals;
pub mod fraud;
pub mod fx_rates;
pub mod idempotency;
pub mod ids;
pub mod influencers;
pub mod integrations;
pub mod invitations;
pub mod ledger;
pub mod mail;
pub mod membership_standing;
pub mod memberships;
pub mod migrations;
pub mod orders;
pub mod outbox;
pub mod password_resets;
pub mod payouts;
pub mod portable;
pub mod programs;
pub mod refresh_tokens;
pub mod refunds;
pub mod reviews;
pub mod rewards;
pub mod schema;
pub mod settings;
pub mod shop_events;
pub mod status_sql;
pub mod team;
pub mod time;
pub mod totals;
pub mod unit;
pub mod users;
pub mod web_sessions;
pub mod webhooks;
pub mod writer;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, RunQueryDsl};

pub use conn::{Backend, DbConn, DbTarget, Manager, SqliteSync};
pub use unit::{UnitError, blocking, retrying};

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Why a unit of work could not run or finish.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database error: {0}")]
    Query(#[from] DieselError),
    /// A group of writes could not start or commit (see [`writer`]); nothing of it was
    /// written.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A unique constraint refused a write inside a retried unit: a concurrent writer
    /// got there first. [`Db::write_retrying`] runs the unit again.
    #[error("a concurrent write changed the same data")]
    Conflict,
    /// Stored data that no longer reads back (see [`programs::read_terms`]).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The blocking task that ran the unit panicked or was cancelled.
    #[error("the unit of work was interrupted: {0}")]
    Interrupted(String),
}

/// True when the error is a UNIQUE constraint violation. SQLite names no constraint,
/// so callers decide what the conflict means from context, not from the name.
pub fn is_unique_violation(err: &DieselError) -> bool {
    matches!(err, DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
}

/// True when PostgreSQL aborted the transaction to break a deadlock (SQLSTATE 40P01,
/// which diesel does not name; its message is fixed by the server) or a serialisation
/// failure: nothing was written, and running the unit again is safe. Two transactions
/// can lock the same running-total rows in opposite orders (a maturation pass approving
/// many entries, a refund of one of their orders).
pub fn is_deadlock(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => info.message().starts_with("deadlock detected"),
        _ => false,
    }
}

/// True when the database gave up waiting rather than refused the work: SQLite's write
/// lock stayed busy past `busy_timeout`, or PostgreSQL cancelled a statement at
/// `statement_timeout`. Nothing was written; the request can be retried later.
pub fn is_timeout(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(_, info) => {
            let message = info.message();
            message.starts_with("database is locked")
                || message.starts_with("database table is locked")
                || message.starts_with("canceling statement due to statement timeout")
        }
        _ => false,
    }
}

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub read_connections: u32,
    /// PostgreSQL only; SQLite always has exactly one writer.
    pub write_connections: u32,
    pub connect_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            read_connections: 8,
            write_connections: 16,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// The database handle shared by every request: a read pool and a write pool.
///
/// SQLite has one writer. Writes go through a one-connection pool in `BEGIN IMMEDIATE`
/// transactions, so they queue in the pool instead of failing with `SQLITE_BUSY`
/// (a deferred transaction that reads and then writes cannot be retried safely).
/// On PostgreSQL both pools are the same pool.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    /// Shared: a `Db` is cloned for every unit of work.
    target: std::sync::Arc<DbTarget>,
    read: Pool,
    write: Pool,
    /// SQLite only: the group-commit writer in front of `write`.
    writer: Option<writer::Writer>,
}

impl Db {
    /// Opens the pools; fails when the database cannot be reached, so a wrong URL is a
    /// start-up error rather than a later surprise.
    pub fn connect(target: &DbTarget, sync: SqliteSync, settings: &PoolSettings) -> Result<Self, StoreError> {
        let manager = Manager::new(target.clone(), sync);
        match target.backend() {
            Backend::Postgres => {
                // libpq speaks TLS through OpenSSL, which by default frees its global
                // state in an `atexit` handler. The pool keeps connecting in its own
                // threads (it keeps one idle connection), so a process that exits while
                // one is mid-handshake had OpenSSL torn down under it: a segmentation
                // fault after the work was done (seen as `reftrack migrate` exiting 139
                // about once in 60 runs). Initialising OpenSSL first, with
                // `OPENSSL_INIT_NO_ATEXIT`, leaves the cleanup to the operating system.
                openssl_sys::init();
                let pool = r2d2::Pool::builder()
                    .max_size(settings.write_connections.max(1))
                    .min_idle(Some(1))
                    .connection_timeout(settings.connect_timeout)
                    .build(manager)?;
                Ok(Self {
                    backend: Backend::Postgres,
                    target: std::sync::Arc::new(target.clone()),
                    read: pool.clone(),
                    write: pool,
                    writer: None,
                })
            }
            Backend::Sqlite => {
                // Open the writer first: it creates the file and switches it to WAL
                // before any reader opens it.
                let write = r2d2::Pool::builder()
                    .max_size(1)
                    .connection_timeout(settings.connect_timeout)
                    .build(manager.clone())?;
                let read = r2d2::Pool::builder()
                    .max_size(settings.read_connections.max(1))
                    .min_idle(Some(1))
                    .connection_timeout(settings.connect_timeout)
                    .build(manager)?;
                let writer =
                    writer::Writer::start(write.clone()).map_err(|err| StoreError::Unavailable(err.to_string()))?;
                Ok(Self {
                    backend: Backend::Sqlite,
                    target: std::sync::Arc::new(target.clone()),
                    read,
                    write,
                    writer: Some(writer),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The group-commit writer, on SQLite (see [`writer`]). Request handlers send their
    /// write units there; [`Db::write_blocking`] stays one transaction per call, for
    /// tools.
    fn writer(&self) -> Option<&writer::Writer> {
        self.writer.as_ref()
    }

    /// Runs `f` in one write transaction: `BEGIN IMMEDIATE` on SQLite (takes the write
    /// lock up front), `BEGIN` on PostgreSQL. Commits on `Ok`, rolls back on `Err`.
    /// Nested `conn.transaction(..)` calls inside `f` become savepoints.
    pub fn write_blocking<T, E>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.write.get().map_err(StoreError::from)?;
        in_write_transaction(&mut conn, f)
    }

    /// Runs `f` on a read connection inside one (deferred) transaction, so the reads
    /// see one consistent snapshot.
    pub fn read_blocking<T, E>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + From<DieselError>,
    {
        let mut conn = self.read.get().map_err(StoreError::from)?;
        let conn: &mut DbConn = &mut conn;
        conn.transaction(f)
    }

    /// Runs `f` on a read connection outside any transaction: each statement sees the
    /// latest committed data, and no BEGIN/COMMIT round trips are spent. For hot paths
    /// whose reads need not share a snapshot because what matters is checked again
    /// where it is written (checkout).
    pub fn read_latest_blocking<T, E>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.read.get().map_err(StoreError::from)?;
        f(&mut conn)
    }

    /// Bytes the database takes on disk: the SQLite file and its write-ahead log, or the
    /// PostgreSQL database.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct Size {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            bytes: i64,
        }
        match self.target.as_ref() {
            DbTarget::Sqlite(path) => Ok(["", "-wal"]
                .iter()
                .filter_map(|suffix| std::fs::metadata(format!("{path}{suffix}")).ok())
                .map(|m| m.len())
                .sum()),
            DbTarget::Postgres(_) => self.read_blocking(|conn| {
                let size: Size =
                    diesel::sql_query("SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS bytes")
                        .get_result(conn)?;
                Ok(u64::try_from(size.bytes).unwrap_or(0))
            }),
        }
    }

    /// A connection from the write pool for maintenance (migrations).
    pub fn write_conn(&self) -> Result<PooledConn, StoreError> {
        Ok(self.write.get()?)
    }

    /// True when the database answers a trivial query.
    pub fn ping(&self) -> bool {
        use diesel::r2d2::R2D2Connection;
        match self.read.get() {
            Ok(mut conn) => conn.ping().is_ok(),
            Err(_) => false,
        }
    }
}

/// Runs `f` in one write transaction on `conn`: `BEGIN IMMEDIATE` on SQLite (takes the
/// write lock up front), `BEGIN` on PostgreSQL. Commits on `Ok`, rolls back on `Err`.
fn in_write_transaction<T, E>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    // `immediate_transaction` on the inner SqliteConnection would hand the closure
    // the inner connection; opening the transaction ourselves keeps `&mut DbConn`.
    let begun = match &mut *conn {
        DbConn::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE"),
        DbConn::Pg(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN"),
    };
    begun.map_err(StoreError::from)?;
    match f(conn) {
        Ok(value) => {
            if let Err(err) = <DbConn as Connection>::TransactionManager::commit_transaction(conn) {
                // A failed COMMIT on PostgreSQL leaves the transaction open; close it
                // so the pooled connection is clean (or marked broken).
                let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
                return Err(StoreError::from(err).into());
            }
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = <DbConn as Connection>::TransactionManager::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

    use super::is_timeout;

    #[derive(Debug)]
    struct Info(&'static str);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn error(message: &'static str) -> DieselError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(Info(message)))
    }

    #[test]
    fn lock_and_statement_timeouts_are_timeouts() {
        assert!(is_timeout(&error("database is locked")));
        assert!(is_timeout(&error("canceling statement due to statement timeout")));
        assert!(!is_timeout(&error("no such table: orders")));
        assert!(!is_timeout(&DieselError::NotFound));
    }
}
