//! `/console/settings/api-keys`: the brand's live API keys (name, the first characters,
//! created, last used), a new key (its secret shown once, on the answer to the form),
//! and revoking one after a page that says what it stops. The use cases are those of
//! `/v1/brand/api-keys`; they are the owners', so staff get the 403 page they answer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::confirm::Confirm;
use super::{Frame, owner_only, secret};
use crate::api::AppState;
use crate::domain::{KeyName, display};
use crate::service::api_keys::{self, ApiKeyError, KeyInfo, MAX_KEYS_PER_BRAND};
use crate::service::auth::BrandActor;
use crate::store::ids::ApiKeyId;
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// What staff are told they may not do.
const WHAT: &str = "manage API keys";
const LIST: &str = "/console/settings/api-keys";

struct KeyRow {
    id: ApiKeyId,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "console/api_keys.html")]
struct KeysPage<'a> {
    frame: Frame,
    keys: Vec<KeyRow>,
    notice: Option<&'static str>,
    /// Above the form: a refusal of the whole form (the cap).
    error: Option<String>,
    name: &'a str,
    errors: &'a FieldErrors,
}

#[derive(Template)]
#[template(path = "console/api_keys_created.html")]
struct CreatedPage {
    frame: Frame,
    name: String,
    prefix: String,
    secret: String,
}

#[derive(Debug, Deserialize)]
pub struct KeysQuery {
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// A use case's refusal: staff get the owners-only page, another brand's key is 404.
fn refused(frame: &Frame, err: ApiKeyError) -> Result<HttpResponse, PageError> {
    match err {
        ApiKeyError::Forbidden(_) => Ok(owner_only::refused(frame, WHAT)),
        ApiKeyError::NotFound | ApiKeyError::Invalid => Err(PageError::NotFound),
        err => Err(PageError::internal(err)),
    }
}

/// The list with the form for a new key, as typed (`name`) and refused (`errors`, `error`).
async fn list_page(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    status: StatusCode,
    form: (&str, &FieldErrors, Option<String>),
    notice: Option<&'static str>,
) -> Result<HttpResponse, PageError> {
    let keys = match api_keys::list(&state.db, actor).await {
        Ok(keys) => keys,
        Err(err) => return refused(&frame, err),
    };
    let now = state.clock.now();
    let (name, errors, error) = form;
    let view = KeysPage {
        frame,
        keys: keys
            .into_iter()
            .map(|key| KeyRow {
                id: key.id,
                name: key.name,
                prefix: key.prefix,
                created: display::date(key.created_at),
                last_used: key
                    .last_used_at
                    .map_or_else(|| "never".to_owned(), |at| display::relative(at, now)),
            })
            .collect(),
        notice,
        error,
        name,
        errors,
    };
    Ok(page(status, &view))
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<KeysQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let notice = match query.done.as_deref() {
        Some("revoked") => Some("The key was revoked: checkouts that use it are refused from now on."),
        _ => None,
    };
    let form = ("", &FieldErrors::default(), None);
    list_page(&state, &actor, frame, StatusCode::OK, form, notice).await
}

/// Makes a key and answers its secret, this once.
pub async fn create(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let mut errors = FieldErrors::default();
    let Some(name) = errors.check("name", KeyName::parse(&form.name)) else {
        let typed = (form.name.as_str(), &errors, None);
        return list_page(&state, &actor, frame, StatusCode::UNPROCESSABLE_ENTITY, typed, None).await;
    };
    match api_keys::create(&state.db, &actor, name, state.clock.now()).await {
        Ok(created) => Ok(secret::shown_once(&CreatedPage {
            frame,
            name: created.key.name,
            prefix: created.key.prefix,
            secret: created.secret,
        })),
        Err(ApiKeyError::TooMany) => {
            let full = format!("A brand can hold at most {MAX_KEYS_PER_BRAND} live API keys; revoke one first.");
            let typed = (form.name.as_str(), &errors, Some(full));
            list_page(&state, &actor, frame, StatusCode::UNPROCESSABLE_ENTITY, typed, None).await
        }
        Err(err) => refused(&frame, err),
    }
}

/// The live key `id` of the actor's brand.
async fn find(state: &AppState, actor: &BrandActor, id: ApiKeyId) -> Result<KeyInfo, ApiKeyError> {
    api_keys::list(&state.db, actor)
        .await?
        .into_iter()
        .find(|key| key.id == id)
        .ok_or(ApiKeyError::NotFound)
}

/// Asks before revoking, naming the key and what stops working.
pub async fn confirm_revoke(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<ApiKeyId>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let key = match find(&state, &actor, id.into_inner()).await {
        Ok(key) => key,
        Err(err) => return refused(&frame, err),
    };
    let message = format!(
        "“{}” (starting {}) stops working at once: every checkout that still sends it is refused. This cannot be undone.",
        key.name, key.prefix
    );
    let action = format!("{LIST}/{}/revoke", key.id);
    Ok(Confirm {
        frame,
        title: "Revoke this API key?",
        message: &message,
        action: &action,
        button: "Revoke the key",
        back: LIST,
    }
    .answer())
}

pub async fn revoke(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<ApiKeyId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    if let Err(err) = api_keys::revoke(&state.db, &actor, id, state.clock.now()).await {
        return refused(&frame, err);
    }
    // As the API does: the checkout's cache of verified keys lets go of it at once.
    state.api_keys.forget(id);
    Ok(see_other(&format!("{LIST}?done=revoked")))
}
