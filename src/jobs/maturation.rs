//! The maturation pass: approves ledger entries whose hold period has passed and grants
//! the free-item rewards that the newly approved orders earned.
//!
//! Idempotent (an entry is approved once: the UPDATE only touches unapproved rows; a
//! grant is unique per membership, rule and sequence) and safe with several processes
//! on one PostgreSQL: each chunk takes a transaction-scoped advisory lock, so passes
//! run one chunk at a time and each sees the others' committed approvals when it
//! counts rewards. On SQLite `BEGIN IMMEDIATE` already serialises them.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::QueryResult;

use crate::domain::rewards;
use crate::domain::terms::{RewardTrigger, Terms};
use crate::store::ids::{MembershipId, RewardId};
use crate::store::memberships::MembershipStatus;
use crate::store::rewards::{RewardRow, RewardStatus};
use crate::store::schema::memberships;
use crate::store::{Db, DbConn, StoreError, ledger, portable, programs, rewards as store_rewards, time};

/// Entries approved per transaction, so a large backlog never holds the writer long.
const CHUNK: i64 = 500;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub approved: usize,
    pub rewards_granted: usize,
}

/// Grants are counted per reward sku. When a brand edits a rule's threshold, the
/// grants already made still count, so the change never re-grants past orders at once;
/// the next grant comes when the new threshold's count passes what was granted.
pub fn rule_key(sku: &str) -> String {
    format!("sku:{sku}")
}

/// Runs passes of [`CHUNK`] entries until nothing is due.
pub fn run_pass(db: &Db, now: DateTime<Utc>) -> Result<PassReport, StoreError> {
    let now = time::to_db(now);
    let mut report = PassReport::default();
    loop {
        let chunk = db.write_tx(|conn| approve_chunk(conn, now).map_err(StoreError::from))?;
        report.approved += chunk.approved;
        report.rewards_granted += chunk.rewards_granted;
        if i64::try_from(chunk.approved).unwrap_or(i64::MAX) < CHUNK {
            return Ok(report);
        }
    }
}

fn approve_chunk(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<PassReport> {
    portable::lock_maturation(conn)?;
    let due = ledger::due(conn, now, CHUNK)?;
    if due.is_empty() {
        return Ok(PassReport::default());
    }
    let ids: Vec<_> = due.iter().map(|(id, _)| *id).collect();
    let approved = ledger::approve(conn, &ids, now)?;
    let touched: BTreeSet<MembershipId> = due.into_iter().map(|(_, m)| m).collect();
    let mut rewards_granted = 0;
    for membership in touched {
        rewards_granted += grant_rewards(conn, membership, now)?;
    }
    Ok(PassReport {
        approved,
        rewards_granted,
    })
}

/// Grants whatever the membership's qualifying orders have earned under its program's
/// current reward rules and not been granted yet. Grants are never taken back.
fn grant_rewards(conn: &mut DbConn, membership: MembershipId, now: NaiveDateTime) -> QueryResult<usize> {
    use diesel::prelude::*;
    let Some((brand_id, program_id, status)) = memberships::table
        .find(membership)
        .select((memberships::brand_id, memberships::program_id, memberships::status))
        .first::<(
            crate::store::ids::BrandId,
            crate::store::ids::ProgramId,
            MembershipStatus,
        )>(conn)
        .optional()?
    else {
        return Ok(0);
    };
    if status == MembershipStatus::Ended {
        return Ok(0);
    }
    let Some(program) = programs::find(conn, brand_id, program_id)? else {
        return Ok(0);
    };
    let Ok(terms) = Terms::from_stored(&program.terms) else {
        tracing::error!(program = %program.id, "stored terms do not parse; no rewards granted");
        return Ok(0);
    };
    if terms.rewards.is_empty() {
        return Ok(0);
    }
    let (orders, amount) = store_rewards::qualifying(conn, membership)?;
    let mut granted = 0;
    for rule in &terms.rewards {
        let due = match rule.trigger {
            RewardTrigger::EveryOrders(n) => rewards::grants_due_by_orders(u64::try_from(orders).unwrap_or(0), n),
            RewardTrigger::EveryAmount(x) => rewards::grants_due_by_amount(amount, x),
        };
        let key = rule_key(&rule.sku);
        let already = u64::try_from(store_rewards::granted_count(conn, membership, &key)?).unwrap_or(0);
        for sequence in already + 1..=due {
            let row = RewardRow {
                id: RewardId::generate(),
                brand_id,
                membership_id: membership,
                rule_key: key.clone(),
                sequence: i32::try_from(sequence).unwrap_or(i32::MAX),
                sku: rule.sku.clone(),
                description: rule.description.clone(),
                status: RewardStatus::Earned,
                earned_at: now,
                claimed_at: None,
                shipping_name: None,
                shipping_address: None,
                fulfilled_at: None,
                tracking: None,
            };
            if store_rewards::grant(conn, &row)? {
                granted += 1;
            }
        }
    }
    Ok(granted)
}
