//! `GET /console/ambassadors/{id}`: one ambassador: status and program, what they
//! earned (pending, payable, paid), their deals (with "Offer a deal"), codes, orders and
//! latest statement lines, and the forms of `ambassadors_forms` (status, program, codes) and, for owners,
//! `ambassadors_money` (an adjustment or a bonus). Another brand's ambassador is 404.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::ambassadors::membership_words;
use super::deals::DealLine;
use super::{Frame, one_time};
use crate::api::AppState;
use crate::api::codes::referral_link;
use crate::domain::display;
use crate::service::ambassadors::{self, AmbassadorError};
use crate::service::auth::BrandActor;
use crate::service::codes::MAX_ACTIVE_CODES;
use crate::service::deals;
use crate::service::paging::PageRequest;
use crate::service::programs;
use crate::service::reports::{self, BrandOrdersQuery};
use crate::store::deals::DealFilter;
use crate::store::ids::{CodeId, MembershipId, OrderId, ProgramId};
use crate::store::memberships::MembershipStatus;
use crate::web::form::FieldErrors;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::{entry_words, status_words};

/// Orders and statement lines shown (the orders page has them all).
const LATEST: i64 = 20;
/// Programs offered to move to.
const PROGRAMS: i64 = 200;

struct CodeRow {
    id: CodeId,
    pub(super) code: String,
    link: String,
    active: bool,
    uses: String,
    expires: String,
}

struct OrderRow {
    id: OrderId,
    order_id: String,
    placed: String,
    net: String,
    commission: String,
    status: &'static str,
}

struct LineRow {
    date: String,
    kind: String,
    /// Why, for an entry a brand user made.
    reason: Option<String>,
    order: Option<(OrderId, String)>,
    amount: String,
    status: String,
}

struct Money {
    currency: String,
    pending: String,
    payable: String,
    paid: String,
}

struct Choice {
    value: String,
    label: String,
}

/// The forms of the page as typed, with their problems, after a refusal.
#[derive(Default)]
pub(super) struct Typed {
    pub(super) code: String,
    pub(super) max_uses: String,
    pub(super) expires_on: String,
    pub(super) program_id: String,
    /// The adjustment form: `adjustment` or `bonus`, the amount in major units, why.
    pub(super) kind: String,
    pub(super) amount: String,
    pub(super) reason: String,
    pub(super) errors: FieldErrors,
    /// A refusal of the whole request (the membership ended meanwhile).
    pub(super) error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/ambassador.html")]
struct AmbassadorPage {
    frame: Frame,
    id: MembershipId,
    name: String,
    email: String,
    status: &'static str,
    active: bool,
    paused: bool,
    ended: bool,
    program_id: ProgramId,
    program: String,
    joined: String,
    /// The ambassador whose invitation link this one joined through (two tiers).
    recruiter: Option<(MembershipId, String)>,
    notice: Option<&'static str>,
    money: Vec<Money>,
    codes: Vec<CodeRow>,
    room_for_codes: bool,
    max_codes: i64,
    orders: Vec<OrderRow>,
    more_orders: bool,
    statement: Vec<LineRow>,
    deals: Vec<DealLine>,
    more_deals: bool,
    programs: Vec<Choice>,
    /// The program's currency, the adjustment form's.
    currency: String,
    /// The one-time key of the adjustment form ([`one_time`]).
    key: String,
    typed: Typed,
}

pub(super) fn refused(err: AmbassadorError) -> PageError {
    match err {
        AmbassadorError::NotFound => PageError::NotFound,
        err => PageError::internal(err),
    }
}

/// The status line after a form sent the person back here.
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "active" => Some("Active again: their codes and link attribute orders."),
        "paused" => {
            Some("Paused: orders through their codes and link are recorded without commission until you resume.")
        }
        "ended" => Some("Ended: their codes stopped; their history and unpaid money stay."),
        "moved" => Some("Moved: orders from now on earn under the new program's terms."),
        "code-added" => Some("The code is added and works at once."),
        "code-disabled" => Some("The code is disabled: checkouts no longer accept it."),
        "code-enabled" => Some("The code works again."),
        "adjustment" => Some("The adjustment is on their statement, payable at once, with your reason."),
        "bonus" => Some("The bonus is on their statement, payable at once, with your reason."),
        _ => None,
    }
}

