//! Program terms: the JSON document brands send ([`TermsInput`]), its validation into
//! [`Terms`], and the canonical document stored with every terms version.

use rust_decimal::Decimal;

use super::Currency;
use super::money::bounded_amount;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::text::{Lines, refuse_invisible};

// ---------------------------------------------------------------------------------
// What clients send
// ---------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------
// Validated terms
// ---------------------------------------------------------------------------------

pub const DEFAULT_HOLD_DAYS: u32 = 30;
pub const MAX_HOLD_DAYS: u32 = 365;
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
        let tier = self
            .tiers
            .iter()
            .filter(|t| t.from_amount <= month_to_date_net)
            .max_by_key(|t| t.from_amount);
        Some(tier.map_or(base, |t| t.rate))
    }
}

// ---------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------

/// Field errors collected while validating: (path, message).
type FieldErrors = Vec<(String, String)>;

/// A rate or percentage value: a plain decimal string ("12.5"), 0–100, at most four
/// decimal places once trailing zeros are dropped ("12.50000" is 12.5). No sign, no
/// exponent, no surrounding space: JSON numbers are refused by serde already, and a
/// rate that reads differently in different parsers has no place in a contract.
pub fn parse_rate(input: &str) -> Result<Decimal, String> {
    const FORM: &str = "must be a decimal string such as \"12.5\"";
    let (whole, fraction) = match input.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (input, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return Err(FORM.into());
    }
    if whole.trim_start_matches('0').len() > 3 {
        return Err("must be between 0 and 100".into());
    }
    let value = Decimal::from_str_exact(input).map_err(|_| FORM.to_owned())?.normalize();
    if value > Decimal::ONE_HUNDRED {
        return Err("must be between 0 and 100".into());
    }
    if value.scale() > MAX_RATE_DECIMAL_PLACES {
        return Err(format!("must have at most {MAX_RATE_DECIMAL_PLACES} decimal places"));
    }
    Ok(value)
}

/// The canonical text of a rate: normalised, so 12.50 is "12.5" and 100.0 is "100".
fn rate_text(rate: Decimal) -> String {
    rate.normalize().to_string()
}

/// Where a terms document comes from, which decides the text rule it is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A client's document: today's whole rule.
    Input,
    /// A stored document, read as it was accepted: terms saved before text refused
    /// invisible and bidi characters still load, or the program could take no order.
    Stored,
}

/// Trimmed, 1 to `max` characters, free of control characters (reward text is copied
/// into `rewards` rows, and PostgreSQL refuses a NUL in text) and, in input, of
/// invisible and bidi characters (reward text is shown to ambassadors and staff).
fn parse_text(input: &str, max: usize, origin: Origin) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if origin == Origin::Input {
        refuse_invisible(value, Lines::One)?;
    }
    Ok(value.to_owned())
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

/// Amount bounds: a client's document is held to today's bounds; a stored one only to
/// what was ever accepted, so a program saved before a bound was tightened still reads
/// (and keeps computing commissions) until the brand edits it.
impl Origin {
    /// An amount of money in the terms (flat commission, cap, tier, fixed discount,
    /// minimum payout, reward threshold): 0 to [`super::money::MAX_AMOUNT`] in a request.
    fn amount(self, value: i64) -> Result<i64, String> {
        match self {
            Origin::Input => bounded_amount(value),
            Origin::Stored if value < 0 => Err("must be at least 0".into()),
            Origin::Stored => Ok(value),
        }
    }

    /// `every_amount` of a reward rule: at least [`MIN_EVERY_AMOUNT`] in a request, so
    /// one order cannot earn a reward per cent; at least 1 when stored.
    fn every_amount(self, value: i64) -> Result<i64, String> {
        let floor = match self {
            Origin::Input => MIN_EVERY_AMOUNT,
            Origin::Stored => 1,
        };
        if value < floor {
            return Err(format!("must be at least {floor} minor units"));
        }
        self.amount(value)
    }
}

/// Runs `check` and records its error under `path`; `None` when it failed.
fn check<T>(errors: &mut FieldErrors, path: impl Into<String>, result: Result<T, String>) -> Option<T> {
    result.map_err(|message| errors.push((path.into(), message))).ok()
}

fn error(errors: &mut FieldErrors, path: impl Into<String>, message: impl Into<String>) {
    errors.push((path.into(), message.into()));
}

impl TermsInput {
    /// Validates the whole document as a request, reporting every problem with its
    /// field path.
    pub fn validate(self) -> Result<Terms, Vec<(String, String)>> {
        self.validate_from(Origin::Input)
    }

