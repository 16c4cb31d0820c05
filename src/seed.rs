//! Realistic volume for benchmarks and demos: `reftrack dev seed --orders N`.
//!
//! One brand with a program, `ambassadors` influencers (the first of them, the "star",
//! gets most orders, which is the worst case for a dashboard), a year of orders with
//! lines, clicks, commission entries (half of them approved) and some refunds. Rows go
//! in as multi-row INSERTs of values we generate ourselves (never input), in large
//! transactions.
//!
//! The free-item rule scales with the volume (`reward_every`) and the seed grants what
//! the seeded history earned, as the maturation job would have: a demo shows rewards
//! at once on a small run, and a large run neither shows none nor leaves the first job
//! pass six figures of grants to make.

use chrono::{DateTime, Duration, Utc};
use diesel::RunQueryDsl;
use rand::Rng;

use crate::auth::password;
use crate::store::ids::{
    BrandId, BrandUserId, ClickId, CodeId, InfluencerId, LedgerEntryId, MembershipId, OrderId, ProgramId, RewardId,
};
use crate::store::{Backend, Db, DbConn, StoreError, time};

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
    /// `every_orders` of the seeded reward rule.
    pub reward_every: u32,
    /// Rewards the seeded history earned (granted by the seed itself).
    pub rewards_granted: u64,
}

const BATCH: usize = 500;
/// The seeded rule grants at most about this many rewards in all, whatever the volume.
const MAX_REWARDS: u64 = 500;
/// Rewards a typical (not the star) ambassador earns on a large run.
const REWARDS_PER_TYPICAL_AMBASSADOR: u64 = 3;

/// `every_orders` of the seeded reward rule: every 5 orders on a small run; on a large
/// one, a typical ambassador earns a few rewards and everyone together at most about
/// [`MAX_REWARDS`].
pub fn reward_every(options: &SeedOptions) -> u32 {
    let ambassadors = options.ambassadors.max(1);
    let star_share = options.star_share.min(100);
    let typical = options.orders.saturating_mul(100 - star_share) / 100 / ambassadors;
    let every = (typical / REWARDS_PER_TYPICAL_AMBASSADOR)
        .max(options.orders / MAX_REWARDS)
        .max(5);
    // The program's terms take at most a million orders per reward.
    u32::try_from(every.min(1_000_000)).unwrap_or(1_000_000)
}

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
    seed_with_progress(db, options, &mut |_| {})
}

/// Like [`seed`], calling `progress` with the number of orders written so far.
pub fn seed_with_progress(
    db: &Db,
    options: &SeedOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<Seeded, anyhow::Error> {
    let hash = password::hash(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let tag = &tag[tag.len() - 8..];
    let brand_id = BrandId::generate();
    let slug = format!("seed-{tag}");
    let owner_email = format!("owner@{slug}.example");
    let program_id = ProgramId::generate();
    let now = ts(options.now);
    let every = reward_every(options);
    let terms = format!(
        r#"{{"commission":{{"type":"percent","rate":"10","overrides":[],"tiers":[],"max_per_order":null}},"customer_discount":{{"type":"percent","value":"10"}},"hold_days":30,"rewards":[{{"every_orders":{every},"sku":"FREE-BAG","description":"A free bag"}}],"min_payout":1000,"attribution":"code_first"}}"#
    );
    let ambassadors = options.ambassadors.max(1);
    let mut memberships = Vec::new();
    let mut codes = Vec::new();
    let mut star_email = String::new();
    db.write_blocking(|conn| -> Result<(), StoreError> {
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
    // Orders that count toward rewards per ambassador: approved, not refunded, no flag.
    let mut qualifying = vec![0u64; memberships.len()];
    let mut remaining = options.orders;
    let mut serial = 0u64;
    while remaining > 0 {
        let chunk = remaining.min(20_000);
        remaining -= chunk;
        db.write_blocking(|conn| -> Result<(), StoreError> {
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
                let refunded = rng.random_range(0..50) == 0;
                if available <= options.now && !refunded {
                    qualifying[who] += 1;
                }
                if refunded {
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
                    progress(serial);
                }
            }
            flush_orders(conn, &mut orders, &mut lines, &mut entries, &mut clicks, &mut refunds)?;
            progress(serial);
            Ok(())
        })?;
    }
    let rewards_granted = grant_rewards(db, brand_id, &memberships, &qualifying, every, &now)?;
    // After a bulk load PostgreSQL's tables hold the dead versions of every running
    // total the load updated, and its planner statistics are stale, until autovacuum
    // gets to them; a seeded database is read at once (demos, benchmarks).
    vacuum_analyze(db)?;
    Ok(Seeded {
        brand_id,
        brand_slug: slug,
        owner_email,
        star_email,
        star_membership: memberships[0],
        ambassadors: memberships,
        reward_every: every,
        rewards_granted,
    })
}

/// The rewards the seeded history earned, numbered 1..n per ambassador under the
/// maturation job's rule key, so its next pass continues the count.
fn grant_rewards(
    db: &Db,
    brand_id: BrandId,
    memberships: &[MembershipId],
    qualifying: &[u64],
    every: u32,
    now: &str,
) -> Result<u64, StoreError> {
    let key = crate::domain::rewards::rule_key("FREE-BAG");
    db.write_blocking(|conn| {
        let mut rows = Vec::new();
        let mut granted = 0u64;
        for (membership, count) in memberships.iter().zip(qualifying) {
            for sequence in 1..=crate::domain::rewards::grants_due_by_orders(*count, every) {
                rows.push(format!(
                    "('{}', '{brand_id}', '{membership}', '{key}', {sequence}, 'FREE-BAG', 'A free bag', 'earned', '{now}')",
                    RewardId::generate()
                ));
                granted += 1;
                if rows.len() >= BATCH {
                    flush_rewards(conn, &mut rows)?;
                }
            }
        }
        flush_rewards(conn, &mut rows)?;
        Ok(granted)
    })
}

fn flush_rewards(conn: &mut DbConn, rows: &mut Vec<String>) -> Result<(), StoreError> {
    flush(
        conn,
        "INSERT INTO rewards (id, brand_id, membership_id, rule_key, sequence, sku, description, status, earned_at)",
        rows,
    )
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

/// `VACUUM ANALYZE` on PostgreSQL, outside any transaction (VACUUM refuses to run in
/// one): what autovacuum does some time after a bulk load or a bulk compaction, done at
/// once. SQLite plans without statistics, as a server's database does unless someone
/// runs `ANALYZE` on it, and keeps no dead row versions: nothing to do.
pub fn vacuum_analyze(db: &Db) -> Result<(), StoreError> {
    if db.backend() != Backend::Postgres {
        return Ok(());
    }
    let mut conn = db.write_conn()?;
    diesel::sql_query("VACUUM ANALYZE")
        .execute(&mut **conn)
        .map(drop)
        .map_err(StoreError::from)
}
