//! `/console/settings/integrations/{id}`: one shop integration: where its shop sends
//! webhooks, whether its signing secret is set, renaming it and setting or replacing the
//! secret (the use case of `PATCH /v1/brand/integrations/{id}`), and its deliveries,
//! newest first, with their status and reason and a Retry button for those that did
//! not go through (`…/events/{event_id}/retry`). Owners only, as at the API.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use super::integrations::{LIST, platform_name, refused};
use crate::api::AppState;
use crate::domain::signing_secret::SigningSecret;
use crate::domain::{KeyName, display};
use crate::service::auth::BrandActor;
use crate::service::integrations::{self, IntegrationChanges, ROTATION_GRACE_HOURS};
use crate::service::paging::PageRequest;
use crate::service::shop_inbox::{self, EventInfo, RetryError};
use crate::store::ids::{IntegrationId, ShopEventId};
use crate::store::shop_events::EventStatus;
use crate::web::form::FieldErrors;
use crate::web::pages::notice::Notice;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Deliveries shown on one page; "Older deliveries" continues.
const EVENTS_SHOWN: i64 = 50;

/// A delivery's status in words.
fn status_words(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Received => "waiting to be processed",
        EventStatus::Processed => "processed",
        EventStatus::Ignored => "ignored",
        EventStatus::WaitingForOrder => "waiting for its order",
        EventStatus::Failed => "failed",
    }
}

/// Whether the page offers to process the delivery again: one that did not go through
/// and whose body is still kept. (The use case would run any; running a processed one
/// again changes nothing, and one still waiting for the worker will be run anyway.)
fn retryable(event: &EventInfo) -> bool {
    event.body_kept
        && matches!(
            event.status,
            EventStatus::Failed | EventStatus::Ignored | EventStatus::WaitingForOrder
        )
}

struct EventRow {
    id: ShopEventId,
    received: String,
    topic: String,
    status: &'static str,
    failed: bool,
    detail: String,
    order: String,
    attempts: i32,
    retryable: bool,
}

impl From<EventInfo> for EventRow {
    fn from(event: EventInfo) -> Self {
        Self {
            retryable: retryable(&event),
            id: event.id,
            received: display::date_time(event.received_at),
            status: status_words(event.status),
            failed: event.status == EventStatus::Failed,
            topic: event.topic,
            detail: event.detail.unwrap_or_default(),
            order: event.order_id.unwrap_or_default(),
            attempts: event.attempts,
        }
    }
}

#[derive(Template)]
#[template(path = "console/integration.html")]
struct IntegrationPage<'a> {
    frame: Frame,
    id: IntegrationId,
    name: String,
    platform: &'static str,
    webhook_url: String,
    secret_set: bool,
    previous_until: Option<String>,
    created: String,
    events: Vec<EventRow>,
    /// The link to the next page of deliveries.
    older: Option<String>,
    notice: Option<String>,
    /// The rename form as typed.
    typed_name: Option<&'a str>,
    errors: &'a FieldErrors,
}

#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    done: Option<String>,
    after: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
pub struct SecretForm {
    #[serde(default)]
    csrf: String,
    /// Never shown again, even when refused.
    #[serde(default)]
    signing_secret: String,
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// What the page shows beside the integration: which deliveries, a line of news, and
/// the rename form as typed and refused.
#[derive(Default)]
struct Shown<'a> {
    after: Option<ShopEventId>,
    notice: Option<String>,
    typed_name: Option<&'a str>,
    errors: FieldErrors,
}

