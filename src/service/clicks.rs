//! Following a referral link: which brand's landing page the visitor goes to, and the
//! click recorded when the link's code is usable.
//!
//! A visitor is kept only as salted hashes of IP address and user agent; the same
//! visitor on the same code within [`CLICK_DEDUPE_MINUTES`] counts once.

use chrono::{DateTime, Duration, Utc};

use crate::auth::pepper::Pepper;
use crate::domain::Slug;
use crate::service::attribution;
use crate::store::clicks::{self, ClickRow};
use crate::store::ids::ClickId;
use crate::store::{Db, StoreError, brands, time};

/// The same visitor on the same code within this window counts once.
pub const CLICK_DEDUPE_MINUTES: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("no brand has this link")]
    BrandNotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for FollowError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

/// A click on `/r/{brand_slug}/{code}`.
#[derive(Debug, Clone)]
pub struct FollowLink {
    pub brand_slug: String,
    pub code: String,
    pub ip: String,
    pub user_agent: String,
    /// False past the visitor's address budget: the link is followed as if its code were
    /// unusable, so a flood from one address can neither write click rows nor tell
    /// usable codes from unusable ones.
    pub within_budget: bool,
    pub now: DateTime<Utc>,
}

/// Where the visitor goes.
#[derive(Debug, Clone)]
pub struct Followed {
    /// The brand's landing page, as stored.
    pub landing_url: String,
    /// The usable code and the recorded click; `None` for an unknown or unusable code.
    pub referral: Option<(String, ClickId)>,
}

/// Follows a referral link: an unknown brand is [`FollowError::BrandNotFound`]; an
/// unknown or unusable code still leads to the landing page, without a click.
pub async fn follow(db: &Db, pepper: &Pepper, link: FollowLink) -> Result<Followed, FollowError> {
    let FollowLink {
        brand_slug,
        code,
        ip,
        user_agent,
        within_budget,
        now,
    } = link;
    let now_db = time::to_db(now);
    let (brand, owner) = db
        .read(move |conn| {
            let slug = Slug::parse(&brand_slug).map_err(|_| FollowError::BrandNotFound)?;
            let brand = brands::find_by_slug(conn, slug.as_str())?.ok_or(FollowError::BrandNotFound)?;
            let owner = if within_budget {
                attribution::find_code(conn, brand.id, &code)?.filter(|o| o.is_usable(now_db))
            } else {
                None
            };
            Ok::<_, FollowError>((brand, owner))
        })
        .await?;
    let Some(owner) = owner else {
        return Ok(Followed {
            landing_url: brand.landing_url,
            referral: None,
        });
    };
    let ip_hash = pepper.hash("ip", &ip);
    let ua_hash = pepper.hash("ua", &user_agent);
    let since = time::to_db(now - Duration::minutes(CLICK_DEDUPE_MINUTES));
    let (code_id, membership_id, brand_id) = (owner.code.id, owner.membership.id, brand.id);
    let click_id = db
        .write(move |conn| {
            if let Some(existing) = clicks::find_recent(conn, code_id, &ip_hash, &ua_hash, since)? {
                return Ok::<_, FollowError>(existing);
            }
            let row = ClickRow {
                id: ClickId::generate(),
                brand_id,
                code_id,
                membership_id,
                ip_hash,
                ua_hash,
                created_at: now_db,
            };
            clicks::insert(conn, &row)?;
            Ok(row.id)
        })
        .await?;
    Ok(Followed {
        landing_url: brand.landing_url,
        referral: Some((owner.code.code, click_id)),
    })
}
