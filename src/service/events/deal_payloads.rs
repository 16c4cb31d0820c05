//! The `data` of the deal events: `deal.offered` and `deal.accepted` carry the deal's
//! terms as they stand; `deliverable.*` the proof and, on approval, its fee entry.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::EntryRef;
use crate::service::deals::DealView;
use crate::store::deal_proofs::ProofRow;
use crate::store::deals::DealRow;
use crate::store::ids::{DealId, DeliverableId, InvitationId, MembershipId, ProgramId, ProofId};
use crate::store::ledger::LedgerEntryRow;
use crate::store::time;

/// `deal.offered` and `deal.accepted`
#[derive(Debug, Clone, Serialize)]
pub struct DealChanged {
    pub deal_id: DealId,
    pub title: String,
    pub status: String,
    /// The ambassador; `null` while the deal waits on `invitation_id`.
    pub ambassador_id: Option<MembershipId>,
    pub invitation_id: Option<InvitationId>,
    pub program_id: ProgramId,
    pub version: i32,
    /// Fee per deliverable item of that version, minor units.
    pub fee: i64,
    pub currency: String,
    /// Deliverable items asked for, and what the deal pays when all are approved.
    pub items: i64,
    pub fee_total: i64,
    /// Declared value of the gifted products; never payable.
    pub gift_value: i64,
    pub expires_at: DateTime<Utc>,
}

impl DealChanged {
    pub fn new(view: &DealView) -> Self {
        let deal = &view.deal;
        Self {
            deal_id: deal.id,
            title: deal.title.clone(),
            status: view.status.as_str().to_owned(),
            ambassador_id: deal.membership_id,
            invitation_id: deal.invitation_id,
            program_id: deal.program_id,
            version: deal.version,
            fee: view.fee(),
            currency: deal.currency.clone(),
            items: view.items(),
            fee_total: view.fee_total(),
            gift_value: view.gift_value(),
            expires_at: time::from_db(deal.expires_at),
        }
    }
}

/// `deliverable.submitted`, `deliverable.approved` and `deliverable.rejected`
#[derive(Debug, Clone, Serialize)]
pub struct DeliverableChanged {
    pub deal_id: DealId,
    pub ambassador_id: Option<MembershipId>,
    pub deliverable_id: DeliverableId,
    pub proof_id: ProofId,
    pub url: String,
    pub published_at: DateTime<Utc>,
    pub state: String,
    /// The brand's reason for a rejection.
    pub reason: Option<String>,
    /// The flat fee an approval appended (none when the deal's fee is zero).
    pub fee: Option<EntryRef>,
}

impl DeliverableChanged {
    pub fn new(deal: &DealRow, proof: &ProofRow, fee: Option<&LedgerEntryRow>) -> Self {
        Self {
            deal_id: deal.id,
            ambassador_id: deal.membership_id,
            deliverable_id: proof.deliverable_id,
            proof_id: proof.id,
            url: proof.url.clone(),
            published_at: time::from_db(proof.published_at),
            state: proof.state.as_str().to_owned(),
            reason: proof.reason.clone(),
            fee: fee.map(EntryRef::from),
        }
    }
}
