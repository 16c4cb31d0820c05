//! The influencer's deals with every brand (influencer JWT): list, read, accept,
//! decline, counter with another fee, and submit proof of a published item.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::deals_view::{DealResponse, Reader};
use super::extract::{HashedJson, Influencer};
use super::pagination::{Page, PageQuery};
use super::programs::terms_errors;
use super::{ApiError, AppState};
use crate::service::deals::input::{Counter, Proof};
use crate::service::deals::{self, DealView, InfluencerAnswer};
use crate::store::ids::{DealId, DeliverableId};

fn mine(view: &DealView) -> HttpResponse {
    HttpResponse::Ok().json(DealResponse::new(view, Reader::Influencer))
}

/// `GET /v1/me/deals`: newest first, with every brand; offers waiting on an invitation
/// to the influencer's login e-mail too.
pub async fn list_my_deals(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request::<DealId>()?;
    let found = deals::my_deals(&state.db, me.influencer_id, page, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(found, |v| DealResponse::new(&v, Reader::Influencer))))
}

/// `GET /v1/me/deals/{id}`
pub async fn get_my_deal(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    let view = deals::my_deal(&state.db, me.influencer_id, id.into_inner(), state.clock.now()).await?;
    Ok(mine(&view))
}

async fn answer(
    state: web::Data<AppState>,
    me: Influencer,
    id: DealId,
    answer: InfluencerAnswer,
) -> Result<HttpResponse, ApiError> {
    let view = deals::respond(&state.db, me.influencer_id, id, answer, state.clock.now()).await?;
    Ok(mine(&view))
}

/// `POST /v1/me/deals/{id}/accept`: accept the version on the table.
pub async fn accept_deal(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    answer(state, me, id.into_inner(), InfluencerAnswer::Accept).await
}

/// `POST /v1/me/deals/{id}/decline`
pub async fn decline_deal(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<DealId>,
) -> Result<HttpResponse, ApiError> {
    answer(state, me, id.into_inner(), InfluencerAnswer::Decline).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterRequest {
    /// Fee per item proposed, minor units.
    pub fee: i64,
    pub note: Option<String>,
}

/// `POST /v1/me/deals/{id}/counter`: propose another fee (the next version).
pub async fn counter_deal(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<DealId>,
    body: HashedJson<CounterRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.value;
    let counter =
        Counter::parse(body.fee, body.note.as_deref()).map_err(|found| ApiError::validation(terms_errors(found)))?;
    answer(state, me, id.into_inner(), InfluencerAnswer::Counter(counter)).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofRequest {
    pub url: String,
    pub published_at: Option<DateTime<Utc>>,
    pub views: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
}

/// `POST /v1/me/deals/{id}/deliverables/{deliverable_id}/proofs`: proof of one
/// published item, for the brand to approve.
pub async fn submit_proof(
    state: web::Data<AppState>,
    me: Influencer,
    path: web::Path<(DealId, DeliverableId)>,
    body: HashedJson<ProofRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.value;
    let now = state.clock.now();
    let proof = Proof::parse(
        &body.url,
        body.published_at,
        [body.views, body.likes, body.comments],
        now,
    )
    .map_err(|found| ApiError::validation(terms_errors(found)))?;
    let (deal, deliverable) = path.into_inner();
    let view = deals::submit(&state.db, me.influencer_id, deal, deliverable, proof, now).await?;
    Ok(HttpResponse::Created().json(DealResponse::new(&view, Reader::Influencer)))
}
