//! The read-only reports: the brand's orders and statistics, and the influencer's
//! attributed orders and earnings statement (the dashboard is [`super::dashboard`]).
//! Each use case reads one snapshot through the store and answers typed figures; the
//! doors only render them.

mod brand;
mod mine;

pub use brand::{
    BrandOrder, BrandOrderDetail, BrandOrdersQuery, BrandStats, EntryLine, OrderLine, RefundLine, StatsQuery,
    TopAmbassador, brand_order, brand_orders, brand_stats,
};
pub use mine::{MyOrder, MyOrdersQuery, STATEMENT_PAGE, StatementLine, my_orders, statement_pages};

use crate::store::{StoreError, UnitError};

/// Why a report cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The signed-in influencer's account is gone.
    #[error("the account no longer exists")]
    AccountNotFound,
    /// The signed-in user's brand is gone.
    #[error("the brand no longer exists")]
    BrandNotFound,
    /// No such order in the caller's brand.
    #[error("no such order")]
    OrderNotFound,
    /// The influencer is not (and never was) an ambassador of the brand asked about.
    #[error("not an ambassador of this brand")]
    NotAmbassador,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ReportError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for ReportError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}
