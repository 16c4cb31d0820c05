//! Growth benchmark: what the read paths, checkout and the exports cost as a brand's
//! history grows. Per volume (1 k, 100 k, 1 M orders by default) it seeds the history,
//! then measures the busiest ambassador's dashboard (30 and 365 days), the brand's
//! statistics, the brand's orders CSV (rows per second and the process's peak memory
//! before and after), and checkout orders per second against that history; at the end,
//! the payout CSV of a 20,000-ambassador batch. Not a test: it measures and writes the
//! figures to BENCHMARKS.md.
//!
//! `cargo bench --bench reports` runs on a SQLite file in a temp dir (synchronous=FULL).
//! `REFTRACK_BENCH_POSTGRES_URL=postgres://…` runs on PostgreSQL too, in a scratch
//! database it creates on that server and drops after. `REFTRACK_BENCH_ORDERS=1000,100000`
//! sets the volumes (`REFTRACK_BENCH_POSTGRES_ORDERS` PostgreSQL's, when they differ),
//! `REFTRACK_BENCH_SECS` (default 5) the checkout load's length.

use std::time::{Duration, Instant};

use reftrack::seed::{self, SeedOptions, Seeded};
use reftrack::store::{Db, DbTarget, SqliteSync};
use serde_json::{Value, json};

mod support;
use support::{ScratchPostgres, load, percentile, start_app, write_section};

const SAMPLES: usize = 20;
/// Concurrent checkout clients, as in the checkout benchmark.
const CLIENTS: usize = 16;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn login(client: &reqwest::Client, base: &str, email: &str, account: &str) -> String {
    let reply: Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": email, "password": seed::PASSWORD, "account": account}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .unwrap_or_else(|e| panic!("login: {e}"))
        .json()
        .await
        .unwrap_or_default();
    reply["access_token"].as_str().unwrap_or_default().to_owned()
}

async fn time_get(client: &reqwest::Client, url: &str, token: &str, samples: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        let response = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(response.status().is_success(), "{url}: {}", response.status());
        let _ = response.bytes().await;
        out.push(started.elapsed());
    }
    out.sort();
    out
}

