//! The row forms of the console as the templates draw them (the program form, and the
//! offer form of [`super::deal_new`] uses its cells): each input with its id, the value
//! typed and the message beside it, each `<select>` with its choices, and the rows.

use super::programs_form::{self, OVERRIDES, ProgramForm, REWARDS, TIERS, override_ids, reward_ids, tier_ids};
use crate::web::form::FieldErrors;
pub use crate::web::form::{Cell, cell};

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One `<select>`.
pub struct Select {
    pub id: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

pub struct OverrideView {
    pub kind: Select,
    pub target: Cell,
    pub rate: Cell,
}

pub struct TierView {
    pub from_amount: Cell,
    pub rate: Cell,
}

pub struct RewardView {
    pub kind: Select,
    pub every: Cell,
    pub sku: Cell,
    pub description: Cell,
}

/// A problem of the form, for the list above it: the input it belongs to (a link)
/// and what is wrong.
pub struct Problem {
    pub id: String,
    pub text: String,
}

pub struct FormView {
    pub name: Cell,
    pub currency: Cell,
    pub commission_type: Select,
    pub rate: Cell,
    pub amount: Cell,
    pub max_per_order: Cell,
    pub overrides: Vec<OverrideView>,
    pub overrides_error: Option<String>,
    pub tiers: Vec<TierView>,
    pub tiers_error: Option<String>,
    pub discount_type: Select,
    pub discount_value: Cell,
    pub discount_amount: Cell,
    pub hold_days: Cell,
    pub min_payout: Cell,
    pub attribution: Select,
    pub click_window_days: Cell,
    pub customer_binding_days: Cell,
    pub override_rate: Cell,
    pub fraud_repeat_orders: Cell,
    pub fraud_repeat_hours: Cell,
    pub fraud_max_refund_rate: Cell,
    pub fraud_min_click_seconds: Cell,
    pub rewards: Vec<RewardView>,
    pub rewards_error: Option<String>,
    pub version: String,
    pub problems: Vec<Problem>,
}

const COMMISSION_TYPES: [(&str, &str); 2] = [
    ("percent", "A share of each sale (%)"),
    ("flat", "A fixed amount per order"),
];
const TARGETS: [(&str, &str); 2] = [("sku", "Product SKU"), ("category", "Category")];
const DISCOUNTS: [(&str, &str); 3] = [
    ("none", "No discount"),
    ("percent", "A share off (%)"),
    ("fixed", "A fixed amount off"),
];
const TRIGGERS: [(&str, &str); 2] = [("orders", "orders"), ("amount", "in sales")];
const ATTRIBUTIONS: [(&str, &str); 2] = [
    ("code_first", "The code typed at checkout wins"),
    ("link_first", "The referral link clicked wins"),
];

pub(super) fn select(errors: &FieldErrors, id: &str, choices: &[(&'static str, &'static str)], value: &str) -> Select {
    Select {
        id: id.to_owned(),
        choices: choices
            .iter()
            .map(|&(v, label)| Choice {
                value: v,
                label,
                selected: v == value,
            })
            .collect(),
        error: errors.get(id).map(str::to_owned),
    }
}

/// Every problem of a refused form, each named by what a person calls its input.
pub(super) fn problems(errors: &FieldErrors, label: impl Fn(&str) -> String) -> Vec<Problem> {
    errors
        .iter()
        .map(|(id, message)| Problem {
            id: id.to_owned(),
            text: format!("{}: {message}", label(id)),
        })
        .collect()
}

impl FormView {
    pub fn new(form: &ProgramForm, errors: &FieldErrors) -> Self {
        let overrides = form
            .overrides
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let [kind, target, rate] = override_ids(i);
                OverrideView {
                    kind: select(errors, &kind, &TARGETS, &row.kind),
                    target: cell(errors, &target, &row.target),
                    rate: cell(errors, &rate, &row.rate),
                }
            })
            .collect();
        let tiers = form
            .tiers
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let [from_amount, rate] = tier_ids(i);
                TierView {
                    from_amount: cell(errors, &from_amount, &row.from_amount),
                    rate: cell(errors, &rate, &row.rate),
                }
            })
            .collect();
        let rewards = form
            .rewards
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let [kind, every, sku, description] = reward_ids(i);
                RewardView {
                    kind: select(errors, &kind, &TRIGGERS, &row.kind),
                    every: cell(errors, &every, &row.every),
                    sku: cell(errors, &sku, &row.sku),
                    description: cell(errors, &description, &row.description),
                }
            })
            .collect();
        Self {
            name: cell(errors, "name", &form.name),
            currency: cell(errors, "currency", &form.currency),
            commission_type: select(errors, "commission.type", &COMMISSION_TYPES, &form.commission_type),
            rate: cell(errors, "commission.rate", &form.rate),
            amount: cell(errors, "commission.amount", &form.amount),
            max_per_order: cell(errors, "commission.max_per_order", &form.max_per_order),
            overrides,
            overrides_error: errors.get(OVERRIDES).map(str::to_owned),
            tiers,
            tiers_error: errors.get(TIERS).map(str::to_owned),
            discount_type: select(errors, "customer_discount.type", &DISCOUNTS, &form.discount_type),
            discount_value: cell(errors, "customer_discount.value", &form.discount_value),
            discount_amount: cell(errors, "customer_discount.amount", &form.discount_amount),
            hold_days: cell(errors, "hold_days", &form.hold_days),
            min_payout: cell(errors, "min_payout", &form.min_payout),
            attribution: select(errors, "attribution", &ATTRIBUTIONS, &form.attribution),
            click_window_days: cell(errors, "click_window_days", &form.click_window_days),
            customer_binding_days: cell(errors, "customer_binding_days", &form.customer_binding_days),
            override_rate: cell(errors, "override_rate", &form.override_rate),
            fraud_repeat_orders: cell(errors, "fraud_review.repeat_orders", &form.fraud_repeat_orders),
            fraud_repeat_hours: cell(errors, "fraud_review.repeat_hours", &form.fraud_repeat_hours),
            fraud_max_refund_rate: cell(errors, "fraud_review.max_refund_rate", &form.fraud_max_refund_rate),
            fraud_min_click_seconds: cell(errors, "fraud_review.min_click_seconds", &form.fraud_min_click_seconds),
            rewards,
            rewards_error: errors.get(REWARDS).map(str::to_owned),
            version: form.version.clone(),
            problems: problems(errors, programs_form::label),
        }
    }
}
