//! Checkout load: `POST /v1/checkout/orders` with unique orders at a fixed concurrency
//! for a fixed time, against a baseline endpoint in the same process that does only the
//! plain order-and-lines insert in one immediate transaction on the same database.
//! Not a test: it measures and writes the figures to BENCHMARKS.md.
//!
//! `cargo bench --bench checkout` — SQLite `full` and `normal`, and PostgreSQL when
//! `REFTRACK_BENCH_POSTGRES_URL` names a database to use (it is written to).
//! `REFTRACK_BENCH_SECS` (default 10) and `REFTRACK_BENCH_CONCURRENCY` (default 16).

use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use reftrack::store::codes;
use reftrack::store::ids::{BrandId, OrderId};
use reftrack::store::orders::{self, OrderLineRow, OrderRow};
use reftrack::store::{Db, DbTarget, SqliteSync, StoreError, time};
use serde_json::{Value, json};

mod support;
use support::{Run, load, percentile, start_app, write_section};

static SERIAL: AtomicU64 = AtomicU64::new(0);

#[derive(Clone, Copy)]
struct Settings {
    secs: u64,
    concurrency: usize,
    rounds: usize,
}

#[derive(serde::Deserialize)]
struct BaselineOrder {
    order_id: String,
    currency: String,
    lines: Vec<BaselineLine>,
}

#[derive(serde::Deserialize)]
struct BaselineLine {
    sku: String,
    quantity: i64,
    unit_price: i64,
}

