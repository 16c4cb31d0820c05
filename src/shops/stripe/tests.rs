use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{event_id, map};
use crate::domain::Currency;
use crate::domain::cart::CartLine;
use crate::shops::{CodeRef, MappingError, OrderFacts, OrderRef, RefundAmount, RefundFacts, ShopCommand};

const COMPLETED: &str = include_str!("../../../tests/fixtures/stripe/checkout_session_completed.json");
const UNPAID: &str = include_str!("../../../tests/fixtures/stripe/checkout_session_completed_unpaid.json");
const ASYNC_SUCCEEDED: &str = include_str!("../../../tests/fixtures/stripe/checkout_session_async_succeeded.json");
const JPY: &str = include_str!("../../../tests/fixtures/stripe/checkout_session_jpy.json");
const PROMOTION: &str = include_str!("../../../tests/fixtures/stripe/checkout_session_promotion.json");
const REFUNDED_PARTIAL: &str = include_str!("../../../tests/fixtures/stripe/charge_refunded_partial.json");
const REFUNDED_FULL: &str = include_str!("../../../tests/fixtures/stripe/charge_refunded_full.json");

const USD_SESSION: &str = "cs_test_a1Kq8ZtR3mW7xN2pLbV5cY9dF4gH6jS0uE1wQ3rT5yU7iO9pA2sD4fG6hJ8k";
const USD_INTENT: &str = "pi_3QhR2kLkdIwHu7ix1vWxYz9A";
const USD_CHARGE: &str = "ch_3QhR2kLkdIwHu7ix1Q5nT2bV";

fn command(body: &[u8]) -> ShopCommand {
    map(body).unwrap_or_else(|err| panic!("{err}"))
}

fn record(body: &[u8]) -> OrderFacts {
    match command(body) {
        ShopCommand::Record(facts) => facts,
        other => panic!("not a record: {other:?}"),
    }
}

fn error(body: &[u8]) -> String {
    match map(body) {
        Ok(command) => panic!("mapped to {command:?}"),
        Err(MappingError(message)) => message,
    }
}

/// `fixture` with `edit` applied to its `data.object`.
fn edited(fixture: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut event: Value = serde_json::from_str(fixture).unwrap_or_else(|err| panic!("{err}"));
    edit(&mut event["data"]["object"]);
    serde_json::to_vec(&event).unwrap_or_else(|err| panic!("{err}"))
}

