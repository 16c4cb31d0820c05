//! `GET /console/ambassadors/{id}`: one ambassador: status and program, what they
//! earned (pending, payable, paid), their codes, orders and latest statement lines.
//! Its forms, each through the API's use case:
//! - `POST …/{id}/status` pauses, resumes or ends (`PATCH /v1/brand/ambassadors/{id}`);
//! - `POST …/{id}/program` moves to another program (the same);
//! - `POST …/{id}/codes` adds a code (`POST /v1/brand/ambassadors/{id}/codes`);
//! - `POST /console/codes/{id}` disables or enables a code (`PATCH /v1/brand/codes/{id}`).
//!
//! Another brand's ambassador or code is 404; a refused form is the page again with the
//! message beside the field (422, or 409 for a conflict such as an ended membership).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Days, NaiveDate, NaiveTime};
use serde::Deserialize;

use super::Frame;
use super::ambassadors::status_words;
use crate::api::AppState;
use crate::api::codes::referral_link;
use crate::domain::codes::{parse_expiry, parse_max_uses, parse_vanity};
use crate::domain::display;
use crate::domain::status::EntryStatus;
use crate::service::ambassadors::{self, AmbassadorError, UpdateAmbassador};
use crate::service::auth::BrandActor;
use crate::service::codes::{self, CodeError, CreateCode, MAX_ACTIVE_CODES, UpdateCode};
use crate::service::paging::PageRequest;
use crate::service::programs;
use crate::service::reports::{self, BrandOrdersQuery};
use crate::store::ids::{CodeId, MembershipId, OrderId, ProgramId};
use crate::store::memberships::MembershipStatus;
use crate::web::form::FieldErrors;
use crate::web::pages::notice::Notice;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Orders and statement lines shown (the orders page has them all).
const LATEST: i64 = 20;
/// Programs offered to move to.
const PROGRAMS: i64 = 200;

struct CodeRow {
    id: CodeId,
    code: String,
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
struct Typed {
    code: String,
    max_uses: String,
    expires_on: String,
    program_id: String,
    errors: FieldErrors,
    /// A refusal of the whole request (the membership ended meanwhile).
    error: Option<String>,
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
    notice: Option<&'static str>,
    money: Vec<Money>,
    codes: Vec<CodeRow>,
    room_for_codes: bool,
    max_codes: i64,
    orders: Vec<OrderRow>,
    more_orders: bool,
    statement: Vec<LineRow>,
    programs: Vec<Choice>,
    typed: Typed,
}

fn refused(err: AmbassadorError) -> PageError {
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
        _ => None,
    }
}

/// The ambassador's page with `typed` (the forms after a refusal).
async fn render(
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
    let a = detail.ambassador;
    let names: HashMap<ProgramId, String> = programs.iter().map(|p| (p.id, p.name.clone())).collect();
    let active_codes = detail.codes.iter().filter(|c| c.active).count();
    let view = AmbassadorPage {
        frame,
        id,
        status: status_words(a.status),
        active: a.status == MembershipStatus::Active,
        paused: a.status == MembershipStatus::Paused,
        ended: a.status == MembershipStatus::Ended,
        program: names.get(&a.program_id).cloned().unwrap_or_default(),
        program_id: a.program_id,
        joined: display::date(a.created_at),
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
                commission: display::money_in(o.order.commission, &o.order.currency),
                status: o.status.as_str(),
                order_id: o.order.order_id,
            })
            .collect(),
        statement: account
            .statement
            .into_iter()
            .map(|l| LineRow {
                date: display::date(l.created_at),
                kind: l.kind.as_str().replace('_', " "),
                order: l.order,
                amount: display::money_in(l.amount, &l.currency),
                status: match l.status {
                    EntryStatus::Pending => format!("pending, payable {}", display::relative(l.available_at, now)),
                    EntryStatus::Approved => "payable".to_owned(),
                    EntryStatus::Paid => "paid".to_owned(),
                },
            })
            .collect(),
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

#[derive(Debug, Deserialize)]
pub struct StatusFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
}

#[derive(Debug, Deserialize)]
pub struct ProgramFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    program_id: String,
}

/// A membership change refused for a reason the person can act on: the page again.
async fn change_refused(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: MembershipId,
    err: AmbassadorError,
    mut typed: Typed,
) -> Result<HttpResponse, PageError> {
    let status = match err {
        AmbassadorError::Ended => {
            typed.error = Some("This membership has ended; an ended membership is final.".into());
            StatusCode::CONFLICT
        }
        AmbassadorError::ProgramNotFound => {
            typed
                .errors
                .add("program_id", "No such program; choose one of the list.");
            StatusCode::UNPROCESSABLE_ENTITY
        }
        err => return Err(refused(err)),
    };
    render(state, actor, frame, id, None, typed, status).await
}

pub async fn change_status(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<MembershipId>,
    form: web::Form<StatusFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    let status = MembershipStatus::parse(&form.status)
        .ok_or_else(|| PageError::BadRequest("The status must be active, paused or ended.".into()))?;
    let command = UpdateAmbassador {
        brand_id: actor.brand_id,
        id,
        status: Some(status),
        program_id: None,
        now: state.clock.now(),
    };
    match ambassadors::update(&state.db, command).await {
        Ok(_) => Ok(see_other(&format!(
            "/console/ambassadors/{id}?done={}",
            status.as_str()
        ))),
        Err(err) => change_refused(&state, &actor, frame, id, err, Typed::default()).await,
    }
}

