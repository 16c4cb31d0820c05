//! Orders from the shop's checkout: recording one, and cancelling one.
//!
//! Retries never double-count. The natural key is (brand, `order_id`); an optional
//! idempotency key names the request instead. The first answer is stored in the
//! order's own transaction and replayed byte for byte for the same key and body; the
//! same key with another body is [`RecordError::IdempotencyKeyReused`]; the same
//! `order_id` under another key is [`RecordError::OrderExists`]. Concurrent identical
//! requests race on unique constraints; the losers run again and find the winner's
//! answer.

pub mod conversion;
mod pricing;
pub mod replay;
mod rows;
mod signals;
mod view;

use std::ops::ControlFlow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use conversion::{FX_OUT_OF_RANGE, NO_FX_RATE};
pub use pricing::SELF_REFERRAL;
pub use replay::{Answer, Answered, RenderError};
pub use view::{FxView, OrderView, SeenCandidate, attribution_record, candidates_of};

use crate::auth::pepper::Pepper;
use crate::domain::commission::CommissionError;
use crate::domain::fx::FxRate;
use crate::domain::{Currency, Email, cart::Cart};
use crate::service::refunds::{self, ApplyRefund, RefundApplied, RefundFailure, RefundKind};
use crate::store::batch::Batch;
use crate::store::ids::BrandId;
use crate::store::{Db, DbConn, StoreError, UnitError, time};
use pricing::NewOrder;
use replay::Stored;

/// An order as the shop reported it, parsed at the door.
#[derive(Debug, Clone)]
pub struct RecordOrder {
    pub brand_id: BrandId,
    /// The caller's name for this request, if it gave one; else the `order_id` is.
    pub idempotency_key: Option<String>,
    /// Hash of the request body: the same key with another body is refused.
    pub request_hash: String,
    pub order_id: String,
    /// Codes applied, in order (a shop may stack several); the first usable one
    /// attributes, the others are kept as candidates.
    pub codes: Vec<String>,
    pub click_id: Option<String>,
    pub currency: Currency,
    pub cart: Cart,
    pub discount_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub customer_email: Option<Email>,
    /// The rate from `currency` into the attributed program's currency, when the shop
    /// converts itself; else the brand's rate table is used.
    pub fx_rate: Option<FxRate>,
    pub placed_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// A newly recorded order, as handed to the renderer.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub order: OrderView,
    /// The code of the referral the order was attributed to.
    pub code: Option<String>,
    /// Every referral seen and what became of it.
    pub candidates: Value,
    /// When the order's commission becomes payable; `None` when it earned no entry.
    pub commission_available_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the idempotency key was used with a different request body")]
    IdempotencyKeyReused,
    #[error("an order with this order_id was recorded under another idempotency key")]
    OrderExists,
    #[error("commission: {0}")]
    Commission(#[from] CommissionError),
    /// What the order was decided on changed before it could be written; decide again.
    #[error("the referral changed while the order was being recorded")]
    Stale,
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A database error while recording: a unique violation is a lost race, run again.
impl From<diesel::result::Error> for RecordError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(StoreError::retryable(err))
    }
}

impl UnitError for RecordError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Stale | Self::Store(StoreError::Conflict))
    }
}

type Renderer<T> = Arc<dyn Fn(&T) -> Result<Answer, RenderError> + Send + Sync>;

/// Records an order, or answers the first answer to the same request again.
///
/// `render` turns the recorded order into the answer the caller sends; it runs inside
/// the order's transaction, and what it returns is stored for replays.
pub async fn record(
    db: &Db,
    pepper: &Pepper,
    order: RecordOrder,
    render: impl Fn(&Recorded) -> Result<Answer, RenderError> + Send + Sync + 'static,
) -> Result<Answered, RecordError> {
    let render: Renderer<Recorded> = Arc::new(render);
    let stored_key = match &order.idempotency_key {
        Some(key) => format!("key:{key}"),
        None => format!("order:{}", order.order_id),
    };
    let hash = order.request_hash.clone();
    let new_order = NewOrder {
        brand_id: order.brand_id,
        order_id: order.order_id,
        codes: order.codes,
        click_id: order.click_id,
        currency: order.currency,
        cart: order.cart,
        discount_total: order.discount_total,
        shipping_total: order.shipping_total,
        tax_total: order.tax_total,
        customer_email_hash: order
            .customer_email
            .as_ref()
            .map(|email| pepper.hash("email", email.as_str())),
        customer_email: order.customer_email,
        fx_rate: order.fx_rate,
        placed_at: time::to_db(order.placed_at),
        now: time::to_db(order.now),
    };
    crate::store::retrying(|| {
        record_once(
            db,
            pepper.clone(),
            new_order.clone(),
            stored_key.clone(),
            hash.clone(),
            render.clone(),
        )
    })
    .await
}

