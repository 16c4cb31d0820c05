//! The test harness: every test gets its own database and a real HTTP server on a
//! random port. The backend comes from the environment: SQLite (a temporary file) by
//! default, PostgreSQL (a database created for the test and dropped after it) when
//! `REFTRACK_TEST_POSTGRES_URL` is set.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use reftrack::api::client_ip::TrustedProxies;
use reftrack::clock::ManualClock;
use reftrack::config::{Config, LogFormat};
use reftrack::startup::{Application, open_database};
use reftrack::store::{Db, DbTarget, SqliteSync};
use serde_json::{Value, json};

pub const JWT_SECRET: &str = "test-secret-0123456789abcdef0123456789";
pub const PASSWORD: &str = "correct horse battery";

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("REFTRACK_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A database that exists for one test and is removed after it.
pub struct TestDatabase {
    pub target: DbTarget,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    pub fn create() -> Self {
        match postgres_admin_url() {
            Some(admin_url) => {
                let name = format!("reftrack_test_{}", uuid::Uuid::now_v7().simple());
                let mut admin =
                    PgConnection::establish(&admin_url).expect("REFTRACK_TEST_POSTGRES_URL must be reachable");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("REFTRACK_TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                Self {
                    target: DbTarget::Postgres(url.to_string()),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("reftrack-test.db");
                Self {
                    target: DbTarget::Sqlite(path.to_string_lossy().into_owned()),
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            // The server's pool may still hold connections: FORCE ends them.
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
            }
        }
    }
}

pub fn config_for(target: &DbTarget, jwt_secret: Option<&str>) -> Config {
    Config {
        database: target.clone(),
        bind: "127.0.0.1:0".into(),
        jwt_secret: jwt_secret.map(str::to_owned),
        sqlite_sync: SqliteSync::Full,
        log_format: LogFormat::Text,
        public_url: "https://go.example".into(),
        jobs_interval_secs: 0,
        checkout_lookups_per_sec: reftrack::api::limits::CHECKOUT_PER_SECOND,
        trusted_proxies: TrustedProxies::default(),
        body_read_timeout: std::time::Duration::from_secs(reftrack::config::DEFAULT_BODY_TIMEOUT_SECS),
        rate_limits: Default::default(),
        encryption_key: None,
        // Retries at once, and receivers on this machine: the tests' own listeners.
        webhook_retry_schedule: vec![0, 0],
        webhooks_allow_private: true,
        // No mail unless a test starts an SMTP sink; its retries at once too.
        smtp_url: None,
        mail_from: None,
        mail_retry_schedule: vec![0, 0],
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub db: Db,
    /// What sends webhooks and e-mail, as the server's passes do.
    pub dispatcher: reftrack::service::events::dispatch::Dispatcher,
    // Dropped last: the database outlives the server's use of it.
    pub database: TestDatabase,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(TestDatabase::create(), Some(JWT_SECRET)).await
}

/// The clock every test app starts with.
fn start_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()))
}

pub async fn spawn_app_on(database: TestDatabase, jwt_secret: Option<&str>) -> TestApp {
    spawn_with_clock(database, jwt_secret, start_clock())
}

pub fn spawn_with_clock(database: TestDatabase, jwt_secret: Option<&str>, clock: Arc<ManualClock>) -> TestApp {
    let config = config_for(&database.target, jwt_secret);
    spawn_with_config(database, &config, clock)
}

/// Like [`spawn_app`], with the configuration changed by `adjust` first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let database = TestDatabase::create();
    let mut config = config_for(&database.target, Some(JWT_SECRET));
    adjust(&mut config);
    spawn_with_config(database, &config, start_clock())
}

fn spawn_with_config(database: TestDatabase, config: &Config, clock: Arc<ManualClock>) -> TestApp {
    let db = open_database(config).expect("open test database");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let app = Application::build_with(listener, db.clone(), config, clock.clone()).expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let dispatcher = app.dispatcher();
    tokio::spawn(app.into_server());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        db,
        dispatcher,
        database,
    }
}

/// A response read whole: status, headers and JSON body (Null when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `field`s of a validation problem.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts a problem+json answer with this status and code.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "unexpected answer: {}",
            self.text
        );
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "{}",
            self.content_type()
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].as_str().is_some_and(|t| t.ends_with(code)));
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        body,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        read(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(reqwest::Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(reqwest::Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(reqwest::Method::DELETE, path, token, None).await
    }

    /// Sends raw bytes as a JSON body.
    pub async fn post_raw(&self, path: &str, token: Option<&str>, body: impl Into<reqwest::Body>) -> Reply {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        read(req.send().await.expect("request sent")).await
    }

    /// Signs up a brand with this slug; returns the whole 201 body.
    pub async fn sign_up_brand(&self, slug: &str) -> SignedUpBrand {
        let reply = self
            .post("/v1/brands", None, &brand_body(slug, &format!("owner@{slug}.example")))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        SignedUpBrand {
            id: reply.body["brand"]["id"].as_str().unwrap().to_owned(),
            email: format!("owner@{slug}.example"),
            access_token: reply.body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn sign_up_influencer(&self, email: &str) -> SignedUpInfluencer {
        let reply = self
            .post(
                "/v1/influencers",
                None,
                &json!({"email": email, "password": PASSWORD, "display_name": "Ana Influencer"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        SignedUpInfluencer {
            id: reply.body["influencer"]["id"].as_str().unwrap().to_owned(),
            access_token: reply.body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Creates an API key for the brand; returns (id, secret).
    pub async fn create_api_key(&self, brand_token: &str, name: &str) -> (String, String) {
        let reply = self
            .post("/v1/brand/api-keys", Some(brand_token), &json!({"name": name}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        (
            reply.body["id"].as_str().unwrap().to_owned(),
            reply.body["secret"].as_str().unwrap().to_owned(),
        )
    }
}

mod fixtures;
pub mod smtp_sink;

pub use fixtures::*;
