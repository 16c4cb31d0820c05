//! Invitations: a brand invites an e-mail address into one of its programs; the
//! influencer with that login e-mail sees it in their inbox ([`inbox`]), and accepts it
//! ([`accept`]: by the e-mailed token or by its id) to become an ambassador with one
//! generated referral code, or declines it.

mod accept;
mod inbox;

pub use accept::{Accepted, InvitationKey, MemberOf, accept};
pub use inbox::{InboxItem, decline, inbox};

use chrono::{DateTime, Duration, Utc};

use super::codes::IssueError;
use super::events::{self, EventType};
use super::mail::{Postbox, compose};
use crate::auth::secrets::{random_token, sha256_hex};
use crate::domain::terms::Terms;
use crate::domain::{Currency, Email};
use crate::store::ids::{BrandId, InvitationId, ProgramId};
use crate::store::invitations::{self, InvitationRow};
use crate::store::mail::MailKind;
use crate::store::memberships;
use crate::store::{Db, StoreError, UnitError, brands, influencers, programs, time};

pub const INVITATION_TTL_DAYS: i64 = 14;

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("no such program")]
    ProgramNotFound,
    /// The invited address belongs to an influencer who is (or was) an ambassador of
    /// the brand: the membership is changed, not created again.
    #[error("the invitee is or was an ambassador of the brand")]
    InviteeIsMember,
    #[error("no invitation has this token")]
    UnknownToken,
    /// No invitation with this id was sent to the signed-in influencer's address (one
    /// sent to anyone else is not told apart from one that does not exist).
    #[error("no such invitation")]
    NotFound,
    #[error("the account no longer exists")]
    AccountNotFound,
    #[error("the invitation was sent to another e-mail address")]
    EmailMismatch,
    #[error("the invitation was already accepted")]
    Used,
    #[error("the invitation was declined")]
    Declined,
    #[error("the invitation has expired")]
    Expired,
    /// Declining an invitation that was accepted: the membership is ended by the brand.
    #[error("the invitation was accepted; it cannot be declined")]
    AlreadyAccepted,
    /// Declining an invitation that has expired: there is nothing left to decline.
    #[error("the invitation has expired; it cannot be declined")]
    AlreadyExpired,
    /// The accepting influencer is already an ambassador of the brand.
    #[error("already an ambassador of this brand")]
    AlreadyMember,
    #[error("could not issue the first code")]
    Code(#[source] IssueError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for InvitationError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for InvitationError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// An invitation, parsed at the door.
#[derive(Debug, Clone)]
pub struct Invite {
    pub email: Email,
    pub program_id: ProgramId,
}

#[derive(Debug, Clone)]
pub struct Invited {
    pub id: InvitationId,
    pub email: String,
    pub program_id: ProgramId,
    /// The secret to hand to the influencer; shown once, stored hashed.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Invites `invite.email` into one of the brand's programs, and writes the invitation
/// e-mail (with the token) in the same transaction when mail is configured.
pub async fn create(
    db: &Db,
    postbox: &Postbox,
    brand_id: BrandId,
    invite: Invite,
    now: DateTime<Utc>,
) -> Result<Invited, InvitationError> {
    let Invite { email, program_id } = invite;
    let token = random_token();
    let token_hash = sha256_hex(&token);
    let expires_at = now + Duration::days(INVITATION_TTL_DAYS);
    let postbox = postbox.clone();
    let mail_token = token.clone();
    let row = db
        .write(move |conn| {
            let program = programs::find(conn, brand_id, program_id)?.ok_or(InvitationError::ProgramNotFound)?;
            if let Some(existing) = influencers::find_by_email(conn, email.as_str())?
                && memberships::find_for_influencer_in_brand(conn, brand_id, existing.id)?.is_some()
            {
                return Err(InvitationError::InviteeIsMember);
            }
            let row = InvitationRow {
                id: InvitationId::generate(),
                brand_id,
                program_id,
                email: email.as_str().to_owned(),
                token_hash,
                created_at: time::to_db(now),
                expires_at: time::to_db(expires_at),
                accepted_at: None,
                membership_id: None,
                declined_at: None,
            };
            invitations::insert(conn, &row)?;
            let told = events::InvitationCreated::from(&row);
            events::emit(conn, brand_id, EventType::InvitationCreated, &told, row.created_at)?;
            if postbox.is_open() {
                let brand = brands::find(conn, brand_id)?.map(|b| b.name).unwrap_or_default();
                // Stored terms of a program this brand owns: the offer reads them; terms
                // that no longer read leave the offer out rather than the invitation.
                let offer = match (Terms::from_stored(&program.terms), Currency::parse(&program.currency)) {
                    (Ok(terms), Ok(currency)) => terms.in_words(currency),
                    _ => Vec::new(),
                };
                let letter = compose::Invitation {
                    brand: &brand,
                    program: &program.name,
                    offer,
                    token: &mail_token,
                    expires_at,
                    public_url: postbox.public_url(),
                }
                .letter(&row.email);
                postbox.post(
                    conn,
                    MailKind::Invitation,
                    Some(brand_id),
                    None,
                    &letter,
                    row.created_at,
                )?;
            }
            Ok(row)
        })
        .await?;
    Ok(Invited {
        id: row.id,
        email: row.email,
        program_id: row.program_id,
        token,
        expires_at,
    })
}

/// An invitation of the brand still waiting for its invitee.
#[derive(Debug, Clone)]
pub struct PendingInvitation {
    pub id: InvitationId,
    pub email: String,
    pub program_id: ProgramId,
    pub program_name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Up to `limit` of the brand's invitations neither accepted nor declined and still
/// open at `now`, newest first.
pub async fn pending(
    db: &Db,
    brand_id: BrandId,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<PendingInvitation>, InvitationError> {
    let rows = db
        .read(move |conn| {
            Ok::<_, InvitationError>(invitations::pending_for_brand(conn, brand_id, time::to_db(now), limit)?)
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(row, program_name)| PendingInvitation {
            id: row.id,
            email: row.email,
            program_id: row.program_id,
            program_name,
            created_at: time::from_db(row.created_at),
            expires_at: time::from_db(row.expires_at),
        })
        .collect())
}
