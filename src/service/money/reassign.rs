//! Reassigning an order to another ambassador of the brand: the first ambassador's
//! commission is reversed (what refunds left of it), the second earns a commission
//! under their own program's terms in force at the order's `placed_at`, and the review
//! history records who moved it, from whom, to whom and why. Owners only: it moves
//! money between people.
//!
//! Rules:
//! - the target is one of the brand's ambassadors, not the current one
//!   ([`Refusal::SameAmbassador`]) and not ended ([`Refusal::TargetEnded`]); a paused
//!   one may receive an order (the brand decides by hand what checkout would not);
//! - an order earns each ambassador at most one commission, so it does not go back to
//!   one it was taken from ([`Refusal::PreviouslyAttributed`]); a mistaken move is
//!   corrected with adjustments;
//! - the target's program runs in the order's currency, or the order is converted into
//!   the program's: at the rate it was recorded at when that was its program's currency
//!   already, else at the brand's rate table; without a rate, [`Refusal::CurrencyMismatch`];
//! - the first commission may not be in a pending payout batch (cancel it first); a
//!   paid one is reversed all the same, and the reversal nets against that ambassador's
//!   next payout. A rejected one has nothing left to reverse;
//! - the new commission is priced exactly as checkout would have (volume tier by the
//!   target's month-to-date sales before the order, self-referral when the customer is
//!   the target), matures `hold_days` after `placed_at`, and refunds made so far reverse
//!   their share of it at once;
//! - the order keeps how the customer came (`attribution.method`) and loses the code and
//!   click (they were the first ambassador's); its `attribution.reason` becomes
//!   `reassigned`; a hold or rejection of the first commission does not carry over.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::{MoneyError, Refusal};
use crate::auth::pepper::Pepper;
use crate::domain::Currency;
use crate::domain::adjustment::Reason;
use crate::domain::cart::{Cart, CartLine};
use crate::domain::commission;
use crate::domain::order_commission::price_order;
use crate::domain::period::month_start;
use crate::domain::refund::{self, RefundState};
use crate::domain::terms::{CommissionBasis, Terms};
use crate::service::auth::BrandActor;
use crate::service::orders::SELF_REFERRAL;
use crate::service::orders::conversion::{self, Conversion, Converting};
use crate::service::orders::replay::{self, Answer, Answered, Keyed, RenderError};
use crate::service::overrides;
use crate::service::reports::{self, BrandOrderDetail};
use crate::store::ids::{BrandUserId, CommissionReviewId, LedgerEntryId, MembershipId, OrderId};
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::memberships::{self, AmbassadorRow, MembershipStatus};
use crate::store::orders::{self, Attribution, OrderFx, OrderRow};
use crate::store::reviews::{self, ReviewAction, ReviewRow};
use crate::store::{Db, DbConn, StoreError, payouts, programs, refunds, time};

/// `attribution.reason` of a reassigned order.
pub const REASSIGNED: &str = "reassigned";

/// A reassignment as the door parsed it.
#[derive(Debug, Clone)]
pub struct Reassign {
    pub order: OrderId,
    pub to: MembershipId,
    pub reason: Reason,
}

