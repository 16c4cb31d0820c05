//! Proof of published deliverables: the influencer submits it per item; the brand
//! approves it (a `flat_fee` entry, payable `keep_up_days` after publication), rejects
//! it with a reason, or reports the post removed before its keep-up period ended (the
//! fee is reversed). Owners and staff decide proof, as they review commissions.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::input::{Proof, Removal};
use super::view::{DealView, brand_deal_in, my_deal_in, views_of};
use super::{DealError, Refusal, account, influencers_deal, locked_deal};
use crate::domain::adjustment::Reason;
use crate::service::auth::BrandActor;
use crate::service::events::{self, EventType};
use crate::store::deal_proofs::{self, ProofRow, ProofState};
use crate::store::deals::{self, DealRow, DealStatus, DeliverableRow};
use crate::store::ids::{BrandId, DealId, DeliverableId, InfluencerId, LedgerEntryId, ProofId};
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::{Db, DbConn, payouts, time};

/// Submits proof for one item of a deliverable of an accepted deal. The same URL sent
/// again while its proof waits or stands approved answers the deal as it stands.
pub async fn submit(
    db: &Db,
    influencer: InfluencerId,
    deal: DealId,
    deliverable: DeliverableId,
    proof: Proof,
    now: DateTime<Utc>,
) -> Result<DealView, DealError> {
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let me = account(conn, influencer)?;
        let row = influencers_deal(conn, &me, deal, now)?;
        let item = deals::deliverables(conn, &[deal])?
            .into_iter()
            .find(|d| d.id == deliverable)
            .ok_or(DealError::DeliverableNotFound)?;
        let proofs = deal_proofs::for_deliverable(conn, deliverable)?;
        let live = |p: &&ProofRow| matches!(p.state, ProofState::Submitted | ProofState::Approved);
        if proofs.iter().filter(live).any(|p| p.url == proof.url) {
            return my_deal_in(conn, influencer, deal, now);
        }
        if row.status != DealStatus::Accepted {
            return Err(Refusal::NotAccepted.into());
        }
        if proofs.iter().filter(live).count() >= usize::try_from(item.count).unwrap_or(0) {
            return Err(Refusal::DeliverableDone.into());
        }
        let stored = ProofRow {
            id: ProofId::generate(),
            brand_id: row.brand_id,
            deal_id: deal,
            deliverable_id: deliverable,
            url: proof.url.clone(),
            published_at: time::to_db(proof.published_at),
            views: proof.views,
            likes: proof.likes,
            comments: proof.comments,
            state: ProofState::Submitted,
            reason: None,
            submitted_at: now,
            decided_at: None,
            decided_by: None,
            fee_entry_id: None,
            removed_at: None,
            removal_reason: None,
            reversal_entry_id: None,
        };
        deal_proofs::insert(conn, &stored)?;
        tell(conn, &row, &stored, None, EventType::DeliverableSubmitted, now)?;
        my_deal_in(conn, influencer, deal, now)
    })
    .await
}

/// The brand's proof `id`, its deal locked, and the deliverable it proves.
fn locate(
    conn: &mut DbConn,
    brand: BrandId,
    id: ProofId,
    now: NaiveDateTime,
) -> Result<(ProofRow, DealRow, DeliverableRow), DealError> {
    let proof = deal_proofs::find(conn, brand, id)?.ok_or(DealError::ProofNotFound)?;
    let deal = locked_deal(conn, brand, proof.deal_id, now)?;
    let proof = deal_proofs::find(conn, brand, id)?.ok_or(DealError::ProofNotFound)?;
    let item = deals::deliverables(conn, &[deal.id])?
        .into_iter()
        .find(|d| d.id == proof.deliverable_id)
        .ok_or(DealError::ProofNotFound)?;
    Ok((proof, deal, item))
}

/// Approves waiting proof: appends the item's fee (when the accepted fee is not zero),
/// payable `keep_up_days` after publication; completes the deal when every item of
/// every deliverable has approved proof.
pub async fn approve(db: &Db, actor: &BrandActor, id: ProofId, now: DateTime<Utc>) -> Result<DealView, DealError> {
    let actor = *actor;
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let brand = actor.brand_id;
        let (mut proof, deal, item) = locate(conn, brand, id, now)?;
        if proof.state != ProofState::Approved {
            if proof.state != ProofState::Submitted {
                return Err(Refusal::ProofDecided.into());
            }
            let fee = accepted_fee(conn, &deal)?;
            // Accepting needs the ambassador, so an accepted deal has one.
            let membership = deal.membership_id.ok_or(Refusal::NotAccepted)?;
            let entry = (fee > 0).then(|| LedgerEntryRow {
                id: LedgerEntryId::generate(),
                brand_id: brand,
                membership_id: membership,
                order_id: None,
                refund_id: None,
                kind: EntryKind::FlatFee,
                amount: fee,
                currency: deal.currency.clone(),
                available_at: proof.published_at + Duration::days(i64::from(item.keep_up_days)),
                approved_at: None,
                paid_out_in: None,
                created_at: now,
                reason: Some(format!("{}: {} {}", deal.title, item.platform, item.kind)),
                created_by: Some(actor.user_id),
            });
            if let Some(entry) = &entry {
                ledger::append(conn, entry)?;
            }
            proof.state = ProofState::Approved;
            proof.decided_at = Some(now);
            proof.decided_by = Some(actor.user_id);
            proof.fee_entry_id = entry.as_ref().map(|e| e.id);
            if !deal_proofs::decide(conn, &proof)? {
                return Err(Refusal::ProofDecided.into());
            }
            tell(conn, &deal, &proof, entry.as_ref(), EventType::DeliverableApproved, now)?;
            complete_if_done(conn, &deal, now)?;
        }
        brand_deal_in(conn, brand, deal.id, now)
    })
    .await
}

