//! A delivery's commands run through the use cases the JSON API calls: an order through
//! `orders::record`, a refund through `refunds::apply`, a cancellation through
//! `orders::cancel`. What only a shop needs is done here: the first usable of several
//! codes, a Stripe promotion code's twin, another name of an order, a gross refund
//! turned into merchandise, and a refund that arrives before its order waiting for it.

use chrono::{DateTime, Utc};

use crate::auth::pepper::Pepper;
use crate::auth::secrets::sha256_hex;
use crate::domain::Email;
use crate::domain::cart::{Cart, CartField};
use crate::domain::money::bounded_amount;
use crate::domain::refund::merchandise_of_gross;
use crate::service::orders::{self, Answer, CancelOrder, RecordError, RecordOrder};
use crate::service::refunds::{self, ApplyRefund, RefundFailure, RefundKind, RefundedLine};
use crate::shops::{CodeRef, OrderFacts, OrderRef, RefundAmount, RefundFacts, ShopCommand};
use crate::store::ids::{BrandId, ShopEventId};
use crate::store::shop_events::{self, EventStatus, Outcome, ShopEventRow};
use crate::store::{Db, StoreError, codes, orders as store_orders, refunds as store_refunds};

/// What one command came to.
enum Step {
    Done {
        order_id: String,
        note: Option<String>,
        gross: i64,
    },
    Ignored(String),
    Waiting(String),
    Failed(String),
}

/// Runs the commands of one event in order; returns the outcome and the events that were
/// waiting for an order this event recorded.
pub(super) async fn run(
    db: &Db,
    pepper: &Pepper,
    event: &ShopEventRow,
    commands: Vec<ShopCommand>,
    now: DateTime<Utc>,
) -> Result<(Outcome, Vec<ShopEventId>), StoreError> {
    let brand = event.brand_id;
    let mut steps = Vec::with_capacity(commands.len());
    let mut woken = Vec::new();
    // Gross refunded by this event's earlier refunds: the event is not finished yet, so
    // the running total in the database does not count them.
    let mut gross_so_far = 0i64;
    for command in commands {
        let step = match command {
            ShopCommand::Record(facts) => {
                let (step, woke) = record(db, pepper, brand, facts, now).await?;
                woken.extend(woke);
                step
            }
            ShopCommand::Refund(facts) => {
                let step = refund(db, brand, facts, gross_so_far, now).await?;
                if let Step::Done { gross, .. } = &step {
                    gross_so_far = gross_so_far.saturating_add(*gross);
                }
                step
            }
            ShopCommand::Cancel { order } => cancel(db, brand, order, now).await?,
            ShopCommand::Ignore { reason } => Step::Ignored(reason),
        };
        steps.push(step);
    }
    Ok((outcome_of(steps), woken))
}

/// One outcome for the event: failed if a command failed, processed if one did its work,
/// else waiting, else ignored; the details of every command, in order.
fn outcome_of(steps: Vec<Step>) -> Outcome {
    let mut outcome = Outcome {
        status: EventStatus::Ignored,
        detail: None,
        order_id: None,
        waiting_for: None,
        gross_refunded: 0,
    };
    let rank = |status: EventStatus| match status {
        EventStatus::Failed => 4,
        EventStatus::Processed => 3,
        EventStatus::WaitingForOrder => 2,
        _ => 1,
    };
    let mut details = Vec::new();
    for step in steps {
        let status = match step {
            Step::Done { order_id, note, gross } => {
                outcome.order_id = Some(order_id);
                outcome.gross_refunded = outcome.gross_refunded.saturating_add(gross);
                details.extend(note);
                EventStatus::Processed
            }
            Step::Ignored(reason) => {
                details.push(reason);
                EventStatus::Ignored
            }
            Step::Waiting(name) => {
                details.push(format!("waiting for order {name}"));
                outcome.waiting_for = Some(name);
                EventStatus::WaitingForOrder
            }
            Step::Failed(problem) => {
                details.push(problem);
                EventStatus::Failed
            }
        };
        if rank(status) > rank(outcome.status) {
            outcome.status = status;
        }
    }
    outcome.detail = (!details.is_empty()).then(|| details.join("; "));
    outcome
}

