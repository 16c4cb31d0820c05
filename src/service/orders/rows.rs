//! The rows an order is written as: the order with its attribution, conversion and
//! fraud signals, its lines with their rates, the commission's ledger entry and the
//! recruiter's override on it, the customer binding it makes and the automatic hold
//! for review ([`price`]).

use chrono::{Duration, NaiveDateTime};
use rust_decimal::Decimal;

use super::RecordError;
use super::conversion::Fx;
use super::pricing::{NewOrder, SELF_REFERRAL};
use crate::domain::commission;
use crate::domain::fraud::{self, Signal};
use crate::domain::order_commission::price_order;
use crate::service::attribution::{AttributionMethod, Decision};
use crate::service::overrides;
use crate::store::bindings::BindingRow;
use crate::store::ids::{CommissionReviewId, LedgerEntryId, MembershipId, OrderId};
use crate::store::ledger::{EntryKind, LedgerEntryRow};
use crate::store::orders::{OrderLineRow, OrderRow};
use crate::store::reviews::{Review, ReviewAction, ReviewRow};

/// The order's rows as they will be written.
#[derive(Debug)]
pub(super) struct Priced {
    pub(super) row: OrderRow,
    pub(super) lines: Vec<OrderLineRow>,
    pub(super) entry: Option<LedgerEntryRow>,
    pub(super) override_entry: Option<LedgerEntryRow>,
    pub(super) binding: Option<Binding>,
    pub(super) hold: Option<ReviewRow>,
}

/// The customer binding an order referred by code or link makes, in a program that
/// binds: written unless a binding made after `lapsed_by` still holds.
#[derive(Debug)]
pub(super) struct Binding {
    pub(super) row: BindingRow,
    pub(super) lapsed_by: NaiveDateTime,
}

/// The order's rows: commission by the chosen referral's terms (none for an
/// unattributed order or a self-referral).
pub(super) fn price(
    order: &NewOrder,
    decision: &Decision,
    fx: Option<&Fx>,
    (is_self, recruiter): (bool, Option<(MembershipId, Decimal)>),
    month_to_date: Option<i64>,
    signals: &[Signal],
) -> Result<Priced, RecordError> {
    let subtotal = order.cart.subtotal();
    let net = commission::net_merchandise(subtotal, order.discount_total)?;
    let id = OrderId::generate();
    let mut line_rates: Vec<Option<Decimal>> = vec![None; order.cart.lines().len()];
    let mut commission_amount = 0;
    let mut headline_rate = None;
    let mut entry = None;
    let mut flags = Vec::new();
    let mut reason = decision.reason;
    if is_self {
        flags.push(SELF_REFERRAL);
        reason = SELF_REFERRAL;
    } else if let Some(referral) = &decision.chosen {
        let priced = price_order(
            &referral.terms.commission,
            &order.cart,
            order.discount_total,
            fx.map(|fx| fx.net),
            month_to_date.unwrap_or(0),
        )?;
        line_rates = priced.line_rates;
        headline_rate = priced.headline_rate;
        commission_amount = priced.calc.amount;
        entry = Some(LedgerEntryRow {
            id: LedgerEntryId::generate(),
            brand_id: order.brand_id,
            membership_id: referral.owner.membership.id,
            order_id: Some(id),
            refund_id: None,
            kind: EntryKind::Commission,
            amount: priced.calc.amount,
            currency: referral.program.currency.clone(),
            available_at: order.placed_at + Duration::days(i64::from(referral.terms.hold_days)),
            approved_at: None,
            paid_out_in: None,
            created_at: order.now,
            reason: None,
            created_by: None,
        });
    }

    let chosen = decision.chosen.as_ref();
    let binding = match (chosen, &order.customer_email_hash) {
        (Some(referral), Some(customer))
            if !is_self
                && decision.method != AttributionMethod::Binding
                && referral.terms.customer_binding_days > 0 =>
        {
            Some(Binding {
                row: BindingRow {
                    program_id: referral.program.id,
                    customer_hash: customer.clone(),
                    brand_id: order.brand_id,
                    membership_id: referral.owner.membership.id,
                    code_id: referral.owner.code.id,
                    order_id: id,
                    bound_at: order.placed_at,
                },
                lapsed_by: order.placed_at - Duration::days(i64::from(referral.terms.customer_binding_days)),
            })
        }
        _ => None,
    };
    let row = OrderRow {
        id,
        brand_id: order.brand_id,
        order_id: order.order_id.clone(),
        currency: order.currency.code().to_owned(),
        subtotal,
        discount_total: order.discount_total,
        shipping_total: order.shipping_total,
        tax_total: order.tax_total,
        net_amount: net,
        placed_at: order.placed_at,
        created_at: order.now,
        membership_id: chosen.map(|r| r.owner.membership.id),
        program_id: chosen.map(|r| r.program.id),
        terms_version: chosen.map(|r| r.program.terms_version),
        code_id: chosen.map(|r| r.owner.code.id),
        click_id: decision.click.as_ref().map(|click| click.id),
        commission: commission_amount,
        commission_rate: headline_rate.map(|r| r.normalize().to_string()),
        attribution_method: decision.method.as_str().to_owned(),
        attribution_reason: reason.to_owned(),
        attribution_candidates: serde_json::to_string(&decision.candidates).unwrap_or_else(|_| "[]".into()),
        flags: serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into()),
        customer_email_hash: order.customer_email_hash.clone(),
        signals: serde_json::to_string(&signals.iter().map(|s| s.as_str()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into()),
        review: (!signals.is_empty()).then_some(Review::Held),
        used_code_id: None,
        fx_rate: None,
        fx_source: None,
        fx_at: None,
        fx_currency: None,
        fx_net: None,
    }
    .with_fx(fx.map(Fx::stored));
    // Signals hold the commission from the start, as if the brand had held it, with
    // no brand user as the actor; the brand releases or rejects it as any hold.
    let hold = (!signals.is_empty()).then(|| ReviewRow {
        id: CommissionReviewId::generate(),
        brand_id: order.brand_id,
        order_id: id,
        action: ReviewAction::Hold,
        reason: Some(fraud::hold_reason(signals)),
        acted_by: None,
        from_membership_id: None,
        to_membership_id: None,
        created_at: order.now,
    });
    let override_entry = match (&entry, recruiter) {
        (Some(commission), Some(recruiter)) => overrides::entry_for(commission, recruiter)?,
        _ => None,
    };
    let lines: Vec<OrderLineRow> = order
        .cart
        .lines()
        .iter()
        .zip(line_rates)
        .enumerate()
        .map(|(i, (line, rate))| OrderLineRow {
            order_id: id,
            line_no: i32::try_from(i).unwrap_or(i32::MAX),
            sku: line.sku.clone(),
            category: line.category.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            rate: rate.map(|r| r.normalize().to_string()),
        })
        .collect();
    Ok(Priced {
        row,
        lines,
        entry,
        override_entry,
        binding,
        hold,
    })
}
