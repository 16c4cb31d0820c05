//! The read-only reports: the brand's orders and statistics, and the influencer's
//! attributed orders and earnings statement (the dashboard is [`super::dashboard`]).
//! Each use case reads one snapshot through the store and answers typed figures; the
//! doors only render them.

mod brand;
mod mine;
mod my_order;

pub use brand::{
    BrandOrder, BrandOrderDetail, BrandOrdersQuery, BrandStats, EntryLine, OrderLine, RefundLine, StatsQuery,
    TopAmbassador, brand_order, brand_orders, brand_stats,
};
pub use mine::{
    MyBrand, MyOrder, MyOrdersQuery, MyOrdersWithBrands, STATEMENT_PAGE, StatementLine, my_orders,
    my_orders_with_brands, statement_pages,
};
pub use my_order::{MyOrderDetail, my_order};

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
    /// No such order in the caller's brand, or attributed to the influencer.
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
