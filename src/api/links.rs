//! Referral links: `GET /r/{brand_slug}/{code}` records a click and sends the visitor
//! to the brand's landing page with `ref` and `click_id` added.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Duration;

use super::ErrorCode;
use super::client_ip::ClientIp;
use super::{ApiError, db};
use crate::api::AppState;
use crate::domain::Slug;
use crate::service::attribution;
use crate::store::clicks::{self, ClickRow};
use crate::store::ids::ClickId;
use crate::store::{brands, time};

/// The same visitor on the same code within this window counts once.
pub const CLICK_DEDUPE_MINUTES: i64 = 30;

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
    let (slug, code) = path.into_inner();
    let now = state.clock.now();
    let now_db = time::to_db(now);
    let within_budget = state.link_limits.check(client).is_ok();
    let found = db::read(&state.db, move |conn| {
        let not_found = || ApiError::not_found(ErrorCode::BrandNotFound, "No brand has this link.");
        let slug = Slug::parse(&slug).map_err(|_| not_found())?;
        let brand = brands::find_by_slug(conn, slug.as_str())?.ok_or_else(not_found)?;
        let owner = if within_budget {
            attribution::find_code(conn, brand.id, &code)?.filter(|o| o.is_usable(now_db))
        } else {
            None
        };
        Ok((brand, owner))
    })
    .await?;
    let (brand, owner) = found;
    let mut target = url::Url::parse(&brand.landing_url)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored landing URL does not parse: {e}")))?;
    if let Some(owner) = owner {
        let ip = client.addr().to_string();
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let ip_hash = state.pepper.hash("ip", &ip);
        let ua_hash = state.pepper.hash("ua", &user_agent);
        let since = time::to_db(now - Duration::minutes(CLICK_DEDUPE_MINUTES));
        let code = owner.code.clone();
        let membership_id = owner.membership.id;
        let brand_id = brand.id;
        let click_id = db::write(&state.db, move |conn| {
            if let Some(existing) = clicks::find_recent(conn, code.id, &ip_hash, &ua_hash, since)? {
                return Ok(existing);
            }
            let row = ClickRow {
                id: ClickId::generate(),
                brand_id,
                code_id: code.id,
                membership_id,
                ip_hash,
                ua_hash,
                created_at: now_db,
            };
            clicks::insert(conn, &row)?;
            Ok(row.id)
        })
        .await?;
        target
            .query_pairs_mut()
            .append_pair("ref", &owner.code.code)
            .append_pair("click_id", &click_id.to_string());
    }
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, target.as_str()))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .finish())
}
