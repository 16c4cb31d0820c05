//! Pricing and writing an order, so the single SQLite writer (and PostgreSQL's row
//! locks) are held only for what must be written:
//!
//! 1. [`prepare`] on a read connection: attribution (code, click, binding, membership,
//!    program and terms), the exchange rate when the order is in another currency than
//!    its program ([`super::conversion`]), the self-referral check, the fraud signals,
//!    the volume-tier basis and the exact commission.
//! 2. [`settle`] in the write transaction: re-prices a tiered commission if the
//!    ambassador's month-to-date sales moved.
//! 3. [`write`]: the order, its lines, the commission's ledger entry, the customer binding
//!    it makes, the automatic hold its fraud signals call for and the event, into a
//!    [`Batch`] (one round trip to PostgreSQL with the caller's stored answer).
//! 4. [`confirm`]: sends the batch and checks in the same statement that nothing
//!    attribution relied on has changed since (one indexed read per referral).
//! 5. [`take_use`]: the typed code's limit, under its lock, last (none when the customer
//!    is the code's own ambassador).
//!
//! When the check fails, or a concurrent order took a code's last use, the step answers
//! [`RecordError::Stale`]; the caller rolls back and runs them all again.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use rust_decimal::Decimal;

use super::RecordError;
use super::conversion::{self, Conversion, Converting, Fx};
use super::rows::{Binding, Priced, price};
use crate::domain::Currency;
use crate::domain::Email;
use crate::domain::cart::Cart;
use crate::domain::commission;
use crate::domain::fraud::Signal;
use crate::domain::fx::FxRate;
use crate::domain::period::month_start;
use crate::domain::terms::CommissionBasis;
use crate::service::attribution::{self, Decision, Referral};
use crate::service::events::{self, EventType};
use crate::service::overrides;
use crate::store::batch::{Batch, Sink};
use crate::store::bindings;
use crate::store::codes::{self, CodeStamp};
use crate::store::ids::{BrandId, CodeId, MembershipId};
use crate::store::influencers;
use crate::store::ledger::{self, LedgerEntryRow};
use crate::store::orders::{self, OrderLineRow, OrderRow};
use crate::store::reviews::{self, ReviewRow};
use crate::store::{DbConn, portable};

pub const SELF_REFERRAL: &str = "self_referral";

/// A validated order as the shop reported it, times as stored.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub brand_id: BrandId,
    pub order_id: String,
    /// Codes applied, in order; the first usable one is the typed code.
    pub codes: Vec<String>,
    pub click_id: Option<String>,
    pub currency: Currency,
    pub cart: Cart,
    pub discount_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    /// Keyed hash of the customer's e-mail; the address itself is never kept.
    pub customer_email_hash: Option<String>,
    /// The address, only for the fraud signals' comparison with ambassadors' addresses
    /// while the order is priced; never written.
    pub customer_email: Option<Email>,
    /// The rate from the order's currency into its program's the shop sent, if any.
    pub fx_rate: Option<FxRate>,
    pub placed_at: NaiveDateTime,
    pub now: NaiveDateTime,
}

/// An order settled in the write transaction, its rows not written yet.
#[derive(Debug)]
pub struct Decided {
    pub order: OrderRow,
    pub decision: Decision,
    pub entry: Option<LedgerEntryRow>,
    /// The recruiter's override on the commission (two tiers).
    override_entry: Option<LedgerEntryRow>,
    lines: Vec<OrderLineRow>,
    binding: Option<Binding>,
    /// The automatic hold for review the order's signals call for.
    hold: Option<ReviewRow>,
    /// The referrals the decision relied on, as read before the transaction.
    stamps: Vec<(CodeId, CodeStamp)>,
    takes_use: Option<CodeId>,
}

/// An order decided and priced on a read snapshot, ready for [`settle`].
#[derive(Debug)]
pub struct Prepared {
    order: NewOrder,
    decision: Decision,
    /// The order's net in its program's currency, when the two differ.
    fx: Option<Fx>,
    is_self: bool,
    /// The recruiter who earns an override on the commission, and the rate.
    recruiter: Option<(MembershipId, Decimal)>,
    /// The fraud signals raised (none for an unattributed order or a self-referral).
    signals: Vec<Signal>,
    /// The ambassador's attributed net this month before the order, when the terms
    /// have volume tiers (the tier is chosen by it).
    month_to_date: Option<i64>,
    /// The referrals the decision relied on, as read.
    stamps: Vec<(CodeId, CodeStamp)>,
    /// The typed code whose use the order takes: none without a usable typed code, or
    /// when the customer is the code's own ambassador.
    takes_use: Option<CodeId>,
    priced: Priced,
}

