//! The security review (OWASP API Security Top 10, 2023) as tests, one file per heading:
//! tenant isolation on every object route (`api1`), the credential matrix of every route
//! (`api2_api5`), mass assignment and response contents (`api3`), resource limits
//! (`api4`), business flows (`api6`), redirects (`api7`), headers and hostile input
//! (`api8`). `SECURITY.md` maps each of its rows to the tests here and elsewhere in this
//! suite. This file holds the helpers the headings share.

mod api1;
mod api2_api5;
mod api3;
mod api4;
mod api6;
mod api7;
mod api8;
mod routes;
mod world;

use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, read};

const CUSTOMER_EMAIL: &str = "buyer@customer.example";

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn cart(code: Option<&str>) -> Value {
    let mut body = json!({"currency": "USD", "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    body
}

fn sale(order_id: &str, code: &str) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "customer_email": CUSTOMER_EMAIL,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]})
}

/// Any request, with the `Authorization` header given verbatim.
async fn call(app: &TestApp, method: Method, path: &str, authorization: Option<&str>, body: Option<&Value>) -> Reply {
    let mut req = app.client.request(method, app.url(path));
    if let Some(value) = authorization {
        req = req.header("authorization", value);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    read(req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"))).await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// One text column of every row a query returns (`SELECT … AS t …`).
fn column(app: &TestApp, sql: &str) -> Vec<String> {
    app.db
        .read_blocking(|conn| {
            diesel::sql_query(sql)
                .load::<TextRow>(conn)
                .map_err(reftrack::store::StoreError::from)
        })
        .map(|rows| rows.into_iter().map(|r| r.t).collect())
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
}
