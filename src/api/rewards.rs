//! Free-item rewards: ambassadors see and claim theirs, brands see and fulfil them.
//! Each transition (earned → claimed → fulfilled) happens once, by its owner; someone
//! else's reward is 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{BrandUser, Influencer, Json};
use super::pagination::{Page, PageQuery};
use super::validate::Validator;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::shipping;
use crate::service::rewards::{self, ClaimReward, FulfilReward, Reward, RewardError};
use crate::store::ids::{BrandId, MembershipId, RewardId};
use crate::store::rewards::RewardStatus;

#[derive(Debug, Serialize)]
pub struct RewardResponse {
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
    pub carrier: Option<String>,
}

impl From<Reward> for RewardResponse {
    fn from(r: Reward) -> Self {
        Self {
            id: r.id,
            brand_id: r.brand_id,
            brand_name: r.brand_name,
            membership_id: r.membership_id,
            ambassador_display_name: r.ambassador_display_name,
            sku: r.sku,
            description: r.description,
            status: r.status,
            earned_at: r.earned_at,
            claimed_at: r.claimed_at,
            shipping_name: r.shipping_name,
            shipping_address: r.shipping_address,
            fulfilled_at: r.fulfilled_at,
            tracking: r.tracking,
            carrier: r.carrier,
        }
    }
}

impl From<RewardError> for ApiError {
    fn from(err: RewardError) -> Self {
        match err {
            RewardError::NotFound => ApiError::not_found(ErrorCode::RewardNotFound, "No such reward."),
            RewardError::AlreadyClaimed => {
                ApiError::conflict(ErrorCode::RewardNotClaimable, "This reward was already claimed.")
            }
            RewardError::NotClaimed => ApiError::conflict(
                ErrorCode::RewardNotFulfillable,
                "The ambassador has not claimed this reward yet.",
            ),
            RewardError::AlreadyFulfilled => {
                ApiError::conflict(ErrorCode::RewardNotFulfillable, "This reward was already fulfilled.")
            }
            RewardError::Store(err) => err.into(),
        }
    }
}

/// `GET /v1/me/rewards?limit=&cursor=`: the influencer's rewards across their brands,
/// oldest first, a page at a time.
pub async fn list_my_rewards(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<RewardId>()?;
    let rewards = rewards::list_mine(&state.db, me.influencer_id, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rewards,
        limit,
        |r| r.id.to_string(),
        RewardResponse::from,
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRewardRequest {
    pub shipping_name: String,
    pub shipping_address: String,
}

/// `POST /v1/me/rewards/{id}/claim`: where to ship the free item.
pub async fn claim_reward(
    state: web::Data<AppState>,
    me: Influencer,
    id: web::Path<RewardId>,
    Json(body): Json<ClaimRewardRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let name = v.check("shipping_name", shipping::name(&body.shipping_name));
    let address = v.check("shipping_address", shipping::address(&body.shipping_address));
    let (Some(name), Some(address)) = (name, address) else {
        return Err(v.into_error());
    };
    let command = ClaimReward {
        influencer_id: me.influencer_id,
        id: id.into_inner(),
        shipping_name: name,
        shipping_address: address,
        now: state.clock.now(),
    };
    let reward = rewards::claim(&state.db, command).await?;
    Ok(HttpResponse::Ok().json(RewardResponse::from(reward)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandRewardsQuery {
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /v1/brand/rewards?status=`: the brand's rewards, e.g. `claimed` ones to ship.
pub async fn list_brand_rewards(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<BrandRewardsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            RewardStatus::parse(s)
                .ok_or_else(|| ApiError::field("status", "must be one of earned, claimed, fulfilled"))?,
        ),
    };
    let (limit, after) = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .parse::<RewardId>()?;
    let rewards = rewards::list_for_brand(&state.db, user.brand_id, status, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rewards,
        limit,
        |r| r.id.to_string(),
        RewardResponse::from,
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FulfilRewardRequest {
    pub tracking: Option<String>,
    /// Who ships it ("DHL Express"): one line, 1–100 characters.
    pub carrier: Option<String>,
}

/// `POST /v1/brand/rewards/{id}/fulfil`: the item was shipped.
pub async fn fulfil_reward(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<RewardId>,
    Json(body): Json<FulfilRewardRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let tracking = v.check_opt("tracking", body.tracking.as_deref().map(shipping::tracking));
    let carrier = v.check_opt("carrier", body.carrier.as_deref().map(shipping::carrier));
    let (Some(tracking), Some(carrier)) = (tracking, carrier) else {
        return Err(v.into_error());
    };
    let command = FulfilReward {
        brand_id: user.brand_id,
        id: id.into_inner(),
        tracking,
        carrier,
        now: state.clock.now(),
    };
    let reward = rewards::fulfil(&state.db, command).await?;
    Ok(HttpResponse::Ok().json(RewardResponse::from(reward)))
}
