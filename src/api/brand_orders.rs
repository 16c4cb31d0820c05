//! The brand's orders and statistics (brand JWT).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ErrorCode;
use super::extract::BrandUser;
use super::me_reports::{DateRange, conversion_rate};
use super::orders::{CommissionView, OrderResponse, candidates_of};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use super::{ApiError, FieldError, db};
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::codes::normalize_lookup;
use crate::store::brand_reports::{self, OrderFacts, OrderFilter, OrderStatus};
use crate::store::ids::{MembershipId, OrderId};
use crate::store::orders::{self, OrderRow};
use crate::store::{brands, ledger, refunds, time};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersQuery {
    pub ambassador_id: Option<String>,
    pub code: Option<String>,
    pub status: Option<String>,
    /// Orders placed at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Orders placed before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn order_view(order: &OrderRow, facts: &OrderFacts) -> OrderResponse {
    let commission = facts.commissions.get(&order.id);
    let refunded = facts.refunded.get(&order.id).copied().unwrap_or(0);
    let status = OrderStatus::of(commission, order.net_amount, refunded);
    OrderResponse::from_row(
        order,
        order.code_id.and_then(|c| facts.codes.get(&c).cloned()),
        CommissionView {
            amount: order.commission,
            rate: order.commission_rate.clone(),
            status: status.as_str(),
            terms_version: order.terms_version,
            available_at: commission.map(|e| time::from_db(e.available_at)),
        },
        candidates_of(order),
    )
}

