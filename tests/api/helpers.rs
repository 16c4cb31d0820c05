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
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub db: Db,
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
    tokio::spawn(app.into_server());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        db,
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

impl TestApp {
    /// A fresh access token (after the clock moved past the old one's 15 minutes).
    pub async fn login(&self, email: &str, account: &str) -> String {
        let reply = self
            .post(
                "/v1/auth/login",
                None,
                &json!({"email": email, "password": PASSWORD, "account": account}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }
}

pub fn brand_body(slug: &str, email: &str) -> Value {
    json!({
        "name": "Acme Coffee",
        "slug": slug,
        "landing_url": "https://acme.example/shop?src=ig",
        "currency": "USD",
        "owner_email": email,
        "owner_password": PASSWORD,
    })
}

pub struct SignedUpBrand {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

pub struct SignedUpInfluencer {
    pub id: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// A brand with a program, an API key and one active ambassador with one code.
pub struct Program {
    pub brand: SignedUpBrand,
    pub program_id: String,
    pub api_key: String,
    pub influencer: SignedUpInfluencer,
    pub membership_id: String,
    pub code: String,
    pub code_id: String,
}

pub fn program_body() -> Value {
    json!({
        "name": "Ambassadors",
        "commission": {"type": "percent", "rate": "10"},
        "customer_discount": {"type": "percent", "value": "15"},
        "hold_days": 30,
        "rewards": [{"every_orders": 3, "sku": "FREE-BAG", "description": "A free bag of coffee"}],
        "min_payout": 2000
    })
}

impl TestApp {
    pub async fn create_program(&self, brand_token: &str, body: &Value) -> String {
        let reply = self.post("/v1/brand/programs", Some(brand_token), body).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// Invites `email` into the program and accepts as `influencer`; returns the membership.
    pub async fn join(&self, brand_token: &str, program_id: &str, email: &str, influencer_token: &str) -> Value {
        let invite = self
            .post(
                "/v1/brand/invitations",
                Some(brand_token),
                &json!({"email": email, "program_id": program_id}),
            )
            .await;
        assert_eq!(invite.status, 201, "{}", invite.text);
        let accept = self
            .post(
                "/v1/me/invitations/accept",
                Some(influencer_token),
                &json!({"token": invite.body["token"]}),
            )
            .await;
        assert_eq!(accept.status, 201, "{}", accept.text);
        accept.body
    }

    pub async fn program_with_ambassador(&self, slug: &str) -> Program {
        self.program_with_terms(slug, &program_body()).await
    }

    pub async fn program_with_terms(&self, slug: &str, terms: &Value) -> Program {
        let brand = self.sign_up_brand(slug).await;
        let program_id = self.create_program(&brand.access_token, terms).await;
        let (_, api_key) = self.create_api_key(&brand.access_token, "shop").await;
        let email = format!("ana@{slug}.example");
        let influencer = self.sign_up_influencer(&email).await;
        let membership = self
            .join(&brand.access_token, &program_id, &email, &influencer.access_token)
            .await;
        Program {
            program_id,
            api_key,
            membership_id: membership["id"].as_str().unwrap().to_owned(),
            code: membership["codes"][0]["code"].as_str().unwrap().to_owned(),
            code_id: membership["codes"][0]["id"].as_str().unwrap().to_owned(),
            influencer,
            brand,
        }
    }
}

// ---------------------------------------------------------------------------------
// Orders, ledger and maturation
// ---------------------------------------------------------------------------------

/// POSTs a raw JSON body with an optional `Idempotency-Key`; usable from spawned tasks.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    idempotency_key: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let mut req = client
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body);
    if let Some(key) = idempotency_key {
        req = req.header("idempotency-key", key);
    }
    read(req.send().await.expect("request sent")).await
}

#[derive(diesel::QueryableByName)]
struct Scalar {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

impl Reply {
    /// True when this answer is a stored one replayed.
    pub fn replayed(&self) -> bool {
        self.headers
            .get("idempotent-replayed")
            .is_some_and(|v| v.as_bytes() == b"true")
    }
}

impl TestApp {
    /// POSTs JSON with an optional `Idempotency-Key` header.
    pub async fn post_keyed(&self, path: &str, token: &str, key: Option<&str>, body: &Value) -> Reply {
        post_json(&self.client, &self.url(path), token, key, body.to_string()).await
    }

    /// One BIGINT from a query written `SELECT … AS n …`, read on a read connection.
    pub fn scalar(&self, sql: &str) -> i64 {
        self.db
            .read_blocking(|conn| {
                diesel::sql_query(sql)
                    .get_result::<Scalar>(conn)
                    .map_err(reftrack::store::StoreError::from)
            })
            .map(|row| row.n)
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }

    /// `SELECT CAST(COUNT(*) AS BIGINT) AS n FROM <from_where>`.
    pub fn count(&self, from_where: &str) -> i64 {
        self.scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {from_where}"))
    }

    /// One maturation pass at the clock's now, as the job runs it.
    pub async fn mature(&self) -> reftrack::service::maturation::PassReport {
        let now = reftrack::clock::Clock::now(self.clock.as_ref());
        reftrack::service::maturation::run_pass(&self.db, now)
            .await
            .unwrap_or_else(|e| panic!("maturation pass failed: {e:?}"))
    }

    /// Signs up an influencer with this e-mail and has them join the program; returns
    /// (influencer, membership id, code).
    /// `brand_token` must be fresh (see [`TestApp::login`]).
    pub async fn add_ambassador(
        &self,
        p: &Program,
        brand_token: &str,
        email: &str,
    ) -> (SignedUpInfluencer, String, String) {
        let influencer = self.sign_up_influencer(email).await;
        let membership = self
            .join(brand_token, &p.program_id, email, &influencer.access_token)
            .await;
        let id = membership["id"].as_str().unwrap_or_default().to_owned();
        let code = membership["codes"][0]["code"].as_str().unwrap_or_default().to_owned();
        (influencer, id, code)
    }

    /// Follows the referral link `/r/{slug}/{code}` and returns the click id it carries.
    pub async fn click(&self, slug: &str, code: &str, user_agent: &str) -> String {
        let response = self
            .client
            .get(self.url(&format!("/r/{slug}/{code}")))
            .header("user-agent", user_agent)
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status().as_u16(), 302);
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        url::Url::parse(&location)
            .ok()
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "click_id")
                    .map(|(_, v)| v.into_owned())
            })
            .unwrap_or_else(|| panic!("no click_id in {location}"))
    }
}