pub async fn move_program(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<MembershipId>,
    form: web::Form<ProgramFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    let mut typed = Typed {
        program_id: form.program_id.clone(),
        ..Typed::default()
    };
    let Some(program_id) = typed.errors.check(
        "program_id",
        form.program_id
            .parse::<ProgramId>()
            .map_err(|_| "Choose a program.".to_owned()),
    ) else {
        return render(&state, &actor, frame, id, None, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let command = UpdateAmbassador {
        brand_id: actor.brand_id,
        id,
        status: None,
        program_id: Some(program_id),
        now: state.clock.now(),
    };
    match ambassadors::update(&state.db, command).await {
        Ok(_) => Ok(see_other(&format!("/console/ambassadors/{id}?done=moved"))),
        Err(err) => change_refused(&state, &actor, frame, id, err, typed).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    max_uses: String,
    /// The last day (UTC) the code works, `YYYY-MM-DD`.
    #[serde(default)]
    expires_on: String,
}

/// The moment a code whose last day is `day` (UTC) stops working: the next midnight.
fn end_of(day: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    day.checked_add_days(Days::new(1))
        .map(|next| next.and_time(NaiveTime::MIN).and_utc())
}

pub async fn add_code(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<MembershipId>,
    form: web::Form<CodeFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let mut typed = Typed {
        code: form.code.clone(),
        max_uses: form.max_uses.clone(),
        expires_on: form.expires_on.clone(),
        ..Typed::default()
    };
    let errors = &mut typed.errors;
    // Empty means: generate a code, no limit, no expiry, as absent fields at the API.
    let vanity = match form.code.trim() {
        "" => Some(None),
        code => errors.check("code", parse_vanity(code)).map(Some),
    };
    let max_uses = match form.max_uses.trim() {
        "" => Some(None),
        text => errors
            .check(
                "max_uses",
                text.parse::<i64>()
                    .map_err(|_| "must be a whole number".to_owned())
                    .and_then(parse_max_uses),
            )
            .map(Some),
    };
    let expires_at = match form.expires_on.trim() {
        "" => Some(None),
        text => errors
            .check(
                "expires_on",
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .ok()
                    .and_then(end_of)
                    .ok_or_else(|| "must be a date such as 2026-12-31".to_owned())
                    .and_then(|at| parse_expiry(at, now)),
            )
            .map(Some),
    };
    let (Some(code), Some(max_uses), Some(expires_at)) = (vanity, max_uses, expires_at) else {
        return render(&state, &actor, frame, id, None, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let command = CreateCode {
        brand_id: actor.brand_id,
        membership_id: id,
        code,
        max_uses,
        expires_at,
        now,
    };
    let status = match codes::create(&state.db, command).await {
        Ok(_) => return Ok(see_other(&format!("/console/ambassadors/{id}?done=code-added"))),
        Err(CodeError::AmbassadorNotFound) => return Err(PageError::NotFound),
        Err(CodeError::Taken) => {
            typed
                .errors
                .add("code", "This code is already used in your brand (codes ignore case).");
            StatusCode::CONFLICT
        }
        Err(CodeError::TooManyCodes) => {
            typed.error = Some(format!(
                "An ambassador can have at most {MAX_ACTIVE_CODES} active codes; disable one first."
            ));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(CodeError::MembershipEnded) => {
            typed.error = Some("This membership has ended: it takes no new codes.".into());
            StatusCode::CONFLICT
        }
        Err(err) => return Err(PageError::internal(err)),
    };
    render(&state, &actor, frame, id, None, typed, status).await
}

#[derive(Debug, Deserialize)]
pub struct ToggleFields {
    #[serde(default)]
    csrf: String,
    /// `true` enables, `false` disables.
    #[serde(default)]
    active: String,
}

/// Disables or enables the code, then shows its ambassador's page; a code that cannot
/// be enabled (the membership ended, no room under the cap) is a page saying why.
pub async fn toggle_code(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<CodeId>,
    form: web::Form<ToggleFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    signed_in.check_form(&form.csrf)?;
    let active = match form.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(PageError::BadRequest("`active` must be true or false.".into())),
    };
    let command = UpdateCode {
        brand_id: actor.brand_id,
        code_id: id.into_inner(),
        active: Some(active),
        max_uses: None,
        expires_at: None,
        stripe_promotion_code: None,
        now: state.clock.now(),
    };
    let message = match codes::update(&state.db, command).await {
        Ok(code) => {
            let done = if active { "code-enabled" } else { "code-disabled" };
            return Ok(see_other(&format!(
                "/console/ambassadors/{}?done={done}",
                code.membership_id
            )));
        }
        Err(CodeError::CodeNotFound) => return Err(PageError::NotFound),
        Err(CodeError::MembershipEnded) => {
            "The ambassador's membership has ended, so the code cannot work again.".to_owned()
        }
        Err(CodeError::TooManyCodes) => {
            format!("An ambassador can have at most {MAX_ACTIVE_CODES} active codes; disable another one first.")
        }
        Err(err) => return Err(PageError::internal(err)),
    };
    let refusal = Notice {
        console: true,
        current: frame.current,
        csrf: &frame.csrf,
        title: "The code cannot work again",
        message: &message,
        back: "/console/ambassadors",
        back_label: "Ambassadors",
    };
    Ok(refusal.answer(StatusCode::CONFLICT))
}
