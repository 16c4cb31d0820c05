//! The influencer's reports across every brand they work with: the earnings dashboard,
//! the attributed orders with where each commission stands, and the earnings statement
//! as CSV. Each handler parses the query, calls one use case of
//! [`crate::service::dashboard`] or [`crate::service::reports`], and renders it.

mod dashboard;
mod earnings;
mod orders;

pub use dashboard::{
    BrandDashboard, CodeView, DashboardQuery, DashboardResponse, EarnedRewardView, InfluencerSummary, ProgressView,
    RecentOrderView, RewardsView, SeriesPoint, TotalsView, get_dashboard,
};
pub use earnings::{EARNINGS_HEADER, download_earnings, earnings_csv};
pub use orders::{
    AttributionSummary, MyOrderDetailResponse, MyOrderResponse, MyOrdersQuery, get_my_order, list_my_orders,
};

use super::validate::Validator;
use super::{ApiError, ErrorCode, FieldError};
use crate::domain::period::PeriodError;
use crate::domain::status::OrderStatus;
use crate::service::reports::ReportError;
use crate::store::ids::BrandId;

/// The one answer for each way a report fails, the brand's reports included.
impl From<ReportError> for ApiError {
    fn from(err: ReportError) -> Self {
        match err {
            ReportError::AccountNotFound => {
                ApiError::not_found(ErrorCode::AccountNotFound, "The account no longer exists.")
            }
            ReportError::BrandNotFound => ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists."),
            ReportError::OrderNotFound => ApiError::not_found(ErrorCode::OrderNotFound, "No such order."),
            ReportError::NotAmbassador => ApiError::not_found(
                ErrorCode::AmbassadorNotFound,
                "You are not an ambassador of this brand.",
            ),
            ReportError::Store(err) => err.into(),
        }
    }
}

/// A refused `from`/`to` as the 422's field errors.
pub(crate) fn period_fields(errors: Vec<PeriodError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError::new(e.field, e.message))
        .collect()
}

/// An empty query parameter counts as absent.
fn blank_to_none(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

fn parse_brand(v: &mut Validator, value: Option<String>) -> Option<Option<BrandId>> {
    v.check_opt(
        "brand_id",
        blank_to_none(value).map(|b| {
            b.parse::<BrandId>()
                .map_err(|_| "must be a brand id (a UUID)".to_owned())
        }),
    )
}

/// An order `status` filter, the values and message of the brand's list; empty counts
/// as absent, as `brand_id` does here.
fn parse_status(v: &mut Validator, value: Option<String>) -> Option<Option<OrderStatus>> {
    v.check_opt("status", blank_to_none(value).map(|s| OrderStatus::parse_filter(&s)))
}