/// Decides attribution and prices the order. Reads only: run it on a read connection.
pub fn prepare(
    conn: &mut DbConn,
    order: NewOrder,
    email_hash: impl Fn(&str) -> String,
) -> Result<Prepared, RecordError> {
    let mut decision = attribution::decide(
        conn,
        order.brand_id,
        &order.codes,
        order.click_id.as_deref(),
        order.customer_email_hash.as_deref(),
        order.placed_at,
    )?;
    let conversion = match &decision.chosen {
        Some(referral) => conversion::resolve(
            conn,
            Converting {
                brand: order.brand_id,
                from: order.currency,
                to: &referral.program.currency,
                net: commission::net_merchandise(order.cart.subtotal(), order.discount_total)?,
                shop_rate: order.fx_rate,
                placed_at: order.placed_at,
            },
        )?,
        None => Conversion::Same,
    };
    let fx = match conversion {
        Conversion::Same => None,
        Conversion::Converted(fx) => Some(fx),
        Conversion::Refused(reason) => {
            decision.refuse(reason);
            None
        }
    };
    let customer = order.customer_email_hash.as_deref();
    let mut is_self = false;
    let mut month_to_date = None;
    let mut signals = Vec::new();
    let mut recruiter = None;
    if let Some(referral) = &decision.chosen {
        is_self = bought_by_owner(conn, referral, customer, &email_hash)?;
        if !is_self {
            let rate = referral.terms.override_rate;
            recruiter = overrides::recruiter_of(conn, &referral.owner.membership, rate, customer, &email_hash)?;
            if has_tiers(referral) {
                month_to_date = Some(tier_basis(conn, referral, &order)?);
            }
            signals = super::signals::read(conn, &order, &decision, referral)?;
        }
    }
    // An ambassador buying with their own code spends none of its `max_uses`: the limit
    // counts customers. A self-referral that typed another ambassador's code (a link won)
    // does spend that code's use: someone other than its owner used it. Whose the
    // customer is rests on the code's membership and the influencer's login e-mail,
    // neither of which can change, so this holds in the write transaction too.
    let takes_use = match &decision.typed_code {
        Some(typed) => {
            let own = match &decision.chosen {
                Some(chosen) if chosen.owner.membership.influencer_id == typed.owner.membership.influencer_id => {
                    is_self
                }
                _ => bought_by_owner(conn, typed, customer, &email_hash)?,
            };
            (!own).then_some(typed.owner.code.id)
        }
        None => None,
    };
    let mut stamps: Vec<(CodeId, CodeStamp)> = Vec::with_capacity(2);
    for referral in [&decision.chosen, &decision.typed_code].into_iter().flatten() {
        let id = referral.owner.code.id;
        if stamps.iter().all(|(seen, _)| *seen != id) {
            stamps.push((id, CodeStamp::of(&referral.owner, referral.program.terms_version)));
        }
    }
    let priced = price(
        &order,
        &decision,
        fx.as_ref(),
        (is_self, recruiter),
        month_to_date,
        &signals,
    )?;
    Ok(Prepared {
        order,
        decision,
        fx,
        is_self,
        recruiter,
        signals,
        month_to_date,
        stamps,
        takes_use,
        priced,
    })
}

/// Step 2, in the caller's write transaction: on volume tiers, locks the ambassador and
/// prices again when their month-to-date sales moved since the snapshot. Writes nothing.
pub fn settle(conn: &mut DbConn, prepared: Prepared) -> Result<Decided, RecordError> {
    let Prepared {
        order,
        decision,
        fx,
        is_self,
        recruiter,
        signals,
        month_to_date,
        stamps,
        takes_use,
        mut priced,
    } = prepared;
    // On volume tiers, concurrent orders of one ambassador go one after the other, so
    // each reads the month-to-date sales committed before it. A self-referral takes no
    // lock: it neither reads that sum nor counts in it.
    if let (Some(referral), Some(read)) = (&decision.chosen, month_to_date) {
        portable::lock_membership(conn, referral.owner.membership.id)?;
        // Orders committed since the snapshot may have moved the ambassador into
        // another tier: the sum inside the transaction is the one that counts.
        let current = tier_basis(conn, referral, &order)?;
        if current != read {
            priced = price(
                &order,
                &decision,
                fx.as_ref(),
                (is_self, recruiter),
                Some(current),
                &signals,
            )?;
        }
    }
    // The order carries the use it takes; the running totals count it (`code_uses`),
    // so no order writes the code's row.
    priced.row.used_code_id = takes_use;
    Ok(Decided {
        order: priced.row,
        lines: priced.lines,
        entry: priced.entry,
        override_entry: priced.override_entry,
        binding: priced.binding,
        hold: priced.hold,
        decision,
        stamps,
        takes_use,
    })
}

