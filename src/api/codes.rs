//! Referral codes over HTTP: the brand issues, lists and changes an ambassador's codes
//! (vanity or generated, case-insensitive, unique per brand, at most ten active per
//! ambassador), and the influencer lists their own across brands (the rules live in
//! [`crate::service::codes`]).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{BrandUser, Influencer, Json};
use super::invitations::MembershipBrand;
use super::pagination::{Page, PageQuery};
use super::validate::{Validator, nullable};
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::codes::{self, parse_expiry, parse_max_uses};
use crate::service::codes::{self as code_service, Code, CodeError, CreateCode, MAX_ACTIVE_CODES, MyCode, UpdateCode};
use crate::store::codes::CodeRow;
use crate::store::ids::{CodeId, MembershipId};
use crate::store::memberships::MembershipStatus;

#[derive(Debug, Serialize)]
pub struct CodeResponse {
    pub id: CodeId,
    pub code: String,
    pub membership_id: MembershipId,
    pub active: bool,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub expires_at: Option<DateTime<Utc>>,
    /// The code's twin promotion code in Stripe, so a Stripe checkout that applied it
    /// is attributed to this code.
    pub stripe_promotion_code: Option<String>,
    /// `{REFTRACK_PUBLIC_URL}/r/{brand_slug}/{code}`
    pub referral_link: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CodeResponse {
    pub fn new(public_url: &str, code: Code) -> Self {
        Self {
            referral_link: referral_link(public_url, &code.brand_slug, &code.code),
            id: code.id,
            code: code.code,
            membership_id: code.membership_id,
            active: code.active,
            max_uses: code.max_uses,
            uses: code.uses,
            expires_at: code.expires_at,
            stripe_promotion_code: code.stripe_promotion_code,
            created_at: code.created_at,
            updated_at: code.updated_at,
        }
    }
}

pub fn referral_link(public_url: &str, slug: &str, code: &str) -> String {
    format!("{public_url}/r/{slug}/{code}")
}

/// The ambassador's own invitation link for other creators (two tiers,
/// [`crate::service::recruits`]): `{public_url}/join/{slug}/{code}`.
pub fn recruit_link(public_url: &str, slug: &str, code: &str) -> String {
    format!("{public_url}/join/{slug}/{code}")
}

/// A stored code as answered, its referral link under the brand's `slug`.
pub fn code_response(public_url: &str, slug: &str, row: CodeRow) -> CodeResponse {
    CodeResponse::new(public_url, Code::new(row, slug.to_owned()))
}

impl From<CodeError> for ApiError {
    fn from(err: CodeError) -> Self {
        match err {
            CodeError::AmbassadorNotFound => ApiError::not_found(ErrorCode::AmbassadorNotFound, "No such ambassador."),
            CodeError::CodeNotFound => ApiError::not_found(ErrorCode::CodeNotFound, "No such code."),
            CodeError::MembershipEnded => {
                ApiError::conflict(ErrorCode::MembershipEnded, "The ambassador's membership has ended.")
            }
            CodeError::TooManyCodes => ApiError::unprocessable(
                ErrorCode::TooManyCodes,
                format!("An ambassador can have at most {MAX_ACTIVE_CODES} active codes; deactivate one first."),
            ),
            CodeError::Taken => ApiError::conflict(
                ErrorCode::CodeTaken,
                "This code is already used in this brand (codes ignore case).",
            ),
            CodeError::PromotionCodeTaken => ApiError::conflict(
                ErrorCode::CodeTaken,
                "Another code of this brand already names this Stripe promotion code as its twin.",
            ),
            CodeError::Exhausted => ApiError::internal(err),
            CodeError::Store(err) => err.into(),
        }
    }
}

/// A Stripe promotion code id: `promo_` and letters or digits.
fn parse_promotion_code(value: &str) -> Result<String, String> {
    let value = value.trim();
    let rest = value.strip_prefix("promo_").unwrap_or("");
    if rest.is_empty() || rest.len() > 64 || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("must be a Stripe promotion code id such as promo_1MiM6KLkdIwHu7ix".into());
    }
    Ok(value.to_owned())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCodeRequest {
    /// A vanity code; absent means "generate one".
    pub code: Option<String>,
    pub max_uses: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /v1/brand/ambassadors/{id}/codes`
pub async fn create_code(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
    Json(body): Json<CreateCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let mut v = Validator::default();
    let vanity = v.check_opt("code", body.code.as_deref().map(codes::parse_vanity));
    let max_uses = v.check_opt("max_uses", body.max_uses.map(parse_max_uses));
    let expires_at = v.check_opt("expires_at", body.expires_at.map(|at| parse_expiry(at, now)));
    let (Some(code), Some(max_uses), Some(expires_at)) = (vanity, max_uses, expires_at) else {
        return Err(v.into_error());
    };
    let command = CreateCode {
        brand_id: user.brand_id,
        membership_id: id.into_inner(),
        code,
        max_uses,
        expires_at,
        now,
    };
    let code = code_service::create(&state.db, command).await?;
    Ok(HttpResponse::Created().json(CodeResponse::new(&state.public_url, code)))
}

/// `GET /v1/brand/ambassadors/{id}/codes`: all of the ambassador's codes, oldest first.
pub async fn list_codes(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
) -> Result<HttpResponse, ApiError> {
    let codes = code_service::list(&state.db, user.brand_id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Page::<CodeResponse> {
        items: codes
            .into_iter()
            .map(|code| CodeResponse::new(&state.public_url, code))
            .collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCodeRequest {
    pub active: Option<bool>,
    /// `null` removes the limit.
    #[serde(default, deserialize_with = "nullable")]
    pub max_uses: Option<Option<i64>>,
    /// `null` removes the expiry.
    #[serde(default, deserialize_with = "nullable")]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// The id of the code's twin promotion code in Stripe (`promo_…`); `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    pub stripe_promotion_code: Option<Option<String>>,
}

/// `PATCH /v1/brand/codes/{id}`: deactivate or reactivate, change limits. The code
/// text itself never changes: it is printed on posts and packaging.
pub async fn update_code(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<CodeId>,
    Json(body): Json<UpdateCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let mut v = Validator::default();
    let max_uses = match body.max_uses {
        Some(Some(n)) => v.check("max_uses", parse_max_uses(n)).map(|n| Some(Some(n))),
        other => Some(other),
    };
    let expires_at = match body.expires_at {
        Some(Some(at)) => v.check("expires_at", parse_expiry(at, now)).map(|at| Some(Some(at))),
        other => Some(other),
    };
    let promotion = match body.stripe_promotion_code {
        Some(Some(id)) => v
            .check("stripe_promotion_code", parse_promotion_code(&id))
            .map(|id| Some(Some(id))),
        other => Some(other),
    };
    let (Some(max_uses), Some(expires_at), Some(stripe_promotion_code)) = (max_uses, expires_at, promotion) else {
        return Err(v.into_error());
    };
    let command = UpdateCode {
        brand_id: user.brand_id,
        code_id: id.into_inner(),
        active: body.active,
        max_uses,
        expires_at,
        stripe_promotion_code,
        now,
    };
    let code = code_service::update(&state.db, command).await?;
    Ok(HttpResponse::Ok().json(CodeResponse::new(&state.public_url, code)))
}

/// A code as its ambassador sees it in `GET /v1/me/codes`: the brand's view of the code
/// without the brand's Stripe set-up, with the brand and the membership's status.
#[derive(Debug, Serialize)]
pub struct MyCodeResponse {
    pub id: CodeId,
    pub code: String,
    pub brand: MembershipBrand,
    pub membership_id: MembershipId,
    pub membership_status: MembershipStatus,
    pub active: bool,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub expires_at: Option<DateTime<Utc>>,
    /// `{REFTRACK_PUBLIC_URL}/r/{brand_slug}/{code}`
    pub referral_link: String,
    /// `{REFTRACK_PUBLIC_URL}/join/{brand_slug}/{code}`: other creators join the
    /// program through it as the ambassador's recruits, while the program pays
    /// recruiters (`override_rate`).
    pub recruit_link: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MyCodeResponse {
    pub fn new(public_url: &str, mine: MyCode) -> Self {
        let MyCode {
            code,
            brand_id,
            brand_name,
            membership_status,
        } = mine;
        Self {
            recruit_link: recruit_link(public_url, &code.brand_slug, &code.code),
            referral_link: referral_link(public_url, &code.brand_slug, &code.code),
            id: code.id,
            code: code.code,
            brand: MembershipBrand {
                id: brand_id,
                name: brand_name,
                slug: code.brand_slug,
            },
            membership_id: code.membership_id,
            membership_status,
            active: code.active,
            max_uses: code.max_uses,
            uses: code.uses,
            expires_at: code.expires_at,
            created_at: code.created_at,
            updated_at: code.updated_at,
        }
    }
}

/// `GET /v1/me/codes`: the influencer's codes in every brand, oldest first.
pub async fn list_my_codes(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request::<CodeId>()?;
    let codes = code_service::list_mine(&state.db, me.influencer_id, page).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(codes, |mine| {
        MyCodeResponse::new(&state.public_url, mine)
    })))
}
