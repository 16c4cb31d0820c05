//! `GET /v1/brand/orders.csv`: the order list's filters, one row per order, cells
//! escaped against formulas, streamed page by page, only the brand's own orders.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Reply, TestApp, spawn_app};

const HEADER: &str = "order_id,placed_at,currency,subtotal,discount,net,refunded,commission,\
                      commission_reversed,commission_status,available_at,ambassador,ambassador_email,code,\
                      attribution_method,attribution_reason,commission_currency,fx_rate";

fn order(order_id: &str, code: Option<&str>, unit_price: i64, placed_at: Option<&str>) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0, "placed_at": placed_at,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": unit_price}]})
}

/// The file's records (header first), parsed as a spreadsheet would read them.
fn records(reply: &Reply) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(reply.text.as_bytes())
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{e}: {}", reply.text))
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// The shop's order ids of the file, in its order.
fn ids(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    records(reply).into_iter().skip(1).map(|r| r[0].clone()).collect()
}

/// The shop's order ids of the JSON list with the same filters.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let reply = app
        .get(&format!("/v1/brand/orders?limit=200&{query}"), Some(token))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| o["order_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_file_takes_the_lists_filters_and_shows_each_orders_money() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    for (id, code, price, placed_at) in [
        ("O-1", Some(p.code.as_str()), 10_000, Some("2026-10-01T10:00:00Z")),
        ("O-2", None, 5_000, Some("2026-10-15T10:00:00.5Z")),
        ("O-3", Some(p.code.as_str()), 20_000, None),
    ] {
        let reply = app
            .post("/v1/checkout/orders", key, &order(id, code, price, placed_at))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    app.post("/v1/checkout/orders/O-3/cancel", key, &json!({})).await;
    let token = p.brand.access_token.as_str();

    let all = app.get("/v1/brand/orders.csv", Some(token)).await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.content_type(), "text/csv; charset=utf-8");
    assert_eq!(
        all.headers.get("content-disposition").and_then(|v| v.to_str().ok()),
        Some("attachment; filename=\"orders.csv\"")
    );
    assert!(all.text.starts_with(&format!("{HEADER}\r\n")), "{}", all.text);
    let rows = records(&all);
    let row = |id: &str| rows.iter().find(|r| r[0] == id).cloned().unwrap_or_default();
    let placed = |at: &str| {
        at.parse::<DateTime<Utc>>()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    };
    assert_eq!(
        row("O-1"),
        [
            "O-1",
            "2026-10-01T10:00:00Z",
            "USD",
            "100.00",
            "0.00",
            "100.00",
            "0.00",
            "10.00",
            "0.00",
            "pending",
            "2026-10-31T10:00:00Z",
            "Ana Influencer",
            "ana@acme.example",
            p.code.as_str(),
            "code",
            "code",
            "USD",
            "",
        ]
    );
    assert_eq!(Ok(row("O-2")[1].clone()), placed("2026-10-15T10:00:00.5Z"));
    assert_eq!(
        row("O-2")[2..],
        [
            "USD",
            "50.00",
            "0.00",
            "50.00",
            "0.00",
            "0.00",
            "0.00",
            "none",
            "",
            "",
            "",
            "",
            "none",
            "no_referral",
            "USD",
            ""
        ]
    );
    assert_eq!(
        row("O-3")[6..10],
        ["200.00", "20.00", "20.00", "reversed"],
        "cancelled: refunded whole, commission reversed whole"
    );

    // Exactly the list's filters, newest first.
    for query in [
        String::new(),
        "status=pending".into(),
        "status=none".into(),
        "status=reversed".into(),
        format!("ambassador_id={}", p.membership_id),
        format!("code={}", p.code.to_lowercase()),
        "code=NOPE".into(),
        "code=%20".into(),
        "from=2026-10-10T00:00:00Z&to=2026-11-01T00:00:00Z".into(),
        format!("status=reversed&code={}", p.code),
    ] {
        let file = app.get(&format!("/v1/brand/orders.csv?{query}"), Some(token)).await;
        assert_eq!(ids(&file), listed(&app, token, &query).await, "{query}");
    }
    assert_eq!(ids(&all), ["O-3", "O-2", "O-1"]);
    let none = app.get("/v1/brand/orders.csv?code=NOPE", Some(token)).await;
    assert_eq!(none.text, format!("{HEADER}\r\n"), "no orders: the header alone");

    let bad = app
        .get("/v1/brand/orders.csv?status=lost&ambassador_id=x", Some(token))
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["ambassador_id", "status"]);
    let paged = app.get("/v1/brand/orders.csv?limit=10", Some(token)).await;
    paged.assert_problem(422, "validation_failed");
    assert_eq!(paged.fields(), ["query"]);
    assert_eq!(app.get("/v1/brand/orders.csv", Some(&p.api_key)).await.status, 401);
}