    fn validate_from(self, origin: Origin) -> Result<Terms, Vec<(String, String)>> {
        let mut errors = FieldErrors::new();

        let commission = match self.commission {
            Some(commission) => validate_commission(commission, origin, &mut errors),
            None => {
                error(&mut errors, "commission", "is required");
                None
            }
        };

        let customer_discount = match self.customer_discount.flatten() {
            Some(discount) => validate_discount(discount, origin, &mut errors).map(Some),
            None => Some(None),
        };

        let hold_days = match self.hold_days {
            None => Some(DEFAULT_HOLD_DAYS),
            Some(days) => check(
                &mut errors,
                "hold_days",
                u32::try_from(days)
                    .ok()
                    .filter(|d| *d <= MAX_HOLD_DAYS)
                    .ok_or_else(|| format!("must be between 0 and {MAX_HOLD_DAYS}")),
            ),
        };

        let rewards = validate_rewards(self.rewards.unwrap_or_default(), origin, &mut errors);

        let min_payout = check(&mut errors, "min_payout", origin.amount(self.min_payout.unwrap_or(0)));

        let attribution = match self.attribution.as_deref() {
            None | Some("code_first") => Some(AttributionRule::CodeFirst),
            Some("link_first") => Some(AttributionRule::LinkFirst),
            Some(_) => {
                error(&mut errors, "attribution", "must be one of: code_first, link_first");
                None
            }
        };

        match (
            commission,
            customer_discount,
            hold_days,
            rewards,
            min_payout,
            attribution,
        ) {
            (
                Some(commission),
                Some(customer_discount),
                Some(hold_days),
                Some(rewards),
                Some(min_payout),
                Some(attribution),
            ) if errors.is_empty() => Ok(Terms {
                commission,
                customer_discount,
                hold_days,
                rewards,
                min_payout,
                attribution,
            }),
            _ => Err(errors),
        }
    }

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
        }
    }
}

fn validate_commission(input: CommissionInput, origin: Origin, errors: &mut FieldErrors) -> Option<Commission> {
    let before = errors.len();
    let rate = input
        .rate
        .as_deref()
        .and_then(|r| check(errors, "commission.rate", parse_rate(r)));
    let amount = input
        .amount
        .and_then(|a| check(errors, "commission.amount", origin.amount(a)));

    let basis = match input.kind.as_str() {
        "percent" => {
            if input.amount.is_some() {
                error(errors, "commission.amount", "must not be set for type percent");
            }
            if input.rate.is_none() {
                error(errors, "commission.rate", "is required for type percent");
            }
            rate.map(|rate| CommissionBasis::Percent { rate })
        }
        "flat" => {
            if input.rate.is_some() {
                error(errors, "commission.rate", "must not be set for type flat");
            }
            if input.amount.is_none() {
                error(errors, "commission.amount", "is required for type flat");
            }
            if input.overrides.as_ref().is_some_and(|o| !o.is_empty()) {
                error(errors, "commission.overrides", "are not allowed for type flat");
            }
            if input.tiers.as_ref().is_some_and(|t| !t.is_empty()) {
                error(errors, "commission.tiers", "are not allowed for type flat");
            }
            amount.map(|amount| CommissionBasis::Flat { amount })
        }
        _ => {
            error(errors, "commission.type", "must be one of: percent, flat");
            None
        }
    };

    let overrides = validate_overrides(input.overrides.unwrap_or_default(), origin, errors);
    let tiers = validate_tiers(input.tiers.unwrap_or_default(), origin, errors);
    let max_per_order = match input.max_per_order {
        None => Some(None),
        Some(max) => check(errors, "commission.max_per_order", origin.amount(max)).map(Some),
    };

    match (basis, max_per_order) {
        (Some(basis), Some(max_per_order)) if errors.len() == before => Some(Commission {
            basis,
            overrides,
            tiers,
            max_per_order,
        }),
        _ => None,
    }
}

fn validate_overrides(inputs: Vec<OverrideInput>, origin: Origin, errors: &mut FieldErrors) -> Vec<RateOverride> {
    if inputs.len() > MAX_OVERRIDES {
        error(
            errors,
            "commission.overrides",
            format!("must have at most {MAX_OVERRIDES} entries"),
        );
    }
    let mut overrides: Vec<RateOverride> = Vec::with_capacity(inputs.len());
    // Every target seen so far, valid rate or not, so a duplicate is reported even
    // when the entry it duplicates has an error of its own.
    let mut seen: Vec<OverrideTarget> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let path = format!("commission.overrides[{i}]");
        let target = match (input.sku.as_deref(), input.category.as_deref()) {
            (Some(sku), None) => check(errors, format!("{path}.sku"), parse_text(sku, MAX_TARGET_CHARS, origin))
                .map(OverrideTarget::Sku)
                .map(|t| (t, "sku")),
            (None, Some(category)) => check(
                errors,
                format!("{path}.category"),
                parse_text(category, MAX_TARGET_CHARS, origin),
            )
            .map(OverrideTarget::Category)
            .map(|t| (t, "category")),
            _ => {
                error(errors, path.clone(), "must set exactly one of sku, category");
                None
            }
        };
        let rate = check(errors, format!("{path}.rate"), parse_rate(&input.rate));
        let target = target.and_then(|(target, field)| {
            if let Some(j) = seen.iter().position(|t| t == &target) {
                error(errors, format!("{path}.{field}"), format!("duplicates overrides[{j}]"));
                None
            } else {
                seen.push(target.clone());
                Some(target)
            }
        });
        // A failed entry is skipped: its error already makes the document invalid.
        if let (Some(target), Some(rate)) = (target, rate) {
            overrides.push(RateOverride { target, rate });
        }
    }
    overrides
}