/// Downloads a CSV `times` times: the median rows per second, and the process's peak
/// resident memory before and after the downloads.
async fn csv_rate(client: &reqwest::Client, url: &str, token: &str, expect_rows: u64, times: usize) -> Csv {
    let rss_before = peak_rss_mib();
    let mut rates = Vec::new();
    for _ in 0..times {
        let started = Instant::now();
        let mut response = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Counted as it streams: the client holds no more of the file than the server.
        let mut lines = 0u64;
        while let Some(chunk) = response.chunk().await.unwrap_or_else(|e| panic!("{e}")) {
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        }
        let rows = lines.saturating_sub(1);
        assert_eq!(rows, expect_rows, "{url}");
        rates.push(rows as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    Csv {
        rows: expect_rows,
        per_sec: rates[rates.len() / 2],
        rss_before,
        rss_after: peak_rss_mib(),
    }
}

struct Csv {
    rows: u64,
    per_sec: f64,
    rss_before: f64,
    rss_after: f64,
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// Seeds a brand's history on the blocking pool.
async fn seed_history(db: &Db, orders: u64, ambassadors: u64, star_share: u64) -> Seeded {
    let db = db.clone();
    tokio::task::spawn_blocking(move || {
        seed::seed(
            &db,
            &SeedOptions {
                orders,
                ambassadors,
                star_share,
                now: chrono::Utc::now(),
            },
        )
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"))
}

/// POSTs `body` as the holder of `token` and reads the JSON answer.
async fn post_json(client: &reqwest::Client, url: &str, token: &str, body: Value) -> Value {
    client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default()
}

/// Checkout against the seeded brand: new orders with the busiest ambassador's code from
/// [`CLIENTS`] clients for `secs` seconds. Orders per second and p99 latency.
async fn checkout_rate(client: &reqwest::Client, base: &str, owner: &str, secs: u64) -> (f64, Duration, u64) {
    let key = post_json(
        client,
        &format!("{base}/v1/brand/api-keys"),
        owner,
        json!({"name": "growth bench"}),
    )
    .await;
    let key = key["secret"].as_str().unwrap_or_default().to_owned();
    let url = format!("{base}/v1/checkout/orders");
    let order = move |client: &reqwest::Client| {
        client.post(&url).bearer_auth(&key).json(&json!({
            "order_id": format!("growth-{}", uuid::Uuid::now_v7().simple()),
            "code": "SEED0X", "currency": "USD", "discount_total": 500,
            "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}, {"sku": "MUG", "quantity": 1, "unit_price": 1999}]
        }))
    };
    let probe = order(client).send().await.unwrap_or_else(|e| panic!("{e}"));
    if probe.status().as_u16() != 201 {
        panic!(
            "checkout: {} {}",
            probe.status(),
            probe.text().await.unwrap_or_default()
        );
    }
    let client = client.clone();
    let run = load(move || order(&client), 201, secs, CLIENTS).await;
    (run.per_sec, percentile(&run.latencies, 0.99), run.errors)
}

/// Every figure of one backend.
async fn measure(backend: &str, target: DbTarget, volumes: &[u64], secs: u64) -> (Vec<String>, Vec<String>, String) {
    let (db, base) = start_app(target, SqliteSync::Full, reftrack::api::limits::CHECKOUT_PER_SECOND);
    let client = reqwest::Client::new();
    let (mut reads, mut growth) = (Vec::new(), Vec::new());
    let mut total_orders = 0;
    for &orders in volumes {
        // A brand's ambassadors: 20 for a small history, one per thousand orders for a
        // large one; the dashboard read is the busiest ambassador's.
        let ambassadors = (orders / 1_000).max(20);
        let star_share = if ambassadors > 20 { 5 } else { 80 };
        let started = Instant::now();
        let seeded = seed_history(&db, orders, ambassadors, star_share).await;
        total_orders += orders;
        let seed_secs = started.elapsed().as_secs_f64();
        // What the hourly pass does to a history: fold past days' shards.
        let started = Instant::now();
        let folded = reftrack::service::totals::compact(&db, chrono::Utc::now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let compact_secs = started.elapsed().as_secs_f64();
        // Compacting a whole year at once leaves a year of dead row versions on
        // PostgreSQL; autovacuum would clear them soon after, as it would after seeding.
        let vacuumed = db.clone();
        tokio::task::spawn_blocking(move || seed::vacuum_analyze(&vacuumed))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let token = login(&client, &base, &seeded.star_email, "influencer").await;
        let dashboard = format!("{base}/v1/me/dashboard");
        let _ = time_get(&client, &dashboard, &token, 3).await; // warm up
        let last_30 = time_get(&client, &dashboard, &token, SAMPLES).await;
        let from = (chrono::Utc::now() - chrono::Duration::days(365)).format("%Y-%m-%d");
        let year = time_get(&client, &format!("{dashboard}?from={from}"), &token, SAMPLES / 3).await;
        let owner = login(&client, &base, &seeded.owner_email, "brand").await;
        let stats_url = format!("{base}/v1/brand/stats");
        let _ = time_get(&client, &stats_url, &owner, 3).await; // warm up
        let stats = time_get(&client, &stats_url, &owner, SAMPLES).await;
        let csv = csv_rate(&client, &format!("{base}/v1/brand/orders.csv"), &owner, orders, 3).await;
        let (per_sec, p99, errors) = checkout_rate(&client, &base, &owner, secs).await;
        eprintln!(
            "{backend}, {orders} orders (seeded in {seed_secs:.1} s, {} table-days compacted in {compact_secs:.1} s): dashboard p50 {} ms, brand stats p50 {} ms, \
             orders CSV {:.0} rows/s, checkout {per_sec:.0}/s",
            folded.days,
            ms(percentile(&last_30, 0.5)),
            ms(percentile(&stats, 0.5)),
            csv.per_sec,
        );
        let mine = orders * star_share / 100 + orders * (100 - star_share) / 100 / ambassadors;
        reads.push(format!(
            "| {backend} | {orders} orders, {ambassadors} ambassadors (≈{mine} for the one read) | {} | {} | {} | {} | {} | {} |",
            ms(percentile(&last_30, 0.5)),
            ms(percentile(&last_30, 0.95)),
            ms(percentile(&year, 0.5)),
            ms(percentile(&year, 0.95)),
            ms(percentile(&stats, 0.5)),
            ms(percentile(&stats, 0.95)),
        ));
        growth.push(format!(
            "| {backend} | {orders} | {per_sec:.0} (p99 {} ms, {errors} errors) | {} | {} | {:.0} ({:.0} → {:.0} MiB) | {compact_secs:.1} |",
            ms(p99),
            ms(percentile(&last_30, 0.5)),
            ms(percentile(&year, 0.5)),
            csv.per_sec,
            csv.rss_before,
            csv.rss_after,
        ));
    }

    // Payout CSV: a batch with many ambassadors, in the database that now holds every
    // volume above.
    let payees = std::env::var("REFTRACK_BENCH_PAYEES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000u64);
    let seeded = seed_history(&db, payees * 4, payees, 0).await;
    total_orders += payees * 4;
    let owner = login(&client, &base, &seeded.owner_email, "brand").await;
    let batch = post_json(
        &client,
        &format!("{base}/v1/brand/payouts"),
        &owner,
        json!({"currency": "USD"}),
    )
    .await;
    let id = batch["id"].as_str().unwrap_or_default();
    let items = batch["item_count"].as_u64().unwrap_or(0);
    let url = format!("{base}/v1/brand/payouts/{id}?format=csv");
    let csv = csv_rate(&client, &url, &owner, items, 5).await;
    let payouts = format!(
        "{backend}: {} rows in a database of {total_orders} orders, median of 5 downloads **{:.0} rows/s**; \
         peak resident memory of the whole process {:.0} MiB before the downloads and {:.0} MiB after.",
        csv.rows, csv.per_sec, csv.rss_before, csv.rss_after
    );
    (reads, growth, payouts)
}

/// Order volumes from a comma-separated variable.
fn volumes_from(name: &str) -> Option<Vec<u64>> {
    let value = std::env::var(name).ok()?;
    Some(value.split(',').filter_map(|v| v.trim().parse().ok()).collect())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let volumes = volumes_from("REFTRACK_BENCH_ORDERS").unwrap_or_else(|| vec![1_000, 100_000, 1_000_000]);
    let secs = std::env::var("REFTRACK_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sqlite = DbTarget::Sqlite(dir.path().join("bench.db").to_string_lossy().into_owned());
    let (mut reads, mut growth, mut payouts) = measure("SQLite", sqlite, &volumes, secs).await;
    // Dropped (with its database) at the end of `main`.
    let scratch = std::env::var("REFTRACK_BENCH_POSTGRES_URL")
        .ok()
        .map(|url| ScratchPostgres::create(&url));
    if let Some(scratch) = &scratch {
        let volumes = volumes_from("REFTRACK_BENCH_POSTGRES_ORDERS").unwrap_or(volumes);
        let (r, g, p) = measure("PostgreSQL", scratch.target.clone(), &volumes, secs).await;
        reads.extend(r);
        growth.extend(g);
        payouts = format!("{payouts}\n\n{p}");
    }

    let date = chrono::Utc::now().format("%Y-%m-%d");
    let section = format!(
        "## Growth and read paths (issues 5 and 18)\n\n\
         Measured {date} with `REFTRACK_BENCH_POSTGRES_URL=postgres://… {} cargo bench --bench reports`: \
         release build, SQLite file with `synchronous=FULL` and a scratch PostgreSQL database, the HTTP \
         server and the client in one process on loopback. Data from `reftrack::seed` (the code behind \
         `reftrack dev seed`), one brand per volume in one growing database: at 1 k orders 20 \
         ambassadors with 80 % of the orders on the one whose dashboard is read; from 100 k orders one \
         ambassador per thousand orders with 5 % on that one; 3 clicks per order, 2 % refunded; the \
         PostgreSQL tables vacuumed and their statistics refreshed after seeding, as autovacuum would.\n\n\
         **Growth.** Checkout: new orders with the busiest ambassador's code from {CLIENTS} clients for \
         {secs} s against the brand's history (one run, so read it beside the checkout section's ratios \
         rather than as one). Dashboard: `GET /v1/me/dashboard` p50 of {SAMPLES} requests (30 days) and \
         of {} (365 days), one at a time. Orders CSV: `GET /v1/brand/orders.csv` of the whole history, \
         streamed, median of 3 downloads, with the process's peak resident memory before → after. \
         After seeding, the bench runs the totals compaction the server runs every hour (the \
         seeded history spans a year), vacuums PostgreSQL again, and measures after it.\n\n\
         | Database | Orders | checkout orders/s | dashboard p50, 30 days (ms) | dashboard p50, 365 days (ms) | orders CSV rows/s (peak RSS) | compaction of the seeded history (s) |\n\
         |---|---|---|---|---|---|---|\n{}\n\n\
         **Read paths** in more detail, with the brand's statistics (`GET /v1/brand/stats`, the last 30 \
         days). The dashboard and the statistics read the running totals.\n\n\
         | Database | Volume | dashboard p50, 30 days (ms) | p95 (ms) | dashboard p50, 365 days (ms) | p95 (ms) | brand stats p50 (ms) | p95 (ms) |\n\
         |---|---|---|---|---|---|---|---|\n{}\n\n\
         **Payout CSV** (`GET /v1/brand/payouts/{{id}}?format=csv`, streamed in pages of 1,000 rows):\n\n{payouts}\n",
        std::env::var("REFTRACK_BENCH_POSTGRES_ORDERS")
            .map(|v| format!("REFTRACK_BENCH_POSTGRES_ORDERS={v}"))
            .unwrap_or_default(),
        SAMPLES / 3,
        growth.join("\n"),
        reads.join("\n"),
    );
    write_section("<!-- reports -->", &section);
    println!("{section}");
}
