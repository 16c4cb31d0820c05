//! Embedded migrations, one tree per backend with the same version ids.

use diesel::migration::{MigrationSource, MigrationVersion};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConn;

pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, BoxError> {
    let applied = match conn {
        DbConn::Pg(inner) => inner.run_pending_migrations(POSTGRES)?,
        DbConn::Sqlite(inner) => inner.run_pending_migrations(SQLITE)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration (used by the up → down → up test).
pub fn revert_all(conn: &mut DbConn) -> Result<Vec<String>, BoxError> {
    let reverted: Vec<MigrationVersion<'_>> = match conn {
        DbConn::Pg(inner) => inner.revert_all_migrations(POSTGRES)?,
        DbConn::Sqlite(inner) => inner.revert_all_migrations(SQLITE)?,
    };
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// The version ids of one embedded tree, in order.
pub fn versions(source: &EmbeddedMigrations) -> Result<Vec<String>, BoxError> {
    let migrations = MigrationSource::<diesel::sqlite::Sqlite>::migrations(source)?;
    Ok(migrations.iter().map(|m| m.name().version().to_string()).collect())
}
