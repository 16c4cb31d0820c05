//! How an order is shown: the checkout's answer to a new order, and the brand's views.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::service::orders::{self, FxView, OrderView, Recorded};
use crate::store::fx_rates::FxSource;
use crate::store::ids::{MembershipId, OrderId};
use crate::store::orders::OrderRow;

#[derive(Debug, Serialize)]
pub struct CommissionView {
    pub amount: i64,
    /// The program's currency, which the commission is in: the order's, or the one its
    /// net was converted into (`attribution.fx`).
    pub currency: String,
    /// The rate every line earned, as a decimal string; `null` for flat commissions or
    /// when lines earned different rates (see the order's lines).
    pub rate: Option<String>,
    /// `pending` (in its hold period), `approved`, `paid`, `reversed`, or `none`.
    pub status: &'static str,
    pub terms_version: Option<i32>,
    /// When the commission becomes payable.
    pub available_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct AttributionView {
    pub method: String,
    pub reason: String,
    pub candidates: Value,
    /// How the net was converted into the program's currency; `null` when the order is
    /// in it (or unattributed).
    pub fx: Option<FxJson>,
}

#[derive(Debug, Serialize)]
pub struct FxJson {
    /// Order currency → `currency`, a decimal string.
    pub rate: String,
    /// `order` (sent with the order) or `rate_table` (the brand's table).
    pub source: FxSource,
    /// The rate's time: `placed_at` for the shop's rate, when the brand set the table's.
    pub at: DateTime<Utc>,
    pub currency: String,
    /// The net in `currency`, rounded once half away from zero: what commission is paid on.
    pub net_amount: i64,
}

impl From<FxView> for FxJson {
    fn from(fx: FxView) -> Self {
        Self {
            rate: fx.rate,
            source: fx.source,
            at: fx.at,
            currency: fx.currency,
            net_amount: fx.net_amount,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct OrderResponse {
    pub id: OrderId,
    pub order_id: String,
    pub attributed: bool,
    pub ambassador_id: Option<MembershipId>,
    pub code: Option<String>,
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub net_amount: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub commission: CommissionView,
    pub attribution: AttributionView,
    pub flags: Value,
    pub signals: Value,
    pub placed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl OrderResponse {
    /// The checkout's answer to a newly recorded order.
    pub fn recorded(recorded: &Recorded) -> Self {
        let order = &recorded.order;
        Self::from_view(
            order.clone(),
            recorded.code.clone(),
            CommissionView {
                amount: order.commission,
                currency: order.commission_currency().to_owned(),
                rate: order.commission_rate.clone(),
                status: if recorded.commission_available_at.is_some() {
                    "pending"
                } else {
                    "none"
                },
                terms_version: order.terms_version,
                available_at: recorded.commission_available_at,
            },
            recorded.candidates.clone(),
        )
    }

    pub fn from_row(order: &OrderRow, code: Option<String>, commission: CommissionView, candidates: Value) -> Self {
        Self::from_view(OrderView::from(order), code, commission, candidates)
    }

    pub fn from_view(order: OrderView, code: Option<String>, commission: CommissionView, candidates: Value) -> Self {
        Self {
            id: order.id,
            order_id: order.order_id,
            attributed: order.membership_id.is_some(),
            ambassador_id: order.membership_id,
            code,
            currency: order.currency,
            subtotal: order.subtotal,
            discount_total: order.discount_total,
            net_amount: order.net_amount,
            shipping_total: order.shipping_total,
            tax_total: order.tax_total,
            commission,
            attribution: AttributionView {
                method: order.attribution_method,
                reason: order.attribution_reason,
                candidates,
                fx: order.fx.map(FxJson::from),
            },
            flags: order.flags,
            signals: order.signals,
            placed_at: order.placed_at,
            created_at: order.created_at,
        }
    }
}

/// Stored candidates, for order views.
pub fn candidates_of(order: &OrderRow) -> Value {
    orders::candidates_of(order)
}
