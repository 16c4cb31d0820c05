//! Invitations: a brand invites an e-mail address into one of its programs; the
//! influencer with that login e-mail accepts and becomes an ambassador.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::codes::{CodeResponse, code_response};
use super::extract::{BrandUser, Influencer, Json};
use super::validate::Validator;
use super::{ApiError, db};
use crate::api::AppState;
use crate::auth::secrets::{random_token, sha256_hex};
use crate::domain::Email;
use crate::service::codes::{self as code_service, CodeSpec};
use crate::store::ids::{BrandId, InvitationId, MembershipId, ProgramId};
use crate::store::invitations::{self, InvitationRow};
use crate::store::memberships::{self, MembershipRow, MembershipStatus};
use crate::store::{brands, influencers, is_unique_violation, programs, time};

pub const INVITATION_TTL_DAYS: i64 = 14;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    pub email: String,
    pub program_id: String,
}

#[derive(Debug, Serialize)]
pub struct InvitationResponse {
    pub id: InvitationId,
    pub email: String,
    pub program_id: ProgramId,
    /// The secret to hand to the influencer; shown once, stored hashed.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

fn program_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::ProgramNotFound, "No such program.")
}

/// `POST /v1/brand/invitations`
pub async fn create_invitation(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<CreateInvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let email = v.check("email", Email::parse(&body.email));
    let program_id = v.check(
        "program_id",
        body.program_id
            .parse::<ProgramId>()
            .map_err(|_| "must be a program id".to_owned()),
    );
    let (Some(email), Some(program_id)) = (email, program_id) else {
        return Err(v.into_error());
    };
    let token = random_token();
    let hash = sha256_hex(&token);
    let now = state.clock.now();
    let expires = now + Duration::days(INVITATION_TTL_DAYS);
    let row = db::write(&state.db, move |conn| {
        programs::find(conn, user.brand_id, program_id)?.ok_or_else(program_not_found)?;
        if let Some(existing) = influencers::find_by_email(conn, email.as_str())?
            && memberships::find_for_influencer_in_brand(conn, user.brand_id, existing.id)?.is_some()
        {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyMember,
                "This influencer is (or was) an ambassador of the brand; change the membership with PATCH /v1/brand/ambassadors/{id}.",
            ));
        }
        let row = InvitationRow {
            id: InvitationId::generate(),
            brand_id: user.brand_id,
            program_id,
            email: email.as_str().to_owned(),
            token_hash: hash,
            created_at: time::to_db(now),
            expires_at: time::to_db(expires),
            accepted_at: None,
            membership_id: None,
        };
        invitations::insert(conn, &row)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(InvitationResponse {
        id: row.id,
        email: row.email,
        program_id: row.program_id,
        token,
        expires_at: expires,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    pub token: String,
}

#[derive(Debug, Serialize)]
pub struct MembershipBrand {
    pub id: BrandId,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Serialize)]
pub struct MembershipResponse {
    pub id: MembershipId,
    pub brand: MembershipBrand,
    pub program_id: ProgramId,
    pub status: MembershipStatus,
    pub codes: Vec<CodeResponse>,
    pub created_at: DateTime<Utc>,
}

/// `POST /v1/me/invitations/accept`: creates the membership and its first code.
pub async fn accept_invitation(
    state: web::Data<AppState>,
    me: Influencer,
    Json(body): Json<AcceptInvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = sha256_hex(&body.token);
    let now = time::to_db(state.clock.now());
    let public_url = state.public_url.clone();
    let response = db::write(&state.db, move |conn| {
        let invitation = invitations::find_by_hash(conn, &hash)?
            .ok_or_else(|| ApiError::not_found(ErrorCode::InvitationNotFound, "No invitation has this token."))?;
        let influencer = influencers::find(conn, me.influencer_id)?
            .ok_or_else(|| ApiError::not_found(ErrorCode::AccountNotFound, "The account no longer exists."))?;
        if influencer.email != invitation.email {
            return Err(ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                ErrorCode::InvitationEmailMismatch,
                "This invitation was sent to another e-mail address.",
            ));
        }
        if invitation.accepted_at.is_some() {
            return Err(ApiError::new(
                actix_web::http::StatusCode::GONE,
                ErrorCode::InvitationUsed,
                "This invitation was already accepted.",
            ));
        }
        if invitation.expires_at <= now {
            return Err(ApiError::new(
                actix_web::http::StatusCode::GONE,
                ErrorCode::InvitationExpired,
                "This invitation has expired; ask the brand for a new one.",
            ));
        }
        if memberships::find_for_influencer_in_brand(conn, invitation.brand_id, influencer.id)?.is_some() {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyMember,
                "You are already an ambassador of this brand.",
            ));
        }
        let membership = MembershipRow {
            id: MembershipId::generate(),
            brand_id: invitation.brand_id,
            program_id: invitation.program_id,
            influencer_id: influencer.id,
            status: MembershipStatus::Active,
            created_at: now,
            updated_at: now,
        };
        memberships::insert(conn, &membership).map_err(|err| {
            if is_unique_violation(&err) {
                ApiError::conflict(ErrorCode::AlreadyMember, "You are already an ambassador of this brand.")
            } else {
                ApiError::internal(err)
            }
        })?;
        if !invitations::accept(conn, invitation.id, membership.id, now)? {
            return Err(ApiError::new(
                actix_web::http::StatusCode::GONE,
                ErrorCode::InvitationUsed,
                "This invitation was already accepted.",
            ));
        }
        let spec = CodeSpec {
            brand_id: membership.brand_id,
            membership_id: membership.id,
            max_uses: None,
            expires_at: None,
            now,
        };
        let code = code_service::issue_generated(conn, &spec, &influencer.display_name).map_err(ApiError::internal)?;
        let brand = brands::find(conn, membership.brand_id)?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("membership of a missing brand")))?;
        Ok(MembershipResponse {
            id: membership.id,
            program_id: membership.program_id,
            status: membership.status,
            codes: vec![code_response(&public_url, &brand.slug, code)],
            created_at: time::from_db(membership.created_at),
            brand: MembershipBrand {
                id: brand.id,
                name: brand.name,
                slug: brand.slug,
            },
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(response))
}
