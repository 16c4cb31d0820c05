//! The maturation pass: approves ledger entries whose hold period has passed (a deal's
//! flat fees too, once their post's keep-up period has) and grants the free-item
//! rewards that the newly approved orders earned; and writes expired deal offers.
//!
//! Idempotent (an entry is approved once: the UPDATE only touches unapproved rows; a
//! grant is unique per membership, rule and sequence) and safe with several processes
//! on one PostgreSQL: each chunk takes a transaction-scoped advisory lock, so passes
//! run one chunk at a time and each sees the others' committed approvals when it
//! counts rewards. On SQLite `BEGIN IMMEDIATE` already serialises them.
//!
//! One membership cannot stop the others: each membership's approvals and grants run
//! in their own savepoint. A failure (say, stored amounts whose total no `i64` holds)
//! rolls back that membership's work alone; it is logged with the membership id,
//! counted in the report (and in `reftrack_job_failures_total`), skipped for the rest
//! of the pass, and tried again by the next pass. Grants are bounded per membership and
//! rule in one pass ([`MAX_GRANTS_PER_PASS`]); the rest wait in `reward_backlog` for
//! later passes, so a huge order cannot hold the writer.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Connection, QueryResult};

use crate::domain::rewards;
use crate::domain::terms::RewardTrigger;
use crate::service::events::{self, EventType};
use crate::store::ids::{LedgerEntryId, MembershipId, RewardId};
use crate::store::ledger::EntryKind;
use crate::store::memberships::MembershipStatus;
use crate::store::rewards::{RewardRow, RewardStatus};
use crate::store::{
    Db, DbConn, StoreError, deals, is_deadlock, ledger, membership_standing, portable, programs,
    rewards as store_rewards, time,
};

/// Entries approved per transaction, so a large backlog never holds the writer long.
const CHUNK: i64 = 500;

/// Rewards granted per membership and rule in one pass; the rest come in later passes.
pub const MAX_GRANTS_PER_PASS: u64 = 100;

/// Backlogged memberships served per pass.
const BACKLOG_PER_PASS: i64 = 100;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    pub approved: usize,
    pub rewards_granted: usize,
    /// Memberships whose work failed and was skipped in this pass.
    pub failures: usize,
}

/// Runs chunks of [`CHUNK`] entries until nothing is due, then serves the reward
/// backlog. Each chunk is one write unit.
pub async fn run_pass(db: &Db, now: DateTime<Utc>) -> Result<PassReport, StoreError> {
    let now = time::to_db(now);
    let mut report = PassReport::default();
    let mut failed: BTreeSet<MembershipId> = BTreeSet::new();
    // Memberships whose grants this pass already made (at most the cap each).
    let mut served: BTreeSet<MembershipId> = BTreeSet::new();
    loop {
        let skip: Vec<MembershipId> = failed.iter().copied().collect();
        let chunk = db
            .write(move |conn| approve_chunk(conn, now, &skip).map_err(StoreError::from))
            .await?;
        report.approved += chunk.report.approved;
        report.rewards_granted += chunk.report.rewards_granted;
        failed.extend(chunk.failed);
        served.extend(chunk.served);
        if chunk.seen < CHUNK {
            break;
        }
    }
    served.extend(failed.iter().copied());
    let backlog = db
        .write(move |conn| serve_backlog(conn, now, &served).map_err(StoreError::from))
        .await?;
    report.rewards_granted += backlog.report.rewards_granted;
    failed.extend(backlog.failed);
    report.failures = failed.len();
    // Offers past their expiry are written `expired` (every read shows them so already).
    db.write(move |conn| deals::expire_offers(conn, now).map_err(StoreError::from))
        .await?;
    Ok(report)
}

/// Tries of one membership's approval that lose a deadlock before the next pass gets it.
const DEADLOCK_TRIES: usize = 3;

struct ChunkOutcome {
    /// Due entries read, approved or not.
    seen: i64,
    report: PassReport,
    failed: Vec<MembershipId>,
    /// Memberships whose work succeeded.
    served: Vec<MembershipId>,
}

