//! The fraud signals of an attributed order, read when it is priced: only what the
//! program's thresholds ([`FraudRules`]) ask for, each read bounded
//! ([`crate::store::fraud`]). A raised signal holds the commission for the brand's
//! review from the moment the order is recorded (see [`super::pricing`]).

use chrono::Duration;

use super::pricing::NewOrder;
use crate::domain::fraud::{self, Facts, REFUND_RATE_DAYS, Signal};
use crate::service::attribution::{Decision, Referral};
use crate::store::{DbConn, StoreError, fraud as reads};

/// The signals of `order`, attributed to `referral` by `decision`.
pub fn read(
    conn: &mut DbConn,
    order: &NewOrder,
    decision: &Decision,
    referral: &Referral,
) -> Result<Vec<Signal>, StoreError> {
    let rules = &referral.terms.fraud_review;
    let membership = referral.owner.membership.id;
    let since = order.placed_at - Duration::hours(i64::from(rules.repeat_hours));
    let mut facts = Facts::default();
    if rules.repeat_orders > 0
        && let Some(customer) = &order.customer_email_hash
    {
        facts.customer_orders = Some(reads::customer_orders(conn, membership, customer, since)?);
    }
    if let Some(click) = &decision.click {
        if rules.repeat_orders > 0 {
            facts.client_orders = Some(reads::client_orders(
                conn,
                membership,
                &click.ip_hash,
                &click.ua_hash,
                since,
            )?);
        }
        facts.click_age_seconds = Some((order.placed_at - click.created_at).num_seconds());
    }
    if let Some(max) = rules.max_refund_rate {
        let window = order.placed_at - Duration::days(REFUND_RATE_DAYS);
        let refunded = reads::refunded_orders(conn, membership, window)?;
        // Orders placed matter only when enough were refunded to exceed the limit at the
        // fewest orders counted; most ambassadors stop at the first read.
        if fraud::could_exceed(refunded, max) {
            facts.refunds = Some((reads::placed_orders(conn, membership, window)?, refunded));
        }
    }
    if let Some(email) = &order.customer_email {
        (facts.customer_is_ambassador, facts.customer_is_payout_email) = reads::ambassador_addresses(
            conn,
            order.brand_id,
            referral.owner.membership.influencer_id,
            email.as_str(),
        )?;
    }
    Ok(fraud::signals(&facts, rules))
}
