//! Payout batches: what each ambassador is paid, and which ledger entries that pays.

use chrono::NaiveDateTime;
use diesel::IntoSql;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, LedgerEntryId, MembershipId, PayoutId, text_enum};
use super::ledger::{EntryKind, KindTotals};
use super::schema::{ledger_entries, payout_entries, payout_items, payouts};

text_enum!(
    /// `pending` until the brand marks it paid or cancels it; both are final.
    PayoutStatus { Pending => "pending", Paid => "paid", Cancelled => "cancelled" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payouts)]
pub struct PayoutRow {
    pub id: PayoutId,
    pub brand_id: BrandId,
    pub currency: String,
    pub status: PayoutStatus,
    pub total: i64,
    pub created_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payout_items)]
pub struct PayoutItemRow {
    pub payout_id: PayoutId,
    pub membership_id: MembershipId,
    pub amount: i64,
    pub entries: i32,
    pub payout_email: String,
    pub display_name: String,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    /// `amount` by ledger kind, written with the item (they add up to it).
    pub commissions: i64,
    pub reversals: i64,
    pub adjustments: i64,
    pub bonuses: i64,
    pub flat_fees: i64,
    pub overrides: i64,
}

impl PayoutItemRow {
    /// The kind columns as [`KindTotals`].
    pub fn by_kind(&self) -> KindTotals {
        let mut kinds = KindTotals::default();
        for (kind, amount) in [
            (EntryKind::Commission, self.commissions),
            (EntryKind::Reversal, self.reversals),
            (EntryKind::Adjustment, self.adjustments),
            (EntryKind::Bonus, self.bonuses),
            (EntryKind::FlatFee, self.flat_fees),
            (EntryKind::Override, self.overrides),
        ] {
            // Each part is one kind's share of an i64 amount: set, never summed.
            let _ = kinds.add(kind, amount);
        }
        kinds
    }
}

/// An approved entry that no live batch holds yet.
#[derive(Debug, Clone, Queryable)]
pub struct PayableEntry {
    pub id: LedgerEntryId,
    pub membership_id: MembershipId,
    pub kind: EntryKind,
    pub amount: i64,
    pub created_at: NaiveDateTime,
}

/// Approved entries of the brand in `currency` that are in no live batch.
pub fn payable_entries(conn: &mut DbConn, brand: BrandId, currency: &str) -> QueryResult<Vec<PayableEntry>> {
    let in_live_batch = payout_entries::table
        .filter(payout_entries::entry_id.eq(ledger_entries::id))
        .filter(payout_entries::released_at.is_null());
    ledger_entries::table
        .filter(ledger_entries::brand_id.eq(brand))
        .filter(ledger_entries::currency.eq(currency))
        .filter(ledger_entries::approved_at.is_not_null())
        .filter(ledger_entries::paid_out_in.is_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(in_live_batch)))
        .order(ledger_entries::id.asc())
        .select((
            ledger_entries::id,
            ledger_entries::membership_id,
            ledger_entries::kind,
            ledger_entries::amount,
            ledger_entries::created_at,
        ))
        .load(conn)
}

/// An entry still in its hold period: not approved yet, so in no batch.
#[derive(Debug, Clone, Queryable)]
pub struct HeldEntry {
    pub membership_id: MembershipId,
    pub amount: i64,
    pub available_at: NaiveDateTime,
}

/// Entries of the brand in `currency` that the maturation job has not approved yet.
pub fn held_entries(conn: &mut DbConn, brand: BrandId, currency: &str) -> QueryResult<Vec<HeldEntry>> {
    ledger_entries::table
        .filter(ledger_entries::brand_id.eq(brand))
        .filter(ledger_entries::currency.eq(currency))
        .filter(ledger_entries::approved_at.is_null())
        .order(ledger_entries::id.asc())
        .select((
            ledger_entries::membership_id,
            ledger_entries::amount,
            ledger_entries::available_at,
        ))
        .load(conn)
}

