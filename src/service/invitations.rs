//! Invitations: a brand invites an e-mail address into one of its programs; the
//! influencer with that login e-mail accepts and becomes an ambassador, with one
//! generated referral code.

use chrono::{DateTime, Duration, Utc};

use super::codes::{self as code_service, CodeSpec, IssueError};
use super::events::{self, EventType};
use super::mail::{Postbox, compose};
use crate::auth::secrets::{random_token, sha256_hex};
use crate::domain::terms::Terms;
use crate::domain::{Currency, Email};
use crate::store::ids::{BrandId, InfluencerId, InvitationId, MembershipId, ProgramId};
use crate::store::invitations::{self, InvitationRow};
use crate::store::mail::MailKind;
use crate::store::memberships::{self, MembershipRow, MembershipStatus};
use crate::store::{Db, StoreError, UnitError, brands, influencers, is_unique_violation, programs, time};

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
    NotFound,
    #[error("the account no longer exists")]
    AccountNotFound,
    #[error("the invitation was sent to another e-mail address")]
    EmailMismatch,
    #[error("the invitation was already accepted")]
    Used,
    #[error("the invitation has expired")]
    Expired,
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
            };
            invitations::insert(conn, &row)?;
            let told = events::InvitationCreated::from(&row);
            events::emit(conn, brand_id, EventType::InvitationCreated, &told, row.created_at)?;
            if postbox.is_open() {
                let brand = brands::find(conn, brand_id)?.map(|b| b.name).unwrap_or_default();
                // Stored terms of a program this brand owns: the offer reads them; terms
                // that no longer read leave the offer out rather than the invitation.
                let offer = match (Terms::from_stored(&program.terms), Currency::parse(&program.currency)) {
                    (Ok(terms), Ok(currency)) => compose::offer(&terms, currency),
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

/// Accepts the invitation with this token for the signed-in influencer: creates the
/// membership and its first code, and spends the invitation, in one transaction.
pub async fn accept(
    db: &Db,
    influencer_id: InfluencerId,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Accepted, InvitationError> {
    let hash = sha256_hex(token);
    let now = time::to_db(now);
    db.write(move |conn| {
        let invitation = invitations::find_by_hash(conn, &hash)?.ok_or(InvitationError::NotFound)?;
        let influencer = influencers::find(conn, influencer_id)?.ok_or(InvitationError::AccountNotFound)?;
        if influencer.email != invitation.email {
            return Err(InvitationError::EmailMismatch);
        }
        if invitation.accepted_at.is_some() {
            return Err(InvitationError::Used);
        }
        if invitation.expires_at <= now {
            return Err(InvitationError::Expired);
        }
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
        };
        memberships::insert(conn, &membership).map_err(|err| {
            if is_unique_violation(&err) {
                InvitationError::AlreadyMember
            } else {
                err.into()
            }
        })?;
        if !invitations::accept(conn, invitation.id, membership.id, now)? {
            return Err(InvitationError::Used);
        }
        let spec = CodeSpec {
            brand_id: membership.brand_id,
            membership_id: membership.id,
            max_uses: None,
            expires_at: None,
            now,
        };
        let code =
            code_service::issue_generated(conn, &spec, &influencer.display_name).map_err(InvitationError::Code)?;
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
