//! Shared by the benchmark binaries: starting the server, writing their section of
//! BENCHMARKS.md.

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
