//! `GET /v1/brand/stats` (and the console's sales chart): the brand's figures over the
//! days of a period in one currency, the same figures per day or ISO week, the
//! commission its ledger owes, all time, by where the money stands and by kind, and the
//! declared value of the products it gifted.

use chrono::NaiveDate;

use super::ReportError;
use crate::domain::Currency;
use crate::domain::conversion::conversion_rate;
use crate::domain::period::{Interval, Period};
use crate::domain::status::EntryStatus;
use crate::service::deals::{self, GiftValues};
pub use crate::store::brand_reports::TopAmbassador;
use crate::store::brand_reports::{self, Totals};
pub use crate::store::brand_stats::OwedFigure;
use crate::store::brand_stats::{self, BucketTotals};
use crate::store::ids::BrandId;
use crate::store::{Db, StoreError, brands};

/// The ambassadors listed under `top_ambassadors`.
const TOP_AMBASSADORS: usize = 10;

/// The brand's figures over the days of `period`, money in one currency (the brand's
/// when none is given), with a series bucketed by `interval`.
#[derive(Debug, Clone, Copy)]
pub struct StatsQuery {
    pub brand: BrandId,
    pub period: Period,
    pub currency: Option<Currency>,
    pub interval: Interval,
}

#[derive(Debug, Clone)]
pub struct BrandStats {
    pub period: Period,
    pub currency: String,
    pub interval: Interval,
    pub clicks: i64,
    pub orders: i64,
    pub attributed_orders: i64,
    /// attributed orders ÷ clicks (decimal string), `None` without clicks.
    pub conversion_rate: Option<String>,
    /// `None` only when the total is beyond any representable amount (amounts stored
    /// before the bounds on input); the other figures still answer.
    pub net_sales: Option<i64>,
    pub commission: Option<i64>,
    pub rewards_granted: i64,
    /// By net sales, highest first; an ambassador whose figures no `i64` holds is left
    /// out (and logged).
    pub top_ambassadors: Vec<TopAmbassador>,
    /// Every bucket of the period in order, empty ones as zeros; the buckets add up to
    /// the period's figures.
    pub series: Vec<SeriesBucket>,
    pub commission_owed: CommissionOwed,
    /// Declared value of the products gifted through deals, per currency (every
    /// currency, not only the stats'), all time; never payable, so in no ledger figure.
    pub gifts: Vec<GiftValues>,
}

/// The period's figures within one day or ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesBucket {
    /// The bucket's first day: the day, or the Monday of the week (which may lie
    /// before the period's `from`: the first and last weeks count only its days).
    pub start: NaiveDate,
    pub orders: i64,
    pub attributed_orders: i64,
    /// Attributed net sales after refunds; `None` as for [`BrandStats::net_sales`].
    pub net_sales: Option<i64>,
    /// Commission after reversals.
    pub commission: Option<i64>,
}

/// The brand's ledger in the stats' currency, all time, by where each entry stands
/// (the influencer dashboard's split, [`crate::domain::status::EntryStatus`]); reversals
/// count, negative, where they stand. pending + payable + paid = Σ every entry. Each
/// figure comes with its parts by ledger kind, which add up to it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommissionOwed {
    /// Still in its hold period (not approved).
    pub pending: OwedFigure,
    /// Approved and not in a paid payout (whether or not an unpaid batch holds it).
    pub payable: OwedFigure,
    /// In paid payouts.
    pub paid: OwedFigure,
}

/// Reads every figure in one snapshot: a fixed number of statements, however long the
/// period or large the history.
pub async fn brand_stats(db: &Db, query: StatsQuery) -> Result<BrandStats, ReportError> {
    let StatsQuery {
        brand,
        period,
        currency,
        interval,
    } = query;
    db.read(move |conn| {
        let currency = match currency {
            Some(c) => c.code().to_owned(),
            None => brands::find(conn, brand)?.ok_or(ReportError::BrandNotFound)?.currency,
        };
        let totals = brand_reports::totals(conn, brand, &currency, period)?;
        let clicks = brand_reports::clicks(conn, brand, period)?;
        let rewards_granted = brand_reports::rewards_granted(conn, brand, period)?;
        let top_ambassadors = brand_reports::top_ambassadors(conn, brand, &currency, period, TOP_AMBASSADORS)?;
        let buckets = brand_stats::series(conn, brand, &currency, period, interval)?;
        let owed = brand_stats::owed(conn, brand, &currency)?;
        let gifts = deals::gift_values(conn, brand)?;
        Ok(BrandStats {
            series: lay_out(&buckets, period, interval)?,
            commission_owed: CommissionOwed {
                pending: owed.in_status(EntryStatus::Pending),
                payable: owed.in_status(EntryStatus::Approved),
                paid: owed.in_status(EntryStatus::Paid),
            },
            gifts,
            period,
            currency,
            interval,
            clicks,
            orders: totals.orders,
            attributed_orders: totals.attributed_orders,
            conversion_rate: conversion_rate(totals.attributed_orders, clicks),
            net_sales: totals.net_sales(),
            commission: totals.commission(),
            rewards_granted,
            top_ambassadors,
        })
    })
    .await
}

/// Every bucket of the period, in order, with the grouped rows where there are some.
fn lay_out(rows: &[BucketTotals], period: Period, interval: Interval) -> Result<Vec<SeriesBucket>, StoreError> {
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for row in rows {
        let start = NaiveDate::parse_from_str(&row.bucket, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("the database wrote the day `{}`, not YYYY-MM-DD", row.bucket)))?;
        found.insert(start, &row.totals);
    }
    let empty = Totals::default();
    Ok(period
        .buckets(interval)
        .into_iter()
        .map(|start| {
            let totals = found.get(&start).copied().unwrap_or(&empty);
            SeriesBucket {
                start,
                orders: totals.orders,
                attributed_orders: totals.attributed_orders,
                net_sales: totals.net_sales(),
                commission: totals.commission(),
            }
        })
        .collect())
}
