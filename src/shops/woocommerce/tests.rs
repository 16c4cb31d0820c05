use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{dedupe_key, map, source_host};
use crate::domain::Currency;
use crate::domain::cart::CartLine;
use crate::shops::{CodeRef, MappingError, OrderFacts, OrderRef, RefundAmount, RefundFacts, ShopCommand};

const PROCESSING: &str = include_str!("../../../tests/fixtures/woocommerce/order_processing.json");
const PENDING: &str = include_str!("../../../tests/fixtures/woocommerce/order_pending.json");
const REFUNDED_PARTIAL: &str = include_str!("../../../tests/fixtures/woocommerce/order_refunded_partial.json");
const CANCELLED: &str = include_str!("../../../tests/fixtures/woocommerce/order_cancelled.json");
const JPY: &str = include_str!("../../../tests/fixtures/woocommerce/order_jpy.json");

const HOST: &str = "shop.example.com";

fn commands(topic: &str, body: &[u8]) -> Vec<ShopCommand> {
    map(topic, HOST, body).unwrap_or_else(|err| panic!("{err}"))
}

fn error(body: &[u8]) -> String {
    match map("order.updated", HOST, body) {
        Ok(commands) => panic!("mapped to {commands:?}"),
        Err(MappingError(message)) => message,
    }
}

/// `fixture` with `edit` applied to its JSON.
fn edited(fixture: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut order: Value = serde_json::from_str(fixture).unwrap_or_else(|err| panic!("{err}"));
    edit(&mut order);
    serde_json::to_vec(&order).unwrap_or_else(|err| panic!("{err}"))
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap_or_else(|err| panic!("{code}: {err}"))
}

fn line(sku: &str, quantity: i64, unit_price: i64) -> CartLine {
    CartLine {
        sku: sku.to_owned(),
        category: None,
        quantity,
        unit_price,
    }
}

/// What `order_processing.json` (and its later revision with a refund) records.
fn order_4217() -> OrderFacts {
    OrderFacts {
        order_id: "woocommerce:shop.example.com:4217".to_owned(),
        aliases: vec![],
        // utm_content "ANA10" names the coupon already applied, so it is not repeated.
        codes: vec![CodeRef::Typed("ana10".to_owned())],
        click_id: Some("0193a6f2-7c1e-7b3a-9d4e-2f5b8c1a0e47".to_owned()),
        currency: currency("USD"),
        // 3 tees for 50.00 do not divide into cents: 2 at 16.66 and 1 at 16.68.
        lines: vec![
            line("TEE-BLACK-M", 2, 1666),
            line("TEE-BLACK-M", 1, 1668),
            line("product:88", 2, 1200),
        ],
        discount_total: 740,
        shipping_total: 500,
        tax_total: 590,
        customer_email: Some("buyer@example.com".to_owned()),
        placed_at: at("2026-11-30T10:13:05Z"),
    }
}

#[test]
fn processing_order_is_recorded_with_its_lines_coupon_and_click() {
    assert_eq!(
        commands("order.created", PROCESSING.as_bytes()),
        vec![ShopCommand::Record(order_4217())]
    );
}

#[test]
fn pending_order_is_ignored_until_paid() {
    assert_eq!(
        commands("order.created", PENDING.as_bytes()),
        vec![ShopCommand::Ignore {
            reason: "order status pending; reftrack records an order once it is processing or completed".to_owned()
        }]
    );
}

#[test]
fn order_with_a_refund_is_recorded_then_refunded_gross() {
    assert_eq!(
        commands("order.updated", REFUNDED_PARTIAL.as_bytes()),
        vec![
            ShopCommand::Record(order_4217()),
            ShopCommand::Refund(RefundFacts {
                order: OrderRef::Id("woocommerce:shop.example.com:4217".to_owned()),
                refund_id: "woocommerce:shop.example.com:4230".to_owned(),
                amount: RefundAmount::Gross(1000),
            }),
        ]
    );
}

