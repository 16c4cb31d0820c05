//! Referral codes of an ambassador: issue (vanity or generated), list, change; and the
//! influencer's own codes across every brand.
//!
//! Codes are case-insensitive and unique per brand; an ambassador holds at most
//! [`MAX_ACTIVE_CODES`] active ones, a cap that holds under concurrency because the
//! membership row is locked before counting. Generated codes retry on collision;
//! vanity ones that clash are [`CodeError::Taken`]. The code text never changes: it is
//! printed on posts and packaging.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Connection, QueryResult};

use super::paging::{PageRequest, Paged};
use crate::domain::codes::{self, CodeText};
use crate::store::codes::{self as store_codes, CodeChanges, CodeRow};
use crate::store::ids::{BrandId, CodeId, InfluencerId, MembershipId};
use crate::store::memberships::{self, MembershipRow, MembershipStatus};
use crate::store::{Db, DbConn, StoreError, UnitError, brands, is_unique_violation, portable, time};

/// Most active codes one ambassador may hold.
pub const MAX_ACTIVE_CODES: i64 = 10;
/// Attempts at a fresh generated code before giving up (each has ~850,000 suffixes).
const GENERATE_ATTEMPTS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the code is taken in this brand")]
    Taken,
    #[error("no free generated code found")]
    Exhausted,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Whether the ambassador may hold one more active code. The membership row is locked
/// first, for the rest of the transaction: on PostgreSQL, concurrent creations and
/// reactivations that counted without it all saw room and went past the cap. SQLite's
/// single writer already runs them one after the other.
pub fn has_room_for_active_code(conn: &mut DbConn, membership: MembershipId) -> QueryResult<bool> {
    portable::lock_membership(conn, membership)?;
    Ok(store_codes::count_active_for_membership(conn, membership)? < MAX_ACTIVE_CODES)
}

pub struct CodeSpec {
    pub brand_id: BrandId,
    pub membership_id: MembershipId,
    pub max_uses: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
    pub now: NaiveDateTime,
}

/// Inserts `code`, or reports [`IssueError::Taken`]. The insert runs in a savepoint so a
/// unique violation (a concurrent writer on PostgreSQL) leaves the transaction usable.
pub fn issue_vanity(conn: &mut DbConn, spec: &CodeSpec, code: &CodeText) -> Result<CodeRow, IssueError> {
    if store_codes::exists(conn, spec.brand_id, code.as_str())? {
        return Err(IssueError::Taken);
    }
    let row = CodeRow {
        id: CodeId::generate(),
        brand_id: spec.brand_id,
        membership_id: spec.membership_id,
        code: code.as_str().to_owned(),
        active: true,
        max_uses: spec.max_uses,
        uses: 0,
        expires_at: spec.expires_at,
        created_at: spec.now,
        updated_at: spec.now,
        stripe_promotion_code: None,
    };
    match conn.transaction(|conn| store_codes::insert(conn, &row)) {
        Ok(()) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(IssueError::Taken),
        Err(err) => Err(err.into()),
    }
}

/// Generates a readable code from the display name, retrying on collision.
/// A new ambassador's first code, generated from their display name, without limits:
/// what accepting an invitation and joining through an invitation link both issue.
pub fn issue_first(conn: &mut DbConn, membership: &MembershipRow, display_name: &str) -> Result<CodeRow, IssueError> {
    let spec = CodeSpec {
        brand_id: membership.brand_id,
        membership_id: membership.id,
        max_uses: None,
        expires_at: None,
        now: membership.created_at,
    };
    issue_generated(conn, &spec, display_name)
}

pub fn issue_generated(conn: &mut DbConn, spec: &CodeSpec, display_name: &str) -> Result<CodeRow, IssueError> {
    let mut rng = rand::rng();
    for _ in 0..GENERATE_ATTEMPTS {
        let candidate = codes::generate(display_name, &mut rng);
        match issue_vanity(conn, spec, &candidate) {
            Err(IssueError::Taken) => continue,
            other => return other,
        }
    }
    Err(IssueError::Exhausted)
}

