//! Team seats: a brand's owners invite teammates by e-mail with a role (`owner` or
//! `staff`), see the team, change a member's role and remove members; an invitee joins
//! with the e-mailed token ([`join`]).
//!
//! Everything here but joining is for owners (checked with
//! [`BrandActor::require_owner`]). One e-mail is one brand account, so an address that
//! already belongs to any brand user cannot be invited; and a brand always keeps at least
//! one owner. Removing a member deletes the account and ends every session of it at once
//! (refresh tokens, portal sessions; access tokens stop working because every request
//! looks the user up).
//!
//! The invitation token is random, stored as SHA-256, and only ever in the e-mail: it
//! proves that the invitee reads the address that becomes their login. So inviting
//! needs mail to be configured.

mod join;

pub use join::{Join, JoinError, JoinOffer, Joined, accept, accept_on_web, offer};

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::auth::{BrandActor, ForbiddenRole};
use super::mail::{Postbox, compose};
use crate::auth::secrets::{random_token, sha256_hex};
use crate::domain::Email;
use crate::domain::invitation::TeamInvitationStatus;
use crate::store::ids::{BrandId, BrandUserId, BrandUserInvitationId};
use crate::store::mail::MailKind;
use crate::store::refresh_tokens::{self, AccountKind};
use crate::store::team::{self, TeamInvitationRow};
use crate::store::users::{self, BrandRole, BrandUserRow};
use crate::store::{Db, StoreError, UnitError, brands, password_resets, portable, time, web_sessions};

/// How long an invitation to the team can be accepted.
pub const INVITATION_TTL_DAYS: i64 = 7;
/// Most seats of one brand: members and pending invitations together. The team is read
/// in one page, so it is bounded; no real brand comes near it.
pub const MAX_SEATS: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error(transparent)]
    Forbidden(#[from] ForbiddenRole),
    /// Invitations go out by e-mail only, and no mail is configured.
    #[error("mail is not configured, so no invitation can be sent")]
    MailNotConfigured,
    /// The address already belongs to a brand user (of this brand or another).
    #[error("the e-mail already belongs to a brand account")]
    EmailTaken,
    #[error("the e-mail has a pending invitation to this brand")]
    InvitationPending,
    #[error("the brand has {MAX_SEATS} members and pending invitations already")]
    TooManySeats,
    /// No member of this brand has the id.
    #[error("no such team member")]
    MemberNotFound,
    /// No open invitation of this brand has the id (unknown, another brand's, or revoked).
    #[error("no such invitation")]
    InvitationNotFound,
    #[error("the invitation was accepted already")]
    InvitationAccepted,
    /// The change would leave the brand without an owner.
    #[error("the brand must keep at least one owner")]
    LastOwner,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for TeamError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for TeamError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A member of the brand's team.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: BrandUserId,
    pub email: String,
    pub role: BrandRole,
    pub created_at: DateTime<Utc>,
}

impl From<BrandUserRow> for Member {
    fn from(row: BrandUserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            role: row.role,
            created_at: time::from_db(row.created_at),
        }
    }
}

/// An invitation as the brand sees it (never its token).
#[derive(Debug, Clone)]
pub struct TeamInvitation {
    pub id: BrandUserInvitationId,
    pub email: String,
    pub role: BrandRole,
    pub status: TeamInvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl TeamInvitation {
    fn new(row: TeamInvitationRow, now: DateTime<Utc>) -> Self {
        let status = TeamInvitationStatus::of(row.accepted_at, row.revoked_at, row.expires_at, time::to_db(now));
        Self {
            id: row.id,
            email: row.email,
            role: row.role,
            status,
            created_at: time::from_db(row.created_at),
            expires_at: time::from_db(row.expires_at),
        }
    }
}

/// The brand's members, oldest first, and its pending invitations, oldest first.
#[derive(Debug, Clone)]
pub struct Team {
    pub members: Vec<Member>,
    pub invitations: Vec<TeamInvitation>,
}

pub async fn team(db: &Db, actor: &BrandActor, now: DateTime<Utc>) -> Result<Team, TeamError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let at = time::to_db(now);
    db.read(move |conn| -> Result<_, TeamError> {
        let members = team::members(conn, brand)?.into_iter().map(Member::from).collect();
        let invitations = team::pending_invitations(conn, brand, at)?
            .into_iter()
            .map(|row| TeamInvitation::new(row, now))
            .collect();
        Ok(Team { members, invitations })
    })
    .await
}

/// Every member's e-mail by id, to name who of the team acted (the review history of
/// an order): any member may read it, as they see each other's work. A removed member
/// is not among them.
pub async fn member_emails(db: &Db, brand: BrandId) -> Result<HashMap<BrandUserId, String>, TeamError> {
    db.read(move |conn| -> Result<_, TeamError> {
        Ok(team::members(conn, brand)?
            .into_iter()
            .map(|row| (row.id, row.email))
            .collect())
    })
    .await
}

/// A role as a form or a request names it.
pub fn parse_role(role: &str) -> Result<BrandRole, String> {
    BrandRole::parse(role).ok_or_else(|| "must be one of owner, staff".to_owned())
}

/// Whether invitations can go out: they are sent by e-mail only, so this server needs
/// mail configured. The console asks before it offers the form; [`invite`] refuses
/// without it ([`TeamError::MailNotConfigured`]).
pub fn can_invite(postbox: &Postbox) -> bool {
    postbox.is_open()
}

/// An invitation, parsed at the door.
#[derive(Debug, Clone)]
pub struct Invite {
    pub email: Email,
    pub role: BrandRole,
}