async fn record(
    db: &Db,
    pepper: &Pepper,
    brand: BrandId,
    facts: OrderFacts,
    now: DateTime<Utc>,
) -> Result<(Step, Vec<ShopEventId>), StoreError> {
    let order_id = facts.order_id.clone();
    let cart = match Cart::parse(facts.lines) {
        Ok(cart) => cart,
        Err(problems) => return Ok((Step::Failed(cart_problems(&problems)), Vec::new())),
    };
    for (name, value) in [
        ("discount", facts.discount_total),
        ("shipping", facts.shipping_total),
        ("tax", facts.tax_total),
    ] {
        if let Err(problem) = bounded_amount(value) {
            return Ok((Step::Failed(format!("{name} {problem}")), Vec::new()));
        }
    }
    let codes = typed_codes(db, brand, facts.codes).await?;
    let order = RecordOrder {
        brand_id: brand,
        idempotency_key: None,
        // Every delivery of one order is the same request: a later one replays the first.
        request_hash: sha256_hex(&format!("shop:{order_id}")),
        order_id: order_id.clone(),
        codes,
        click_id: facts.click_id,
        currency: facts.currency,
        cart,
        discount_total: facts.discount_total,
        shipping_total: facts.shipping_total,
        tax_total: facts.tax_total,
        customer_email: facts.customer_email.as_deref().and_then(|e| Email::parse(e).ok()),
        // A shop's webhook carries no rate into the program's currency: an order in
        // another currency converts at the brand's rate table.
        fx_rate: None,
        // A shop's clock ahead of ours must not date an order in the future (the API
        // refuses that at its door; a delivery cannot be refused, so it is clamped).
        placed_at: facts.placed_at.min(now),
        now,
    };
    let render = |recorded: &orders::Recorded| {
        Ok(Answer {
            status: 201,
            body: serde_json::json!({ "order_id": recorded.order.order_id, "source": "shop_webhook" }).to_string(),
        })
    };
    let note = match orders::record(db, pepper, order, render).await {
        Ok(_) => None,
        // Recorded before through the API under its own key: the same order.
        Err(RecordError::OrderExists | RecordError::IdempotencyKeyReused) => {
            Some(format!("order {order_id} was already recorded"))
        }
        Err(RecordError::Store(err)) => return Err(err),
        Err(err) => return Ok((Step::Failed(err.to_string()), Vec::new())),
    };
    let mut names = facts.aliases.clone();
    names.push(order_id.clone());
    let at = crate::store::time::to_db(now);
    let (aliases, id) = (facts.aliases, order_id.clone());
    let woken = db
        .write(move |conn| -> Result<_, StoreError> {
            for alias in &aliases {
                shop_events::add_alias(conn, brand, alias, &id, at)?;
            }
            let waiting = shop_events::waiting_for(conn, brand, &names)?;
            for event in &waiting {
                shop_events::requeue(conn, *event)?;
            }
            Ok(waiting)
        })
        .await?;
    Ok((
        Step::Done {
            order_id,
            note,
            gross: 0,
        },
        woken,
    ))
}

/// The codes as text, in order: a Stripe promotion code becomes the reftrack code that
/// names it as its twin, and is left out when none does.
async fn typed_codes(db: &Db, brand: BrandId, refs: Vec<CodeRef>) -> Result<Vec<String>, StoreError> {
    db.read(move |conn| -> Result<_, StoreError> {
        let mut out = Vec::with_capacity(refs.len());
        for code in refs {
            match code {
                CodeRef::Typed(text) => out.push(text),
                CodeRef::StripePromotion(id) => out.extend(codes::find_by_stripe_promotion(conn, brand, &id)?),
            }
        }
        Ok(out)
    })
    .await
}

fn cart_problems(problems: &[crate::domain::cart::CartProblem]) -> String {
    let parts: Vec<String> = problems
        .iter()
        .map(|p| match p.field {
            CartField::Lines => format!("lines {}", p.message),
            CartField::Sku(i) | CartField::Category(i) | CartField::Quantity(i) | CartField::UnitPrice(i) => {
                format!("line {}: {}", i + 1, p.message)
            }
        })
        .collect();
    format!("the order's lines cannot be recorded: {}", parts.join("; "))
}

/// What a refund needs to know of its order.
enum Target {
    /// Not recorded yet (or the alias is unknown): wait for it under this name.
    Missing(String),
    /// This refund was applied before.
    Applied(String),
    Found {
        order_id: String,
        net: i64,
        gross: i64,
        refundable: i64,
        gross_before: i64,
    },
}

async fn target(db: &Db, brand: BrandId, order: OrderRef, refund_id: String) -> Result<Target, StoreError> {
    db.read_latest(move |conn| -> Result<_, StoreError> {
        let order_id = match &order {
            OrderRef::Id(id) => Some(id.clone()),
            OrderRef::Alias(alias) => shop_events::order_of_alias(conn, brand, alias)?,
        };
        let name = match &order {
            OrderRef::Id(name) | OrderRef::Alias(name) => name.clone(),
        };
        let Some(row) = order_id
            .map(|id| store_orders::find_by_shop_id(conn, brand, &id))
            .transpose()?
            .flatten()
        else {
            return Ok(Target::Missing(name));
        };
        if store_refunds::find(conn, row.id, &refund_id)?.is_some() {
            return Ok(Target::Applied(row.order_id));
        }
        let refunded = store_refunds::totals(conn, row.id)?.0;
        let gross_before = shop_events::gross_refunded(conn, brand, &row.order_id)?;
        let gross = row
            .subtotal
            .saturating_sub(row.discount_total)
            .saturating_add(row.shipping_total)
            .saturating_add(row.tax_total);
        Ok(Target::Found {
            net: row.net_amount,
            refundable: row.net_amount.saturating_sub(refunded),
            order_id: row.order_id,
            gross,
            gross_before,
        })
    })
    .await
}

