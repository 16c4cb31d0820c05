//! Webhook endpoints of the brand's systems (brand JWT): create (the secret is shown
//! once), list, get, change, delete, rotate the secret, send a test event; and each
//! endpoint's deliveries, with a retry.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{BrandUser, Json};
use super::pagination::{Page, PageQuery};
use super::validate::nullable;
use super::{ApiError, ErrorCode, FieldError};
use crate::api::AppState;
use crate::service::webhooks::delivery::{self, DeliveryInfo};
use crate::service::webhooks::{
    self, CreatedEndpoint, EndpointError, EndpointInfo, EndpointUpdate, MAX_ENDPOINTS_PER_BRAND, NewEndpoint,
};
use crate::store::ids::{OutboxEventId, WebhookDeliveryId, WebhookEndpointId};
use crate::store::webhooks::DeliveryStatus;

impl From<EndpointError> for ApiError {
    fn from(err: EndpointError) -> Self {
        match err {
            EndpointError::TooMany => ApiError::unprocessable(
                ErrorCode::TooManyWebhookEndpoints,
                format!("A brand can hold at most {MAX_ENDPOINTS_PER_BRAND} webhook endpoints; delete one first."),
            ),
            EndpointError::NotFound => {
                ApiError::not_found(ErrorCode::WebhookEndpointNotFound, "No such webhook endpoint.")
            }
            EndpointError::DeliveryNotFound => ApiError::not_found(ErrorCode::DeliveryNotFound, "No such delivery."),
            EndpointError::Forbidden(err) => err.into(),
            EndpointError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointRequest {
    pub url: String,
    /// Absent or `null`: every type.
    #[serde(default)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointRequest {
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub events: Option<Option<Vec<String>>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct EndpointResponse {
    pub id: WebhookEndpointId,
    pub url: String,
    pub description: String,
    /// The event types sent to it; empty means all.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why reftrack disabled it (410 Gone, 5 days without a success).
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EndpointInfo> for EndpointResponse {
    fn from(info: EndpointInfo) -> Self {
        Self {
            id: info.id,
            url: info.url,
            description: info.description,
            events: info.events,
            enabled: info.enabled,
            disabled_reason: info.disabled_reason,
            created_at: info.created_at,
            updated_at: info.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: EndpointResponse,
    /// The signing secret (`whsec_…`): shown in this answer only.
    pub secret: String,
}

impl From<CreatedEndpoint> for EndpointWithSecret {
    fn from(created: CreatedEndpoint) -> Self {
        Self {
            endpoint: created.endpoint.into(),
            secret: created.secret,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeliveryResponse {
    pub id: WebhookDeliveryId,
    pub event_id: OutboxEventId,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryInfo> for DeliveryResponse {
    fn from(d: DeliveryInfo) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_latency_ms: d.last_latency_ms,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
        }
    }
}

fn parse_url(value: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    webhooks::parse_url(value)
        .map_err(|m| errors.push(FieldError::new("url", m)))
        .ok()
}

fn parse_description(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    webhooks::parse_description(value.unwrap_or(""))
        .map_err(|m| errors.push(FieldError::new("description", m)))
        .ok()
}

fn parse_events(value: &[String], errors: &mut Vec<FieldError>) -> Option<Vec<String>> {
    webhooks::parse_event_types(value)
        .map_err(|m| errors.push(FieldError::new("events", m)))
        .ok()
}

/// `POST /v1/brand/webhooks`
pub async fn create_webhook(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<CreateEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let url = parse_url(&body.url, &mut errors);
    let events = parse_events(body.events.as_deref().unwrap_or_default(), &mut errors);
    let description = parse_description(body.description.as_deref(), &mut errors);
    let (Some(url), Some(events), Some(description), true) = (url, events, description, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let new = NewEndpoint {
        url,
        description,
        events,
        now: state.clock.now(),
    };
    let created = webhooks::create(&state.db, &state.sealer, &user.actor, new).await?;
    Ok(HttpResponse::Created().json(EndpointWithSecret::from(created)))
}

/// `GET /v1/brand/webhooks`
pub async fn list_webhooks(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let items = webhooks::list(&state.db, &user.actor).await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(EndpointResponse::from).collect::<Vec<_>>(),
        next_cursor: None,
    }))
}

/// `GET /v1/brand/webhooks/{id}`
pub async fn get_webhook(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    let info = webhooks::get(&state.db, &user.actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(EndpointResponse::from(info)))
}

/// `PATCH /v1/brand/webhooks/{id}`
pub async fn update_webhook(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<WebhookEndpointId>,
    Json(body): Json<UpdateEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let url = body.url.as_deref().and_then(|url| parse_url(url, &mut errors));
    let events = match &body.events {
        Some(Some(events)) => parse_events(events, &mut errors),
        // `null` sends every type again.
        Some(None) => Some(Vec::new()),
        None => None,
    };
    let description = body
        .description
        .as_deref()
        .and_then(|d| parse_description(Some(d), &mut errors));
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let update = EndpointUpdate {
        url,
        description,
        events,
        enabled: body.enabled,
    };
    let info = webhooks::update(&state.db, &user.actor, id.into_inner(), update, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(EndpointResponse::from(info)))
}

/// `DELETE /v1/brand/webhooks/{id}`
pub async fn delete_webhook(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    webhooks::delete(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /v1/brand/webhooks/{id}/rotate-secret`
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    let rotated = webhooks::rotate_secret(
        &state.db,
        &state.sealer,
        &user.actor,
        id.into_inner(),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(EndpointWithSecret::from(rotated)))
}

/// `POST /v1/brand/webhooks/{id}/test`: a `webhook.test` event, sent now.
pub async fn test_webhook(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    let sent = delivery::send_test(
        &state.db,
        &state.webhooks,
        &user.actor,
        id.into_inner(),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(DeliveryResponse::from(sent)))
}

/// `GET /v1/brand/webhooks/{id}/deliveries`: newest first.
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<WebhookEndpointId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request()?;
    let paged = delivery::list(&state.db, &user.actor, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(paged, DeliveryResponse::from)))
}

/// `POST /v1/brand/webhooks/{id}/deliveries/{delivery_id}/retry`: attempted again now.
pub async fn retry_webhook_delivery(
    state: web::Data<AppState>,
    user: BrandUser,
    path: web::Path<(WebhookEndpointId, WebhookDeliveryId)>,
) -> Result<HttpResponse, ApiError> {
    let (endpoint, id) = path.into_inner();
    let retried = delivery::retry(&state.db, &state.webhooks, &user.actor, endpoint, id, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(DeliveryResponse::from(retried)))
}
