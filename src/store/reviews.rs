//! The review of an order's commission: where it stands (`orders.review`) and every
//! action taken on it, appended to `commission_reviews`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::batch::Sink;
use super::ids::{BrandId, BrandUserId, CommissionReviewId, MembershipId, OrderId, text_enum};
use super::schema::{commission_reviews, orders};
use crate::domain::status::ReviewFact;

text_enum!(
    /// Where the review of an order's commission stands; no review is `NULL`. A held
    /// commission does not mature until released; a rejected one was reversed.
    Review {
        Held => "held",
        Rejected => "rejected",
    }
);

text_enum!(
    /// What a brand user did to a commission.
    ReviewAction {
        Hold => "hold",
        Release => "release",
        Reject => "reject",
        Reassign => "reassign",
    }
);

/// The domain's fact for a stored review (see [`crate::domain::status::OrderStatus`]).
pub fn fact(review: Option<Review>) -> ReviewFact {
    match review {
        None => ReviewFact::None,
        Some(Review::Held) => ReviewFact::Held,
        Some(Review::Rejected) => ReviewFact::Rejected,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = commission_reviews)]
pub struct ReviewRow {
    pub id: CommissionReviewId,
    pub brand_id: BrandId,
    pub order_id: OrderId,
    pub action: ReviewAction,
    pub reason: Option<String>,
    /// The brand user who acted.
    pub acted_by: Option<BrandUserId>,
    /// For a reassignment, the ambassador the order had and the one it went to.
    pub from_membership_id: Option<MembershipId>,
    pub to_membership_id: Option<MembershipId>,
    pub created_at: NaiveDateTime,
}

/// Records `row` and sets the order's review to `review` (`None`: no review).
pub fn record(conn: &mut DbConn, row: &ReviewRow, review: Option<Review>) -> QueryResult<()> {
    append(conn, row)?;
    diesel::update(orders::table.find(row.order_id))
        .set(orders::review.eq(review))
        .execute(conn)
        .map(drop)
}

/// Appends `row` alone: the automatic hold of an order being recorded, whose row
/// carries its review already.
pub fn append(sink: &mut impl Sink, row: &ReviewRow) -> QueryResult<()> {
    sink.insert(diesel::insert_into(commission_reviews::table).values(row.clone()))
}

/// Every review action on the order, oldest first.
pub fn history(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<ReviewRow>> {
    commission_reviews::table
        .filter(commission_reviews::order_id.eq(order))
        .order(commission_reviews::id.asc())
        .select(ReviewRow::as_select())
        .load(conn)
}