/// Why a codes use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// No such ambassador in the caller's brand.
    #[error("no such ambassador")]
    AmbassadorNotFound,
    /// No such code in the caller's brand.
    #[error("no such code")]
    CodeNotFound,
    #[error("the ambassador's membership has ended")]
    MembershipEnded,
    /// The ambassador already holds [`MAX_ACTIVE_CODES`] active codes.
    #[error("too many active codes")]
    TooManyCodes,
    #[error("the code is taken in this brand")]
    Taken,
    #[error("no free generated code found")]
    Exhausted,
    /// Another code of the brand names this Stripe promotion code as its twin.
    #[error("the promotion code is another code's twin")]
    PromotionCodeTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for CodeError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl From<IssueError> for CodeError {
    fn from(err: IssueError) -> Self {
        match err {
            IssueError::Taken => Self::Taken,
            IssueError::Exhausted => Self::Exhausted,
            IssueError::Db(err) => err.into(),
        }
    }
}

impl UnitError for CodeError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A referral code as the brand sees it, with the slug of the brand its referral link
/// lives under (`/r/{brand_slug}/{code}`).
#[derive(Debug, Clone)]
pub struct Code {
    pub id: CodeId,
    pub code: String,
    pub membership_id: MembershipId,
    pub active: bool,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub stripe_promotion_code: Option<String>,
    pub brand_slug: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Code {
    pub fn new(row: CodeRow, brand_slug: String) -> Self {
        Self {
            id: row.id,
            code: row.code,
            membership_id: row.membership_id,
            active: row.active,
            max_uses: row.max_uses,
            uses: row.uses,
            expires_at: row.expires_at.map(time::from_db),
            stripe_promotion_code: row.stripe_promotion_code,
            brand_slug,
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
        }
    }
}

/// A new code for an ambassador: `code` is a vanity code, `None` means generate one.
#[derive(Debug)]
pub struct CreateCode {
    pub brand_id: BrandId,
    pub membership_id: MembershipId,
    pub code: Option<CodeText>,
    pub max_uses: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// A change of a code: `None` keeps a field; `Some(None)` removes a limit or expiry.
#[derive(Debug)]
pub struct UpdateCode {
    pub brand_id: BrandId,
    pub code_id: CodeId,
    pub active: Option<bool>,
    pub max_uses: Option<Option<i64>>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// The code's twin promotion code in Stripe (`promo_…`); `Some(None)` removes it.
    pub stripe_promotion_code: Option<Option<String>>,
    pub now: DateTime<Utc>,
}

/// Issues a code to an active or paused ambassador with room for one more.
pub async fn create(db: &Db, command: CreateCode) -> Result<Code, CodeError> {
    db.write(move |conn| {
        let CreateCode {
            brand_id,
            membership_id,
            code,
            max_uses,
            expires_at,
            now,
        } = command;
        let ambassador =
            memberships::find_ambassador(conn, brand_id, membership_id)?.ok_or(CodeError::AmbassadorNotFound)?;
        if ambassador.membership.status == MembershipStatus::Ended {
            return Err(CodeError::MembershipEnded);
        }
        if !has_room_for_active_code(conn, membership_id)? {
            return Err(CodeError::TooManyCodes);
        }
        let spec = CodeSpec {
            brand_id,
            membership_id,
            max_uses,
            expires_at: expires_at.map(time::to_db),
            now: time::to_db(now),
        };
        let row = match &code {
            Some(code) => issue_vanity(conn, &spec, code)?,
            None => issue_generated(conn, &spec, &ambassador.display_name)?,
        };
        Ok(Code::new(row, brand_slug(conn, brand_id)?))
    })
    .await
}

/// All of the ambassador's codes, oldest first.
pub async fn list(db: &Db, brand: BrandId, membership: MembershipId) -> Result<Vec<Code>, CodeError> {
    db.read(move |conn| {
        memberships::find_ambassador(conn, brand, membership)?.ok_or(CodeError::AmbassadorNotFound)?;
        list_for_membership(conn, brand, membership)?.ok_or(CodeError::AmbassadorNotFound)
    })
    .await
}

/// A code of the signed-in influencer, with its brand and where their membership
/// stands (an ended membership's codes are listed too: they are history).
#[derive(Debug, Clone)]
pub struct MyCode {
    pub code: Code,
    pub brand_id: BrandId,
    pub brand_name: String,
    pub membership_status: MembershipStatus,
}

/// One page of the influencer's codes in every brand, oldest first.
pub async fn list_mine(
    db: &Db,
    influencer: InfluencerId,
    page: PageRequest<CodeId>,
) -> Result<Paged<MyCode, CodeId>, CodeError> {
    let rows = db
        .read(move |conn| {
            Ok::<_, CodeError>(store_codes::list_for_influencer(
                conn,
                influencer,
                None,
                page.after,
                page.fetch(),
            )?)
        })
        .await?;
    Ok(Paged::from_rows(rows, page.limit, |row| row.code.id).map(MyCode::from))
}

impl From<store_codes::InfluencerCodeRow> for MyCode {
    fn from(row: store_codes::InfluencerCodeRow) -> Self {
        Self {
            brand_id: row.code.brand_id,
            brand_name: row.brand_name,
            membership_status: row.membership_status,
            code: Code::new(row.code, row.brand_slug),
        }
    }
}

/// Deactivates or reactivates a code, or changes its limits. Reactivating needs a
/// membership that has not ended and room under the cap.
pub async fn update(db: &Db, command: UpdateCode) -> Result<Code, CodeError> {
    db.write(move |conn| {
        let UpdateCode {
            brand_id,
            code_id,
            active,
            max_uses,
            expires_at,
            stripe_promotion_code,
            now,
        } = command;
        let owned = store_codes::find_with_owner_by_id(conn, brand_id, code_id)?.ok_or(CodeError::CodeNotFound)?;
        if active == Some(true) && !owned.code.active {
            if owned.membership.status == MembershipStatus::Ended {
                return Err(CodeError::MembershipEnded);
            }
            if !has_room_for_active_code(conn, owned.membership.id)? {
                return Err(CodeError::TooManyCodes);
            }
        }
        if let Some(Some(promotion)) = &stripe_promotion_code
            && store_codes::find_by_stripe_promotion(conn, brand_id, promotion)?
                .is_some_and(|twin| twin != owned.code.code)
        {
            return Err(CodeError::PromotionCodeTaken);
        }
        let changes = CodeChanges {
            active,
            stripe_promotion_code,
            max_uses,
            expires_at: expires_at.map(|at| at.map(time::to_db)),
            updated_at: Some(time::to_db(now)),
        };
        // In a savepoint: a concurrent PATCH that gave another code the same promotion
        // code trips the unique index, which PostgreSQL would let abort the transaction.
        match conn.transaction(|conn| store_codes::update(conn, code_id, &changes)) {
            Ok(()) => {}
            Err(err) if is_unique_violation(&err) => return Err(CodeError::PromotionCodeTaken),
            Err(err) => return Err(err.into()),
        }
        let row = store_codes::find(conn, brand_id, code_id)?.ok_or(CodeError::CodeNotFound)?;
        Ok(Code::new(row, brand_slug(conn, brand_id)?))
    })
    .await
}

/// The membership's codes, oldest first, with the slug of the brand their links live
/// under, inside the caller's unit of work; `None` when the brand is gone.
pub fn list_for_membership(
    conn: &mut DbConn,
    brand: BrandId,
    membership: MembershipId,
) -> QueryResult<Option<Vec<Code>>> {
    let Some(brand) = brands::find(conn, brand)? else {
        return Ok(None);
    };
    Ok(Some(
        store_codes::list_for_membership(conn, membership)?
            .into_iter()
            .map(|row| Code::new(row, brand.slug.clone()))
            .collect(),
    ))
}

/// The slug referral links of the brand live under. The brand of a found ambassador
/// or code always exists (foreign keys); were it gone, so would be the ambassador.
fn brand_slug(conn: &mut DbConn, brand: BrandId) -> Result<String, CodeError> {
    Ok(brands::find(conn, brand)?.ok_or(CodeError::AmbassadorNotFound)?.slug)
}