fn approve_chunk(conn: &mut DbConn, now: NaiveDateTime, skip: &[MembershipId]) -> QueryResult<ChunkOutcome> {
    portable::lock_maturation(conn)?;
    let due = ledger::due(conn, now, CHUNK, skip)?;
    let seen = i64::try_from(due.len()).unwrap_or(i64::MAX);
    let mut by_membership: BTreeMap<MembershipId, Vec<LedgerEntryId>> = BTreeMap::new();
    for (entry, membership) in due {
        by_membership.entry(membership).or_default().push(entry);
    }
    let mut outcome = ChunkOutcome {
        seen,
        report: PassReport::default(),
        failed: Vec::new(),
        served: Vec::new(),
    };
    for (membership, entries) in by_membership {
        let approve = |conn: &mut DbConn| {
            conn.transaction(|conn| {
                let approved = ledger::approve(conn, &entries, now)?;
                // Under the maturation lock no other pass approves these entries, so every
                // one of them was approved here: each commission is told once.
                for entry in ledger::find_many(conn, &entries)? {
                    if entry.kind == EntryKind::Commission {
                        let told = events::CommissionApproved::new(&entry, now);
                        events::emit(conn, entry.brand_id, EventType::CommissionApproved, &told, now)?;
                    }
                }
                let granted = grant_rewards(conn, membership, now)?;
                Ok::<_, diesel::result::Error>((approved, granted))
            })
        };
        // The approval's triggers update the running totals that a concurrent refund or
        // order of the membership updates too: PostgreSQL may break a deadlock by
        // aborting this savepoint. That is a lost race, not a failure: try again, and
        // past a few tries leave the membership to the next pass.
        let mut work = approve(conn);
        for _ in 1..DEADLOCK_TRIES {
            match &work {
                Err(err) if is_deadlock(err) => work = approve(conn),
                _ => break,
            }
        }
        match work {
            Ok((approved, granted)) => {
                outcome.report.approved += approved;
                outcome.report.rewards_granted += granted;
                outcome.served.push(membership);
            }
            Err(err) if is_deadlock(&err) => {
                tracing::warn!(membership = %membership, error = %err, "maturation left a membership to the next pass");
                outcome.failed.push(membership);
            }
            Err(err) => {
                tracing::error!(membership = %membership, error = %err, "maturation skipped a membership");
                outcome.failed.push(membership);
            }
        }
    }
    Ok(outcome)
}

/// Grants the rest to memberships whose grants an earlier pass capped, leaving out
/// those in `skip` (served or failed earlier in this pass).
fn serve_backlog(conn: &mut DbConn, now: NaiveDateTime, skip: &BTreeSet<MembershipId>) -> QueryResult<ChunkOutcome> {
    portable::lock_maturation(conn)?;
    let mut outcome = ChunkOutcome {
        seen: 0,
        report: PassReport::default(),
        failed: Vec::new(),
        served: Vec::new(),
    };
    for membership in store_rewards::backlog(conn, BACKLOG_PER_PASS)? {
        if skip.contains(&membership) {
            continue;
        }
        match conn.transaction(|conn| grant_rewards(conn, membership, now)) {
            Ok(granted) => {
                outcome.report.rewards_granted += granted;
                outcome.served.push(membership);
            }
            Err(err) => {
                tracing::error!(membership = %membership, error = %err, "maturation skipped a membership's reward backlog");
                outcome.failed.push(membership);
            }
        }
    }
    Ok(outcome)
}

/// Grants what the membership's qualifying orders have earned under its program's
/// current reward rules and not been granted yet, at most [`MAX_GRANTS_PER_PASS`] per
/// rule; records a backlog when more remain and clears it when none do. Grants are
/// never taken back.
fn grant_rewards(conn: &mut DbConn, membership: MembershipId, now: NaiveDateTime) -> QueryResult<usize> {
    let Some(standing) = membership_standing::find(conn, membership)? else {
        return Ok(0);
    };
    let brand_id = standing.brand_id;
    // Terms that do not read back grant nothing (logged by `read_terms`).
    let terms = match standing.program {
        Some(program) if standing.status != MembershipStatus::Ended => {
            programs::read_terms(program.id, &program.terms).ok()
        }
        _ => None,
    };
    let Some(terms) = terms.filter(|t| !t.rewards.is_empty()) else {
        store_rewards::clear_backlog(conn, membership)?;
        return Ok(0);
    };
    let (orders, amount) = store_rewards::qualifying(conn, membership)?;
    let mut grants = Vec::new();
    let mut more_remain = false;
    for rule in &terms.rewards {
        let due = match rule.trigger {
            RewardTrigger::EveryOrders(n) => rewards::grants_due_by_orders(u64::try_from(orders).unwrap_or(0), n),
            RewardTrigger::EveryAmount(x) => rewards::grants_due_by_amount(amount, x),
        };
        let key = rewards::rule_key(&rule.sku);
        let already = u64::try_from(store_rewards::granted_count(conn, membership, &key)?).unwrap_or(0);
        let owed = rewards::new_grants(due, already);
        let now_granted = owed.min(MAX_GRANTS_PER_PASS);
        more_remain |= owed > now_granted;
        for sequence in already + 1..=already + now_granted {
            let Ok(sequence) = i32::try_from(sequence) else {
                // The column holds grants 1..=i32::MAX; none past it can be recorded.
                more_remain = false;
                break;
            };
            grants.push(RewardRow {
                id: RewardId::generate(),
                brand_id,
                membership_id: membership,
                rule_key: key.clone(),
                sequence,
                sku: rule.sku.clone(),
                description: rule.description.clone(),
                status: RewardStatus::Earned,
                earned_at: now,
                claimed_at: None,
                shipping_name: None,
                shipping_address: None,
                fulfilled_at: None,
                tracking: None,
                carrier: None,
            });
        }
    }
    let granted = store_rewards::grant_all(conn, &grants)?;
    for grant in &grants {
        events::emit(
            conn,
            grant.brand_id,
            EventType::RewardGranted,
            &events::RewardGranted::from(grant),
            now,
        )?;
    }
    if more_remain {
        store_rewards::mark_backlog(conn, membership, now)?;
    } else {
        store_rewards::clear_backlog(conn, membership)?;
    }
    Ok(granted)
}
