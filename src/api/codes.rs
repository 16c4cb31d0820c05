//! Referral codes of an ambassador: vanity or generated, case-insensitive, unique per
//! brand, at most ten active per ambassador.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::extract::{BrandUser, Json};
use super::pagination::Page;
use super::validate::{Validator, nullable};
use super::{ApiError, db};
use crate::api::AppState;
use crate::domain::codes;
use crate::service::codes::{self as code_service, CodeSpec, IssueError, MAX_ACTIVE_CODES};
use crate::store::codes::{self as store_codes, CodeChanges, CodeRow};
use crate::store::ids::{CodeId, MembershipId};
use crate::store::memberships::{self, MembershipStatus};
use crate::store::{brands, time};

#[derive(Debug, Serialize)]
pub struct CodeResponse {
    pub id: CodeId,
    pub code: String,
    pub membership_id: MembershipId,
    pub active: bool,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub expires_at: Option<DateTime<Utc>>,
    /// `{REFTRACK_PUBLIC_URL}/r/{brand_slug}/{code}`
    pub referral_link: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn referral_link(public_url: &str, slug: &str, code: &str) -> String {
    format!("{public_url}/r/{slug}/{code}")
}

pub fn code_response(public_url: &str, slug: &str, row: CodeRow) -> CodeResponse {
    CodeResponse {
        referral_link: referral_link(public_url, slug, &row.code),
        id: row.id,
        code: row.code,
        membership_id: row.membership_id,
        active: row.active,
        max_uses: row.max_uses,
        uses: row.uses,
        expires_at: row.expires_at.map(time::from_db),
        created_at: time::from_db(row.created_at),
        updated_at: time::from_db(row.updated_at),
    }
}

fn ambassador_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::AmbassadorNotFound, "No such ambassador.")
}

fn too_many_codes() -> ApiError {
    ApiError::unprocessable(
        ErrorCode::TooManyCodes,
        format!("An ambassador can have at most {MAX_ACTIVE_CODES} active codes; deactivate one first."),
    )
}

fn code_taken() -> ApiError {
    ApiError::conflict(
        ErrorCode::CodeTaken,
        "This code is already used in this brand (codes ignore case).",
    )
}

fn parse_max_uses(value: i64) -> Result<i64, String> {
    if value >= 1 {
        Ok(value)
    } else {
        Err("must be at least 1".into())
    }
}

