//! The reads behind an order's fraud signals ([`crate::domain::fraud::Facts`]), each
//! one indexed and bounded by the window it looks at (a day of one customer's or one
//! client's orders, a month of refunds), not by the ambassador's sales.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, InfluencerId, MembershipId};
use super::schema::{clicks, influencers, memberships, orders};

/// Orders through the membership by this customer (e-mail hash) placed after `since`.
pub fn customer_orders(
    conn: &mut DbConn,
    membership: MembershipId,
    customer_hash: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    orders::table
        .filter(orders::membership_id.eq(membership))
        .filter(orders::placed_at.gt(since))
        .filter(orders::customer_email_hash.eq(customer_hash))
        .select(count_star())
        .first(conn)
}

/// Orders through the membership whose click came from this client (IP and
/// user-agent hashes), placed after `since`.
pub fn client_orders(
    conn: &mut DbConn,
    membership: MembershipId,
    ip_hash: &str,
    ua_hash: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    orders::table
        .inner_join(clicks::table.on(clicks::id.nullable().eq(orders::click_id)))
        .filter(orders::membership_id.eq(membership))
        .filter(orders::placed_at.gt(since))
        .filter(clicks::ip_hash.eq(ip_hash))
        .filter(clicks::ua_hash.eq(ua_hash))
        .select(count_star())
        .first(conn)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Orders of the membership refunded since `since`, from the refunds' reversal entries
/// (a partial index holds just those, so the read does not grow with sales).
pub fn refunded_orders(conn: &mut DbConn, membership: MembershipId, since: NaiveDateTime) -> QueryResult<i64> {
    use diesel::sql_types::{Text, Timestamp};
    // The kind is written out, not bound, so PostgreSQL's plan can use the partial index.
    let count = diesel::sql_query(
        "SELECT CAST(COUNT(DISTINCT order_id) AS BIGINT) AS n FROM ledger_entries \
         WHERE membership_id = $1 AND kind = 'reversal' AND refund_id IS NOT NULL AND created_at > $2",
    )
    .bind::<Text, _>(membership)
    .bind::<Timestamp, _>(since)
    .get_result::<Count>(conn)?;
    Ok(count.n)
}

/// Orders placed through the membership from the UTC day of `since` on, from the
/// running totals (`order_days`).
pub fn placed_orders(conn: &mut DbConn, membership: MembershipId, since: NaiveDateTime) -> QueryResult<i64> {
    use diesel::sql_types::Text;
    let count = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(orders), 0) AS BIGINT) AS n FROM order_days WHERE membership_id = $1 AND day >= $2",
    )
    .bind::<Text, _>(membership)
    .bind::<Text, _>(since.date().format("%Y-%m-%d").to_string())
    .get_result::<Count>(conn)?;
    Ok(count.n)
}

/// Whose the customer's e-mail is among the brand's ambassadors other than
/// `ambassador` (the order's own, whose login e-mail makes a self-referral instead):
/// (another's login e-mail, any ambassador's payout e-mail, the order's own included).
pub fn ambassador_addresses(
    conn: &mut DbConn,
    brand: BrandId,
    ambassador: InfluencerId,
    email: &str,
) -> QueryResult<(bool, bool)> {
    let in_brand = |id| {
        exists(
            memberships::table
                .filter(memberships::brand_id.eq(brand))
                .filter(memberships::influencer_id.eq(id)),
        )
    };
    let login: Option<InfluencerId> = influencers::table
        .filter(influencers::email.eq(email))
        .select(influencers::id)
        .first(conn)
        .optional()?;
    let is_other_login = match login {
        Some(id) if id != ambassador => diesel::select(in_brand(id)).get_result(conn)?,
        _ => false,
    };
    let payout: Vec<InfluencerId> = influencers::table
        .filter(influencers::payout_email.eq(email))
        .select(influencers::id)
        .limit(50)
        .load(conn)?;
    let mut is_payout = false;
    for id in payout {
        if diesel::select(in_brand(id)).get_result(conn)? {
            is_payout = true;
            break;
        }
    }
    Ok((is_other_login, is_payout))
}
