//! `POST /v1/me/recruiters/join`: the signed-in influencer joins a brand's program
//! through an ambassador's invitation link (two tiers, [`crate::service::recruits`]).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::extract::{Influencer, Json};
use super::invitations::MembershipResponse;
use super::{ApiError, AppState, ErrorCode};
use crate::service::recruits::{self, RecruitError};

impl From<RecruitError> for ApiError {
    fn from(err: RecruitError) -> Self {
        match err {
            RecruitError::LinkNotFound => ApiError::not_found(
                ErrorCode::RecruitLinkNotFound,
                "This invitation link invites nobody: no such brand or code, its ambassador is not active, or the program pays recruiters nothing.",
            ),
            RecruitError::AlreadyMember => {
                ApiError::conflict(ErrorCode::AlreadyMember, "You are already an ambassador of this brand.")
            }
            RecruitError::AccountNotFound => {
                ApiError::not_found(ErrorCode::AccountNotFound, "The account no longer exists.")
            }
            RecruitError::Code(err) => ApiError::internal(err),
            RecruitError::Store(err) => err.into(),
        }
    }
}

/// The invitation link's two parts: `/join/{brand_slug}/{code}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub brand_slug: String,
    pub code: String,
}

/// `POST /v1/me/recruiters/join`: creates the membership (naming the recruiter) and its
/// first code.
pub async fn join_recruiter(
    state: web::Data<AppState>,
    me: Influencer,
    Json(body): Json<JoinRequest>,
) -> Result<HttpResponse, ApiError> {
    let accepted = recruits::join(
        &state.db,
        me.influencer_id,
        body.brand_slug,
        body.code,
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(MembershipResponse::new(&state.public_url, accepted)))
}
