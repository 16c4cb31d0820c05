//! Payable balances and payout batches, one use case per function.
//!
//! An ambassador's payable balance in a currency is the sum of their approved ledger
//! entries that no live batch holds. A batch takes, atomically, every ambassador whose
//! balance is positive and reaches their program's `min_payout`; smaller and negative
//! balances carry forward untouched. An entry belongs to at most one live batch, which
//! the database enforces with a partial unique index: a concurrent batch that loses
//! that race runs again and finds the entries taken, so no commission is paid twice.

mod balances;
mod batches;
mod files;
mod report;

use chrono::{DateTime, Utc};

pub use batches::{cancel, create, get, list, mark_paid};
pub use files::{CsvFile, PAYPAL_MAX_ROWS, PaypalFile, PaypalRow, csv_file, paypal_file, paypal_reference};
pub use report::{NotPayable, PayableReport, Standing, report};

use crate::store::ids::{MembershipId, PayoutId};
use crate::store::ledger::KindTotals;
use crate::store::payouts::{PayoutItemRow, PayoutRow, PayoutStatus};
use crate::store::{StoreError, UnitError, time};

#[derive(Debug, thiserror::Error)]
pub enum PayoutError {
    #[error("no such payout batch")]
    NotFound,
    #[error("the brand no longer exists")]
    BrandNotFound,
    #[error("no ambassador has an approved balance that reaches the minimum payout")]
    NothingToPay,
    #[error("the batch is {0}, not pending")]
    NotPending(PayoutStatus),
    /// Its entries are released and may be in a newer batch: a file of it could pay the
    /// same commission twice.
    #[error("the batch was cancelled")]
    Cancelled,
    #[error("the PayPal file has parts 1 to {parts}")]
    NoSuchPart { parts: i64 },
    #[error("the batch has {rows} rows, more than one PayPal file takes")]
    PartsRequired { rows: i64, parts: i64 },
    #[error("an ambassador's balance does not fit in 64 bits")]
    Overflow,
    #[error(transparent)]
    Forbidden(#[from] crate::service::auth::ForbiddenRole),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for PayoutError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for PayoutError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A batch, without its items.
#[derive(Debug, Clone)]
pub struct Payout {
    pub id: PayoutId,
    pub currency: String,
    pub status: PayoutStatus,
    pub total: i64,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl From<PayoutRow> for Payout {
    fn from(row: PayoutRow) -> Self {
        Self {
            id: row.id,
            currency: row.currency,
            status: row.status,
            total: row.total,
            created_at: time::from_db(row.created_at),
            paid_at: row.paid_at.map(time::from_db),
            cancelled_at: row.cancelled_at.map(time::from_db),
        }
    }
}

/// What one ambassador is paid in a batch.
#[derive(Debug, Clone)]
pub struct PayoutItem {
    pub membership_id: MembershipId,
    pub display_name: String,
    pub payout_email: String,
    pub amount: i64,
    /// How many ledger entries the amount pays.
    pub entries: i32,
    /// The amount by what moved the money (commissions, reversals, adjustments, …).
    pub by_kind: KindTotals,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

impl PayoutItem {
    /// The item as stored, its amount split by kind as written with it.
    pub(super) fn of(row: PayoutItemRow) -> Self {
        let by_kind = row.by_kind();
        Self {
            membership_id: row.membership_id,
            display_name: row.display_name,
            payout_email: row.payout_email,
            amount: row.amount,
            entries: row.entries,
            by_kind,
            period_start: time::from_db(row.period_start),
            period_end: time::from_db(row.period_end),
        }
    }
}

/// A batch with every item, by membership id.
#[derive(Debug, Clone)]
pub struct Batch {
    pub payout: Payout,
    pub items: Vec<PayoutItem>,
}

/// A batch in a list: its items counted, not read.
#[derive(Debug, Clone)]
pub struct ListedPayout {
    pub payout: Payout,
    pub item_count: i64,
}