/// Invites `invite.email` to the actor's brand with `invite.role`, and writes the
/// invitation e-mail (the only place the token ever is) in the same transaction.
pub async fn invite(
    db: &Db,
    postbox: &Postbox,
    actor: &BrandActor,
    invite: Invite,
    now: DateTime<Utc>,
) -> Result<TeamInvitation, TeamError> {
    actor.require_owner()?;
    if !can_invite(postbox) {
        return Err(TeamError::MailNotConfigured);
    }
    let (brand, invited_by) = (actor.brand_id, actor.user_id);
    let Invite { email, role } = invite;
    let token = random_token();
    let token_hash = sha256_hex(&token);
    let expires_at = now + Duration::days(INVITATION_TTL_DAYS);
    let at = time::to_db(now);
    let postbox = postbox.clone();
    let row = db
        .write(move |conn| {
            // Checked and counted under the brand's row lock, so two invitations of one
            // address, or past the cap, cannot pass side by side.
            portable::lock_brand(conn, brand)?;
            if users::email_exists(conn, email.as_str())? {
                return Err(TeamError::EmailTaken);
            }
            if team::has_pending_for(conn, brand, email.as_str(), at)? {
                return Err(TeamError::InvitationPending);
            }
            if team::count_members(conn, brand)? + team::count_pending(conn, brand, at)? >= MAX_SEATS {
                return Err(TeamError::TooManySeats);
            }
            let row = TeamInvitationRow {
                id: BrandUserInvitationId::generate(),
                brand_id: brand,
                email: email.as_str().to_owned(),
                role,
                token_hash,
                invited_by,
                created_at: at,
                expires_at: time::to_db(expires_at),
                accepted_at: None,
                revoked_at: None,
            };
            team::insert_invitation(conn, &row)?;
            let brand_name = brands::find(conn, brand)?.map(|b| b.name).unwrap_or_default();
            let inviter = users::find_email(conn, invited_by)?.unwrap_or_default();
            let letter = compose::TeamInvitation {
                brand: &brand_name,
                inviter: &inviter,
                role: role.as_str(),
                token: &token,
                expires_at,
                public_url: postbox.public_url(),
            }
            .letter(&row.email);
            postbox.post(conn, MailKind::TeamInvitation, Some(brand), None, &letter, at)?;
            Ok(row)
        })
        .await?;
    Ok(TeamInvitation::new(row, now))
}

/// Revokes one of the brand's open invitations: its token no longer joins. Unknown,
/// another brand's and already revoked invitations are [`TeamError::InvitationNotFound`];
/// an accepted one is [`TeamError::InvitationAccepted`] (remove the member instead).
pub async fn revoke_invitation(
    db: &Db,
    actor: &BrandActor,
    id: BrandUserInvitationId,
    now: DateTime<Utc>,
) -> Result<(), TeamError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let at = time::to_db(now);
    db.write(move |conn| {
        let row = team::find_invitation(conn, brand, id)?.ok_or(TeamError::InvitationNotFound)?;
        if row.accepted_at.is_some() {
            return Err(TeamError::InvitationAccepted);
        }
        if !team::revoke_invitation(conn, brand, id, at)? {
            return Err(TeamError::InvitationNotFound);
        }
        Ok(())
    })
    .await
}

/// Gives a member another role. Demoting the brand's last owner is
/// [`TeamError::LastOwner`]; setting the role a member has already changes nothing.
pub async fn change_role(
    db: &Db,
    actor: &BrandActor,
    member: BrandUserId,
    role: BrandRole,
) -> Result<Member, TeamError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    db.write(move |conn| {
        // Under the brand's lock, so two owners demoting each other at once cannot both
        // count the other as the owner who remains.
        portable::lock_brand(conn, brand)?;
        let current = team::find_member(conn, brand, member)?.ok_or(TeamError::MemberNotFound)?;
        if current.role == BrandRole::Owner && role != BrandRole::Owner && team::count_owners(conn, brand)? <= 1 {
            return Err(TeamError::LastOwner);
        }
        if !team::set_role(conn, brand, member, role)? {
            return Err(TeamError::MemberNotFound);
        }
        let changed = team::find_member(conn, brand, member)?.ok_or(TeamError::MemberNotFound)?;
        Ok(Member::from(changed))
    })
    .await
}

/// Removes a member from the team: deletes the account and, in the same transaction,
/// ends its sessions and spends its open password-reset links. Removing the brand's
/// last owner is [`TeamError::LastOwner`]. An owner may remove themself while another
/// owner remains.
pub async fn remove(db: &Db, actor: &BrandActor, member: BrandUserId, now: DateTime<Utc>) -> Result<(), TeamError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let at = time::to_db(now);
    db.write(move |conn| {
        portable::lock_brand(conn, brand)?;
        let current = team::find_member(conn, brand, member)?.ok_or(TeamError::MemberNotFound)?;
        if current.role == BrandRole::Owner && team::count_owners(conn, brand)? <= 1 {
            return Err(TeamError::LastOwner);
        }
        if !team::remove_member(conn, brand, member)? {
            return Err(TeamError::MemberNotFound);
        }
        let subject = member.to_string();
        refresh_tokens::revoke_account(conn, AccountKind::Brand, &subject, at)?;
        web_sessions::revoke_account(conn, AccountKind::Brand, &subject, at)?;
        password_resets::spend_all_of(conn, AccountKind::Brand, &subject, at)?;
        Ok(())
    })
    .await
}