/// The fee of the accepted version.
fn accepted_fee(conn: &mut DbConn, deal: &DealRow) -> Result<i64, DealError> {
    let version = deal.accepted_version.ok_or(Refusal::NotAccepted)?;
    Ok(deals::versions(conn, &[deal.id])?
        .into_iter()
        .find(|v| v.version == version)
        .map_or(0, |v| v.fee))
}

fn complete_if_done(conn: &mut DbConn, deal: &DealRow, now: NaiveDateTime) -> Result<(), DealError> {
    let view = views_of(conn, vec![deal.clone()], now)?;
    let done = view
        .iter()
        .flat_map(|v| &v.deliverables)
        .all(|d| d.approved >= i64::from(d.row.count));
    if done {
        deals::set_status(conn, deal.id, DealStatus::Accepted, DealStatus::Completed, now)?;
    }
    Ok(())
}

/// Rejects waiting proof with the brand's reason; the influencer may submit again.
pub async fn reject(
    db: &Db,
    actor: &BrandActor,
    id: ProofId,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<DealView, DealError> {
    let actor = *actor;
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let brand = actor.brand_id;
        let (mut proof, deal, _) = locate(conn, brand, id, now)?;
        if proof.state != ProofState::Rejected {
            if proof.state != ProofState::Submitted {
                return Err(Refusal::ProofDecided.into());
            }
            proof.state = ProofState::Rejected;
            proof.reason = Some(reason.as_str().to_owned());
            proof.decided_at = Some(now);
            proof.decided_by = Some(actor.user_id);
            if !deal_proofs::decide(conn, &proof)? {
                return Err(Refusal::ProofDecided.into());
            }
            tell(conn, &deal, &proof, None, EventType::DeliverableRejected, now)?;
        }
        brand_deal_in(conn, brand, deal.id, now)
    })
    .await
}

/// The brand reports an approved post taken down. Before its keep-up period ended the
/// fee is reversed with the reason (the fee and its reversal approved together, so they
/// net to zero); after it, the fee stands and the report is refused.
pub async fn remove(
    db: &Db,
    actor: &BrandActor,
    id: ProofId,
    removal: Removal,
    now: DateTime<Utc>,
) -> Result<DealView, DealError> {
    let actor = *actor;
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let brand = actor.brand_id;
        let (mut proof, deal, item) = locate(conn, brand, id, now)?;
        if proof.state == ProofState::Removed {
            return brand_deal_in(conn, brand, deal.id, now);
        }
        if proof.state != ProofState::Approved {
            return Err(Refusal::ProofNotApproved.into());
        }
        let removed_at = removal.removed_at.map_or(now, time::to_db);
        if removed_at < proof.published_at || removed_at > now {
            return Err(DealError::Field(
                "removed_at".to_owned(),
                "must be after the post was published and not in the future".to_owned(),
            ));
        }
        if removed_at >= proof.published_at + Duration::days(i64::from(item.keep_up_days)) {
            return Err(Refusal::KeepUpPassed.into());
        }
        let fee = match proof.fee_entry_id {
            Some(entry) => ledger::find_many(conn, &[entry])?.pop(),
            None => None,
        };
        if let Some(fee) = &fee {
            if fee.paid_out_in.is_some() {
                return Err(Refusal::FeePaid.into());
            }
            if payouts::in_live_batch(conn, fee.id)? {
                return Err(Refusal::FeeInPayout.into());
            }
            if fee.approved_at.is_none() {
                ledger::approve(conn, &[fee.id], now)?;
            }
            let reversal = LedgerEntryRow {
                id: LedgerEntryId::generate(),
                brand_id: brand,
                membership_id: fee.membership_id,
                order_id: None,
                refund_id: None,
                kind: EntryKind::Reversal,
                amount: -fee.amount,
                currency: fee.currency.clone(),
                available_at: now,
                approved_at: Some(now),
                paid_out_in: None,
                created_at: now,
                reason: Some(removal.reason.as_str().to_owned()),
                created_by: Some(actor.user_id),
            };
            ledger::append(conn, &reversal)?;
            proof.reversal_entry_id = Some(reversal.id);
        }
        proof.removed_at = Some(removed_at);
        proof.removal_reason = Some(removal.reason.as_str().to_owned());
        if !deal_proofs::mark_removed(conn, &proof)? {
            return Err(Refusal::ProofNotApproved.into());
        }
        brand_deal_in(conn, brand, deal.id, now)
    })
    .await
}

/// Writes a `deliverable.*` event for `proof`.
fn tell(
    conn: &mut DbConn,
    deal: &DealRow,
    proof: &ProofRow,
    fee: Option<&LedgerEntryRow>,
    event: EventType,
    now: NaiveDateTime,
) -> Result<(), DealError> {
    let told = events::DeliverableChanged::new(deal, proof, fee);
    events::emit(conn, deal.brand_id, event, &told, now)?;
    Ok(())
}