fn ignored(reason: &str) -> ShopCommand {
    ShopCommand::Ignore {
        reason: reason.to_owned(),
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap_or_else(|err| panic!("{code}: {err}"))
}

fn checkout_line(subtotal: i64) -> Vec<CartLine> {
    vec![CartLine {
        sku: "stripe:checkout".to_owned(),
        category: None,
        quantity: 1,
        unit_price: subtotal,
    }]
}

#[test]
fn paid_session_is_recorded_with_its_code_click_and_totals() {
    let expected = OrderFacts {
        order_id: format!("stripe:{USD_SESSION}"),
        aliases: vec![format!("stripe:pi:{USD_INTENT}")],
        codes: vec![CodeRef::Typed("ANA10".to_owned())],
        click_id: Some("0193a6f2-7c1e-7b3a-9d4e-2f5b8c1a0e47".to_owned()),
        currency: currency("USD"),
        lines: checkout_line(7400),
        discount_total: 740,
        shipping_total: 500,
        tax_total: 590,
        customer_email: Some("buyer@example.com".to_owned()),
        placed_at: at("2026-11-30T10:15:02Z"),
    };
    assert_eq!(command(COMPLETED.as_bytes()), ShopCommand::Record(expected));
}

#[test]
fn session_completed_unpaid_waits_for_the_payment() {
    assert_eq!(
        command(UNPAID.as_bytes()),
        ignored("checkout completed before payment (payment_status unpaid); waiting for async_payment_succeeded")
    );
}

#[test]
fn delayed_payment_records_the_session_with_the_click_from_metadata() {
    let expected = OrderFacts {
        order_id: "stripe:cs_test_b2Lr9AuS4nX8yO3qMcW6dZ0eG5hI7kT1vF2xR4sU6zV8jP0qB3tE5gH7iK9m".to_owned(),
        aliases: vec!["stripe:pi:pi_3QhSb1LkdIwHu7ix0Km4Rt7E".to_owned()],
        codes: vec![],
        click_id: Some("0193a70b-5d2f-7c81-a3e6-8b4f1d7c2e90".to_owned()),
        currency: currency("USD"),
        lines: checkout_line(4800),
        discount_total: 0,
        shipping_total: 500,
        tax_total: 437,
        customer_email: Some("buyer@example.com".to_owned()),
        placed_at: at("2026-12-02T11:20:45Z"),
    };
    assert_eq!(command(ASYNC_SUCCEEDED.as_bytes()), ShopCommand::Record(expected));
}

#[test]
fn yen_session_keeps_the_code_as_typed_and_ignores_a_foreign_reference() {
    let expected = OrderFacts {
        order_id: "stripe:cs_test_c3Ms0BvT5oY9zP4rNdX7eA1fH6iJ8lU2wG3yS5tV7aW9kQ1rC4uF6hI8jL0n".to_owned(),
        aliases: vec!["stripe:pi:pi_3QhUc4LkdIwHu7ix1Ln5Su8F".to_owned()],
        codes: vec![CodeRef::Typed("kenji5".to_owned())],
        click_id: None,
        currency: currency("JPY"),
        lines: checkout_line(3000),
        discount_total: 0,
        shipping_total: 800,
        tax_total: 380,
        customer_email: Some("buyer@example.com".to_owned()),
        placed_at: at("2026-12-05T08:30:00Z"),
    };
    assert_eq!(command(JPY.as_bytes()), ShopCommand::Record(expected));
}

#[test]
fn promotion_code_is_named_by_its_stripe_id() {
    let facts = record(PROMOTION.as_bytes());
    assert_eq!(
        facts.codes,
        vec![CodeRef::StripePromotion("promo_1QhVa2LkdIwHu7ixKm8Np3Qr".to_owned())]
    );
    assert_eq!(facts.click_id, None);
    assert_eq!(
        (facts.lines, facts.discount_total, facts.shipping_total, facts.tax_total),
        (checkout_line(2400), 480, 500, 200)
    );
}

#[test]
fn metadata_code_comes_before_promotion_codes() {
    let body = edited(COMPLETED, |session| {
        session["discounts"] = serde_json::json!([
            {"coupon": "ANA10-10PCT", "promotion_code": null},
            {"coupon": "Z4OV52SU", "promotion_code": "promo_1QhVa2LkdIwHu7ixKm8Np3Qr"}
        ]);
    });
    assert_eq!(
        record(&body).codes,
        vec![
            CodeRef::Typed("ANA10".to_owned()),
            CodeRef::StripePromotion("promo_1QhVa2LkdIwHu7ixKm8Np3Qr".to_owned()),
        ]
    );
}

#[test]
fn click_reference_wins_over_metadata_click() {
    let body = edited(COMPLETED, |session| {
        session["metadata"]["reftrack_click_id"] = "0193a70b-5d2f-7c81-a3e6-8b4f1d7c2e90".into();
    });
    assert_eq!(
        record(&body).click_id.as_deref(),
        Some("0193a6f2-7c1e-7b3a-9d4e-2f5b8c1a0e47")
    );
}

#[test]
fn customer_email_falls_back_to_the_prefilled_one() {
    let body = edited(COMPLETED, |session| {
        session["customer_details"] = Value::Null;
        session["customer_email"] = "buyer@example.com".into();
    });
    assert_eq!(record(&body).customer_email.as_deref(), Some("buyer@example.com"));
}

#[test]
fn session_without_payment_intent_has_no_alias() {
    let body = edited(COMPLETED, |session| session["payment_intent"] = Value::Null);
    assert_eq!(record(&body).aliases, Vec::<String>::new());
}

#[test]
fn session_without_payment_is_ignored() {
    let body = edited(COMPLETED, |session| {
        session["payment_status"] = "no_payment_required".into()
    });
    assert_eq!(
        command(&body),
        ignored(
            "checkout completed without a payment (payment_status no_payment_required); there is no sale to record"
        )
    );
}

#[test]
fn partial_refund_is_the_charge_running_total() {
    assert_eq!(
        command(REFUNDED_PARTIAL.as_bytes()),
        ShopCommand::Refund(RefundFacts {
            order: OrderRef::Alias(format!("stripe:pi:{USD_INTENT}")),
            refund_id: format!("stripe:{USD_CHARGE}:1000"),
            amount: RefundAmount::CumulativeGross(1000),
        })
    );
}

#[test]
fn full_refund_of_the_same_charge_is_a_new_refund_id() {
    assert_eq!(
        command(REFUNDED_FULL.as_bytes()),
        ShopCommand::Refund(RefundFacts {
            order: OrderRef::Alias(format!("stripe:pi:{USD_INTENT}")),
            refund_id: format!("stripe:{USD_CHARGE}:7750"),
            amount: RefundAmount::CumulativeGross(7750),
        })
    );
}

#[test]
fn refund_of_a_charge_without_payment_intent_is_ignored() {
    let body = edited(REFUNDED_PARTIAL, |charge| charge["payment_intent"] = Value::Null);
    assert_eq!(
        command(&body),
        ignored(&format!(
            "charge {USD_CHARGE} has no payment_intent; reftrack finds a Checkout order by its payment intent"
        ))
    );
}

#[test]
fn other_event_types_are_ignored() {
    let mut event: Value = serde_json::from_str(COMPLETED).unwrap_or_else(|err| panic!("{err}"));
    event["type"] = "checkout.session.expired".into();
    let body = serde_json::to_vec(&event).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        command(&body),
        ignored("event type checkout.session.expired is not used by reftrack")
    );
}