#[test]
fn cancelled_order_is_cancelled() {
    assert_eq!(
        commands("order.updated", CANCELLED.as_bytes()),
        vec![ShopCommand::Cancel {
            order: OrderRef::Id("woocommerce:shop.example.com:4218".to_owned())
        }]
    );
}

#[test]
fn failed_order_is_cancelled() {
    let body = edited(PENDING, |order| order["status"] = "failed".into());
    assert_eq!(
        commands("order.updated", &body),
        vec![ShopCommand::Cancel {
            order: OrderRef::Id("woocommerce:shop.example.com:4218".to_owned())
        }]
    );
}

#[test]
fn unpaid_cash_on_delivery_order_in_yen_is_placed_when_created_and_coded_by_its_link() {
    let expected = OrderFacts {
        order_id: "woocommerce:shop.example.com:4220".to_owned(),
        aliases: vec![],
        codes: vec![CodeRef::Typed("KENJI5".to_owned())],
        click_id: None,
        currency: currency("JPY"),
        lines: vec![line("MUG-WHITE", 2, 1500)],
        discount_total: 0,
        shipping_total: 800,
        tax_total: 380,
        customer_email: Some("buyer@example.com".to_owned()),
        placed_at: at("2026-12-05T08:30:00Z"),
    };
    assert_eq!(
        commands("order.created", JPY.as_bytes()),
        vec![ShopCommand::Record(expected)]
    );
}

#[test]
fn link_code_follows_the_coupons_when_it_differs() {
    let body = edited(PROCESSING, |order| {
        order["meta_data"][4]["value"] = "MAYA15".into();
    });
    let commands = commands("order.created", &body);
    let [ShopCommand::Record(facts)] = commands.as_slice() else {
        panic!("not one record");
    };
    assert_eq!(
        facts.codes,
        vec![CodeRef::Typed("ana10".to_owned()), CodeRef::Typed("MAYA15".to_owned())]
    );
}

#[test]
fn fully_refunded_order_only_applies_its_refunds() {
    let body = edited(REFUNDED_PARTIAL, |order| {
        order["status"] = "refunded".into();
        order["refunds"] = serde_json::json!([
            {"id": 4231, "reason": "", "total": "-67.50"},
            {"id": 4230, "reason": "Tote arrived damaged", "total": "-10.00"}
        ]);
    });
    let refund = |id: &str, amount| {
        ShopCommand::Refund(RefundFacts {
            order: OrderRef::Id("woocommerce:shop.example.com:4217".to_owned()),
            refund_id: format!("woocommerce:shop.example.com:{id}"),
            amount: RefundAmount::Gross(amount),
        })
    };
    assert_eq!(
        commands("order.updated", &body),
        vec![refund("4231", 6750), refund("4230", 1000)]
    );
}

#[test]
fn refund_of_nothing_is_left_out() {
    let body = edited(REFUNDED_PARTIAL, |order| order["refunds"][0]["total"] = "-0.00".into());
    assert_eq!(
        commands("order.updated", &body),
        vec![ShopCommand::Record(order_4217())]
    );
}

#[test]
fn other_topics_are_ignored_without_reading_the_body() {
    assert_eq!(
        commands("product.updated", b"not json"),
        vec![ShopCommand::Ignore {
            reason: "topic product.updated is not used by reftrack".to_owned()
        }]
    );
}

#[test]
fn on_hold_order_is_ignored() {
    let body = edited(PENDING, |order| order["status"] = "on-hold".into());
    assert_eq!(
        commands("order.updated", &body),
        vec![ShopCommand::Ignore {
            reason: "order status on-hold; reftrack records an order once it is processing or completed".to_owned()
        }]
    );
}

#[test]
fn paid_order_without_lines_is_ignored() {
    let body = edited(PROCESSING, |order| order["line_items"] = serde_json::json!([]));
    assert_eq!(
        commands("order.created", &body),
        vec![ShopCommand::Ignore {
            reason: "order 4217 has no line items; there is no merchandise to attribute".to_owned()
        }]
    );
}

