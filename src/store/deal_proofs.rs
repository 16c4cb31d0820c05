//! Proof of published deliverables, the brand's decision on each, and the reads built
//! on them: the deliverables still due, and the declared value of gifts for reports.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::deals::{DealRow, DealStatus, DeliverableRow, Shipment};
use super::ids::{BrandId, BrandUserId, DealId, DeliverableId, LedgerEntryId, ProofId, text_enum};
use super::schema::{deal_deliverables, deal_gifts, deals, deliverable_proofs};

text_enum!(
    /// Where a proof stands: waiting for the brand, approved (its fee entry appended),
    /// rejected (the influencer may submit another), or removed (the brand reported the
    /// post gone before its keep-up period ended; the fee was reversed).
    ProofState {
        Submitted => "submitted",
        Approved => "approved",
        Rejected => "rejected",
        Removed => "removed",
    }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deliverable_proofs)]
pub struct ProofRow {
    pub id: ProofId,
    pub brand_id: BrandId,
    pub deal_id: DealId,
    pub deliverable_id: DeliverableId,
    pub url: String,
    pub published_at: NaiveDateTime,
    pub views: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub state: ProofState,
    /// The brand's reason for a rejection.
    pub reason: Option<String>,
    pub submitted_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<BrandUserId>,
    pub fee_entry_id: Option<LedgerEntryId>,
    pub removed_at: Option<NaiveDateTime>,
    pub removal_reason: Option<String>,
    pub reversal_entry_id: Option<LedgerEntryId>,
}

pub fn insert(conn: &mut DbConn, row: &ProofRow) -> QueryResult<()> {
    diesel::insert_into(deliverable_proofs::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The brand's proof `id`.
pub fn find(conn: &mut DbConn, brand: BrandId, id: ProofId) -> QueryResult<Option<ProofRow>> {
    deliverable_proofs::table
        .filter(deliverable_proofs::id.eq(id))
        .filter(deliverable_proofs::brand_id.eq(brand))
        .select(ProofRow::as_select())
        .first(conn)
        .optional()
}

/// Every proof of the deals `ids`, oldest first.
pub fn for_deals(conn: &mut DbConn, ids: &[DealId]) -> QueryResult<Vec<ProofRow>> {
    deliverable_proofs::table
        .filter(deliverable_proofs::deal_id.eq_any(ids.to_vec()))
        .order(deliverable_proofs::id.asc())
        .select(ProofRow::as_select())
        .load(conn)
}

/// Every proof of one deliverable, oldest first.
pub fn for_deliverable(conn: &mut DbConn, deliverable: DeliverableId) -> QueryResult<Vec<ProofRow>> {
    deliverable_proofs::table
        .filter(deliverable_proofs::deliverable_id.eq(deliverable))
        .order(deliverable_proofs::id.asc())
        .select(ProofRow::as_select())
        .load(conn)
}

/// Writes the brand's decision on a proof still `submitted`; false when it was decided
/// meanwhile.
pub fn decide(conn: &mut DbConn, proof: &ProofRow) -> QueryResult<bool> {
    diesel::update(
        deliverable_proofs::table
            .filter(deliverable_proofs::id.eq(proof.id))
            .filter(deliverable_proofs::state.eq(ProofState::Submitted)),
    )
    .set((
        deliverable_proofs::state.eq(proof.state),
        deliverable_proofs::reason.eq(&proof.reason),
        deliverable_proofs::decided_at.eq(proof.decided_at),
        deliverable_proofs::decided_by.eq(proof.decided_by),
        deliverable_proofs::fee_entry_id.eq(proof.fee_entry_id),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Writes the removal of an approved proof's post; false when it is no longer approved.
pub fn mark_removed(conn: &mut DbConn, proof: &ProofRow) -> QueryResult<bool> {
    diesel::update(
        deliverable_proofs::table
            .filter(deliverable_proofs::id.eq(proof.id))
            .filter(deliverable_proofs::state.eq(ProofState::Approved)),
    )
    .set((
        deliverable_proofs::state.eq(ProofState::Removed),
        deliverable_proofs::removed_at.eq(proof.removed_at),
        deliverable_proofs::removal_reason.eq(&proof.removal_reason),
        deliverable_proofs::reversal_entry_id.eq(proof.reversal_entry_id),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// The deliverables of the brand's accepted deals that still want proof (fewer approved
/// proofs than their count), due on or before `due_by` (`YYYY-MM-DD`) when given,
/// soonest due first, each with its deal and its approved count.
pub fn due(
    conn: &mut DbConn,
    brand: BrandId,
    due_by: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(DeliverableRow, DealRow, i64)>> {
    let approved = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT COUNT(*) FROM deliverable_proofs p \
         WHERE p.deliverable_id = deal_deliverables.id AND p.state = 'approved')",
    );
    let wanting = diesel::dsl::sql::<diesel::sql_types::Bool>(
        "(SELECT COUNT(*) FROM deliverable_proofs p \
         WHERE p.deliverable_id = deal_deliverables.id AND p.state = 'approved') < deal_deliverables.count",
    );
    let mut query = deal_deliverables::table
        .inner_join(deals::table.on(deals::id.eq(deal_deliverables::deal_id)))
        .filter(deals::brand_id.eq(brand))
        .filter(deals::status.eq(DealStatus::Accepted))
        .filter(wanting)
        .order((deal_deliverables::due_on.asc(), deal_deliverables::id.asc()))
        .limit(limit)
        .select((DeliverableRow::as_select(), DealRow::as_select(), approved))
        .into_boxed();
    if let Some(due_by) = due_by {
        query = query.filter(deal_deliverables::due_on.le(due_by.to_owned()));
    }
    query.load(conn)
}

/// Declared value of the gifts of the brand's accepted and completed deals per
/// currency and shipment state, minor units, ordered by currency.
pub fn gift_values(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<(String, Shipment, i64)>> {
    let rows: Vec<(String, Shipment, i64, i64)> = deal_gifts::table
        .inner_join(deals::table.on(deals::id.eq(deal_gifts::deal_id)))
        .filter(deals::brand_id.eq(brand))
        .filter(deals::status.eq_any([DealStatus::Accepted, DealStatus::Completed]))
        .select((
            deals::currency,
            deal_gifts::shipment,
            deal_gifts::quantity,
            deal_gifts::unit_value,
        ))
        .load(conn)?;
    let mut totals: std::collections::BTreeMap<(String, &'static str), (Shipment, i64)> = Default::default();
    for (currency, shipment, quantity, unit_value) in rows {
        let slot = totals.entry((currency, shipment.as_str())).or_insert((shipment, 0));
        slot.1 = quantity
            .checked_mul(unit_value)
            .and_then(|value| slot.1.checked_add(value))
            .ok_or_else(|| diesel::result::Error::DeserializationError("gift value leaves i64".into()))?;
    }
    Ok(totals
        .into_iter()
        .map(|((currency, _), (shipment, value))| (currency, shipment, value))
        .collect())
}