#[test]
fn amounts_out_of_bounds_are_refused() {
    let body = edited(COMPLETED, |session| {
        session["total_details"]["amount_tax"] = (-1).into()
    });
    assert!(
        error(&body).starts_with("data.object.total_details.amount_tax: "),
        "{}",
        error(&body)
    );
    let body = edited(COMPLETED, |session| {
        session["amount_subtotal"] = 1_000_000_000_001_i64.into()
    });
    assert!(
        error(&body).starts_with("data.object.amount_subtotal: "),
        "{}",
        error(&body)
    );
    let body = edited(REFUNDED_FULL, |charge| charge["amount_refunded"] = (-5).into());
    assert!(
        error(&body).starts_with("data.object.amount_refunded: "),
        "{}",
        error(&body)
    );
}

#[test]
fn body_that_is_not_the_promised_event_is_refused() {
    assert!(
        error(b"{}").starts_with("body is not a Stripe event: "),
        "{}",
        error(b"{}")
    );
    assert!(error(b"[1, 2]").starts_with("body is not a Stripe event: "));
    let charge_as_session = edited(COMPLETED, |session| session["object"] = "charge".into());
    assert_eq!(
        error(&charge_as_session),
        "data.object.object: expected a checkout.session, found a charge"
    );
    let fractional = edited(COMPLETED, |session| {
        session["amount_subtotal"] = Value::Number("7400.5".parse().unwrap_or_else(|err| panic!("{err}")));
    });
    assert!(
        error(&fractional).contains("data.object.amount_subtotal"),
        "{}",
        error(&fractional)
    );
    let no_currency = edited(JPY, |session| session["currency"] = Value::Null);
    assert_eq!(error(&no_currency), "data.object.currency: missing");
}

#[test]
fn event_id_is_the_event_not_the_object() {
    assert_eq!(
        event_id(COMPLETED.as_bytes()).as_deref(),
        Some("evt_1QhR2mLkdIwHu7ixT8bZ3cQd")
    );
    assert_eq!(
        event_id(REFUNDED_FULL.as_bytes()).as_deref(),
        Some("evt_3QhX2bLkdIwHu7ix0Zo8Ur2B")
    );
    assert_eq!(event_id(b"not json"), None);
}
