//! How a deal reads in the JSON API, for the brand and for the influencer (who never
//! sees which brand user acted, nor the invitee's address), and how a deal use case's
//! errors answer.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{ApiError, ErrorCode};
use crate::service::deals::{DealError, DealView, DeliverableView, DueDeliverable, Refusal};
use crate::store::deal_proofs::ProofRow;
use crate::store::deals::{DealStatus, GiftRow};
use crate::store::ids::{
    BrandId, DealId, DeliverableId, GiftId, InvitationId, LedgerEntryId, MembershipId, ProgramId, ProofId,
};
use crate::store::time;

/// Whose reading a deal is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Brand,
    Influencer,
}

#[derive(Debug, Serialize)]
pub struct DealResponse {
    pub id: DealId,
    pub title: String,
    pub status: &'static str,
    /// Who must answer the version on the table; `null` once the offer is closed.
    pub awaiting: Option<&'static str>,
    pub brand_id: BrandId,
    pub brand_name: String,
    pub program_id: ProgramId,
    pub program_name: String,
    pub ambassador_id: Option<MembershipId>,
    pub ambassador_name: Option<String>,
    pub invitation_id: Option<InvitationId>,
    /// The invitee's address while the deal waits on the invitation (brand only).
    pub invitation_email: Option<String>,
    pub currency: String,
    /// Fee per deliverable item of the version on the table (the accepted one).
    pub fee: i64,
    pub version: i32,
    pub accepted_version: Option<i32>,
    pub items: i64,
    pub fee_total: i64,
    /// Fees approved and standing so far.
    pub earned: i64,
    /// Declared value of the gifted products; never payable.
    pub gift_value: i64,
    pub terms: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub versions: Vec<VersionResponse>,
    pub deliverables: Vec<DeliverableResponse>,
    pub gifts: Vec<GiftResponse>,
}