async fn refund(
    db: &Db,
    brand: BrandId,
    facts: RefundFacts,
    earlier_in_event: i64,
    now: DateTime<Utc>,
) -> Result<Step, StoreError> {
    let (order_id, net, gross, refundable, gross_before) =
        match target(db, brand, facts.order, facts.refund_id.clone()).await? {
            Target::Missing(name) => return Ok(Step::Waiting(name)),
            Target::Applied(order_id) => {
                return Ok(Step::Done {
                    order_id,
                    note: Some(format!("refund {} was already recorded", facts.refund_id)),
                    gross: 0,
                });
            }
            Target::Found {
                order_id,
                net,
                gross,
                refundable,
                gross_before,
            } => (
                order_id,
                net,
                gross,
                refundable,
                gross_before.saturating_add(earlier_in_event),
            ),
        };
    let (kind, gross_now) = match facts.amount {
        RefundAmount::Lines(lines) => (
            RefundKind::Lines(
                lines
                    .into_iter()
                    .map(|(sku, quantity)| RefundedLine { sku, quantity })
                    .collect(),
            ),
            0,
        ),
        RefundAmount::Gross(amount) | RefundAmount::CumulativeGross(amount) if amount <= 0 => {
            return Ok(Step::Ignored("a refund of nothing".to_owned()));
        }
        RefundAmount::Gross(amount) => {
            let after = gross_before.saturating_add(amount);
            (
                RefundKind::Amount(merchandise_of_gross(gross_before, after, net, gross, refundable)),
                amount,
            )
        }
        RefundAmount::CumulativeGross(total) if total <= gross_before => {
            return Ok(Step::Ignored(format!(
                "the platform's refunded total {total} is not above the {gross_before} already recorded"
            )));
        }
        RefundAmount::CumulativeGross(total) => (
            RefundKind::Amount(merchandise_of_gross(gross_before, total, net, gross, refundable)),
            total - gross_before,
        ),
    };
    if matches!(kind, RefundKind::Amount(0)) {
        return Ok(Step::Ignored(if refundable == 0 {
            "the order is already fully refunded".to_owned()
        } else {
            "the refund is worth no merchandise".to_owned()
        }));
    }
    let command = ApplyRefund {
        brand_id: brand,
        order_id: order_id.clone(),
        refund_id: facts.refund_id.clone(),
        kind,
        request_hash: sha256_hex(&format!("shop:{}", facts.refund_id)),
        now,
    };
    match refunds::apply(db, command, render_refund).await {
        Ok(_) => Ok(Step::Done {
            order_id,
            note: None,
            gross: gross_now,
        }),
        Err(RefundFailure::OrderNotFound) => Ok(Step::Waiting(order_id)),
        Err(RefundFailure::AlreadyRefunded) => Ok(Step::Ignored("the order is already fully refunded".to_owned())),
        Err(RefundFailure::Store(err)) => Err(err),
        Err(err) => Ok(Step::Failed(format!("refund {}: {err}", facts.refund_id))),
    }
}

async fn cancel(db: &Db, brand: BrandId, order: OrderRef, now: DateTime<Utc>) -> Result<Step, StoreError> {
    let order_id = match target(db, brand, order, String::new()).await? {
        Target::Missing(name) => {
            return Ok(Step::Ignored(format!(
                "cancel of order {name}, which reftrack never recorded"
            )));
        }
        Target::Applied(order_id) | Target::Found { order_id, .. } => order_id,
    };
    let command = CancelOrder {
        brand_id: brand,
        order_id: order_id.clone(),
        now,
    };
    match orders::cancel(db, command, render_refund).await {
        Ok(_) => Ok(Step::Done {
            order_id,
            note: None,
            gross: 0,
        }),
        Err(RefundFailure::AlreadyRefunded) => Ok(Step::Ignored(format!(
            "order {order_id} is already fully refunded or cancelled"
        ))),
        Err(RefundFailure::Store(err)) => Err(err),
        Err(err) => Ok(Step::Failed(format!("cancel: {err}"))),
    }
}

fn render_refund(applied: &refunds::RefundApplied) -> Result<Answer, orders::RenderError> {
    Ok(Answer {
        status: 201,
        body: serde_json::json!({ "refund_id": applied.refund_id, "source": "shop_webhook" }).to_string(),
    })
}
