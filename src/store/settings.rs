//! Instance-wide settings kept in the database (for example the generated JWT secret).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::settings;
use super::{DbConn, is_unique_violation, time};

pub fn find(conn: &mut DbConn, key: &str) -> QueryResult<Option<String>> {
    settings::table
        .filter(settings::key.eq(key))
        .select(settings::value)
        .first(conn)
        .optional()
}

/// Returns the stored value for `key`, storing `candidate` first when there is none.
/// Safe when several processes start at once: the loser of the insert race reads the
/// winner's value.
pub fn get_or_insert(conn: &mut DbConn, key: &str, candidate: &str, now: DateTime<Utc>) -> QueryResult<String> {
    if let Some(value) = find(conn, key)? {
        return Ok(value);
    }
    // A savepoint, because PostgreSQL aborts the whole transaction after an error.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(key),
                settings::value.eq(candidate),
                settings::created_at.eq(time::to_db(now)),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(candidate.to_owned()),
        Err(err) if is_unique_violation(&err) => find(conn, key)?.ok_or(diesel::result::Error::NotFound),
        Err(err) => Err(err),
    }
}
