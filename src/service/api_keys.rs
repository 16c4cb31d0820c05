//! Brand API keys for the shop's checkout: created (the secret is shown once and stored
//! hashed), listed, revoked, and read back by the key itself ("test connection").
//! Creating, listing and revoking are for the brand's owners: a key acts for the whole
//! brand at checkout.

use chrono::{DateTime, Utc};

use super::auth::{BrandActor, ForbiddenRole};
use crate::auth::secrets;
use crate::domain::KeyName;
use crate::store::api_keys::{self, ApiKeyRow, NewApiKey};
use crate::store::ids::{ApiKeyId, BrandId};
use crate::store::{Db, StoreError, UnitError, brands, portable, time};

/// Most live keys one brand may hold; enough for every shop and environment.
pub const MAX_KEYS_PER_BRAND: usize = 50;

/// A key as its brand sees it, without the secret.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for KeyInfo {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: time::from_db(row.created_at),
            last_used_at: row.last_used_at.map(time::from_db),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("the brand holds {MAX_KEYS_PER_BRAND} live keys already")]
    TooMany,
    /// No live key of this brand has the id: unknown, another brand's, or revoked.
    #[error("no such API key")]
    NotFound,
    /// The key a request was authenticated with is gone (revoked since, or its brand).
    #[error("the API key is unknown or revoked")]
    Invalid,
    #[error(transparent)]
    Forbidden(#[from] ForbiddenRole),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ApiKeyError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for ApiKeyError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A key just made, with the secret that is not stored and cannot be shown again.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    pub key: KeyInfo,
    pub secret: String,
}

pub async fn create(db: &Db, actor: &BrandActor, name: KeyName, now: DateTime<Utc>) -> Result<CreatedKey, ApiKeyError> {
    actor.require_owner()?;
    let brand_id = actor.brand_id;
    let now = time::to_db(now);
    let generated = secrets::new_api_key();
    let hash = generated.hash;
    let prefix = generated.prefix;
    let row = db
        .write(move |conn| {
            // Count under the brand's row lock: on PostgreSQL, concurrent creations that
            // counted without it all saw room and went past the cap.
            portable::lock_brand(conn, brand_id)?;
            if api_keys::list_active_for_brand(conn, brand_id)?.len() >= MAX_KEYS_PER_BRAND {
                return Err(ApiKeyError::TooMany);
            }
            let id = ApiKeyId::generate();
            let key = NewApiKey {
                id,
                brand_id,
                name: name.as_str(),
                prefix: &prefix,
                key_hash: &hash,
                created_at: now,
            };
            api_keys::insert(conn, &key)?;
            Ok(ApiKeyRow {
                id,
                brand_id,
                name: name.as_str().to_owned(),
                prefix: prefix.clone(),
                key_hash: hash.clone(),
                created_at: now,
                last_used_at: None,
                revoked_at: None,
            })
        })
        .await?;
    Ok(CreatedKey {
        key: row.into(),
        secret: generated.secret,
    })
}

/// The brand's live keys, oldest first.
pub async fn list(db: &Db, actor: &BrandActor) -> Result<Vec<KeyInfo>, ApiKeyError> {
    actor.require_owner()?;
    let brand_id = actor.brand_id;
    db.read(move |conn| -> Result<_, ApiKeyError> {
        Ok(api_keys::list_active_for_brand(conn, brand_id)?
            .into_iter()
            .map(KeyInfo::from)
            .collect())
    })
    .await
}

/// Revokes at once. Another brand's key, an unknown id and an already revoked key are
/// all [`ApiKeyError::NotFound`]. The caller drops the key from any cache it keeps.
pub async fn revoke(db: &Db, actor: &BrandActor, id: ApiKeyId, now: DateTime<Utc>) -> Result<(), ApiKeyError> {
    actor.require_owner()?;
    let brand_id = actor.brand_id;
    let now = time::to_db(now);
    let revoked = db
        .write(move |conn| -> Result<_, ApiKeyError> { Ok(api_keys::revoke(conn, brand_id, id, now)?) })
        .await?;
    if revoked { Ok(()) } else { Err(ApiKeyError::NotFound) }
}

/// The brand a key belongs to, as the shop needs it to check its set-up.
#[derive(Debug, Clone)]
pub struct KeyBrand {
    pub id: BrandId,
    pub slug: String,
    pub currency: String,
}

#[derive(Debug, Clone)]
pub struct CurrentKey {
    pub key: KeyInfo,
    pub brand: KeyBrand,
}

/// The key a request was made with, and its brand.
pub async fn current(db: &Db, brand_id: BrandId, key_id: ApiKeyId) -> Result<CurrentKey, ApiKeyError> {
    db.read(move |conn| {
        let row = api_keys::find(conn, brand_id, key_id)?;
        let brand = brands::find(conn, brand_id)?;
        match (row, brand) {
            (Some(row), Some(brand)) => Ok(CurrentKey {
                key: row.into(),
                brand: KeyBrand {
                    id: brand.id,
                    slug: brand.slug,
                    currency: brand.currency,
                },
            }),
            _ => Err(ApiKeyError::Invalid),
        }
    })
    .await
}
