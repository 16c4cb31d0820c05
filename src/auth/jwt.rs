//! Access tokens: HS256 JWTs with `iss`, `aud`, `sub`, `iat`, `exp`, valid 15 minutes.
//!
//! Only HS256 is accepted: the header's `alg` is checked against a fixed list, so
//! `none` or an algorithm switch is refused. Expiry is checked against the injected
//! clock, not the system clock, so tests of time need no sleeps.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::store::refresh_tokens::AccountKind;

pub const ISSUER: &str = "reftrack";
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
/// Shortest secret accepted from the environment.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("token is malformed, badly signed, of another audience or algorithm")]
    Invalid,
    #[error("token has expired")]
    Expired,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: i64,
}

/// The signing and verifying keys made from one secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn issue(
        &self,
        audience: AccountKind,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, jsonwebtoken::errors::Error> {
        let iat = now.timestamp();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: audience.as_str().to_owned(),
            sub: subject.to_owned(),
            iat,
            exp: iat + ACCESS_TOKEN_TTL_SECS,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(AccessToken {
            token,
            expires_in: ACCESS_TOKEN_TTL_SECS,
        })
    }

    pub fn verify(&self, token: &str, audience: AccountKind, now: DateTime<Utc>) -> Result<Claims, JwtError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Checked below against the injected clock instead.
        validation.validate_exp = false;
        validation.leeway = 0;
        let data = decode::<Claims>(token, &self.decoding, &validation).map_err(|_| JwtError::Invalid)?;
        if data.claims.exp <= now.timestamp() {
            return Err(JwtError::Expired);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn keys() -> JwtKeys {
        JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn round_trip_and_audience() {
        let now = Utc::now();
        let token = keys()
            .issue(AccountKind::Brand, "user-1", now)
            .map(|t| t.token)
            .unwrap_or_default();
        assert_eq!(
            keys().verify(&token, AccountKind::Brand, now).map(|c| c.sub),
            Ok("user-1".to_owned())
        );
        assert_eq!(
            keys().verify(&token, AccountKind::Influencer, now).map(|c| c.sub),
            Err(JwtError::Invalid)
        );
    }

    #[test]
    fn expires_after_fifteen_minutes() {
        let now = Utc::now();
        let token = keys()
            .issue(AccountKind::Influencer, "i", now)
            .map(|t| t.token)
            .unwrap_or_default();
        assert!(
            keys()
                .verify(&token, AccountKind::Influencer, now + Duration::seconds(899))
                .is_ok()
        );
        assert_eq!(
            keys()
                .verify(&token, AccountKind::Influencer, now + Duration::seconds(900))
                .err(),
            Some(JwtError::Expired)
        );
    }

    #[test]
    fn other_algorithms_and_secrets_are_refused() {
        let now = Utc::now();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: "brand".into(),
            sub: "u".into(),
            iat: now.timestamp(),
            exp: now.timestamp() + 60,
        };
        let secret = b"0123456789abcdef0123456789abcdef";
        let hs512 = encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap_or_default();
        assert_eq!(
            keys().verify(&hs512, AccountKind::Brand, now).err(),
            Some(JwtError::Invalid)
        );
        let other = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"another secret of thirty-two bytes!"),
        )
        .unwrap_or_default();
        assert_eq!(
            keys().verify(&other, AccountKind::Brand, now).err(),
            Some(JwtError::Invalid)
        );
    }
}
