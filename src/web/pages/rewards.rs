//! `GET /app/rewards`: the free items the influencer earned, where each stands (earned,
//! claimed, shipped with its tracking reference); an earned one is claimed with a
//! shipping address at `GET|POST /app/rewards/{id}/claim` (CSRF-checked), through the
//! same use case and the same field rules as `POST /v1/me/rewards/{id}/claim`.
//! Another influencer's reward is 404 on both; one claimed meanwhile is a 409 page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::notice::Notice;
use crate::api::AppState;
use crate::domain::{display, shipping};
use crate::service::rewards::{self, ClaimReward, Reward, RewardError};
use crate::store::ids::RewardId;
use crate::store::rewards::RewardStatus;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Rewards shown on the page (one per few orders: an influencer has a handful).
const SHOWN: i64 = 200;

struct Card {
    id: RewardId,
    brand: String,
    item: String,
    sku: String,
    status: &'static str,
    claimable: bool,
    earned: String,
    claimed: Option<String>,
    shipped: Option<String>,
    tracking: Option<String>,
}

impl From<Reward> for Card {
    fn from(r: Reward) -> Self {
        Self {
            status: match r.status {
                RewardStatus::Earned => "earned",
                RewardStatus::Claimed => "claimed, waiting to ship",
                RewardStatus::Fulfilled => "shipped",
            },
            claimable: r.status == RewardStatus::Earned,
            earned: display::date(r.earned_at),
            claimed: r.claimed_at.map(|at| {
                let to = r.shipping_name.as_deref().unwrap_or_default();
                format!("Claimed {}, shipping to {to}", display::date(at))
            }),
            shipped: r.fulfilled_at.map(display::date),
            tracking: r.tracking,
            id: r.id,
            brand: r.brand_name,
            item: r.description,
            sku: r.sku,
        }
    }
}

#[derive(Template)]
#[template(path = "web/rewards.html")]
struct RewardsPage<'a> {
    current: &'a str,
    csrf: &'a str,
    claimed: bool,
    cards: Vec<Card>,
}

#[derive(Debug, Deserialize)]
pub struct Claimed {
    claimed: Option<String>,
}

fn failed(err: RewardError) -> PageError {
    match err {
        RewardError::NotFound => PageError::NotFound,
        err => PageError::Internal(format!("{err:#}")),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Claimed>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let mine = rewards::list_mine(&state.db, influencer, None, SHOWN)
        .await
        .map_err(failed)?;
    Ok(page(
        StatusCode::OK,
        &RewardsPage {
            current: "rewards",
            csrf: &signed_in.session.csrf_token,
            claimed: query.claimed.is_some(),
            cards: mine.into_iter().map(Card::from).collect(),
        },
    ))
}

#[derive(Template)]
#[template(path = "web/claim.html")]
struct ClaimPage<'a> {
    current: &'a str,
    csrf: &'a str,
    id: RewardId,
    brand: &'a str,
    item: &'a str,
    shipping_name: &'a str,
    shipping_address: &'a str,
    name_max: usize,
    address_max: usize,
    name_error: Option<String>,
    address_error: Option<String>,
}

impl<'a> ClaimPage<'a> {
    fn new(csrf: &'a str, reward: &'a Reward) -> Self {
        Self {
            current: "rewards",
            csrf,
            id: reward.id,
            brand: &reward.brand_name,
            item: &reward.description,
            shipping_name: "",
            shipping_address: "",
            name_max: shipping::NAME_MAX,
            address_max: shipping::ADDRESS_MAX,
            name_error: None,
            address_error: None,
        }
    }
}

/// The 409 page of a reward no longer `earned`.
fn already_claimed(csrf: &str) -> HttpResponse {
    Notice {
        console: false,
        current: "rewards",
        csrf,
        title: "Already claimed",
        message: "This reward was already claimed; the brand ships it to the address given then.",
        back: "/app/rewards",
        back_label: "Your rewards",
    }
    .answer(StatusCode::CONFLICT)
}

pub async fn claim_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<RewardId>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let csrf = &signed_in.session.csrf_token;
    let reward = rewards::find_mine(&state.db, influencer, id.into_inner())
        .await
        .map_err(failed)?;
    if reward.status != RewardStatus::Earned {
        return Ok(already_claimed(csrf));
    }
    Ok(page(StatusCode::OK, &ClaimPage::new(csrf, &reward)))
}

#[derive(Debug, Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    shipping_name: String,
    #[serde(default)]
    shipping_address: String,
}

pub async fn claim(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<RewardId>,
    form: web::Form<ClaimForm>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    signed_in.check_form(&form.csrf)?;
    let csrf = &signed_in.session.csrf_token;
    let id = id.into_inner();
    // A textarea sends its line breaks as CR LF (HTML's form encoding); the address
    // keeps `\n` only, as the API's does.
    let typed_address = form.shipping_address.replace("\r\n", "\n").replace('\r', "\n");
    let name = shipping::name(&form.shipping_name);
    let address = shipping::address(&typed_address);
    let (Ok(name), Ok(address)) = (&name, &address) else {
        let reward = rewards::find_mine(&state.db, influencer, id).await.map_err(failed)?;
        if reward.status != RewardStatus::Earned {
            return Ok(already_claimed(csrf));
        }
        let refused = ClaimPage {
            shipping_name: &form.shipping_name,
            shipping_address: &typed_address,
            name_error: name.as_ref().err().cloned(),
            address_error: address.as_ref().err().cloned(),
            ..ClaimPage::new(csrf, &reward)
        };
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &refused));
    };
    let command = ClaimReward {
        influencer_id: influencer,
        id,
        shipping_name: name.clone(),
        shipping_address: address.clone(),
        now: state.clock.now(),
    };
    match rewards::claim(&state.db, command).await {
        Ok(_) => Ok(see_other("/app/rewards?claimed=1")),
        Err(RewardError::AlreadyClaimed) => Ok(already_claimed(csrf)),
        Err(err) => Err(failed(err)),
    }
}
