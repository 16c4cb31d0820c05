//! What the request extractors need to know about a credential beyond its signature:
//! the brand of a brand user, and the live API key with a given hash.

use chrono::{DateTime, Utc};

use crate::store::ids::{ApiKeyId, BrandId, BrandUserId};
use crate::store::users::BrandRole;
use crate::store::{Db, StoreError, api_keys, time, users};

/// A brand user acting on their brand: who, for which brand, with which role. Every
/// door builds one from its credential (the JSON API's access token, the console's
/// session) and hands it to the use cases that a role limits, which check it with
/// [`BrandActor::require_owner`]; so the API and the console refuse the same things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrandActor {
    pub user_id: BrandUserId,
    pub brand_id: BrandId,
    pub role: BrandRole,
}

/// A staff member asked for what only an owner may do (API keys, integrations,
/// webhooks, the team, marking a payout batch paid): 403 `forbidden_role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("only an owner of the brand may do this")]
pub struct ForbiddenRole;

impl BrandActor {
    pub fn is_owner(&self) -> bool {
        self.role == BrandRole::Owner
    }

    /// `Ok` for an owner; [`ForbiddenRole`] for staff.
    pub fn require_owner(&self) -> Result<(), ForbiddenRole> {
        if self.is_owner() { Ok(()) } else { Err(ForbiddenRole) }
    }
}

/// The user's brand and role, while the user exists. Both are looked up rather than
/// carried in the access token, so a removed user loses access, and a changed role
/// applies, at once.
pub async fn brand_actor(db: &Db, user_id: BrandUserId) -> Result<Option<BrandActor>, StoreError> {
    db.read(move |conn| -> Result<_, StoreError> {
        Ok(users::find_brand_of(conn, user_id)?.map(|(brand_id, role)| BrandActor {
            user_id,
            brand_id,
            role,
        }))
    })
    .await
}

/// A live API key as last read.
#[derive(Debug, Clone, Copy)]
pub struct LiveKey {
    pub key_id: ApiKeyId,
    pub brand_id: BrandId,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The live (not revoked) key with this SHA-256: one indexed read outside a
/// transaction, on the checkout's hot path.
pub async fn api_key_by_hash(db: &Db, key_hash: String) -> Result<Option<LiveKey>, StoreError> {
    db.read_latest(move |conn| -> Result<_, StoreError> {
        Ok(api_keys::find_active_by_hash(conn, &key_hash)?.map(|row| LiveKey {
            key_id: row.id,
            brand_id: row.brand_id,
            last_used_at: row.last_used_at.map(time::from_db),
        }))
    })
    .await
}

/// Records that the key was used at `now`, unless a use since `stale_before` is
/// recorded already (so a busy checkout does not write on every request).
pub async fn record_key_use(
    db: &Db,
    key_id: ApiKeyId,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (now, stale_before) = (time::to_db(now), time::to_db(stale_before));
    db.write(move |conn| -> Result<_, StoreError> { Ok(api_keys::touch(conn, key_id, now, stale_before)?) })
        .await
}
