//! Checkout load: `POST /v1/checkout/orders` with unique orders at a fixed concurrency
//! for a fixed time, against a baseline endpoint in the same process that does only the
//! plain order-and-lines insert in one immediate transaction on the same database.
//! Not a test: it measures and writes the figures to BENCHMARKS.md.
//!
//! `cargo bench --bench checkout` — SQLite `full` and `normal`, and PostgreSQL when
//! `REFTRACK_BENCH_POSTGRES_URL` names a database to use (it is written to).
//! `REFTRACK_BENCH_SECS` (default 10) and `REFTRACK_BENCH_CONCURRENCY` (default 16).

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use reftrack::clock::SystemClock;
use reftrack::config::{Config, LogFormat};
use reftrack::startup::{Application, open_database};
use reftrack::store::ids::{BrandId, OrderId};
use reftrack::store::orders::{self, OrderLineRow, OrderRow};
use reftrack::store::{Db, DbTarget, SqliteSync, StoreError, time};
use serde_json::{Value, json};

mod support;
use support::write_section;

static SERIAL: AtomicU64 = AtomicU64::new(0);

struct Run {
    orders_per_sec: f64,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    errors: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

async fn load(
    client: &reqwest::Client,
    url: String,
    auth: Option<String>,
    body: Value,
    secs: u64,
    concurrency: usize,
) -> Run {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, auth, body) = (client.clone(), url.clone(), auth.clone(), body.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while Instant::now() < deadline {
                    let mut body = body.clone();
                    body["order_id"] = json!(format!("bench-{}", SERIAL.fetch_add(1, Ordering::Relaxed)));
                    let mut request = client.post(&url).json(&body);
                    if let Some(auth) = &auth {
                        request = request.bearer_auth(auth);
                    }
                    let sent = Instant::now();
                    match request.send().await {
                        Ok(r) if r.status().as_u16() == 201 => latencies.push(sent.elapsed()),
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (latencies, e) = task.await.unwrap_or_default();
        all.extend(latencies);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Run {
        orders_per_sec: all.len() as f64 / elapsed,
        p50: percentile(&all, 0.5),
        p95: percentile(&all, 0.95),
        p99: percentile(&all, 0.99),
        errors,
    }
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
async fn baseline(db: web::Data<(Db, BrandId)>, body: web::Json<BaselineOrder>) -> HttpResponse {
    let (db, brand) = (db.0.clone(), db.1);
    let body = body.into_inner();
    let done = web::block(move || {
        db.write_tx(|conn| -> Result<(), StoreError> {
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

async fn scenario(name: &str, target: DbTarget, sync: SqliteSync, secs: u64, concurrency: usize) -> String {
    let config = Config {
        database: target,
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some("bench-secret-0123456789abcdef0123456789".into()),
        sqlite_sync: sync,
        log_format: LogFormat::Text,
        public_url: "http://127.0.0.1".into(),
        jobs_interval_secs: 0,
    };
    let db = open_database(&config).unwrap_or_else(|e| panic!("{e}"));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let app =
        Application::build_with(listener, db.clone(), &config, Arc::new(SystemClock)).unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.into_server());
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
    let baseline_port = baseline_listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let data = web::Data::new((db.clone(), brand_id));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/orders", web::post().to(baseline))
    })
    .listen(baseline_listener)
    .unwrap_or_else(|e| panic!("{e}"))
    .run();
    tokio::spawn(server);

    let body = json!({"order_id": "", "code": code, "currency": "USD", "discount_total": 500,
        "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}, {"sku": "MUG", "quantity": 1, "unit_price": 1999}]});
    let baseline_run = load(
        &client,
        format!("http://127.0.0.1:{baseline_port}/orders"),
        None,
        body.clone(),
        secs,
        concurrency,
    )
    .await;
    let reftrack_run = load(
        &client,
        format!("{base}/v1/checkout/orders"),
        Some(key),
        body,
        secs,
        concurrency,
    )
    .await;
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    eprintln!(
        "{name}: reftrack {:.0}/s, baseline {:.0}/s",
        reftrack_run.orders_per_sec, baseline_run.orders_per_sec
    );
    format!(
        "| {name} | {:.0} | {} / {} / {} | {} | {:.0} | {} / {} / {} | {} | **{:.2}** |",
        reftrack_run.orders_per_sec,
        ms(reftrack_run.p50),
        ms(reftrack_run.p95),
        ms(reftrack_run.p99),
        reftrack_run.errors,
        baseline_run.orders_per_sec,
        ms(baseline_run.p50),
        ms(baseline_run.p95),
        ms(baseline_run.p99),
        baseline_run.errors,
        reftrack_run.orders_per_sec / baseline_run.orders_per_sec.max(f64::MIN_POSITIVE),
    )
}

#[actix_web::main]
async fn main() {
    let secs = std::env::var("REFTRACK_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let concurrency = std::env::var("REFTRACK_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sqlite = |name: &str| DbTarget::Sqlite(dir.path().join(name).to_string_lossy().into_owned());
    let mut rows = vec![
        scenario(
            "SQLite, synchronous=FULL",
            sqlite("full.db"),
            SqliteSync::Full,
            secs,
            concurrency,
        )
        .await,
        scenario(
            "SQLite, synchronous=NORMAL",
            sqlite("normal.db"),
            SqliteSync::Normal,
            secs,
            concurrency,
        )
        .await,
    ];
    if let Ok(url) = std::env::var("REFTRACK_BENCH_POSTGRES_URL") {
        rows.push(
            scenario(
                "PostgreSQL",
                DbTarget::Postgres(url),
                SqliteSync::Full,
                secs,
                concurrency,
            )
            .await,
        );
    }
    let section = format!(
        "## Checkout orders (issue 6, first measurement)\n\n\
         Measured {} with `cargo bench --bench checkout` (add `REFTRACK_BENCH_POSTGRES_URL=…` for \
         PostgreSQL): release build; {concurrency} concurrent clients for {secs} s each, every request \
         a new order with two lines and a code; the baseline is an actix endpoint in the same process \
         that only inserts the order and its lines in one write transaction on the same database, \
         same pool and settings. Latencies p50 / p95 / p99 in ms.\n\n\
         | Database | reftrack orders/s | reftrack latency | errors | baseline orders/s | baseline latency | errors | reftrack ÷ baseline |\n\
         |---|---|---|---|---|---|---|---|\n{}\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        rows.join("\n")
    );
    write_section("<!-- checkout -->", &section);
    println!("{section}");
}