/// `GET /v1/brand/orders`: newest first; filters `ambassador_id`, `code`, `status`
/// (pending, approved, paid, reversed, none), `from`/`to` on `placed_at`.
pub async fn list_brand_orders(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<OrdersQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = Vec::new();
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let before = q.cursor.as_deref().filter(|c| !c.is_empty()).and_then(|c| {
        c.parse::<OrderId>()
            .map_err(|_| errors.push(FieldError::new("cursor", "is not a cursor from this list")))
            .ok()
    });
    let membership = q.ambassador_id.as_deref().and_then(|a| {
        a.parse::<MembershipId>()
            .map_err(|_| errors.push(FieldError::new("ambassador_id", "must be an ambassador id")))
            .ok()
    });
    let status = q.status.as_deref().and_then(|s| {
        OrderStatus::parse(s)
            .ok_or_else(|| {
                errors.push(FieldError::new(
                    "status",
                    "must be one of pending, approved, paid, reversed, none",
                ))
            })
            .ok()
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let code = match q.code.as_deref().map(normalize_lookup) {
        // A code that cannot exist matches nothing rather than everything.
        Some(None) => {
            return Ok(HttpResponse::Ok().json(Page::<OrderResponse> {
                items: Vec::new(),
                next_cursor: None,
            }));
        }
        Some(Some(code)) => Some(code.as_str().to_owned()),
        None => None,
    };
    let filter = OrderFilter {
        membership,
        code,
        status,
        from: q.from.map(time::to_db),
        to: q.to.map(time::to_db),
    };
    let (rows, facts) = db::read(&state.db, move |conn| {
        let rows = brand_reports::list_orders(conn, user.brand_id, &filter, before, limit + 1)?;
        let facts = brand_reports::facts(conn, &rows)?;
        Ok((rows, facts))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |o| o.id.to_string(),
        |o| order_view(&o, &facts),
    )))
}

#[derive(Debug, Serialize)]
pub struct OrderLineView {
    pub sku: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
    /// The commission rate this line earned (decimal string), when attributed.
    pub rate: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RefundView {
    pub id: String,
    pub refund_id: String,
    pub amount: i64,
    pub reversal: i64,
    pub lines: Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct LedgerEntryView {
    pub id: String,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub available_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub payout_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderResponse,
    pub lines: Vec<OrderLineView>,
    pub refunds: Vec<RefundView>,
    pub ledger_entries: Vec<LedgerEntryView>,
}

/// `GET /v1/brand/orders/{id}`: the order with its lines, refunds, ledger entries and
/// the attribution record.
pub async fn get_brand_order(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let detail = db::read(&state.db, move |conn| {
        let order = orders::find(conn, user.brand_id, id)?
            .ok_or_else(|| ApiError::not_found(ErrorCode::OrderNotFound, "No such order."))?;
        let facts = brand_reports::facts(conn, std::slice::from_ref(&order))?;
        let lines = orders::lines(conn, order.id)?;
        let refund_rows = refunds::list_for_order(conn, order.id)?;
        let entries = ledger::for_order(conn, order.id)?;
        Ok(OrderDetail {
            order: order_view(&order, &facts),
            lines: lines
                .into_iter()
                .map(|l| OrderLineView {
                    sku: l.sku,
                    category: l.category,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    rate: l.rate,
                })
                .collect(),
            refunds: refund_rows
                .into_iter()
                .map(|r| RefundView {
                    id: r.id.to_string(),
                    refund_id: r.refund_id,
                    amount: r.amount,
                    reversal: r.reversal,
                    lines: r
                        .lines
                        .and_then(|l| serde_json::from_str(&l).ok())
                        .unwrap_or(Value::Null),
                    created_at: time::from_db(r.created_at),
                })
                .collect(),
            ledger_entries: entries
                .into_iter()
                .map(|e| LedgerEntryView {
                    id: e.id.to_string(),
                    kind: e.kind.as_str().to_owned(),
                    amount: e.amount,
                    currency: e.currency,
                    available_at: time::from_db(e.available_at),
                    approved_at: e.approved_at.map(time::from_db),
                    payout_id: e.paid_out_in,
                    created_at: time::from_db(e.created_at),
                })
                .collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(detail))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub currency: Option<String>,
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
pub struct StatsResponse {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
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
}

/// `GET /v1/brand/stats?from=&to=&currency=`: the days `from..=to` (UTC dates, the
/// last 30 days by default), money in one currency (the brand's by default).
pub async fn get_brand_stats(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = state.clock.now().date_naive();
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref(), today)
        .map_err(|errors| ApiError::validation(errors.into_iter().map(|(f, m)| FieldError::new(f, m)).collect()))?;
    let currency = query
        .currency
        .as_deref()
        .map(|c| Currency::parse(c).map_err(|m| ApiError::field("currency", m)))
        .transpose()?;
    let from = NaiveDateTime::new(range.from, NaiveTime::MIN);
    let until = NaiveDateTime::new(
        range
            .to
            .succ_opt()
            .ok_or_else(|| ApiError::field("to", "is too late"))?,
        NaiveTime::MIN,
    );
    let stats = db::read(&state.db, move |conn| {
        let currency = match currency {
            Some(c) => c.code().to_owned(),
            None => {
                brands::find(conn, user.brand_id)?
                    .ok_or_else(|| ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists."))?
                    .currency
            }
        };
        let totals = brand_reports::totals(conn, user.brand_id, &currency, from, until)?;
        let clicks = brand_reports::clicks(conn, user.brand_id, from, until)?;
        let rewards_granted = brand_reports::rewards_granted(conn, user.brand_id, from, until)?;
        let top = brand_reports::top_ambassadors(conn, user.brand_id, &currency, from, until, 10)?;
        Ok(StatsResponse {
            from: range.from,
            to: range.to,
            currency,
            clicks,
            orders: totals.orders,
            attributed_orders: totals.attributed_orders,
            conversion_rate: conversion_rate(totals.attributed_orders, clicks),
            net_sales: totals.net_sales(),
            commission: totals.commission(),
            rewards_granted,
            top_ambassadors: top
                .into_iter()
                .map(|t| TopAmbassadorView {
                    ambassador_id: t.membership_id,
                    display_name: t.display_name,
                    orders: t.orders,
                    net_sales: t.net_sales,
                    commission: t.commission,
                })
                .collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(stats))
}
