//! An order as the shop and the brand are shown it: stored text decoded, times in UTC.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::store::ids::{MembershipId, OrderId};
use crate::store::orders::OrderRow;
use crate::store::time;

#[derive(Debug, Clone)]
pub struct OrderView {
    pub id: OrderId,
    pub order_id: String,
    pub membership_id: Option<MembershipId>,
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub net_amount: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub commission: i64,
    /// The rate every line earned, as a decimal string.
    pub commission_rate: Option<String>,
    pub terms_version: Option<i32>,
    pub attribution_method: String,
    pub attribution_reason: String,
    /// The stored flags (a JSON array), `null` if they do not read back.
    pub flags: Value,
    pub placed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<&OrderRow> for OrderView {
    fn from(order: &OrderRow) -> Self {
        Self {
            id: order.id,
            order_id: order.order_id.clone(),
            membership_id: order.membership_id,
            currency: order.currency.clone(),
            subtotal: order.subtotal,
            discount_total: order.discount_total,
            net_amount: order.net_amount,
            shipping_total: order.shipping_total,
            tax_total: order.tax_total,
            commission: order.commission,
            commission_rate: order.commission_rate.clone(),
            terms_version: order.terms_version,
            attribution_method: order.attribution_method.clone(),
            attribution_reason: order.attribution_reason.clone(),
            flags: serde_json::from_str(&order.flags).unwrap_or(Value::Null),
            placed_at: time::from_db(order.placed_at),
            created_at: time::from_db(order.created_at),
        }
    }
}

/// The attribution candidates stored with an order, `null` if they do not read back.
pub fn candidates_of(order: &OrderRow) -> Value {
    serde_json::from_str::<Vec<Value>>(&order.attribution_candidates)
        .map(Value::from)
        .unwrap_or(Value::Null)
}
