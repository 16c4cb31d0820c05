//! Response bodies shared by several handlers.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::brands::BrandRow;
use crate::store::ids::{BrandId, InfluencerId};
use crate::store::influencers::InfluencerRow;
use crate::store::time;

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(Debug, Serialize)]
pub struct BrandResponse {
    pub id: BrandId,
    pub name: String,
    pub slug: String,
    pub landing_url: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<BrandRow> for BrandResponse {
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

#[derive(Debug, Serialize)]
pub struct InfluencerResponse {
    pub id: InfluencerId,
    pub email: String,
    pub display_name: String,
    /// Where payouts go; the login e-mail unless set.
    pub payout_email: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<InfluencerRow> for InfluencerResponse {
    fn from(row: InfluencerRow) -> Self {
        Self {
            id: row.id,
            payout_email: row.effective_payout_email().to_owned(),
            email: row.email,
            display_name: row.display_name,
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
        }
    }
}
