//! The brand's ambassadors (memberships): list, inspect, pause, resume, end, move to
//! another program; the console's list with codes and money, and one ambassador's
//! ledger totals and statement. An ended membership is final: its codes and history
//! stay, but it cannot be reopened or moved.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::codes::{self, Code};
use super::paging::{PageRequest, Paged};
use crate::domain::status::{EntryState, EntryStatus};
use crate::store::codes as store_codes;
use crate::store::ids::{BrandId, BrandUserId, InfluencerId, LedgerEntryId, MembershipId, OrderId, ProgramId};
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::memberships::{self, AmbassadorRow, MembershipStatus};
use crate::store::{Db, DbConn, StoreError, UnitError, brands, programs, time};

/// Why an ambassadors use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AmbassadorError {
    /// No such ambassador in the caller's brand.
    #[error("no such ambassador")]
    NotFound,
    /// The program to move to is not one of the brand's.
    #[error("no such program")]
    ProgramNotFound,
    #[error("an ended membership is final")]
    Ended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for AmbassadorError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for AmbassadorError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A membership with the influencer's public details, as the brand sees it.
#[derive(Debug, Clone)]
pub struct Ambassador {
    pub id: MembershipId,
    pub influencer_id: InfluencerId,
    pub display_name: String,
    pub email: String,
    pub status: MembershipStatus,
    pub program_id: ProgramId,
    /// The ambassador whose invitation link this one joined through (two tiers).
    pub recruited_by: Option<MembershipId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AmbassadorRow> for Ambassador {
    fn from(row: AmbassadorRow) -> Self {
        Self {
            id: row.membership.id,
            influencer_id: row.membership.influencer_id,
            display_name: row.display_name,
            email: row.email,
            status: row.membership.status,
            program_id: row.membership.program_id,
            recruited_by: row.membership.recruited_by,
            created_at: time::from_db(row.membership.created_at),
            updated_at: time::from_db(row.membership.updated_at),
        }
    }
}

/// An ambassador with all of their codes, oldest first.
#[derive(Debug, Clone)]
pub struct AmbassadorDetail {
    pub ambassador: Ambassador,
    pub codes: Vec<Code>,
}

/// A change of a membership: `None` keeps the current status or program.
#[derive(Debug)]
pub struct UpdateAmbassador {
    pub brand_id: BrandId,
    pub id: MembershipId,
    pub status: Option<MembershipStatus>,
    pub program_id: Option<ProgramId>,
    pub now: DateTime<Utc>,
}

/// Up to `limit` of the brand's ambassadors after `after`, by id.
pub async fn list(
    db: &Db,
    brand: BrandId,
    after: Option<MembershipId>,
    limit: i64,
) -> Result<Vec<Ambassador>, AmbassadorError> {
    db.read(move |conn| {
        let rows = memberships::list_ambassadors(conn, brand, None, after, limit)?;
        Ok(rows.into_iter().map(Ambassador::from).collect())
    })
    .await
}

/// The brand's ambassador with their codes; another brand's is
/// [`AmbassadorError::NotFound`].
pub async fn get(db: &Db, brand: BrandId, id: MembershipId) -> Result<AmbassadorDetail, AmbassadorError> {
    db.read(move |conn| detail(conn, brand, id)).await
}

/// Pauses, resumes or ends the membership, or moves it to another of the brand's
/// programs (orders from then on use that program's terms).
pub async fn update(db: &Db, command: UpdateAmbassador) -> Result<AmbassadorDetail, AmbassadorError> {
    db.write(move |conn| {
        let UpdateAmbassador {
            brand_id,
            id,
            status,
            program_id,
            now,
        } = command;
        let current = memberships::find_ambassador(conn, brand_id, id)?.ok_or(AmbassadorError::NotFound)?;
        let new_status = status.unwrap_or(current.membership.status);
        let new_program = program_id.unwrap_or(current.membership.program_id);
        if current.membership.status == MembershipStatus::Ended
            && (new_status != MembershipStatus::Ended || new_program != current.membership.program_id)
        {
            return Err(AmbassadorError::Ended);
        }
        if new_program != current.membership.program_id {
            programs::find(conn, brand_id, new_program)?.ok_or(AmbassadorError::ProgramNotFound)?;
        }
        memberships::update(conn, id, new_status, new_program, time::to_db(now))?;
        detail(conn, brand_id, id)
    })
    .await
}

fn detail(conn: &mut DbConn, brand: BrandId, id: MembershipId) -> Result<AmbassadorDetail, AmbassadorError> {
    let row = memberships::find_ambassador(conn, brand, id)?.ok_or(AmbassadorError::NotFound)?;
    // The brand of a found ambassador always exists; were it gone, so would they be.
    let codes = codes::list_for_membership(conn, brand, id)?.ok_or(AmbassadorError::NotFound)?;
    Ok(AmbassadorDetail {
        ambassador: Ambassador::from(row),
        codes,
    })
}

/// An ambassador's money in one currency, from the ledger: `pending` in its hold,
/// `approved` payable and not yet in a paid payout, `paid` paid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earnings {
    pub currency: String,
    pub pending: i64,
    pub approved: i64,
    pub paid: i64,
}

/// One ambassador of the console's list: their codes and their money.
#[derive(Debug, Clone)]
pub struct RosterEntry {
    pub ambassador: Ambassador,
    pub codes: Vec<Code>,
    pub earnings: Vec<Earnings>,
}

/// A page of the brand's ambassadors, only those in `status` when given.
#[derive(Debug, Clone)]
pub struct RosterQuery {
    pub brand: BrandId,
    pub status: Option<MembershipStatus>,
    pub page: PageRequest<MembershipId>,
}

