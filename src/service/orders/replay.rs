//! Idempotent checkout writes: the first answer to a request is stored in the
//! transaction that does its work, and a retry of the same request gets it back.
//!
//! An answer is the rendered bytes the caller sent (a status and a body), not the
//! outcome it was rendered from, so a replay is byte for byte the first answer even
//! when the way answers are rendered changes in between.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::store::DbConn;
use crate::store::batch::Sink;
use crate::store::idempotency::{self, StoredResponse};
use crate::store::ids::BrandId;

/// A rendered answer: a status code and the body sent with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// The outcome of an idempotent write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// The work was done now; this answer was stored with it.
    Fresh(Answer),
    /// The same request was answered before: its first answer.
    Replayed(Answer),
}

/// The renderer could not turn an outcome into an answer; nothing was written.
#[derive(Debug, thiserror::Error)]
#[error("the answer could not be rendered: {0}")]
pub struct RenderError(#[from] pub serde_json::Error);

/// What is stored under a key.
pub enum Stored {
    Nothing,
    /// The first answer to the same request.
    Same(Answer),
    /// The key was used with another request body.
    Other,
}

/// Looks up the answer stored under `key` for a request with this `hash`.
pub fn find(conn: &mut DbConn, brand: BrandId, key: &str, hash: &str) -> QueryResult<Stored> {
    Ok(Stored::of(idempotency::find(conn, brand, key)?, hash))
}

/// [`find`], and whether the brand already has an order `order_id`, in one statement.
pub fn find_for_order(
    conn: &mut DbConn,
    brand: BrandId,
    key: &str,
    hash: &str,
    order_id: &str,
) -> QueryResult<(Stored, bool)> {
    let (stored, exists) = idempotency::find_with_order(conn, brand, key, order_id)?;
    Ok((Stored::of(stored, hash), exists))
}

impl Stored {
    fn of(stored: Option<StoredResponse>, hash: &str) -> Self {
        match stored {
            Some(stored) if stored.request_hash == hash => Stored::Same(Answer {
                // Only ever written from a `u16`; an out-of-range value reads as 0, which
                // no caller takes for a status.
                status: u16::try_from(stored.status).unwrap_or_default(),
                body: stored.body,
            }),
            Some(_) => Stored::Other,
            None => Stored::Nothing,
        }
    }
}

/// Stores the first answer under `key`, in the caller's transaction. A concurrent
/// identical request that stored first makes this a unique violation: the caller's
/// unit is retried and then finds that answer.
pub fn store(
    sink: &mut impl Sink,
    brand: BrandId,
    key: String,
    request_hash: String,
    answer: &Answer,
    now: NaiveDateTime,
) -> QueryResult<()> {
    idempotency::insert(
        sink,
        &StoredResponse {
            brand_id: brand,
            key,
            request_hash,
            status: i32::from(answer.status),
            body: answer.body.clone(),
            created_at: now,
        },
    )
}

/// A request under an idempotency key: the key, namespaced by the use case so keys of
/// different use cases never meet, and the hash of the request body.
#[derive(Debug, Clone)]
pub struct Keyed {
    pub key: String,
    pub request_hash: String,
}

/// Does `work` once per key, in the caller's transaction: the first answer to the same
/// request is answered again, the key with another request is `reused()`, and a fresh
/// answer is stored with the work. Without a key, `work` simply runs.
pub fn once<E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    brand: BrandId,
    keyed: Option<&Keyed>,
    now: NaiveDateTime,
    reused: impl FnOnce() -> E,
    work: impl FnOnce(&mut DbConn) -> Result<Answer, E>,
) -> Result<Answered, E> {
    if let Some(keyed) = keyed {
        match find(conn, brand, &keyed.key, &keyed.request_hash)? {
            Stored::Same(answer) => return Ok(Answered::Replayed(answer)),
            Stored::Other => return Err(reused()),
            Stored::Nothing => {}
        }
    }
    let answer = work(conn)?;
    if let Some(keyed) = keyed {
        store(conn, brand, keyed.key.clone(), keyed.request_hash.clone(), &answer, now)?;
    }
    Ok(Answered::Fresh(answer))
}
