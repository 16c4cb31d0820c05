//! Reading deals: one deal with everything it says and where each part stands, the
//! lists of the brand and the influencer, the deliverables due, and gift values.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::DealError;
use crate::service::auth::BrandActor;
use crate::service::paging::{PageRequest, Paged};
use crate::store::deal_proofs::{self, ProofRow, ProofState};
use crate::store::deals::{self, DealFilter, DealRow, DealStatus, DealVersionRow, DeliverableRow, GiftRow, Shipment};
use crate::store::ids::{BrandId, DealId, InfluencerId, InvitationId, MembershipId, ProgramId};
use crate::store::{Db, DbConn, brands, invitations, memberships, programs, time};

/// A deal as both sides see it (the doors leave out what the influencer must not see).
#[derive(Debug, Clone)]
pub struct DealView {
    pub deal: DealRow,
    /// As of the read: an offer past its expiry is expired.
    pub status: DealStatus,
    pub brand_name: String,
    pub program_name: String,
    pub ambassador_name: Option<String>,
    /// The invitation's address while the deal waits on it.
    pub invitation_email: Option<String>,
    /// Oldest first; the one on the table is `deal.version`.
    pub versions: Vec<DealVersionRow>,
    pub deliverables: Vec<DeliverableView>,
    pub gifts: Vec<GiftRow>,
}

#[derive(Debug, Clone)]
pub struct DeliverableView {
    pub row: DeliverableRow,
    /// Oldest first.
    pub proofs: Vec<ProofRow>,
    /// Items with approved proof, and with proof waiting for the brand.
    pub approved: i64,
    pub waiting: i64,
    /// Due before today and not every item approved.
    pub overdue: bool,
}

impl DealView {
    /// The fee per item on the table (the accepted one once accepted).
    pub fn fee(&self) -> i64 {
        self.versions
            .iter()
            .find(|v| v.version == self.deal.version)
            .map_or(0, |v| v.fee)
    }

    /// How many deliverable items the deal asks for.
    pub fn items(&self) -> i64 {
        self.deliverables.iter().map(|d| i64::from(d.row.count)).sum()
    }

    /// What the deal pays when every item is approved: fee × items (bounded by the
    /// input rules far below `i64`).
    pub fn fee_total(&self) -> i64 {
        self.fee().saturating_mul(self.items())
    }

    /// Fees approved and standing (a removed post's fee was reversed).
    pub fn earned(&self) -> i64 {
        let approved: i64 = self.deliverables.iter().map(|d| d.approved).sum();
        self.fee().saturating_mul(approved)
    }

    /// Declared value of every gift.
    pub fn gift_value(&self) -> i64 {
        self.gifts
            .iter()
            .map(|g| g.quantity.saturating_mul(g.unit_value))
            .fold(0, i64::saturating_add)
    }

    /// A proof of this deal.
    pub fn proof(&self, id: crate::store::ids::ProofId) -> Option<(&DeliverableView, &ProofRow)> {
        self.deliverables
            .iter()
            .find_map(|d| d.proofs.iter().find(|p| p.id == id).map(|p| (d, p)))
    }
}

/// Names looked up once per read.
#[derive(Default)]
struct Names {
    brands: HashMap<BrandId, String>,
    programs: HashMap<ProgramId, String>,
    ambassadors: HashMap<MembershipId, String>,
    invitations: HashMap<InvitationId, String>,
}

impl Names {
    fn brand(&mut self, conn: &mut DbConn, id: BrandId) -> diesel::QueryResult<String> {
        if let Some(name) = self.brands.get(&id) {
            return Ok(name.clone());
        }
        let name = brands::find(conn, id)?.map(|b| b.name).unwrap_or_default();
        self.brands.insert(id, name.clone());
        Ok(name)
    }

    fn program(&mut self, conn: &mut DbConn, brand: BrandId, id: ProgramId) -> diesel::QueryResult<String> {
        if let Some(name) = self.programs.get(&id) {
            return Ok(name.clone());
        }
        let name = programs::find(conn, brand, id)?.map(|p| p.name).unwrap_or_default();
        self.programs.insert(id, name.clone());
        Ok(name)
    }

    fn ambassador(&mut self, conn: &mut DbConn, brand: BrandId, id: MembershipId) -> diesel::QueryResult<String> {
        if let Some(name) = self.ambassadors.get(&id) {
            return Ok(name.clone());
        }
        let name = memberships::find_ambassador(conn, brand, id)?
            .map(|a| a.display_name)
            .unwrap_or_default();
        self.ambassadors.insert(id, name.clone());
        Ok(name)
    }

