//! `GET /v1/brand/stats` (brand JWT): the brand's figures over a period, their series
//! per day or ISO week for the console's sales chart, the commission owed (each figure
//! also by ledger kind) and the declared value of gifted products. The handler parses
//! the query, calls [`reports::brand_stats`] and renders it.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::extract::BrandUser;
use super::me_reports::period_fields;
use super::{ApiError, FieldError};
use crate::api::AppState;
use crate::api::money::KindAmounts;
use crate::domain::Currency;
use crate::domain::period::{Interval, Period};
use crate::service::deals::GiftValues;
use crate::service::reports::{self, BrandStats, CommissionOwed, OwedFigure, SeriesBucket};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub currency: Option<String>,
    /// `day` (default) or `week` (ISO weeks, Monday first).
    pub interval: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TopAmbassadorView {
    pub ambassador_id: String,
    pub display_name: String,
    pub orders: i64,
    pub net_sales: i64,
    pub commission: i64,
}

#[derive(Debug, Serialize)]
pub struct SeriesView {
    /// The bucket's first day (a Monday for weeks).
    pub start: NaiveDate,
    pub orders: i64,
    pub attributed_orders: i64,
    pub net_sales: Option<i64>,
    pub commission: Option<i64>,
}

/// Each figure with its parts by ledger kind, which add up to it exactly; parts are
/// `null` when the figure or one of them is beyond any representable amount.
#[derive(Debug, Serialize)]
pub struct CommissionOwedView {
    pub pending: Option<i64>,
    pub pending_by_kind: Option<KindAmounts>,
    pub payable: Option<i64>,
    pub payable_by_kind: Option<KindAmounts>,
    pub paid: Option<i64>,
    pub paid_by_kind: Option<KindAmounts>,
}

/// Declared value of gifted products in one currency, by shipment state; never payable.
#[derive(Debug, Serialize)]
pub struct GiftValuesView {
    pub currency: String,
    pub to_ship: i64,
    pub shipped: i64,
    pub delivered: i64,
}

#[derive(Debug, Serialize)]
pub struct StatsResponse {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    pub clicks: i64,
    pub orders: i64,
    pub attributed_orders: i64,
    /// attributed orders ÷ clicks (decimal string), `null` without clicks.
    pub conversion_rate: Option<String>,
    /// `null` only when the total is beyond any representable amount (amounts stored
    /// before the bounds on input); the other figures still answer.
    pub net_sales: Option<i64>,
    pub commission: Option<i64>,
    pub rewards_granted: i64,
    pub top_ambassadors: Vec<TopAmbassadorView>,
    pub interval: &'static str,
    pub series: Vec<SeriesView>,
    pub commission_owed: CommissionOwedView,
    pub gifts: Vec<GiftValuesView>,
}

/// `GET /v1/brand/stats?from=&to=&currency=&interval=`: the days `from..=to` (UTC
/// dates, the last 30 days by default), money in one currency (the brand's by default),
/// the series by `day` (default) or `week`.
pub async fn get_brand_stats(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = state.clock.now().date_naive();
    let mut errors = Vec::new();
    let period = Period::parse(query.from.as_deref(), query.to.as_deref(), today)
        .map_err(|found| errors.extend(period_fields(found)))
        .ok();
    let currency = query
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|m| errors.push(FieldError::new("currency", m)))
        .ok()
        .flatten();
    let interval = query
        .interval
        .as_deref()
        .map(Interval::parse)
        .transpose()
        .map_err(|m| errors.push(FieldError::new("interval", m)))
        .ok()
        .flatten()
        .unwrap_or_default();
    let (Some(period), true) = (period, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let query = reports::StatsQuery {
        brand: user.brand_id,
        period,
        currency,
        interval,
    };
    let stats = reports::brand_stats(&state.db, query).await?;
    Ok(HttpResponse::Ok().json(StatsResponse::from(stats)))
}

impl From<SeriesBucket> for SeriesView {
    fn from(b: SeriesBucket) -> Self {
        Self {
            start: b.start,
            orders: b.orders,
            attributed_orders: b.attributed_orders,
            net_sales: b.net_sales,
            commission: b.commission,
        }
    }
}

impl From<CommissionOwed> for CommissionOwedView {
    fn from(o: CommissionOwed) -> Self {
        let parts = |figure: OwedFigure| figure.by_kind.map(KindAmounts::from);
        Self {
            pending: o.pending.total,
            pending_by_kind: parts(o.pending),
            payable: o.payable.total,
            payable_by_kind: parts(o.payable),
            paid: o.paid.total,
            paid_by_kind: parts(o.paid),
        }
    }
}

impl From<GiftValues> for GiftValuesView {
    fn from(g: GiftValues) -> Self {
        Self {
            currency: g.currency,
            to_ship: g.to_ship,
            shipped: g.shipped,
            delivered: g.delivered,
        }
    }
}

impl From<BrandStats> for StatsResponse {
    fn from(s: BrandStats) -> Self {
        Self {
            from: s.period.from(),
            to: s.period.to(),
            currency: s.currency,
            clicks: s.clicks,
            orders: s.orders,
            attributed_orders: s.attributed_orders,
            conversion_rate: s.conversion_rate,
            net_sales: s.net_sales,
            commission: s.commission,
            rewards_granted: s.rewards_granted,
            top_ambassadors: s
                .top_ambassadors
                .into_iter()
                .map(|t| TopAmbassadorView {
                    ambassador_id: t.membership_id,
                    display_name: t.display_name,
                    orders: t.orders,
                    net_sales: t.net_sales,
                    commission: t.commission,
                })
                .collect(),
            interval: s.interval.as_str(),
            series: s.series.into_iter().map(SeriesView::from).collect(),
            commission_owed: s.commission_owed.into(),
            gifts: s.gifts.into_iter().map(GiftValuesView::from).collect(),
        }
    }
}
