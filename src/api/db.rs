//! Running a unit of database work off the async workers: pool checkout, transaction
//! and queries all happen inside one `web::block`.

use actix_web::web;

use super::ApiError;
use crate::store::{Db, DbConn};

/// One write transaction (see [`Db::write_tx`]).
pub async fn write<T, F>(db: &Db, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let db = db.clone();
    web::block(move || db.write_tx(f)).await?
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

/// Maps a database error inside a retried unit: unique violations retry, others are 500.
pub fn retryable(err: diesel::result::Error) -> ApiError {
    if crate::store::is_unique_violation(&err) {
        write_conflict()
    } else {
        ApiError::internal(err)
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
    let mut attempt = 0;
    loop {
        attempt += 1;
        let unit = unit.clone();
        match write(db, move |conn| unit(conn)).await {
            Err(err) if err.code() == "write_conflict" && attempt < WRITE_ATTEMPTS => continue,
            other => return other,
        }
    }
}
