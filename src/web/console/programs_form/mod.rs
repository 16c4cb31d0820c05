//! The program form as a browser sends it: the terms with money typed in major units
//! ("5.00") and rows for rates by product or category, volume tiers and free items, read
//! into the very [`TermsInput`] the JSON API builds from its body; the stored terms
//! written back into the form; and the terms parser's field paths (`commission.rate`,
//! `rewards[0].every_orders`) mapped to the form's inputs, so each message is shown
//! beside what the person typed.
//!
//! Every input is named by its path in the API's document where one exists, and rows
//! by their position in the form (`commission.tiers[2].rate`). Empty rows are skipped,
//! so a row's index in the API's document can differ from its place in the form;
//! [`Rows`] keeps the correspondence.

use crate::domain::Currency;
use crate::domain::money::{format_minor, parse_major};
use crate::domain::terms::{
    CommissionInput, DiscountInput, FraudInput, OverrideInput, RewardInput, TermsInput, TierInput, fraud,
};
use crate::web::form::{FieldErrors, given, row_at, split_row};

mod paths;

pub use paths::label;

/// Empty rows offered under the filled ones, for adding (no script needed).
pub const EMPTY_ROWS: usize = 3;
/// Rows of one list a form may send: above the API's limits (100 overrides, 20 tiers,
/// 20 rewards), so that its own message says when there are too many.
const MAX_ROWS: usize = 150;

pub const OVERRIDES: &str = "commission.overrides";
pub const TIERS: &str = "commission.tiers";
pub const REWARDS: &str = "rewards";

/// A rate for one product (SKU) or one category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverrideRow {
    /// `sku` or `category`.
    pub kind: String,
    pub target: String,
    pub rate: String,
}

/// From this much of an ambassador's sales in a calendar month, this rate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierRow {
    pub from_amount: String,
    pub rate: String,
}

/// A free item every so many orders or so much in sales.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RewardRow {
    /// `orders` or `amount`.
    pub kind: String,
    pub every: String,
    pub sku: String,
    pub description: String,
}

/// The form as typed: every value is kept as text so a refused form is shown again
/// exactly as it was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramForm {
    pub name: String,
    pub currency: String,
    /// `percent` or `flat`.
    pub commission_type: String,
    pub rate: String,
    pub amount: String,
    pub max_per_order: String,
    /// `none`, `percent` or `fixed`.
    pub discount_type: String,
    pub discount_value: String,
    pub discount_amount: String,
    pub hold_days: String,
    pub min_payout: String,
    pub attribution: String,
    /// Blank takes the API's default (30 days).
    pub click_window_days: String,
    /// Blank or 0: no binding.
    pub customer_binding_days: String,
    /// The recruiter's share of a recruit's commission; blank for none.
    pub override_rate: String,
    /// The fraud review thresholds; blank takes the API's default, but a blank refund
    /// rate is off.
    pub fraud_repeat_orders: String,
    pub fraud_repeat_hours: String,
    pub fraud_max_refund_rate: String,
    pub fraud_min_click_seconds: String,
    pub overrides: Vec<OverrideRow>,
    pub tiers: Vec<TierRow>,
    pub rewards: Vec<RewardRow>,
    /// The terms version the form was drawn from (edit only), to tell whether saving
    /// made a new one.
    pub version: String,
}

/// Where each entry of the API's lists came from in the form: `overrides[i]` is form
/// row `overrides[i]`, and so on.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    overrides: Vec<usize>,
    tiers: Vec<usize>,
    rewards: Vec<usize>,
}

fn row_id(list: &str, row: usize, field: &str) -> String {
    format!("{list}[{row}].{field}")
}

/// The input ids of one row, for the template.
pub fn override_ids(row: usize) -> [String; 3] {
    ["kind", "target", "rate"].map(|f| row_id(OVERRIDES, row, f))
}

pub fn tier_ids(row: usize) -> [String; 2] {
    ["from_amount", "rate"].map(|f| row_id(TIERS, row, f))
}

pub fn reward_ids(row: usize) -> [String; 4] {
    ["kind", "every", "sku", "description"].map(|f| row_id(REWARDS, row, f))
}

