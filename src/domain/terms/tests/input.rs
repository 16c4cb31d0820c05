//! The request document as serde reads it, and how a patch merges into it.

use super::*;
use serde_json::json;

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
fn fraud_review_is_an_object_or_null_never_an_array() {
    let parsed = |value: serde_json::Value| serde_json::from_value::<TermsInput>(value).map(|t| t.fraud_review);
    assert_eq!(parsed(json!({"fraud_review": null})).ok(), Some(None));
    assert_eq!(
        parsed(json!({"fraud_review": {"repeat_orders": 2}}))
            .ok()
            .flatten()
            .and_then(|f| f.repeat_orders),
        Some(2)
    );
    assert!(parsed(json!({"fraud_review": [3, 12]})).is_err());
    assert!(parsed(json!({"fraud_review": {"surprise": 1}})).is_err());
}
