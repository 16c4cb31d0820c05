//! What clients send: the terms document ([`TermsInput`]) as JSON, before validation,
//! and how a patch is merged into it.

use serde::{Deserialize, Deserializer, Serialize};

use super::FraudInput;

/// The terms document as a client sends it. Every top-level key is optional so the
/// same type serves as a full document and as a patch ([`TermsInput::merge`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TermsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission: Option<CommissionInput>,
    /// Absent = not given (a patch keeps the old value); `null` = no discount.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_discount: Option<Option<DiscountInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewards: Option<Vec<RewardInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_payout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_window_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_binding_days: Option<i64>,
    #[serde(
        default,
        deserialize_with = "super::fraud::object_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub fraud_review: Option<FraudInput>,
    /// The recruiter's share of each recruit's commission, in percent. Absent = not
    /// given; `null` = no override (a program without two tiers).
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub override_rate: Option<Option<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CommissionInput {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Vec<OverrideInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<TierInput>>,
    /// Serialised as `null` when there is no cap, so the stored document says so.
    #[serde(default)]
    pub max_per_order: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub rate: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    pub from_amount: i64,
    pub rate: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DiscountInput {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RewardInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_orders: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_amount: Option<i64>,
    pub sku: String,
    pub description: String,
}

/// Called only when the key is present (absent keys take `default`, i.e. `None`), so a
/// present key always yields `Some`: `Some(None)` for `null`, `Some(Some(_))` otherwise.
fn present_or_null<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl TermsInput {
    /// Applies a patch: every top-level key present in `patch` replaces the one here
    /// (whole values, not deep merges; `customer_discount: null` clears the discount).
    pub fn merge(self, patch: TermsInput) -> TermsInput {
        TermsInput {
            commission: patch.commission.or(self.commission),
            customer_discount: patch.customer_discount.or(self.customer_discount),
            hold_days: patch.hold_days.or(self.hold_days),
            rewards: patch.rewards.or(self.rewards),
            min_payout: patch.min_payout.or(self.min_payout),
            attribution: patch.attribution.or(self.attribution),
            click_window_days: patch.click_window_days.or(self.click_window_days),
            customer_binding_days: patch.customer_binding_days.or(self.customer_binding_days),
            fraud_review: patch.fraud_review.or(self.fraud_review),
            override_rate: patch.override_rate.or(self.override_rate),
        }
    }
}
