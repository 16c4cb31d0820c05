//! Payout reports and batches (brand JWT): the doors of [`crate::service::payouts`].
//! Each handler parses the request, makes one call into the service and renders what
//! it answers; [`PayoutError`] becomes an HTTP answer here and nowhere else.

mod batches;
mod files;
mod report;

pub use batches::{
    CreatePayoutRequest, PayoutFormatQuery, PayoutItemResponse, PayoutResponse, cancel_payout, create_payout,
    get_payout, list_payouts, mark_payout_paid,
};
pub use files::{payout_csv_answer, paypal_answer};
pub use report::{PayoutReport, PayoutReportLine, PayoutReportQuery, payout_report};

use super::{ApiError, ErrorCode};
use crate::domain::Currency;
use crate::service::payouts::{PAYPAL_MAX_ROWS, PayoutError};

impl From<PayoutError> for ApiError {
    fn from(err: PayoutError) -> Self {
        match err {
            PayoutError::NotFound => ApiError::not_found(ErrorCode::PayoutNotFound, "No such payout batch."),
            PayoutError::BrandNotFound => ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists."),
            PayoutError::NothingToPay => ApiError::unprocessable(
                ErrorCode::NothingToPay,
                "No ambassador has an approved balance that reaches the program's minimum payout.",
            ),
            PayoutError::NotPending(status) => ApiError::conflict(
                ErrorCode::PayoutNotPending,
                format!("The batch is {status}; only a pending batch can be marked paid or cancelled."),
            ),
            PayoutError::Cancelled => ApiError::conflict(
                ErrorCode::PayoutCancelled,
                "This batch was cancelled; its entries may be in a newer batch. Download that one instead.",
            ),
            PayoutError::NoSuchPart { parts } => ApiError::field("part", format!("must be between 1 and {parts}")),
            PayoutError::PartsRequired { rows, parts } => ApiError::unprocessable(
                ErrorCode::PaypalPartsRequired,
                format!(
                    "This batch has {rows} rows; PayPal takes at most {PAYPAL_MAX_ROWS} per file. Download parts 1 to {parts} with ?format=paypal&part=N."
                ),
            ),
            PayoutError::Overflow => ApiError::internal(err),
            PayoutError::Forbidden(err) => err.into(),
            PayoutError::Store(err) => err.into(),
        }
    }
}

/// Digits after the decimal point in amounts of `currency` (2 for a code that does not
/// parse, which stored data never holds).
fn exponent_of(currency: &str) -> u32 {
    Currency::parse(currency).map(|c| c.exponent()).unwrap_or(2)
}
