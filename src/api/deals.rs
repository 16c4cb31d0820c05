//! The brand's deals (brand JWT): offer, list, read, withdraw, answer a counter-offer,
//! cancel; decide proof; ship gifts; the deliverables due. Each handler parses the
//! request into a command of [`crate::service::deals`] and renders the deal it answers.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::deals_view::{DealResponse, DueResponse, Reader};
use super::extract::{BrandUser, HashedJson, idempotency_key};
use super::orders::{created, respond};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, Page, PageQuery};
use super::programs::terms_errors;
use super::{ApiError, AppState, FieldError};
use crate::domain::adjustment::Reason;
use crate::service::deals::input::{DealInput, DeliverableInput, GiftInput, Removal, ShipmentUpdate};
use crate::service::deals::{self, BrandAnswer, DealView};
use crate::service::orders::replay::Keyed;
use crate::store::deals::{DealFilter, DealStatus};
use crate::store::ids::{DealId, GiftId, ProofId};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealRequest {
    pub ambassador_id: Option<String>,
    pub invitation_id: Option<String>,
    pub title: String,
    pub fee: i64,
    pub terms: Option<String>,
    pub deliverables: Vec<DeliverableRequest>,
    pub gifts: Option<Vec<GiftRequest>>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverableRequest {
    pub platform: String,
    pub kind: String,
    pub count: i64,
    pub due_on: String,
    pub keep_up_days: Option<i64>,
    pub requirements: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftRequest {
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    pub unit_value: i64,
}

/// An id field of the body: `None` when absent, a field error when not a UUID.
fn id_field<T: std::str::FromStr>(name: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<T> {
    value.and_then(|text| {
        text.trim()
            .parse()
            .map_err(|_| errors.push(FieldError::new(name, "must be an id (a UUID)")))
            .ok()
    })
}

/// The deal as the brand reads it, as a stored answer.
fn deal_answer(view: &DealView) -> Result<crate::service::orders::replay::Answer, crate::service::orders::RenderError> {
    created(&DealResponse::new(view, Reader::Brand))
}

fn brand_json(view: &DealView) -> HttpResponse {
    HttpResponse::Ok().json(DealResponse::new(view, Reader::Brand))
}

/// `POST /v1/brand/deals`: offer a deal to an ambassador or with an open invitation.
/// Owners only; an `Idempotency-Key` makes a retry answer the first offer.
pub async fn create_deal(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: BrandUser,
    body: HashedJson<DealRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let HashedJson { value: body, hash } = body;
    let mut errors = Vec::new();
    let ambassador_id = id_field("ambassador_id", body.ambassador_id.as_deref(), &mut errors);
    let invitation_id = id_field("invitation_id", body.invitation_id.as_deref(), &mut errors);
    let input = DealInput {
        ambassador_id,
        invitation_id,
        title: body.title,
        fee: body.fee,
        terms: body.terms,
        deliverables: body
            .deliverables
            .into_iter()
            .map(|d| DeliverableInput {
                platform: d.platform,
                kind: d.kind,
                count: d.count,
                due_on: d.due_on,
                keep_up_days: d.keep_up_days,
                requirements: d.requirements,
            })
            .collect(),
        gifts: (body.gifts.unwrap_or_default().into_iter())
            .map(|g| GiftInput {
                sku: g.sku,
                description: g.description,
                quantity: g.quantity,
                unit_value: g.unit_value,
            })
            .collect(),
        expires_at: body.expires_at,
    };
    let had_id_errors = !errors.is_empty();
    let command = match input.validate(state.clock.now()) {
        Ok(command) if !had_id_errors => command,
        Ok(_) => return Err(ApiError::validation(errors)),
        Err(found) => {
            // An unparsable id already said why; the rule's "name one" would repeat it.
            let found = found
                .into_iter()
                .filter(|(path, _)| !(had_id_errors && path == "ambassador_id"));
            errors.extend(terms_errors(found.collect()));
            return Err(ApiError::validation(errors));
        }
    };
    let keyed = key.map(|key| Keyed {
        key,
        request_hash: hash,
    });
    let answered = deals::offer(&state.db, &user.actor, command, keyed, state.clock.now(), deal_answer).await?;
    Ok(respond(answered))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealsQuery {
    pub ambassador_id: Option<String>,
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /v1/brand/deals`: newest first; filters `ambassador_id` and `status`.
pub async fn list_deals(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<DealsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = Vec::new();
    let membership = id_field("ambassador_id", q.ambassador_id.as_deref(), &mut errors);
    let status = q.status.as_deref().and_then(|s| {
        DealStatus::parse(s)
            .ok_or_else(|| {
                let names: Vec<&str> = DealStatus::ALL.iter().map(|s| s.as_str()).collect();
                errors.push(FieldError::new(
                    "status",
                    format!("must be one of: {}", names.join(", ")),
                ));
            })
            .ok()
    });
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request::<DealId>();
    let page = match page {
        Ok(page) if errors.is_empty() => page,
        Ok(_) => return Err(ApiError::validation(errors)),
        Err(err) => return Err(err),
    };
    let filter = DealFilter { membership, status };
    let found = deals::brand_deals(&state.db, &user.actor, filter, page, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(found, |v| DealResponse::new(&v, Reader::Brand))))
}

/// `GET /v1/brand/deals/{id}`
pub async fn get_deal(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    let view = deals::brand_deal(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(brand_json(&view))
}

/// `POST /v1/brand/deals/{id}/withdraw`: withdraw an open offer (owners).
pub async fn withdraw_deal(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    let view = deals::withdraw(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(brand_json(&view))
}

/// `POST /v1/brand/deals/{id}/counter/accept` (owners)
pub async fn accept_counter(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    let view = deals::answer_counter(
        &state.db,
        &user.actor,
        id.into_inner(),
        BrandAnswer::Accept,
        state.clock.now(),
    )
    .await?;
    Ok(brand_json(&view))
}

/// `POST /v1/brand/deals/{id}/counter/decline` (owners): the brand's last version is
/// back on the table.
pub async fn decline_counter(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    let view = deals::answer_counter(
        &state.db,
        &user.actor,
        id.into_inner(),
        BrandAnswer::Decline,
        state.clock.now(),
    )
    .await?;
    Ok(brand_json(&view))
}

/// `POST /v1/brand/deals/{id}/cancel`: end an accepted deal (owners).
pub async fn cancel_deal(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    let view = deals::cancel(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(brand_json(&view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentRequest {
    /// `shipped` or `delivered`.
    pub shipment: String,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
}

/// `POST /v1/brand/deals/{id}/gifts/{gift_id}/shipment`
pub async fn ship_gift(
    state: web::Data<AppState>,
    user: BrandUser,
    path: web::Path<(DealId, GiftId)>,
    body: HashedJson<ShipmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.value;
    let update = ShipmentUpdate::parse(&body.shipment, body.carrier.as_deref(), body.tracking.as_deref())
        .map_err(|found| ApiError::validation(terms_errors(found)))?;
    let (deal, gift) = path.into_inner();
    let view = deals::ship(&state.db, &user.actor, deal, gift, update, state.clock.now()).await?;
    Ok(brand_json(&view))
}

/// `POST /v1/brand/proofs/{id}/approve`: the item's fee is appended.
pub async fn approve_proof(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProofId>,
) -> Result<HttpResponse, ApiError> {
    let view = deals::approve(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(brand_json(&view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofRejectRequest {
    pub reason: String,
}

fn parse_reason(text: &str) -> Result<Reason, ApiError> {
    Reason::parse(text).map_err(|m| ApiError::field("reason", m))
}

/// `POST /v1/brand/proofs/{id}/reject`
pub async fn reject_proof(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProofId>,
    body: HashedJson<ProofRejectRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = parse_reason(&body.value.reason)?;
    let view = deals::reject(&state.db, &user.actor, id.into_inner(), reason, state.clock.now()).await?;
    Ok(brand_json(&view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemovedRequest {
    pub reason: String,
    /// When the post came down; now when absent.
    pub removed_at: Option<DateTime<Utc>>,
}

/// `POST /v1/brand/proofs/{id}/removed`: the post came down before its keep-up period
/// ended; its fee is reversed.
pub async fn report_removed(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProofId>,
    body: HashedJson<RemovedRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.value;
    let removal = Removal {
        reason: parse_reason(&body.reason)?,
        removed_at: body.removed_at,
    };
    let view = deals::remove(&state.db, &user.actor, id.into_inner(), removal, state.clock.now()).await?;
    Ok(brand_json(&view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// Only the deliverables past their due date.
    pub overdue: Option<bool>,
    pub limit: Option<i64>,
}

/// `GET /v1/brand/deliverables`: the deliverables of accepted deals still wanting
/// proof, soonest due first (the first `limit`; no cursor: it is a to-do list).
pub async fn due_deliverables(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<DueQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let due = deals::due(
        &state.db,
        &user.actor,
        q.overdue.unwrap_or(false),
        limit,
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "items": due.into_iter().map(DueResponse::from).collect::<Vec<_>>()
    })))
}
