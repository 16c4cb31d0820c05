//! `GET /v1/me/orders?limit=&cursor=&brand_id=&status=`: the influencer's attributed
//! orders across brands, newest first; `GET /v1/me/orders/{id}`: one of them in full.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{parse_brand, parse_status};
use crate::api::brand_orders::{LedgerEntryView, OrderLineView, RefundView};
use crate::api::extract::Influencer;
use crate::api::pagination::{Page, PageQuery};
use crate::api::validate::Validator;
use crate::api::{ApiError, AppState};
use crate::service::reports::{self, MyOrder, MyOrderDetail};
use crate::store::ids::{BrandId, OrderId};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyOrdersQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub brand_id: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AttributionSummary {
    pub method: String,
    pub reason: String,
}

/// An attributed order as its ambassador sees it: no customer data.
#[derive(Debug, Serialize)]
pub struct MyOrderResponse {
    pub id: OrderId,
    /// The shop's order id.
    pub order_id: String,
    pub brand_id: BrandId,
    pub brand_name: String,
    /// The program's currency: `net_amount`, `commission` and `reversed` are in it.
    pub currency: String,
    /// The currency the order was placed in: its lines and refunds are in it.
    pub order_currency: String,
    /// The rate its net was converted from `order_currency` at; `null` when the same.
    pub fx_rate: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub net_amount: i64,
    /// The rate every line earned, as a decimal string; `null` for flat commissions or
    /// mixed rates.
    pub rate: Option<String>,
    pub terms_version: Option<i32>,
    /// The commission the order earned, before reversals.
    pub commission: i64,
    /// Reversed by refunds so far (positive).
    pub reversed: i64,
    /// `pending`, `approved`, `paid`, `reversed` or `none`.
    pub status: &'static str,
    /// When the commission becomes (or became) payable; `null` without a commission.
    pub available_at: Option<DateTime<Utc>>,
    pub attribution: AttributionSummary,
}

impl From<MyOrder> for MyOrderResponse {
    fn from(o: MyOrder) -> Self {
        Self {
            id: o.id,
            order_id: o.order_id,
            brand_id: o.brand_id,
            brand_name: o.brand_name,
            currency: o.currency,
            order_currency: o.order_currency,
            fx_rate: o.fx_rate,
            placed_at: o.placed_at,
            net_amount: o.net_amount,
            rate: o.rate,
            terms_version: o.terms_version,
            commission: o.commission,
            reversed: o.reversed,
            status: o.status.as_str(),
            available_at: o.available_at,
            attribution: AttributionSummary {
                method: o.attribution_method,
                reason: o.attribution_reason,
            },
        }
    }
}

pub async fn list_my_orders(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<MyOrdersQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::default();
    let brand = parse_brand(&mut v, query.brand_id);
    let status = parse_status(&mut v, query.status);
    let (Some(brand), Some(status)) = (brand, status) else {
        return Err(v.into_error());
    };
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .request::<OrderId>()?;
    let query = reports::MyOrdersQuery {
        influencer: me.influencer_id,
        brand,
        status,
        page,
    };
    let orders = reports::my_orders(&state.db, query).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(orders, MyOrderResponse::from)))
}

/// One of the influencer's orders with its lines, refunds and ledger entries: no
/// customer data, no attribution candidates (other people's codes).
#[derive(Debug, Serialize)]
pub struct MyOrderDetailResponse {
    #[serde(flatten)]
    pub order: MyOrderResponse,
    pub lines: Vec<OrderLineView>,
    pub refunds: Vec<RefundView>,
    pub ledger_entries: Vec<LedgerEntryView>,
}

impl From<MyOrderDetail> for MyOrderDetailResponse {
    fn from(d: MyOrderDetail) -> Self {
        Self {
            order: MyOrderResponse::from(d.order),
            lines: d.lines.into_iter().map(OrderLineView::from).collect(),
            refunds: d.refunds.into_iter().map(RefundView::from).collect(),
            // The brand's reason is the ambassador's to read; which teammate acted is not.
            ledger_entries: d
                .entries
                .into_iter()
                .map(|e| LedgerEntryView {
                    created_by: None,
                    ..LedgerEntryView::from(e)
                })
                .collect(),
        }
    }
}

/// `GET /v1/me/orders/{id}`: another influencer's order is 404, as no order is.
pub async fn get_my_order(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let detail = reports::my_order(&state.db, me.influencer_id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(MyOrderDetailResponse::from(detail)))
}