    fn invitation(&mut self, conn: &mut DbConn, brand: BrandId, id: InvitationId) -> diesel::QueryResult<String> {
        if let Some(email) = self.invitations.get(&id) {
            return Ok(email.clone());
        }
        let email = invitations::find(conn, brand, id)?.map(|i| i.email).unwrap_or_default();
        self.invitations.insert(id, email.clone());
        Ok(email)
    }
}

/// The views of `rows`, in their order, read in a handful of queries.
pub(super) fn views_of(
    conn: &mut DbConn,
    rows: Vec<DealRow>,
    now: NaiveDateTime,
) -> diesel::QueryResult<Vec<DealView>> {
    let ids: Vec<DealId> = rows.iter().map(|d| d.id).collect();
    let mut versions = group(deals::versions(conn, &ids)?, |v| v.deal_id);
    let mut deliverables = group(deals::deliverables(conn, &ids)?, |d| d.deal_id);
    let mut gifts = group(deals::gifts(conn, &ids)?, |g| g.deal_id);
    let mut proofs = group(deal_proofs::for_deals(conn, &ids)?, |p| p.deliverable_id);
    let today = now.date();
    let mut names = Names::default();
    let mut views = Vec::with_capacity(rows.len());
    for deal in rows {
        let deliverables = deliverables
            .remove(&deal.id)
            .unwrap_or_default()
            .into_iter()
            .map(|row| {
                let proofs = proofs.remove(&row.id).unwrap_or_default();
                let count = |state| i64::try_from(proofs.iter().filter(|p| p.state == state).count()).unwrap_or(0);
                let approved = count(ProofState::Approved);
                let overdue = deal.status == DealStatus::Accepted
                    && approved < i64::from(row.count)
                    && row.due_on.as_str() < today.format("%Y-%m-%d").to_string().as_str();
                DeliverableView {
                    waiting: count(ProofState::Submitted),
                    approved,
                    overdue,
                    proofs,
                    row,
                }
            })
            .collect();
        views.push(DealView {
            status: deal.status_at(now),
            brand_name: names.brand(conn, deal.brand_id)?,
            program_name: names.program(conn, deal.brand_id, deal.program_id)?,
            ambassador_name: match deal.membership_id {
                Some(id) => Some(names.ambassador(conn, deal.brand_id, id)?),
                None => None,
            },
            invitation_email: match (deal.membership_id, deal.invitation_id) {
                (None, Some(id)) => Some(names.invitation(conn, deal.brand_id, id)?),
                _ => None,
            },
            versions: versions.remove(&deal.id).unwrap_or_default(),
            gifts: gifts.remove(&deal.id).unwrap_or_default(),
            deliverables,
            deal,
        });
    }
    Ok(views)
}

