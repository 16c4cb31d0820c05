//! The influencer's earnings statement: every ledger entry of every membership, oldest
//! first, page by page; and the latest entries of one brand, for its portal page.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::membership_ids;
use super::sql::Statement;
use crate::domain::status::EntryState;
use crate::store::DbConn;
use crate::store::ids::{BrandId, InfluencerId, LedgerEntryId};
use crate::store::ledger::EntryKind;

/// A ledger entry of the influencer's statement.
#[derive(Debug, Clone, QueryableByName)]
pub struct StatementEntry {
    #[diesel(sql_type = Text)]
    pub id: LedgerEntryId,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    pub brand_name: String,
    #[diesel(sql_type = Text)]
    pub kind: EntryKind,
    /// The shop's order id, for entries of an order.
    #[diesel(sql_type = Nullable<Text>)]
    pub order_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
    #[diesel(sql_type = Timestamp)]
    pub available_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub approved_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub paid_out_in: Option<String>,
    /// Why, for an entry a brand user made.
    #[diesel(sql_type = Nullable<Text>)]
    pub reason: Option<String>,
}

impl StatementEntry {
    /// What the row says about itself, for [`crate::domain::status::EntryStatus::of`].
    pub fn state(&self) -> EntryState {
        EntryState {
            approved: self.approved_at.is_some(),
            paid_out: self.paid_out_in.is_some(),
        }
    }
}

/// The columns of [`StatementEntry`], from `ledger_entries e`.
const STATEMENT_ENTRY: &str = "SELECT e.id, e.created_at, b.name AS brand_name, e.kind, o.order_id, e.currency, \
       e.amount, e.available_at, e.approved_at, e.paid_out_in, e.reason \
     FROM ledger_entries e \
     JOIN brands b ON b.id = e.brand_id \
     LEFT JOIN orders o ON o.id = e.order_id \
     WHERE e.membership_id = ";

/// A page of the influencer's ledger entries, oldest first by id (UUIDv7), strictly
/// after `after`; merged from one index range per membership like
/// [`super::list_orders`].
pub fn statement_entries(
    conn: &mut DbConn,
    influencer: InfluencerId,
    after: Option<LedgerEntryId>,
    limit: i64,
) -> QueryResult<Vec<StatementEntry>> {
    let memberships = membership_ids(conn, influencer, None)?;
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    Statement::union_all(memberships, |branch, membership| {
        let branch = branch.sql(STATEMENT_ENTRY).param::<Text, _>(membership);
        let branch = match after {
            Some(after) => branch.sql(" AND e.id > ").param::<Text, _>(after),
            None => branch,
        };
        branch.sql(" ORDER BY e.id LIMIT ").param::<BigInt, _>(limit)
    })
    .sql(" ORDER BY id LIMIT ")
    .param::<BigInt, _>(limit)
    .query
    .load(conn)
}

/// The `limit` newest ledger entries of the influencer's memberships with `brand`,
/// newest first.
pub fn latest_entries(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: BrandId,
    limit: i64,
) -> QueryResult<Vec<StatementEntry>> {
    let memberships = membership_ids(conn, influencer, Some(brand))?;
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    Statement::union_all(memberships, |branch, membership| {
        branch
            .sql(STATEMENT_ENTRY)
            .param::<Text, _>(membership)
            .sql(" ORDER BY e.id DESC LIMIT ")
            .param::<BigInt, _>(limit)
    })
    .sql(" ORDER BY id DESC LIMIT ")
    .param::<BigInt, _>(limit)
    .query
    .load(conn)
}
