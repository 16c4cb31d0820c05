//! The reads behind an order's fraud signals ([`crate::domain::fraud::Facts`]), each
//! one indexed and bounded so the checkout pays the same for a star ambassador as for
//! a new one.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, InfluencerId, MembershipId};
use super::schema::{clicks, influencers, memberships, orders, refunds};

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

/// (orders, refunded orders) among the membership's `limit` newest orders placed
/// after `since`.
pub fn recent_refunds(
    conn: &mut DbConn,
    membership: MembershipId,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<(i64, i64)> {
    let refunded: Vec<bool> = orders::table
        .filter(orders::membership_id.eq(membership))
        .filter(orders::placed_at.gt(since))
        .order(orders::placed_at.desc())
        .limit(limit)
        .select(exists(refunds::table.filter(refunds::order_id.eq(orders::id))))
        .load(conn)?;
    let orders = i64::try_from(refunded.len()).unwrap_or(i64::MAX);
    let refunded = i64::try_from(refunded.iter().filter(|r| **r).count()).unwrap_or(i64::MAX);
    Ok((orders, refunded))
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
