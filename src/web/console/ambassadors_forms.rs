//! The forms of an ambassador's page, each through the API's use case:
//! - `POST /console/ambassadors/{id}/status` pauses, resumes or ends
//!   (`PATCH /v1/brand/ambassadors/{id}`);
//! - `POST /console/ambassadors/{id}/program` moves to another program (the same);
//! - `POST /console/ambassadors/{id}/codes` adds a code
//!   (`POST /v1/brand/ambassadors/{id}/codes`);
//! - `POST /console/codes/{id}` disables or enables a code (`PATCH /v1/brand/codes/{id}`).
//!
//! Another brand's ambassador or code is 404; a refused form is the page again with the
//! message beside the field (422, or 409 for a conflict such as an ended membership),
//! and a success goes back to the page with its status line (303).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{Days, NaiveDate, NaiveTime};
use serde::Deserialize;

use super::Frame;
use super::ambassadors_page::{Typed, refused, render};
use crate::api::AppState;
use crate::domain::codes::{parse_expiry, parse_max_uses, parse_vanity};
use crate::service::ambassadors::{self, AmbassadorError, UpdateAmbassador};
use crate::service::auth::BrandActor;
use crate::service::codes::{self, CodeError, CreateCode, MAX_ACTIVE_CODES, UpdateCode};
use crate::store::ids::{CodeId, MembershipId, ProgramId};
use crate::store::memberships::MembershipStatus;
use crate::web::pages::notice::Notice;
use crate::web::see_other;
use crate::web::session::{PageError, SignedIn};

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
