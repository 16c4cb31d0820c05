//! The fixtures under `tests/fixtures/shopify/` (which the inbox's integration tests
//! also post, signed) mapped to their exact commands.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::map;
use crate::domain::Currency;
use crate::domain::cart::CartLine;
use crate::shops::{CodeRef, MappingError, OrderFacts, OrderRef, RefundAmount, RefundFacts, ShopCommand};

const ORDERS_PAID: &str = include_str!("../../../tests/fixtures/shopify/orders_paid.json");
const ORDERS_CREATE_PENDING: &str = include_str!("../../../tests/fixtures/shopify/orders_create_pending.json");
const ORDERS_PAID_JPY: &str = include_str!("../../../tests/fixtures/shopify/orders_paid_jpy.json");
const ORDERS_PAID_STACKED: &str = include_str!("../../../tests/fixtures/shopify/orders_paid_stacked.json");
const ORDERS_CANCELLED: &str = include_str!("../../../tests/fixtures/shopify/orders_cancelled.json");
const REFUNDS_CREATE_LINES: &str = include_str!("../../../tests/fixtures/shopify/refunds_create_lines.json");
const REFUNDS_CREATE_AMOUNT: &str = include_str!("../../../tests/fixtures/shopify/refunds_create_amount.json");

fn mapped(topic: &str, body: &[u8]) -> ShopCommand {
    map(topic, body).unwrap_or_else(|e| panic!("{topic}: {e}"))
}

fn recorded(topic: &str, body: &[u8]) -> OrderFacts {
    match mapped(topic, body) {
        ShopCommand::Record(facts) => facts,
        other => panic!("{topic}: expected Record, got {other:?}"),
    }
}

fn refused(topic: &str, body: &[u8]) -> String {
    match map(topic, body) {
        Err(MappingError(message)) => message,
        Ok(command) => panic!("{topic}: expected an error, got {command:?}"),
    }
}

/// The fixture with `edit` applied, as bytes.
fn edited(fixture: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(fixture).unwrap_or_else(|e| panic!("{e}"));
    edit(&mut body);
    serde_json::to_vec(&body).unwrap_or_else(|e| panic!("{e}"))
}

fn ignored(reason: &str) -> ShopCommand {
    ShopCommand::Ignore { reason: reason.into() }
}

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap_or_else(|e| panic!("{e}"))
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_timezone(&Utc)
}

fn line(sku: &str, quantity: i64, unit_price: i64) -> CartLine {
    CartLine {
        sku: sku.into(),
        category: None,
        quantity,
        unit_price,
    }
}

/// What the customer paid as reftrack sees it: subtotal − discount + shipping + tax.
fn gross(facts: &OrderFacts) -> i64 {
    let subtotal: i64 = facts.lines.iter().map(|l| l.quantity * l.unit_price).sum();
    subtotal - facts.discount_total + facts.shipping_total + facts.tax_total
}

#[test]
fn orders_paid_records_shop_money_with_the_note_attribute_click() {
    let facts = recorded("orders/paid", ORDERS_PAID.as_bytes());
    assert_eq!(
        facts,
        OrderFacts {
            order_id: "shopify:5123456789012".into(),
            aliases: vec![],
            codes: vec![CodeRef::Typed("ANA10".into())],
            click_id: Some("clk_7Hq2xN4p".into()),
            currency: currency("USD"),
            lines: vec![line("TEE-BLACK-M", 2, 2500), line("variant:44012345678902", 1, 1800)],
            discount_total: 680,
            shipping_total: 600,
            tax_total: 490,
            customer_email: Some("buyer@example.com".into()),
            placed_at: at("2024-05-14T14:12:31Z"),
        }
    );
    assert_eq!(gross(&facts), 7210, "total_price");
}

#[test]
fn orders_create_and_updated_of_a_paid_order_record_the_same_facts() {
    let paid = recorded("orders/paid", ORDERS_PAID.as_bytes());
    assert_eq!(recorded("orders/create", ORDERS_PAID.as_bytes()), paid);
    assert_eq!(recorded(" orders/updated ", ORDERS_PAID.as_bytes()), paid);
}

