//! An order as the shop and the brand are shown it: stored text decoded, times in UTC.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::store::fx_rates::FxSource;
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
    /// The fraud signals raised when it was recorded (a JSON array), `null` likewise.
    pub signals: Value,
    pub placed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The conversion of the net into the program's currency, when the order is in
    /// another; the commission is then in `fx.currency`.
    pub fx: Option<FxView>,
}

/// An order's net converted into its program's currency, and the rate it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FxView {
    /// Order currency → `currency`, a decimal string.
    pub rate: String,
    pub source: FxSource,
    /// The rate's time: `placed_at` for the shop's rate, when the brand set the table's.
    pub at: DateTime<Utc>,
    /// The program's currency.
    pub currency: String,
    /// The net in it, rounded once half away from zero.
    pub net_amount: i64,
}

impl FxView {
    /// The conversion stored with the order, if it was converted.
    pub fn of(order: &OrderRow) -> Option<Self> {
        order.fx().map(|fx| Self {
            rate: fx.rate,
            source: fx.source,
            at: time::from_db(fx.at),
            currency: fx.currency,
            net_amount: fx.net,
        })
    }
}

impl OrderView {
    /// The currency the commission is in: the program's.
    pub fn commission_currency(&self) -> &str {
        self.fx.as_ref().map_or(&self.currency, |fx| &fx.currency)
    }
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
            signals: serde_json::from_str(&order.signals).unwrap_or(Value::Null),
            placed_at: time::from_db(order.placed_at),
            created_at: time::from_db(order.created_at),
            fx: FxView::of(order),
        }
    }
}

/// The attribution candidates stored with an order, `null` if they do not read back.
pub fn candidates_of(order: &OrderRow) -> Value {
    stored_candidates(order).map_or(Value::Null, Value::from)
}

/// The one reading of the stored candidates behind both the API's answer (as stored)
/// and [`attribution_record`] (typed); `None` if they do not read back.
fn stored_candidates(order: &OrderRow) -> Option<Vec<Value>> {
    serde_json::from_str::<Vec<Value>>(&order.attribution_candidates).ok()
}

/// One referral seen at checkout and what became of it (`service::attribution`'s
/// `Candidate` as stored with the order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenCandidate {
    /// `code` or `link`.
    pub method: String,
    /// The code as typed (normalised), or the code of the clicked link.
    pub code: Option<String>,
    pub click_id: Option<String>,
    /// `ok` (usable), or why it could not attribute (`code_inactive`, …).
    pub status: String,
    /// Whether this candidate is the one the order was attributed to.
    pub won: bool,
}

/// Every candidate seen at checkout, in the order they were checked, with the winner
/// marked: the first usable candidate of the order's attribution method (a checkout
/// has one usable code at most, the others being `another_code_applied`, and one
/// link). Candidates that do not read back are left out; an unattributed order has no
/// winner.
pub fn attribution_record(order: &OrderRow) -> Vec<SeenCandidate> {
    let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut won = false;
    stored_candidates(order)
        .unwrap_or_default()
        .iter()
        .filter_map(|value| {
            let method = text(value, "method")?;
            let status = text(value, "status")?;
            let wins = !won && status == "ok" && method == order.attribution_method;
            won |= wins;
            Some(SeenCandidate {
                code: text(value, "code"),
                click_id: text(value, "click_id"),
                won: wins,
                method,
                status,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ids::BrandId;

    fn order(method: &str, candidates: &str) -> OrderRow {
        let now = chrono::NaiveDateTime::default();
        OrderRow {
            id: OrderId::generate(),
            brand_id: BrandId::generate(),
            order_id: "1001".into(),
            currency: "USD".into(),
            subtotal: 0,
            discount_total: 0,
            shipping_total: 0,
            tax_total: 0,
            net_amount: 0,
            placed_at: now,
            created_at: now,
            membership_id: None,
            program_id: None,
            terms_version: None,
            code_id: None,
            click_id: None,
            commission: 0,
            commission_rate: None,
            attribution_method: method.into(),
            attribution_reason: String::new(),
            attribution_candidates: candidates.into(),
            flags: "[]".into(),
            customer_email_hash: None,
            signals: "[]".into(),
            review: None,
            used_code_id: None,
            fx_rate: None,
            fx_source: None,
            fx_at: None,
            fx_currency: None,
            fx_net: None,
        }
    }

    #[test]
    fn the_usable_candidate_of_the_winning_method_is_the_winner() {
        let stored = r#"[{"method":"code","code":"ANA10","click_id":null,"status":"ok"},
                         {"method":"code","code":"BEN10","click_id":null,"status":"another_code_applied"},
                         {"method":"link","code":"CARA","click_id":"c1","status":"ok"}]"#;
        let won: Vec<bool> = attribution_record(&order("link", stored))
            .iter()
            .map(|c| c.won)
            .collect();
        assert_eq!(won, [false, false, true]);
        let record = attribution_record(&order("code", stored));
        assert_eq!(record.iter().map(|c| c.won).collect::<Vec<_>>(), [true, false, false]);
        assert_eq!(record[2].click_id.as_deref(), Some("c1"));
        // Nobody wins an unattributed order; text that does not read back shows nothing.
        assert!(attribution_record(&order("none", stored)).iter().all(|c| !c.won));
        assert!(attribution_record(&order("code", "not json")).is_empty());
        assert_eq!(candidates_of(&order("code", "not json")), Value::Null);
    }
}