fn group<K: std::hash::Hash + Eq, T>(rows: Vec<T>, key: impl Fn(&T) -> K) -> HashMap<K, Vec<T>> {
    let mut map: HashMap<K, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

/// The brand's deal `id`, inside a transaction.
pub(super) fn brand_deal_in(
    conn: &mut DbConn,
    brand: BrandId,
    id: DealId,
    now: NaiveDateTime,
) -> Result<DealView, DealError> {
    let deal = deals::find(conn, brand, id)?.ok_or(DealError::NotFound)?;
    views_of(conn, vec![deal], now)?.pop().ok_or(DealError::NotFound)
}

/// The brand's deal `id` (owners and staff).
pub async fn brand_deal(db: &Db, actor: &BrandActor, id: DealId, now: DateTime<Utc>) -> Result<DealView, DealError> {
    let brand = actor.brand_id;
    let now = time::to_db(now);
    db.read(move |conn| brand_deal_in(conn, brand, id, now)).await
}

/// A page of the brand's deals, newest first.
pub async fn brand_deals(
    db: &Db,
    actor: &BrandActor,
    filter: DealFilter,
    page: PageRequest<DealId>,
    now: DateTime<Utc>,
) -> Result<Paged<DealView, DealId>, DealError> {
    let brand = actor.brand_id;
    let now = time::to_db(now);
    let views = db
        .read(move |conn| -> Result<_, DealError> {
            if let Some(membership) = filter.membership
                && memberships::find_ambassador(conn, brand, membership)?.is_none()
            {
                return Err(DealError::AmbassadorNotFound);
            }
            let rows = deals::list_for_brand(conn, brand, filter, now, page.after, page.fetch())?;
            Ok(views_of(conn, rows, now)?)
        })
        .await?;
    Ok(Paged::from_rows(views, page.limit, |v| v.deal.id))
}

/// The influencer's deal `id`, any brand (one waiting on an invitation to them too).
pub async fn my_deal(db: &Db, influencer: InfluencerId, id: DealId, now: DateTime<Utc>) -> Result<DealView, DealError> {
    let now = time::to_db(now);
    db.read(move |conn| my_deal_in(conn, influencer, id, now)).await
}

pub(super) fn my_deal_in(
    conn: &mut DbConn,
    influencer: InfluencerId,
    id: DealId,
    now: NaiveDateTime,
) -> Result<DealView, DealError> {
    let account = super::account(conn, influencer)?;
    let deal = deals::find_for_influencer(conn, account.id, &account.email, id)?.ok_or(DealError::NotFound)?;
    views_of(conn, vec![deal], now)?.pop().ok_or(DealError::NotFound)
}

/// A page of the influencer's deals with every brand, newest first.
pub async fn my_deals(
    db: &Db,
    influencer: InfluencerId,
    page: PageRequest<DealId>,
    now: DateTime<Utc>,
) -> Result<Paged<DealView, DealId>, DealError> {
    let now = time::to_db(now);
    let views = db
        .read(move |conn| -> Result<_, DealError> {
            let account = super::account(conn, influencer)?;
            let rows = deals::list_for_influencer(conn, account.id, &account.email, page.after, page.fetch())?;
            Ok(views_of(conn, rows, now)?)
        })
        .await?;
    Ok(Paged::from_rows(views, page.limit, |v| v.deal.id))
}

/// A deliverable of an accepted deal that still wants proof.
#[derive(Debug, Clone)]
pub struct DueDeliverable {
    pub row: DeliverableRow,
    pub deal_id: DealId,
    pub deal_title: String,
    pub ambassador_id: Option<MembershipId>,
    pub ambassador_name: Option<String>,
    pub approved: i64,
    pub overdue: bool,
}

/// The first `limit` deliverables of the brand's accepted deals that still want proof,
/// soonest due first; only those past their due date when `overdue_only`.
pub async fn due(
    db: &Db,
    actor: &BrandActor,
    overdue_only: bool,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<DueDeliverable>, DealError> {
    let brand = actor.brand_id;
    let today = now.date_naive();
    let yesterday = today.pred_opt().unwrap_or(today).format("%Y-%m-%d").to_string();
    let today = today.format("%Y-%m-%d").to_string();
    db.read(move |conn| -> Result<_, DealError> {
        let rows = deal_proofs::due(conn, brand, overdue_only.then_some(yesterday.as_str()), limit)?;
        let mut names = Names::default();
        let mut due = Vec::with_capacity(rows.len());
        for (row, deal, approved) in rows {
            due.push(DueDeliverable {
                overdue: row.due_on < today,
                ambassador_name: match deal.membership_id {
                    Some(id) => Some(names.ambassador(conn, brand, id)?),
                    None => None,
                },
                ambassador_id: deal.membership_id,
                deal_id: deal.id,
                deal_title: deal.title,
                approved,
                row,
            });
        }
        Ok(due)
    })
    .await
}

/// Declared value of gifts per currency: to ship, shipped, delivered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GiftValues {
    pub currency: String,
    pub to_ship: i64,
    pub shipped: i64,
    pub delivered: i64,
}

/// Declared value of the gifts of the brand's accepted and completed deals, per
/// currency, by shipment state: for the brand's books, never payable.
pub fn gift_values(conn: &mut DbConn, brand: BrandId) -> diesel::QueryResult<Vec<GiftValues>> {
    let mut out: Vec<GiftValues> = Vec::new();
    for (currency, shipment, value) in deal_proofs::gift_values(conn, brand)? {
        if out.last().is_none_or(|g| g.currency != currency) {
            out.push(GiftValues {
                currency: currency.clone(),
                ..GiftValues::default()
            });
        }
        if let Some(values) = out.last_mut() {
            match shipment {
                Shipment::ToShip => values.to_ship = value,
                Shipment::Shipped => values.shipped = value,
                Shipment::Delivered => values.delivered = value,
            }
        }
    }
    Ok(out)
}