impl ProgramForm {
    /// The form of a new program in `currency`, with the API's defaults.
    pub fn new_program(currency: &str) -> Self {
        Self {
            currency: currency.to_owned(),
            commission_type: "percent".into(),
            discount_type: "none".into(),
            hold_days: crate::domain::terms::DEFAULT_HOLD_DAYS.to_string(),
            attribution: "code_first".into(),
            click_window_days: crate::domain::terms::DEFAULT_CLICK_WINDOW_DAYS.to_string(),
            customer_binding_days: "0".into(),
            override_rate: String::new(),
            fraud_repeat_orders: fraud::DEFAULT_REPEAT_ORDERS.to_string(),
            fraud_repeat_hours: fraud::DEFAULT_REPEAT_HOURS.to_string(),
            fraud_max_refund_rate: fraud::DEFAULT_MAX_REFUND_RATE.to_string(),
            fraud_min_click_seconds: "0".into(),
            ..Self::default()
        }
        .with_empty_rows()
    }

    /// The form of a program whose current terms are `terms` (the stored document),
    /// amounts written in major units of `currency`.
    pub fn of_program(name: &str, currency: Currency, version: i32, terms: TermsInput) -> Self {
        let major = |minor: i64| format_minor(minor, currency.exponent());
        let commission = terms.commission.unwrap_or_default();
        let discount = terms.customer_discount.flatten();
        let fraud = terms.fraud_review.clone().unwrap_or_default();
        Self {
            name: name.to_owned(),
            currency: currency.code().to_owned(),
            commission_type: commission.kind,
            rate: commission.rate.unwrap_or_default(),
            amount: commission.amount.map(major).unwrap_or_default(),
            max_per_order: commission.max_per_order.map(major).unwrap_or_default(),
            discount_type: discount.as_ref().map_or_else(|| "none".to_owned(), |d| d.kind.clone()),
            discount_value: discount.as_ref().and_then(|d| d.value.clone()).unwrap_or_default(),
            discount_amount: discount.as_ref().and_then(|d| d.amount).map(major).unwrap_or_default(),
            hold_days: terms.hold_days.map(|d| d.to_string()).unwrap_or_default(),
            min_payout: terms.min_payout.map(major).unwrap_or_default(),
            attribution: terms.attribution.unwrap_or_default(),
            click_window_days: terms.click_window_days.map(|d| d.to_string()).unwrap_or_default(),
            customer_binding_days: terms.customer_binding_days.map(|d| d.to_string()).unwrap_or_default(),
            override_rate: terms.override_rate.flatten().unwrap_or_default(),
            fraud_repeat_orders: fraud.repeat_orders.map(|n| n.to_string()).unwrap_or_default(),
            fraud_repeat_hours: fraud.repeat_hours.map(|n| n.to_string()).unwrap_or_default(),
            fraud_max_refund_rate: fraud.max_refund_rate.clone().unwrap_or_default(),
            fraud_min_click_seconds: fraud.min_click_seconds.map(|n| n.to_string()).unwrap_or_default(),
            overrides: commission
                .overrides
                .unwrap_or_default()
                .into_iter()
                .map(|o| OverrideRow {
                    kind: if o.category.is_some() { "category" } else { "sku" }.into(),
                    target: o.sku.or(o.category).unwrap_or_default(),
                    rate: o.rate,
                })
                .collect(),
            tiers: commission
                .tiers
                .unwrap_or_default()
                .into_iter()
                .map(|t| TierRow {
                    from_amount: major(t.from_amount),
                    rate: t.rate,
                })
                .collect(),
            rewards: terms
                .rewards
                .unwrap_or_default()
                .into_iter()
                .map(|r| RewardRow {
                    kind: if r.every_amount.is_some() { "amount" } else { "orders" }.into(),
                    every: r
                        .every_amount
                        .map(major)
                        .or(r.every_orders.map(|n| n.to_string()))
                        .unwrap_or_default(),
                    sku: r.sku,
                    description: r.description,
                })
                .collect(),
            version: version.to_string(),
        }
        .with_empty_rows()
    }

    /// [`EMPTY_ROWS`] more empty rows under each list.
    fn with_empty_rows(mut self) -> Self {
        let sku = || OverrideRow {
            kind: "sku".into(),
            ..OverrideRow::default()
        };
        let orders = || RewardRow {
            kind: "orders".into(),
            ..RewardRow::default()
        };
        self.overrides.extend(std::iter::repeat_with(sku).take(EMPTY_ROWS));
        self.tiers
            .extend(std::iter::repeat_with(TierRow::default).take(EMPTY_ROWS));
        self.rewards.extend(std::iter::repeat_with(orders).take(EMPTY_ROWS));
        self
    }

