//! Program terms: the validated [`Terms`] every order is computed with, and the rules
//! that read them (which rate a line earns). The document clients send lives in `input`,
//! its validation in `fields` and `validate`, the canonical stored form in `stored`.

use rust_decimal::Decimal;

use super::Currency;

mod fields;
pub mod fraud;
mod input;
mod stored;
#[cfg(test)]
mod tests;
mod validate;
mod words;

pub use fields::parse_rate;
pub use fraud::{FraudInput, FraudRules};
pub use input::{CommissionInput, DiscountInput, OverrideInput, RewardInput, TermsInput, TierInput};
pub use words::percent;

pub const DEFAULT_HOLD_DAYS: u32 = 30;
pub const MAX_HOLD_DAYS: u32 = 365;
/// How long a referral click counts, as Rewardful's and Tapfiliate's cookie lifetime.
pub const DEFAULT_CLICK_WINDOW_DAYS: u32 = 30;
pub const MAX_CLICK_WINDOW_DAYS: u32 = 365;
/// The longest customer binding: ten years, which is "for the customer's lifetime" in
/// practice without a value that never ends.
pub const MAX_CUSTOMER_BINDING_DAYS: u32 = 3650;
pub const MAX_OVERRIDES: usize = 100;
pub const MAX_TIERS: usize = 20;
pub const MAX_REWARDS: usize = 20;
pub const MAX_RATE_DECIMAL_PLACES: u32 = 4;
const MAX_EVERY_ORDERS: i64 = 1_000_000;
/// The smallest `every_amount` a brand may set: 100 minor units ($1, ¥100). Three-digit
/// currencies need one major unit ([`Terms::currency_errors`]).
pub const MIN_EVERY_AMOUNT: i64 = 100;

/// The smallest `every_amount` in `currency`: the larger of [`MIN_EVERY_AMOUNT`] and one
/// major unit.
pub fn min_every_amount(currency: Currency) -> i64 {
    10i64
        .checked_pow(currency.exponent())
        .map_or(MIN_EVERY_AMOUNT, |unit| unit.max(MIN_EVERY_AMOUNT))
}
const MAX_TARGET_CHARS: usize = 64;
const MAX_REWARD_SKU_CHARS: usize = 64;
const MAX_DESCRIPTION_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub commission: Commission,
    pub customer_discount: Option<CustomerDiscount>,
    pub hold_days: u32,
    pub rewards: Vec<RewardRule>,
    pub min_payout: i64,
    pub attribution: AttributionRule,
    /// A referral click attributes orders placed within this many days of it (1–365).
    pub click_window_days: u32,
    /// A customer whose order was attributed by code or link stays with that ambassador
    /// for this many days from that order (0 = off): see `service::attribution`.
    pub customer_binding_days: u32,
    /// When an attributed order's commission is held for the brand's review.
    pub fraud_review: FraudRules,
    /// Two tiers: the share (percent) of each recruit's commission their recruiter
    /// earns as an `override` entry; `None` when the program pays none
    /// (`service::recruits`).
    pub override_rate: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commission {
    pub basis: CommissionBasis,
    /// Empty for [`CommissionBasis::Flat`].
    pub overrides: Vec<RateOverride>,
    /// Strictly ascending by `from_amount`; empty for [`CommissionBasis::Flat`].
    pub tiers: Vec<Tier>,
    pub max_per_order: Option<i64>,
}

/// Rates are percentages (`12.5` = 12.5 %), 0–100 with at most four decimal places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommissionBasis {
    Percent { rate: Decimal },
    Flat { amount: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateOverride {
    pub target: OverrideTarget,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OverrideTarget {
    Sku(String),
    Category(String),
}

/// From `from_amount` of attributed net sales this calendar month, `rate` applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub from_amount: i64,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerDiscount {
    Percent { value: Decimal },
    Fixed { amount: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardRule {
    pub trigger: RewardTrigger,
    pub sku: String,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardTrigger {
    EveryOrders(u32),
    EveryAmount(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AttributionRule {
    /// The code typed at checkout wins over the link clicked, as on Shopify programs.
    #[default]
    CodeFirst,
    LinkFirst,
}

impl AttributionRule {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::CodeFirst => "code_first",
            Self::LinkFirst => "link_first",
        }
    }
}

impl Commission {
    /// The percentage rate for one line, or `None` for a flat commission.
    ///
    /// Precedence (our decision): an override for the line's SKU, then an override for
    /// its category, then the volume tier with the greatest `from_amount` not above
    /// `month_to_date_net` (the ambassador's attributed net this month *before* this
    /// order, so an order takes the rate of the tier it starts in), then the base rate.
    /// Overrides beat tiers because an override is the brand's statement about one
    /// product's margin ("electronics earn 3 %"), which volume should not undo.
    pub fn rate_for(&self, sku: &str, category: Option<&str>, month_to_date_net: i64) -> Option<Decimal> {
        let CommissionBasis::Percent { rate: base } = self.basis else {
            return None;
        };
        let by_target = |wanted: &OverrideTarget| self.overrides.iter().find(|o| &o.target == wanted);
        let sku_override = by_target(&OverrideTarget::Sku(sku.to_owned()));
        let category_override = category.and_then(|c| by_target(&OverrideTarget::Category(c.to_owned())));
        if let Some(o) = sku_override.or(category_override) {
            return Some(o.rate);
        }
        Some(self.tier_for(month_to_date_net).map_or(base, |t| t.rate))
    }

    /// The volume tier an order starts in: the one with the greatest `from_amount` not
    /// above `month_to_date_net`; `None` below the first tier or without tiers.
    pub fn tier_for(&self, month_to_date_net: i64) -> Option<&Tier> {
        self.tiers
            .iter()
            .filter(|t| t.from_amount <= month_to_date_net)
            .max_by_key(|t| t.from_amount)
    }
}
