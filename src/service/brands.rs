//! The signed-in brand's own profile: read it, change its name or landing page.

use chrono::{DateTime, Utc};

use crate::domain::{BrandName, LandingUrl};
use crate::store::brands::{self, BrandChanges, BrandRow};
use crate::store::ids::BrandId;
use crate::store::{Db, StoreError, UnitError, time};

/// A brand as its staff sees it.
#[derive(Debug, Clone)]
pub struct Brand {
    pub id: BrandId,
    pub name: String,
    pub slug: String,
    pub landing_url: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<BrandRow> for Brand {
    fn from(row: BrandRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            slug: row.slug,
            landing_url: row.landing_url,
            currency: row.currency,
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BrandError {
    /// The brand of a still valid access token was deleted.
    #[error("the brand no longer exists")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for BrandError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for BrandError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// The caller's brand.
pub async fn get(db: &Db, brand_id: BrandId) -> Result<Brand, BrandError> {
    db.read(move |conn| {
        brands::find(conn, brand_id)?
            .map(Brand::from)
            .ok_or(BrandError::NotFound)
    })
    .await
}

/// A PATCH of the brand: absent fields stay as they are. The slug is not editable (it
/// is in every referral link already handed out), nor is the currency.
#[derive(Debug, Clone, Default)]
pub struct BrandUpdate {
    pub name: Option<BrandName>,
    pub landing_url: Option<LandingUrl>,
}

pub async fn update(db: &Db, brand_id: BrandId, update: BrandUpdate, now: DateTime<Utc>) -> Result<Brand, BrandError> {
    let now = time::to_db(now);
    db.write(move |conn| {
        let changes = BrandChanges {
            name: update.name.as_ref().map(BrandName::as_str),
            landing_url: update.landing_url.as_ref().map(LandingUrl::as_str),
            updated_at: Some(now),
        };
        brands::update(conn, brand_id, &changes)?
            .map(Brand::from)
            .ok_or(BrandError::NotFound)
    })
    .await
}
