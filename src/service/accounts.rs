//! Sign-up: a brand with its owner, or an influencer; either way the new account is
//! signed in at once (with API tokens, or with a portal session when the sign-up is made
//! on the web portal or the brand console).
//!
//! The password is hashed (argon2id, tens of milliseconds) on the blocking pool before
//! the write, so the single SQLite writer never waits for it.

use chrono::{DateTime, Utc};

use super::brands::Brand;
use super::influencers::Profile;
use super::sessions::{self, Subject, Tokens};
use super::web_sessions;
use crate::auth::{JwtKeys, password};
use crate::domain::{BrandName, Currency, DisplayName, Email, LandingUrl, Password, Slug};
use crate::store::brands::{self, BrandRow, NewBrand};
use crate::store::ids::{BrandId, BrandUserId, InfluencerId};
use crate::store::influencers::{self, InfluencerRow, NewInfluencer};
use crate::store::refresh_tokens::AccountKind;
use crate::store::users::{self, BrandRole, NewBrandUser};
use crate::store::{Db, DbConn, StoreError, UnitError, is_unique_violation, time};

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("another brand uses this slug")]
    SlugTaken,
    #[error("an account with this e-mail already exists")]
    EmailTaken,
    /// A unique violation that the checks before the insert did not see: a concurrent
    /// sign-up took the slug or the e-mail (SQLite names no constraint, so which one is
    /// not known).
    #[error("the slug or e-mail was taken at the same moment")]
    Raced,
    #[error(transparent)]
    Hash(#[from] password::HashError),
    #[error("could not sign the access token")]
    Token(#[from] jsonwebtoken::errors::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for SignUpError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

/// An insert of the new account: a unique violation there is [`SignUpError::Raced`].
fn raced(err: diesel::result::Error) -> SignUpError {
    if is_unique_violation(&err) {
        SignUpError::Raced
    } else {
        err.into()
    }
}

impl UnitError for SignUpError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A brand and its owner, parsed at the door.
#[derive(Debug, Clone)]
pub struct BrandSignUp {
    pub name: BrandName,
    pub slug: Slug,
    pub landing_url: LandingUrl,
    pub currency: Currency,
    pub owner_email: Email,
    pub owner_password: Password,
}

#[derive(Debug, Clone)]
pub struct BrandSignedUp {
    pub brand: Brand,
    pub tokens: Tokens,
}

/// Creates the brand and its owner, and signs the owner in.
pub async fn sign_up_brand(
    db: &Db,
    keys: &JwtKeys,
    sign_up: BrandSignUp,
    now: DateTime<Utc>,
) -> Result<BrandSignedUp, SignUpError> {
    let password_hash = hash(sign_up.owner_password.clone()).await?;
    let (brand, subject, refresh) = db
        .write(move |conn| -> Result<_, SignUpError> {
            let (brand, subject) = insert_brand(conn, &sign_up, &password_hash, now)?;
            let refresh = sessions::start(conn, &subject, now)?;
            Ok((brand, subject, refresh))
        })
        .await?;
    Ok(BrandSignedUp {
        brand: brand.into(),
        tokens: sessions::tokens(keys, &subject, refresh, now)?,
    })
}

/// The console's sign-up: the same brand and owner as [`sign_up_brand`], signed in
/// with a portal session instead of API tokens.
pub async fn sign_up_brand_on_web(
    db: &Db,
    sign_up: BrandSignUp,
    now: DateTime<Utc>,
) -> Result<web_sessions::Begun, SignUpError> {
    let password_hash = hash(sign_up.owner_password.clone()).await?;
    db.write(move |conn| -> Result<_, SignUpError> {
        let (_, subject) = insert_brand(conn, &sign_up, &password_hash, now)?;
        Ok(web_sessions::begin(conn, subject, now)?)
    })
    .await
}

/// Inserts the brand and its owner inside the caller's unit; a taken slug or e-mail
/// is refused.
fn insert_brand(
    conn: &mut DbConn,
    sign_up: &BrandSignUp,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(BrandRow, Subject), SignUpError> {
    let stamp = time::to_db(now);
    if brands::slug_exists(conn, sign_up.slug.as_str())? {
        return Err(SignUpError::SlugTaken);
    }
    if users::email_exists(conn, sign_up.owner_email.as_str())? {
        return Err(SignUpError::EmailTaken);
    }
    let brand_id = BrandId::generate();
    brands::insert(
        conn,
        &NewBrand {
            id: brand_id,
            name: sign_up.name.as_str(),
            slug: sign_up.slug.as_str(),
            landing_url: sign_up.landing_url.as_str(),
            currency: sign_up.currency.code(),
            created_at: stamp,
            updated_at: stamp,
        },
    )
    .map_err(raced)?;
    let user_id = BrandUserId::generate();
    users::insert(
        conn,
        &NewBrandUser {
            id: user_id,
            brand_id,
            email: sign_up.owner_email.as_str(),
            password_hash,
            role: BrandRole::Owner,
            created_at: stamp,
        },
    )
    .map_err(raced)?;
    let brand = brands::find(conn, brand_id)?
        .ok_or_else(|| StoreError::Corrupt(format!("brand {brand_id} vanished after insert")))?;
    let subject = Subject {
        account: AccountKind::Brand,
        id: user_id.to_string(),
    };
    Ok((brand, subject))
}

/// An influencer account, parsed at the door.
#[derive(Debug, Clone)]
pub struct InfluencerSignUp {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
}

#[derive(Debug, Clone)]
pub struct InfluencerSignedUp {
    pub influencer: Profile,
    pub tokens: Tokens,
}

/// Creates an influencer account and signs it in with API tokens.
pub async fn sign_up_influencer(
    db: &Db,
    keys: &JwtKeys,
    sign_up: InfluencerSignUp,
    now: DateTime<Utc>,
) -> Result<InfluencerSignedUp, SignUpError> {
    let password_hash = hash(sign_up.password.clone()).await?;
    let (influencer, subject, refresh) = db
        .write(move |conn| -> Result<_, SignUpError> {
            let (influencer, subject) = insert_influencer(conn, &sign_up, &password_hash, now)?;
            let refresh = sessions::start(conn, &subject, now)?;
            Ok((influencer, subject, refresh))
        })
        .await?;
    Ok(InfluencerSignedUp {
        influencer: influencer.into(),
        tokens: sessions::tokens(keys, &subject, refresh, now)?,
    })
}

/// The portal's sign-up: the same account as [`sign_up_influencer`], signed in with a
/// portal session instead of API tokens (no refresh token is issued that nobody holds).
pub async fn sign_up_influencer_on_web(
    db: &Db,
    sign_up: InfluencerSignUp,
    now: DateTime<Utc>,
) -> Result<web_sessions::Begun, SignUpError> {
    let password_hash = hash(sign_up.password.clone()).await?;
    db.write(move |conn| -> Result<_, SignUpError> {
        let (_, subject) = insert_influencer(conn, &sign_up, &password_hash, now)?;
        Ok(web_sessions::begin(conn, subject, now)?)
    })
    .await
}

/// Inserts the influencer inside the caller's unit; a taken address is refused.
fn insert_influencer(
    conn: &mut DbConn,
    sign_up: &InfluencerSignUp,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(InfluencerRow, Subject), SignUpError> {
    let email = sign_up.email.as_str();
    if influencers::email_exists(conn, email)? {
        return Err(SignUpError::EmailTaken);
    }
    let id = InfluencerId::generate();
    let stamp = time::to_db(now);
    influencers::insert(
        conn,
        &NewInfluencer {
            id,
            email,
            password_hash,
            display_name: sign_up.display_name.as_str(),
            payout_email: None,
            created_at: stamp,
            updated_at: stamp,
        },
    )
    .map_err(raced)?;
    let influencer = influencers::find(conn, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("influencer {id} vanished after insert")))?;
    let subject = Subject {
        account: AccountKind::Influencer,
        id: id.to_string(),
    };
    Ok((influencer, subject))
}

/// argon2id on the blocking pool, in the caller's span.
async fn hash(password: Password) -> Result<String, SignUpError> {
    Ok(crate::store::blocking(move || password::hash(password.expose())).await??)
}
