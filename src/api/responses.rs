//! Response bodies shared by several handlers.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::service::brands::Brand;
use crate::service::influencers::Profile;
use crate::service::sessions::Tokens;
use crate::store::ids::{BrandId, InfluencerId};

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl From<Tokens> for TokenResponse {
    fn from(tokens: Tokens) -> Self {
        Self {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            token_type: "Bearer",
            expires_in: tokens.expires_in,
        }
    }
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

impl From<Brand> for BrandResponse {
    fn from(brand: Brand) -> Self {
        Self {
            id: brand.id,
            name: brand.name,
            slug: brand.slug,
            landing_url: brand.landing_url,
            currency: brand.currency,
            created_at: brand.created_at,
            updated_at: brand.updated_at,
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
    pub notifications: NotificationsResponse,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct NotificationsResponse {
    pub sales: bool,
    pub payouts: bool,
}

impl From<Profile> for InfluencerResponse {
    fn from(profile: Profile) -> Self {
        Self {
            id: profile.id,
            email: profile.email,
            display_name: profile.display_name,
            payout_email: profile.payout_email,
            notifications: NotificationsResponse {
                sales: profile.notifications.sales,
                payouts: profile.notifications.payouts,
            },
            created_at: profile.created_at,
            updated_at: profile.updated_at,
        }
    }
}
