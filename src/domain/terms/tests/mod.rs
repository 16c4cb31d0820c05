//! Unit and property tests of program terms, one file per part: the request document
//! (`input`), its validation (`validate`) and the stored canonical form (`stored`).
//! The rule that picks a line's rate is tested here, beside the helpers all parts share.

use super::*;
use serde_json::json;

mod input;
mod stored;
mod validate;

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