/// Writes a batch, its items and the entries it pays. The partial unique index on
/// `payout_entries(entry_id) WHERE released_at IS NULL` refuses an entry that another
/// live batch already holds (a concurrent batch on PostgreSQL): the caller retries.
pub fn insert(
    conn: &mut DbConn,
    payout: &PayoutRow,
    items: &[PayoutItemRow],
    entries: &[LedgerEntryId],
) -> QueryResult<()> {
    diesel::insert_into(payouts::table).values(payout).execute(conn)?;
    for item in items {
        diesel::insert_into(payout_items::table).values(item).execute(conn)?;
    }
    // INSERT … SELECT: multi-row VALUES does not compile through the MultiConnection.
    for chunk in entries.chunks(500) {
        let rows = ledger_entries::table
            .filter(ledger_entries::id.eq_any(chunk))
            .select((payout.id.into_sql::<diesel::sql_types::Text>(), ledger_entries::id));
        diesel::insert_into(payout_entries::table)
            .values(rows)
            .into_columns((payout_entries::payout_id, payout_entries::entry_id))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, brand: BrandId, id: PayoutId) -> QueryResult<Option<PayoutRow>> {
    payouts::table
        .find(id)
        .filter(payouts::brand_id.eq(brand))
        .select(PayoutRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn, brand: BrandId, after: Option<PayoutId>, limit: i64) -> QueryResult<Vec<PayoutRow>> {
    let mut query = payouts::table
        .filter(payouts::brand_id.eq(brand))
        .order(payouts::id.desc())
        .limit(limit)
        .select(PayoutRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(payouts::id.lt(after));
    }
    query.load(conn)
}

pub fn item_count(conn: &mut DbConn, id: PayoutId) -> QueryResult<i64> {
    payout_items::table
        .filter(payout_items::payout_id.eq(id))
        .count()
        .get_result(conn)
}

/// Items of the batch ordered by membership, `limit` after `after`.
pub fn items(
    conn: &mut DbConn,
    id: PayoutId,
    after: Option<MembershipId>,
    limit: i64,
) -> QueryResult<Vec<PayoutItemRow>> {
    let mut query = payout_items::table
        .filter(payout_items::payout_id.eq(id))
        .order(payout_items::membership_id.asc())
        .limit(limit)
        .select(PayoutItemRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(payout_items::membership_id.gt(after));
    }
    query.load(conn)
}

/// Items of the batch ordered by membership, `limit` of them after skipping `offset`:
/// one numbered part of a file that must be split (PayPal takes 5,000 rows a file).
pub fn items_from(conn: &mut DbConn, id: PayoutId, offset: i64, limit: i64) -> QueryResult<Vec<PayoutItemRow>> {
    payout_items::table
        .filter(payout_items::payout_id.eq(id))
        .order(payout_items::membership_id.asc())
        .limit(limit)
        .offset(offset)
        .select(PayoutItemRow::as_select())
        .load(conn)
}

/// pending → paid, once; the batch's entries record the payout (once, by trigger).
pub fn mark_paid(conn: &mut DbConn, id: PayoutId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        payouts::table
            .find(id)
            .filter(payouts::status.eq(PayoutStatus::Pending)),
    )
    .set((payouts::status.eq(PayoutStatus::Paid), payouts::paid_at.eq(now)))
    .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    let held = payout_entries::table
        .filter(payout_entries::payout_id.eq(id))
        .filter(payout_entries::released_at.is_null())
        .select(payout_entries::entry_id);
    diesel::update(ledger_entries::table.filter(ledger_entries::id.eq_any(held)))
        .set(ledger_entries::paid_out_in.eq(id.to_string()))
        .execute(conn)?;
    Ok(true)
}

/// pending → cancelled, once; releases the entries for a later batch.
pub fn cancel(conn: &mut DbConn, id: PayoutId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        payouts::table
            .find(id)
            .filter(payouts::status.eq(PayoutStatus::Pending)),
    )
    .set((
        payouts::status.eq(PayoutStatus::Cancelled),
        payouts::cancelled_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    diesel::update(
        payout_entries::table
            .filter(payout_entries::payout_id.eq(id))
            .filter(payout_entries::released_at.is_null()),
    )
    .set(payout_entries::released_at.eq(now))
    .execute(conn)?;
    Ok(true)
}

/// Items per batch for a page of batches, in one query.
pub fn item_counts(conn: &mut DbConn, ids: &[PayoutId]) -> QueryResult<std::collections::HashMap<PayoutId, i64>> {
    let rows: Vec<(PayoutId, i64)> = payout_items::table
        .filter(payout_items::payout_id.eq_any(ids))
        .group_by(payout_items::payout_id)
        .select((payout_items::payout_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// True when the entry is in a batch not cancelled (pending or paid).
pub fn in_live_batch(conn: &mut DbConn, entry: LedgerEntryId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        payout_entries::table
            .filter(payout_entries::entry_id.eq(entry))
            .filter(payout_entries::released_at.is_null()),
    ))
    .get_result(conn)
}
