//! Read models for the influencer's own reports: the dashboard, the list of attributed
//! orders and the earnings statement. Every figure is aggregated in SQL (portable
//! `CAST(COALESCE(SUM(..), 0) AS BIGINT)`), grouped, with a fixed number of statements
//! per request however many brands, codes, days or orders there are.
//!
//! Every statement is scoped to the influencer's memberships in SQL, either through
//! the memberships subquery of [`sql`] or through membership ids read by a scoped query.

mod entries;
mod figures;
mod orders;
mod sql;

use diesel::prelude::*;

pub use entries::{StatementEntry, latest_entries, statement_entries};
pub use figures::{
    ClicksByDay, LedgerTotals, OrdersByDay, Qualifying, Totals, clicks_by_day, ledger_totals, orders_by_day,
    qualifying_by_membership,
};
pub use orders::{MyOrderFilter, OrderSummary, RECENT_ORDERS, find_order, list_orders};

use super::DbConn;
use super::ids::{BrandId, CodeId, InfluencerId, MembershipId, ProgramId};
use super::rewards::RewardRow;
use super::schema::{brands, codes, memberships, programs, rewards};
use crate::domain::period::Period;

/// One of the influencer's memberships with its brand and its program's current terms.
#[derive(Debug, Clone, Queryable)]
pub struct MembershipSummary {
    pub membership_id: MembershipId,
    pub brand_id: BrandId,
    pub brand_name: String,
    pub program_id: ProgramId,
    /// The currency of the membership's current program.
    pub currency: String,
    /// The program's current terms, as stored.
    pub terms: String,
}

#[derive(Debug, Clone, Queryable)]
pub struct CodeSummary {
    pub id: CodeId,
    pub membership_id: MembershipId,
    pub code: String,
}

/// Everything the dashboard shows, as grouped rows; the service lays them out.
#[derive(Debug, Clone, Default)]
pub struct DashboardRows {
    pub memberships: Vec<MembershipSummary>,
    /// The (membership, currency) pairs to show, in membership order.
    pub entries: Vec<(MembershipId, String)>,
    pub totals: Vec<LedgerTotals>,
    pub codes: Vec<CodeSummary>,
    pub clicks: Vec<ClicksByDay>,
    pub orders: Vec<OrdersByDay>,
    pub qualifying: Vec<Qualifying>,
    pub rewards: Vec<RewardRow>,
    /// Up to [`RECENT_ORDERS`] per entry, newest first within each.
    pub recent_orders: Vec<OrderSummary>,
}

/// The dashboard's rows: at most eight statements, whatever the history's size.
pub fn dashboard(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    period: Period,
) -> QueryResult<DashboardRows> {
    let memberships = memberships_of(conn, influencer, brand)?;
    if memberships.is_empty() {
        return Ok(DashboardRows::default());
    }
    let ids: Vec<MembershipId> = memberships.iter().map(|m| m.membership_id).collect();
    let totals = ledger_totals(conn, influencer, brand)?;
    let orders = orders_by_day(conn, influencer, brand, period)?;
    let entries = entries_of(&memberships, &totals, &orders);
    Ok(DashboardRows {
        totals,
        codes: codes_of(conn, &ids)?,
        clicks: clicks_by_day(conn, influencer, brand, period)?,
        qualifying: qualifying_by_membership(conn, influencer, brand)?,
        rewards: rewards_of(conn, &ids)?,
        recent_orders: orders::recent_orders(conn, &entries)?,
        orders,
        entries,
        memberships,
    })
}

/// One entry per membership and currency it has money or orders in, and always its
/// program's currency; in membership order, the program's currency first.
fn entries_of(
    memberships: &[MembershipSummary],
    totals: &[LedgerTotals],
    orders: &[OrdersByDay],
) -> Vec<(MembershipId, String)> {
    let mut entries = Vec::new();
    for m in memberships {
        let mut currencies = std::collections::BTreeSet::new();
        currencies.extend(
            totals
                .iter()
                .filter(|t| t.membership_id == m.membership_id)
                .map(|t| t.currency.as_str()),
        );
        currencies.extend(
            orders
                .iter()
                .filter(|o| o.membership_id == m.membership_id)
                .map(|o| o.currency.as_str()),
        );
        currencies.remove(m.currency.as_str());
        entries.push((m.membership_id, m.currency.clone()));
        entries.extend(currencies.into_iter().map(|c| (m.membership_id, c.to_owned())));
    }
    entries
}

/// The influencer's memberships (optionally in one brand), oldest first.
pub fn memberships_of(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<MembershipSummary>> {
    let mut query = memberships::table
        .inner_join(brands::table.on(brands::id.eq(memberships::brand_id)))
        .inner_join(programs::table.on(programs::id.eq(memberships::program_id)))
        .filter(memberships::influencer_id.eq(influencer))
        .order(memberships::id.asc())
        .select((
            memberships::id,
            memberships::brand_id,
            brands::name,
            programs::id,
            programs::currency,
            programs::terms,
        ))
        .into_boxed();
    if let Some(brand) = brand {
        query = query.filter(memberships::brand_id.eq(brand));
    }
    query.load(conn)
}

fn codes_of(conn: &mut DbConn, memberships: &[MembershipId]) -> QueryResult<Vec<CodeSummary>> {
    codes::table
        .filter(codes::membership_id.eq_any(memberships))
        .order(codes::id.asc())
        .select((codes::id, codes::membership_id, codes::code))
        .load(conn)
}

fn rewards_of(conn: &mut DbConn, memberships: &[MembershipId]) -> QueryResult<Vec<RewardRow>> {
    rewards::table
        .filter(rewards::membership_id.eq_any(memberships))
        .order(rewards::id.asc())
        .select(RewardRow::as_select())
        .load(conn)
}

/// The ids of the influencer's memberships (optionally in one brand), oldest first.
fn membership_ids(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<MembershipId>> {
    let mut query = memberships::table
        .filter(memberships::influencer_id.eq(influencer))
        .order(memberships::id.asc())
        .select(memberships::id)
        .into_boxed();
    if let Some(brand) = brand {
        query = query.filter(memberships::brand_id.eq(brand));
    }
    query.load(conn)
}
