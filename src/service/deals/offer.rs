//! The brand's side of an offer: making it (version 1 of its fee) and withdrawing it
//! while it is open. Both are an owner's: a deal commits the brand's money.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::input::{NewDeal, Offeree};
use super::view::{DealView, brand_deal_in};
use super::{DealError, Refusal, locked_deal, require_open};
use crate::service::auth::BrandActor;
use crate::service::events::{self, EventType};
use crate::service::orders::replay::{self, Answer, Answered, Keyed, RenderError};
use crate::store::deals::{self, DealRow, DealStatus, DealVersionRow, DeliverableRow, GiftRow, Party, Shipment};
use crate::store::ids::{DealId, DealVersionId, DeliverableId, GiftId, MembershipId, ProgramId};
use crate::store::memberships::{self, MembershipStatus};
use crate::store::{Db, DbConn, invitations, programs, time};

/// Offers the deal, once per idempotency key: a retry gets the first answer.
pub async fn offer(
    db: &Db,
    actor: &BrandActor,
    command: NewDeal,
    keyed: Option<Keyed>,
    now: DateTime<Utc>,
    render: impl Fn(&DealView) -> Result<Answer, RenderError> + Send + Sync + 'static,
) -> Result<Answered, DealError> {
    actor.require_owner()?;
    let actor = *actor;
    let render = Arc::new(render);
    let now = time::to_db(now);
    let keyed = keyed.map(|k| Keyed {
        key: format!("deal:{}", k.key),
        request_hash: k.request_hash,
    });
    db.write_retrying(move |conn| {
        let brand = actor.brand_id;
        replay::once(
            conn,
            brand,
            keyed.as_ref(),
            now,
            || DealError::IdempotencyKeyReused,
            |conn| {
                let (membership, invitation, program) = offeree(conn, &actor, command.offeree, now)?;
                let program = programs::find(conn, brand, program)?.ok_or(DealError::AmbassadorNotFound)?;
                let deal = DealRow {
                    id: DealId::generate(),
                    brand_id: brand,
                    program_id: program.id,
                    membership_id: membership,
                    invitation_id: invitation,
                    title: command.title.clone(),
                    terms: command.terms.clone(),
                    currency: program.currency,
                    status: DealStatus::Offered,
                    version: 1,
                    awaiting: Party::Influencer,
                    accepted_version: None,
                    expires_at: time::to_db(command.expires_at),
                    created_by: actor.user_id,
                    created_at: now,
                    updated_at: now,
                };
                let version = DealVersionRow {
                    id: DealVersionId::generate(),
                    deal_id: deal.id,
                    version: 1,
                    fee: command.fee,
                    proposed_by: Party::Brand,
                    note: None,
                    declined_at: None,
                    created_at: now,
                };
                let deliverables: Vec<DeliverableRow> = (command.deliverables.iter().zip(1..))
                    .map(|(d, position)| DeliverableRow {
                        id: DeliverableId::generate(),
                        deal_id: deal.id,
                        position,
                        platform: d.platform,
                        kind: d.kind,
                        count: d.count,
                        due_on: d.due_on.format("%Y-%m-%d").to_string(),
                        keep_up_days: d.keep_up_days,
                        requirements: d.requirements.clone(),
                    })
                    .collect();
                let gifts: Vec<GiftRow> = (command.gifts.iter().zip(1..))
                    .map(|(g, position)| GiftRow {
                        id: GiftId::generate(),
                        deal_id: deal.id,
                        position,
                        sku: g.sku.clone(),
                        description: g.description.clone(),
                        quantity: g.quantity,
                        unit_value: g.unit_value,
                        shipment: Shipment::ToShip,
                        carrier: None,
                        tracking: None,
                        shipped_at: None,
                        delivered_at: None,
                    })
                    .collect();
                deals::insert(conn, &deal, &version, &deliverables, &gifts)?;
                let view = brand_deal_in(conn, brand, deal.id, now)?;
                events::emit(
                    conn,
                    brand,
                    EventType::DealOffered,
                    &events::DealChanged::new(&view),
                    now,
                )?;
                Ok(render(&view)?)
            },
        )
    })
    .await
}

/// Who the deal goes to, checked: an ambassador whose membership has not ended, or an
/// invitation of the brand still open. Answers the membership or invitation and the
/// program whose code and commission apply.
fn offeree(
    conn: &mut DbConn,
    actor: &BrandActor,
    offeree: Offeree,
    now: chrono::NaiveDateTime,
) -> Result<(Option<MembershipId>, Option<crate::store::ids::InvitationId>, ProgramId), DealError> {
    match offeree {
        Offeree::Ambassador(id) => {
            let ambassador =
                memberships::find_ambassador(conn, actor.brand_id, id)?.ok_or(DealError::AmbassadorNotFound)?;
            if ambassador.membership.status == MembershipStatus::Ended {
                return Err(Refusal::MembershipEnded.into());
            }
            Ok((Some(id), None, ambassador.membership.program_id))
        }
        Offeree::Invitation(id) => {
            let invitation = invitations::find(conn, actor.brand_id, id)?.ok_or(DealError::InvitationNotFound)?;
            if invitation.accepted_at.is_some() || invitation.declined_at.is_some() || invitation.expires_at <= now {
                return Err(Refusal::InvitationClosed.into());
            }
            Ok((None, Some(id), invitation.program_id))
        }
    }
}

/// Withdraws an open offer. Withdrawing a withdrawn one answers it again.
pub async fn withdraw(db: &Db, actor: &BrandActor, id: DealId, now: DateTime<Utc>) -> Result<DealView, DealError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let deal = locked_deal(conn, brand, id, now)?;
        if deal.status != DealStatus::Withdrawn {
            require_open(&deal)?;
            deals::set_status(conn, id, DealStatus::Offered, DealStatus::Withdrawn, now)?;
        }
        brand_deal_in(conn, brand, id, now)
    })
    .await
}
