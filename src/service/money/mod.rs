//! The brand's control over money: adjustments and bonuses for an ambassador, and the
//! review of an order's commission (hold, release, reject).
//!
//! Every action appends (a ledger entry, a review row) and names the brand user who
//! acted and why; nothing is edited. Each is idempotent under an `Idempotency-Key`
//! (the first answer is stored in the action's transaction and answered again), and
//! the roles are enforced here, so the JSON API and the console refuse the same things:
//! staff may review commissions; only an owner creates or moves money (adjustments,
//! bonuses, reassigning an order to another ambassador).

mod adjustments;
mod reassign;
mod reviews;

pub use adjustments::{ManualEntry, NewAdjustment, adjust};
pub use reassign::{REASSIGNED, Reassign, reassign};
pub use reviews::{ReviewAct, ReviewCommand, review};

use super::auth::ForbiddenRole;
use super::orders::RenderError;
use super::reports::ReportError;
use crate::store::ids::{BrandId, OrderId};
use crate::store::orders::{self, OrderRow};
use crate::store::{DbConn, StoreError, UnitError, portable};

/// Why a commission's state refuses a review action (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the order earned no commission")]
    NoCommission,
    #[error("only a commission still in its hold period can be held; this one is approved")]
    NotPending,
    #[error("the commission is already held for review")]
    AlreadyHeld,
    #[error("the commission is not held for review")]
    NotHeld,
    #[error("the commission was rejected")]
    AlreadyRejected,
    #[error("the commission was paid out; correct it with a negative adjustment")]
    Paid,
    #[error("the commission is in a pending payout batch; cancel the batch first")]
    InPayout,
    #[error("refunds already reversed the whole commission")]
    FullyReversed,
    #[error("the order is already attributed to this ambassador")]
    SameAmbassador,
    #[error("the ambassador's membership has ended")]
    TargetEnded,
    #[error("the order was this ambassador's before and was reassigned away; correct it with adjustments")]
    PreviouslyAttributed,
    #[error("the ambassador's program runs in another currency than the order")]
    CurrencyMismatch,
}

impl Refusal {
    /// The refusal as a sentence, the same in every door ("The commission was paid
    /// out; correct it with a negative adjustment.").
    pub fn sentence(self) -> String {
        crate::service::sentence(&self.to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MoneyError {
    #[error(transparent)]
    Forbidden(#[from] ForbiddenRole),
    #[error("no such ambassador")]
    AmbassadorNotFound,
    #[error("no such order")]
    OrderNotFound,
    #[error("the idempotency key was used with a different request")]
    IdempotencyKeyReused,
    #[error("an idempotency key is required")]
    IdempotencyKeyRequired,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A database error: a unique violation is a lost race (two identical requests under
/// one key), run again to find the first answer.
impl From<diesel::result::Error> for MoneyError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(StoreError::retryable(err))
    }
}

impl From<ReportError> for MoneyError {
    fn from(err: ReportError) -> Self {
        match err {
            ReportError::Store(err) => Self::Store(err),
            ReportError::AccountNotFound
            | ReportError::BrandNotFound
            | ReportError::OrderNotFound
            | ReportError::NotAmbassador => Self::OrderNotFound,
        }
    }
}

/// The brand's order `id`, locked until the transaction ends (PostgreSQL; SQLite's
/// writer is serial) and read again under the lock, so a concurrent action on it that
/// committed first is seen. Another brand's order is [`MoneyError::OrderNotFound`].
fn locked_order(conn: &mut DbConn, brand: BrandId, id: OrderId) -> Result<OrderRow, MoneyError> {
    orders::find(conn, brand, id)?.ok_or(MoneyError::OrderNotFound)?;
    portable::lock_order(conn, id)?;
    orders::find(conn, brand, id)?.ok_or(MoneyError::OrderNotFound)
}

impl UnitError for MoneyError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}
