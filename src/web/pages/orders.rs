//! `GET /app/orders`: every order attributed to the influencer, newest first, 25 a
//! page, narrowed by brand and status with a GET form (so a filtered page can be
//! bookmarked and the "Older orders" link carries the filters). Each row links to the
//! order's own page ([`super::order`]). The columns an ambassador looks for first
//! (order and date, commission, status with its countdown) come first: on a phone the
//! table scrolls sideways and those stay in view. The words for statuses, holds and
//! attribution are [`crate::web::words`], shared with that page and the brand's console.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::notice::Notice;
use crate::api::AppState;
use crate::domain::display;
use crate::domain::status::OrderStatus;
use crate::service::paging::PageRequest;
use crate::service::reports::{self, MyOrder, MyOrdersQuery, ReportError};
use crate::store::ids::{BrandId, OrderId};
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::{ORDER_STATUSES, Reader, attribution_words, hold_words, status_words};

/// Orders a page.
const PAGE: i64 = 25;

struct Row {
    id: OrderId,
    date: String,
    order_id: String,
    brand: String,
    net: String,
    commission: String,
    reversed: String,
    status: &'static str,
    hold: Option<String>,
    method: String,
    reason: String,
}

impl Row {
    fn of(order: MyOrder, now: DateTime<Utc>) -> Self {
        let money = |minor: i64| display::money_in(minor, &order.currency);
        let (method, reason) =
            attribution_words(&order.attribution_method, &order.attribution_reason, Reader::Ambassador);
        Self {
            date: display::date(order.placed_at),
            net: money(order.net_amount),
            commission: money(order.commission),
            reversed: if order.reversed == 0 {
                "—".to_owned()
            } else {
                money(order.reversed)
            },
            status: status_words(order.status),
            hold: match order.status {
                OrderStatus::Held => Some("not payable until the brand finishes".to_owned()),
                OrderStatus::Rejected => Some("the order's page says why".to_owned()),
                _ => hold_words(order.status, order.available_at, now),
            },
            method,
            reason,
            id: order.id,
            order_id: order.order_id,
            brand: order.brand_name,
        }
    }
}

/// An option of a filter's `<select>`.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "web/orders.html")]
struct OrdersPage<'a> {
    current: &'a str,
    csrf: &'a str,
    rows: Vec<Row>,
    brands: Vec<Choice>,
    statuses: Vec<Choice>,
    filtered: bool,
    /// The first page with the same filters, when this is a later one.
    newest: Option<String>,
    /// The next page with the same filters, when there is one.
    older: Option<String>,
}

/// The query string as typed; each value is checked by [`Filter::parse`].
#[derive(Debug, Deserialize)]
pub struct OrdersQuery {
    brand: Option<String>,
    status: Option<String>,
    after: Option<String>,
}

/// The filters and the page, checked.
struct Filter {
    brand: Option<BrandId>,
    status: Option<OrderStatus>,
    after: Option<OrderId>,
}

/// An empty value (the select's "all") counts as absent.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

impl Filter {
    /// The filters, or the message of the first one the page does not know.
    fn parse(query: &OrdersQuery) -> Result<Self, String> {
        let brand = given(query.brand.as_deref())
            .map(|b| {
                b.parse::<BrandId>()
                    .map_err(|_| "The brand filter is not one of your brands.".to_owned())
            })
            .transpose()?;
        let status = given(query.status.as_deref())
            .map(|s| OrderStatus::parse_filter(s).map_err(|m| format!("The status filter {m}.")))
            .transpose()?;
        let after = given(query.after.as_deref())
            .map(|a| {
                a.parse::<OrderId>()
                    .map_err(|_| "That page link is not one this list gave.".to_owned())
            })
            .transpose()?;
        Ok(Self { brand, status, after })
    }

    /// `/app/orders?…` with these filters, continuing after `after`.
    fn href(&self, after: Option<OrderId>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(brand) = self.brand {
            query.append_pair("brand", &brand.to_string());
        }
        if let Some(status) = self.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(after) = after {
            query.append_pair("after", &after.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/app/orders".to_owned()
        } else {
            format!("/app/orders?{query}")
        }
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<OrdersQuery>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let csrf = &signed_in.session.csrf_token;
    let filter = match Filter::parse(&query) {
        Ok(filter) => filter,
        Err(message) => {
            let notice = Notice {
                console: false,
                current: "orders",
                csrf,
                title: "Orders",
                message: &message,
                back: "/app/orders",
                back_label: "All your orders",
            };
            return Ok(notice.answer(StatusCode::BAD_REQUEST));
        }
    };
    let request = MyOrdersQuery {
        influencer,
        brand: filter.brand,
        status: filter.status,
        page: PageRequest {
            limit: PAGE,
            after: filter.after,
        },
    };
    let found = reports::my_orders_with_brands(&state.db, request)
        .await
        .map_err(|err| match err {
            ReportError::AccountNotFound => PageError::SignIn,
            err => PageError::Internal(format!("{err:#}")),
        })?;
    let now = state.clock.now();
    let mut brands = vec![Choice {
        value: String::new(),
        label: "All brands".to_owned(),
        selected: filter.brand.is_none(),
    }];
    brands.extend(found.brands.into_iter().map(|b| Choice {
        selected: filter.brand == Some(b.id),
        value: b.id.to_string(),
        label: b.name,
    }));
    let mut statuses = vec![Choice {
        value: String::new(),
        label: "Any status".to_owned(),
        selected: filter.status.is_none(),
    }];
    statuses.extend(ORDER_STATUSES.into_iter().map(|s| Choice {
        value: s.as_str().to_owned(),
        label: status_words(s).to_owned(),
        selected: filter.status == Some(s),
    }));
    Ok(page(
        StatusCode::OK,
        &OrdersPage {
            current: "orders",
            csrf,
            rows: found.orders.items.into_iter().map(|o| Row::of(o, now)).collect(),
            brands,
            statuses,
            filtered: filter.brand.is_some() || filter.status.is_some(),
            newest: filter.after.map(|_| filter.href(None)),
            older: found.orders.next.map(|next| filter.href(Some(next))),
        },
    ))
}
