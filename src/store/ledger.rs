//! The append-only ledger: every movement of money is a new row. Nothing here updates
//! an amount or deletes a row (the database refuses both); approval and payout set
//! their timestamp or reference once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::batch::Sink;
use super::ids::{BrandId, BrandUserId, LedgerEntryId, MembershipId, OrderId, RefundId, text_enum};
use super::portable::{wide_i64, wide_sum_columns};
use super::reviews::Review;
use super::schema::{ledger_entries, orders};
use super::status_sql::entry_has_status;
use crate::domain::status::EntryStatus;

text_enum!(
    /// What moved the money.
    EntryKind {
        Commission => "commission",
        Reversal => "reversal",
        Adjustment => "adjustment",
        Bonus => "bonus",
        FlatFee => "flat_fee",
        Override => "override",
    }
);

/// Σ amount of some entries per [`EntryKind`], so a total can be shown split by what
/// moved the money; the parts add up to the total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindTotals([i64; 6]);

impl KindTotals {
    fn index(kind: EntryKind) -> usize {
        EntryKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
    }

    /// Adds `amount` to `kind`; `None` when the sum leaves `i64`.
    pub fn add(&mut self, kind: EntryKind, amount: i64) -> Option<()> {
        let slot = &mut self.0[Self::index(kind)];
        *slot = slot.checked_add(amount)?;
        Some(())
    }

    pub fn get(&self, kind: EntryKind) -> i64 {
        self.0[Self::index(kind)]
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_entries, treat_none_as_default_value = false)]
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
    /// Why, in the brand's words, for entries a person made (an adjustment, a bonus, a
    /// rejection); `None` for the entries checkout and refunds make.
    pub reason: Option<String>,
    /// The brand user who made the entry.
    pub created_by: Option<BrandUserId>,
}

pub fn append(sink: &mut impl Sink, entry: &LedgerEntryRow) -> QueryResult<()> {
    sink.insert(diesel::insert_into(ledger_entries::table).values(entry.clone()))
}

/// The commission entry of an order for the ambassador it is attributed to, if it
/// earned one (an order reassigned by the brand also keeps the first ambassador's,
/// reversed).
pub fn commission_of(
    conn: &mut DbConn,
    order: OrderId,
    membership: MembershipId,
) -> QueryResult<Option<LedgerEntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::order_id.eq(order))
        .filter(ledger_entries::membership_id.eq(membership))
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
/// out the entries of orders the brand holds for review and the memberships in `skip`
/// (those whose work failed earlier in the same pass).
pub fn due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
    skip: &[MembershipId],
) -> QueryResult<Vec<(LedgerEntryId, MembershipId)>> {
    let held = orders::table
        .filter(orders::id.nullable().eq(ledger_entries::order_id))
        .filter(orders::review.eq(Review::Held));
    let mut query = ledger_entries::table
        .filter(ledger_entries::approved_at.is_null())
        .filter(ledger_entries::available_at.le(now))
        .filter(diesel::dsl::not(diesel::dsl::exists(held)))
        .order(ledger_entries::available_at.asc())
        .limit(limit)
        .select((ledger_entries::id, ledger_entries::membership_id))
        .into_boxed();
    if !skip.is_empty() {
        query = query.filter(ledger_entries::membership_id.ne_all(skip));
    }
    query.load(conn)
}

/// These entries of the ledger, in id order.
pub fn find_many(conn: &mut DbConn, ids: &[LedgerEntryId]) -> QueryResult<Vec<LedgerEntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::id.eq_any(ids))
        .order(ledger_entries::id.asc())
        .select(LedgerEntryRow::as_select())
        .load(conn)
}

/// Approves the given entries that are still unapproved; returns how many.
pub fn approve(conn: &mut DbConn, ids: &[LedgerEntryId], now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        ledger_entries::table
            .filter(ledger_entries::id.eq_any(ids))
            .filter(ledger_entries::approved_at.is_null()),
    )
    .set(ledger_entries::approved_at.eq(now))
    .execute(conn)
}

/// The entries of the order that belong to `membership` (its commission and the
/// reversals of it), in id order.
/// The recruiters' override entries of an order (two tiers), oldest first: each one's
/// positive entry and the negative ones that reversed part of it.
pub fn overrides_of(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<LedgerEntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::order_id.eq(order))
        .filter(ledger_entries::kind.eq(EntryKind::Override))
        .order(ledger_entries::id.asc())
        .select(LedgerEntryRow::as_select())
        .load(conn)
}

pub fn of_order_for(conn: &mut DbConn, order: OrderId, membership: MembershipId) -> QueryResult<Vec<LedgerEntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::order_id.eq(order))
        .filter(ledger_entries::membership_id.eq(membership))
        .order(ledger_entries::id.asc())
        .select(LedgerEntryRow::as_select())
        .load(conn)
}

/// All-time ledger figures of one membership in one currency, by
/// [`crate::domain::status::EntryStatus`] (disjoint, covering every entry), as wide sums.
#[derive(Debug, Clone, Queryable)]
pub struct MembershipTotals {
    pub membership_id: MembershipId,
    pub currency: String,
    pending: (i64, i64),
    approved: (i64, i64),
    paid: (i64, i64),
}

impl MembershipTotals {
    /// (pending, approved, paid), or `None` when one of them is beyond `i64`.
    pub fn totals(&self) -> Option<(i64, i64, i64)> {
        let narrow = |(hi, lo): (i64, i64)| wide_i64(hi, lo);
        Some((narrow(self.pending)?, narrow(self.approved)?, narrow(self.paid)?))
    }
}

/// The ledger totals of these memberships of `brand`, per membership and currency.
pub fn totals_by_membership(
    conn: &mut DbConn,
    brand: BrandId,
    memberships: &[MembershipId],
) -> QueryResult<Vec<MembershipTotals>> {
    let in_status = |status| {
        wide_sum_columns(&format!(
            "CASE WHEN {} THEN ledger_entries.amount ELSE 0 END",
            entry_has_status("ledger_entries", status)
        ))
    };
    ledger_entries::table
        .filter(ledger_entries::brand_id.eq(brand))
        .filter(ledger_entries::membership_id.eq_any(memberships))
        .group_by((ledger_entries::membership_id, ledger_entries::currency))
        .select((
            ledger_entries::membership_id,
            ledger_entries::currency,
            in_status(EntryStatus::Pending),
            in_status(EntryStatus::Approved),
            in_status(EntryStatus::Paid),
        ))
        .load(conn)
}

/// Up to `limit` entries of the brand's membership older than `before` (all when
/// `None`), newest first, each with the shop's id of its order.
pub fn latest_for_membership(
    conn: &mut DbConn,
    brand: BrandId,
    membership: MembershipId,
    before: Option<LedgerEntryId>,
    limit: i64,
) -> QueryResult<Vec<(LedgerEntryRow, Option<String>)>> {
    let mut query = ledger_entries::table
        .left_join(orders::table.on(orders::id.nullable().eq(ledger_entries::order_id)))
        .filter(ledger_entries::brand_id.eq(brand))
        .filter(ledger_entries::membership_id.eq(membership))
        .order(ledger_entries::id.desc())
        .limit(limit)
        .select((LedgerEntryRow::as_select(), orders::order_id.nullable()))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(ledger_entries::id.lt(before));
    }
    query.load(conn)
}
