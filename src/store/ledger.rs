//! The append-only ledger: every movement of money is a new row. Nothing here updates
//! an amount or deletes a row (the database refuses both); approval and payout set
//! their timestamp or reference once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, LedgerEntryId, MembershipId, OrderId, RefundId, text_enum};
use super::schema::ledger_entries;

text_enum!(
    /// What moved the money. Only commission and reversal are written today.
    EntryKind {
        Commission => "commission",
        Reversal => "reversal",
        Adjustment => "adjustment",
        Bonus => "bonus",
        FlatFee => "flat_fee",
        Override => "override",
    }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_entries)]
pub struct LedgerEntryRow {
    pub id: LedgerEntryId,
    pub brand_id: BrandId,
    pub membership_id: MembershipId,
    pub order_id: Option<OrderId>,
    pub refund_id: Option<RefundId>,
    pub kind: EntryKind,
    pub amount: i64,
    pub currency: String,
    pub available_at: NaiveDateTime,
    pub approved_at: Option<NaiveDateTime>,
    pub paid_out_in: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn append(conn: &mut DbConn, entry: &LedgerEntryRow) -> QueryResult<()> {
    diesel::insert_into(ledger_entries::table)
        .values(entry)
        .execute(conn)
        .map(drop)
}

/// The commission entry of an order, if it earned one.
pub fn commission_of(conn: &mut DbConn, order: OrderId) -> QueryResult<Option<LedgerEntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::order_id.eq(order))
        .filter(ledger_entries::kind.eq(EntryKind::Commission))
        .select(LedgerEntryRow::as_select())
        .first(conn)
        .optional()
}

pub fn for_order(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<LedgerEntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::order_id.eq(order))
        .order(ledger_entries::id.asc())
        .select(LedgerEntryRow::as_select())
        .load(conn)
}

/// Up to `limit` entries whose hold has passed and that are not approved yet, leaving
/// out the memberships in `skip` (those whose work failed earlier in the same pass).
pub fn due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
    skip: &[MembershipId],
) -> QueryResult<Vec<(LedgerEntryId, MembershipId)>> {
    let mut query = ledger_entries::table
        .filter(ledger_entries::approved_at.is_null())
        .filter(ledger_entries::available_at.le(now))
        .order(ledger_entries::available_at.asc())
        .limit(limit)
        .select((ledger_entries::id, ledger_entries::membership_id))
        .into_boxed();
    if !skip.is_empty() {
        query = query.filter(ledger_entries::membership_id.ne_all(skip));
    }
    query.load(conn)
}

/// Approves the given entries that are still unapproved; returns how many.
/// These entries of the ledger, in id order.
pub fn find_many(conn: &mut DbConn, ids: &[LedgerEntryId]) -> QueryResult<Vec<LedgerEntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::id.eq_any(ids))
        .order(ledger_entries::id.asc())
        .select(LedgerEntryRow::as_select())
        .load(conn)
}

pub fn approve(conn: &mut DbConn, ids: &[LedgerEntryId], now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        ledger_entries::table
            .filter(ledger_entries::id.eq_any(ids))
            .filter(ledger_entries::approved_at.is_null()),
    )
    .set(ledger_entries::approved_at.eq(now))
    .execute(conn)
}
