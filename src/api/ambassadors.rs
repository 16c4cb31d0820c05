//! The brand's ambassadors (memberships): list, inspect, pause, end, move program.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::codes::{CodeResponse, code_response};
use super::extract::{BrandUser, Json};
use super::pagination::{Page, PageQuery};
use super::validate::Validator;
use super::{ApiError, db};
use crate::api::AppState;
use crate::store::ids::{InfluencerId, MembershipId, ProgramId};
use crate::store::memberships::{self, AmbassadorRow, MembershipStatus};
use crate::store::{brands, codes, programs, time};

#[derive(Debug, Serialize)]
pub struct AmbassadorResponse {
    pub id: MembershipId,
    pub influencer_id: InfluencerId,
    pub display_name: String,
    pub email: String,
    pub status: MembershipStatus,
    pub program_id: ProgramId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Present on `GET /v1/brand/ambassadors/{id}` and after a PATCH.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codes: Option<Vec<CodeResponse>>,
}

impl AmbassadorResponse {
    fn new(row: AmbassadorRow, codes: Option<Vec<CodeResponse>>) -> Self {
        Self {
            id: row.membership.id,
            influencer_id: row.membership.influencer_id,
            display_name: row.display_name,
            email: row.email,
            status: row.membership.status,
            program_id: row.membership.program_id,
            created_at: time::from_db(row.membership.created_at),
            updated_at: time::from_db(row.membership.updated_at),
            codes,
        }
    }
}

fn ambassador_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::AmbassadorNotFound, "No such ambassador.")
}

/// `GET /v1/brand/ambassadors`
pub async fn list_ambassadors(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<MembershipId>()?;
    let rows = db::read(&state.db, move |conn| {
        Ok(memberships::list_ambassadors(conn, user.brand_id, after, limit + 1)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.membership.id.to_string(),
        |r| AmbassadorResponse::new(r, None),
    )))
}

fn with_codes(
    conn: &mut crate::store::DbConn,
    user: BrandUser,
    id: MembershipId,
    public_url: &str,
) -> Result<AmbassadorResponse, ApiError> {
    let row = memberships::find_ambassador(conn, user.brand_id, id)?.ok_or_else(ambassador_not_found)?;
    let brand = brands::find(conn, user.brand_id)?.ok_or_else(ambassador_not_found)?;
    let codes = codes::list_for_membership(conn, id)?
        .into_iter()
        .map(|c| code_response(public_url, &brand.slug, c))
        .collect();
    Ok(AmbassadorResponse::new(row, Some(codes)))
}

/// `GET /v1/brand/ambassadors/{id}`
pub async fn get_ambassador(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let public_url = state.public_url.clone();
    let response = db::read(&state.db, move |conn| with_codes(conn, user, id, &public_url)).await?;
    Ok(HttpResponse::Ok().json(response))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateAmbassadorRequest {
    pub status: Option<String>,
    pub program_id: Option<String>,
}

/// `PATCH /v1/brand/ambassadors/{id}`: `status` (`active`, `paused`, `ended`; ended is
/// final) and `program_id` (another program of the same brand).
pub async fn update_ambassador(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
    Json(body): Json<UpdateAmbassadorRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut v = Validator::default();
    let status = v.check_opt(
        "status",
        body.status
            .as_deref()
            .map(|s| MembershipStatus::parse(s).ok_or_else(|| "must be one of active, paused, ended".to_owned())),
    );
    let program_id = v.check_opt(
        "program_id",
        body.program_id
            .as_deref()
            .map(|s| s.parse::<ProgramId>().map_err(|_| "must be a program id".to_owned())),
    );
    let (Some(status), Some(program_id)) = (status, program_id) else {
        return Err(v.into_error());
    };
    let now = time::to_db(state.clock.now());
    let public_url = state.public_url.clone();
    let response = db::write(&state.db, move |conn| {
        let current = memberships::find_ambassador(conn, user.brand_id, id)?.ok_or_else(ambassador_not_found)?;
        let new_status = status.unwrap_or(current.membership.status);
        let new_program = program_id.unwrap_or(current.membership.program_id);
        if current.membership.status == MembershipStatus::Ended
            && (new_status != MembershipStatus::Ended || new_program != current.membership.program_id)
        {
            return Err(ApiError::conflict(
                ErrorCode::MembershipEnded,
                "An ended membership is final: its codes and history stay, but it cannot be reopened.",
            ));
        }
        if new_program != current.membership.program_id {
            programs::find(conn, user.brand_id, new_program)?
                .ok_or_else(|| ApiError::not_found(ErrorCode::ProgramNotFound, "No such program."))?;
        }
        memberships::update(conn, id, new_status, new_program, now)?;
        with_codes(conn, user, id, &public_url)
    })
    .await?;
    Ok(HttpResponse::Ok().json(response))
}
