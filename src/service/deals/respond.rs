//! Answering an offer: the influencer accepts, declines or counters with another fee;
//! the brand accepts or declines a counter; an owner cancels an accepted deal.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::input::Counter;
use super::view::{DealView, brand_deal_in, my_deal_in};
use super::{DealError, Refusal, account, influencers_deal, locked_deal, require_open};
use crate::service::auth::BrandActor;
use crate::service::events::{self, EventType};
use crate::store::deal_proofs::{self, ProofState};
use crate::store::deals::{self, DealRow, DealStatus, DealVersionRow, Party};
use crate::store::ids::{DealId, DealVersionId, InfluencerId};
use crate::store::memberships::{self, MembershipStatus};
use crate::store::{Db, DbConn, time};

/// What the influencer says to the offer on the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfluencerAnswer {
    Accept,
    Decline,
    Counter(Counter),
}

/// What the brand says to the influencer's counter-offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrandAnswer {
    Accept,
    Decline,
}

/// The influencer's answer; a repeated one answers the deal as it stands.
pub async fn respond(
    db: &Db,
    influencer: InfluencerId,
    id: DealId,
    answer: InfluencerAnswer,
    now: DateTime<Utc>,
) -> Result<DealView, DealError> {
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let me = account(conn, influencer)?;
        let deal = influencers_deal(conn, &me, id, now)?;
        match &answer {
            InfluencerAnswer::Accept if deal.status == DealStatus::Accepted => {}
            InfluencerAnswer::Accept => {
                require_open(&deal)?;
                if deal.awaiting != Party::Influencer {
                    return Err(Refusal::AwaitingBrand.into());
                }
                accept(conn, &deal, deal.version, now)?;
            }
            InfluencerAnswer::Decline if deal.status == DealStatus::Declined => {}
            InfluencerAnswer::Decline => {
                require_open(&deal)?;
                deals::set_status(conn, id, DealStatus::Offered, DealStatus::Declined, now)?;
            }
            InfluencerAnswer::Counter(counter) => counter_offer(conn, &deal, counter, now)?,
        }
        my_deal_in(conn, influencer, id, now)
    })
    .await
}

fn counter_offer(conn: &mut DbConn, deal: &DealRow, counter: &Counter, now: NaiveDateTime) -> Result<(), DealError> {
    require_open(deal)?;
    let versions = deals::versions(conn, &[deal.id])?;
    let on_table = versions.iter().find(|v| v.version == deal.version);
    if deal.awaiting == Party::Brand {
        // The same counter sent again (a retry) is answered as it stands.
        let same = on_table.is_some_and(|v| v.fee == counter.fee && v.note == counter.note);
        return if same {
            Ok(())
        } else {
            Err(Refusal::AwaitingBrand.into())
        };
    }
    if on_table.is_some_and(|v| v.fee == counter.fee) {
        return Err(Refusal::SameFee.into());
    }
    let next = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    deals::insert_version(
        conn,
        &DealVersionRow {
            id: DealVersionId::generate(),
            deal_id: deal.id,
            version: next,
            fee: counter.fee,
            proposed_by: Party::Influencer,
            note: counter.note.clone(),
            declined_at: None,
            created_at: now,
        },
    )?;
    deals::put_on_table(conn, deal.id, next, Party::Brand, now)?;
    Ok(())
}

/// Accepts `version` of the open deal: the ambassador must have joined and not left.
fn accept(conn: &mut DbConn, deal: &DealRow, version: i32, now: NaiveDateTime) -> Result<(), DealError> {
    let membership = deal.membership_id.ok_or(Refusal::InvitationPending)?;
    let ambassador = memberships::find_ambassador(conn, deal.brand_id, membership)?.ok_or(DealError::NotFound)?;
    if ambassador.membership.status == MembershipStatus::Ended {
        return Err(Refusal::MembershipEnded.into());
    }
    if !deals::accept(conn, deal.id, version, now)? {
        return Err(Refusal::NotOpen.into());
    }
    let view = brand_deal_in(conn, deal.brand_id, deal.id, now)?;
    events::emit(
        conn,
        deal.brand_id,
        EventType::DealAccepted,
        &events::DealChanged::new(&view),
        now,
    )?;
    Ok(())
}

/// The brand's answer to a counter-offer (owners). Declining it puts the brand's last
/// version back on the table for the influencer.
pub async fn answer_counter(
    db: &Db,
    actor: &BrandActor,
    id: DealId,
    answer: BrandAnswer,
    now: DateTime<Utc>,
) -> Result<DealView, DealError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let deal = locked_deal(conn, brand, id, now)?;
        let versions = deals::versions(conn, &[id])?;
        let latest = versions.iter().max_by_key(|v| v.version);
        let already = match answer {
            BrandAnswer::Accept => {
                deal.status == DealStatus::Accepted
                    && versions
                        .iter()
                        .any(|v| Some(v.version) == deal.accepted_version && v.proposed_by == Party::Influencer)
            }
            BrandAnswer::Decline => {
                deal.awaiting == Party::Influencer
                    && latest.is_some_and(|v| v.proposed_by == Party::Influencer && v.declined_at.is_some())
            }
        };
        if !already {
            require_open(&deal)?;
            if deal.awaiting != Party::Brand {
                return Err(Refusal::NoCounter.into());
            }
            match answer {
                BrandAnswer::Accept => accept(conn, &deal, deal.version, now)?,
                BrandAnswer::Decline => {
                    deals::decline_version(conn, id, deal.version, now)?;
                    let brands_last = versions
                        .iter()
                        .filter(|v| v.proposed_by == Party::Brand)
                        .map(|v| v.version)
                        .max()
                        .unwrap_or(1);
                    deals::put_on_table(conn, id, brands_last, Party::Influencer, now)?;
                }
            }
        }
        brand_deal_in(conn, brand, id, now)
    })
    .await
}

/// Cancels an accepted deal (owners): fees approved so far stand; proof still waiting
/// must be decided first.
pub async fn cancel(db: &Db, actor: &BrandActor, id: DealId, now: DateTime<Utc>) -> Result<DealView, DealError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let deal = locked_deal(conn, brand, id, now)?;
        if deal.status != DealStatus::Cancelled {
            if deal.status != DealStatus::Accepted {
                return Err(Refusal::NotAccepted.into());
            }
            let waiting = deal_proofs::for_deals(conn, &[id])?
                .iter()
                .any(|p| p.state == ProofState::Submitted);
            if waiting {
                return Err(Refusal::ProofsWaiting.into());
            }
            deals::set_status(conn, id, DealStatus::Accepted, DealStatus::Cancelled, now)?;
        }
        brand_deal_in(conn, brand, id, now)
    })
    .await
}