/// Moves the order to the ambassador `to`; answers the order as it now stands.
pub async fn reassign(
    db: &Db,
    pepper: &Pepper,
    actor: &BrandActor,
    command: Reassign,
    keyed: Option<Keyed>,
    now: DateTime<Utc>,
    render: impl Fn(&BrandOrderDetail) -> Result<Answer, RenderError> + Send + Sync + 'static,
) -> Result<Answered, MoneyError> {
    actor.require_owner()?;
    let actor = *actor;
    let pepper = pepper.clone();
    let render = Arc::new(render);
    let now = time::to_db(now);
    let keyed = keyed.map(|k| Keyed {
        key: format!("reassign:{}:{}", command.order, k.key),
        request_hash: k.request_hash,
    });
    db.write_retrying(move |conn| {
        let brand = actor.brand_id;
        let order = super::locked_order(conn, brand, command.order)?;
        replay::once(
            conn,
            brand,
            keyed.as_ref(),
            now,
            || MoneyError::IdempotencyKeyReused,
            |conn| {
                let target =
                    memberships::find_ambassador(conn, brand, command.to)?.ok_or(MoneyError::AmbassadorNotFound)?;
                if order.membership_id == Some(command.to) {
                    return Err(Refusal::SameAmbassador.into());
                }
                if target.membership.status == MembershipStatus::Ended {
                    return Err(Refusal::TargetEnded.into());
                }
                // One commission per ambassador and order: an order does not go back to
                // an ambassador whose commission on it was reversed by a reassignment.
                if ledger::commission_of(conn, order.id, command.to)?.is_some() {
                    return Err(Refusal::PreviouslyAttributed.into());
                }
                let who = ReviewRow {
                    id: CommissionReviewId::generate(),
                    brand_id: brand,
                    order_id: order.id,
                    action: ReviewAction::Reassign,
                    reason: Some(command.reason.as_str().to_owned()),
                    acted_by: Some(actor.user_id),
                    from_membership_id: order.membership_id,
                    to_membership_id: Some(command.to),
                    created_at: now,
                };
                reverse_first(conn, &order, &who, now)?;
                let email_hash = |email: &str| pepper.hash("email", email);
                attribute_to(conn, &order, &target, &email_hash, now)?;
                reviews::record(conn, &who, None)?;
                let detail = reports::brand_order_in(conn, brand, order.id)?;
                Ok(render(&detail)?)
            },
        )
    })
    .await
}

/// A reversal of what is left of the first ambassador's commission, with the reason.
fn reverse_first(conn: &mut DbConn, order: &OrderRow, who: &ReviewRow, now: NaiveDateTime) -> Result<(), MoneyError> {
    let Some(first) = order.membership_id else {
        return Ok(());
    };
    let entries = ledger::of_order_for(conn, order.id, first)?;
    let Some(commission) = entries.iter().find(|e| e.kind == EntryKind::Commission) else {
        return Ok(());
    };
    if commission.paid_out_in.is_none() && payouts::in_live_batch(conn, commission.id)? {
        return Err(Refusal::InPayout.into());
    }
    let reversed: i64 = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Reversal)
        .map(|e| -e.amount)
        .sum();
    // The first ambassador's recruiter loses the override on it too (two tiers).
    let rest = overrides::Rest {
        reason: who.reason.clone(),
        acted_by: who.acted_by,
        at_once: false,
    };
    overrides::reverse_rest(conn, order.id, &rest, now)?;
    let rest = commission.amount - reversed;
    if rest > 0 {
        ledger::append(
            conn,
            &reversal(
                commission,
                -rest,
                commission.available_at.max(now),
                now,
                who.reason.clone(),
                who.acted_by,
            ),
        )?;
    }
    Ok(())
}

/// A reversal entry of `commission` that matures with it (or now, when its hold is
/// over), as a refund's does.
fn reversal(
    commission: &LedgerEntryRow,
    amount: i64,
    available_at: NaiveDateTime,
    now: NaiveDateTime,
    reason: Option<String>,
    created_by: Option<BrandUserId>,
) -> LedgerEntryRow {
    LedgerEntryRow {
        id: LedgerEntryId::generate(),
        brand_id: commission.brand_id,
        membership_id: commission.membership_id,
        order_id: commission.order_id,
        refund_id: None,
        kind: EntryKind::Reversal,
        amount,
        currency: commission.currency.clone(),
        available_at,
        approved_at: (available_at <= now).then_some(now),
        paid_out_in: None,
        created_at: now,
        reason,
        created_by,
    }
}