fn validate_tiers(inputs: Vec<TierInput>, origin: Origin, errors: &mut FieldErrors) -> Vec<Tier> {
    if inputs.len() > MAX_TIERS {
        error(
            errors,
            "commission.tiers",
            format!("must have at most {MAX_TIERS} entries"),
        );
    }
    let mut tiers = Vec::with_capacity(inputs.len());
    let mut previous: Option<i64> = None;
    for (i, input) in inputs.into_iter().enumerate() {
        let path = format!("commission.tiers[{i}]");
        let from_amount = check(errors, format!("{path}.from_amount"), origin.amount(input.from_amount));
        if let Some(prev) = previous {
            if input.from_amount <= prev {
                error(
                    errors,
                    format!("{path}.from_amount"),
                    format!("must be greater than tiers[{}].from_amount", i - 1),
                );
            }
        }
        previous = Some(input.from_amount);
        let rate = check(errors, format!("{path}.rate"), parse_rate(&input.rate));
        if let (Some(from_amount), Some(rate)) = (from_amount, rate) {
            tiers.push(Tier { from_amount, rate });
        }
    }
    tiers
}

fn validate_discount(input: DiscountInput, origin: Origin, errors: &mut FieldErrors) -> Option<CustomerDiscount> {
    let before = errors.len();
    let value = input
        .value
        .as_deref()
        .and_then(|v| check(errors, "customer_discount.value", parse_rate(v)));
    let amount = input
        .amount
        .and_then(|a| check(errors, "customer_discount.amount", origin.amount(a)));
    let discount = match input.kind.as_str() {
        "percent" => {
            if input.amount.is_some() {
                error(errors, "customer_discount.amount", "must not be set for type percent");
            }
            if input.value.is_none() {
                error(errors, "customer_discount.value", "is required for type percent");
            }
            value.map(|value| CustomerDiscount::Percent { value })
        }
        "fixed" => {
            if input.value.is_some() {
                error(errors, "customer_discount.value", "must not be set for type fixed");
            }
            if input.amount.is_none() {
                error(errors, "customer_discount.amount", "is required for type fixed");
            }
            amount.map(|amount| CustomerDiscount::Fixed { amount })
        }
        _ => {
            error(errors, "customer_discount.type", "must be one of: percent, fixed");
            None
        }
    };
    discount.filter(|_| errors.len() == before)
}

fn validate_rewards(inputs: Vec<RewardInput>, origin: Origin, errors: &mut FieldErrors) -> Option<Vec<RewardRule>> {
    let before = errors.len();
    if inputs.len() > MAX_REWARDS {
        error(errors, "rewards", format!("must have at most {MAX_REWARDS} entries"));
    }
    let mut rewards = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let path = format!("rewards[{i}]");
        let trigger = match (input.every_orders, input.every_amount) {
            (Some(n), None) => check(
                errors,
                format!("{path}.every_orders"),
                u32::try_from(n)
                    .ok()
                    .filter(|n| (1..=MAX_EVERY_ORDERS).contains(&i64::from(*n)))
                    .ok_or_else(|| format!("must be between 1 and {MAX_EVERY_ORDERS}")),
            )
            .map(RewardTrigger::EveryOrders),
            (None, Some(amount)) => check(errors, format!("{path}.every_amount"), origin.every_amount(amount))
                .map(RewardTrigger::EveryAmount),
            _ => {
                error(
                    errors,
                    path.clone(),
                    "must set exactly one of every_orders, every_amount",
                );
                None
            }
        };
        let sku = check(
            errors,
            format!("{path}.sku"),
            parse_text(&input.sku, MAX_REWARD_SKU_CHARS, origin),
        );
        let description = check(
            errors,
            format!("{path}.description"),
            parse_text(&input.description, MAX_DESCRIPTION_CHARS, origin),
        );
        // Grants are counted per reward sku (so editing a rule's threshold never
        // re-grants past orders); one rule per sku keeps those counts apart.
        let sku = sku.filter(|sku| {
            let taken = rewards.iter().any(|r: &RewardRule| &r.sku == sku);
            if taken {
                error(
                    errors,
                    format!("{path}.sku"),
                    "another reward rule already gives this sku",
                );
            }
            !taken
        });
        if let (Some(trigger), Some(sku), Some(description)) = (trigger, sku, description) {
            rewards.push(RewardRule {
                trigger,
                sku,
                description,
            });
        }
    }
    (errors.len() == before).then_some(rewards)
}

