//! The order's inserts go to PostgreSQL as one statement (`store::batch`): they land
//! together or not at all, a failing part keeps its error's kind (a unique violation
//! is still the conflict a retry answers), and the stamps read with them are current.
//! SQLite runs each insert at once, with the same outcome.

#![allow(clippy::unwrap_used)]

use reftrack::store::batch::Batch;
use reftrack::store::codes;
use reftrack::store::idempotency::{self, StoredResponse};
use reftrack::store::ids::{BrandId, CodeId};
use reftrack::store::{DbConn, StoreError};

use crate::helpers::spawn_app;

fn answer(brand: BrandId, key: &str) -> StoredResponse {
    StoredResponse {
        brand_id: brand,
        key: key.to_owned(),
        request_hash: "hash".to_owned(),
        status: 201,
        body: "{}".to_owned(),
        created_at: chrono::DateTime::UNIX_EPOCH.naive_utc(),
    }
}

/// A batch holding a stored answer under each key (on SQLite, already inserted).
fn answers<'c>(conn: &'c mut DbConn, brand: BrandId, keys: &[&str]) -> Result<Batch<'c>, StoreError> {
    let mut batch = Batch::new(conn);
    for key in keys {
        idempotency::insert(&mut batch, &answer(brand, key)).map_err(StoreError::retryable)?;
    }
    Ok(batch)
}

#[tokio::test]
async fn a_batch_lands_whole_or_not_at_all_and_reads_current_stamps_with_it() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let brand: BrandId = p.brand.id.parse().unwrap();
    let code: CodeId = p.code_id.parse().unwrap();

    // The second part repeats the first one's key: the statement fails as a conflict
    // and the first part's row is gone with it.
    let failed = app
        .db
        .write(move |conn| {
            answers(conn, brand, &["first", "first"])?
                .finish()
                .map_err(StoreError::retryable)
        })
        .await;
    assert!(matches!(failed, Err(StoreError::Conflict)), "{failed:?}");
    assert_eq!(app.count("idempotency_keys"), 0);

    let stamps = app
        .db
        .write(move |conn| {
            let batch = answers(conn, brand, &["second", "third"])?;
            codes::stamps_after(batch, code, code).map_err(StoreError::retryable)
        })
        .await
        .unwrap();
    assert_eq!(app.count("idempotency_keys"), 2);
    assert_eq!(stamps.len(), 1);
    assert_eq!(stamps[0].0, code);
    assert!(stamps[0].1.active);
    assert_eq!(stamps[0].1.program_id.to_string(), p.program_id);

    // A code switched off is seen by the next batch's read.
    assert_eq!(
        app.execute(&format!("UPDATE codes SET active = false WHERE id = '{code}'")),
        1
    );
    let stamps = app
        .db
        .write(move |conn| codes::stamps_after(Batch::new(conn), code, code).map_err(StoreError::retryable))
        .await
        .unwrap();
    assert!(!stamps[0].1.active);
}
