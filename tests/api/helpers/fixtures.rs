//! Fixtures on top of the harness: signed-up brands and influencers, programs with
//! ambassadors, orders, clicks and maturation passes.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::*;

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

    /// The one-click unsubscribe token of an influencer's sale e-mails.
    pub fn unsubscribe_token(&self, influencer_id: &str) -> String {
        let pepper = reftrack::startup::pepper(&self.db, self.clock.as_ref()).unwrap();
        reftrack::service::mail::unsubscribe::token(
            &pepper,
            influencer_id.parse().unwrap(),
            reftrack::service::mail::unsubscribe::Topic::Sales,
        )
    }

    /// One whole dispatcher pass (fan-out, webhooks, e-mail) at the clock's now.
    pub async fn dispatch_pass(&self) -> reftrack::service::events::dispatch::PassReport {
        let now = reftrack::clock::Clock::now(self.clock.as_ref());
        reftrack::service::events::dispatch::run_pass(&self.db, &self.dispatcher, now)
            .await
            .unwrap_or_else(|e| panic!("dispatcher pass failed: {e:?}"))
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