// ---------------------------------------------------------------------------------
// The canonical document
// ---------------------------------------------------------------------------------

impl Terms {
    /// The rules that depend on the program's currency, for a request: a reward's
    /// `every_amount` is at least one major unit of a three-digit currency (1.000 KWD)
    /// and at least [`MIN_EVERY_AMOUNT`] minor units everywhere.
    pub fn currency_errors(&self, currency: Currency) -> Vec<(String, String)> {
        let floor = min_every_amount(currency);
        self.rewards
            .iter()
            .enumerate()
            .filter(|(_, rule)| matches!(rule.trigger, RewardTrigger::EveryAmount(x) if x < floor))
            .map(|(i, _)| {
                (
                    format!("rewards[{i}].every_amount"),
                    format!("must be at least {floor} minor units of {}", currency.code()),
                )
            })
            .collect()
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> TermsInput {
        serde_json::from_value(value).unwrap_or_else(|e| panic!("not a terms document: {e}"))
    }

    fn validate(value: serde_json::Value) -> Result<Terms, Vec<(String, String)>> {
        parse(value).validate()
    }

    fn fields(value: serde_json::Value) -> Vec<String> {
        match validate(value) {
            Ok(terms) => panic!("accepted: {terms:?}"),
            Err(errors) => errors.into_iter().map(|(field, _)| field).collect(),
        }
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn minimal_document_takes_defaults() {
        let terms = validate(json!({"commission": {"type": "percent", "rate": "12.50"}}));
        assert_eq!(
            terms,
            Ok(Terms {
                commission: Commission {
                    basis: CommissionBasis::Percent { rate: dec("12.5") },
                    overrides: vec![],
                    tiers: vec![],
                    max_per_order: None,
                },
                customer_discount: None,
                hold_days: 30,
                rewards: vec![],
                min_payout: 0,
                attribution: AttributionRule::CodeFirst,
            })
        );
    }

    #[test]
    fn canonical_document_writes_everything_out() {
        let terms = validate(json!({
            "commission": {"type": "percent", "rate": "12.50", "overrides": [{"sku": " TV-1 ", "rate": "3.0"}]},
            "rewards": [{"every_orders": 5, "sku": "MUG", "description": "A free mug"}],
            "attribution": "link_first"
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let stored = serde_json::to_value(&terms).unwrap_or_default();
        assert_eq!(
            stored,
            json!({
                "commission": {
                    "type": "percent",
                    "rate": "12.5",
                    "overrides": [{"sku": "TV-1", "rate": "3"}],
                    "tiers": [],
                    "max_per_order": null
                },
                "customer_discount": null,
                "hold_days": 30,
                "rewards": [{"every_orders": 5, "sku": "MUG", "description": "A free mug"}],
                "min_payout": 0,
                "attribution": "link_first"
            })
        );
        assert_eq!(Terms::from_stored(&stored.to_string()), Ok(terms));
    }

    #[test]
    fn flat_commission_round_trips_without_rate_lists() {
        let terms = validate(json!({
            "commission": {"type": "flat", "amount": 500, "max_per_order": 500},
            "customer_discount": {"type": "fixed", "amount": 1000},
            "hold_days": 0,
            "min_payout": 5000
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let stored = serde_json::to_value(&terms).unwrap_or_default();
        assert_eq!(
            stored["commission"],
            json!({"type": "flat", "amount": 500, "max_per_order": 500})
        );
        assert_eq!(stored["customer_discount"], json!({"type": "fixed", "amount": 1000}));
        assert_eq!(terms.to_input().validate(), Ok(terms));
    }

    #[test]
    fn json_numbers_and_unknown_fields_are_refused_by_serde() {
        for bad in [
            r#"{"commission": {"type": "percent", "rate": 12.5}}"#,
            r#"{"commission": {"type": "percent", "rate": "12.5", "extra": 1}}"#,
            r#"{"commision": {"type": "percent", "rate": "12.5"}}"#,
            r#"{"hold_days": 1.5}"#,
        ] {
            assert!(serde_json::from_str::<TermsInput>(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn tells_absent_discount_from_null() {
        assert_eq!(parse(json!({})).customer_discount, None);
        assert_eq!(parse(json!({"customer_discount": null})).customer_discount, Some(None));
        assert!(matches!(
            parse(json!({"customer_discount": {"type": "fixed", "amount": 1}})).customer_discount,
            Some(Some(_))
        ));
    }

    #[test]
    fn rates_must_be_plain_decimals_between_0_and_100() {
        for good in ["0", "100", "12.5", "12.50", "0.0001", "100.0000", "007", "99.99990"] {
            assert!(parse_rate(good).is_ok(), "{good} refused");
        }
        for bad in [
            "",
            "NaN",
            "-1",
            "+1",
            "1e2",
            "1E2",
            "101",
            "100.0001",
            "0.00001",
            " 1",
            "1 ",
            ".5",
            "5.",
            "1.2.3",
            "inf",
            "1_0",
            "99999999999999999999999999999999999",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(parse_rate("12.50").map(|r| r.to_string()), Ok("12.5".to_owned()));
    }

    #[test]
    fn collects_every_error_with_its_path() {
        let errors = fields(json!({
            "commission": {
                "type": "percent",
                "rate": "101",
                "overrides": [
                    {"sku": "A", "category": "B", "rate": "1"},
                    {"sku": "X", "rate": "x"},
                    {"sku": "X", "rate": "1"}
                ],
                "tiers": [{"from_amount": 100, "rate": "5"}, {"from_amount": 100, "rate": "6"}],
                "max_per_order": -1
            },
            "customer_discount": {"type": "percent", "value": "1e2"},
            "hold_days": 366,
            "rewards": [{"every_orders": 0, "sku": "", "description": "ok"}],
            "min_payout": -5,
            "attribution": "last_click"
        }));
        assert_eq!(
            errors,
            [
                "commission.rate",
                "commission.overrides[0]",
                "commission.overrides[1].rate",
                "commission.overrides[2].sku",
                "commission.tiers[1].from_amount",
                "commission.max_per_order",
                "customer_discount.value",
                "hold_days",
                "rewards[0].every_orders",
                "rewards[0].sku",
                "min_payout",
                "attribution",
            ]
        );
    }

    #[test]
    fn commission_is_required_and_types_are_named() {
        assert_eq!(fields(json!({})), ["commission"]);
        let errors = validate(json!({
            "commission": {"type": "percentage", "rate": "1"},
            "customer_discount": {"type": "bogo"}
        }))
        .err()
        .unwrap_or_default();
        assert_eq!(
            errors,
            [
                ("commission.type".to_owned(), "must be one of: percent, flat".to_owned()),
                (
                    "customer_discount.type".to_owned(),
                    "must be one of: percent, fixed".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn each_type_takes_exactly_its_own_field() {
        assert_eq!(
            fields(json!({"commission": {"type": "percent", "amount": 5}})),
            ["commission.amount", "commission.rate"]
        );
        assert_eq!(
            fields(
                json!({"commission": {"type": "flat", "rate": "5", "overrides": [{"sku": "A", "rate": "1"}],
                "tiers": [{"from_amount": 0, "rate": "1"}]}})
            ),
            [
                "commission.rate",
                "commission.amount",
                "commission.overrides",
                "commission.tiers"
            ]
        );
        assert_eq!(
            fields(json!({"commission": {"type": "flat", "amount": -1}})),
            ["commission.amount"]
        );
        assert_eq!(
            fields(json!({"commission": {"type": "flat", "amount": 1},
                "customer_discount": {"type": "fixed", "value": "5"}})),
            ["customer_discount.value", "customer_discount.amount"]
        );
        assert_eq!(
            fields(json!({"commission": {"type": "flat", "amount": 1},
                "customer_discount": {"type": "percent", "value": "5", "amount": 1}})),
            ["customer_discount.amount"]
        );
    }

    #[test]
    fn tiers_must_start_at_zero_or_more_and_ascend() {
        assert_eq!(
            fields(json!({"commission": {"type": "percent", "rate": "5", "tiers": [
                {"from_amount": -1, "rate": "5"}, {"from_amount": 10, "rate": "6"}, {"from_amount": 5, "rate": "7"}
            ]}})),
            ["commission.tiers[0].from_amount", "commission.tiers[2].from_amount"]
        );
        let too_many: Vec<_> = (0..21).map(|i| json!({"from_amount": i, "rate": "1"})).collect();
        assert_eq!(
            fields(json!({"commission": {"type": "percent", "rate": "5", "tiers": too_many}})),
            ["commission.tiers"]
        );
    }

    #[test]
    fn overrides_are_bounded_and_unique_per_target() {
        let too_many: Vec<_> = (0..101).map(|i| json!({"sku": format!("S{i}"), "rate": "1"})).collect();
        assert_eq!(
            fields(json!({"commission": {"type": "percent", "rate": "5", "overrides": too_many}})),
            ["commission.overrides"]
        );
        assert_eq!(
            fields(json!({"commission": {"type": "percent", "rate": "5", "overrides": [
                {"category": "  ", "rate": "1"}, {"sku": "x".repeat(65), "rate": "1"}, {"rate": "1"},
                {"category": "shoes", "rate": "1"}, {"category": " shoes", "rate": "2"}, {"sku": "shoes", "rate": "3"}
            ]}})),
            [
                "commission.overrides[0].category",
                "commission.overrides[1].sku",
                "commission.overrides[2]",
                "commission.overrides[4].category"
            ]
        );
    }

    #[test]
    fn text_refuses_control_characters_after_trimming() {
        assert_eq!(
            fields(json!({
                "commission": {"type": "percent", "rate": "5", "overrides": [
                    {"sku": "M\u{0}G", "rate": "1"}, {"category": "bags\u{7f}", "rate": "1"},
                    {"sku": "\tMUG\n", "rate": "1"}
                ]},
                "rewards": [
                    {"every_orders": 1, "sku": "BAG\u{1b}", "description": "A bag"},
                    {"every_orders": 2, "sku": "CUP", "description": "A\u{85}cup"},
                    {"every_orders": 3, "sku": " HAT ", "description": "A hat\r\n"}
                ]
            })),
            [
                "commission.overrides[0].sku",
                "commission.overrides[1].category",
                "rewards[0].sku",
                "rewards[1].description"
            ]
        );
    }

    #[test]
    fn rewards_take_exactly_one_trigger() {
        let reward = |extra: serde_json::Value| {
            let mut r = json!({"sku": "MUG", "description": "Mug"});
            if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
                r.extend(extra.clone());
            }
            json!({"commission": {"type": "flat", "amount": 1}, "rewards": [r]})
        };
        assert_eq!(fields(reward(json!({}))), ["rewards[0]"]);
        assert_eq!(
            fields(reward(json!({"every_orders": 1, "every_amount": 100}))),
            ["rewards[0]"]
        );
        assert_eq!(
            fields(reward(json!({"every_orders": 1_000_001}))),
            ["rewards[0].every_orders"]
        );
        assert_eq!(fields(reward(json!({"every_amount": 0}))), ["rewards[0].every_amount"]);
        assert_eq!(fields(reward(json!({"every_amount": 99}))), ["rewards[0].every_amount"]);
        assert_eq!(
            fields(reward(json!({"every_amount": 100, "description": "x".repeat(201)}))),
            ["rewards[0].description"]
        );
        assert!(validate(reward(json!({"every_orders": 1_000_000}))).is_ok());
    }

    #[test]
    fn stored_terms_beyond_todays_bounds_still_read() {
        let stored = json!({"commission": {"type": "flat", "amount": 5_000_000_000_000i64},
            "rewards": [{"every_amount": 1, "sku": "S", "description": "d"}],
            "min_payout": 5_000_000_000_000i64});
        let fields_of = |errors: Vec<(String, String)>| errors.into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(
            validate(stored.clone()).map_err(fields_of),
            Err(vec![
                "commission.amount".to_owned(),
                "rewards[0].every_amount".to_owned(),
                "min_payout".to_owned()
            ])
        );
        let read = Terms::from_stored(&stored.to_string()).map(|t| t.min_payout);
        assert_eq!(read, Ok(5_000_000_000_000));
    }

    #[test]
    fn three_digit_currencies_need_a_major_unit_per_reward() {
        let terms = validate(json!({"commission": {"type": "flat", "amount": 1},
            "rewards": [{"every_amount": 500, "sku": "S", "description": "d"}]}))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let currency = |code: &str| Currency::parse(code).unwrap_or_else(|e| panic!("{e}"));
        assert!(terms.currency_errors(currency("USD")).is_empty());
        assert!(terms.currency_errors(currency("JPY")).is_empty());
        assert_eq!(
            terms.currency_errors(currency("KWD")).first().map(|(f, _)| f.as_str()),
            Some("rewards[0].every_amount")
        );
        assert_eq!(min_every_amount(currency("KWD")), 1000);
    }

    #[test]
    fn merge_replaces_present_keys_and_null_clears_the_discount() {
        let base = parse(json!({
            "commission": {"type": "percent", "rate": "10"},
            "customer_discount": {"type": "percent", "value": "15"},
            "hold_days": 14
        }));
        let merged = base.clone().merge(parse(json!({"hold_days": 7})));
        assert_eq!(merged.hold_days, Some(7));
        assert_eq!(merged.customer_discount, base.customer_discount);
        assert_eq!(merged.commission, base.commission);

        let cleared = base.merge(parse(json!({"customer_discount": null})));
        assert_eq!(cleared.customer_discount, Some(None));
        assert_eq!(cleared.validate().map(|t| t.customer_discount), Ok(None));
    }

    #[test]
    fn rate_precedence_is_sku_then_category_then_tier_then_base() {
        let terms = validate(json!({"commission": {"type": "percent", "rate": "10",
            "overrides": [{"category": "tv", "rate": "3"}, {"sku": "TV-1", "rate": "1"}],
            "tiers": [{"from_amount": 100000, "rate": "12"}, {"from_amount": 500000, "rate": "15"}]}}))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let rate = |sku, category, mtd| terms.commission.rate_for(sku, category, mtd);
        assert_eq!(rate("TV-1", Some("tv"), 900_000), Some(dec("1")));
        assert_eq!(rate("TV-2", Some("tv"), 900_000), Some(dec("3")));
        assert_eq!(rate("MUG", None, 0), Some(dec("10")));
        assert_eq!(rate("MUG", Some("kitchen"), 99_999), Some(dec("10")));
        assert_eq!(rate("MUG", None, 100_000), Some(dec("12")));
        assert_eq!(rate("MUG", None, 499_999), Some(dec("12")));
        assert_eq!(rate("MUG", None, 500_000), Some(dec("15")));

        let flat = validate(json!({"commission": {"type": "flat", "amount": 100}})).map(|t| t.commission);
        assert_eq!(flat.map(|c| c.rate_for("MUG", None, 0)), Ok(None));
    }

    #[test]
    fn from_stored_reports_bad_json_and_bad_terms() {
        assert!(Terms::from_stored("not json").is_err());
        let err = Terms::from_stored(r#"{"hold_days": 1}"#).err().unwrap_or_default();
        assert!(err.contains("commission: is required"), "{err}");
    }

    #[test]
    fn stored_terms_from_before_the_control_character_rule_still_read() {
        let stored = r#"{"commission": {"type": "percent", "rate": "10"},
            "rewards": [{"every_orders": 3, "sku": "BAG", "description": "A bag\nof coffee"}]}"#;
        let terms = Terms::from_stored(stored).map(|t| t.rewards);
        assert_eq!(
            terms.ok().and_then(|r| r.first().map(|rule| rule.description.clone())),
            Some("A bag of coffee".to_owned())
        );
    }

    #[test]
    fn input_text_refuses_invisible_and_bidi_characters() {
        let errors = fields(json!({
            "commission": {"type": "percent", "rate": "10",
                "overrides": [{"sku": "TV\u{200B}1", "rate": "5"}, {"category": "\u{202E}shoes", "rate": "5"}]},
            "rewards": [{"every_orders": 3, "sku": "MUG\u{FEFF}", "description": "A mug\u{2028}for you"}]
        }));
        assert_eq!(
            errors,
            [
                "commission.overrides[0].sku",
                "commission.overrides[1].category",
                "rewards[0].sku",
                "rewards[0].description"
            ]
        );
    }

    #[test]
    fn stored_terms_from_before_the_invisible_character_rule_read_unchanged() {
        // Reward grants are counted per sku: reading "MUG\u{200B}" as anything else
        // would grant past orders' rewards again.
        let stored = r#"{"commission": {"type": "percent", "rate": "10"},
            "rewards": [{"every_orders": 3, "sku": "MUG\u200b", "description": "A \u202emug"}]}"#;
        let rule = Terms::from_stored(stored).ok().and_then(|t| t.rewards.first().cloned());
        assert_eq!(
            rule.map(|r| (r.sku, r.description)),
            Some(("MUG\u{200B}".to_owned(), "A \u{202E}mug".to_owned()))
        );
    }

    #[test]
    fn a_patch_checks_the_text_it_sends_not_the_text_it_keeps() {
        let stored = r#"{"commission": {"type": "percent", "rate": "10"},
            "rewards": [{"every_orders": 3, "sku": "MUG\u200b", "description": "A mug"}]}"#;
        let current = Terms::from_stored(stored).unwrap_or_else(|e| panic!("{e}"));
        let kept = current.patched(parse(json!({"hold_days": 7})));
        assert_eq!(kept.map(|t| (t.hold_days, t.rewards)), Ok((7, current.rewards.clone())));
        let sent = current.patched(parse(json!({
            "rewards": [{"every_orders": 3, "sku": "MUG\u{200B}", "description": "A mug"}]
        })));
        let fields: Vec<String> = sent.err().unwrap_or_default().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["rewards[0].sku"]);
        // Structural errors are reported whatever the patch sends.
        assert!(current.patched(parse(json!({"hold_days": -1}))).is_err());
    }

    fn rate() -> impl Strategy<Value = Decimal> {
        (0i64..=1_000_000, 0u32..=4).prop_map(|(m, scale)| {
            // Any value 0–100 with up to four decimal places, at any written scale.
            let value = Decimal::new(m, 4).round_dp(scale);
            value.normalize()
        })
    }

    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!(
            "[A-Za-z0-9][A-Za-z0-9 ._-]{{0,{}}}[A-Za-z0-9]|[A-Za-z0-9]",
            max - 2
        ))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn commission() -> impl Strategy<Value = Commission> {
        let max = proptest::option::of(0i64..=crate::domain::money::MAX_AMOUNT);
        let percent = (
            rate(),
            proptest::collection::btree_map((any::<bool>(), text(64)), rate(), 0..=10),
            proptest::collection::btree_map(0i64..=crate::domain::money::MAX_AMOUNT, rate(), 0..=20),
            max.clone(),
        )
            .prop_map(|(rate, overrides, tiers, max_per_order)| Commission {
                basis: CommissionBasis::Percent { rate },
                overrides: overrides
                    .into_iter()
                    .map(|((is_sku, name), rate)| RateOverride {
                        target: if is_sku {
                            OverrideTarget::Sku(name)
                        } else {
                            OverrideTarget::Category(name)
                        },
                        rate,
                    })
                    .collect(),
                tiers: tiers
                    .into_iter()
                    .map(|(from_amount, rate)| Tier { from_amount, rate })
                    .collect(),
                max_per_order,
            });
        let flat = (0i64..=crate::domain::money::MAX_AMOUNT, max).prop_map(|(amount, max_per_order)| Commission {
            basis: CommissionBasis::Flat { amount },
            overrides: vec![],
            tiers: vec![],
            max_per_order,
        });
        prop_oneof![percent, flat]
    }

    fn reward() -> impl Strategy<Value = RewardRule> {
        let trigger = prop_oneof![
            (1u32..=1_000_000).prop_map(RewardTrigger::EveryOrders),
            (MIN_EVERY_AMOUNT..=crate::domain::money::MAX_AMOUNT).prop_map(RewardTrigger::EveryAmount),
        ];
        (trigger, text(64), text(200)).prop_map(|(trigger, sku, description)| RewardRule {
            trigger,
            sku,
            description,
        })
    }

    fn terms() -> impl Strategy<Value = Terms> {
        let discount = proptest::option::of(prop_oneof![
            rate().prop_map(|value| CustomerDiscount::Percent { value }),
            (0i64..=crate::domain::money::MAX_AMOUNT).prop_map(|amount| CustomerDiscount::Fixed { amount }),
        ]);
        (
            commission(),
            discount,
            0u32..=365,
            proptest::collection::vec(reward(), 0..=20),
            0i64..=crate::domain::money::MAX_AMOUNT,
            prop_oneof![Just(AttributionRule::CodeFirst), Just(AttributionRule::LinkFirst)],
        )
            .prop_map(
                |(commission, customer_discount, hold_days, mut rewards, min_payout, attribution)| {
                    // One rule per sku, as validation requires.
                    let mut seen = std::collections::HashSet::new();
                    rewards.retain(|r| seen.insert(r.sku.clone()));
                    Terms {
                        commission,
                        customer_discount,
                        hold_days,
                        rewards,
                        min_payout,
                        attribution,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn canonical_document_round_trips(terms in terms()) {
            prop_assert_eq!(terms.to_input().validate(), Ok(terms.clone()));
            let json = serde_json::to_string(&terms).unwrap_or_default();
            prop_assert_eq!(Terms::from_stored(&json), Ok(terms));
        }

        #[test]
        fn rates_outside_0_to_100_are_rejected(m in 1i64..=i64::MAX, scale in 0u32..=4) {
            // Both have at most four decimal places, so range is the only thing wrong.
            let above = Decimal::ONE_HUNDRED + Decimal::new(m, scale);
            let below = -Decimal::new(m, scale);
            prop_assert!(parse_rate(&above.to_string()).is_err(), "{} accepted", above);
            prop_assert!(parse_rate(&below.to_string()).is_err(), "{} accepted", below);
        }

        #[test]
        fn accepted_rates_are_in_range(input in "\\PC{0,12}|[0-9]{1,4}(\\.[0-9]{0,6})?") {
            if let Ok(rate) = parse_rate(&input) {
                prop_assert!(rate >= Decimal::ZERO && rate <= Decimal::ONE_HUNDRED);
                prop_assert!(rate.scale() <= MAX_RATE_DECIMAL_PLACES);
            }
        }
    }
}
