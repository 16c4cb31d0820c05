//! Programs and their versioned terms, over HTTP: parse the body into a command, call
//! [`crate::service::programs`], render the program (or the preview of draft terms).
//! The rules live in the service.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::checkout::{LineRequest, parse_cart};
use super::extract::{BrandUser, Json};
use super::pagination::{Page, PageQuery};
use super::validate::nullable;
use super::{ApiError, ErrorCode, FieldError};
use crate::api::AppState;
use crate::domain::money::bounded_amount;
use crate::domain::terms::{CommissionInput, DiscountInput, FraudInput, RewardInput, TermsInput};
use crate::domain::{BrandName, Currency};
use crate::service::programs::{
    self, CreateProgram, PreviewProgram, Program, ProgramError, ProgramPreview, ProgramVersion, UpdateProgram,
};
use crate::store::ids::ProgramId;

#[derive(Debug, Serialize)]
pub struct ProgramResponse {
    pub id: ProgramId,
    pub name: String,
    pub currency: String,
    pub terms_version: i32,
    pub terms: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Program> for ProgramResponse {
    fn from(program: Program) -> Self {
        Self {
            id: program.id,
            name: program.name,
            currency: program.currency,
            terms_version: program.terms_version,
            terms: program.terms,
            created_at: program.created_at,
            updated_at: program.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ProgramVersionResponse {
    pub version: i32,
    pub currency: String,
    pub terms: Value,
    pub created_at: DateTime<Utc>,
}

impl From<ProgramVersion> for ProgramVersionResponse {
    fn from(version: ProgramVersion) -> Self {
        Self {
            version: version.version,
            currency: version.currency,
            terms: version.terms,
            created_at: version.created_at,
        }
    }
}

/// The body of create and update: a name, a currency and the terms fields, flat.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramRequest {
    pub name: Option<String>,
    pub currency: Option<String>,
    pub commission: Option<CommissionInput>,
    #[serde(default, deserialize_with = "nullable")]
    pub customer_discount: Option<Option<DiscountInput>>,
    pub hold_days: Option<i64>,
    pub rewards: Option<Vec<RewardInput>>,
    pub min_payout: Option<i64>,
    pub attribution: Option<String>,
    pub click_window_days: Option<i64>,
    pub customer_binding_days: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::terms::fraud::object_or_null")]
    pub fraud_review: Option<FraudInput>,
    #[serde(default, deserialize_with = "nullable")]
    pub override_rate: Option<Option<String>>,
}

impl ProgramRequest {
    fn split(self) -> (Option<String>, Option<String>, TermsInput) {
        let terms = TermsInput {
            commission: self.commission,
            customer_discount: self.customer_discount,
            hold_days: self.hold_days,
            rewards: self.rewards,
            min_payout: self.min_payout,
            attribution: self.attribution,
            click_window_days: self.click_window_days,
            customer_binding_days: self.customer_binding_days,
            fraud_review: self.fraud_review,
            override_rate: self.override_rate,
        };
        (self.name, self.currency, terms)
    }
}

impl From<ProgramError> for ApiError {
    fn from(err: ProgramError) -> Self {
        match err {
            ProgramError::NotFound => ApiError::not_found(ErrorCode::ProgramNotFound, "No such program."),
            ProgramError::BrandGone => ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists."),
            ProgramError::Invalid(found) => ApiError::validation(terms_errors(found)),
            ProgramError::CurrencyLocked => ApiError::conflict(
                ErrorCode::CurrencyLocked,
                "The program already has orders; its currency cannot change. Create a new program instead.",
            ),
            ProgramError::ChangedConcurrently => ApiError::conflict(
                ErrorCode::Conflict,
                "The program was changed at the same moment; retry.",
            ),
            ProgramError::Encode(err) => ApiError::internal(err),
            ProgramError::Store(err) => err.into(),
        }
    }
}

/// A use case's `(path, message)` field errors as the API answers them.
pub(crate) fn terms_errors(errors: Vec<(String, String)>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|(field, message)| FieldError::new(field, message))
        .collect()
}

/// `POST /v1/brand/programs`. The currency defaults to the brand's.
pub async fn create_program(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<ProgramRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, currency, terms) = body.split();
    let mut errors = Vec::new();
    let name = match name.as_deref().map(BrandName::parse) {
        Some(Ok(name)) => Some(name),
        Some(Err(message)) => {
            errors.push(FieldError::new("name", message));
            None
        }
        None => {
            errors.push(FieldError::new("name", "is required"));
            None
        }
    };
    let currency = match currency.as_deref().map(Currency::parse) {
        Some(Ok(currency)) => Some(Some(currency)),
        Some(Err(message)) => {
            errors.push(FieldError::new("currency", message));
            None
        }
        None => Some(None),
    };
    let terms = match terms.validate() {
        Ok(terms) => Some(terms),
        Err(found) => {
            errors.extend(terms_errors(found));
            None
        }
    };
    let (Some(name), Some(currency), Some(terms)) = (name, currency, terms) else {
        return Err(ApiError::validation(errors));
    };
    let command = CreateProgram {
        brand_id: user.brand_id,
        name,
        currency,
        terms,
        now: state.clock.now(),
    };
    let program = programs::create(&state.db, command).await?;
    Ok(HttpResponse::Created().json(ProgramResponse::from(program)))
}

/// `GET /v1/brand/programs`
pub async fn list_programs(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<ProgramId>()?;
    let programs = programs::list(&state.db, user.brand_id, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        programs,
        limit,
        |p| p.id.to_string(),
        ProgramResponse::from,
    )))
}

