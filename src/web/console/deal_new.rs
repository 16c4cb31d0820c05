//! `GET /console/deals/new` and `POST /console/deals`: an owner offers a deal to one of
//! the brand's active or paused ambassadors, or to an invitation still open (the
//! influencer sees it before joining), through the use case of the JSON API's offer
//! ([`deals::offer`]) with the command [`DealForm::input`] builds, so every rule and
//! message is the API's. Each refused value is shown beside its input and listed above
//! the form (422); a refusal of the whole offer (the membership ended meanwhile) above
//! it (409). The form carries a one-time key ([`super::one_time`]): sent twice, it
//! offers once. Offering commits the brand's money, so it is an owner's: staff get the
//! owner-only page, for the form and for what it sends.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::deal_form::{self, DELIVERABLES, DealForm, GIFTS, TO, row_id};
use super::orders::Choice;
use super::programs_view::{Cell, Problem, Select, cell, problems, select};
use super::{Frame, one_time, owner_only};
use crate::api::AppState;
use crate::domain::Currency;
use crate::service::ambassadors;
use crate::service::auth::BrandActor;
use crate::service::deals::{self, DealError};
use crate::service::invitations;
use crate::service::orders::replay::{Answer, Answered};
use crate::service::{brands, programs};
use crate::store::deals::{DeliverableKind, Platform};
use crate::store::memberships::MembershipStatus;
use crate::web::deal_lines::{kind_words, platform_words};
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Ambassadors and invitations offered (the console's other selects list as many).
const LISTED: i64 = 500;
/// What staff are told they may not do.
const OFFER: &str = "offer deals (a deal commits the brand's money)";

struct DeliverableCells {
    platform: Select,
    kind: Select,
    count: Cell,
    due_on: Cell,
    keep_up_days: Cell,
    requirements: Cell,
}

struct GiftCells {
    sku: Cell,
    description: Cell,
    quantity: Cell,
    unit_value: Cell,
}

#[derive(Template)]
#[template(path = "console/deal_form.html")]
struct FormPage {
    frame: Frame,
    key: String,
    ambassadors: Vec<Choice>,
    invitations: Vec<Choice>,
    to_error: Option<String>,
    title: Cell,
    fee: Cell,
    terms: Cell,
    expires_on: Cell,
    deliverables: Vec<DeliverableCells>,
    deliverables_error: Option<String>,
    gifts: Vec<GiftCells>,
    gifts_error: Option<String>,
    problems: Vec<Problem>,
    /// A refusal of the whole offer, above the form.
    error: Option<String>,
}

/// Who a deal may be offered to, and the currency of each one's program.
struct Offerees {
    ambassadors: Vec<(String, String, String)>,
    invitations: Vec<(String, String, String)>,
    brand_currency: String,
}

impl Offerees {
    async fn of(state: &AppState, brand: &BrandActor) -> Result<Self, PageError> {
        let (db, now) = (&state.db, state.clock.now());
        let listed = ambassadors::list(db, brand.brand_id, None, LISTED)
            .await
            .map_err(PageError::internal)?;
        let waiting = invitations::pending(db, brand.brand_id, now, LISTED)
            .await
            .map_err(PageError::internal)?;
        let programs = programs::list(db, brand.brand_id, None, LISTED)
            .await
            .map_err(PageError::internal)?;
        let currency = |id| {
            programs
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.currency.clone())
                .unwrap_or_default()
        };
        let brand_currency = brands::get(db, brand.brand_id)
            .await
            .map_err(PageError::internal)?
            .currency;
        Ok(Self {
            ambassadors: (listed.into_iter())
                .filter(|a| a.status != MembershipStatus::Ended)
                .map(|a| {
                    let label = format!("{} ({}), {}", a.display_name, a.email, currency(a.program_id));
                    (format!("ambassador:{}", a.id), label, currency(a.program_id))
                })
                .collect(),
            invitations: (waiting.into_iter())
                .map(|i| {
                    let label = format!(
                        "{} (invited to {}), {}",
                        i.email,
                        i.program_name,
                        currency(i.program_id)
                    );
                    (format!("invitation:{}", i.id), label, currency(i.program_id))
                })
                .collect(),
            brand_currency,
        })
    }

    /// The currency the fee of an offer to `to` is typed in: the program's.
    fn currency(&self, to: &str) -> Result<Currency, PageError> {
        let code = (self.ambassadors.iter().chain(&self.invitations))
            .find(|(value, _, _)| value == to.trim())
            .map_or(self.brand_currency.as_str(), |(_, _, currency)| currency.as_str());
        Currency::parse(code).map_err(PageError::internal)
    }

    fn choices(list: &[(String, String, String)], to: &str) -> Vec<Choice> {
        list.iter()
            .map(|(value, label, _)| Choice {
                selected: value == to,
                value: value.clone(),
                label: label.clone(),
            })
            .collect()
    }
}