/// A page of the brand's ambassadors by id, each with their codes and ledger totals:
/// three statements per page, however many ambassadors it holds.
pub async fn roster(db: &Db, query: RosterQuery) -> Result<Paged<RosterEntry, MembershipId>, AmbassadorError> {
    let RosterQuery { brand, status, page } = query;
    db.read(move |conn| {
        let rows = memberships::list_ambassadors(conn, brand, status, page.after, page.fetch())?;
        let rows = Paged::from_rows(rows, page.limit, |r| r.membership.id);
        let ids: Vec<MembershipId> = rows.items.iter().map(|r| r.membership.id).collect();
        if ids.is_empty() {
            return Ok(rows.map(|row| RosterEntry {
                ambassador: Ambassador::from(row),
                codes: Vec::new(),
                earnings: Vec::new(),
            }));
        }
        let slug = brands::find(conn, brand)?.ok_or(AmbassadorError::NotFound)?.slug;
        let mut codes = store_codes::list_for_memberships(conn, &ids)?;
        let totals = ledger::totals_by_membership(conn, brand, &ids)?;
        Ok(rows.map(|row| {
            let id = row.membership.id;
            let (own, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut codes)
                .into_iter()
                .partition(|c| c.membership_id == id);
            codes = rest;
            RosterEntry {
                ambassador: Ambassador::from(row),
                codes: own.into_iter().map(|c| Code::new(c, slug.clone())).collect(),
                earnings: earnings_of(id, &totals),
            }
        }))
    })
    .await
}

/// The ledger totals of `membership` per currency; a currency whose sums no `i64` holds
/// (amounts stored before the door bounds) is left out and logged.
fn earnings_of(membership: MembershipId, totals: &[ledger::MembershipTotals]) -> Vec<Earnings> {
    totals
        .iter()
        .filter(|t| t.membership_id == membership)
        .filter_map(|t| {
            let Some((pending, approved, paid)) = t.totals() else {
                tracing::error!(%membership, currency = %t.currency, "an ambassador's totals are beyond any representable amount; left out");
                return None;
            };
            Some(Earnings {
                currency: t.currency.clone(),
                pending,
                approved,
                paid,
            })
        })
        .collect()
}

/// How many ambassadors (not ended) each of the brand's programs has.
pub async fn count_by_program(db: &Db, brand: BrandId) -> Result<HashMap<ProgramId, i64>, AmbassadorError> {
    db.read(move |conn| Ok(memberships::count_by_program(conn, brand)?.into_iter().collect()))
        .await
}

/// One ledger entry of an ambassador, as their brand sees it.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    pub id: LedgerEntryId,
    pub created_at: DateTime<Utc>,
    pub kind: EntryKind,
    /// The order the entry belongs to: our id and the shop's.
    pub order: Option<(OrderId, String)>,
    pub amount: i64,
    pub currency: String,
    pub status: EntryStatus,
    pub available_at: DateTime<Utc>,
    /// Why, for an entry a brand user made (adjustment, bonus, a rejection's reversal).
    pub reason: Option<String>,
    /// The brand user who made it.
    pub created_by: Option<BrandUserId>,
}

impl LedgerLine {
    fn of(entry: LedgerEntryRow, shop_order: Option<String>) -> Self {
        Self {
            status: EntryStatus::of(EntryState {
                approved: entry.approved_at.is_some(),
                paid_out: entry.paid_out_in.is_some(),
            }),
            id: entry.id,
            created_at: time::from_db(entry.created_at),
            kind: entry.kind,
            order: entry.order_id.zip(shop_order),
            amount: entry.amount,
            currency: entry.currency,
            available_at: time::from_db(entry.available_at),
            reason: entry.reason,
            created_by: entry.created_by,
        }
    }
}

/// An ambassador's money: totals per currency and the latest statement lines.
#[derive(Debug, Clone)]
pub struct Account {
    pub earnings: Vec<Earnings>,
    /// Newest first.
    pub statement: Vec<LedgerLine>,
}

/// The money of the brand's ambassador: all-time totals per currency and the `lines`
/// newest ledger entries; another brand's ambassador is [`AmbassadorError::NotFound`].
pub async fn account(db: &Db, brand: BrandId, id: MembershipId, lines: i64) -> Result<Account, AmbassadorError> {
    db.read(move |conn| {
        memberships::find_ambassador(conn, brand, id)?.ok_or(AmbassadorError::NotFound)?;
        let totals = ledger::totals_by_membership(conn, brand, &[id])?;
        let entries = ledger::latest_for_membership(conn, brand, id, None, lines)?;
        let statement = entries.into_iter().map(|(e, o)| LedgerLine::of(e, o)).collect();
        Ok(Account {
            earnings: earnings_of(id, &totals),
            statement,
        })
    })
    .await
}

/// `GET /v1/brand/ambassadors/{id}/entries`: the ambassador's ledger, newest first, a
/// page at a time; another brand's ambassador is [`AmbassadorError::NotFound`].
pub async fn entries(
    db: &Db,
    brand: BrandId,
    id: MembershipId,
    page: PageRequest<LedgerEntryId>,
) -> Result<Paged<LedgerLine, LedgerEntryId>, AmbassadorError> {
    let rows = db
        .read(move |conn| {
            memberships::find_ambassador(conn, brand, id)?.ok_or(AmbassadorError::NotFound)?;
            Ok::<_, AmbassadorError>(ledger::latest_for_membership(
                conn,
                brand,
                id,
                page.after,
                page.fetch(),
            )?)
        })
        .await?;
    Ok(Paged::from_rows(rows, page.limit, |(e, _)| e.id).map(|(e, o)| LedgerLine::of(e, o)))
}