/// The ambassador's page with `typed` (the forms after a refusal).
pub(super) async fn render(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: MembershipId,
    done: Option<&str>,
    typed: Typed,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let detail = ambassadors::get(&state.db, actor.brand_id, id).await.map_err(refused)?;
    let account = ambassadors::account(&state.db, actor.brand_id, id, LATEST)
        .await
        .map_err(refused)?;
    let programs = programs::list(&state.db, actor.brand_id, None, PROGRAMS)
        .await
        .map_err(PageError::internal)?;
    let currency = programs::get(&state.db, actor.brand_id, detail.ambassador.program_id)
        .await
        .map_err(PageError::internal)?
        .currency;
    let orders = reports::brand_orders(
        &state.db,
        BrandOrdersQuery {
            brand: actor.brand_id,
            ambassador: Some(id),
            code: None,
            status: None,
            placed_from: None,
            placed_before: None,
            page: PageRequest {
                limit: LATEST,
                after: None,
            },
        },
    )
    .await
    .map_err(PageError::internal)?;
    let now = state.clock.now();
    let filter = DealFilter {
        membership: Some(id),
        status: None,
    };
    let page_request = PageRequest {
        limit: LATEST,
        after: None,
    };
    let their_deals = deals::brand_deals(&state.db, actor, filter, page_request, now)
        .await
        .map_err(PageError::internal)?;
    let a = detail.ambassador;
    let recruiter = match a.recruited_by {
        Some(by) => ambassadors::get(&state.db, actor.brand_id, by)
            .await
            .ok()
            .map(|r| (by, r.ambassador.display_name)),
        None => None,
    };
    let names: HashMap<ProgramId, String> = programs.iter().map(|p| (p.id, p.name.clone())).collect();
    let active_codes = detail.codes.iter().filter(|c| c.active).count();
    let view = AmbassadorPage {
        frame,
        id,
        status: membership_words(a.status),
        active: a.status == MembershipStatus::Active,
        paused: a.status == MembershipStatus::Paused,
        ended: a.status == MembershipStatus::Ended,
        program: names.get(&a.program_id).cloned().unwrap_or_default(),
        program_id: a.program_id,
        joined: display::date(a.created_at),
        recruiter,
        notice: notice(done),
        money: account
            .earnings
            .iter()
            .map(|e| Money {
                currency: e.currency.clone(),
                pending: display::money_in(e.pending, &e.currency),
                payable: display::money_in(e.approved, &e.currency),
                paid: display::money_in(e.paid, &e.currency),
            })
            .collect(),
        room_for_codes: (active_codes as i64) < MAX_ACTIVE_CODES,
        max_codes: MAX_ACTIVE_CODES,
        codes: detail
            .codes
            .into_iter()
            .map(|c| CodeRow {
                link: referral_link(&state.public_url, &c.brand_slug, &c.code),
                id: c.id,
                active: c.active,
                uses: match c.max_uses {
                    Some(max) => format!("{} of {max}", c.uses),
                    None => c.uses.to_string(),
                },
                expires: c.expires_at.map_or_else(|| "never".to_owned(), display::date_time),
                code: c.code,
            })
            .collect(),
        more_orders: orders.next.is_some(),
        orders: orders
            .items
            .into_iter()
            .map(|o| OrderRow {
                id: o.order.id,
                placed: display::date(crate::store::time::from_db(o.order.placed_at)),
                net: display::money_in(o.order.net_amount, &o.order.currency),
                commission: display::money_in(o.order.commission, o.order.commission_currency()),
                status: status_words(o.status),
                order_id: o.order.order_id,
            })
            .collect(),
        statement: account
            .statement
            .into_iter()
            .map(|l| LineRow {
                date: display::date(l.created_at),
                kind: l.kind.as_str().replace('_', " "),
                reason: l.reason,
                order: l.order,
                amount: display::money_in(l.amount, &l.currency),
                status: entry_words(l.status, l.available_at, now),
            })
            .collect(),
        deals: their_deals.items.iter().map(DealLine::of).collect(),
        more_deals: their_deals.next.is_some(),
        programs: programs
            .iter()
            .filter(|p| p.id != a.program_id)
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.name.clone(),
            })
            .collect(),
        name: a.display_name,
        email: a.email,
        currency,
        key: one_time::new_key(),
        typed,
    };
    Ok(page(status, &view))
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<MembershipId>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    let done = query.done.as_deref();
    render(
        &state,
        &actor,
        frame,
        id.into_inner(),
        done,
        Typed::default(),
        StatusCode::OK,
    )
    .await
}
