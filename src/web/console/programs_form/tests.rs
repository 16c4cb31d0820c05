//! The program form against the API's terms document: the same document, each message
//! on its input, money in the currency's digits.

use super::*;
use crate::domain::Currency;
use crate::domain::terms::TermsInput;
use crate::web::form::FieldErrors;

fn usd() -> Currency {
    Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"))
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn read(fields: &[(&str, &str)]) -> ProgramForm {
    ProgramForm::from_pairs(pairs(fields))
        .unwrap_or_else(|e| panic!("{e}"))
        .1
}

#[test]
fn the_form_builds_the_document_the_api_takes() {
    let form = read(&[
        ("csrf", "t"),
        ("name", "Ambassadors"),
        ("currency", "USD"),
        ("commission.type", "percent"),
        ("commission.rate", " 10 "),
        ("commission.max_per_order", "50"),
        ("commission.overrides[0].kind", "sku"),
        ("commission.overrides[0].target", ""),
        ("commission.overrides[0].rate", ""),
        ("commission.overrides[1].kind", "category"),
        ("commission.overrides[1].target", "gift cards"),
        ("commission.overrides[1].rate", "0"),
        ("commission.tiers[0].from_amount", "1000.00"),
        ("commission.tiers[0].rate", "15"),
        ("customer_discount.type", "fixed"),
        ("customer_discount.value", "ignored"),
        ("customer_discount.amount", "5"),
        ("hold_days", "14"),
        ("min_payout", "25.5"),
        ("attribution", "link_first"),
        ("click_window_days", "7"),
        ("customer_binding_days", " 90 "),
        ("override_rate", " 5 "),
        ("fraud_review.repeat_orders", "3"),
        ("fraud_review.max_refund_rate", ""),
        ("rewards[1].kind", "amount"),
        ("rewards[1].every", "200"),
        ("rewards[1].sku", "BAG"),
        ("rewards[1].description", "A bag"),
    ]);
    let mut errors = FieldErrors::default();
    let (terms, _) = form.terms(usd(), &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    let body = serde_json::json!({
        "commission": {"type": "percent", "rate": "10", "max_per_order": 5000,
            "overrides": [{"category": "gift cards", "rate": "0"}],
            "tiers": [{"from_amount": 100000, "rate": "15"}]},
        "customer_discount": {"type": "fixed", "amount": 500},
        "hold_days": 14,
        "min_payout": 2550,
        "attribution": "link_first",
        "click_window_days": 7,
        "customer_binding_days": 90,
        "fraud_review": {"repeat_orders": 3, "max_refund_rate": null},
        "override_rate": "5",
        "rewards": [{"every_amount": 20000, "sku": "BAG", "description": "A bag"}]
    });
    let from_api: TermsInput = serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(terms, from_api);
}

#[test]
fn stored_terms_come_back_as_the_form_and_read_the_same() {
    let stored = r#"{"commission":{"type":"percent","rate":"12.5","overrides":[{"sku":"KIT","rate":"20"}],"tiers":[{"from_amount":100000,"rate":"15"}],"max_per_order":null},"customer_discount":{"type":"percent","value":"10"},"hold_days":30,"rewards":[{"every_orders":3,"sku":"BAG","description":"A bag"}],"min_payout":2500,"attribution":"code_first","click_window_days":14,"customer_binding_days":365}"#;
    let input: TermsInput = serde_json::from_str(stored).unwrap_or_else(|e| panic!("{e}"));
    let form = ProgramForm::of_program("P", usd(), 4, input.clone());
    assert_eq!(form.min_payout, "25.00");
    assert_eq!(
        (form.click_window_days.as_str(), form.customer_binding_days.as_str()),
        ("14", "365")
    );
    assert_eq!(form.tiers[0].from_amount, "1000.00");
    assert_eq!(form.overrides.len(), 1 + EMPTY_ROWS);
    let mut errors = FieldErrors::default();
    let (again, _) = form.terms(usd(), &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(again.validate(), input.validate());
}

#[test]
fn each_message_of_the_terms_parser_lands_on_its_row() {
    let form = read(&[
        ("commission.type", "percent"),
        ("commission.rate", "101"),
        ("commission.overrides[2].kind", "sku"),
        ("commission.overrides[2].target", "KIT"),
        ("commission.overrides[2].rate", "x"),
        ("rewards[0].kind", "orders"),
        ("rewards[0].every", ""),
        ("rewards[2].kind", "orders"),
        ("rewards[2].every", "0"),
        ("rewards[2].sku", "BAG"),
        ("rewards[2].description", "A bag"),
        ("rewards[1].kind", "orders"),
        ("rewards[1].every", "3"),
        ("rewards[1].sku", "BAG"),
        ("rewards[1].description", "Another bag"),
        ("hold_days", "400"),
        ("click_window_days", "0"),
    ]);
    let mut errors = FieldErrors::default();
    let (terms, rows) = form.terms(usd(), &mut errors);
    let found = terms.validate().err().unwrap_or_default();
    rows.show(found, &mut errors);
    let shown: Vec<(&str, &str)> = errors.iter().collect();
    assert_eq!(
        shown,
        [
            ("click_window_days", "must be between 1 and 365"),
            (
                "commission.overrides[2].rate",
                "must be a decimal string such as \"12.5\""
            ),
            ("commission.rate", "must be between 0 and 100"),
            ("hold_days", "must be between 0 and 365"),
            ("rewards[2].every", "must be between 1 and 1000000"),
            ("rewards[2].sku", "another reward rule already gives this sku"),
        ],
        "rewards[0] has no sku nor description and is empty but for its kind: skipped"
    );
    assert_eq!(label("rewards[2].every"), "Free item 3: every");
}

#[test]
fn money_is_read_in_the_currency_digits_beside_its_input() {
    let form = read(&[
        ("commission.type", "flat"),
        ("commission.amount", "5.001"),
        ("commission.tiers[1].from_amount", "ten"),
        ("commission.tiers[1].rate", "5"),
        ("hold_days", "x"),
        ("customer_binding_days", "lots"),
    ]);
    let mut errors = FieldErrors::default();
    form.terms(usd(), &mut errors);
    assert_eq!(
        errors.get("commission.amount"),
        Some("must have at most 2 decimal places in USD")
    );
    assert_eq!(
        errors.get("commission.tiers[1].from_amount"),
        Some("must be an amount such as 5.00")
    );
    assert_eq!(errors.get("hold_days"), Some("must be a whole number of days"));
    assert_eq!(
        errors.get("customer_binding_days"),
        Some("must be a whole number of days")
    );
}

#[test]
fn a_row_beyond_the_limit_is_refused() {
    assert!(ProgramForm::from_pairs(pairs(&[("rewards[150].sku", "x")])).is_err());
    assert!(ProgramForm::from_pairs(pairs(&[("rewards[149].sku", "x")])).is_ok());
}
