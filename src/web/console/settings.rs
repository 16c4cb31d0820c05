//! `GET /console/settings`: the brand's profile (its name and the landing page referral
//! links lead to, saved by `POST /console/settings` through the use case of
//! `PATCH /v1/brand`), and the way to the sections only owners may use: API keys, shop
//! integrations, webhooks and the team. Staff see those listed too, marked as the
//! owners'; the sections' own pages refuse them (the use cases do).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use crate::api::AppState;
use crate::domain::{BrandName, LandingUrl};
use crate::service::brands::{self, Brand, BrandError, BrandUpdate};
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// A section of the settings only owners may use.
struct Section {
    href: &'static str,
    title: &'static str,
    about: &'static str,
}

const SECTIONS: [Section; 5] = [
    Section {
        href: "/console/settings/api-keys",
        title: "API keys",
        about: "Keys your shop's checkout calls reftrack with: quotes, code checks and orders.",
    },
    Section {
        href: "/console/settings/integrations",
        title: "Shop integrations",
        about: "Shopify, WooCommerce or Stripe telling reftrack of every order, refund and cancellation.",
    },
    Section {
        href: "/console/settings/webhooks",
        title: "Webhooks",
        about: "Signed messages to your own systems when something happens.",
    },
    Section {
        href: "/console/settings/fx-rates",
        title: "Exchange rates",
        about: "The rates an order in another currency than its program's converts at, when your shop sends none.",
    },
    Section {
        href: "/console/settings/team",
        title: "Team",
        about: "Who runs the brand here: invite teammates as owners or staff.",
    },
];

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage<'a> {
    frame: Frame,
    brand: &'a Brand,
    /// The form's values: the brand's, or what was typed.
    name: &'a str,
    landing_url: &'a str,
    errors: &'a FieldErrors,
    saved: bool,
    sections: &'static [Section],
}

#[derive(Debug, Deserialize)]
pub struct SettingsQuery {
    done: Option<String>,
}

impl SettingsQuery {
    /// Whether the page follows a save (`?done=saved`).
    pub fn saved(&self) -> bool {
        self.done.as_deref() == Some("saved")
    }
}

#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    landing_url: String,
}

fn refused(err: BrandError) -> PageError {
    match err {
        BrandError::NotFound => PageError::NotFound,
        BrandError::Store(err) => PageError::internal(err),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<SettingsQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let brand = brands::get(&state.db, actor.brand_id).await.map_err(refused)?;
    let view = SettingsPage {
        frame,
        brand: &brand,
        name: &brand.name,
        landing_url: &brand.landing_url,
        errors: &FieldErrors::default(),
        saved: query.done.as_deref() == Some("saved"),
        sections: &SECTIONS,
    };
    Ok(page(StatusCode::OK, &view))
}

/// Saves the profile; each refused field is shown beside itself (422), what was typed kept.
pub async fn save(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let mut errors = FieldErrors::default();
    let parsed = (
        errors.check("name", BrandName::parse(&form.name)),
        errors.check("landing_url", LandingUrl::parse(&form.landing_url)),
    );
    let (Some(name), Some(landing_url)) = parsed else {
        let brand = brands::get(&state.db, actor.brand_id).await.map_err(refused)?;
        let view = SettingsPage {
            frame,
            brand: &brand,
            name: &form.name,
            landing_url: &form.landing_url,
            errors: &errors,
            saved: false,
            sections: &SECTIONS,
        };
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &view));
    };
    let update = BrandUpdate {
        name: Some(name),
        landing_url: Some(landing_url),
    };
    brands::update(&state.db, actor.brand_id, update, state.clock.now())
        .await
        .map_err(refused)?;
    Ok(see_other("/console/settings?done=saved"))
}