/// The baseline: parse the body, insert the order and its lines in one write
/// transaction, answer 201. No auth, validation, attribution or idempotency.
async fn baseline_order(db: web::Data<(Db, BrandId)>, body: web::Json<BaselineOrder>) -> HttpResponse {
    let (db, brand) = (db.0.clone(), db.1);
    let body = body.into_inner();
    let done = web::block(move || {
        db.write_blocking(|conn| -> Result<(), StoreError> {
            let id = OrderId::generate();
            let now = time::to_db(chrono::Utc::now());
            let subtotal: i64 = body.lines.iter().map(|l| l.quantity * l.unit_price).sum();
            let order = OrderRow {
                id,
                brand_id: brand,
                order_id: body.order_id,
                currency: body.currency,
                subtotal,
                discount_total: 0,
                shipping_total: 0,
                tax_total: 0,
                net_amount: subtotal,
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
                attribution_reason: "baseline".into(),
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
            let lines: Vec<OrderLineRow> = body
                .lines
                .into_iter()
                .enumerate()
                .map(|(i, l)| OrderLineRow {
                    order_id: id,
                    line_no: i as i32,
                    sku: l.sku,
                    category: None,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    rate: None,
                })
                .collect();
            orders::insert(conn, &order, &lines).map_err(StoreError::from)
        })
    })
    .await;
    match done {
        Ok(Ok(())) => HttpResponse::Created().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// The code-check baseline: one indexed read of the code on the read pool, 200 or 404.
/// No auth, rate limit, membership or program.
async fn baseline_code(db: web::Data<(Db, BrandId)>, code: web::Path<String>) -> HttpResponse {
    let (db, brand) = (db.0.clone(), db.1);
    let found =
        web::block(move || db.read_blocking(|conn| codes::exists(conn, brand, &code).map_err(StoreError::from))).await;
    match found {
        Ok(Ok(true)) => HttpResponse::Ok().json(json!({"valid": true})),
        Ok(Ok(false)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

async fn scenario(name: &str, target: DbTarget, sync: SqliteSync, settings: Settings) -> (String, String) {
    let Settings {
        secs,
        concurrency,
        rounds,
    } = settings;
    // Code checks are measured for throughput, not against the per-key limit.
    let (db, base) = start_app(target, sync, 1_000_000);
    let client = reqwest::Client::new();

    // A brand, program, key and ambassador through the API.
    let slug = format!("bench-{}", &uuid::Uuid::now_v7().simple().to_string()[24..]);
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut r = client.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move {
            r.send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<Value>()
                .await
                .unwrap_or_default()
        }
    };
    let brand = post(
        "/v1/brands",
        None,
        json!({"name": "Bench", "slug": slug, "landing_url": "https://b.example",
        "currency": "USD", "owner_email": format!("o@{slug}.example"), "owner_password": "bench password"}),
    )
    .await;
    let token = brand["access_token"].as_str().unwrap_or_default().to_owned();
    let brand_id: BrandId = brand["brand"]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{brand}"));
    let program = post(
        "/v1/brand/programs",
        Some(&token),
        json!({"name": "P", "commission": {"type": "percent", "rate": "10"}}),
    )
    .await;
    let key = post("/v1/brand/api-keys", Some(&token), json!({"name": "bench"})).await["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let invite = post(
        "/v1/brand/invitations",
        Some(&token),
        json!({"email": format!("a@{slug}.example"), "program_id": program["id"]}),
    )
    .await;
    let influencer = post(
        "/v1/influencers",
        None,
        json!({"email": format!("a@{slug}.example"), "password": "bench password", "display_name": "Ana"}),
    )
    .await;
    let membership = post(
        "/v1/me/invitations/accept",
        influencer["access_token"].as_str(),
        json!({"token": invite["token"]}),
    )
    .await;
    let code = membership["codes"][0]["code"].as_str().unwrap_or_default().to_owned();

    let baseline_listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let baseline = format!(
        "http://127.0.0.1:{}",
        baseline_listener.local_addr().map(|a| a.port()).unwrap_or(0)
    );
    let data = web::Data::new((db.clone(), brand_id));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/orders", web::post().to(baseline_order))
            .route("/codes/{code}", web::get().to(baseline_code))
    })
    .listen(baseline_listener)
    .unwrap_or_else(|e| panic!("{e}"))
    .run();
    tokio::spawn(server);

    let body = json!({"order_id": "", "code": code, "currency": "USD", "discount_total": 500,
        "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}, {"sku": "MUG", "quantity": 1, "unit_price": 1999}]});
    let order = |url: String, key: Option<String>| {
        let (client, body) = (client.clone(), body.clone());
        move || {
            let mut body = body.clone();
            body["order_id"] = json!(format!("bench-{}", SERIAL.fetch_add(1, Ordering::Relaxed)));
            let request = client.post(&url).json(&body);
            match &key {
                Some(key) => request.bearer_auth(key),
                None => request,
            }
        }
    };
    let lookup = |url: String, key: Option<String>| {
        let client = client.clone();
        move || {
            let request = client.get(&url);
            match &key {
                Some(key) => request.bearer_auth(key),
                None => request,
            }
        }
    };
    // Rounds alternate which side goes first, so neither always runs on a warmer
    // machine; throughput is the median of the rounds, latencies pool every request.
    let mut orders = Comparison::default();
    let mut lookups = Comparison::default();
    // `REFTRACK_BENCH_PART=codes` (or `orders`) runs one half alone, for profiling.
    let part = std::env::var("REFTRACK_BENCH_PART").unwrap_or_default();
    for round in 0..rounds {
        let baseline_first = round % 2 == 0;
        for side in [baseline_first, !baseline_first] {
            if part == "codes" {
                break;
            }
            if side {
                let run = load(order(format!("{baseline}/orders"), None), 201, secs, concurrency).await;
                orders.baseline.push(run);
            } else {
                let run = load(
                    order(format!("{base}/v1/checkout/orders"), Some(key.clone())),
                    201,
                    secs,
                    concurrency,
                )
                .await;
                orders.reftrack.push(run);
            }
        }
        for side in [baseline_first, !baseline_first] {
            if part == "orders" {
                break;
            }
            if side {
                let run = load(lookup(format!("{baseline}/codes/{code}"), None), 200, secs, concurrency).await;
                lookups.baseline.push(run);
            } else {
                let url = format!("{base}/v1/checkout/codes/{code}");
                let run = load(lookup(url, Some(key.clone())), 200, secs, concurrency).await;
                lookups.reftrack.push(run);
            }
        }
    }
    eprintln!("{name}: orders {}; code checks {}", orders.summary(), lookups.summary());
    (orders.row(name), lookups.row(name))
}

/// Both sides' rounds of one measurement.
#[derive(Default)]
struct Comparison {
    reftrack: Vec<Run>,
    baseline: Vec<Run>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

impl Comparison {
    fn per_sec(runs: &[Run]) -> f64 {
        median(runs.iter().map(|r| r.per_sec).collect())
    }

    fn latency(runs: &[Run]) -> String {
        let mut all: Vec<Duration> = runs.iter().flat_map(|r| r.latencies.iter().copied()).collect();
        all.sort();
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        format!(
            "{} / {} / {}",
            ms(percentile(&all, 0.5)),
            ms(percentile(&all, 0.95)),
            ms(percentile(&all, 0.99))
        )
    }

    fn errors(runs: &[Run]) -> u64 {
        runs.iter().map(|r| r.errors).sum()
    }

    /// Median over rounds of reftrack ÷ baseline within the round.
    fn ratio(&self) -> f64 {
        median(
            self.reftrack
                .iter()
                .zip(&self.baseline)
                .map(|(r, b)| r.per_sec / b.per_sec.max(f64::MIN_POSITIVE))
                .collect(),
        )
    }

    fn summary(&self) -> String {
        format!(
            "reftrack {:.0}/s, baseline {:.0}/s, ratio {:.2}",
            Self::per_sec(&self.reftrack),
            Self::per_sec(&self.baseline),
            self.ratio()
        )
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {:.0} | {} | {} | {:.0} | {} | {} | **{:.2}** |",
            Self::per_sec(&self.reftrack),
            Self::latency(&self.reftrack),
            Self::errors(&self.reftrack),
            Self::per_sec(&self.baseline),
            Self::latency(&self.baseline),
            Self::errors(&self.baseline),
            self.ratio(),
        )
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[actix_web::main]
async fn main() {
    let settings = Settings {
        secs: env_or("REFTRACK_BENCH_SECS", 5),
        concurrency: env_or("REFTRACK_BENCH_CONCURRENCY", 16),
        rounds: env_or("REFTRACK_BENCH_ROUNDS", 3),
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sqlite = |name: &str| DbTarget::Sqlite(dir.path().join(name).to_string_lossy().into_owned());
    let mut scenarios = vec![
        ("SQLite, synchronous=FULL", sqlite("full.db"), SqliteSync::Full),
        ("SQLite, synchronous=NORMAL", sqlite("normal.db"), SqliteSync::Normal),
    ];
    if let Ok(url) = std::env::var("REFTRACK_BENCH_POSTGRES_URL") {
        scenarios.push(("PostgreSQL", DbTarget::Postgres(url), SqliteSync::Full));
    }
    let only = std::env::var("REFTRACK_BENCH_ONLY").ok();
    let (mut orders, mut lookups) = (Vec::new(), Vec::new());
    for (name, target, sync) in scenarios {
        if only.as_deref().is_some_and(|only| !name.contains(only)) {
            continue;
        }
        let (order_row, lookup_row) = scenario(name, target, sync, settings).await;
        orders.push(order_row);
        lookups.push(lookup_row);
    }
    let Settings {
        secs,
        concurrency,
        rounds,
    } = settings;
    let header = "| Database | reftrack req/s | reftrack latency | errors | baseline req/s | baseline latency | errors | reftrack ÷ baseline |\n\
                  |---|---|---|---|---|---|---|---|";
    let section = format!(
        "## Checkout (issue 6)\n\n\
         Measured {} with `cargo bench --bench checkout` (add `REFTRACK_BENCH_POSTGRES_URL=…` for \
         PostgreSQL): release build, server, baseline and load generator in one process on \
         loopback; {concurrency} concurrent clients, {rounds} rounds of {secs} s per side, the two \
         sides alternating which goes first. req/s is the median of the rounds, the ratio the median \
         of the per-round ratios; latencies p50 / p95 / p99 in ms over every request of a side.\n\n\
         **Orders** (`POST /v1/checkout/orders`, every request a new order with two lines and a \
         code). Baseline: an actix endpoint that parses the body and inserts the order and its \
         lines in one write transaction on the same database, same pool and settings — no auth, \
         validation, attribution, commission, ledger or idempotency.\n\n{header}\n{}\n\n\
         **Code checks** (`GET /v1/checkout/codes/{{code}}`, a valid code; the per-key limit raised \
         out of the way with `REFTRACK_CHECKOUT_LOOKUPS_PER_SEC`). Baseline: one indexed read of \
         the code on the read pool.\n\n{header}\n{}\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        orders.join("\n"),
        lookups.join("\n"),
    );
    write_section("<!-- checkout -->", &section);
    println!("{section}");
}