    /// Reads the submitted pairs; returns the CSRF token apart. Names the form never
    /// sends are ignored; a row beyond [`MAX_ROWS`] is refused.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<(String, Self), String> {
        let mut csrf = String::new();
        let mut form = Self::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "csrf" => &mut csrf,
                "name" => &mut form.name,
                "currency" => &mut form.currency,
                "commission.type" => &mut form.commission_type,
                "commission.rate" => &mut form.rate,
                "commission.amount" => &mut form.amount,
                "commission.max_per_order" => &mut form.max_per_order,
                "customer_discount.type" => &mut form.discount_type,
                "customer_discount.value" => &mut form.discount_value,
                "customer_discount.amount" => &mut form.discount_amount,
                "hold_days" => &mut form.hold_days,
                "min_payout" => &mut form.min_payout,
                "attribution" => &mut form.attribution,
                "click_window_days" => &mut form.click_window_days,
                "customer_binding_days" => &mut form.customer_binding_days,
                "override_rate" => &mut form.override_rate,
                "fraud_review.repeat_orders" => &mut form.fraud_repeat_orders,
                "fraud_review.repeat_hours" => &mut form.fraud_repeat_hours,
                "fraud_review.max_refund_rate" => &mut form.fraud_max_refund_rate,
                "fraud_review.min_click_seconds" => &mut form.fraud_min_click_seconds,
                "version" => &mut form.version,
                other => match split_row(other) {
                    Some((_, index, _)) if index >= MAX_ROWS => {
                        return Err(format!("A form has at most {MAX_ROWS} rows of each kind."));
                    }
                    Some((OVERRIDES, index, field)) => {
                        let row = row_at(&mut form.overrides, index);
                        match field {
                            "kind" => &mut row.kind,
                            "target" => &mut row.target,
                            "rate" => &mut row.rate,
                            _ => continue,
                        }
                    }
                    Some((TIERS, index, field)) => {
                        let row = row_at(&mut form.tiers, index);
                        match field {
                            "from_amount" => &mut row.from_amount,
                            "rate" => &mut row.rate,
                            _ => continue,
                        }
                    }
                    Some((REWARDS, index, field)) => {
                        let row = row_at(&mut form.rewards, index);
                        match field {
                            "kind" => &mut row.kind,
                            "every" => &mut row.every,
                            "sku" => &mut row.sku,
                            "description" => &mut row.description,
                            _ => continue,
                        }
                    }
                    _ => continue,
                },
            };
            *slot = value;
        }
        Ok((csrf, form))
    }

    /// The terms document of the form, as the API would receive it, with amounts read
    /// in `currency`; what cannot be read (an amount, a whole number) is kept in
    /// `errors` under its input and left out of the document.
    pub fn terms(&self, currency: Currency, errors: &mut FieldErrors) -> (TermsInput, Rows) {
        let money = |errors: &mut FieldErrors, id: &str, text: &str| -> Option<i64> {
            given(text).and_then(|t| errors.check(id, parse_major(t, currency)))
        };
        let percent = self.commission_type == "percent";
        let flat = self.commission_type == "flat";
        let amount = if flat {
            money(errors, "commission.amount", &self.amount)
        } else {
            None
        };
        let max_per_order = money(errors, "commission.max_per_order", &self.max_per_order);
        let discount_amount = if self.discount_type == "fixed" {
            money(errors, "customer_discount.amount", &self.discount_amount)
        } else {
            None
        };
        let min_payout = match given(&self.min_payout) {
            None => Some(0),
            Some(text) => money(errors, "min_payout", text),
        };
        let mut rows = Rows::default();
        let mut overrides = Vec::new();
        for (i, row) in self.overrides.iter().enumerate() {
            if given(&row.target).is_none() && given(&row.rate).is_none() {
                continue;
            }
            let target = Some(row.target.clone());
            let (sku, category) = match row.kind.as_str() {
                "category" => (None, target),
                "sku" => (target, None),
                _ => {
                    errors.add(&override_ids(i)[0], "must be a product SKU or a category");
                    continue;
                }
            };
            rows.overrides.push(i);
            overrides.push(OverrideInput {
                sku,
                category,
                rate: row.rate.trim().to_owned(),
            });
        }
        let mut tiers = Vec::new();
        for (i, row) in self.tiers.iter().enumerate() {
            if given(&row.from_amount).is_none() && given(&row.rate).is_none() {
                continue;
            }
            let [amount_id, _] = tier_ids(i);
            if given(&row.from_amount).is_none() {
                errors.add(&amount_id, "is required");
                continue;
            }
            let Some(from_amount) = money(errors, &amount_id, &row.from_amount) else {
                continue;
            };
            rows.tiers.push(i);
            tiers.push(TierInput {
                from_amount,
                rate: row.rate.trim().to_owned(),
            });
        }
        let mut rewards = Vec::new();
        for (i, row) in self.rewards.iter().enumerate() {
            if [&row.every, &row.sku, &row.description]
                .iter()
                .all(|t| given(t).is_none())
            {
                continue;
            }
            let [kind_id, every_id, _, _] = reward_ids(i);
            let (every_orders, every_amount) = match (row.kind.as_str(), given(&row.every)) {
                (_, None) => {
                    errors.add(&every_id, "is required");
                    (None, None)
                }
                ("orders", Some(text)) => match text.parse::<i64>() {
                    Ok(n) => (Some(n), None),
                    Err(_) => {
                        errors.add(&every_id, "must be a whole number of orders");
                        continue;
                    }
                },
                ("amount", Some(text)) => match money(errors, &every_id, text) {
                    Some(amount) => (None, Some(amount)),
                    None => continue,
                },
                _ => {
                    errors.add(&kind_id, "must be orders or sales");
                    continue;
                }
            };
            rows.rewards.push(i);
            rewards.push(RewardInput {
                every_orders,
                every_amount,
                sku: row.sku.clone(),
                description: row.description.clone(),
            });
        }
        if given(&self.hold_days).is_none() {
            errors.add("hold_days", "is required (0 for no hold)");
        }
        let hold_days = whole(errors, "hold_days", &self.hold_days, "days");
        let customer_discount = match self.discount_type.as_str() {
            "none" | "" => None,
            kind => Some(DiscountInput {
                kind: kind.to_owned(),
                value: (kind == "percent")
                    .then(|| self.discount_value.trim().to_owned())
                    .filter(|v| !v.is_empty()),
                amount: discount_amount,
            }),
        };
        let terms = TermsInput {
            commission: Some(CommissionInput {
                kind: self.commission_type.clone(),
                rate: percent.then(|| self.rate.trim().to_owned()).filter(|r| !r.is_empty()),
                amount,
                overrides: Some(overrides),
                tiers: Some(tiers),
                max_per_order,
            }),
            customer_discount: Some(customer_discount),
            hold_days,
            rewards: Some(rewards),
            min_payout,
            attribution: given(&self.attribution).map(str::to_owned),
            click_window_days: whole(errors, "click_window_days", &self.click_window_days, "days"),
            customer_binding_days: whole(errors, "customer_binding_days", &self.customer_binding_days, "days"),
            override_rate: Some(given(&self.override_rate).map(str::to_owned)),
            fraud_review: Some(FraudInput {
                repeat_orders: whole(
                    errors,
                    "fraud_review.repeat_orders",
                    &self.fraud_repeat_orders,
                    "orders",
                ),
                repeat_hours: whole(errors, "fraud_review.repeat_hours", &self.fraud_repeat_hours, "hours"),
                max_refund_rate: given(&self.fraud_max_refund_rate).map(str::to_owned),
                min_click_seconds: whole(
                    errors,
                    "fraud_review.min_click_seconds",
                    &self.fraud_min_click_seconds,
                    "seconds",
                ),
            }),
        };
        (terms, rows)
    }
}

/// A whole number of `unit`, `None` when blank (the API's default) or not a number
/// (reported); the API checks its bounds.
fn whole(errors: &mut FieldErrors, field: &str, text: &str, unit: &str) -> Option<i64> {
    let text = given(text)?;
    text.parse::<i64>()
        .map_err(|_| errors.add(field, format!("must be a whole number of {unit}")))
        .ok()
}

#[cfg(test)]
mod tests;
