//! Realistic volume for benchmarks and demos: `reftrack dev seed --orders N`.
//!
//! One brand with a program, `ambassadors` influencers (the first of them, the "star",
//! gets most orders, which is the worst case for a dashboard), a year of orders with
//! lines, clicks, commission entries (half of them approved) and some refunds. Rows go
//! in as multi-row INSERTs of values we generate ourselves (never input), in large
//! transactions, so a million orders take about a minute on SQLite.

use chrono::{DateTime, Duration, Utc};
use diesel::RunQueryDsl;
use rand::Rng;

use crate::auth::password;
use crate::store::ids::{
    BrandId, BrandUserId, ClickId, CodeId, InfluencerId, LedgerEntryId, MembershipId, OrderId, ProgramId,
};
use crate::store::{Db, DbConn, StoreError, time};

pub const PASSWORD: &str = "seed-password-123";

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub orders: u64,
    pub ambassadors: u64,
    /// Share of orders (in %) that go to the first ambassador.
    pub star_share: u64,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Seeded {
    pub brand_id: BrandId,
    pub brand_slug: String,
    pub owner_email: String,
    pub star_email: String,
    pub star_membership: MembershipId,
    pub ambassadors: Vec<MembershipId>,
}

const BATCH: usize = 500;

fn ts(at: DateTime<Utc>) -> String {
    time::to_db(at).format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

fn exec(conn: &mut DbConn, sql: &str) -> Result<(), StoreError> {
    diesel::sql_query(sql).execute(conn).map(drop).map_err(StoreError::from)
}

fn flush(conn: &mut DbConn, head: &str, rows: &mut Vec<String>) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("{head} VALUES {}", rows.join(","));
    rows.clear();
    exec(conn, &sql)
}

