//! `/console/settings/webhooks`: the brand's webhook endpoints (its own systems that
//! reftrack sends signed events to), adding one (URL, the event types it wants, a
//! description; the answer shows its signing secret once), and deleting one after a
//! page that says what stops. The use cases are those of `/v1/brand/webhooks`, the
//! owners'; staff get the 403 page. One endpoint's own page is [`super::webhook`].

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::confirm::Confirm;
use super::{Frame, owner_only, secret};
use crate::api::AppState;
use crate::domain::display;
use crate::service::auth::BrandActor;
use crate::service::events::EventType;
use crate::service::webhooks::{self, EndpointError, EndpointInfo, MAX_ENDPOINTS_PER_BRAND, NewEndpoint};
use crate::store::ids::WebhookEndpointId;
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// What staff are told they may not do.
const WHAT: &str = "manage webhooks";
pub const LIST: &str = "/console/settings/webhooks";

/// A use case's refusal: staff get the owners-only page; another brand's endpoint or
/// delivery is 404.
pub fn refused(frame: &Frame, err: EndpointError) -> Result<HttpResponse, PageError> {
    match err {
        EndpointError::Forbidden(_) => Ok(owner_only::refused(frame, WHAT)),
        EndpointError::NotFound | EndpointError::DeliveryNotFound => Err(PageError::NotFound),
        err => Err(PageError::internal(err)),
    }
}

/// The endpoint form as sent: a ticked event type comes once per box, so the body is
/// read as pairs rather than into a struct.
#[derive(Debug, Default)]
pub struct EndpointForm {
    pub csrf: String,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

impl EndpointForm {
    pub fn read(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "url" => form.url = value,
                "description" => form.description = value,
                "events" => form.events.push(value),
                "enabled" => form.enabled = true,
                _ => {}
            }
        }
        form
    }

    /// The form of an endpoint as it is.
    pub fn of(info: &EndpointInfo) -> Self {
        Self {
            csrf: String::new(),
            url: info.url.clone(),
            description: info.description.clone(),
            events: info.events.clone(),
            enabled: info.enabled,
        }
    }

    /// URL, description and event types by the API's parsers; each refusal under its field.
    pub fn parse(&self, errors: &mut FieldErrors) -> Option<(String, String, Vec<String>)> {
        let parsed = (
            errors.check("url", webhooks::parse_url(&self.url)),
            errors.check("description", webhooks::parse_description(&self.description)),
            errors.check("events", webhooks::parse_event_types(&self.events)),
        );
        match parsed {
            (Some(url), Some(description), Some(events)) => Some((url, description, events)),
            _ => None,
        }
    }
}

/// Every event type, ticked or not, for the form's boxes.
pub fn event_boxes(ticked: &[String]) -> Vec<(&'static str, bool)> {
    EventType::ALL
        .iter()
        .map(|t| (t.as_str(), ticked.iter().any(|name| name == t.as_str())))
        .collect()
}

/// The event types an endpoint gets, in words.
pub fn events_words(events: &[String]) -> String {
    if events.is_empty() {
        "every event".to_owned()
    } else {
        events.join(", ")
    }
}

struct Row {
    id: WebhookEndpointId,
    url: String,
    description: String,
    events: String,
    enabled: bool,
    disabled_reason: Option<String>,
    created: String,
}

#[derive(Template)]
#[template(path = "console/webhooks.html")]
struct ListPage<'a> {
    frame: Frame,
    rows: Vec<Row>,
    notice: Option<&'static str>,
    error: Option<String>,
    typed: &'a EndpointForm,
    boxes: Vec<(&'static str, bool)>,
    errors: &'a FieldErrors,
}

/// The answer that shows an endpoint's signing secret once: when it is made, and when
/// its secret is replaced.
#[derive(Template)]
#[template(path = "console/webhook_secret.html")]
pub struct SecretPage {
    pub frame: Frame,
    pub id: WebhookEndpointId,
    pub url: String,
    pub secret: String,
    /// Replaced rather than made: the old secret keeps signing for a while.
    pub rotated: bool,
}

#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf: String,
}