fn parse_expiry(value: DateTime<Utc>, now: DateTime<Utc>) -> Result<chrono::NaiveDateTime, String> {
    if value > now {
        Ok(time::to_db(value))
    } else {
        Err("must be in the future".into())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCodeRequest {
    /// A vanity code; absent means "generate one".
    pub code: Option<String>,
    pub max_uses: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /v1/brand/ambassadors/{id}/codes`
pub async fn create_code(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
    Json(body): Json<CreateCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let membership_id = id.into_inner();
    let now = state.clock.now();
    let mut v = Validator::default();
    let vanity = v.check_opt("code", body.code.as_deref().map(codes::parse_vanity));
    let max_uses = v.check_opt("max_uses", body.max_uses.map(parse_max_uses));
    let expires_at = v.check_opt("expires_at", body.expires_at.map(|at| parse_expiry(at, now)));
    let (Some(vanity), Some(max_uses), Some(expires_at)) = (vanity, max_uses, expires_at) else {
        return Err(v.into_error());
    };
    let public_url = state.public_url.clone();
    let response = db::write(&state.db, move |conn| {
        let ambassador =
            memberships::find_ambassador(conn, user.brand_id, membership_id)?.ok_or_else(ambassador_not_found)?;
        if ambassador.membership.status == MembershipStatus::Ended {
            return Err(ApiError::conflict(
                ErrorCode::MembershipEnded,
                "The ambassador's membership has ended.",
            ));
        }
        if !code_service::has_room_for_active_code(conn, membership_id)? {
            return Err(too_many_codes());
        }
        let spec = CodeSpec {
            brand_id: user.brand_id,
            membership_id,
            max_uses,
            expires_at,
            now: time::to_db(now),
        };
        let issued = match &vanity {
            Some(code) => code_service::issue_vanity(conn, &spec, code),
            None => code_service::issue_generated(conn, &spec, &ambassador.display_name),
        };
        let row = issued.map_err(|err| match err {
            IssueError::Taken => code_taken(),
            other => ApiError::internal(other),
        })?;
        let brand = brands::find(conn, user.brand_id)?.ok_or_else(ambassador_not_found)?;
        Ok(code_response(&public_url, &brand.slug, row))
    })
    .await?;
    Ok(HttpResponse::Created().json(response))
}

/// `GET /v1/brand/ambassadors/{id}/codes`: all of the ambassador's codes, oldest first.
pub async fn list_codes(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
) -> Result<HttpResponse, ApiError> {
    let membership_id = id.into_inner();
    let public_url = state.public_url.clone();
    let items = db::read(&state.db, move |conn| {
        memberships::find_ambassador(conn, user.brand_id, membership_id)?.ok_or_else(ambassador_not_found)?;
        let brand = brands::find(conn, user.brand_id)?.ok_or_else(ambassador_not_found)?;
        let rows = store_codes::list_for_membership(conn, membership_id)?;
        Ok(rows
            .into_iter()
            .map(|row| code_response(&public_url, &brand.slug, row))
            .collect())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::<CodeResponse> {
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCodeRequest {
    pub active: Option<bool>,
    /// `null` removes the limit.
    #[serde(default, deserialize_with = "nullable")]
    pub max_uses: Option<Option<i64>>,
    /// `null` removes the expiry.
    #[serde(default, deserialize_with = "nullable")]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

/// `PATCH /v1/brand/codes/{id}`: deactivate or reactivate, change limits. The code
/// text itself never changes: it is printed on posts and packaging.
pub async fn update_code(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<CodeId>,
    Json(body): Json<UpdateCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let code_id = id.into_inner();
    let now = state.clock.now();
    let mut v = Validator::default();
    let max_uses = match body.max_uses {
        Some(Some(n)) => v.check("max_uses", parse_max_uses(n)).map(|n| Some(Some(n))),
        other => Some(other),
    };
    let expires_at = match body.expires_at {
        Some(Some(at)) => v.check("expires_at", parse_expiry(at, now)).map(|at| Some(Some(at))),
        Some(None) => Some(Some(None)),
        None => Some(None),
    };
    let (Some(max_uses), Some(expires_at)) = (max_uses, expires_at) else {
        return Err(v.into_error());
    };
    let public_url = state.public_url.clone();
    let response = db::write(&state.db, move |conn| {
        let owned = store_codes::find_with_owner_by_id(conn, user.brand_id, code_id)?
            .ok_or_else(|| ApiError::not_found(ErrorCode::CodeNotFound, "No such code."))?;
        if body.active == Some(true) && !owned.code.active {
            if owned.membership.status == MembershipStatus::Ended {
                return Err(ApiError::conflict(
                    ErrorCode::MembershipEnded,
                    "The ambassador's membership has ended.",
                ));
            }
            if !code_service::has_room_for_active_code(conn, owned.membership.id)? {
                return Err(too_many_codes());
            }
        }
        let changes = CodeChanges {
            active: body.active,
            max_uses,
            expires_at,
            updated_at: Some(time::to_db(now)),
        };
        store_codes::update(conn, code_id, &changes)?;
        let row = store_codes::find(conn, user.brand_id, code_id)?
            .ok_or_else(|| ApiError::not_found(ErrorCode::CodeNotFound, "No such code."))?;
        let brand = brands::find(conn, user.brand_id)?.ok_or_else(ambassador_not_found)?;
        Ok(code_response(&public_url, &brand.slug, row))
    })
    .await?;
    Ok(HttpResponse::Ok().json(response))
}
