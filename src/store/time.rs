//! Timestamps as stored: naive UTC with microsecond precision, which PostgreSQL keeps
//! exactly and SQLite stores as text, so a row reads back the same on both.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Converts to the stored form, dropping anything below a microsecond.
pub fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    truncate_micros(at).naive_utc()
}

pub fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

pub fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}
