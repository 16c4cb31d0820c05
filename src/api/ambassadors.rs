//! The brand's ambassadors (memberships) over HTTP: list, inspect, pause, end, move
//! program (the rules live in [`crate::service::ambassadors`]).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codes::CodeResponse;
use super::extract::{BrandUser, Json};
use super::pagination::{Page, PageQuery};
use super::validate::Validator;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::service::ambassadors::{self, Ambassador, AmbassadorDetail, AmbassadorError, LedgerLine, UpdateAmbassador};
use crate::store::ids::{InfluencerId, LedgerEntryId, MembershipId, ProgramId};
use crate::store::memberships::MembershipStatus;

#[derive(Debug, Serialize)]
pub struct AmbassadorResponse {
    pub id: MembershipId,
    pub influencer_id: InfluencerId,
    pub display_name: String,
    pub email: String,
    pub status: MembershipStatus,
    pub program_id: ProgramId,
    /// The ambassador whose invitation link this one joined through (two tiers);
    /// `null` for one the brand invited.
    pub recruited_by: Option<MembershipId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Present on `GET /v1/brand/ambassadors/{id}` and after a PATCH.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codes: Option<Vec<CodeResponse>>,
}

impl AmbassadorResponse {
    fn new(ambassador: Ambassador, codes: Option<Vec<CodeResponse>>) -> Self {
        Self {
            id: ambassador.id,
            influencer_id: ambassador.influencer_id,
            display_name: ambassador.display_name,
            email: ambassador.email,
            status: ambassador.status,
            program_id: ambassador.program_id,
            recruited_by: ambassador.recruited_by,
            created_at: ambassador.created_at,
            updated_at: ambassador.updated_at,
            codes,
        }
    }

    fn with_codes(public_url: &str, detail: AmbassadorDetail) -> Self {
        let codes = detail
            .codes
            .into_iter()
            .map(|code| CodeResponse::new(public_url, code))
            .collect();
        Self::new(detail.ambassador, Some(codes))
    }
}

impl From<AmbassadorError> for ApiError {
    fn from(err: AmbassadorError) -> Self {
        match err {
            AmbassadorError::NotFound => ApiError::not_found(ErrorCode::AmbassadorNotFound, "No such ambassador."),
            AmbassadorError::ProgramNotFound => ApiError::not_found(ErrorCode::ProgramNotFound, "No such program."),
            AmbassadorError::Ended => ApiError::conflict(
                ErrorCode::MembershipEnded,
                "An ended membership is final: its codes and history stay, but it cannot be reopened.",
            ),
            AmbassadorError::Store(err) => err.into(),
        }
    }
}

/// `GET /v1/brand/ambassadors`
pub async fn list_ambassadors(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<MembershipId>()?;
    let ambassadors = ambassadors::list(&state.db, user.brand_id, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        ambassadors,
        limit,
        |a| a.id.to_string(),
        |a| AmbassadorResponse::new(a, None),
    )))
}

/// `GET /v1/brand/ambassadors/{id}`
pub async fn get_ambassador(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
) -> Result<HttpResponse, ApiError> {
    let detail = ambassadors::get(&state.db, user.brand_id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AmbassadorResponse::with_codes(&state.public_url, detail)))
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
    let command = UpdateAmbassador {
        brand_id: user.brand_id,
        id: id.into_inner(),
        status,
        program_id,
        now: state.clock.now(),
    };
    let detail = ambassadors::update(&state.db, command).await?;
    Ok(HttpResponse::Ok().json(AmbassadorResponse::with_codes(&state.public_url, detail)))
}

/// One entry of an ambassador's ledger, as their brand sees it.
#[derive(Debug, Serialize)]
pub struct LedgerLineResponse {
    pub id: String,
    /// `commission`, `reversal`, `adjustment`, `bonus`, …
    pub kind: &'static str,
    pub amount: i64,
    pub currency: String,
    /// `pending`, `approved` (payable) or `paid`.
    pub status: &'static str,
    pub available_at: DateTime<Utc>,
    /// Our id of the order the entry belongs to, and the shop's.
    pub order_id: Option<String>,
    pub shop_order_id: Option<String>,
    /// Why, for an entry a brand user made.
    pub reason: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<LedgerLine> for LedgerLineResponse {
    fn from(line: LedgerLine) -> Self {
        let (order_id, shop_order_id) = line
            .order
            .map_or((None, None), |(id, shop)| (Some(id.to_string()), Some(shop)));
        Self {
            id: line.id.to_string(),
            kind: line.kind.as_str(),
            amount: line.amount,
            currency: line.currency,
            status: line.status.as_str(),
            available_at: line.available_at,
            order_id,
            shop_order_id,
            reason: line.reason,
            created_by: line.created_by.map(|u| u.to_string()),
            created_at: line.created_at,
        }
    }
}

/// `GET /v1/brand/ambassadors/{id}/entries`: the ambassador's ledger, newest first.
pub async fn list_ambassador_entries(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request::<LedgerEntryId>()?;
    let entries = ambassadors::entries(&state.db, user.brand_id, id.into_inner(), page).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(entries, LedgerLineResponse::from)))
}
