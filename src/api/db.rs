//! Running a unit of database work off the async workers: pool checkout, transaction
//! and queries all happen inside one `web::block`.

use actix_web::web;

use super::ApiError;
use crate::store::{Db, DbConn};

/// One write unit, committed before this returns: on SQLite through the group-commit
/// writer (the unit runs in its own savepoint of a shared transaction, see
/// [`crate::store::writer`]), on PostgreSQL in its own transaction ([`Db::write_tx`]).
pub async fn write<T, F>(db: &Db, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    match db.writer() {
        Some(writer) => writer.submit(f).await.map_err(ApiError::unavailable)?,
        None => {
            let db = db.clone();
            web::block(move || db.write_tx(f)).await?
        }
    }
}

/// One read-only snapshot (see [`Db::read`]).
pub async fn read<T, F>(db: &Db, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let db = db.clone();
    web::block(move || db.read(f)).await?
}

/// Reads outside a transaction (see [`Db::read_latest`]).
pub async fn read_latest<T, F>(db: &Db, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let db = db.clone();
    web::block(move || db.read_latest(f)).await?
}

/// CPU-bound work (password hashing) on the blocking pool.
pub async fn cpu<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    Ok(web::block(f).await?)
}

/// How often a unit that lost a race on a unique constraint is run again.
const WRITE_ATTEMPTS: usize = 3;

/// The answer for a unique violation inside a retried unit: the unit is run again and
/// then sees the row the concurrent writer committed.
pub fn write_conflict() -> ApiError {
    ApiError::conflict("write_conflict", "A concurrent request changed the same data; retry.")
}

/// Maps a database error inside a retried unit: unique violations retry; a lock or
/// statement timeout is 503, anything else 500.
pub fn retryable(err: diesel::result::Error) -> ApiError {
    if crate::store::is_unique_violation(&err) {
        write_conflict()
    } else {
        ApiError::from(err)
    }
}

/// [`write`], run again (in a new transaction) when it failed with [`write_conflict`].
/// On PostgreSQL concurrent writers can both pass a uniqueness check and one loses at
/// INSERT; on the retry it finds the winner's row and answers from it.
pub async fn write_retrying<T, F>(db: &Db, unit: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: Fn(&mut DbConn) -> Result<T, ApiError> + Send + Clone + 'static,
{
    retrying(|| {
        let unit = unit.clone();
        write(db, move |conn| unit(conn))
    })
    .await
}

/// Runs `attempt` again while it fails with [`write_conflict`], up to
/// [`WRITE_ATTEMPTS`] times: for work that reads first and writes after (each attempt
/// reads again, so it sees what the concurrent writer committed).
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        match attempt().await {
            Err(err) if err.code() == "write_conflict" && attempts < WRITE_ATTEMPTS => continue,
            other => return other,
        }
    }
}
