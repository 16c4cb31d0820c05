//! `/console/settings/integrations`: the brand's shop integrations, connecting a shop
//! (platform, name, the signing secret where the shop gives one first), the answer that
//! shows the webhook URL to paste into the shop and the secret reftrack made for a
//! WooCommerce shop (once), and deleting one after a page that says what stops. The use
//! cases are those of `/v1/brand/integrations`, the owners'; staff get the 403 page.
//! One integration's own page (rename, secret, its deliveries) is [`super::integration`].

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::confirm::Confirm;
use super::{Frame, owner_only, secret};
use crate::api::AppState;
use crate::domain::signing_secret::SigningSecret;
use crate::domain::{KeyName, display};
use crate::service::auth::BrandActor;
use crate::service::integrations::{self, IntegrationError, MAX_INTEGRATIONS_PER_BRAND, NewIntegration};
use crate::store::ids::IntegrationId;
use crate::store::integrations::Platform;
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// What staff are told they may not do.
pub const WHAT: &str = "manage shop integrations";
pub const LIST: &str = "/console/settings/integrations";

/// The platform as the shop calls itself.
pub fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Shopify => "Shopify",
        Platform::Woocommerce => "WooCommerce",
        Platform::Stripe => "Stripe",
    }
}

/// A use case's refusal: staff get the owners-only page, another brand's integration is 404.
pub fn refused(frame: &Frame, err: IntegrationError) -> Result<HttpResponse, PageError> {
    match err {
        IntegrationError::Forbidden(_) => Ok(owner_only::refused(frame, WHAT)),
        IntegrationError::NotFound => Err(PageError::NotFound),
        err => Err(PageError::internal(err)),
    }
}

struct Row {
    id: IntegrationId,
    name: String,
    platform: &'static str,
    secret_set: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "console/integrations.html")]
struct ListPage<'a> {
    frame: Frame,
    rows: Vec<Row>,
    notice: Option<&'static str>,
    error: Option<String>,
    typed: &'a CreateForm,
    errors: &'a FieldErrors,
    platforms: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "console/integration_created.html")]
struct CreatedPage {
    frame: Frame,
    id: IntegrationId,
    name: String,
    /// `shopify`, `woocommerce` or `stripe`: the steps in the shop differ.
    platform: &'static str,
    platform_name: &'static str,
    webhook_url: String,
    /// The secret reftrack made (WooCommerce without one given): shown this once.
    generated_secret: Option<String>,
    secret_set: bool,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    name: String,
    /// Never shown again, even when the form comes back refused.
    #[serde(default)]
    signing_secret: String,
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

async fn list_page(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    status: StatusCode,
    form: (&CreateForm, &FieldErrors, Option<String>),
    notice: Option<&'static str>,
) -> Result<HttpResponse, PageError> {
    let found = match integrations::list(&state.db, actor).await {
        Ok(found) => found,
        Err(err) => return refused(&frame, err),
    };
    let (typed, errors, error) = form;
    let view = ListPage {
        frame,
        rows: found
            .into_iter()
            .map(|info| Row {
                id: info.id,
                name: info.name,
                platform: platform_name(info.platform),
                secret_set: info.secret_set,
                created: display::date(info.created_at),
            })
            .collect(),
        notice,
        error,
        typed,
        errors,
        platforms: Platform::ALL.iter().map(|p| (p.as_str(), platform_name(*p))).collect(),
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
        Some("deleted") => Some("The integration was deleted: its shop's deliveries are refused from now on."),
        _ => None,
    };
    let form = (&CreateForm::default(), &FieldErrors::default(), None);
    list_page(&state, &actor, frame, StatusCode::OK, form, notice).await
}

/// Connects a shop and answers where it sends its webhooks (and a secret made here, once).
pub async fn create(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let mut errors = FieldErrors::default();
    let platform = errors.check(
        "platform",
        Platform::parse(&form.platform).ok_or_else(|| "must be one of shopify, woocommerce, stripe".to_owned()),
    );
    let name = errors.check("name", KeyName::parse(&form.name));
    // An empty field is a secret not given yet, as an absent one is at the API.
    let secret = match form.signing_secret.trim() {
        "" => Some(None),
        given => errors.check("signing_secret", SigningSecret::parse(given)).map(Some),
    };
    let (Some(platform), Some(name), Some(secret)) = (platform, name, secret) else {
        let typed = (&*form, &errors, None);
        return list_page(&state, &actor, frame, StatusCode::UNPROCESSABLE_ENTITY, typed, None).await;
    };
    let new = NewIntegration {
        platform,
        name,
        secret,
        now: state.clock.now(),
    };
    match integrations::create(&state.db, &state.sealer, &actor, new).await {
        Ok(created) => {
            let info = created.integration;
            Ok(secret::shown_once(&CreatedPage {
                frame,
                id: info.id,
                webhook_url: info.webhook_url(&state.public_url),
                name: info.name,
                platform: info.platform.as_str(),
                platform_name: platform_name(info.platform),
                generated_secret: created.generated_secret,
                secret_set: info.secret_set,
            }))
        }
        Err(IntegrationError::TooMany) => {
            let full = format!("A brand can hold at most {MAX_INTEGRATIONS_PER_BRAND} integrations; delete one first.");
            let typed = (&*form, &errors, Some(full));
            list_page(&state, &actor, frame, StatusCode::UNPROCESSABLE_ENTITY, typed, None).await
        }
        Err(err) => refused(&frame, err),
    }
}

/// Asks before deleting, naming the integration and what stops.
pub async fn confirm_delete(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<IntegrationId>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let info = match integrations::get(&state.db, &actor, id.into_inner()).await {
        Ok(info) => info,
        Err(err) => return refused(&frame, err),
    };
    let message = format!(
        "From now on reftrack refuses what “{}” ({}) sends: its orders, refunds and cancellations are no longer recorded. What it recorded stays. This cannot be undone.",
        info.name,
        platform_name(info.platform)
    );
    let action = format!("{LIST}/{}/delete", info.id);
    let back = format!("{LIST}/{}", info.id);
    Ok(Confirm {
        frame,
        title: "Delete this integration?",
        message: &message,
        action: &action,
        button: "Delete the integration",
        back: &back,
    }
    .answer())
}

pub async fn delete(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<IntegrationId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    match integrations::delete(&state.db, &actor, id.into_inner(), state.clock.now()).await {
        Ok(()) => Ok(see_other(&format!("{LIST}?done=deleted"))),
        Err(err) => refused(&frame, err),
    }
}
