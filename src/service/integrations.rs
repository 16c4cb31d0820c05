//! Shop integrations: a brand connects its Shopify store, WooCommerce shop or Stripe
//! account by giving reftrack the secret its webhooks are signed with.
//!
//! The secret is sealed at rest (`auth::sealing`) and never shown again, except the one
//! reftrack generates for WooCommerce, shown once in the answer that made it. Shopify and
//! Stripe show their secret only once the webhook URL is entered in their admin, and the
//! URL names the integration: so an integration can be made without a secret, and the
//! secret given with `PATCH` after; until then its deliveries are refused. Changing the
//! secret keeps the previous one verifying for [`ROTATION_GRACE_HOURS`], so deliveries
//! signed before the shop's admin was updated still arrive.
//!
//! Every use case here, and the brand's view of the deliveries ([`super::shop_inbox`]'s
//! `list_events` and `retry`), is for the brand's owners: an integration holds the shop's
//! secret and records orders for the whole brand.

use chrono::{DateTime, Duration, Utc};

use super::auth::{BrandActor, ForbiddenRole};
use crate::auth::sealing::{Rotated, Sealer};
use crate::domain::KeyName;
use crate::domain::signing_secret::SigningSecret;
use crate::store::ids::IntegrationId;
use crate::store::integrations::{self, IntegrationRow, Platform};
use crate::store::{Db, StoreError, UnitError, portable, time};

/// Most live integrations one brand may hold.
pub const MAX_INTEGRATIONS_PER_BRAND: i64 = 20;
/// How long a replaced secret keeps verifying deliveries.
pub const ROTATION_GRACE_HOURS: i64 = 24;

/// An integration as its brand sees it, without the secret.
#[derive(Debug, Clone)]
pub struct IntegrationInfo {
    pub id: IntegrationId,
    pub platform: Platform,
    pub name: String,
    /// Whether a secret is set; deliveries are refused until it is.
    pub secret_set: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Until when the secret replaced by the last rotation still verifies.
    pub previous_secret_until: Option<DateTime<Utc>>,
}

impl IntegrationInfo {
    /// Where the shop sends its webhooks: the address the brand pastes into the shop's
    /// settings, on `public_url` (`REFTRACK_PUBLIC_URL`).
    pub fn webhook_url(&self, public_url: &str) -> String {
        format!("{public_url}/v1/integrations/{}/webhook", self.id)
    }
}