async fn list_page(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    status: StatusCode,
    form: (&EndpointForm, &FieldErrors, Option<String>),
    notice: Option<&'static str>,
) -> Result<HttpResponse, PageError> {
    let found = match webhooks::list(&state.db, actor).await {
        Ok(found) => found,
        Err(err) => return refused(&frame, err),
    };
    let (typed, errors, error) = form;
    let view = ListPage {
        frame,
        rows: found
            .into_iter()
            .map(|info| Row {
                events: events_words(&info.events),
                id: info.id,
                url: info.url,
                description: info.description,
                enabled: info.enabled,
                disabled_reason: info.disabled_reason,
                created: display::date(info.created_at),
            })
            .collect(),
        notice,
        error,
        boxes: event_boxes(&typed.events),
        typed,
        errors,
    };
    Ok(page(status, &view))
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let notice = match query.done.as_deref() {
        Some("deleted") => Some("The endpoint was deleted: nothing more is sent to it."),
        _ => None,
    };
    let form = (&EndpointForm::default(), &FieldErrors::default(), None);
    list_page(&state, &actor, frame, StatusCode::OK, form, notice).await
}

/// Adds an endpoint and answers its signing secret, this once.
pub async fn create(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let typed = EndpointForm::read(form.into_inner());
    signed_in.check_form(&typed.csrf)?;
    let mut errors = FieldErrors::default();
    let Some((url, description, events)) = typed.parse(&mut errors) else {
        let form = (&typed, &errors, None);
        return list_page(&state, &actor, frame, StatusCode::UNPROCESSABLE_ENTITY, form, None).await;
    };
    let new = NewEndpoint {
        url,
        description,
        events,
        now: state.clock.now(),
    };
    match webhooks::create(&state.db, &state.sealer, &actor, new).await {
        Ok(created) => Ok(secret::shown_once(&SecretPage {
            frame,
            id: created.endpoint.id,
            url: created.endpoint.url,
            secret: created.secret,
            rotated: false,
        })),
        Err(EndpointError::TooMany) => {
            let full =
                format!("A brand can hold at most {MAX_ENDPOINTS_PER_BRAND} webhook endpoints; delete one first.");
            let form = (&typed, &errors, Some(full));
            list_page(&state, &actor, frame, StatusCode::UNPROCESSABLE_ENTITY, form, None).await
        }
        Err(err) => refused(&frame, err),
    }
}

/// Asks before deleting, naming the endpoint and what stops.
pub async fn confirm_delete(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<WebhookEndpointId>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let info = match webhooks::get(&state.db, &actor, id.into_inner()).await {
        Ok(info) => info,
        Err(err) => return refused(&frame, err),
    };
    let message = format!(
        "reftrack stops sending events to {}, those still waiting to be delivered included. This cannot be undone.",
        info.url
    );
    let action = format!("{LIST}/{}/delete", info.id);
    let back = format!("{LIST}/{}", info.id);
    Ok(Confirm {
        frame,
        title: "Delete this webhook endpoint?",
        message: &message,
        action: &action,
        button: "Delete the endpoint",
        back: &back,
    }
    .answer())
}

pub async fn delete(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<WebhookEndpointId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    match webhooks::delete(&state.db, &actor, id.into_inner(), state.clock.now()).await {
        Ok(()) => Ok(see_other(&format!("{LIST}?done=deleted"))),
        Err(err) => refused(&frame, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_keeps_every_ticked_event_type_and_an_unticked_box_is_off() {
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let form = EndpointForm::read(pairs(&[
            ("csrf", "t"),
            ("url", "https://crm.example/hook"),
            ("events", "order.recorded"),
            ("events", "payout.paid"),
        ]));
        assert_eq!(form.events, ["order.recorded", "payout.paid"]);
        assert!(!form.enabled);
        let boxes = event_boxes(&form.events);
        assert_eq!(boxes.len(), EventType::ALL.len());
        assert_eq!(boxes.iter().filter(|(_, ticked)| *ticked).count(), 2);
        assert!(EndpointForm::read(pairs(&[("enabled", "on")])).enabled);
        assert_eq!(events_words(&[]), "every event");
    }
}
