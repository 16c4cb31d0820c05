//! `GET`/`PUT /v1/brand/fx-rates`: the brand's exchange rate table, which converts an
//! order in one currency into a program in another when the shop sends no `fx_rate`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{BrandUser, Json};
use super::{ApiError, FieldError};
use crate::api::AppState;
use crate::service::fx_rates::{self, FxRatesError, Rate, RateInput};

impl From<FxRatesError> for ApiError {
    fn from(err: FxRatesError) -> Self {
        match err {
            FxRatesError::Forbidden(err) => err.into(),
            FxRatesError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    pub from: String,
    pub to: String,
    pub rate: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceRatesRequest {
    pub rates: Vec<RateRequest>,
}

#[derive(Debug, Serialize)]
pub struct RateResponse {
    pub from: String,
    pub to: String,
    pub rate: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct RatesResponse {
    pub rates: Vec<RateResponse>,
}

impl From<Vec<Rate>> for RatesResponse {
    fn from(rates: Vec<Rate>) -> Self {
        Self {
            rates: rates
                .into_iter()
                .map(|r| RateResponse {
                    from: r.from,
                    to: r.to,
                    rate: r.rate,
                    updated_at: r.updated_at,
                })
                .collect(),
        }
    }
}

/// `GET /v1/brand/fx-rates`
pub async fn list_fx_rates(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let rates = fx_rates::list(&state.db, user.actor.brand_id).await?;
    Ok(HttpResponse::Ok().json(RatesResponse::from(rates)))
}

/// `PUT /v1/brand/fx-rates`: the whole table; a pair left out is removed.
pub async fn replace_fx_rates(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<ReplaceRatesRequest>,
) -> Result<HttpResponse, ApiError> {
    let inputs: Vec<RateInput> = body
        .rates
        .into_iter()
        .map(|r| RateInput {
            from: r.from,
            to: r.to,
            rate: r.rate,
        })
        .collect();
    let rates = fx_rates::parse(&inputs).map_err(|errors| {
        ApiError::validation(errors.into_iter().map(|(field, m)| FieldError::new(field, m)).collect())
    })?;
    let rates = fx_rates::replace(&state.db, &user.actor, rates, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(RatesResponse::from(rates)))
}