#[tokio::test]
async fn a_name_or_order_id_that_reads_as_a_formula_is_escaped() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let evil_name = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    let evil = app
        .post(
            "/v1/influencers",
            None,
            &json!({"email": "eve@evil.example", "password": PASSWORD, "display_name": evil_name}),
        )
        .await;
    assert_eq!(evil.status, 201, "{}", evil.text);
    let membership = app
        .join(
            &p.brand.access_token,
            &p.program_id,
            "eve@evil.example",
            evil.body["access_token"].as_str().unwrap_or_default(),
        )
        .await;
    let code = membership["codes"][0]["code"].as_str().unwrap_or_default().to_owned();
    let key = Some(p.api_key.as_str());
    let reply = app
        .post(
            "/v1/checkout/orders",
            key,
            &order("=SUM(A1:A9)", Some(&code), 10_000, None),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);

    let file = app.get("/v1/brand/orders.csv", Some(&p.brand.access_token)).await;
    assert_eq!(file.status, 200, "{}", file.text);
    let rows = records(&file);
    assert_eq!(rows[1][0], "'=SUM(A1:A9)");
    assert_eq!(rows[1][11], format!("'{evil_name}"));
    assert_eq!(rows[1][12], "eve@evil.example");
    assert!(
        file.text
            .contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\""),
        "quoted as RFC 4180 wants: {}",
        file.text
    );
    // Amounts stay numbers.
    assert_eq!(rows[1][3], "100.00");
}

/// Inserts `n` unattributed orders of `brand` in one transaction, as the shop would
/// have recorded them (the HTTP path is tested above; this one is about volume).
async fn insert_orders(app: &TestApp, brand: &str, prefix: &str, n: usize) {
    use reftrack::store::ids::{BrandId, OrderId};
    use reftrack::store::orders::{OrderLineRow, OrderRow};
    let brand: BrandId = brand.parse().unwrap_or_else(|_| panic!("brand id {brand}"));
    let now = reftrack::store::time::to_db(reftrack::clock::Clock::now(app.clock.as_ref()));
    let prefix = prefix.to_owned();
    app.db
        .write(move |conn| {
            for i in 0..n {
                let id = OrderId::generate();
                let row = OrderRow {
                    id,
                    brand_id: brand,
                    order_id: format!("{prefix}{i:05}"),
                    currency: "USD".into(),
                    subtotal: 1_000,
                    discount_total: 0,
                    shipping_total: 0,
                    tax_total: 0,
                    net_amount: 1_000,
                    placed_at: now,
                    created_at: now,
                    membership_id: None,
                    program_id: None,
                    terms_version: None,
                    code_id: None,
                    click_id: None,
                    commission: 0,
                    commission_rate: None,
                    attribution_method: "none".into(),
                    attribution_reason: "no_referral".into(),
                    attribution_candidates: "[]".into(),
                    flags: "[]".into(),
                    customer_email_hash: None,
                    signals: "[]".into(),
                    review: None,
                    used_code_id: None,
                    fx_rate: None,
                    fx_source: None,
                    fx_at: None,
                    fx_currency: None,
                    fx_net: None,
                };
                let line = OrderLineRow {
                    order_id: id,
                    line_no: 0,
                    sku: "BEANS".into(),
                    category: None,
                    quantity: 1,
                    unit_price: 1_000,
                    rate: None,
                };
                reftrack::store::orders::insert(conn, &row, &[line])?;
            }
            Ok::<_, reftrack::store::StoreError>(())
        })
        .await
        .unwrap_or_else(|e| panic!("insert orders: {e:?}"));
}

#[tokio::test]
async fn more_orders_than_a_page_all_stream_newest_first_and_no_other_brands() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let other = app.program_with_ambassador("globex").await;
    insert_orders(&app, &p.brand.id, "A-", 2_000).await;
    insert_orders(&app, &other.brand.id, "G-", 20).await;
    let reply = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order("LAST", Some(&p.code), 10_000, None),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let theirs = app
        .post(
            "/v1/checkout/orders",
            Some(&other.api_key),
            &order("THEIRS", Some(&other.code), 10_000, None),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);

    let file = app.get("/v1/brand/orders.csv", Some(&p.brand.access_token)).await;
    let got = ids(&file);
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        order_id: String,
    }
    let brand = p.brand.id.clone();
    let expected: Vec<String> = app
        .db
        .read_blocking(move |conn| {
            diesel::RunQueryDsl::load::<Id>(
                diesel::sql_query("SELECT order_id FROM orders WHERE brand_id = $1 ORDER BY id DESC")
                    .bind::<diesel::sql_types::Text, _>(brand),
                conn,
            )
            .map_err(reftrack::store::StoreError::from)
        })
        .unwrap_or_else(|e| panic!("{e:?}"))
        .into_iter()
        .map(|r| r.order_id)
        .collect();
    assert_eq!(got.len(), 2_001, "three pages: 1,000 + 1,000 + 1");
    assert_eq!(got, expected);
    assert_eq!(got[0], "LAST");
    assert!(!file.text.contains("G-") && !file.text.contains("THEIRS") && !file.text.contains("globex"));
    // A header, 2,001 rows, CRLF after each.
    assert_eq!(file.text.matches("\r\n").count(), 2_002);
}
