//! Team seats (brand JWT, owners only): invite a teammate by e-mail with a role, see the
//! members and pending invitations, change a member's role, remove a member, revoke an
//! invitation. And the public door in: accepting an invitation with the e-mailed token
//! and a password signs the new member in, like a brand sign-up.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::client_ip::ClientIp;
use super::extract::{BrandUser, Json};
use super::responses::{BrandResponse, TokenResponse};
use super::validate::Validator;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::{Email, Password};
use crate::service::team::{self, Invite, Join, JoinError, MAX_SEATS, Member, TeamError, TeamInvitation, parse_role};
use crate::store::ids::{BrandUserId, BrandUserInvitationId};
use crate::store::users::BrandRole;

impl From<TeamError> for ApiError {
    fn from(err: TeamError) -> Self {
        match err {
            TeamError::Forbidden(err) => err.into(),
            TeamError::MailNotConfigured => ApiError::conflict(
                ErrorCode::MailNotConfigured,
                "Invitations to the team are sent by e-mail, and this server has no mail set up (REFTRACK_SMTP_URL).",
            ),
            TeamError::EmailTaken => ApiError::conflict(
                ErrorCode::EmailTaken,
                "This e-mail already belongs to a brand account; one e-mail is one brand account.",
            ),
            TeamError::InvitationPending => ApiError::conflict(
                ErrorCode::InvitationPending,
                "This e-mail has a pending invitation to the team; revoke it first to send another.",
            ),
            TeamError::TooManySeats => ApiError::unprocessable(
                ErrorCode::TooManyTeamMembers,
                format!("A brand can have at most {MAX_SEATS} members and pending invitations together."),
            ),
            TeamError::MemberNotFound => ApiError::not_found(ErrorCode::TeamMemberNotFound, "No such team member."),
            TeamError::InvitationNotFound => {
                ApiError::not_found(ErrorCode::InvitationNotFound, "No such pending invitation.")
            }
            TeamError::InvitationAccepted => ApiError::conflict(
                ErrorCode::InvitationAlreadyAccepted,
                "This invitation was accepted; remove the member instead.",
            ),
            TeamError::LastOwner => ApiError::conflict(
                ErrorCode::LastOwner,
                "The brand must keep at least one owner; make another member an owner first.",
            ),
            TeamError::Store(err) => err.into(),
        }
    }
}

impl From<JoinError> for ApiError {
    fn from(err: JoinError) -> Self {
        let gone = |code, detail| ApiError::new(StatusCode::GONE, code, detail);
        match err {
            JoinError::UnknownToken => {
                ApiError::not_found(ErrorCode::InvitationNotFound, "No invitation has this token.")
            }
            JoinError::Used => gone(ErrorCode::InvitationUsed, "This invitation was already accepted."),
            JoinError::Revoked => gone(
                ErrorCode::InvitationRevoked,
                "This invitation was revoked; ask the brand's owner for a new one.",
            ),
            JoinError::Expired => gone(
                ErrorCode::InvitationExpired,
                "This invitation has expired; ask the brand's owner for a new one.",
            ),
            JoinError::EmailTaken => ApiError::conflict(
                ErrorCode::EmailTaken,
                "This e-mail already belongs to a brand account; one e-mail is one brand account.",
            ),
            JoinError::Hash(err) => ApiError::internal(err),
            JoinError::Token(err) => ApiError::internal(err),
            JoinError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MemberResponse {
    pub id: BrandUserId,
    pub email: String,
    pub role: BrandRole,
    pub created_at: DateTime<Utc>,
}

impl From<Member> for MemberResponse {
    fn from(member: Member) -> Self {
        Self {
            id: member.id,
            email: member.email,
            role: member.role,
            created_at: member.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TeamInvitationResponse {
    pub id: BrandUserInvitationId,
    pub email: String,
    pub role: BrandRole,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<TeamInvitation> for TeamInvitationResponse {
    fn from(invitation: TeamInvitation) -> Self {
        Self {
            id: invitation.id,
            email: invitation.email,
            role: invitation.role,
            status: invitation.status.as_str(),
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
        }
    }
}

/// The members (`items`, one page always) and, beside them, the pending invitations.
#[derive(Debug, Serialize)]
pub struct TeamResponse {
    pub items: Vec<MemberResponse>,
    pub invitations: Vec<TeamInvitationResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteTeamMemberRequest {
    pub email: String,
    pub role: String,
}

/// `POST /v1/brand/users`: invites a teammate; the token goes out by e-mail only.
pub async fn invite_team_member(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<InviteTeamMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let parsed = (
        v.check("email", Email::parse(&body.email)),
        v.check("role", parse_role(&body.role)),
    );
    let (Some(email), Some(role)) = parsed else {
        return Err(v.into_error());
    };
    let invite = Invite { email, role };
    let invited = team::invite(&state.db, &state.postbox, &user.actor, invite, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(TeamInvitationResponse::from(invited)))
}

/// `GET /v1/brand/users`: the members and the pending invitations.
pub async fn list_team_members(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let found = team::team(&state.db, &user.actor, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(TeamResponse {
        items: found.members.into_iter().map(MemberResponse::from).collect(),
        invitations: found
            .invitations
            .into_iter()
            .map(TeamInvitationResponse::from)
            .collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeamMemberRequest {
    pub role: String,
}

/// `PATCH /v1/brand/users/{id}`: another role; the brand keeps at least one owner.
pub async fn update_team_member(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<BrandUserId>,
    Json(body): Json<UpdateTeamMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let Some(role) = v.check("role", parse_role(&body.role)) else {
        return Err(v.into_error());
    };
    let member = team::change_role(&state.db, &user.actor, id.into_inner(), role).await?;
    Ok(HttpResponse::Ok().json(MemberResponse::from(member)))
}

/// `DELETE /v1/brand/users/{id}`: removes the member and ends their sessions at once.
pub async fn remove_team_member(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<BrandUserId>,
) -> Result<HttpResponse, ApiError> {
    team::remove(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1/brand/users/invitations/{id}`: the invitation's token no longer joins.
pub async fn revoke_team_invitation(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<BrandUserInvitationId>,
) -> Result<HttpResponse, ApiError> {
    team::revoke_invitation(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptTeamInvitationRequest {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct JoinedResponse {
    pub brand: BrandResponse,
    pub user: MemberResponse,
    #[serde(flatten)]
    pub tokens: TokenResponse,
}

/// `POST /v1/brand/users/accept` (public): joins the team with the e-mailed token and a
/// password, and signs the new member in.
pub async fn accept_team_invitation(
    state: web::Data<AppState>,
    client: ClientIp,
    Json(body): Json<AcceptTeamInvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    // The budget of a reset confirmation: a token from an e-mail and a new password.
    state.reset_limits.check_address(client)?;
    let mut v = Validator::default();
    let Some(password) = v.check("password", Password::parse(&body.password)) else {
        return Err(v.into_error());
    };
    let join = Join {
        token: body.token,
        password,
    };
    let joined = team::accept(&state.db, &state.jwt, join, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(JoinedResponse {
        brand: joined.brand.into(),
        user: joined.member.into(),
        tokens: joined.tokens.into(),
    }))
}
