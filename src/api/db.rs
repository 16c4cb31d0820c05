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
