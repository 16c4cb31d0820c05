//! The signed-in influencer's own profile (`/v1/me`): read it, change the display name,
//! the payout e-mail or which notification e-mails they get.

use chrono::{DateTime, Utc};

use crate::domain::{DisplayName, Email};
use crate::store::ids::InfluencerId;
use crate::store::influencers::{self, InfluencerChanges, InfluencerRow};
use crate::store::{Db, StoreError, UnitError, time};

/// An influencer's profile, without the password hash.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: InfluencerId,
    pub email: String,
    pub display_name: String,
    /// Where payouts go: the payout e-mail when set, else the login e-mail.
    pub payout_email: String,
    pub notifications: Notifications,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which notification e-mails an influencer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notifications {
    pub sales: bool,
    pub payouts: bool,
}

impl From<InfluencerRow> for Profile {
    fn from(row: InfluencerRow) -> Self {
        Self {
            id: row.id,
            payout_email: row.effective_payout_email().to_owned(),
            notifications: Notifications {
                sales: row.notify_sales,
                payouts: row.notify_payouts,
            },
            email: row.email,
            display_name: row.display_name,
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The account of a still valid access token was deleted.
    #[error("the account no longer exists")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ProfileError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for ProfileError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// The caller's profile.
pub async fn get(db: &Db, influencer_id: InfluencerId) -> Result<Profile, ProfileError> {
    db.read(move |conn| {
        influencers::find(conn, influencer_id)?
            .map(Profile::from)
            .ok_or(ProfileError::NotFound)
    })
    .await
}

/// A PATCH of the profile: absent fields stay as they are; `payout_email: Some(None)`
/// goes back to paying out to the login e-mail.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<DisplayName>,
    pub payout_email: Option<Option<Email>>,
    /// `None` keeps a switch as it is.
    pub notify_sales: Option<bool>,
    pub notify_payouts: Option<bool>,
}

pub async fn update(
    db: &Db,
    influencer_id: InfluencerId,
    update: ProfileUpdate,
    now: DateTime<Utc>,
) -> Result<Profile, ProfileError> {
    let now = time::to_db(now);
    db.write(move |conn| {
        let changes = InfluencerChanges {
            display_name: update.display_name.as_ref().map(DisplayName::as_str),
            payout_email: update.payout_email.as_ref().map(|e| e.as_ref().map(Email::as_str)),
            notify_sales: update.notify_sales,
            notify_payouts: update.notify_payouts,
            updated_at: Some(now),
            ..InfluencerChanges::default()
        };
        influencers::update(conn, influencer_id, &changes)?
            .map(Profile::from)
            .ok_or(ProfileError::NotFound)
    })
    .await
}
