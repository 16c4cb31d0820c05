//! Validation of a request document: every field's rule and every error's path.

use super::*;
use proptest::prelude::*;
use serde_json::json;

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
            click_window_days: 30,
            customer_binding_days: 0,
            fraud_review: FraudRules::default(),
            override_rate: None,
        })
    );
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
    // Zero padding beyond Decimal's 28 digits is still the same rate (the openapi
    // pattern allows it).
    assert_eq!(
        parse_rate("000000000007.93340000000000000000000000000000000000").map(|r| r.to_string()),
        Ok("7.9334".to_owned())
    );
    assert_eq!(
        parse_rate("0000100.0000000000000000000000000000000").map(|r| r.to_string()),
        Ok("100".to_owned())
    );
    assert!(parse_rate("0.000010000000000000000000000000000").is_err());
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
        "click_window_days": 0,
        "customer_binding_days": 3651,
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
            "click_window_days",
            "customer_binding_days",
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

proptest! {
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

#[test]
fn attribution_windows_take_their_bounds() {
    let terms = validate(json!({"commission": {"type": "flat", "amount": 100},
        "click_window_days": 365, "customer_binding_days": 3650}))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((terms.click_window_days, terms.customer_binding_days), (365, 3650));
    let terms = validate(json!({"commission": {"type": "flat", "amount": 100},
        "click_window_days": 1, "customer_binding_days": 0}))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((terms.click_window_days, terms.customer_binding_days), (1, 0));
    for (field, bad) in [
        ("click_window_days", 0),
        ("click_window_days", 366),
        ("customer_binding_days", -1),
    ] {
        let mut body = json!({"commission": {"type": "flat", "amount": 100}});
        body[field] = json!(bad);
        assert_eq!(fields(body), [field], "{field} = {bad}");
    }
}

#[test]
fn fraud_review_takes_defaults_key_by_key_and_reports_each_field() {
    let terms = validate(json!({"commission": {"type": "flat", "amount": 100},
        "fraud_review": {"repeat_orders": 0, "max_refund_rate": null}}))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        terms.fraud_review,
        FraudRules {
            repeat_orders: 0,
            repeat_hours: 24,
            max_refund_rate: None,
            min_click_seconds: 0
        }
    );
    let terms = validate(json!({"commission": {"type": "flat", "amount": 100}, "fraud_review": {}}))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(terms.fraud_review, FraudRules::default());
    assert_eq!(
        fields(json!({"commission": {"type": "flat", "amount": 100},
            "fraud_review": {"repeat_orders": -1, "repeat_hours": 0, "max_refund_rate": "101", "min_click_seconds": 3601}})),
        [
            "fraud_review.repeat_orders",
            "fraud_review.repeat_hours",
            "fraud_review.max_refund_rate",
            "fraud_review.min_click_seconds"
        ]
    );
}
