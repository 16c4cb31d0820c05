//! The influencer's invitation inbox over HTTP: every invitation sent to their login
//! e-mail, and accepting or declining one by its id (the rules live in
//! [`crate::service::invitations`]).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::extract::Influencer;
use super::invitations::{MembershipBrand, MembershipResponse};
use super::pagination::{Page, PageQuery};
use super::{ApiError, AppState};
use crate::service::invitations::{self, InboxItem, InvitationKey};
use crate::store::ids::{InvitationId, MembershipId, ProgramId};

/// The program an invitation is for: the brand API's program without its timestamps,
/// with the same current terms document (what accepting joins).
#[derive(Debug, Serialize)]
pub struct InvitationProgram {
    pub id: ProgramId,
    pub name: String,
    pub currency: String,
    pub terms_version: i32,
    pub terms: Value,
}

/// An invitation as its invitee sees it; never its token.
#[derive(Debug, Serialize)]
pub struct InboxInvitationResponse {
    pub id: InvitationId,
    pub brand: MembershipBrand,
    pub program: InvitationProgram,
    /// `pending`, `accepted`, `declined` or `expired`.
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    /// The membership accepting it made; `null` until then.
    pub membership_id: Option<MembershipId>,
}

impl From<InboxItem> for InboxInvitationResponse {
    fn from(item: InboxItem) -> Self {
        Self {
            id: item.id,
            brand: MembershipBrand {
                id: item.brand.id,
                name: item.brand.name,
                slug: item.brand.slug,
            },
            program: InvitationProgram {
                id: item.program.id,
                name: item.program.name,
                currency: item.program.currency,
                terms_version: item.program.terms_version,
                terms: item.program.terms,
            },
            status: item.status.as_str(),
            created_at: item.created_at,
            expires_at: item.expires_at,
            accepted_at: item.accepted_at,
            declined_at: item.declined_at,
            membership_id: item.membership_id,
        }
    }
}

/// `GET /v1/me/invitations`: newest first.
pub async fn list_my_invitations(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request::<InvitationId>()?;
    let items = invitations::inbox(&state.db, me.influencer_id, page, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(items, InboxInvitationResponse::from)))
}

/// `POST /v1/me/invitations/{id}/accept`: as accepting by token, found by id among the
/// invitations sent to the influencer. No body is read.
pub async fn accept_invitation_by_id(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<InvitationId>,
) -> Result<HttpResponse, ApiError> {
    let key = InvitationKey::Id(id.into_inner());
    let accepted = invitations::accept(&state.db, me.influencer_id, key, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(MembershipResponse::new(&state.public_url, accepted)))
}

/// `POST /v1/me/invitations/{id}/decline`: idempotent. No body is read.
pub async fn decline_invitation(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<InvitationId>,
) -> Result<HttpResponse, ApiError> {
    let item = invitations::decline(&state.db, me.influencer_id, id.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(InboxInvitationResponse::from(item)))
}