#[test]
fn amounts_as_json_numbers_are_read_exactly() {
    let body = edited(PROCESSING, |order| {
        order["shipping_total"] = serde_json::json!(5);
        order["total_tax"] = Value::Number("5.90".parse().unwrap_or_else(|err| panic!("{err}")));
    });
    assert_eq!(
        commands("order.created", &body),
        vec![ShopCommand::Record(order_4217())]
    );
}

#[test]
fn body_that_is_not_an_order_is_refused_with_the_field() {
    assert!(error(b"webhook_id=12").starts_with("body is not a WooCommerce order: "));
    let missing_id = edited(PROCESSING, |order| {
        if let Some(fields) = order.as_object_mut() {
            fields.remove("id");
        }
    });
    assert!(
        error(&missing_id).contains("missing field `id`"),
        "{}",
        error(&missing_id)
    );
    let bad_quantity = edited(PROCESSING, |order| order["line_items"][1]["quantity"] = "two".into());
    assert!(
        error(&bad_quantity).contains("line_items[1].quantity"),
        "{}",
        error(&bad_quantity)
    );
}

#[test]
fn amounts_that_are_not_exact_in_the_currency_are_refused() {
    let body = edited(PROCESSING, |order| order["line_items"][0]["subtotal"] = "50.005".into());
    assert_eq!(
        error(&body),
        "line_items[0].subtotal: `50.005` has more than 2 decimal places"
    );
    let body = edited(JPY, |order| order["shipping_total"] = "800.50".into());
    assert_eq!(error(&body), "shipping_total: `800.50` has more than 0 decimal places");
}

#[test]
fn negative_or_huge_amounts_are_refused() {
    let body = edited(PROCESSING, |order| order["total_tax"] = "-1.00".into());
    assert!(error(&body).starts_with("total_tax: "), "{}", error(&body));
    let body = edited(PROCESSING, |order| order["shipping_total"] = "10000000000.01".into());
    assert!(error(&body).starts_with("shipping_total: "), "{}", error(&body));
    let body = edited(PROCESSING, |order| order["line_items"][1]["total"] = "30.00".into());
    assert!(error(&body).starts_with("line_items: "), "{}", error(&body));
    let body = edited(PROCESSING, |order| order["line_items"][0]["quantity"] = 0.into());
    assert_eq!(error(&body), "line_items[0].quantity: must be positive");
}

#[test]
fn unknown_currency_is_refused() {
    let body = edited(PROCESSING, |order| order["currency"] = "ABC".into());
    assert_eq!(error(&body), "currency: `ABC` is not an ISO 4217 currency");
}

#[test]
fn delivery_without_a_shop_host_is_refused() {
    assert!(map("order.created", "", PROCESSING.as_bytes()).is_err());
}

#[test]
fn dedupe_key_is_the_order_and_its_modification_time() {
    assert_eq!(
        dedupe_key(PROCESSING.as_bytes()).as_deref(),
        Some("4217:2026-11-30T10:13:06")
    );
    assert_eq!(
        dedupe_key(REFUNDED_PARTIAL.as_bytes()).as_deref(),
        Some("4217:2026-12-02T11:20:46")
    );
    assert_eq!(dedupe_key(b"webhook_id=12"), None);
    let unmodified = edited(PROCESSING, |order| order["date_modified_gmt"] = Value::Null);
    assert_eq!(dedupe_key(&unmodified), None);
}

#[test]
fn source_host_is_the_lower_cased_host_with_its_port() {
    let host = |source: &str| source_host(source);
    assert_eq!(host("https://Shop.Example.com/").as_deref(), Some("shop.example.com"));
    assert_eq!(host("https://shop.example.com").as_deref(), Some("shop.example.com"));
    assert_eq!(host("http://localhost:8080/").as_deref(), Some("localhost:8080"));
    assert_eq!(
        host("https://shop.example.com:443/").as_deref(),
        Some("shop.example.com")
    );
    assert_eq!(host("https://example.com/shop/").as_deref(), Some("example.com"));
    assert_eq!(host("shop.example.com"), None);
    assert_eq!(host("ftp://shop.example.com/"), None);
    assert_eq!(host(""), None);
}
