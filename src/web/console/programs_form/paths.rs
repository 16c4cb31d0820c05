//! Where the terms parser's messages go: its field paths (`rewards[1].every_orders`)
//! mapped to the form's inputs (`rewards[3].every`), and what a person calls each input.

use super::{OVERRIDES, REWARDS, Rows, TIERS, row_id};
use crate::web::form::{FieldErrors, split_row};

impl Rows {
    /// The form input that shows the terms parser's message for `path`.
    pub fn input_of(&self, path: &str) -> String {
        let Some((list, index, field)) = split_row(path) else {
            return path.to_owned();
        };
        let (rows, field) = match list {
            OVERRIDES => (&self.overrides, if field == "rate" { "rate" } else { "target" }),
            TIERS => (&self.tiers, if field == "rate" { "rate" } else { "from_amount" }),
            REWARDS => (
                &self.rewards,
                match field {
                    "sku" | "description" => field,
                    _ => "every",
                },
            ),
            _ => return path.to_owned(),
        };
        match rows.get(index) {
            Some(row) => row_id(list, *row, field),
            None => list.to_owned(),
        }
    }

    /// Keeps each `(path, message)` of the terms parser under its input.
    pub fn show(&self, found: Vec<(String, String)>, errors: &mut FieldErrors) {
        for (path, message) in found {
            errors.add(&self.input_of(&path), message);
        }
    }
}

/// What a person calls an input, for the list of problems above the form.
pub fn label(id: &str) -> String {
    if let Some((list, index, field)) = split_row(id) {
        let what = match list {
            OVERRIDES => "Rate by product or category",
            TIERS => "Volume tier",
            _ => "Free item",
        };
        let field = match field {
            "target" => "SKU or category",
            "from_amount" => "from",
            "every" => "every",
            other => other,
        };
        return format!("{what} {}: {field}", index + 1);
    }
    match id {
        "name" => "Name",
        "currency" => "Currency",
        "commission.type" => "Commission type",
        "commission.rate" => "Commission rate",
        "commission.amount" => "Commission per order",
        "commission.max_per_order" => "Most commission per order",
        OVERRIDES => "Rates by product or category",
        TIERS => "Volume tiers",
        REWARDS => "Free items",
        "customer_discount.type" => "Customer discount",
        "customer_discount.value" => "Discount rate",
        "customer_discount.amount" => "Discount amount",
        "hold_days" => "Hold",
        "min_payout" => "Minimum payout",
        "attribution" => "When a code and a link disagree",
        "click_window_days" => "Link click counts",
        "customer_binding_days" => "Returning customers",
        "override_rate" => "Recruiter's share",
        "fraud_review.repeat_orders" => "Repeat orders held",
        "fraud_review.repeat_hours" => "Repeat window",
        "fraud_review.max_refund_rate" => "Refund rate held above",
        "fraud_review.min_click_seconds" => "Seconds after a click",
        other => other,
    }
    .to_owned()
}
