//! Referral links: `GET /r/{brand_slug}/{code}` records a click and sends the visitor
//! to the brand's landing page with `ref`, `click_id` and UTM parameters added (see
//! [`landing_target`]).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::client_ip::ClientIp;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::landing::landing_target;
use crate::service::clicks::{self, FollowError, FollowLink};

impl From<FollowError> for ApiError {
    fn from(err: FollowError) -> Self {
        match err {
            FollowError::BrandNotFound => ApiError::not_found(ErrorCode::BrandNotFound, "No brand has this link."),
            FollowError::Store(err) => err.into(),
        }
    }
}

/// `GET /r/{brand_slug}/{code}`. An unknown brand is 404; an unknown or unusable code
/// still sends the visitor to the landing page, without `ref` or `click_id`.
///
/// Past its address's budget a visitor is treated as if the code were unusable: no
/// code is looked up and no click recorded, so a flood from one address can neither
/// write click rows nor tell usable codes from unusable ones by the `ref`.
pub async fn follow_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientIp,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (brand_slug, code) = path.into_inner();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let link = FollowLink {
        brand_slug,
        code,
        ip: client.addr().to_string(),
        user_agent,
        within_budget: state.link_limits.check(client).is_ok(),
        now: state.clock.now(),
    };
    let followed = clicks::follow(&state.db, &state.pepper, link).await?;
    let landing = url::Url::parse(&followed.landing_url)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored landing URL does not parse: {e}")))?;
    let click = followed
        .referral
        .as_ref()
        .map(|(code, click)| (code.as_str(), click.to_string()));
    let target = landing_target(&landing, click.as_ref().map(|(code, click)| (*code, click.as_str())));
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, target.as_str()))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .finish())
}