/// Prices the order for `target` under the terms in force at `placed_at`, writes the
/// new attribution, the commission and the reversal of what refunds took so far.
fn attribute_to(
    conn: &mut DbConn,
    order: &OrderRow,
    target: &AmbassadorRow,
    email_hash: &impl Fn(&str) -> String,
    now: NaiveDateTime,
) -> Result<(), MoneyError> {
    let customer = order.customer_email_hash.as_deref();
    let customer_is_target = customer.is_some_and(|hash| hash == email_hash(&target.email));
    let membership = target.membership.id;
    let version = programs::version_at(conn, target.membership.program_id, order.placed_at)?
        .ok_or(MoneyError::AmbassadorNotFound)?;
    let fx = conversion_for(conn, order, &version.currency)?;
    let terms: Terms = programs::read_terms(version.program_id, &version.terms)?;
    let lines = orders::lines(conn, order.id)?;
    let cart = Cart::parse(
        lines
            .iter()
            .map(|l| CartLine {
                sku: l.sku.clone(),
                category: l.category.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
            })
            .collect(),
    )
    .map_err(|_| StoreError::Corrupt(format!("the lines of order {} do not read back", order.id)))?;
    let (amount, rates, headline, flags) = if customer_is_target {
        (0, vec![None; lines.len()], None, format!("[\"{SELF_REFERRAL}\"]"))
    } else {
        let tiered =
            matches!(terms.commission.basis, CommissionBasis::Percent { .. }) && !terms.commission.tiers.is_empty();
        let month_to_date = if tiered {
            orders::attributed_net_between(conn, membership, month_start(order.placed_at), order.placed_at)?
        } else {
            0
        };
        let converted = fx.as_ref().map(|fx| fx.net);
        let priced = price_order(&terms.commission, &cart, order.discount_total, converted, month_to_date)
            .map_err(|_| unpriceable(order.id))?;
        (
            priced.calc.amount,
            priced.line_rates,
            priced.headline_rate,
            orders::NO_FLAGS.to_owned(),
        )
    };
    orders::reattribute(
        conn,
        order.id,
        &Attribution {
            membership_id: membership,
            program_id: version.program_id,
            terms_version: version.version,
            commission: amount,
            commission_rate: headline.map(|r| r.normalize().to_string()),
            attribution_reason: REASSIGNED.to_owned(),
            flags,
            line_rates: rates.iter().map(|r| r.map(|r| r.normalize().to_string())).collect(),
            fx,
        },
    )?;
    if amount == 0 {
        return Ok(());
    }
    let available_at = order.placed_at + Duration::days(i64::from(terms.hold_days));
    let earned = LedgerEntryRow {
        id: LedgerEntryId::generate(),
        brand_id: order.brand_id,
        membership_id: membership,
        order_id: Some(order.id),
        refund_id: None,
        kind: EntryKind::Commission,
        amount,
        currency: version.currency.clone(),
        available_at,
        approved_at: None,
        paid_out_in: None,
        created_at: now,
        reason: None,
        created_by: None,
    };
    ledger::append(conn, &earned)?;
    let refunded = refunds::totals(conn, order.id)?.0;
    if let Some(recruiter) =
        overrides::recruiter_of(conn, &target.membership, terms.override_rate, customer, email_hash)?
    {
        overrides::earn_after_refunds(conn, &earned, recruiter, (order.net_amount, refunded), now)?;
    }
    if refunded > 0 {
        let net =
            commission::net_merchandise(cart.subtotal(), order.discount_total).map_err(|_| unpriceable(order.id))?;
        let state = RefundState {
            net,
            commission: amount,
            refunded: 0,
            reversed: 0,
        };
        let share = refund::reversal_for(&state, refunded.min(net)).map_err(|_| unpriceable(order.id))?;
        if share > 0 {
            ledger::append(conn, &reversal(&earned, -share, available_at.max(now), now, None, None))?;
        }
    }
    Ok(())
}

/// Stored amounts that no longer price (bounds tightened since): the order is not moved.
fn unpriceable(order: OrderId) -> StoreError {
    StoreError::Corrupt(format!("order {order} cannot be priced again"))
}

/// The conversion an order needs to be paid in `currency`, a program's: none in its own
/// currency; the rate it was recorded at when it was converted into this currency
/// already; else the brand's rate table today. Without a rate the move is refused
/// ([`Refusal::CurrencyMismatch`]): the brand adds the rate and moves it again.
fn conversion_for(conn: &mut DbConn, order: &OrderRow, currency: &str) -> Result<Option<OrderFx>, MoneyError> {
    if order.currency == currency {
        return Ok(None);
    }
    if let Some(fx) = order.fx().filter(|fx| fx.currency == currency) {
        return Ok(Some(fx));
    }
    let from = Currency::parse(&order.currency)
        .map_err(|e| StoreError::Corrupt(format!("order {} currency: {e}", order.id)))?;
    let converting = Converting {
        brand: order.brand_id,
        from,
        to: currency,
        net: order.net_amount,
        shop_rate: None,
        placed_at: order.placed_at,
    };
    match conversion::resolve(conn, converting)? {
        Conversion::Same => Ok(None),
        Conversion::Converted(fx) => Ok(Some(fx.stored())),
        Conversion::Refused(_) => Err(Refusal::CurrencyMismatch.into()),
    }
}
