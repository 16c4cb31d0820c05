//! Free-item rewards: ambassadors see and claim theirs, brands see and fulfil them.
//! Each transition (earned → claimed → fulfilled) happens once, by its owner; someone
//! else's reward is [`RewardError::NotFound`]. Grants are made by the maturation job.

use chrono::{DateTime, Utc};

use crate::store::ids::{BrandId, InfluencerId, MembershipId, RewardId};
use crate::store::rewards::{self as store_rewards, RewardStatus, RewardView};
use crate::store::{Db, StoreError, UnitError, time};

/// Why a rewards use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RewardError {
    /// No such reward of the caller's (influencer or brand).
    #[error("no such reward")]
    NotFound,
    /// Only an `earned` reward can be claimed.
    #[error("the reward was already claimed")]
    AlreadyClaimed,
    /// Only a `claimed` reward can be fulfilled: this one is still `earned`.
    #[error("the reward has not been claimed yet")]
    NotClaimed,
    #[error("the reward was already fulfilled")]
    AlreadyFulfilled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for RewardError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for RewardError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A reward with who earned it and where.
#[derive(Debug, Clone)]
pub struct Reward {
    pub id: RewardId,
    pub brand_id: BrandId,
    pub brand_name: String,
    pub membership_id: MembershipId,
    pub ambassador_display_name: String,
    pub sku: String,
    pub description: String,
    pub status: RewardStatus,
    pub earned_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub shipping_name: Option<String>,
    pub shipping_address: Option<String>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub tracking: Option<String>,
    /// Who ships it, as the brand named them when fulfilling.
    pub carrier: Option<String>,
}

impl From<RewardView> for Reward {
    fn from(view: RewardView) -> Self {
        let r = view.reward;
        Self {
            id: r.id,
            brand_id: r.brand_id,
            brand_name: view.brand_name,
            membership_id: r.membership_id,
            ambassador_display_name: view.display_name,
            sku: r.sku,
            description: r.description,
            status: r.status,
            earned_at: time::from_db(r.earned_at),
            claimed_at: r.claimed_at.map(time::from_db),
            shipping_name: r.shipping_name,
            shipping_address: r.shipping_address,
            fulfilled_at: r.fulfilled_at.map(time::from_db),
            tracking: r.tracking,
            carrier: r.carrier,
        }
    }
}

/// Where the ambassador wants the free item shipped (already checked text).
#[derive(Debug)]
pub struct ClaimReward {
    pub influencer_id: InfluencerId,
    pub id: RewardId,
    pub shipping_name: String,
    pub shipping_address: String,
    pub now: DateTime<Utc>,
}

/// The brand shipped the item, with an optional tracking reference and carrier
/// (already checked text: [`crate::domain::shipping`]).
#[derive(Debug)]
pub struct FulfilReward {
    pub brand_id: BrandId,
    pub id: RewardId,
    pub tracking: Option<String>,
    pub carrier: Option<String>,
    pub now: DateTime<Utc>,
}

/// Up to `limit` of the brand's rewards after `after`, by id, optionally of one status.
pub async fn list_for_brand(
    db: &Db,
    brand: BrandId,
    status: Option<RewardStatus>,
    after: Option<RewardId>,
    limit: i64,
) -> Result<Vec<Reward>, RewardError> {
    db.read(move |conn| {
        let rows = store_rewards::list_for_brand(conn, brand, status, after, limit)?;
        Ok(rows.into_iter().map(Reward::from).collect())
    })
    .await
}

/// Up to `limit` of the influencer's rewards across their brands after `after`, by id.
pub async fn list_mine(
    db: &Db,
    influencer: InfluencerId,
    after: Option<RewardId>,
    limit: i64,
) -> Result<Vec<Reward>, RewardError> {
    db.read(move |conn| {
        let rows = store_rewards::list_for_influencer(conn, influencer, after, limit)?;
        Ok(rows.into_iter().map(Reward::from).collect())
    })
    .await
}

/// One of the influencer's rewards; another influencer's is [`RewardError::NotFound`],
/// as no reward is (the portal's claim form shows the reward it claims).
pub async fn find_mine(db: &Db, influencer: InfluencerId, id: RewardId) -> Result<Reward, RewardError> {
    db.read(move |conn| {
        let view = store_rewards::find_for_influencer(conn, influencer, id)?.ok_or(RewardError::NotFound)?;
        Ok(Reward::from(view))
    })
    .await
}

/// earned → claimed, by the ambassador who earned it.
pub async fn claim(db: &Db, command: ClaimReward) -> Result<Reward, RewardError> {
    db.write(move |conn| {
        let ClaimReward {
            influencer_id,
            id,
            shipping_name,
            shipping_address,
            now,
        } = command;
        store_rewards::find_for_influencer(conn, influencer_id, id)?.ok_or(RewardError::NotFound)?;
        if !store_rewards::claim(conn, id, &shipping_name, &shipping_address, time::to_db(now))? {
            return Err(RewardError::AlreadyClaimed);
        }
        let view = store_rewards::find_for_influencer(conn, influencer_id, id)?.ok_or(RewardError::NotFound)?;
        Ok(Reward::from(view))
    })
    .await
}

/// claimed → fulfilled, by the brand that granted it.
pub async fn fulfil(db: &Db, command: FulfilReward) -> Result<Reward, RewardError> {
    db.write(move |conn| {
        let FulfilReward {
            brand_id,
            id,
            tracking,
            carrier,
            now,
        } = command;
        let current = store_rewards::find_for_brand(conn, brand_id, id)?.ok_or(RewardError::NotFound)?;
        if !store_rewards::fulfil(conn, id, tracking.as_deref(), carrier.as_deref(), time::to_db(now))? {
            return Err(match current.reward.status {
                RewardStatus::Earned => RewardError::NotClaimed,
                _ => RewardError::AlreadyFulfilled,
            });
        }
        let view = store_rewards::find_for_brand(conn, brand_id, id)?.ok_or(RewardError::NotFound)?;
        Ok(Reward::from(view))
    })
    .await
}