impl From<&IntegrationRow> for IntegrationInfo {
    fn from(row: &IntegrationRow) -> Self {
        Self {
            id: row.id,
            platform: row.platform,
            name: row.name.clone(),
            secret_set: row.secret_sealed.is_some(),
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
            previous_secret_until: row.previous_secret_until.map(time::from_db),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    #[error("the brand holds {MAX_INTEGRATIONS_PER_BRAND} integrations already")]
    TooMany,
    /// No live integration of this brand has the id.
    #[error("no such integration")]
    NotFound,
    #[error(transparent)]
    Forbidden(#[from] ForbiddenRole),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for IntegrationError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for IntegrationError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

pub struct NewIntegration {
    pub platform: Platform,
    pub name: KeyName,
    /// `None`: WooCommerce gets one made by reftrack; Shopify and Stripe wait for it.
    pub secret: Option<SigningSecret>,
    pub now: DateTime<Utc>,
}

/// An integration just made, with the secret reftrack generated for it, if it did.
#[derive(Debug, Clone)]
pub struct Created {
    pub integration: IntegrationInfo,
    pub generated_secret: Option<String>,
}

pub async fn create(
    db: &Db,
    sealer: &Sealer,
    actor: &BrandActor,
    new: NewIntegration,
) -> Result<Created, IntegrationError> {
    actor.require_owner()?;
    let (secret, generated) = match (new.secret, new.platform) {
        (Some(secret), _) => (Some(secret), false),
        (None, Platform::Woocommerce) => (Some(SigningSecret::generate()), true),
        (None, Platform::Shopify | Platform::Stripe) => (None, false),
    };
    let id = IntegrationId::generate();
    let now = time::to_db(new.now);
    let row = IntegrationRow {
        id,
        brand_id: actor.brand_id,
        platform: new.platform,
        name: new.name.as_str().to_owned(),
        secret_sealed: secret
            .as_ref()
            .map(|secret| sealer.seal(secret.as_str(), &id.to_string())),
        previous_secret_sealed: None,
        previous_secret_until: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let stored = row.clone();
    db.write(move |conn| {
        // Counted under the brand's row lock, so concurrent creations cannot pass the cap.
        portable::lock_brand(conn, stored.brand_id)?;
        if integrations::count(conn, stored.brand_id)? >= MAX_INTEGRATIONS_PER_BRAND {
            return Err(IntegrationError::TooMany);
        }
        integrations::insert(conn, &stored)?;
        Ok(())
    })
    .await?;
    Ok(Created {
        integration: IntegrationInfo::from(&row),
        generated_secret: secret.filter(|_| generated).map(|secret| secret.as_str().to_owned()),
    })
}

pub async fn list(db: &Db, actor: &BrandActor) -> Result<Vec<IntegrationInfo>, IntegrationError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    db.read(move |conn| -> Result<_, IntegrationError> {
        Ok(integrations::list(conn, brand)?
            .iter()
            .map(IntegrationInfo::from)
            .collect())
    })
    .await
}

pub async fn get(db: &Db, actor: &BrandActor, id: IntegrationId) -> Result<IntegrationInfo, IntegrationError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    db.read(move |conn| match integrations::find(conn, brand, id)? {
        Some(row) => Ok(IntegrationInfo::from(&row)),
        None => Err(IntegrationError::NotFound),
    })
    .await
}

/// What a `PATCH` changes; absent fields stay.
pub struct IntegrationChanges {
    pub name: Option<KeyName>,
    pub secret: Option<SigningSecret>,
    pub now: DateTime<Utc>,
}

/// Renames and/or rotates the secret. The secret replaced keeps verifying for
/// [`ROTATION_GRACE_HOURS`]; a second rotation within that time replaces it.
pub async fn update(
    db: &Db,
    sealer: &Sealer,
    actor: &BrandActor,
    id: IntegrationId,
    changes: IntegrationChanges,
) -> Result<IntegrationInfo, IntegrationError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let sealer = sealer.clone();
    let now = time::to_db(changes.now);
    db.write(move |conn| {
        let row = integrations::find(conn, brand, id)?.ok_or(IntegrationError::NotFound)?;
        if let Some(name) = &changes.name {
            integrations::rename(conn, brand, id, name.as_str(), now)?;
        }
        if let Some(secret) = &changes.secret {
            let sealed = sealer.seal(secret.as_str(), &id.to_string());
            // A first secret replaces nothing, so nothing keeps verifying beside it.
            let until = row
                .secret_sealed
                .as_ref()
                .map(|_| now + Duration::hours(ROTATION_GRACE_HOURS));
            integrations::rotate_secret(conn, brand, id, &sealed, row.secret_sealed.as_deref(), until, now)?;
        }
        let row = integrations::find(conn, brand, id)?.ok_or(IntegrationError::NotFound)?;
        Ok(IntegrationInfo::from(&row))
    })
    .await
}

/// Deletes the integration: its deliveries answer 404 from now on; its events stay.
pub async fn delete(
    db: &Db,
    actor: &BrandActor,
    id: IntegrationId,
    now: DateTime<Utc>,
) -> Result<(), IntegrationError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let now = time::to_db(now);
    let deleted = db
        .write(move |conn| -> Result<_, IntegrationError> { Ok(integrations::delete(conn, brand, id, now)?) })
        .await?;
    if deleted {
        Ok(())
    } else {
        Err(IntegrationError::NotFound)
    }
}

/// The secrets that verify a delivery to `row` at `now`: the current one, and the one
/// it replaced while its grace period lasts. A secret that does not open is left out
/// (and logged): deliveries then answer 401, which the brand sees in its shop's admin.
pub fn verifying_secrets(sealer: &Sealer, row: &IntegrationRow, now: DateTime<Utc>) -> Vec<String> {
    let bound_to = row.id.to_string();
    let sealed = Rotated {
        bound_to: &bound_to,
        current: row.secret_sealed.as_deref(),
        previous: row.previous_secret_sealed.as_deref(),
        previous_until: row.previous_secret_until,
    };
    sealer.in_force(sealed, time::to_db(now))
}
