//! The canonical terms document stored with every terms version: writing it
//! ([`Terms::to_input`], `Serialize`), reading it back ([`Terms::from_stored`]) and
//! applying a patch to it ([`Terms::patched`]).

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::fields::Origin;
use super::input::{CommissionInput, DiscountInput, OverrideInput, RewardInput, TermsInput, TierInput};
use super::{
    Commission, CommissionBasis, CustomerDiscount, OverrideTarget, RateOverride, RewardRule, RewardTrigger, Terms, Tier,
};

/// The canonical text of a rate: normalised, so 12.50 is "12.5" and 100.0 is "100".
fn rate_text(rate: Decimal) -> String {
    rate.normalize().to_string()
}

/// Replaces every control character in the document's strings with a space.
fn blank_control_characters(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) if text.chars().any(char::is_control) => {
            *text = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        }
        Value::Array(items) => items.iter_mut().for_each(blank_control_characters),
        Value::Object(fields) => fields.values_mut().for_each(blank_control_characters),
        _ => {}
    }
}

impl Terms {
    /// The canonical document: every top-level key present, defaults written out,
    /// rates normalised ("12.5"), `customer_discount: null` when there is none.
    /// `t.to_input().validate() == Ok(t)` for every valid `t`.
    pub fn to_input(&self) -> TermsInput {
        TermsInput {
            commission: Some(self.commission.to_input()),
            customer_discount: Some(self.customer_discount.as_ref().map(CustomerDiscount::to_input)),
            hold_days: Some(i64::from(self.hold_days)),
            rewards: Some(self.rewards.iter().map(RewardRule::to_input).collect()),
            min_payout: Some(self.min_payout),
            attribution: Some(self.attribution.as_str().to_owned()),
            click_window_days: Some(i64::from(self.click_window_days)),
            customer_binding_days: Some(i64::from(self.customer_binding_days)),
            fraud_review: Some(self.fraud_review.to_input()),
            override_rate: Some(self.override_rate.map(rate_text)),
        }
    }

    /// Reads a stored terms document back, validating it again so a row edited by
    /// hand cannot smuggle invalid terms into commission maths.
    pub fn from_stored(json: &str) -> Result<Terms, String> {
        let mut document: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("stored terms are not valid JSON: {e}"))?;
        // Terms written before text fields refused control characters may hold some (a
        // multi-line reward description); read each as a space rather than refuse them,
        // which would stop every checkout of the program.
        blank_control_characters(&mut document);
        let input: TermsInput =
            serde_json::from_value(document).map_err(|e| format!("stored terms are not valid JSON: {e}"))?;
        input.validate_from(Origin::Stored).map_err(|errors| {
            let details: Vec<String> = errors.iter().map(|(field, msg)| format!("{field}: {msg}")).collect();
            format!("stored terms are invalid: {}", details.join("; "))
        })
    }
}

impl Terms {
    /// These terms with `patch` applied ([`TermsInput::merge`]). The keys the patch
    /// gives are held to the whole input rule; the keys it keeps are read as stored, so
    /// a program whose text predates the invisible-character rule can still change its
    /// other terms (and is told which field to fix only when it sends that field).
    pub fn patched(&self, patch: TermsInput) -> Result<Terms, Vec<(String, String)>> {
        let given = [
            ("commission", patch.commission.is_some()),
            ("customer_discount", patch.customer_discount.is_some()),
            ("hold_days", patch.hold_days.is_some()),
            ("rewards", patch.rewards.is_some()),
            ("min_payout", patch.min_payout.is_some()),
            ("attribution", patch.attribution.is_some()),
            ("click_window_days", patch.click_window_days.is_some()),
            ("customer_binding_days", patch.customer_binding_days.is_some()),
            ("fraud_review", patch.fraud_review.is_some()),
            ("override_rate", patch.override_rate.is_some()),
        ];
        let merged = self.to_input().merge(patch);
        let terms = merged.clone().validate_from(Origin::Stored)?;
        // Input is the stricter reading: what it adds are text errors, reported only
        // under the keys this patch sends.
        let errors: Vec<(String, String)> = match merged.validate_from(Origin::Input) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .filter(|(path, _)| {
                    let key = path.split(['.', '[']).next().unwrap_or_default();
                    given.iter().any(|&(name, sent)| sent && name == key)
                })
                .collect(),
        };
        if errors.is_empty() { Ok(terms) } else { Err(errors) }
    }
}

impl Serialize for Terms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_input().serialize(serializer)
    }
}

impl Commission {
    fn to_input(&self) -> CommissionInput {
        let overrides: Vec<OverrideInput> = self.overrides.iter().map(RateOverride::to_input).collect();
        let tiers: Vec<TierInput> = self.tiers.iter().map(Tier::to_input).collect();
        match &self.basis {
            CommissionBasis::Percent { rate } => CommissionInput {
                kind: "percent".into(),
                rate: Some(rate_text(*rate)),
                amount: None,
                overrides: Some(overrides),
                tiers: Some(tiers),
                max_per_order: self.max_per_order,
            },
            // A flat commission has neither; keep non-empty lists so an invalid value
            // fails validation instead of losing data silently.
            CommissionBasis::Flat { amount } => CommissionInput {
                kind: "flat".into(),
                rate: None,
                amount: Some(*amount),
                overrides: Some(overrides).filter(|o| !o.is_empty()),
                tiers: Some(tiers).filter(|t| !t.is_empty()),
                max_per_order: self.max_per_order,
            },
        }
    }
}

impl RateOverride {
    fn to_input(&self) -> OverrideInput {
        let (sku, category) = match &self.target {
            OverrideTarget::Sku(sku) => (Some(sku.clone()), None),
            OverrideTarget::Category(category) => (None, Some(category.clone())),
        };
        OverrideInput {
            sku,
            category,
            rate: rate_text(self.rate),
        }
    }
}

impl Tier {
    fn to_input(&self) -> TierInput {
        TierInput {
            from_amount: self.from_amount,
            rate: rate_text(self.rate),
        }
    }
}

impl CustomerDiscount {
    fn to_input(&self) -> DiscountInput {
        match self {
            Self::Percent { value } => DiscountInput {
                kind: "percent".into(),
                value: Some(rate_text(*value)),
                amount: None,
            },
            Self::Fixed { amount } => DiscountInput {
                kind: "fixed".into(),
                value: None,
                amount: Some(*amount),
            },
        }
    }
}

impl RewardRule {
    fn to_input(&self) -> RewardInput {
        let (every_orders, every_amount) = match self.trigger {
            RewardTrigger::EveryOrders(n) => (Some(i64::from(n)), None),
            RewardTrigger::EveryAmount(amount) => (None, Some(amount)),
        };
        RewardInput {
            every_orders,
            every_amount,
            sku: self.sku.clone(),
            description: self.description.clone(),
        }
    }
}