/// One attempt at recording an order. Everything that only reads — the stored answer,
/// the existence check, attribution and pricing — runs before the write transaction, so
/// the transaction holds the writer only for the checks that must be repeated under it
/// and the inserts. Losing a race (a unique key, a changed referral, a code's last use)
/// is a conflict, and [`record`] runs the attempt again.
async fn record_once(
    db: &Db,
    pepper: Pepper,
    order: NewOrder,
    stored_key: String,
    hash: String,
    render: Renderer<Recorded>,
) -> Result<Answered, RecordError> {
    let brand = order.brand_id;
    let (key, request_hash) = (stored_key.clone(), hash.clone());
    let read = move |conn: &mut DbConn| {
        // One statement: an order and its answer are committed together, so an order
        // without an answer under this key was recorded under another key.
        match replay::find_for_order(conn, brand, &key, &request_hash, &order.order_id)? {
            (Stored::Same(answer), _) => Ok(ControlFlow::Break(Answered::Replayed(answer))),
            (Stored::Other, _) => Err(RecordError::IdempotencyKeyReused),
            (Stored::Nothing, true) => Err(RecordError::OrderExists),
            (Stored::Nothing, false) => {
                pricing::prepare(conn, order, |email| pepper.hash("email", email)).map(ControlFlow::Continue)
            }
        }
    };
    let write = move |conn: &mut DbConn, prepared| {
        let decided = pricing::settle(conn, prepared)?;
        let recorded = Recorded {
            order: OrderView::from(&decided.order),
            code: decided.decision.chosen.as_ref().map(|r| r.owner.code.code.clone()),
            candidates: serde_json::to_value(&decided.decision.candidates).unwrap_or(Value::Null),
            commission_available_at: decided.entry.as_ref().map(|e| time::from_db(e.available_at)),
        };
        let answer = render(&recorded)?;
        // The order's rows and its answer go to PostgreSQL as one statement.
        let mut batch = Batch::new(conn);
        pricing::write(&mut batch, &decided)?;
        replay::store(&mut batch, brand, stored_key, hash, &answer, decided.order.created_at)?;
        pricing::confirm(batch, &decided)?;
        pricing::take_use(conn, &decided)?;
        Ok(Answered::Fresh(answer))
    };
    db.read_then_write(read, write).await
}

/// A cancellation: the order's brand and the shop's `order_id`.
#[derive(Debug, Clone)]
pub struct CancelOrder {
    pub brand_id: BrandId,
    pub order_id: String,
    pub now: DateTime<Utc>,
}

/// Refunds everything not refunded yet. Idempotent: a repeated cancel answers the first
/// answer again; a cancel of an order already fully refunded otherwise is
/// [`RefundFailure::AlreadyRefunded`].
pub async fn cancel(
    db: &Db,
    cancel: CancelOrder,
    render: impl Fn(&RefundApplied) -> Result<Answer, RenderError> + Send + Sync + 'static,
) -> Result<Answered, RefundFailure> {
    refunds::apply(
        db,
        ApplyRefund {
            brand_id: cancel.brand_id,
            order_id: cancel.order_id,
            refund_id: "cancel".to_owned(),
            kind: RefundKind::Rest,
            // Every cancel of an order is the same request.
            request_hash: crate::auth::secrets::sha256_hex("cancel"),
            now: cancel.now,
        },
        render,
    )
    .await
}
