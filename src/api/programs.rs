//! Programs and their versioned terms.
//!
//! The terms are one validated document. Every change of terms writes a new version;
//! old versions are kept forever and every order keeps the version it was computed
//! with, so editing a program never rewrites history. Renaming is not a terms change.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ErrorCode;
use super::extract::{BrandUser, Json};
use super::pagination::{Page, PageQuery};
use super::validate::nullable;
use super::{ApiError, FieldError, db};
use crate::api::AppState;
use crate::domain::terms::{CommissionInput, DiscountInput, RewardInput, Terms, TermsInput};
use crate::domain::{BrandName, Currency};
use crate::store::ids::ProgramId;
use crate::store::programs::{self, ProgramRow, ProgramVersionRow};
use crate::store::{brands, is_unique_violation, time};

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

impl From<ProgramRow> for ProgramResponse {
    fn from(row: ProgramRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            currency: row.currency,
            terms_version: row.terms_version,
            terms: serde_json::from_str(&row.terms).unwrap_or(Value::Null),
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
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

impl From<ProgramVersionRow> for ProgramVersionResponse {
    fn from(row: ProgramVersionRow) -> Self {
        Self {
            version: row.version,
            currency: row.currency,
            terms: serde_json::from_str(&row.terms).unwrap_or(Value::Null),
            created_at: time::from_db(row.created_at),
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
        };
        (self.name, self.currency, terms)
    }
}

fn program_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::ProgramNotFound, "No such program.")
}

fn terms_errors(errors: Vec<(String, String)>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|(field, message)| FieldError::new(field, message))
        .collect()
}

fn stored(terms: &Terms) -> Result<String, ApiError> {
    serde_json::to_string(terms).map_err(ApiError::internal)
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
    let terms_json = stored(&terms)?;
    let now = time::to_db(state.clock.now());
    let row = db::write(&state.db, move |conn| {
        let currency = match currency {
            Some(currency) => currency.code().to_owned(),
            None => {
                brands::find(conn, user.brand_id)?
                    .ok_or_else(|| ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists."))?
                    .currency
            }
        };
        check_currency_rules(&terms, &currency)?;
        let row = ProgramRow {
            id: ProgramId::generate(),
            brand_id: user.brand_id,
            name: name.as_str().to_owned(),
            currency,
            terms: terms_json,
            terms_version: 1,
            created_at: now,
            updated_at: now,
        };
        programs::insert(conn, &row)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(ProgramResponse::from(row)))
}

/// `GET /v1/brand/programs`
pub async fn list_programs(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<ProgramId>()?;
    let rows = db::read(&state.db, move |conn| {
        Ok(programs::list_for_brand(conn, user.brand_id, after, limit + 1)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.id.to_string(),
        ProgramResponse::from,
    )))
}

/// `GET /v1/brand/programs/{id}`
pub async fn get_program(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProgramId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = db::read(&state.db, move |conn| {
        programs::find(conn, user.brand_id, id)?.ok_or_else(program_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProgramResponse::from(row)))
}

/// `GET /v1/brand/programs/{id}/versions`: every terms version, oldest first.
pub async fn list_program_versions(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ProgramId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rows = db::read(&state.db, move |conn| {
        programs::find(conn, user.brand_id, id)?.ok_or_else(program_not_found)?;
        Ok(programs::versions(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(ProgramVersionResponse::from).collect(),
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
    let id = id.into_inner();
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
    let now = time::to_db(state.clock.now());
    let row = db::write(&state.db, move |conn| {
        let current = programs::find(conn, user.brand_id, id)?.ok_or_else(program_not_found)?;
        let current_terms = Terms::from_stored(&current.terms).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
        let terms = current_terms
            .patched(patch)
            .map_err(|found| ApiError::validation(terms_errors(found)))?;
        if let Some(name) = &name {
            programs::rename(conn, id, name.as_str(), now)?;
        }
        let new_currency = currency.map_or_else(|| current.currency.clone(), |c| c.code().to_owned());
        check_currency_rules(&terms, &new_currency)?;
        if new_currency != current.currency && crate::store::orders::program_has_orders(conn, id)? {
            return Err(ApiError::conflict(
                ErrorCode::CurrencyLocked,
                "The program already has orders; its currency cannot change. Create a new program instead.",
            ));
        }
        if terms != current_terms || new_currency != current.currency {
            let next = ProgramRow {
                currency: new_currency,
                terms: stored(&terms)?,
                terms_version: current.terms_version + 1,
                updated_at: now,
                ..current
            };
            programs::add_version(conn, &next).map_err(|err| {
                if is_unique_violation(&err) {
                    ApiError::conflict(
                        ErrorCode::Conflict,
                        "The program was changed at the same moment; retry.",
                    )
                } else {
                    ApiError::internal(err)
                }
            })?;
        }
        programs::find(conn, user.brand_id, id)?.ok_or_else(program_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProgramResponse::from(row)))
}

/// The terms' rules that depend on the program's currency (the reward threshold's floor).
fn check_currency_rules(terms: &Terms, currency: &str) -> Result<(), ApiError> {
    let currency = Currency::parse(currency).map_err(|message| ApiError::field("currency", message))?;
    let found = terms.currency_errors(currency);
    if found.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(terms_errors(found)))
    }
}