/// Step 3: the order, its lines, its commission entry and its `order.recorded` event.
pub fn write(sink: &mut impl Sink, decided: &Decided) -> QueryResult<()> {
    orders::insert(sink, &decided.order, &decided.lines)?;
    if let Some(entry) = &decided.entry {
        ledger::append(sink, entry)?;
    }
    if let Some(entry) = &decided.override_entry {
        overrides::append(sink, entry)?;
    }
    if let Some(binding) = &decided.binding {
        bindings::bind(sink, &binding.row, binding.lapsed_by)?;
    }
    if let Some(hold) = &decided.hold {
        reviews::append(sink, hold)?;
    }
    let code = decided.decision.chosen.as_ref().map(|r| r.owner.code.code.clone());
    let recorded = events::OrderRecorded::new(&decided.order, code, decided.entry.as_ref());
    events::emit(
        sink,
        decided.order.brand_id,
        EventType::OrderRecorded,
        &recorded,
        decided.order.created_at,
    )
}

/// Step 4: sends the batch of inserts and, in the same statement, reads again what
/// attribution relied on. Anything changed since the snapshot (code switched off,
/// ambassador paused, new terms) is [`RecordError::Stale`]: the caller rolls back.
pub fn confirm(batch: Batch<'_>, decided: &Decided) -> Result<(), RecordError> {
    let current = match decided.stamps.as_slice() {
        [] => return Ok(batch.finish()?),
        [(only, _)] => codes::stamps_after(batch, *only, *only)?,
        [(first, _), (second, _), ..] => codes::stamps_after(batch, *first, *second)?,
    };
    let unchanged = decided.stamps.iter().all(|read| current.iter().any(|now| now == read));
    if unchanged { Ok(()) } else { Err(RecordError::Stale) }
}

/// Step 5: the typed code's limit. Only a code with `max_uses` is locked, last, so
/// PostgreSQL holds the lock only until the commit: under it, the uses counted include
/// every committed order and this one. Past the limit, a concurrent order took the last
/// use: [`RecordError::Stale`], decide again.
pub fn take_use(conn: &mut DbConn, decided: &Decided) -> Result<(), RecordError> {
    let limit = decided
        .stamps
        .iter()
        .find(|(id, _)| Some(*id) == decided.takes_use)
        .and_then(|(_, stamp)| stamp.max_uses);
    if let (Some(code), Some(max)) = (decided.takes_use, limit)
        && codes::uses_under_lock(conn, code)? > max
    {
        return Err(RecordError::Stale);
    }
    Ok(())
}

/// Whether the customer is the ambassador who owns the referral's code.
fn bought_by_owner(
    conn: &mut DbConn,
    referral: &Referral,
    customer: Option<&str>,
    email_hash: &impl Fn(&str) -> String,
) -> QueryResult<bool> {
    let Some(customer) = customer else {
        return Ok(false);
    };
    Ok(influencers::find(conn, referral.owner.membership.influencer_id)?
        .is_some_and(|ambassador| customer == email_hash(&ambassador.email)))
}

fn has_tiers(referral: &Referral) -> bool {
    let terms = &referral.terms.commission;
    matches!(terms.basis, CommissionBasis::Percent { .. }) && !terms.tiers.is_empty()
}

/// The ambassador's attributed net this calendar month before the order.
fn tier_basis(conn: &mut DbConn, referral: &Referral, order: &NewOrder) -> QueryResult<i64> {
    orders::attributed_net_between(
        conn,
        referral.owner.membership.id,
        month_start(order.placed_at),
        order.placed_at,
    )
}
