//! Read-path benchmark: dashboard latency at 1 k and 1 M orders, and payout CSV rows
//! per second with the process's peak memory. Not a test: it measures and writes the
//! figures to BENCHMARKS.md.
//!
//! `cargo bench --bench reports` (SQLite file in a temp dir, synchronous=FULL).
//! `REFTRACK_BENCH_ORDERS=1000,1000000` sets the volumes.

use std::time::{Duration, Instant};

use reftrack::seed::{self, SeedOptions};
use reftrack::store::{DbTarget, SqliteSync};
use serde_json::{Value, json};

mod support;
use support::{start_app, write_section};

const SAMPLES: usize = 20;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

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

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let volumes: Vec<u64> = std::env::var("REFTRACK_BENCH_ORDERS")
        .unwrap_or_else(|_| "1000,1000000".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = DbTarget::Sqlite(dir.path().join("bench.db").to_string_lossy().into_owned());
    let (db, base) = start_app(target, SqliteSync::Full, reftrack::api::limits::CHECKOUT_PER_SECOND);
    let client = reqwest::Client::new();

    let mut rows = Vec::new();
    for orders in volumes {
        let db2 = db.clone();
        let started = Instant::now();
        // A brand's ambassadors: 20 for a small history, one per thousand orders for a
        // large one; the dashboard read is the busiest ambassador's.
        let ambassadors = (orders / 1_000).max(20);
        let star_share = if ambassadors > 20 { 5 } else { 80 };
        let seeded = tokio::task::spawn_blocking(move || {
            seed::seed(
                &db2,
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
        .unwrap_or_else(|e| panic!("{e}"));
        let seed_secs = started.elapsed().as_secs_f64();
        let token = login(&client, &base, &seeded.star_email, "influencer").await;
        let _ = time_get(&client, &format!("{base}/v1/me/dashboard"), &token, 3).await; // warm up
        let last_30 = time_get(&client, &format!("{base}/v1/me/dashboard"), &token, SAMPLES).await;
        let year = time_get(
            &client,
            &format!(
                "{base}/v1/me/dashboard?from={}",
                (chrono::Utc::now() - chrono::Duration::days(365)).format("%Y-%m-%d")
            ),
            &token,
            SAMPLES / 3,
        )
        .await;
        let owner = login(&client, &base, &seeded.owner_email, "brand").await;
        let _ = time_get(&client, &format!("{base}/v1/brand/stats"), &owner, 3).await; // warm up
        let stats = time_get(&client, &format!("{base}/v1/brand/stats"), &owner, SAMPLES).await;
        eprintln!(
            "{orders} orders (seeded in {seed_secs:.1} s): dashboard p50 {} ms, brand stats p50 {} ms",
            ms(percentile(&last_30, 0.5)),
            ms(percentile(&stats, 0.5))
        );
        let mine = orders * star_share / 100 + orders * (100 - star_share) / 100 / ambassadors;
        rows.push(format!(
            "| {orders} orders, {ambassadors} ambassadors (≈{mine} for the one read) | {} | {} | {} | {} | {} | {} |",
            ms(percentile(&last_30, 0.5)),
            ms(percentile(&last_30, 0.95)),
            ms(percentile(&year, 0.5)),
            ms(percentile(&year, 0.95)),
            ms(percentile(&stats, 0.5)),
            ms(percentile(&stats, 0.95)),
        ));
    }

    // Payout CSV: a batch with many ambassadors.
    let ambassadors = std::env::var("REFTRACK_BENCH_PAYEES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000u64);
    let db2 = db.clone();
    let seeded = tokio::task::spawn_blocking(move || {
        seed::seed(
            &db2,
            &SeedOptions {
                orders: ambassadors * 4,
                ambassadors,
                star_share: 0,
                now: chrono::Utc::now(),
            },
        )
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    let owner = login(&client, &base, &seeded.owner_email, "brand").await;
    let batch: Value = client
        .post(format!("{base}/v1/brand/payouts"))
        .bearer_auth(&owner)
        .json(&json!({"currency": "USD"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let id = batch["id"].as_str().unwrap_or_default();
    let items = batch["item_count"].as_i64().unwrap_or(0);
    let rss_before = peak_rss_mib();
    let mut rates = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let body = client
            .get(format!("{base}/v1/brand/payouts/{id}?format=csv"))
            .bearer_auth(&owner)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .bytes()
            .await
            .unwrap_or_default();
        let lines = body.iter().filter(|b| **b == b'\n').count().saturating_sub(1);
        assert_eq!(lines as i64, items);
        rates.push(items as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    let csv_rate = rates[rates.len() / 2];
    let rss_after = peak_rss_mib();

    let date = chrono::Utc::now().format("%Y-%m-%d");
    let section = format!(
        "## Read paths (issues 5 and 18)\n\n\
         Measured {date} with `cargo bench --bench reports`: release build, SQLite file with \
         `synchronous=FULL`, the HTTP server and the client in one process on loopback, one request \
         at a time. Data from `reftrack::seed` (the code behind `reftrack dev seed`): at 1 k orders 20 \
         ambassadors with 80 % of the orders on the one whose dashboard is read; at 1 M orders \
         1,000 ambassadors with 5 % on that one; 3 clicks per order, 2 % refunded. \
         Medians of {SAMPLES} requests (5 for the one-year range). The dashboard and the brand's \
         statistics (`GET /v1/brand/stats`, the last 30 days, of the seeded brand) read the running totals.\n\n\
         | Volume | dashboard p50, 30 days (ms) | p95 (ms) | dashboard p50, 365 days (ms) | p95 (ms) | brand stats p50 (ms) | p95 (ms) |\n\
         |---|---|---|---|---|---|---|\n{}\n\n\
         Payout CSV (`GET /v1/brand/payouts/{{id}}?format=csv`, streamed): {items} rows, median of 5 \
         downloads **{csv_rate:.0} rows/s**; peak resident memory of the whole process {rss_before:.0} MiB \
         before the downloads and {rss_after:.0} MiB after (the export streams in pages of 1,000 rows).\n",
        rows.join("\n")
    );
    write_section("<!-- reports -->", &section);
    println!("{section}");
}
