//! Deals: what a brand offers an ambassador besides commission — a fee per deliverable
//! item, gifted products and the deliverables themselves — from the offer to the last
//! approved proof. One use case per step; the JSON API, the console and the portal call
//! the same functions, so they allow and refuse the same things.
//!
//! - The brand (an owner: a deal commits money) **offers** a deal to an ambassador, or
//!   to an invitation so the influencer sees it before joining; version 1 of its fee.
//! - The influencer **accepts**, **declines** or **counters** with another fee (the
//!   next version, for the brand to accept or decline; a declined counter leaves the
//!   brand's last version on the table). The brand may **withdraw** an open offer. An
//!   offer past `expires_at` is expired. Accepted terms never change.
//! - The influencer **submits proof** per deliverable item; the brand (owner or staff)
//!   **approves** it — a `flat_fee` ledger entry of the accepted fee, payable
//!   `keep_up_days` after publication through the maturation pass — or **rejects** it
//!   with a reason (the influencer may submit again). A post reported **removed** before
//!   its keep-up period ended has its fee reversed. The deal is **completed** when every
//!   item has approved proof; an owner may **cancel** an accepted deal (fees approved so
//!   far stand).
//! - Gifted products move `to_ship` → `shipped` (carrier, tracking) → `delivered`; they
//!   count in reports at their declared value and are never payable.
//!
//! Every step is idempotent by state: repeating one that already happened answers the
//! deal as it stands and appends nothing.

mod gifts;
pub mod input;
mod offer;
mod proofs;
mod respond;
mod view;

pub use gifts::ship;
pub use offer::{offer, withdraw};
pub use proofs::{approve, reject, remove, submit};
pub use respond::{BrandAnswer, InfluencerAnswer, answer_counter, cancel, respond};
pub use view::{
    DealView, DeliverableView, DueDeliverable, GiftValues, brand_deal, brand_deals, due, gift_values, my_deal, my_deals,
};

use chrono::NaiveDateTime;

use super::auth::ForbiddenRole;
use super::orders::RenderError;
use crate::store::deals::{self, DealRow, DealStatus};
use crate::store::ids::{BrandId, DealId, InfluencerId};
use crate::store::influencers::{self, InfluencerRow};
use crate::store::{DbConn, StoreError, UnitError, portable};

/// Why a deal's state refuses a step (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the offer expired")]
    Expired,
    #[error("the deal is no longer an open offer")]
    NotOpen,
    #[error("the brand is answering a counter-offer")]
    AwaitingBrand,
    #[error("no counter-offer is waiting for the brand")]
    NoCounter,
    #[error("the influencer has not joined the brand yet: the invitation is still open")]
    InvitationPending,
    #[error("the invitation was already answered or has expired")]
    InvitationClosed,
    #[error("the ambassador's membership has ended")]
    MembershipEnded,
    #[error("the deal is not accepted")]
    NotAccepted,
    #[error("every item of this deliverable already has proof approved or waiting")]
    DeliverableDone,
    #[error("the proof was already decided")]
    ProofDecided,
    #[error("only an approved proof's post can be reported removed")]
    ProofNotApproved,
    #[error("the post stayed up for its keep-up period; the fee stands")]
    KeepUpPassed,
    #[error("the fee was paid out; correct it with a negative adjustment")]
    FeePaid,
    #[error("the fee is in a pending payout batch; cancel the batch first")]
    FeeInPayout,
    #[error("proof is waiting for review; approve or reject it first")]
    ProofsWaiting,
    #[error("a gift's shipment only moves forward")]
    ShipmentBackwards,
    #[error("the counter-offer proposes the fee already on the table")]
    SameFee,
}

impl Refusal {
    /// The refusal as a sentence, the same in every door.
    pub fn sentence(self) -> String {
        crate::service::sentence(&self.to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DealError {
    #[error(transparent)]
    Forbidden(#[from] ForbiddenRole),
    #[error("no such deal")]
    NotFound,
    #[error("no such ambassador")]
    AmbassadorNotFound,
    #[error("no such invitation")]
    InvitationNotFound,
    #[error("no such deliverable")]
    DeliverableNotFound,
    #[error("no such proof")]
    ProofNotFound,
    #[error("no such gift")]
    GiftNotFound,
    #[error("no such account")]
    AccountNotFound,
    /// A field the service checks against stored state (a removal time before the
    /// publication): (path, message).
    #[error("invalid field `{0}`: {1}")]
    Field(String, String),
    #[error("the idempotency key was used with a different request")]
    IdempotencyKeyReused,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for DealError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(StoreError::retryable(err))
    }
}

impl UnitError for DealError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// The brand's deal `id`, locked until the transaction ends (PostgreSQL; SQLite's
/// writer is serial) and read again under the lock. An offer past its expiry is
/// written `expired` here, so every step sees it so.
fn locked_deal(conn: &mut DbConn, brand: BrandId, id: DealId, now: NaiveDateTime) -> Result<DealRow, DealError> {
    deals::find(conn, brand, id)?.ok_or(DealError::NotFound)?;
    portable::lock_deal(conn, id)?;
    let mut deal = deals::find(conn, brand, id)?.ok_or(DealError::NotFound)?;
    if deal.status_at(now) == DealStatus::Expired && deal.status == DealStatus::Offered {
        deals::set_status(conn, id, DealStatus::Offered, DealStatus::Expired, now)?;
        deal.status = DealStatus::Expired;
    }
    Ok(deal)
}

/// The signed-in influencer.
fn account(conn: &mut DbConn, influencer: InfluencerId) -> Result<InfluencerRow, DealError> {
    influencers::find(conn, influencer)?.ok_or(DealError::AccountNotFound)
}

/// The deal `id` the influencer may see, locked as [`locked_deal`] does.
fn influencers_deal(
    conn: &mut DbConn,
    influencer: &InfluencerRow,
    id: DealId,
    now: NaiveDateTime,
) -> Result<DealRow, DealError> {
    let deal = deals::find_for_influencer(conn, influencer.id, &influencer.email, id)?.ok_or(DealError::NotFound)?;
    locked_deal(conn, deal.brand_id, id, now)
}

/// The status a step needs the offer in: open (and not expired).
fn require_open(deal: &DealRow) -> Result<(), Refusal> {
    match deal.status {
        DealStatus::Offered => Ok(()),
        DealStatus::Expired => Err(Refusal::Expired),
        _ => Err(Refusal::NotOpen),
    }
}
