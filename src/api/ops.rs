//! Operator endpoints: liveness, readiness, metrics and the OpenAPI document.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::ApiError;
use crate::api::AppState;

/// The spec as shipped with this build.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    if db.is_reachable().await {
        Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
    } else {
        Err(ApiError::unavailable(anyhow::anyhow!("readiness ping failed")))
    }
}

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/yaml").body(OPENAPI_YAML)
}

/// Prometheus text exposition. Unauthenticated like `/healthz`: it carries counts by
/// route pattern and status, no tenant, credential or customer data. Operators who
/// do not want it public keep it behind their proxy (see README).
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().content_type(prometheus::TEXT_FORMAT).body(text))
}