#[test]
fn an_order_not_paid_yet_is_ignored_except_by_orders_paid() {
    let pending = ORDERS_CREATE_PENDING.as_bytes();
    assert_eq!(
        mapped("orders/create", pending),
        ignored("orders/create before payment (financial_status pending)")
    );
    assert_eq!(
        mapped("orders/updated", pending),
        ignored("orders/updated before payment (financial_status pending)")
    );
    assert_eq!(recorded("orders/paid", pending).order_id, "shopify:5123456789013");
    let refunded = edited(ORDERS_PAID, |o| o["financial_status"] = json!("partially_refunded"));
    assert!(
        matches!(mapped("orders/updated", &refunded), ShopCommand::Ignore { reason } if reason.contains("after a refund"))
    );
    let voided = edited(ORDERS_PAID, |o| o["financial_status"] = json!("voided"));
    assert_eq!(
        mapped("orders/updated", &voided),
        ignored("orders/updated of an order that is not paid (financial_status voided)")
    );
}

#[test]
fn tax_inclusive_yen_takes_the_tax_out_of_lines_and_shipping() {
    let facts = recorded("orders/paid", ORDERS_PAID_JPY.as_bytes());
    assert_eq!(
        facts,
        OrderFacts {
            order_id: "shopify:5123456789020".into(),
            aliases: vec![],
            codes: vec![CodeRef::Typed("ANA10".into())],
            click_id: None,
            currency: currency("JPY"),
            // 2 × 1200 − 196 tax divides by 2; 3 × 1500 − 368 = 4132 does not: 2 units
            // at 1377 and 1 at 1378.
            lines: vec![
                line("MUG-WHITE", 2, 1102),
                line("TEE-BLACK-M", 2, 1377),
                line("TEE-BLACK-M", 1, 1378),
            ],
            discount_total: 690,
            shipping_total: 727,
            tax_total: 637,
            customer_email: Some("buyer@example.com".into()),
            placed_at: at("2024-06-01T09:30:00Z"),
        }
    );
    assert_eq!(gross(&facts), 7010, "total_price");
}

#[test]
fn stacked_codes_keep_their_order_and_case_and_the_landing_click_is_decoded() {
    let facts = recorded("orders/paid", ORDERS_PAID_STACKED.as_bytes());
    assert_eq!(
        facts,
        OrderFacts {
            order_id: "shopify:5123456789030".into(),
            aliases: vec![],
            codes: vec![CodeRef::Typed("SUMMER".into()), CodeRef::Typed("ana10".into())],
            click_id: Some("ig:ana:9f2c".into()),
            currency: currency("USD"),
            // The gift card and the removed (quantity 0) socks are not merchandise.
            lines: vec![line("TEE-BLACK-M", 1, 2500), line("line:13012345681002", 1, 1200)],
            discount_total: 870,
            shipping_total: 0,
            tax_total: 226,
            customer_email: Some("buyer@example.com".into()),
            placed_at: at("2024-07-04T12:15:00Z"),
        }
    );
    let gift_card = 2500;
    assert_eq!(gross(&facts) + gift_card, 5556, "total_price");
}

#[test]
fn an_order_of_gift_cards_only_is_ignored() {
    let body = edited(ORDERS_PAID_STACKED, |o| {
        let items = o["line_items"].as_array_mut().unwrap_or_else(|| panic!("line_items"));
        items.retain(|item| item["gift_card"] == json!(true));
    });
    assert_eq!(
        mapped("orders/paid", &body),
        ignored("orders/paid with no merchandise (only gift cards or removed lines)")
    );
}

#[test]
fn orders_cancelled_cancels_and_a_cancelled_order_is_not_recorded() {
    let order = OrderRef::Id("shopify:5123456789012".into());
    let cancel = ShopCommand::Cancel { order };
    assert_eq!(mapped("orders/cancelled", ORDERS_CANCELLED.as_bytes()), cancel);
    let odd_lines = edited(ORDERS_CANCELLED, |o| o["line_items"] = json!("not a list"));
    assert_eq!(mapped("orders/cancelled", &odd_lines), cancel, "only the id matters");
    assert_eq!(
        mapped("orders/updated", ORDERS_CANCELLED.as_bytes()),
        ignored("orders/updated of a cancelled order (cancelled_at 2024-05-23T09:00:00-04:00)")
    );
}

#[test]
fn refunds_create_with_lines_refunds_units_by_recorded_sku() {
    assert_eq!(
        mapped("refunds/create", REFUNDS_CREATE_LINES.as_bytes()),
        ShopCommand::Refund(RefundFacts {
            order: OrderRef::Id("shopify:5123456789012".into()),
            refund_id: "shopify:929361501".into(),
            amount: RefundAmount::Lines(vec![("TEE-BLACK-M".into(), 1), ("variant:44012345678902".into(), 1)]),
        })
    );
}