/// `GET /v1/brand/programs/{id}`
pub async fn get_program(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProgramId>,
) -> Result<HttpResponse, ApiError> {
    let program = programs::get(&state.db, user.brand_id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ProgramResponse::from(program)))
}

/// `GET /v1/brand/programs/{id}/versions`: every terms version, oldest first.
pub async fn list_program_versions(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProgramId>,
) -> Result<HttpResponse, ApiError> {
    let versions = programs::versions(&state.db, user.brand_id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Page {
        items: versions.into_iter().map(ProgramVersionResponse::from).collect(),
        next_cursor: None,
    }))
}

/// `PATCH /v1/brand/programs/{id}`: top-level terms fields given replace the current
/// ones; a change of terms or currency makes a new version.
pub async fn update_program(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProgramId>,
    Json(body): Json<ProgramRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, currency, patch) = body.split();
    let mut errors = Vec::new();
    let name = match name.as_deref().map(BrandName::parse).transpose() {
        Ok(name) => name,
        Err(message) => {
            errors.push(FieldError::new("name", message));
            None
        }
    };
    let currency = match currency.as_deref().map(Currency::parse).transpose() {
        Ok(currency) => currency,
        Err(message) => {
            errors.push(FieldError::new("currency", message));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let command = UpdateProgram {
        brand_id: user.brand_id,
        id: id.into_inner(),
        name,
        currency,
        patch,
        now: state.clock.now(),
    };
    let program = programs::update(&state.db, command).await?;
    Ok(HttpResponse::Ok().json(ProgramResponse::from(program)))
}

/// The example cart of a preview.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewCartRequest {
    pub lines: Vec<LineRequest>,
    pub shipping_total: Option<i64>,
}

/// The body of `POST /v1/brand/programs/preview`: `terms` has the shape (and the rules)
/// of the terms fields of the create body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    pub terms: TermsInput,
    /// The program's currency; the brand's when absent.
    pub currency: Option<String>,
    pub cart: PreviewCartRequest,
    /// The ambassador's attributed net sales this month before the order (minor
    /// units), for volume tiers; 0 when absent.
    pub month_to_date_net: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct PreviewLineView {
    pub sku: String,
    pub rate: Option<String>,
    pub commission: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct PreviewTierView {
    pub from_amount: i64,
    pub rate: String,
}

#[derive(Debug, Serialize)]
pub struct PreviewResponse {
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub net_amount: i64,
    pub shipping_total: i64,
    pub total: i64,
    pub commission: i64,
    pub commission_uncapped: i64,
    pub capped: bool,
    pub rate: Option<String>,
    pub lines: Vec<PreviewLineView>,
    pub tier: Option<PreviewTierView>,
}

fn rate_text(rate: Decimal) -> String {
    rate.normalize().to_string()
}

impl From<ProgramPreview> for PreviewResponse {
    fn from(p: ProgramPreview) -> Self {
        Self {
            currency: p.currency.code().to_owned(),
            subtotal: p.subtotal,
            discount_total: p.discount_total,
            net_amount: p.net_amount,
            shipping_total: p.shipping_total,
            total: p.total,
            commission: p.commission,
            commission_uncapped: p.commission_uncapped,
            capped: p.capped,
            rate: p.rate.map(rate_text),
            lines: p
                .lines
                .into_iter()
                .map(|l| PreviewLineView {
                    sku: l.sku,
                    rate: l.rate.map(rate_text),
                    commission: l.commission,
                })
                .collect(),
            tier: p.tier.map(|t| PreviewTierView {
                from_amount: t.from_amount,
                rate: rate_text(t.rate),
            }),
        }
    }
}

/// `POST /v1/brand/programs/preview`: what an ambassador would earn on an example cart
/// under draft terms. Writes nothing; every invalid field is a 422 with its path in
/// this body (`terms.commission.rate`, `cart.lines[0].unit_price`).
pub async fn preview_program(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<PreviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let terms = body
        .terms
        .validate()
        .map_err(|found| {
            errors.extend(
                found
                    .into_iter()
                    .map(|(field, message)| FieldError::new(format!("terms.{field}"), message)),
            )
        })
        .ok();
    let currency = body
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|message| errors.push(FieldError::new("currency", message)))
        .ok()
        .flatten();
    let mut cart_errors = Vec::new();
    let cart = parse_cart(body.cart.lines, &mut cart_errors);
    errors.extend(
        cart_errors
            .into_iter()
            .map(|e| FieldError::new(format!("cart.{}", e.field), e.message)),
    );
    let shipping_total = body.cart.shipping_total.unwrap_or(0);
    if let Err(message) = bounded_amount(shipping_total) {
        errors.push(FieldError::new("cart.shipping_total", message));
    }
    let month_to_date_net = body.month_to_date_net.unwrap_or(0);
    if let Err(message) = bounded_amount(month_to_date_net) {
        errors.push(FieldError::new("month_to_date_net", message));
    }
    let (Some(terms), Some(cart), true) = (terms, cart, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let command = PreviewProgram {
        brand_id: user.brand_id,
        currency,
        terms,
        cart,
        shipping_total,
        month_to_date_net,
    };
    let preview = programs::preview(&state.db, command).await?;
    Ok(HttpResponse::Ok().json(PreviewResponse::from(preview)))
}
