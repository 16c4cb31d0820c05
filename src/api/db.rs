//! Running a unit of database work from a handler: thin forwards to the store's unit
//! of work ([`crate::store::unit`]) while handlers move into `service/`.

use super::{ApiError, ErrorCode};
use crate::store::{Db, DbConn, StoreError, UnitError};

/// See [`Db::write`].
pub async fn write<T, F>(db: &Db, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    db.write(f).await
}

/// See [`Db::read`].
pub async fn read<T, F>(db: &Db, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    db.read(f).await
}

/// See [`Db::read_latest`].
pub async fn read_latest<T, F>(db: &Db, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    db.read_latest(f).await
}

/// CPU-bound work (password hashing) on the blocking pool.
pub async fn cpu<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    Ok(crate::store::blocking(f).await?)
}

/// The answer for a unique violation inside a retried unit.
pub fn write_conflict() -> ApiError {
    StoreError::Conflict.into()
}

/// See [`StoreError::retryable`].
pub fn retryable(err: diesel::result::Error) -> ApiError {
    StoreError::retryable(err).into()
}

/// See [`Db::write_retrying`].
pub async fn write_retrying<T, F>(db: &Db, unit: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: Fn(&mut DbConn) -> Result<T, ApiError> + Send + Clone + 'static,
{
    db.write_retrying(unit).await
}

/// See [`crate::store::retrying`].
pub async fn retrying<T, F, Fut>(attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    crate::store::retrying(attempt).await
}

impl UnitError for ApiError {
    fn is_conflict(&self) -> bool {
        self.code() == ErrorCode::WriteConflict
    }
}
