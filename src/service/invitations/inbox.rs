//! The influencer's inbox: every invitation sent to their login e-mail, whatever its
//! state, and declining one. Invitations are found by address, so another person's
//! invitation is never shown nor declined (it is not told apart from one that does not
//! exist).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::InvitationError;
use super::accept::{MemberOf, account, addressed_to};
use crate::domain::invitation::InvitationStatus;
use crate::service::events::{self, EventType};
use crate::service::paging::{PageRequest, Paged};
use crate::service::programs::Program;
use crate::store::ids::{InfluencerId, InvitationId, MembershipId};
use crate::store::invitations::{self, InboxRow};
use crate::store::{Db, DbConn, StoreError, deals, time};

/// An invitation as its invitee sees it. The token is not here: it is stored hashed.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub id: InvitationId,
    pub brand: MemberOf,
    /// The program, with its current terms: what accepting it joins.
    pub program: Program,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    /// The membership accepting it made.
    pub membership_id: Option<MembershipId>,
}

impl InboxItem {
    fn new(row: InboxRow, now: NaiveDateTime) -> Self {
        let InboxRow {
            invitation,
            brand_name,
            brand_slug,
            program,
        } = row;
        Self {
            status: InvitationStatus::of(
                invitation.accepted_at,
                invitation.declined_at,
                invitation.expires_at,
                now,
            ),
            id: invitation.id,
            brand: MemberOf {
                id: invitation.brand_id,
                name: brand_name,
                slug: brand_slug,
            },
            program: Program::from(program),
            created_at: time::from_db(invitation.created_at),
            expires_at: time::from_db(invitation.expires_at),
            accepted_at: invitation.accepted_at.map(time::from_db),
            declined_at: invitation.declined_at.map(time::from_db),
            membership_id: invitation.membership_id,
        }
    }
}

/// One page of the invitations sent to the influencer's login e-mail, newest first.
pub async fn inbox(
    db: &Db,
    influencer_id: InfluencerId,
    page: PageRequest<InvitationId>,
    now: DateTime<Utc>,
) -> Result<Paged<InboxItem, InvitationId>, InvitationError> {
    let now = time::to_db(now);
    let rows = db
        .read(move |conn| {
            let influencer = account(conn, influencer_id)?;
            Ok::<_, InvitationError>(invitations::list_for_email(
                conn,
                &influencer.email,
                page.after,
                page.fetch(),
            )?)
        })
        .await?;
    Ok(Paged::from_rows(rows, page.limit, |row| row.invitation.id).map(|row| InboxItem::new(row, now)))
}

/// Declines a pending invitation sent to the influencer's login e-mail, and tells the
/// brand (`invitation.declined`) in the same transaction. Declining a declined one
/// answers it again and tells nothing; an accepted or expired one is refused.
pub async fn decline(
    db: &Db,
    influencer_id: InfluencerId,
    id: InvitationId,
    now: DateTime<Utc>,
) -> Result<InboxItem, InvitationError> {
    let now = time::to_db(now);
    db.write(move |conn| {
        let influencer = account(conn, influencer_id)?;
        let invitation = addressed_to(conn, &influencer, id)?;
        match InvitationStatus::of(
            invitation.accepted_at,
            invitation.declined_at,
            invitation.expires_at,
            now,
        ) {
            InvitationStatus::Declined => return item(conn, id, now),
            InvitationStatus::Accepted => return Err(InvitationError::AlreadyAccepted),
            InvitationStatus::Expired => return Err(InvitationError::AlreadyExpired),
            InvitationStatus::Pending => {}
        }
        if !invitations::decline(conn, id, now)? {
            // Accepted or declined since it was read (a concurrent request).
            let current = addressed_to(conn, &influencer, id)?;
            return match current.accepted_at {
                Some(_) => Err(InvitationError::AlreadyAccepted),
                None => item(conn, id, now),
            };
        }
        let told = events::InvitationDeclined {
            invitation_id: invitation.id,
            program_id: invitation.program_id,
            email: invitation.email.clone(),
            declined_at: time::from_db(now),
        };
        events::emit(conn, invitation.brand_id, EventType::InvitationDeclined, &told, now)?;
        // Declining to join declines the deals offered with the invitation.
        deals::decline_with_invitation(conn, id, now)?;
        item(conn, id, now)
    })
    .await
}

/// The invitation as the inbox shows it, read again inside the unit.
fn item(conn: &mut DbConn, id: InvitationId, now: NaiveDateTime) -> Result<InboxItem, InvitationError> {
    let row = invitations::find_in_inbox(conn, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("invitation {id} vanished inside its unit of work")))?;
    Ok(InboxItem::new(row, now))
}