/// Seeds the volume described by `options`; returns who to log in as.
pub fn seed(db: &Db, options: &SeedOptions) -> Result<Seeded, anyhow::Error> {
    let hash = password::hash(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let tag = &tag[tag.len() - 8..];
    let brand_id = BrandId::generate();
    let slug = format!("seed-{tag}");
    let owner_email = format!("owner@{slug}.example");
    let program_id = ProgramId::generate();
    let now = ts(options.now);
    let terms = r#"{"commission":{"type":"percent","rate":"10","overrides":[],"tiers":[],"max_per_order":null},"customer_discount":{"type":"percent","value":"10"},"hold_days":30,"rewards":[{"every_orders":5,"sku":"FREE-BAG","description":"A free bag"}],"min_payout":1000,"attribution":"code_first"}"#;
    let ambassadors = options.ambassadors.max(1);
    let mut memberships = Vec::new();
    let mut codes = Vec::new();
    let mut star_email = String::new();
    db.write_tx(|conn| -> Result<(), StoreError> {
        exec(conn, &format!(
            "INSERT INTO brands (id, name, slug, landing_url, currency, created_at, updated_at) VALUES ('{brand_id}', 'Seed Coffee', '{slug}', 'https://seed.example/shop', 'USD', '{now}', '{now}')"
        ))?;
        exec(conn, &format!(
            "INSERT INTO brand_users (id, brand_id, email, password_hash, role, created_at) VALUES ('{}', '{brand_id}', '{owner_email}', '{hash}', 'owner', '{now}')",
            BrandUserId::generate()
        ))?;
        exec(conn, &format!(
            "INSERT INTO programs (id, brand_id, name, currency, terms, terms_version, created_at, updated_at) VALUES ('{program_id}', '{brand_id}', 'Seeded', 'USD', '{terms}', 1, '{now}', '{now}')"
        ))?;
        exec(conn, &format!(
            "INSERT INTO program_versions (program_id, version, currency, terms, created_at) VALUES ('{program_id}', 1, 'USD', '{terms}', '{now}')"
        ))?;
        let (mut people, mut members, mut code_rows) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..ambassadors {
            let influencer = InfluencerId::generate();
            let membership = MembershipId::generate();
            let code = CodeId::generate();
            let email = format!("ambassador{i}@{slug}.example");
            if i == 0 {
                star_email = email.clone();
            }
            people.push(format!("('{influencer}', '{email}', '{hash}', 'Ambassador {i}', NULL, '{now}', '{now}')"));
            members.push(format!("('{membership}', '{brand_id}', '{program_id}', '{influencer}', 'active', '{now}', '{now}')"));
            code_rows.push(format!("('{code}', '{brand_id}', '{membership}', 'SEED{i}X', TRUE, NULL, 0, NULL, '{now}', '{now}')"));
            memberships.push(membership);
            codes.push(code);
            if people.len() >= BATCH {
                flush(conn, "INSERT INTO influencers (id, email, password_hash, display_name, payout_email, created_at, updated_at)", &mut people)?;
                flush(conn, "INSERT INTO memberships (id, brand_id, program_id, influencer_id, status, created_at, updated_at)", &mut members)?;
                flush(conn, "INSERT INTO codes (id, brand_id, membership_id, code, active, max_uses, uses, expires_at, created_at, updated_at)", &mut code_rows)?;
            }
        }
        flush(conn, "INSERT INTO influencers (id, email, password_hash, display_name, payout_email, created_at, updated_at)", &mut people)?;
        flush(conn, "INSERT INTO memberships (id, brand_id, program_id, influencer_id, status, created_at, updated_at)", &mut members)?;
        flush(conn, "INSERT INTO codes (id, brand_id, membership_id, code, active, max_uses, uses, expires_at, created_at, updated_at)", &mut code_rows)
    })?;

    let mut rng = rand::rng();
    let mut remaining = options.orders;
    let mut serial = 0u64;
    while remaining > 0 {
        let chunk = remaining.min(20_000);
        remaining -= chunk;
        db.write_tx(|conn| -> Result<(), StoreError> {
            let (mut orders, mut lines, mut entries, mut clicks, mut refunds) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..chunk {
                serial += 1;
                let who = if rng.random_range(0..100) < options.star_share { 0 } else { rng.random_range(0..ambassadors) as usize };
                let (membership, code) = (memberships[who], codes[who]);
                let placed = options.now - Duration::seconds(rng.random_range(0..365 * 86_400));
                let placed_s = ts(placed);
                let id = OrderId::generate();
                let quantity: i64 = rng.random_range(1..4);
                let price: i64 = rng.random_range(500..10_000);
                let subtotal = quantity * price;
                let discount = subtotal / 10;
                let net = subtotal - discount;
                let commission = (net + 5) / 10;
                orders.push(format!(
                    "('{id}', '{brand_id}', 'SEED-{tag}-{serial}', 'USD', {subtotal}, {discount}, 0, 0, {net}, '{placed_s}', '{placed_s}', '{membership}', '{program_id}', 1, '{code}', NULL, {commission}, '10', 'code', 'code', '[]', '[]', NULL)"
                ));
                lines.push(format!("('{id}', 0, 'BEANS', 'coffee', {quantity}, {price}, '10')"));
                let available = placed + Duration::days(30);
                let approved = if available <= options.now { format!("'{}'", ts(available)) } else { "NULL".into() };
                entries.push(format!(
                    "('{}', '{brand_id}', '{membership}', '{id}', NULL, 'commission', {commission}, 'USD', '{}', {approved}, NULL, '{placed_s}')",
                    LedgerEntryId::generate(),
                    ts(available)
                ));
                for _ in 0..3 {
                    clicks.push(format!(
                        "('{}', '{brand_id}', '{code}', '{membership}', 'ip{serial}', 'ua', '{}')",
                        ClickId::generate(),
                        ts(placed - Duration::minutes(rng.random_range(1..600)))
                    ));
                }
                if rng.random_range(0..50) == 0 {
                    let refund_id = crate::store::ids::RefundId::generate();
                    let reversal = commission;
                    refunds.push(format!("('{refund_id}', '{id}', 'R', {net}, 0, NULL, {reversal}, 'seed', '{placed_s}')"));
                    entries.push(format!(
                        "('{}', '{brand_id}', '{membership}', '{id}', '{refund_id}', 'reversal', {}, 'USD', '{}', {approved}, NULL, '{placed_s}')",
                        LedgerEntryId::generate(),
                        -reversal,
                        ts(available)
                    ));
                }
                if orders.len() >= BATCH {
                    flush_orders(conn, &mut orders, &mut lines, &mut entries, &mut clicks, &mut refunds)?;
                }
            }
            flush_orders(conn, &mut orders, &mut lines, &mut entries, &mut clicks, &mut refunds)
        })?;
    }
    Ok(Seeded {
        brand_id,
        brand_slug: slug,
        owner_email,
        star_email,
        star_membership: memberships[0],
        ambassadors: memberships,
    })
}

fn flush_orders(
    conn: &mut DbConn,
    orders: &mut Vec<String>,
    lines: &mut Vec<String>,
    entries: &mut Vec<String>,
    clicks: &mut Vec<String>,
    refunds: &mut Vec<String>,
) -> Result<(), StoreError> {
    flush(
        conn,
        "INSERT INTO orders (id, brand_id, order_id, currency, subtotal, discount_total, shipping_total, tax_total, net_amount, placed_at, created_at, membership_id, program_id, terms_version, code_id, click_id, commission, commission_rate, attribution_method, attribution_reason, attribution_candidates, flags, customer_email_hash)",
        orders,
    )?;
    flush(
        conn,
        "INSERT INTO order_lines (order_id, line_no, sku, category, quantity, unit_price, rate)",
        lines,
    )?;
    flush(
        conn,
        "INSERT INTO refunds (id, order_id, refund_id, amount, line_value, lines, reversal, request_hash, created_at)",
        refunds,
    )?;
    flush(
        conn,
        "INSERT INTO ledger_entries (id, brand_id, membership_id, order_id, refund_id, kind, amount, currency, available_at, approved_at, paid_out_in, created_at)",
        entries,
    )?;
    flush(
        conn,
        "INSERT INTO clicks (id, brand_id, code_id, membership_id, ip_hash, ua_hash, created_at)",
        clicks,
    )
}
