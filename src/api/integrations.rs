//! Shop integrations, for brand staff: connect a shop (the signing secret goes in, the
//! webhook URL comes out), list, rename, rotate the secret, delete; and each one's
//! deliveries, with a retry.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{BrandUser, Json};
use super::pagination::{Page, PageQuery};
use super::{ApiError, ErrorCode, FieldError};
use crate::api::AppState;
use crate::domain::KeyName;
use crate::domain::signing_secret::SigningSecret;
use crate::service::integrations::{
    self, IntegrationChanges, IntegrationError, IntegrationInfo, MAX_INTEGRATIONS_PER_BRAND, NewIntegration,
};
use crate::service::shop_inbox::{self, EventInfo, RetryError};
use crate::store::ids::{IntegrationId, ShopEventId};
use crate::store::integrations::Platform;
use crate::store::shop_events::EventStatus;

impl From<IntegrationError> for ApiError {
    fn from(err: IntegrationError) -> Self {
        match err {
            IntegrationError::TooMany => ApiError::unprocessable(
                ErrorCode::TooManyIntegrations,
                format!("A brand can hold at most {MAX_INTEGRATIONS_PER_BRAND} integrations; delete one first."),
            ),
            IntegrationError::NotFound => not_found(),
            IntegrationError::Forbidden(err) => err.into(),
            IntegrationError::Store(err) => err.into(),
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found(ErrorCode::IntegrationNotFound, "No such integration.")
}

impl From<RetryError> for ApiError {
    fn from(err: RetryError) -> Self {
        match err {
            RetryError::Integration(err) => err.into(),
            RetryError::NotFound => ApiError::not_found(ErrorCode::EventNotFound, "No such event."),
            RetryError::BodyPruned => ApiError::unprocessable(
                ErrorCode::EventBodyPruned,
                "The event's body was pruned after 30 days; it cannot be processed again.",
            ),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegrationRequest {
    pub platform: String,
    pub name: String,
    pub signing_secret: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateIntegrationRequest {
    pub name: Option<String>,
    pub signing_secret: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct IntegrationResponse {
    pub id: IntegrationId,
    pub platform: Platform,
    pub name: String,
    /// Where the shop sends its webhooks: `{REFTRACK_PUBLIC_URL}/v1/integrations/{id}/webhook`.
    pub webhook_url: String,
    /// Whether the signing secret is set; deliveries are refused (401) until it is.
    pub signing_secret_set: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Until when the secret replaced by the last rotation still verifies deliveries.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
}

impl IntegrationResponse {
    fn new(public_url: &str, info: IntegrationInfo) -> Self {
        Self {
            webhook_url: info.webhook_url(public_url),
            signing_secret_set: info.secret_set,
            id: info.id,
            platform: info.platform,
            name: info.name,
            created_at: info.created_at,
            updated_at: info.updated_at,
            previous_secret_valid_until: info.previous_secret_until,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CreatedIntegrationResponse {
    #[serde(flatten)]
    pub integration: IntegrationResponse,
    /// The secret reftrack generated (WooCommerce without one given): shown only here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct IntegrationList {
    pub items: Vec<IntegrationResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EventResponse {
    pub id: ShopEventId,
    pub topic: String,
    pub status: EventStatus,
    pub detail: Option<String>,
    pub order_id: Option<String>,
    pub attempts: i32,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
    pub body_kept: bool,
}

impl From<EventInfo> for EventResponse {
    fn from(event: EventInfo) -> Self {
        Self {
            id: event.id,
            topic: event.topic,
            status: event.status,
            detail: event.detail,
            order_id: event.order_id,
            attempts: event.attempts,
            received_at: event.received_at,
            processed_at: event.processed_at,
            body_kept: event.body_kept,
        }
    }
}

fn parse_secret(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<SigningSecret> {
    value.and_then(|secret| {
        SigningSecret::parse(secret)
            .map_err(|m| errors.push(FieldError::new("signing_secret", m)))
            .ok()
    })
}

fn parse_name(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<KeyName> {
    value.and_then(|name| {
        KeyName::parse(name)
            .map_err(|m| errors.push(FieldError::new("name", m)))
            .ok()
    })
}

/// `POST /v1/brand/integrations`
pub async fn create_integration(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<CreateIntegrationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let platform = Platform::parse(&body.platform);
    if platform.is_none() {
        errors.push(FieldError::new(
            "platform",
            "must be one of shopify, woocommerce, stripe",
        ));
    }
    let name = parse_name(Some(&body.name), &mut errors);
    let secret = parse_secret(body.signing_secret.as_deref(), &mut errors);
    let (Some(platform), Some(name), true) = (platform, name, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let new = NewIntegration {
        platform,
        name,
        secret,
        now: state.clock.now(),
    };
    let created = integrations::create(&state.db, &state.sealer, &user.actor, new).await?;
    Ok(HttpResponse::Created().json(CreatedIntegrationResponse {
        integration: IntegrationResponse::new(&state.public_url, created.integration),
        signing_secret: created.generated_secret,
    }))
}

/// `GET /v1/brand/integrations`
pub async fn list_integrations(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let items = integrations::list(&state.db, &user.actor).await?;
    Ok(HttpResponse::Ok().json(IntegrationList {
        items: items
            .into_iter()
            .map(|info| IntegrationResponse::new(&state.public_url, info))
            .collect(),
        next_cursor: None,
    }))
}

/// `GET /v1/brand/integrations/{id}`
pub async fn get_integration(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<IntegrationId>,
) -> Result<HttpResponse, ApiError> {
    let info = integrations::get(&state.db, &user.actor, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(IntegrationResponse::new(&state.public_url, info)))
}

/// `PATCH /v1/brand/integrations/{id}`: a new name and/or a new secret.
pub async fn update_integration(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<IntegrationId>,
    Json(body): Json<UpdateIntegrationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let name = parse_name(body.name.as_deref(), &mut errors);
    let secret = parse_secret(body.signing_secret.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let changes = IntegrationChanges {
        name,
        secret,
        now: state.clock.now(),
    };
    let info = integrations::update(&state.db, &state.sealer, &user.actor, id.into_inner(), changes).await?;
    Ok(HttpResponse::Ok().json(IntegrationResponse::new(&state.public_url, info)))
}

/// `DELETE /v1/brand/integrations/{id}`
pub async fn delete_integration(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<IntegrationId>,
) -> Result<HttpResponse, ApiError> {
    integrations::delete(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /v1/brand/integrations/{id}/events`: deliveries, newest first.
pub async fn list_events(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<IntegrationId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request()?;
    let paged = shop_inbox::list_events(&state.db, &user.actor, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(paged, EventResponse::from)))
}

/// `POST /v1/brand/integrations/{id}/events/{event_id}/retry`: processes it again now.
pub async fn retry_event(
    state: web::Data<AppState>,
    user: BrandUser,
    path: web::Path<(IntegrationId, ShopEventId)>,
) -> Result<HttpResponse, ApiError> {
    let (integration, event) = path.into_inner();
    let info = shop_inbox::retry(
        &state.db,
        &state.pepper,
        &user.actor,
        integration,
        event,
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(EventResponse::from(info)))
}
