//! `GET /v1/me/orders?limit=&cursor=&brand_id=`: the influencer's attributed orders
//! across brands, newest first.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::parse_brand;
use crate::api::extract::Influencer;
use crate::api::pagination::{Page, PageQuery};
use crate::api::validate::Validator;
use crate::api::{ApiError, AppState};
use crate::service::reports::{self, MyOrder};
use crate::store::ids::{BrandId, OrderId};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyOrdersQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub brand_id: Option<String>,
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
    pub currency: String,
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
    let Some(brand) = parse_brand(&mut v, query.brand_id) else {
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
        page,
    };
    let orders = reports::my_orders(&state.db, query).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(orders, MyOrderResponse::from)))
}
