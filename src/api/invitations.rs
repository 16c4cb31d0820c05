//! Invitations: a brand invites an e-mail address into one of its programs; the
//! influencer with that login e-mail accepts and becomes an ambassador.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codes::CodeResponse;
use super::extract::{BrandUser, Influencer, Json};
use super::validate::Validator;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::Email;
use crate::service::invitations::{self, Accepted, InvitationError, InvitationKey, Invite};
use crate::store::ids::{BrandId, InvitationId, MembershipId, ProgramId};
use crate::store::memberships::MembershipStatus;

impl From<InvitationError> for ApiError {
    fn from(err: InvitationError) -> Self {
        let gone = |code, detail| ApiError::new(StatusCode::GONE, code, detail);
        match err {
            InvitationError::ProgramNotFound => ApiError::not_found(ErrorCode::ProgramNotFound, "No such program."),
            InvitationError::InviteeIsMember => ApiError::conflict(
                ErrorCode::AlreadyMember,
                "This influencer is (or was) an ambassador of the brand; change the membership with PATCH /v1/brand/ambassadors/{id}.",
            ),
            InvitationError::UnknownToken => {
                ApiError::not_found(ErrorCode::InvitationNotFound, "No invitation has this token.")
            }
            InvitationError::NotFound => ApiError::not_found(ErrorCode::InvitationNotFound, "No such invitation."),
            InvitationError::AccountNotFound => {
                ApiError::not_found(ErrorCode::AccountNotFound, "The account no longer exists.")
            }
            InvitationError::EmailMismatch => ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::InvitationEmailMismatch,
                "This invitation was sent to another e-mail address.",
            ),
            InvitationError::Used => gone(ErrorCode::InvitationUsed, "This invitation was already accepted."),
            InvitationError::Declined => gone(
                ErrorCode::InvitationDeclined,
                "This invitation was declined; ask the brand for a new one.",
            ),
            InvitationError::Expired => gone(
                ErrorCode::InvitationExpired,
                "This invitation has expired; ask the brand for a new one.",
            ),
            InvitationError::AlreadyAccepted => ApiError::conflict(
                ErrorCode::InvitationAlreadyAccepted,
                "This invitation was accepted; it cannot be declined.",
            ),
            InvitationError::AlreadyExpired => ApiError::conflict(
                ErrorCode::InvitationAlreadyExpired,
                "This invitation has expired; there is nothing to decline.",
            ),
            InvitationError::AlreadyMember => {
                ApiError::conflict(ErrorCode::AlreadyMember, "You are already an ambassador of this brand.")
            }
            InvitationError::Code(err) => ApiError::internal(err),
            InvitationError::Store(err) => err.into(),
        }
    }
}

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
    let invite = Invite { email, program_id };
    let invited = invitations::create(&state.db, &state.postbox, user.brand_id, invite, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(InvitationResponse {
        id: invited.id,
        email: invited.email,
        program_id: invited.program_id,
        token: invited.token,
        expires_at: invited.expires_at,
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

impl MembershipResponse {
    pub fn new(public_url: &str, accepted: Accepted) -> Self {
        let code = CodeResponse::new(public_url, accepted.code);
        Self {
            id: accepted.id,
            program_id: accepted.program_id,
            status: accepted.status,
            codes: vec![code],
            created_at: accepted.created_at,
            brand: MembershipBrand {
                id: accepted.brand.id,
                name: accepted.brand.name,
                slug: accepted.brand.slug,
            },
        }
    }
}

/// `POST /v1/me/invitations/accept`: creates the membership and its first code.
pub async fn accept_invitation(
    state: web::Data<AppState>,
    me: Influencer,
    Json(body): Json<AcceptInvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = InvitationKey::Token(body.token);
    let accepted = invitations::accept(&state.db, me.influencer_id, key, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(MembershipResponse::new(&state.public_url, accepted)))
}
