//! `GET /app/orders/{id}`: one of the influencer's orders in full — what it earned and
//! under which terms, when the commission is payable, why it was attributed, its lines,
//! refunds and ledger entries. Through the same use case as `GET /v1/me/orders/{id}`:
//! another influencer's order is 404, as no order is.
//!
//! A commission the brand holds reads "Under review", without the brand's reason (the
//! hold is the brand's own business until it decides); a rejected one says the brand's
//! reason, which the rejection's reversal entry carries. Which teammate acted is never
//! shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::api::AppState;
use crate::domain::display;
use crate::domain::status::{EntryState, EntryStatus, OrderStatus};
use crate::service::reports::{self, MyOrderDetail, ReportError};
use crate::store::ids::{BrandId, OrderId};
use crate::store::ledger::EntryKind;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::{Reader, attribution_words, hold_words, status_words};

struct Line {
    sku: String,
    category: String,
    quantity: i64,
    unit_price: String,
    rate: String,
}

struct Refund {
    date: String,
    refund_id: String,
    amount: String,
    reversal: String,
}

struct Entry {
    date: String,
    kind: &'static str,
    reason: Option<String>,
    amount: String,
    payable: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "web/order.html")]
struct OrderPage<'a> {
    current: &'a str,
    csrf: &'a str,
    order_id: String,
    brand_id: BrandId,
    brand: String,
    placed: String,
    net: String,
    commission: String,
    reversed: String,
    rate: String,
    terms: String,
    status: &'static str,
    payable: Option<String>,
    /// A word on the brand's review: under review, or rejected and why.
    review: Option<String>,
    /// How the net was converted into the program's currency, when it was.
    conversion: Option<String>,
    method: String,
    reason: String,
    lines: Vec<Line>,
    refunds: Vec<Refund>,
    entries: Vec<Entry>,
}

/// A rate as stored ("10", "12.5") in words.
fn rate_words(rate: Option<&str>) -> String {
    rate.map_or_else(|| "—".to_owned(), |rate| format!("{rate} %"))
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let detail = reports::my_order(&state.db, influencer, id.into_inner())
        .await
        .map_err(|err| match err {
            ReportError::OrderNotFound => PageError::NotFound,
            err => PageError::Internal(format!("{err:#}")),
        })?;
    let now = state.clock.now();
    let MyOrderDetail {
        order,
        lines,
        refunds,
        entries,
    } = detail;
    let currency = order.currency.clone();
    let money = |minor: i64| display::money_in(minor, &currency);
    // Lines and refunds are in the currency the order was placed in; the net, the
    // commission and its reversals in the program's.
    let placed_in = order.order_currency.clone();
    let paid_in = |minor: i64| display::money_in(minor, &placed_in);
    let conversion = order.fx_rate.as_ref().map(|rate| {
        format!("Placed in {placed_in}; its net was converted into {currency} at {rate}, and the commission is paid on that.")
    });
    let payable = match (order.status, order.available_at) {
        (OrderStatus::Pending, Some(at)) => Some(format!(
            "{} ({})",
            display::date_time(at),
            hold_words(order.status, order.available_at, now).unwrap_or_default()
        )),
        (OrderStatus::Approved | OrderStatus::Paid, Some(at)) => Some(format!("since {}", display::date_time(at))),
        _ => None,
    };
    let (method, reason) = attribution_words(&order.attribution_method, &order.attribution_reason, Reader::Ambassador);
    let review = match order.status {
        OrderStatus::Held => {
            Some("The brand is reviewing this commission: it does not become payable until they finish.".to_owned())
        }
        OrderStatus::Rejected => Some(
            match entries
                .iter()
                .rev()
                .find(|e| e.kind == EntryKind::Reversal)
                .and_then(|e| e.reason.as_deref())
            {
                Some(why) => format!("The brand rejected this commission: {why}"),
                None => "The brand rejected this commission.".to_owned(),
            },
        ),
        _ => None,
    };
    let page_view = OrderPage {
        review,
        conversion,
        current: "orders",
        csrf: &signed_in.session.csrf_token,
        brand_id: order.brand_id,
        brand: order.brand_name.clone(),
        placed: display::date_time(order.placed_at),
        net: money(order.net_amount),
        commission: money(order.commission),
        reversed: money(order.reversed),
        rate: rate_words(order.rate.as_deref()),
        terms: order
            .terms_version
            .map_or_else(|| "—".to_owned(), |v| format!("version {v}")),
        status: status_words(order.status),
        payable,
        method,
        reason,
        lines: lines
            .into_iter()
            .map(|l| Line {
                sku: l.sku,
                category: l.category.unwrap_or_default(),
                quantity: l.quantity,
                unit_price: paid_in(l.unit_price),
                rate: rate_words(l.rate.as_deref()),
            })
            .collect(),
        refunds: refunds
            .into_iter()
            .map(|r| Refund {
                date: display::date(r.created_at),
                refund_id: r.refund_id,
                amount: paid_in(r.amount),
                reversal: money(r.reversal),
            })
            .collect(),
        entries: entries
            .into_iter()
            .map(|e| {
                let status = EntryStatus::of(EntryState {
                    approved: e.approved_at.is_some(),
                    paid_out: e.payout_id.is_some(),
                });
                Entry {
                    date: display::date(e.created_at),
                    kind: e.kind.as_str(),
                    reason: e.reason,
                    amount: display::money_in(e.amount, &e.currency),
                    payable: display::date(e.available_at),
                    status: match status {
                        EntryStatus::Pending => "pending",
                        EntryStatus::Approved => "payable",
                        EntryStatus::Paid => "paid",
                    },
                }
            })
            .collect(),
        order_id: order.order_id,
    };
    Ok(page(StatusCode::OK, &page_view))
}
