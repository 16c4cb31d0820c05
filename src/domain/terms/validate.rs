//! Validating a whole terms document into [`Terms`], reporting every problem with its
//! field path.

use super::fields::{FieldErrors, Origin, check, error, parse_rate, parse_text};
use super::fraud::FraudRules;
use super::input::{CommissionInput, DiscountInput, OverrideInput, RewardInput, TermsInput, TierInput};
use super::{
    AttributionRule, Commission, CommissionBasis, CustomerDiscount, DEFAULT_CLICK_WINDOW_DAYS, DEFAULT_HOLD_DAYS,
    MAX_CLICK_WINDOW_DAYS, MAX_CUSTOMER_BINDING_DAYS, MAX_DESCRIPTION_CHARS, MAX_EVERY_ORDERS, MAX_HOLD_DAYS,
    MAX_OVERRIDES, MAX_REWARD_SKU_CHARS, MAX_REWARDS, MAX_TARGET_CHARS, MAX_TIERS, OverrideTarget, RateOverride,
    RewardRule, RewardTrigger, Terms, Tier,
};
use super::{Currency, min_every_amount};

impl TermsInput {
    /// Validates the whole document as a request, reporting every problem with its
    /// field path.
    pub fn validate(self) -> Result<Terms, Vec<(String, String)>> {
        self.validate_from(Origin::Input)
    }

    pub(super) fn validate_from(self, origin: Origin) -> Result<Terms, Vec<(String, String)>> {
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

        let hold_days = bounded(
            &mut errors,
            "hold_days",
            self.hold_days,
            DEFAULT_HOLD_DAYS,
            0,
            MAX_HOLD_DAYS,
        );
        let click_window_days = bounded(
            &mut errors,
            "click_window_days",
            self.click_window_days,
            DEFAULT_CLICK_WINDOW_DAYS,
            1,
            MAX_CLICK_WINDOW_DAYS,
        );
        let customer_binding_days = bounded(
            &mut errors,
            "customer_binding_days",
            self.customer_binding_days,
            0,
            0,
            MAX_CUSTOMER_BINDING_DAYS,
        );

        let fraud_review = match self.fraud_review {
            None => Some(FraudRules::default()),
            Some(input) => input.validate(&mut errors),
        };

        let override_rate = match self.override_rate.flatten() {
            None => Some(None),
            Some(rate) => check(&mut errors, "override_rate", parse_rate(&rate)).map(Some),
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
            click_window_days,
            customer_binding_days,
            fraud_review,
            override_rate,
        ) {
            (
                Some(commission),
                Some(customer_discount),
                Some(hold_days),
                Some(rewards),
                Some(min_payout),
                Some(attribution),
                Some(click_window_days),
                Some(customer_binding_days),
                Some(fraud_review),
                Some(override_rate),
            ) if errors.is_empty() => Ok(Terms {
                commission,
                customer_discount,
                hold_days,
                rewards,
                min_payout,
                attribution,
                click_window_days,
                customer_binding_days,
                fraud_review,
                override_rate,
            }),
            _ => Err(errors),
        }
    }
}

/// A whole number (of days, hours, orders…) between `min` and `max`, `default` when
/// absent.
pub(super) fn bounded(
    errors: &mut FieldErrors,
    field: &str,
    given: Option<i64>,
    default: u32,
    min: u32,
    max: u32,
) -> Option<u32> {
    match given {
        None => Some(default),
        Some(days) => check(
            errors,
            field,
            u32::try_from(days)
                .ok()
                .filter(|d| (min..=max).contains(d))
                .ok_or_else(|| format!("must be between {min} and {max}")),
        ),
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
}