#[test]
fn refund_lines_of_one_sku_are_summed_and_gift_cards_are_not_merchandise() {
    let same_sku = edited(REFUNDS_CREATE_LINES, |r| {
        r["refund_line_items"][1]["line_item"]["sku"] = json!("TEE-BLACK-M")
    });
    let command = mapped("refunds/create", &same_sku);
    assert!(
        matches!(command, ShopCommand::Refund(RefundFacts { amount: RefundAmount::Lines(units), .. })
        if units == vec![("TEE-BLACK-M".to_owned(), 2)])
    );
    let gift_cards = edited(REFUNDS_CREATE_LINES, |r| {
        for item in r["refund_line_items"]
            .as_array_mut()
            .unwrap_or_else(|| panic!("refund_line_items"))
        {
            item["line_item"]["gift_card"] = json!(true);
        }
    });
    assert_eq!(
        mapped("refunds/create", &gift_cards),
        ignored("refund of gift cards only (not merchandise)")
    );
}

#[test]
fn refunds_create_without_lines_refunds_the_successful_transactions_gross() {
    assert_eq!(
        mapped("refunds/create", REFUNDS_CREATE_AMOUNT.as_bytes()),
        ShopCommand::Refund(RefundFacts {
            order: OrderRef::Id("shopify:5123456789012".into()),
            refund_id: "shopify:929361502".into(),
            amount: RefundAmount::Gross(1500),
        })
    );
    let no_currency = edited(REFUNDS_CREATE_AMOUNT, |r| {
        r["transactions"][1].as_object_mut().map(|t| t.remove("currency"));
    });
    assert!(matches!(
        mapped("refunds/create", &no_currency),
        ShopCommand::Refund(RefundFacts {
            amount: RefundAmount::Gross(1500),
            ..
        })
    ));
}

#[test]
fn a_refund_of_nothing_is_ignored() {
    let failed = edited(REFUNDS_CREATE_AMOUNT, |r| {
        r["transactions"][1]["status"] = json!("failure")
    });
    assert_eq!(
        mapped("refunds/create", &failed),
        ignored("refund of nothing (no lines, no successful transactions)")
    );
    let zero = edited(REFUNDS_CREATE_AMOUNT, |r| {
        r["transactions"][1]["amount"] = json!("0.00")
    });
    assert_eq!(
        mapped("refunds/create", &zero),
        ignored("refund of nothing (no lines, zero amount)")
    );
}

#[test]
fn a_refund_in_another_currency_than_the_shop_is_refused() {
    let presentment = edited(REFUNDS_CREATE_AMOUNT, |r| {
        r["transactions"][1]["currency"] = json!("EUR")
    });
    assert_eq!(
        refused("refunds/create", &presentment),
        "the refund was paid in EUR, not the shop currency USD the order is recorded in; apply it in reftrack by hand"
    );
    let unknown = edited(REFUNDS_CREATE_AMOUNT, |r| {
        r["transactions"][1]["currency"] = json!("XYZ");
        r.as_object_mut().map(|r| r.remove("total_duties_set"));
    });
    assert!(refused("refunds/create", &unknown).starts_with("`transactions[1].currency`"));
}

#[test]
fn other_topics_are_ignored_without_reading_the_body() {
    assert_eq!(
        mapped("customers/create", b"not json"),
        ignored("topic customers/create is not used by reftrack")
    );
}

#[test]
fn a_body_that_is_not_shopify_s_is_refused_with_the_field() {
    assert!(refused("orders/paid", b"not json").starts_with("body is not a Shopify order: expected"));
    assert!(refused("refunds/create", b"[]").starts_with("body is not a Shopify refund: "));
    let no_id = edited(ORDERS_PAID, |o| {
        o.as_object_mut().map(|o| o.remove("id"));
    });
    assert!(refused("orders/paid", &no_id).starts_with("body is not a Shopify order: missing field `id`"));
    let bad_quantity = edited(ORDERS_PAID, |o| o["line_items"][1]["quantity"] = json!("one"));
    assert!(
        refused("orders/paid", &bad_quantity)
            .starts_with("body is not a Shopify order: `line_items[1].quantity`: invalid type")
    );
    let bad_currency = edited(ORDERS_PAID, |o| o["currency"] = json!("XYZ"));
    assert_eq!(
        refused("orders/paid", &bad_currency),
        "`currency`: `XYZ` is not an ISO 4217 currency"
    );
    let bad_time = edited(ORDERS_PAID, |o| o["processed_at"] = json!("yesterday"));
    assert_eq!(
        refused("orders/paid", &bad_time),
        "`processed_at`: `yesterday` is not an RFC 3339 time"
    );
}
