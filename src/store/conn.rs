//! The connection type that spans both backends and the r2d2 manager that opens it.
//!
//! The backend is chosen from the URL scheme, never by trial: diesel's
//! `MultiConnection::establish` tries each backend in turn and turns a mistyped
//! PostgreSQL URL into a fresh, empty SQLite file named like the URL.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// How hard SQLite flushes a commit to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// `synchronous=FULL`: an acknowledged commit survives a power cut.
    #[default]
    Full,
    /// `synchronous=NORMAL`: in WAL mode the last commits may be lost on power loss
    /// (never on a process crash), in exchange for fewer fsyncs.
    Normal,
}

/// A parsed database location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Postgres(String),
    Sqlite(String),
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("unsupported database URL scheme `{0}`: use postgres://, postgresql://, sqlite:// or a file path")]
    UnknownScheme(String),
    #[error("empty SQLite path")]
    EmptyPath,
}

impl DbTarget {
    /// The SQLite file this names (as an absolute path) when it does not exist yet;
    /// `None` for PostgreSQL and for a file that exists.
    pub fn missing_file(&self) -> Option<std::path::PathBuf> {
        let Self::Sqlite(path) = self else {
            return None;
        };
        let path = std::path::Path::new(path);
        if path.exists() {
            return None;
        }
        Some(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
    }

    /// Parses `postgres://…`, `postgresql://…`, `sqlite://path`, `sqlite:path` or a bare path.
    pub fn parse(url: &str) -> Result<Self, TargetError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = url.split_once("://") {
            return Err(TargetError::UnknownScheme(scheme.to_owned()));
        } else {
            url
        };
        if path.is_empty() {
            return Err(TargetError::EmptyPath);
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// r2d2 manager that opens the backend named by its target and applies the
/// per-connection settings every SQLite connection needs.
#[derive(Debug, Clone)]
pub struct Manager {
    target: DbTarget,
    sqlite_sync: SqliteSync,
    busy_timeout_ms: u32,
}

impl Manager {
    pub fn new(target: DbTarget, sqlite_sync: SqliteSync) -> Self {
        Self {
            target,
            sqlite_sync,
            busy_timeout_ms: 5_000,
        }
    }

    pub fn open(&self) -> Result<DbConn, ConnectionError> {
        match &self.target {
            DbTarget::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // A runaway statement must not hold a connection forever.
                conn.batch_execute("SET statement_timeout = '30s'; SET TIME ZONE 'UTC';")
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Pg(conn))
            }
            DbTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                let sync = match self.sqlite_sync {
                    SqliteSync::Full => "FULL",
                    SqliteSync::Normal => "NORMAL",
                };
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;",
                    self.busy_timeout_ms
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// A pooled connection and when it last answered a health check.
///
/// The pool checks a connection each time it hands it out, but not again within
/// [`CHECKED_RECENTLY`] of the last check that passed (HikariCP's "alive bypass
/// window"): on a busy server the check would otherwise be one round trip in every
/// request's few (on PostgreSQL, one in eleven of an order). A connection that died
/// meanwhile fails the request that uses it like a server that dies mid-request would,
/// and is checked, found dead and replaced within the window.
pub struct Pooled {
    conn: DbConn,
    checked_at: Instant,
}

/// How long a health check that passed vouches for a connection.
pub const CHECKED_RECENTLY: Duration = Duration::from_millis(500);

impl std::ops::Deref for Pooled {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = ConnectionError;

    fn connect(&self) -> Result<Pooled, ConnectionError> {
        Ok(Pooled {
            conn: self.open()?,
            checked_at: Instant::now(),
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), ConnectionError> {
        if pooled.checked_at.elapsed() < CHECKED_RECENTLY {
            return Ok(());
        }
        pooled.conn.ping().map_err(ConnectionError::CouldntSetupConfiguration)?;
        pooled.checked_at = Instant::now();
        Ok(())
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        // A connection left inside a transaction (after a panic) must not be reused.
        pooled.conn.is_broken()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_schemes_are_postgres() {
        for url in ["postgres://u@h/db", "postgresql://u@h/db"] {
            assert_eq!(DbTarget::parse(url).map(|t| t.backend()).ok(), Some(Backend::Postgres));
        }
    }

    #[test]
    fn sqlite_forms_are_sqlite_paths() {
        assert_eq!(
            DbTarget::parse("reftrack.db").ok(),
            Some(DbTarget::Sqlite("reftrack.db".into()))
        );
        assert_eq!(
            DbTarget::parse("sqlite://data/x.db").ok(),
            Some(DbTarget::Sqlite("data/x.db".into()))
        );
        assert_eq!(
            DbTarget::parse("sqlite:x.db").ok(),
            Some(DbTarget::Sqlite("x.db".into()))
        );
    }

    #[test]
    fn unknown_scheme_is_refused_not_a_file() {
        assert!(matches!(
            DbTarget::parse("mysql://h/db"),
            Err(TargetError::UnknownScheme(_))
        ));
        assert!(matches!(
            DbTarget::parse("postgress://h/db"),
            Err(TargetError::UnknownScheme(_))
        ));
        assert!(matches!(DbTarget::parse("sqlite://"), Err(TargetError::EmptyPath)));
    }
}
