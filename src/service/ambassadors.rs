//! The brand's ambassadors (memberships): list, inspect, pause, resume, end, move to
//! another program. An ended membership is final: its codes and history stay, but it
//! cannot be reopened or moved.

use chrono::{DateTime, Utc};

use super::codes::{self, Code};
use crate::store::ids::{BrandId, InfluencerId, MembershipId, ProgramId};
use crate::store::memberships::{self, AmbassadorRow, MembershipStatus};
use crate::store::{Db, DbConn, StoreError, UnitError, programs, time};

/// Why an ambassadors use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AmbassadorError {
    /// No such ambassador in the caller's brand.
    #[error("no such ambassador")]
    NotFound,
    /// The program to move to is not one of the brand's.
    #[error("no such program")]
    ProgramNotFound,
    #[error("an ended membership is final")]
    Ended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for AmbassadorError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for AmbassadorError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A membership with the influencer's public details, as the brand sees it.
#[derive(Debug, Clone)]
pub struct Ambassador {
    pub id: MembershipId,
    pub influencer_id: InfluencerId,
    pub display_name: String,
    pub email: String,
    pub status: MembershipStatus,
    pub program_id: ProgramId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AmbassadorRow> for Ambassador {
    fn from(row: AmbassadorRow) -> Self {
        Self {
            id: row.membership.id,
            influencer_id: row.membership.influencer_id,
            display_name: row.display_name,
            email: row.email,
            status: row.membership.status,
            program_id: row.membership.program_id,
            created_at: time::from_db(row.membership.created_at),
            updated_at: time::from_db(row.membership.updated_at),
        }
    }
}

/// An ambassador with all of their codes, oldest first.
#[derive(Debug, Clone)]
pub struct AmbassadorDetail {
    pub ambassador: Ambassador,
    pub codes: Vec<Code>,
}

/// A change of a membership: `None` keeps the current status or program.
#[derive(Debug)]
pub struct UpdateAmbassador {
    pub brand_id: BrandId,
    pub id: MembershipId,
    pub status: Option<MembershipStatus>,
    pub program_id: Option<ProgramId>,
    pub now: DateTime<Utc>,
}

/// Up to `limit` of the brand's ambassadors after `after`, by id.
pub async fn list(
    db: &Db,
    brand: BrandId,
    after: Option<MembershipId>,
    limit: i64,
) -> Result<Vec<Ambassador>, AmbassadorError> {
    db.read(move |conn| {
        let rows = memberships::list_ambassadors(conn, brand, after, limit)?;
        Ok(rows.into_iter().map(Ambassador::from).collect())
    })
    .await
}

/// The brand's ambassador with their codes; another brand's is
/// [`AmbassadorError::NotFound`].
pub async fn get(db: &Db, brand: BrandId, id: MembershipId) -> Result<AmbassadorDetail, AmbassadorError> {
    db.read(move |conn| detail(conn, brand, id)).await
}

/// Pauses, resumes or ends the membership, or moves it to another of the brand's
/// programs (orders from then on use that program's terms).
pub async fn update(db: &Db, command: UpdateAmbassador) -> Result<AmbassadorDetail, AmbassadorError> {
    db.write(move |conn| {
        let UpdateAmbassador {
            brand_id,
            id,
            status,
            program_id,
            now,
        } = command;
        let current = memberships::find_ambassador(conn, brand_id, id)?.ok_or(AmbassadorError::NotFound)?;
        let new_status = status.unwrap_or(current.membership.status);
        let new_program = program_id.unwrap_or(current.membership.program_id);
        if current.membership.status == MembershipStatus::Ended
            && (new_status != MembershipStatus::Ended || new_program != current.membership.program_id)
        {
            return Err(AmbassadorError::Ended);
        }
        if new_program != current.membership.program_id {
            programs::find(conn, brand_id, new_program)?.ok_or(AmbassadorError::ProgramNotFound)?;
        }
        memberships::update(conn, id, new_status, new_program, time::to_db(now))?;
        detail(conn, brand_id, id)
    })
    .await
}

fn detail(conn: &mut DbConn, brand: BrandId, id: MembershipId) -> Result<AmbassadorDetail, AmbassadorError> {
    let row = memberships::find_ambassador(conn, brand, id)?.ok_or(AmbassadorError::NotFound)?;
    // The brand of a found ambassador always exists; were it gone, so would they be.
    let codes = codes::list_for_membership(conn, brand, id)?.ok_or(AmbassadorError::NotFound)?;
    Ok(AmbassadorDetail {
        ambassador: Ambassador::from(row),
        codes,
    })
}
