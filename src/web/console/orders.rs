//! `GET /console/orders`: the brand's orders, newest first, 25 a page, through the use
//! case of `GET /v1/brand/orders` (so the same filters give the same orders), narrowed
//! by a GET form ([`super::orders_filter`]) whose values every link of the page keeps:
//! "Older orders" and the CSV download (`GET /console/orders.csv`, the file of `GET
//! /v1/brand/orders.csv`). Each row links to the order's own page ([`super::order`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::Frame;
use super::orders_filter::{Filter, OrdersQuery};
use crate::api::AppState;
use crate::api::brand_orders::orders_csv;
use crate::domain::{display, fraud};
use crate::service::ambassadors;
use crate::service::reports::{self, BrandOrder};
use crate::store::ids::{MembershipId, OrderId};
use crate::web::form::FieldErrors;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::{ORDER_STATUSES, hold_words, status_words};

/// Orders a page.
const PAGE: i64 = 25;
/// Ambassadors offered by the filter (a brand with more types an ambassador's page
/// link; the filter still takes any of their ids).
const AMBASSADORS_OFFERED: i64 = 500;

struct Row {
    id: OrderId,
    order_id: String,
    date: String,
    ambassador: Option<(MembershipId, String)>,
    code: Option<String>,
    net: String,
    commission: String,
    status: &'static str,
    hold: Option<String>,
    /// The fraud signals that held the commission, in a few words.
    signals: Option<String>,
}

impl Row {
    fn of(o: BrandOrder, now: DateTime<Utc>) -> Self {
        let money = |minor: i64| display::money_in(minor, &o.order.currency);
        Self {
            id: o.order.id,
            date: display::date_time(o.order.placed_at.and_utc()),
            ambassador: o
                .order
                .membership_id
                .map(|m| (m, o.ambassador_name.clone().unwrap_or_default())),
            net: money(o.order.net_amount),
            commission: display::money_in(o.order.commission, o.order.commission_currency()),
            status: status_words(o.status),
            hold: hold_words(o.status, o.available_at, now),
            signals: Some(fraud::stored(&o.order.signals))
                .filter(|signals| !signals.is_empty())
                .map(|signals| signals.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ")),
            code: o.code,
            order_id: o.order.order_id,
        }
    }
}

/// An option of a filter's `<select>`.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "console/orders.html")]
struct OrdersPage<'a> {
    frame: Frame,
    typed: &'a OrdersQuery,
    errors: &'a FieldErrors,
    statuses: Vec<Choice>,
    ambassadors: Vec<Choice>,
    rows: Vec<Row>,
    filtered: bool,
    /// The first page with the same filters, when this is a later one.
    newest: Option<String>,
    /// The next page with the same filters, when there is one.
    older: Option<String>,
    /// The CSV of every order these filters match.
    download: Option<String>,
}

/// The options of a status filter: "Any status", then each of `all` in `words`.
pub(super) fn status_choices<S: Copy + PartialEq>(
    all: &[S],
    selected: Option<S>,
    value: impl Fn(S) -> &'static str,
    words: impl Fn(S) -> &'static str,
) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "Any status".to_owned(),
        selected: selected.is_none(),
    }];
    choices.extend(all.iter().map(|&s| Choice {
        value: value(s).to_owned(),
        label: words(s).to_owned(),
        selected: selected == Some(s),
    }));
    choices
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<OrdersQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "orders").await?;
    let typed = query.into_inner();
    let mut errors = FieldErrors::default();
    let filter = Filter::parse(&typed, &mut errors);
    let listed = ambassadors::list(&state.db, actor.brand_id, None, AMBASSADORS_OFFERED)
        .await
        .map_err(PageError::internal)?;
    let mut ambassador_choices = vec![Choice {
        value: String::new(),
        label: "Every ambassador".to_owned(),
        selected: filter.ambassador.is_none(),
    }];
    ambassador_choices.extend(listed.into_iter().map(|a| Choice {
        selected: filter.ambassador == Some(a.id),
        value: a.id.to_string(),
        label: a.display_name,
    }));
    let mut view = OrdersPage {
        frame,
        typed: &typed,
        errors: &errors,
        statuses: status_choices(&ORDER_STATUSES, filter.status, |s| s.as_str(), status_words),
        ambassadors: ambassador_choices,
        rows: Vec::new(),
        filtered: filter.narrows(),
        newest: None,
        older: None,
        download: None,
    };
    if !errors.is_empty() {
        // The refused filters are said beside their fields; no list is guessed.
        return Ok(page(StatusCode::BAD_REQUEST, &view));
    }
    let orders = reports::brand_orders(&state.db, filter.page_query(actor.brand_id, PAGE))
        .await
        .map_err(PageError::internal)?;
    let now = state.clock.now();
    view.rows = orders.items.into_iter().map(|o| Row::of(o, now)).collect();
    view.newest = filter.after.map(|_| filter.href("/console/orders", None));
    view.older = orders.next.map(|next| filter.href("/console/orders", Some(next)));
    view.download = Some(filter.href("/console/orders.csv", None));
    Ok(page(StatusCode::OK, &view))
}

/// `GET /console/orders.csv?…`: every order the list's filters match, as the file of
/// `GET /v1/brand/orders.csv` (the same use case and the same rendering, so the same
/// filters give the same bytes), streamed.
pub async fn download(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<OrdersQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, _) = super::enter(&state, &signed_in, "orders").await?;
    let mut errors = FieldErrors::default();
    let filter = Filter::parse(&query, &mut errors);
    if !errors.is_empty() {
        let refused: Vec<String> = errors
            .iter()
            .map(|(field, message)| format!("{field} {message}"))
            .collect();
        return Err(PageError::BadRequest(format!(
            "These filters cannot be read: {}.",
            refused.join("; ")
        )));
    }
    Ok(orders_csv(&state.db, filter.file_query(actor.brand_id)))
}
