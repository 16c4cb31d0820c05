//! The canonical stored document: it writes everything out, reads back what it wrote,
//! and still reads documents accepted under older rules.

use super::*;
use proptest::prelude::*;
use serde_json::json;

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
            "attribution": "link_first",
            "click_window_days": 30,
            "customer_binding_days": 0,
            "fraud_review": {"repeat_orders": 5, "repeat_hours": 24, "max_refund_rate": "50", "min_click_seconds": 0},
            "override_rate": null
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

fn fraud() -> impl Strategy<Value = FraudRules> {
    (0u32..=1000, 1u32..=720, proptest::option::of(rate()), 0u32..=3600).prop_map(
        |(repeat_orders, repeat_hours, max_refund_rate, min_click_seconds)| FraudRules {
            repeat_orders,
            repeat_hours,
            max_refund_rate,
            min_click_seconds,
        },
    )
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
        (1u32..=365, 0u32..=3650, fraud(), proptest::option::of(rate())),
    )
        .prop_map(
            |(
                commission,
                customer_discount,
                hold_days,
                mut rewards,
                min_payout,
                attribution,
                (click, binding, fraud_review, override_rate),
            )| {
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
                    click_window_days: click,
                    customer_binding_days: binding,
                    fraud_review,
                    override_rate,
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
}
