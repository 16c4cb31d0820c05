//! Operator endpoints: liveness, readiness and the OpenAPI document.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::ApiError;
use crate::AppState;

/// The spec as shipped with this build.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    if web::block(move || db.ping()).await? {
        Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
    } else {
        Err(ApiError::unavailable(anyhow::anyhow!("readiness ping failed")))
    }
}

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/yaml").body(OPENAPI_YAML)
}
