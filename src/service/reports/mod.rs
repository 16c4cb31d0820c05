//! The read-only reports: the brand's orders (list, detail, CSV file) and statistics,
//! and the influencer's attributed orders and earnings statement (the dashboard is
//! [`super::dashboard`]). Each use case reads one snapshot through the store (a file,
//! one per page) and answers typed figures or rows; the doors only render them.

mod brand;
mod brand_csv;
mod brand_stats;
mod mine;
mod my_order;

pub use brand::{
    BrandOrder, BrandOrderDetail, BrandOrdersQuery, EntryLine, OrderLine, RefundLine, ReviewLine, brand_order,
    brand_order_in, brand_orders,
};
pub use brand_csv::{
    ORDERS_CSV_FILENAME, ORDERS_CSV_HEADER, ORDERS_CSV_PAGE, OrdersCsvPages, OrdersCsvQuery, orders_csv,
};
pub use brand_stats::{BrandStats, CommissionOwed, OwedFigure, SeriesBucket, StatsQuery, TopAmbassador, brand_stats};
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
