//! `/console/settings/webhooks/{id}`: one webhook endpoint: changing its URL, events,
//! description and whether it is on (the use case of `PATCH /v1/brand/webhooks/{id}`),
//! replacing its signing secret (the new one shown once), sending a test event, and its
//! deliveries, newest first, with the last answer and a Retry button for those not yet
//! through. Owners only, as at the API.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::webhooks::{ActionForm, EndpointForm, LIST, SecretPage, event_boxes, refused};
use super::{Frame, secret};
use crate::api::AppState;
use crate::domain::display;
use crate::service::auth::BrandActor;
use crate::service::paging::PageRequest;
use crate::service::webhooks::delivery::{self, DeliveryInfo};
use crate::service::webhooks::{self, EndpointUpdate};
use crate::store::ids::{WebhookDeliveryId, WebhookEndpointId};
use crate::store::webhooks::DeliveryStatus;
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Deliveries shown on one page; "Older deliveries" continues.
const DELIVERIES_SHOWN: i64 = 50;

struct DeliveryRow {
    id: WebhookDeliveryId,
    created: String,
    event_type: String,
    status: &'static str,
    failed: bool,
    attempts: i32,
    /// The last answer: `200 in 35 ms`, or nothing yet.
    answer: String,
    error: String,
    next_attempt: String,
    /// Not through yet (pending or failed): the page offers to try it again now.
    retryable: bool,
}

impl From<DeliveryInfo> for DeliveryRow {
    fn from(d: DeliveryInfo) -> Self {
        Self {
            id: d.id,
            created: display::date_time(d.created_at),
            event_type: d.event_type,
            status: d.status.as_str(),
            failed: d.status == DeliveryStatus::Failed,
            attempts: d.attempts,
            answer: match (d.last_status, d.last_latency_ms) {
                (Some(status), Some(ms)) => format!("{status} in {ms} ms"),
                (Some(status), None) => status.to_string(),
                _ => String::new(),
            },
            error: d.last_error.unwrap_or_default(),
            next_attempt: d.next_attempt_at.map(display::date_time).unwrap_or_default(),
            retryable: d.status != DeliveryStatus::Succeeded,
        }
    }
}

#[derive(Template)]
#[template(path = "console/webhook.html")]
struct EndpointPage<'a> {
    frame: Frame,
    id: WebhookEndpointId,
    title: String,
    url: String,
    enabled: bool,
    disabled_reason: Option<String>,
    deliveries: Vec<DeliveryRow>,
    older: Option<String>,
    notice: Option<&'static str>,
    /// The form: the endpoint as it is, or as typed.
    typed: &'a EndpointForm,
    boxes: Vec<(&'static str, bool)>,
    errors: &'a FieldErrors,
}

#[derive(Debug, Deserialize)]
pub struct EndpointQuery {
    done: Option<String>,
    after: Option<String>,
}

/// The page of endpoint `id`; the form as typed when it comes back refused.
async fn endpoint_page(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: WebhookEndpointId,
    status: StatusCode,
    after: Option<WebhookDeliveryId>,
    shown: (Option<&EndpointForm>, &FieldErrors, Option<&'static str>),
) -> Result<HttpResponse, PageError> {
    let info = match webhooks::get(&state.db, actor, id).await {
        Ok(info) => info,
        Err(err) => return refused(&frame, err),
    };
    let request = PageRequest {
        limit: DELIVERIES_SHOWN,
        after,
    };
    let deliveries = match delivery::list(&state.db, actor, id, request).await {
        Ok(deliveries) => deliveries,
        Err(err) => return refused(&frame, err),
    };
    let (typed, errors, notice) = shown;
    let current = EndpointForm::of(&info);
    let typed = typed.unwrap_or(&current);
    let view = EndpointPage {
        frame,
        id,
        title: if info.description.is_empty() {
            "Webhook endpoint".to_owned()
        } else {
            info.description.clone()
        },
        url: info.url,
        enabled: info.enabled,
        disabled_reason: info.disabled_reason,
        older: deliveries.next.map(|last| format!("{LIST}/{id}?after={last}")),
        deliveries: deliveries.items.into_iter().map(DeliveryRow::from).collect(),
        notice,
        boxes: event_boxes(&typed.events),
        typed,
        errors,
    };
    Ok(page(status, &view))
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<WebhookEndpointId>,
    query: web::Query<EndpointQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let after = match query.after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<WebhookDeliveryId>()
                .map_err(|_| PageError::BadRequest("`after` must be the id of a delivery.".into()))?,
        ),
    };
    let notice = match query.done.as_deref() {
        Some("saved") => Some("Saved."),
        Some("tested") => Some("A webhook.test event was sent; how it went is the first delivery below."),
        Some("retried") => Some("The delivery was tried again; how it went is below."),
        _ => None,
    };
    let shown = (None, &FieldErrors::default(), notice);
    endpoint_page(&state, &actor, frame, id.into_inner(), StatusCode::OK, after, shown).await
}

/// Saves the form. `enabled` is sent only when it changes: turning an endpoint on clears
/// its failure streak, which saving its description must not do.
pub async fn update(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<WebhookEndpointId>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let typed = EndpointForm::read(form.into_inner());
    signed_in.check_form(&typed.csrf)?;
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    let Some((url, description, events)) = typed.parse(&mut errors) else {
        let shown = (Some(&typed), &errors, None);
        return endpoint_page(&state, &actor, frame, id, StatusCode::UNPROCESSABLE_ENTITY, None, shown).await;
    };
    let current = match webhooks::get(&state.db, &actor, id).await {
        Ok(current) => current,
        Err(err) => return refused(&frame, err),
    };
    let update = EndpointUpdate {
        url: Some(url),
        description: Some(description),
        events: Some(events),
        enabled: (typed.enabled != current.enabled).then_some(typed.enabled),
    };
    match webhooks::update(&state.db, &actor, id, update, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("{LIST}/{id}?done=saved"))),
        Err(err) => refused(&frame, err),
    }
}

/// A new signing secret, shown this once; the old one keeps signing for a while.
pub async fn rotate(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<WebhookEndpointId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let rotated = webhooks::rotate_secret(&state.db, &state.sealer, &actor, id.into_inner(), state.clock.now()).await;
    match rotated {
        Ok(rotated) => Ok(secret::shown_once(&SecretPage {
            frame,
            id: rotated.endpoint.id,
            url: rotated.endpoint.url,
            secret: rotated.secret,
            rotated: true,
        })),
        Err(err) => refused(&frame, err),
    }
}

/// Sends a `webhook.test` event now; the page shows how it went.
pub async fn test(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<WebhookEndpointId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    match delivery::send_test(&state.db, &state.webhooks, &actor, id, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("{LIST}/{id}?done=tested"))),
        Err(err) => refused(&frame, err),
    }
}

/// Attempts one delivery again now.
pub async fn retry(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(WebhookEndpointId, WebhookDeliveryId)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let (id, delivery_id) = path.into_inner();
    let retried = delivery::retry(&state.db, &state.webhooks, &actor, id, delivery_id, state.clock.now()).await;
    match retried {
        Ok(_) => Ok(see_other(&format!("{LIST}/{id}?done=retried"))),
        Err(err) => refused(&frame, err),
    }
}
