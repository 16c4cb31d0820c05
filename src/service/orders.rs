//! Recording an order: attribution, self-referral check, exact commission and the
//! commission's ledger entry, all in the caller's transaction.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::QueryResult;
use rust_decimal::Decimal;

use crate::domain::Currency;
use crate::domain::cart::{self, CartLine};
use crate::domain::commission::{self, Basis, CommissionError, PricedLine};
use crate::domain::terms::CommissionBasis;
use crate::service::attribution::{self, Decision};
use crate::store::DbConn;
use crate::store::codes;
use crate::store::ids::{BrandId, LedgerEntryId, OrderId};
use crate::store::influencers;
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::orders::{self, OrderLineRow, OrderRow};

pub const SELF_REFERRAL: &str = "self_referral";

/// A validated order as the shop reported it.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub brand_id: BrandId,
    pub order_id: String,
    pub code: Option<String>,
    pub click_id: Option<String>,
    pub currency: Currency,
    pub lines: Vec<CartLine>,
    pub discount_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    /// Keyed hash of the customer's e-mail; the address itself is never kept.
    pub customer_email_hash: Option<String>,
    pub placed_at: NaiveDateTime,
    pub now: NaiveDateTime,
}

#[derive(Debug)]
pub struct Recorded {
    pub order: OrderRow,
    pub lines: Vec<OrderLineRow>,
    pub decision: Decision,
    pub flags: Vec<&'static str>,
    pub entry: Option<LedgerEntryRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the program runs in {program}, the order is in {order}")]
    CurrencyMismatch { program: String, order: String },
    #[error("commission: {0}")]
    Commission(#[from] CommissionError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// First instant of the UTC calendar month of `at`.
fn month_start(at: NaiveDateTime) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(at.year(), at.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(at)
}

/// Decides attribution and takes one use of a typed code. If a concurrent order took
/// the code's last use, the decision is made again and sees the code as used up.
fn decide_and_take_use(conn: &mut DbConn, order: &NewOrder) -> QueryResult<Decision> {
    for _ in 0..3 {
        let decision = attribution::decide(
            conn,
            order.brand_id,
            order.code.as_deref(),
            order.click_id.as_deref(),
            order.placed_at,
        )?;
        match &decision.typed_code {
            Some(code) if !codes::take_use(conn, code.owner.code.id)? => continue,
            _ => return Ok(decision),
        }
    }
    attribution::decide(conn, order.brand_id, None, order.click_id.as_deref(), order.placed_at)
}

/// Records the order. `email_hash` hashes an ambassador's login e-mail the same way
/// the customer's was hashed, for the self-referral check.
pub fn record(
    conn: &mut DbConn,
    order: NewOrder,
    email_hash: impl Fn(&str) -> String,
) -> Result<Recorded, RecordError> {
    let subtotal = cart::subtotal(&order.lines).ok_or(CommissionError::Overflow)?;
    let net = commission::net_merchandise(subtotal, order.discount_total)?;
    let mut decision = decide_and_take_use(conn, &order)?;
    let mut flags = Vec::new();
    let id = OrderId::generate();
    let mut line_rates: Vec<Option<Decimal>> = vec![None; order.lines.len()];
    let mut commission_amount = 0;
    let mut headline_rate = None;
    let mut entry = None;

    if let Some(referral) = &decision.chosen {
        if referral.program.currency != order.currency.code() {
            return Err(RecordError::CurrencyMismatch {
                program: referral.program.currency.clone(),
                order: order.currency.code().to_owned(),
            });
        }
        let is_self = match &order.customer_email_hash {
            Some(customer) => influencers::find(conn, referral.owner.membership.influencer_id)?
                .is_some_and(|ambassador| *customer == email_hash(&ambassador.email)),
            None => false,
        };
        if is_self {
            flags.push(SELF_REFERRAL);
            decision.reason = SELF_REFERRAL;
        } else {
            let terms = &referral.terms.commission;
            let basis = match &terms.basis {
                CommissionBasis::Flat { amount } => Basis::Flat { amount: *amount },
                CommissionBasis::Percent { .. } => {
                    let month_to_date = if terms.tiers.is_empty() {
                        0
                    } else {
                        orders::attributed_net_between(
                            conn,
                            referral.owner.membership.id,
                            month_start(order.placed_at),
                            order.placed_at,
                        )?
                    };
                    let mut priced = Vec::with_capacity(order.lines.len());
                    for (i, line) in order.lines.iter().enumerate() {
                        let rate = terms
                            .rate_for(&line.sku, line.category.as_deref(), month_to_date)
                            .unwrap_or_default();
                        line_rates[i] = Some(rate);
                        priced.push(PricedLine {
                            value: line.value().ok_or(CommissionError::Overflow)?,
                            rate,
                        });
                    }
                    let first = line_rates.first().copied().flatten();
                    if line_rates.iter().all(|r| *r == first) {
                        headline_rate = first;
                    }
                    Basis::Percent(priced)
                }
            };
            let calc = commission::compute(&basis, subtotal, order.discount_total, terms.max_per_order)?;
            commission_amount = calc.amount;
            entry = Some(LedgerEntryRow {
                id: LedgerEntryId::generate(),
                brand_id: order.brand_id,
                membership_id: referral.owner.membership.id,
                order_id: Some(id),
                refund_id: None,
                kind: EntryKind::Commission,
                amount: calc.amount,
                currency: order.currency.code().to_owned(),
                available_at: order.placed_at + Duration::days(i64::from(referral.terms.hold_days)),
                approved_at: None,
                paid_out_in: None,
                created_at: order.now,
            });
        }
    }

    let chosen = decision.chosen.as_ref();
    let row = OrderRow {
        id,
        brand_id: order.brand_id,
        order_id: order.order_id,
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
        click_id: match decision.method {
            attribution::AttributionMethod::Link => order.click_id.as_deref().and_then(|c| c.parse().ok()),
            _ => None,
        },
        commission: commission_amount,
        commission_rate: headline_rate.map(|r| r.normalize().to_string()),
        attribution_method: decision.method.as_str().to_owned(),
        attribution_reason: decision.reason.to_owned(),
        attribution_candidates: serde_json::to_string(&decision.candidates).unwrap_or_else(|_| "[]".into()),
        flags: serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into()),
        customer_email_hash: order.customer_email_hash,
    };
    let lines: Vec<OrderLineRow> = order
        .lines
        .into_iter()
        .zip(line_rates)
        .enumerate()
        .map(|(i, (line, rate))| OrderLineRow {
            order_id: id,
            line_no: i32::try_from(i).unwrap_or(i32::MAX),
            sku: line.sku,
            category: line.category,
            quantity: line.quantity,
            unit_price: line.unit_price,
            rate: rate.map(|r| r.normalize().to_string()),
        })
        .collect();
    orders::insert(conn, &row, &lines)?;
    if let Some(entry) = &entry {
        ledger::append(conn, entry)?;
    }
    Ok(Recorded {
        order: row,
        lines,
        decision,
        flags,
        entry,
    })
}