#[derive(Debug, Serialize)]
pub struct VersionResponse {
    pub version: i32,
    pub fee: i64,
    pub proposed_by: &'static str,
    pub note: Option<String>,
    pub declined_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct DeliverableResponse {
    pub id: DeliverableId,
    pub platform: &'static str,
    pub kind: &'static str,
    pub count: i32,
    pub due_on: String,
    pub keep_up_days: i32,
    pub requirements: String,
    pub approved: i64,
    pub waiting: i64,
    pub overdue: bool,
    pub proofs: Vec<ProofResponse>,
}

#[derive(Debug, Serialize)]
pub struct ProofResponse {
    pub id: ProofId,
    pub url: String,
    pub published_at: DateTime<Utc>,
    pub views: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub state: &'static str,
    /// The brand's reason for a rejection.
    pub reason: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The brand user who decided (brand only).
    pub decided_by: Option<String>,
    /// When the fee becomes payable: `keep_up_days` after publication.
    pub keep_up_until: DateTime<Utc>,
    pub fee_entry_id: Option<LedgerEntryId>,
    pub removed_at: Option<DateTime<Utc>>,
    pub removal_reason: Option<String>,
    pub reversal_entry_id: Option<LedgerEntryId>,
}

#[derive(Debug, Serialize)]
pub struct GiftResponse {
    pub id: GiftId,
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    pub unit_value: i64,
    pub value: i64,
    pub shipment: &'static str,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl DealResponse {
    pub fn new(view: &DealView, reader: Reader) -> Self {
        let deal = &view.deal;
        Self {
            id: deal.id,
            title: deal.title.clone(),
            status: view.status.as_str(),
            awaiting: (view.status == DealStatus::Offered).then(|| deal.awaiting.as_str()),
            brand_id: deal.brand_id,
            brand_name: view.brand_name.clone(),
            program_id: deal.program_id,
            program_name: view.program_name.clone(),
            ambassador_id: deal.membership_id,
            ambassador_name: view.ambassador_name.clone(),
            invitation_id: deal.invitation_id,
            invitation_email: view.invitation_email.clone().filter(|_| reader == Reader::Brand),
            currency: deal.currency.clone(),
            fee: view.fee(),
            version: deal.version,
            accepted_version: deal.accepted_version,
            items: view.items(),
            fee_total: view.fee_total(),
            earned: view.earned(),
            gift_value: view.gift_value(),
            terms: deal.terms.clone(),
            expires_at: time::from_db(deal.expires_at),
            created_at: time::from_db(deal.created_at),
            updated_at: time::from_db(deal.updated_at),
            versions: view
                .versions
                .iter()
                .map(|v| VersionResponse {
                    version: v.version,
                    fee: v.fee,
                    proposed_by: v.proposed_by.as_str(),
                    note: v.note.clone(),
                    declined_at: v.declined_at.map(time::from_db),
                    created_at: time::from_db(v.created_at),
                })
                .collect(),
            deliverables: view.deliverables.iter().map(|d| deliverable(d, reader)).collect(),
            gifts: view.gifts.iter().map(gift).collect(),
        }
    }
}

fn deliverable(d: &DeliverableView, reader: Reader) -> DeliverableResponse {
    DeliverableResponse {
        id: d.row.id,
        platform: d.row.platform.as_str(),
        kind: d.row.kind.as_str(),
        count: d.row.count,
        due_on: d.row.due_on.clone(),
        keep_up_days: d.row.keep_up_days,
        requirements: d.row.requirements.clone(),
        approved: d.approved,
        waiting: d.waiting,
        overdue: d.overdue,
        proofs: d.proofs.iter().map(|p| proof(p, d.row.keep_up_days, reader)).collect(),
    }
}

fn proof(p: &ProofRow, keep_up_days: i32, reader: Reader) -> ProofResponse {
    ProofResponse {
        id: p.id,
        url: p.url.clone(),
        published_at: time::from_db(p.published_at),
        views: p.views,
        likes: p.likes,
        comments: p.comments,
        state: p.state.as_str(),
        reason: p.reason.clone(),
        submitted_at: time::from_db(p.submitted_at),
        decided_at: p.decided_at.map(time::from_db),
        decided_by: p.decided_by.filter(|_| reader == Reader::Brand).map(|u| u.to_string()),
        keep_up_until: time::from_db(p.published_at + Duration::days(i64::from(keep_up_days))),
        fee_entry_id: p.fee_entry_id,
        removed_at: p.removed_at.map(time::from_db),
        removal_reason: p.removal_reason.clone(),
        reversal_entry_id: p.reversal_entry_id,
    }
}

fn gift(g: &GiftRow) -> GiftResponse {
    GiftResponse {
        id: g.id,
        sku: g.sku.clone(),
        description: g.description.clone(),
        quantity: g.quantity,
        unit_value: g.unit_value,
        value: g.quantity.saturating_mul(g.unit_value),
        shipment: g.shipment.as_str(),
        carrier: g.carrier.clone(),
        tracking: g.tracking.clone(),
        shipped_at: g.shipped_at.map(time::from_db),
        delivered_at: g.delivered_at.map(time::from_db),
    }
}

/// A deliverable still wanting proof, in the brand's list.
#[derive(Debug, Serialize)]
pub struct DueResponse {
    pub deliverable_id: DeliverableId,
    pub deal_id: DealId,
    pub deal_title: String,
    pub ambassador_id: Option<MembershipId>,
    pub ambassador_name: Option<String>,
    pub platform: &'static str,
    pub kind: &'static str,
    pub count: i32,
    pub approved: i64,
    pub due_on: String,
    pub overdue: bool,
}

impl From<DueDeliverable> for DueResponse {
    fn from(d: DueDeliverable) -> Self {
        Self {
            deliverable_id: d.row.id,
            deal_id: d.deal_id,
            deal_title: d.deal_title,
            ambassador_id: d.ambassador_id,
            ambassador_name: d.ambassador_name,
            platform: d.row.platform.as_str(),
            kind: d.row.kind.as_str(),
            count: d.row.count,
            approved: d.approved,
            due_on: d.row.due_on,
            overdue: d.overdue,
        }
    }
}

impl From<DealError> for ApiError {
    fn from(err: DealError) -> Self {
        match err {
            DealError::Forbidden(forbidden) => forbidden.into(),
            DealError::NotFound => ApiError::not_found(ErrorCode::DealNotFound, "No such deal."),
            DealError::AmbassadorNotFound => ApiError::not_found(ErrorCode::AmbassadorNotFound, "No such ambassador."),
            DealError::InvitationNotFound => ApiError::not_found(ErrorCode::InvitationNotFound, "No such invitation."),
            DealError::DeliverableNotFound => {
                ApiError::not_found(ErrorCode::DeliverableNotFound, "No such deliverable in this deal.")
            }
            DealError::ProofNotFound => ApiError::not_found(ErrorCode::ProofNotFound, "No such proof."),
            DealError::GiftNotFound => ApiError::not_found(ErrorCode::GiftNotFound, "No such gift in this deal."),
            DealError::AccountNotFound => ApiError::not_found(ErrorCode::AccountNotFound, "No such account."),
            DealError::Field(path, message) => ApiError::field(&path, message),
            DealError::IdempotencyKeyReused => ApiError::unprocessable(
                ErrorCode::IdempotencyKeyReused,
                "This idempotency key was used with a different request body.",
            ),
            DealError::Refused(refusal) => ApiError::conflict(refusal_code(refusal), refusal.sentence()),
            DealError::Render(err) => ApiError::internal(err),
            DealError::Store(err) => err.into(),
        }
    }
}

fn refusal_code(refusal: Refusal) -> ErrorCode {
    match refusal {
        Refusal::Expired => ErrorCode::OfferExpired,
        Refusal::NotOpen => ErrorCode::DealNotOpen,
        Refusal::AwaitingBrand => ErrorCode::AwaitingBrand,
        Refusal::NoCounter => ErrorCode::NoCounterOffer,
        Refusal::InvitationPending => ErrorCode::AmbassadorNotJoined,
        Refusal::InvitationClosed => ErrorCode::InvitationClosed,
        Refusal::MembershipEnded => ErrorCode::MembershipEnded,
        Refusal::NotAccepted => ErrorCode::DealNotAccepted,
        Refusal::DeliverableDone => ErrorCode::DeliverableComplete,
        Refusal::ProofDecided => ErrorCode::ProofDecided,
        Refusal::ProofNotApproved => ErrorCode::ProofNotApproved,
        Refusal::KeepUpPassed => ErrorCode::KeepUpPassed,
        Refusal::FeePaid => ErrorCode::FeePaid,
        Refusal::FeeInPayout => ErrorCode::FeeInPayout,
        Refusal::ProofsWaiting => ErrorCode::ProofsWaiting,
        Refusal::ShipmentBackwards => ErrorCode::ShipmentBackwards,
        Refusal::SameFee => ErrorCode::SameFee,
    }
}
