//! `GET /console/orders/{id}`: one of the brand's orders in full, through the use case
//! of `GET /v1/brand/orders/{id}` (another brand's order is 404, as no order is): the
//! amounts, the commission and where it stands, the lines, refunds and ledger entries,
//! and the attribution record — every referral seen at checkout, what became of each,
//! and why the winner won.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::Frame;
use crate::api::AppState;
use crate::domain::display;
use crate::domain::status::OrderStatus;
use crate::service::orders::{OrderView, attribution_record};
use crate::service::reports::{self, BrandOrderDetail, ReportError};
use crate::store::ids::{MembershipId, OrderId};
use crate::store::ledger::EntryKind;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::{Reader, attribution_words, flag_words, hold_words, outcome_words, status_words};

struct Line {
    sku: String,
    category: String,
    quantity: i64,
    unit_price: String,
    rate: String,
}

struct Refund {
    refund_id: String,
    date: String,
    amount: String,
    reversal: String,
}

struct Entry {
    kind: &'static str,
    amount: String,
    available: String,
    approved: String,
    payout: Option<String>,
}

struct Candidate {
    method: &'static str,
    code: Option<String>,
    click_id: String,
    outcome: String,
    won: bool,
}

#[derive(Template)]
#[template(path = "console/order.html")]
struct OrderPage {
    frame: Frame,
    order_id: String,
    placed: String,
    ambassador: Option<(MembershipId, String)>,
    code: Option<String>,
    net: String,
    commission: String,
    reversed: String,
    status: &'static str,
    amounts: Vec<(&'static str, String)>,
    rate: String,
    terms: String,
    payable: Option<String>,
    flags: Vec<String>,
    method: String,
    reason: String,
    candidates: Vec<Candidate>,
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
    let (actor, frame) = super::enter(&state, &signed_in, "orders").await?;
    let detail = reports::brand_order(&state.db, actor.brand_id, id.into_inner())
        .await
        .map_err(|err| match err {
            ReportError::OrderNotFound => PageError::NotFound,
            err => PageError::internal(err),
        })?;
    let now = state.clock.now();
    let BrandOrderDetail {
        order: brand_order,
        lines,
        refunds,
        entries,
        reviews: _,
    } = detail;
    let record = attribution_record(&brand_order.order);
    let order = OrderView::from(&brand_order.order);
    let currency = order.currency.clone();
    let money = |minor: i64| display::money_in(minor, &currency);
    // Refunds' reversals and a rejection's: every reversal entry of the order.
    let reversed = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Reversal)
        .fold(0i64, |sum, e| sum.saturating_sub(e.amount));
    let payable = match (brand_order.status, brand_order.available_at) {
        (OrderStatus::Pending, Some(at)) => Some(format!(
            "{} ({})",
            display::date_time(at),
            hold_words(brand_order.status, Some(at), now).unwrap_or_default()
        )),
        (OrderStatus::Approved | OrderStatus::Paid, Some(at)) => Some(format!("since {}", display::date_time(at))),
        _ => None,
    };
    let (method, reason) = attribution_words(&order.attribution_method, &order.attribution_reason, Reader::Brand);
    let view = OrderPage {
        frame,
        placed: display::date_time(order.placed_at),
        ambassador: order
            .membership_id
            .map(|m| (m, brand_order.ambassador_name.clone().unwrap_or_default())),
        code: brand_order.code.clone(),
        net: money(order.net_amount),
        commission: money(order.commission),
        reversed: money(reversed),
        status: status_words(brand_order.status),
        amounts: vec![
            ("Merchandise", money(order.subtotal)),
            ("Discount", money(order.discount_total)),
            ("Net (earns commission)", money(order.net_amount)),
            ("Shipping", money(order.shipping_total)),
            ("Tax", money(order.tax_total)),
        ],
        rate: rate_words(order.commission_rate.as_deref()),
        terms: order
            .terms_version
            .map_or_else(|| "—".to_owned(), |v| format!("version {v}")),
        payable,
        flags: order
            .flags
            .as_array()
            .map(|flags| {
                flags
                    .iter()
                    .filter_map(|f| f.as_str())
                    .map(|f| flag_words(f).to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        method,
        reason,
        candidates: record
            .into_iter()
            .map(|c| Candidate {
                method: match c.method.as_str() {
                    "code" => "Code",
                    "link" => "Link",
                    _ => "Other",
                },
                code: c.code,
                click_id: c.click_id.unwrap_or_else(|| "—".to_owned()),
                outcome: outcome_words(&c.status).to_owned(),
                won: c.won,
            })
            .collect(),
        lines: lines
            .into_iter()
            .map(|l| Line {
                sku: l.sku,
                category: l.category.unwrap_or_default(),
                quantity: l.quantity,
                unit_price: money(l.unit_price),
                rate: rate_words(l.rate.as_deref()),
            })
            .collect(),
        refunds: refunds
            .into_iter()
            .map(|r| Refund {
                date: display::date(r.created_at),
                refund_id: r.refund_id,
                amount: money(r.amount),
                reversal: money(r.reversal),
            })
            .collect(),
        entries: entries
            .into_iter()
            .map(|e| Entry {
                kind: e.kind.as_str(),
                amount: display::money_in(e.amount, &e.currency),
                available: display::date(e.available_at),
                approved: e.approved_at.map_or_else(|| "not yet".to_owned(), display::date),
                payout: e.payout_id,
            })
            .collect(),
        order_id: order.order_id,
    };
    Ok(page(StatusCode::OK, &view))
}
