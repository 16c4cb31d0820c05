//! Shared by the benchmark binaries: starting the server, writing their section of
//! BENCHMARKS.md.

// Each benchmark binary compiles this module and uses only part of it.
#![allow(dead_code)]

/// Replaces the text between `marker` lines in BENCHMARKS.md (or appends it).
pub fn write_section(marker: &str, section: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md");
    let current = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n\n".into());
    let block = format!("{marker}\n{section}{marker}\n");
    let updated = match (current.find(marker), current.rfind(marker)) {
        (Some(a), Some(b)) if b > a => format!("{}{block}{}", &current[..a], &current[b + marker.len() + 1..]),
        _ => format!("{current}\n{block}"),
    };
    let _ = std::fs::write(path, updated);
}

/// Opens the database (migrations applied) and serves reftrack on a free loopback
/// port from the current runtime; returns the database and the server's base URL.
pub fn start_app(
    target: reftrack::store::DbTarget,
    sync: reftrack::store::SqliteSync,
    checkout_lookups_per_sec: u32,
) -> (reftrack::store::Db, String) {
    let config = reftrack::config::Config {
        database: target,
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some("bench-secret-0123456789abcdef0123456789".into()),
        sqlite_sync: sync,
        log_format: reftrack::config::LogFormat::Text,
        public_url: "http://127.0.0.1".into(),
        jobs_interval_secs: 0,
        checkout_lookups_per_sec,
        trusted_proxies: Default::default(),
        body_read_timeout: std::time::Duration::from_secs(reftrack::config::DEFAULT_BODY_TIMEOUT_SECS),
        rate_limits: Default::default(),
        encryption_key: None,
        webhook_retry_schedule: Vec::new(),
        webhooks_allow_private: false,
        smtp_url: None,
        mail_from: None,
        mail_retry_schedule: Vec::new(),
    };
    let db = reftrack::startup::open_database(&config).unwrap_or_else(|e| panic!("{e}"));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let clock = std::sync::Arc::new(reftrack::clock::SystemClock);
    let app = reftrack::startup::Application::build_with(listener, db.clone(), &config, clock)
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.into_server());
    (db, base)
}

/// One side's run of [`load`]: successful requests per second, their latencies, and
/// failures.
pub struct Run {
    pub per_sec: f64,
    pub latencies: Vec<std::time::Duration>,
    pub errors: u64,
}

/// The `p` quantile (0–1) of sorted latencies.
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    if sorted.is_empty() {
        return std::time::Duration::ZERO;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

/// Drives `request` from `concurrency` tasks for `secs` seconds; a request succeeds when
/// it answers `expect`. Bodies are read whole so connections are reused. Latencies come
/// back sorted.
pub async fn load<F>(request: F, expect: u16, secs: u64, concurrency: usize) -> Run
where
    F: Fn() -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    use std::time::{Duration, Instant};
    let request = std::sync::Arc::new(request);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while Instant::now() < deadline {
                    let request = request();
                    let sent = Instant::now();
                    let ok = match request.send().await {
                        Ok(r) => r.status().as_u16() == expect && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if ok {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
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
        per_sec: all.len() as f64 / elapsed,
        latencies: all,
        errors,
    }
}

/// A PostgreSQL database created for one benchmark run on the server `admin_url`
/// names, dropped when this is dropped.
pub struct ScratchPostgres {
    pub target: reftrack::store::DbTarget,
    admin_url: String,
    name: String,
}

impl ScratchPostgres {
    pub fn create(admin_url: &str) -> Self {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("reftrack_bench_{}", uuid::Uuid::now_v7().simple());
        let mut admin = diesel::PgConnection::establish(admin_url).unwrap_or_else(|e| panic!("{e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut url = url::Url::parse(admin_url).unwrap_or_else(|e| panic!("{e}"));
        url.set_path(&name);
        Self {
            target: reftrack::store::DbTarget::Postgres(url.to_string()),
            admin_url: admin_url.to_owned(),
            name,
        }
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin);
        }
    }
}
