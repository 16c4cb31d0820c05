//! Accepting an invitation: one use case for both ways of naming it, the token from the
//! e-mail (`POST /v1/me/invitations/accept`) and the id from the inbox
//! (`POST /v1/me/invitations/{id}/accept`), so both refuse the same things.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::InvitationError;
use crate::auth::secrets::sha256_hex;
use crate::domain::invitation::InvitationStatus;
use crate::service::codes as code_service;
use crate::service::events::{self, EventType};
use crate::store::ids::{BrandId, InfluencerId, InvitationId, MembershipId, ProgramId};
use crate::store::influencers::InfluencerRow;
use crate::store::invitations::{self, InvitationRow};
use crate::store::memberships::{self, MembershipRow, MembershipStatus};
use crate::store::{Db, DbConn, StoreError, brands, deals, influencers, time};

/// Which invitation the influencer accepts.
#[derive(Debug, Clone)]
pub enum InvitationKey {
    /// The secret from the invitation e-mail (or handed over by the brand). An
    /// invitation sent to another address is [`InvitationError::EmailMismatch`]: the
    /// token already proves the caller holds it.
    Token(String),
    /// An id from the influencer's inbox. Only invitations sent to the influencer's
    /// login e-mail are found; any other is [`InvitationError::NotFound`].
    Id(InvitationId),
}

/// The brand a new membership belongs to.
#[derive(Debug, Clone)]
pub struct MemberOf {
    pub id: BrandId,
    pub name: String,
    pub slug: String,
}

/// The membership an accepted invitation made.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub id: MembershipId,
    pub brand: MemberOf,
    pub program_id: ProgramId,
    pub status: MembershipStatus,
    /// The referral code issued with the membership.
    pub code: code_service::Code,
    pub created_at: DateTime<Utc>,
}

/// Accepts the invitation for the signed-in influencer: creates the membership and its
/// first code, and spends the invitation, in one transaction.
///
/// The checks, in order: the invitation is found (and addressed to the influencer),
/// it is not accepted, not declined, not expired, and the influencer is not already an
/// ambassador of the brand.
pub async fn accept(
    db: &Db,
    influencer_id: InfluencerId,
    key: InvitationKey,
    now: DateTime<Utc>,
) -> Result<Accepted, InvitationError> {
    let key = match key {
        InvitationKey::Token(token) => InvitationKey::Token(sha256_hex(&token)),
        id => id,
    };
    let now = time::to_db(now);
    db.write(move |conn| {
        let (invitation, influencer) = locate(conn, influencer_id, &key)?;
        still_open(&invitation, now)?;
        if memberships::find_for_influencer_in_brand(conn, invitation.brand_id, influencer.id)?.is_some() {
            return Err(InvitationError::AlreadyMember);
        }
        let membership = MembershipRow {
            id: MembershipId::generate(),
            brand_id: invitation.brand_id,
            program_id: invitation.program_id,
            influencer_id: influencer.id,
            status: MembershipStatus::Active,
            created_at: now,
            updated_at: now,
            recruited_by: None,
        };
        if !memberships::insert_new(conn, &membership)? {
            return Err(InvitationError::AlreadyMember);
        }
        if !invitations::accept(conn, invitation.id, membership.id, now)? {
            // Accepted or declined since it was read (a concurrent request): say which.
            let current = invitations::find_for_email(conn, invitation.id, &influencer.email)?;
            return Err(match current.and_then(|row| row.declined_at) {
                Some(_) => InvitationError::Declined,
                None => InvitationError::Used,
            });
        }
        // The deals offered with the invitation are now the ambassador's to answer.
        deals::attach_to_membership(conn, invitation.id, membership.id, now)?;
        let code =
            code_service::issue_first(conn, &membership, &influencer.display_name).map_err(InvitationError::Code)?;
        let told = events::AmbassadorJoined::new(&membership, invitation.id);
        events::emit(conn, membership.brand_id, EventType::AmbassadorJoined, &told, now)?;
        let brand = brands::find(conn, membership.brand_id)?
            .ok_or_else(|| StoreError::Corrupt(format!("membership {} of a missing brand", membership.id)))?;
        Ok(Accepted {
            id: membership.id,
            program_id: membership.program_id,
            status: membership.status,
            code: code_service::Code::new(code, brand.slug.clone()),
            created_at: time::from_db(membership.created_at),
            brand: MemberOf {
                id: brand.id,
                name: brand.name,
                slug: brand.slug,
            },
        })
    })
    .await
}

/// The invitation `key` names and the influencer accepting it, or why there is none.
/// `key` holds the token's hash, not the token.
fn locate(
    conn: &mut DbConn,
    influencer_id: InfluencerId,
    key: &InvitationKey,
) -> Result<(InvitationRow, InfluencerRow), InvitationError> {
    match key {
        InvitationKey::Token(hash) => {
            let invitation = invitations::find_by_hash(conn, hash)?.ok_or(InvitationError::UnknownToken)?;
            let influencer = account(conn, influencer_id)?;
            if influencer.email != invitation.email {
                return Err(InvitationError::EmailMismatch);
            }
            Ok((invitation, influencer))
        }
        InvitationKey::Id(id) => {
            let influencer = account(conn, influencer_id)?;
            let invitation = addressed_to(conn, &influencer, *id)?;
            Ok((invitation, influencer))
        }
    }
}

/// The signed-in influencer's account.
pub(super) fn account(conn: &mut DbConn, influencer_id: InfluencerId) -> Result<InfluencerRow, InvitationError> {
    influencers::find(conn, influencer_id)?.ok_or(InvitationError::AccountNotFound)
}

/// The invitation with this id sent to the influencer's login e-mail.
pub(super) fn addressed_to(
    conn: &mut DbConn,
    influencer: &InfluencerRow,
    id: InvitationId,
) -> Result<InvitationRow, InvitationError> {
    invitations::find_for_email(conn, id, &influencer.email)?.ok_or(InvitationError::NotFound)
}

/// Only a pending invitation can be accepted.
fn still_open(invitation: &InvitationRow, now: NaiveDateTime) -> Result<(), InvitationError> {
    match InvitationStatus::of(
        invitation.accepted_at,
        invitation.declined_at,
        invitation.expires_at,
        now,
    ) {
        InvitationStatus::Pending => Ok(()),
        InvitationStatus::Accepted => Err(InvitationError::Used),
        InvitationStatus::Declined => Err(InvitationError::Declined),
        InvitationStatus::Expired => Err(InvitationError::Expired),
    }
}
