//! Free-item rewards: ambassadors see and claim theirs, brands see and fulfil them.
//! Each transition (earned → claimed → fulfilled) happens once, by its owner; someone
//! else's reward is 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::extract::{BrandUser, Influencer, Json};
use super::pagination::{Page, PageQuery};
use super::validate::Validator;
use super::{ApiError, db};
use crate::api::AppState;
use crate::domain::text::{Lines, refuse_invisible};
use crate::store::ids::{BrandId, MembershipId, RewardId};
use crate::store::rewards::{self, RewardStatus, RewardView};
use crate::store::time;

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
}

impl From<RewardView> for RewardResponse {
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
        }
    }
}

fn reward_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::RewardNotFound, "No such reward.")
}

/// `GET /v1/me/rewards?limit=&cursor=`: the influencer's rewards across their brands,
/// oldest first, a page at a time.
pub async fn list_my_rewards(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<RewardId>()?;
    let rows = db::read(&state.db, move |conn| {
        Ok(rewards::list_for_influencer(conn, me.influencer_id, after, limit + 1)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.reward.id.to_string(),
        RewardResponse::from,
    )))
}

fn text(input: &str, max: usize) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    refuse_invisible(value, Lines::Many)?;
    Ok(value.to_owned())
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
    let id = id.into_inner();
    let mut v = Validator::default();
    let name = v.check("shipping_name", text(&body.shipping_name, 200));
    let address = v.check("shipping_address", text(&body.shipping_address, 1000));
    let (Some(name), Some(address)) = (name, address) else {
        return Err(v.into_error());
    };
    let now = time::to_db(state.clock.now());
    let view = db::write(&state.db, move |conn| {
        rewards::find_for_influencer(conn, me.influencer_id, id)?.ok_or_else(reward_not_found)?;
        if !rewards::claim(conn, id, &name, &address, now)? {
            return Err(ApiError::conflict(
                ErrorCode::RewardNotClaimable,
                "This reward was already claimed.",
            ));
        }
        rewards::find_for_influencer(conn, me.influencer_id, id)?.ok_or_else(reward_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RewardResponse::from(view)))
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
    let rows = db::read(&state.db, move |conn| {
        Ok(rewards::list_for_brand(conn, user.brand_id, status, after, limit + 1)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.reward.id.to_string(),
        RewardResponse::from,
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FulfilRewardRequest {
    pub tracking: Option<String>,
}

/// `POST /v1/brand/rewards/{id}/fulfil`: the item was shipped.
pub async fn fulfil_reward(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<RewardId>,
    Json(body): Json<FulfilRewardRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let tracking = match body.tracking.as_deref() {
        Some(t) => Some(text(t, 500).map_err(|m| ApiError::field("tracking", m))?),
        None => None,
    };
    let now = time::to_db(state.clock.now());
    let view = db::write(&state.db, move |conn| {
        let current = rewards::find_for_brand(conn, user.brand_id, id)?.ok_or_else(reward_not_found)?;
        if !rewards::fulfil(conn, id, tracking.as_deref(), now)? {
            let detail = match current.reward.status {
                RewardStatus::Earned => "The ambassador has not claimed this reward yet.",
                _ => "This reward was already fulfilled.",
            };
            return Err(ApiError::conflict(ErrorCode::RewardNotFulfillable, detail));
        }
        rewards::find_for_brand(conn, user.brand_id, id)?.ok_or_else(reward_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RewardResponse::from(view)))
}