/// The page of integration `id`.
async fn detail_page(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: IntegrationId,
    status: StatusCode,
    shown: Shown<'_>,
) -> Result<HttpResponse, PageError> {
    let info = match integrations::get(&state.db, actor, id).await {
        Ok(info) => info,
        Err(err) => return refused(&frame, err),
    };
    let request = PageRequest {
        limit: EVENTS_SHOWN,
        after: shown.after,
    };
    let events = match shop_inbox::list_events(&state.db, actor, id, request).await {
        Ok(events) => events,
        Err(err) => return refused(&frame, err),
    };
    let view = IntegrationPage {
        frame,
        id,
        webhook_url: info.webhook_url(&state.public_url),
        platform: platform_name(info.platform),
        secret_set: info.secret_set,
        previous_until: info
            .previous_secret_until
            .filter(|until| *until > state.clock.now())
            .map(display::date_time),
        created: display::date(info.created_at),
        name: info.name,
        older: events.next.map(|last| format!("{LIST}/{id}?after={last}")),
        events: events.items.into_iter().map(EventRow::from).collect(),
        notice: shown.notice,
        typed_name: shown.typed_name,
        errors: &shown.errors,
    };
    Ok(page(status, &view))
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<IntegrationId>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let after = match query.after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<ShopEventId>()
                .map_err(|_| PageError::BadRequest("`after` must be the id of a delivery.".into()))?,
        ),
    };
    let notice = match query.done.as_deref() {
        Some("renamed") => Some("Renamed.".to_owned()),
        Some("secret") => Some(format!(
            "The secret is saved: deliveries signed with it are taken from now on, and a secret it replaced keeps verifying for {ROTATION_GRACE_HOURS} hours."
        )),
        Some("retried") => Some("The delivery was processed again; its status is below.".to_owned()),
        _ => None,
    };
    let shown = Shown {
        after,
        notice,
        ..Shown::default()
    };
    detail_page(&state, &actor, frame, id.into_inner(), StatusCode::OK, shown).await
}

/// Saves the changes of one form, or shows the page again with the refused field (422).
async fn change(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: IntegrationId,
    changes: Result<IntegrationChanges, (Option<&str>, FieldErrors)>,
    done: &str,
) -> Result<HttpResponse, PageError> {
    let changes = match changes {
        Ok(changes) => changes,
        Err((typed_name, errors)) => {
            let shown = Shown {
                typed_name,
                errors,
                ..Shown::default()
            };
            return detail_page(state, actor, frame, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
        }
    };
    match integrations::update(&state.db, &state.sealer, actor, id, changes).await {
        Ok(_) => Ok(see_other(&format!("{LIST}/{id}?done={done}"))),
        Err(err) => refused(&frame, err),
    }
}

pub async fn rename(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<IntegrationId>,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let mut errors = FieldErrors::default();
    let changes = match errors.check("name", KeyName::parse(&form.name)) {
        Some(name) => Ok(IntegrationChanges {
            name: Some(name),
            secret: None,
            now: state.clock.now(),
        }),
        None => Err((Some(form.name.as_str()), errors)),
    };
    change(&state, &actor, frame, id.into_inner(), changes, "renamed").await
}

pub async fn set_secret(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<IntegrationId>,
    form: web::Form<SecretForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let mut errors = FieldErrors::default();
    let changes = match errors.check("signing_secret", SigningSecret::parse(&form.signing_secret)) {
        Some(secret) => Ok(IntegrationChanges {
            name: None,
            secret: Some(secret),
            now: state.clock.now(),
        }),
        None => Err((None, errors)),
    };
    change(&state, &actor, frame, id.into_inner(), changes, "secret").await
}

/// Processes one delivery again now (the use case of `…/events/{event_id}/retry`).
pub async fn retry(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(IntegrationId, ShopEventId)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let (id, event) = path.into_inner();
    let retried = shop_inbox::retry(&state.db, &state.pepper, &actor, id, event, state.clock.now()).await;
    match retried {
        Ok(_) => Ok(see_other(&format!("{LIST}/{id}?done=retried"))),
        Err(RetryError::Integration(err)) => refused(&frame, err),
        Err(RetryError::NotFound) => Err(PageError::NotFound),
        Err(RetryError::BodyPruned) => {
            let back = format!("{LIST}/{id}");
            Ok(Notice {
                console: true,
                current: frame.current,
                csrf: &frame.csrf,
                title: "This delivery cannot be processed again",
                message: "Its body was deleted 30 days after it arrived, so nothing is left to process.",
                back: &back,
                back_label: "Back to the integration",
            }
            .answer(StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_deliveries_that_did_not_go_through_and_still_have_their_body_are_offered_again() {
        let event = |status, body_kept| EventInfo {
            id: ShopEventId::generate(),
            topic: "orders/paid".to_owned(),
            status,
            detail: None,
            order_id: None,
            attempts: 1,
            received_at: chrono::Utc::now(),
            processed_at: None,
            body_kept,
        };
        assert!(retryable(&event(EventStatus::Failed, true)));
        assert!(retryable(&event(EventStatus::Ignored, true)));
        assert!(retryable(&event(EventStatus::WaitingForOrder, true)));
        assert!(!retryable(&event(EventStatus::Failed, false)));
        assert!(!retryable(&event(EventStatus::Processed, true)));
        assert!(!retryable(&event(EventStatus::Received, true)));
    }
}