fn render(
    frame: Frame,
    offerees: &Offerees,
    form: &DealForm,
    errors: &FieldErrors,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let platforms: Vec<(&'static str, &'static str)> =
        Platform::ALL.iter().map(|p| (p.as_str(), platform_words(*p))).collect();
    let kinds: Vec<(&'static str, &'static str)> = DeliverableKind::ALL
        .iter()
        .map(|k| (k.as_str(), kind_words(*k)))
        .collect();
    let deliverables = (form.deliverables.iter().enumerate())
        .map(|(i, d)| {
            let id = |field| row_id(DELIVERABLES, i, field);
            DeliverableCells {
                platform: select(errors, &id("platform"), &platforms, &d.platform),
                kind: select(errors, &id("kind"), &kinds, &d.kind),
                count: cell(errors, &id("count"), &d.count),
                due_on: cell(errors, &id("due_on"), &d.due_on),
                keep_up_days: cell(errors, &id("keep_up_days"), &d.keep_up_days),
                requirements: cell(errors, &id("requirements"), &d.requirements),
            }
        })
        .collect();
    let gifts = (form.gifts.iter().enumerate())
        .map(|(i, g)| {
            let id = |field| row_id(GIFTS, i, field);
            GiftCells {
                sku: cell(errors, &id("sku"), &g.sku),
                description: cell(errors, &id("description"), &g.description),
                quantity: cell(errors, &id("quantity"), &g.quantity),
                unit_value: cell(errors, &id("unit_value"), &g.unit_value),
            }
        })
        .collect();
    let view = FormPage {
        frame,
        key: one_time::new_key(),
        ambassadors: Offerees::choices(&offerees.ambassadors, &form.to),
        invitations: Offerees::choices(&offerees.invitations, &form.to),
        to_error: errors.get(TO).map(str::to_owned),
        title: cell(errors, "title", &form.title),
        fee: cell(errors, "fee", &form.fee),
        terms: cell(errors, "terms", &form.terms),
        expires_on: cell(errors, "expires_on", &form.expires_on),
        deliverables,
        deliverables_error: errors.get(DELIVERABLES).map(str::to_owned),
        gifts,
        gifts_error: errors.get(GIFTS).map(str::to_owned),
        problems: problems(errors, deal_form::label),
        error,
    };
    page(status, &view)
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    /// The ambassador to preselect (the ambassador page's "Offer a deal").
    ambassador: Option<String>,
}

pub async fn new(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "deals").await?;
    if actor.require_owner().is_err() {
        return Ok(owner_only::refused(&frame, OFFER));
    }
    let offerees = Offerees::of(&state, &actor).await?;
    let to = query
        .ambassador
        .as_deref()
        .map(|id| format!("ambassador:{id}"))
        .unwrap_or_default();
    let form = DealForm::blank(to);
    Ok(render(
        frame,
        &offerees,
        &form,
        &FieldErrors::default(),
        None,
        StatusCode::OK,
    ))
}

pub async fn create(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "deals").await?;
    let pairs = url::form_urlencoded::parse(&body).into_owned().collect();
    let (csrf, key, typed) = DealForm::from_pairs(pairs).map_err(PageError::BadRequest)?;
    signed_in.check_form(&csrf)?;
    let offerees = Offerees::of(&state, &actor).await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let (input, rows) = typed.input(offerees.currency(&typed.to)?, &mut errors);
    let validated = input.validate(now).map_err(|found| rows.show(found, &mut errors)).ok();
    let Some(command) = validated.filter(|_| errors.is_empty()) else {
        return Ok(render(
            frame,
            &offerees,
            &typed,
            &errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let fields = typed.canonical();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let keyed = one_time::keyed(&key, &fields)?;
    let render_answer = |view: &deals::DealView| {
        Ok(Answer {
            status: 303,
            body: format!("/console/deals/{}?done=offered", view.deal.id),
        })
    };
    let outcome = deals::offer(&state.db, &actor, command, Some(keyed), now, render_answer).await;
    let (status, error) = match outcome {
        Ok(Answered::Fresh(answer) | Answered::Replayed(answer)) => return Ok(see_other(&answer.body)),
        Err(DealError::Forbidden(_)) => return Ok(owner_only::refused(&frame, OFFER)),
        Err(DealError::AmbassadorNotFound | DealError::InvitationNotFound) => {
            errors.add(TO, "must be one of your ambassadors or open invitations");
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
        Err(DealError::Field(path, message)) => {
            rows.show(vec![(path, message)], &mut errors);
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
        Err(DealError::Refused(refusal)) => (StatusCode::CONFLICT, Some(refusal.sentence())),
        Err(DealError::IdempotencyKeyReused) => (StatusCode::CONFLICT, Some(one_time::KEY_REUSED.to_owned())),
        Err(err) => return Err(PageError::internal(err)),
    };
    Ok(render(frame, &offerees, &typed, &errors, error, status))
}
