//! Payout batches: creation that never pays an entry twice, the list, one batch, and
//! the pending → paid and pending → cancelled transitions. Marking a batch paid is for
//! the brand's owners (it tells every ambassador in it that the money went out); staff
//! may make, read and cancel batches.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::balances::{Balance, Payees, balances};
use super::{Batch, ListedPayout, PayoutError, PayoutItem};
use crate::domain::Currency;
use crate::service::auth::BrandActor;
use crate::service::events::{self, EventType};
use crate::store::ids::{BrandId, LedgerEntryId, PayoutId};
use crate::store::ledger::EntryKind;
use crate::store::payouts::{self, PayoutItemRow, PayoutRow, PayoutStatus};
use crate::store::{Db, DbConn, StoreError, time};

/// A batch of every balance in `currency` that reaches its minimum;
/// [`PayoutError::NothingToPay`] when there is none. Runs again when a concurrent
/// batch took the same entries first (and then usually finds nothing to pay).
pub async fn create(db: &Db, brand: BrandId, currency: Currency, now: DateTime<Utc>) -> Result<Batch, PayoutError> {
    let now = time::to_db(now);
    db.write_retrying(move |conn| create_batch(conn, brand, currency.code(), now))
        .await
}

fn create_batch(conn: &mut DbConn, brand: BrandId, currency: &str, now: NaiveDateTime) -> Result<Batch, PayoutError> {
    // Balances join the batch while its total fits an i64; any left wait for the next
    // batch (only possible with amounts stored before the doors were bounded).
    let mut total = 0i64;
    let payable: Vec<Balance> = balances(conn, &mut Payees::new(brand, currency))?
        .into_iter()
        .filter(Balance::reaches_minimum)
        .filter(|b| match total.checked_add(b.amount) {
            Some(sum) => {
                total = sum;
                true
            }
            None => false,
        })
        .collect();
    if payable.is_empty() {
        return Err(PayoutError::NothingToPay);
    }
    let id = PayoutId::generate();
    let payout = PayoutRow {
        id,
        brand_id: brand,
        currency: currency.to_owned(),
        status: PayoutStatus::Pending,
        total,
        created_at: now,
        paid_at: None,
        cancelled_at: None,
    };
    let items: Vec<PayoutItemRow> = payable
        .iter()
        .map(|b| PayoutItemRow {
            payout_id: id,
            membership_id: b.membership_id,
            amount: b.amount,
            entries: i32::try_from(b.entries.len()).unwrap_or(i32::MAX),
            payout_email: b.payee.payout_email.clone(),
            display_name: b.payee.display_name.clone(),
            period_start: b.period_start,
            period_end: b.period_end,
            commissions: b.by_kind.get(EntryKind::Commission),
            reversals: b.by_kind.get(EntryKind::Reversal),
            adjustments: b.by_kind.get(EntryKind::Adjustment),
            bonuses: b.by_kind.get(EntryKind::Bonus),
            flat_fees: b.by_kind.get(EntryKind::FlatFee),
            overrides: b.by_kind.get(EntryKind::Override),
        })
        .collect();
    let entries: Vec<LedgerEntryId> = payable.into_iter().flat_map(|b| b.entries).collect();
    // A unique violation here is an entry a concurrent batch took first.
    payouts::insert(conn, &payout, &items, &entries).map_err(StoreError::retryable)?;
    events::emit(
        conn,
        brand,
        EventType::PayoutCreated,
        &events::PayoutChanged::from(&payout),
        now,
    )?;
    let items = items.into_iter().map(PayoutItem::of).collect();
    Ok(Batch {
        payout: payout.into(),
        items,
    })
}

/// The brand's batches, newest first, after `after`: at most `limit` of them (a door
/// that pages asks for one more than it shows, to learn whether there is a next page).
pub async fn list(
    db: &Db,
    brand: BrandId,
    after: Option<PayoutId>,
    limit: i64,
) -> Result<Vec<ListedPayout>, PayoutError> {
    db.read(move |conn| {
        let rows = payouts::list(conn, brand, after, limit)?;
        let ids: Vec<PayoutId> = rows.iter().map(|r| r.id).collect();
        let counts = payouts::item_counts(conn, &ids)?;
        Ok(rows
            .into_iter()
            .map(|row| ListedPayout {
                item_count: counts.get(&row.id).copied().unwrap_or(0),
                payout: row.into(),
            })
            .collect())
    })
    .await
}

/// One of the brand's batches with its items, whatever its status.
pub async fn get(db: &Db, brand: BrandId, id: PayoutId) -> Result<Batch, PayoutError> {
    db.read(move |conn| {
        let payout = payouts::find(conn, brand, id)?.ok_or(PayoutError::NotFound)?;
        with_items(conn, payout)
    })
    .await
}

/// The brand paid the batch: pending → paid, and its entries become paid.
pub async fn mark_paid(db: &Db, actor: &BrandActor, id: PayoutId, now: DateTime<Utc>) -> Result<Batch, PayoutError> {
    actor.require_owner()?;
    transition(db, actor.brand_id, id, now, payouts::mark_paid).await
}

/// pending → cancelled: its entries are released for a later batch.
pub async fn cancel(db: &Db, brand: BrandId, id: PayoutId, now: DateTime<Utc>) -> Result<Batch, PayoutError> {
    transition(db, brand, id, now, payouts::cancel).await
}

/// Runs `change` (which changes a pending batch only, and says whether it did) on the
/// brand's batch `id`.
async fn transition(
    db: &Db,
    brand: BrandId,
    id: PayoutId,
    now: DateTime<Utc>,
    change: fn(&mut DbConn, PayoutId, NaiveDateTime) -> diesel::QueryResult<bool>,
) -> Result<Batch, PayoutError> {
    let now = time::to_db(now);
    db.write(move |conn| {
        let current = payouts::find(conn, brand, id)?.ok_or(PayoutError::NotFound)?;
        if !change(conn, id, now)? {
            return Err(PayoutError::NotPending(current.status));
        }
        let changed = payouts::find(conn, brand, id)?.ok_or(PayoutError::NotFound)?;
        if changed.status == PayoutStatus::Paid {
            events::emit(
                conn,
                brand,
                EventType::PayoutPaid,
                &events::PayoutChanged::from(&changed),
                now,
            )?;
        }
        with_items(conn, changed)
    })
    .await
}

fn with_items(conn: &mut DbConn, payout: PayoutRow) -> Result<Batch, PayoutError> {
    let items = payouts::items(conn, payout.id, None, i64::MAX)?;
    let items = items.into_iter().map(PayoutItem::of).collect();
    Ok(Batch {
        payout: payout.into(),
        items,
    })
}
