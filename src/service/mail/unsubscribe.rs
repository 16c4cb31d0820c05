//! One-click unsubscribe (RFC 8058) for the notifications an influencer can switch off.
//!
//! A notification carries `List-Unsubscribe: <{public_url}/v1/notifications/unsubscribe?token=…>`
//! and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The token names the
//! influencer and the topic and is signed with the instance's keyed hash, so it needs no
//! table and cannot be made for another account; it does not expire (an old e-mail's
//! button still works), and using it twice changes nothing.

use chrono::{DateTime, Utc};

use crate::auth::pepper::Pepper;
use crate::store::ids::InfluencerId;
use crate::store::influencers::{self, InfluencerChanges};
use crate::store::{Db, StoreError, time};

/// What an influencer can be told about, and stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Sales,
    Payouts,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sales => "sales",
            Self::Payouts => "payouts",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "sales" => Some(Self::Sales),
            "payouts" => Some(Self::Payouts),
            _ => None,
        }
    }

    /// How the topic reads in a sentence: "e-mails about each sale".
    pub fn described(self) -> &'static str {
        match self {
            Self::Sales => "e-mails about each sale",
            Self::Payouts => "e-mails about each payout",
        }
    }
}

const LABEL: &str = "unsubscribe";

/// The token for one influencer and topic.
pub fn token(pepper: &Pepper, influencer: InfluencerId, topic: Topic) -> String {
    let claim = format!("{influencer}.{}", topic.as_str());
    let mac = pepper.hash(LABEL, &claim);
    format!("{claim}.{mac}")
}

/// The influencer and topic a token names, when its signature holds.
pub fn verify(pepper: &Pepper, token: &str) -> Option<(InfluencerId, Topic)> {
    let (claim, mac) = token.rsplit_once('.')?;
    let (id, topic) = claim.split_once('.')?;
    let expected = pepper.hash(LABEL, claim);
    // Compared in constant time: the signature is the secret part.
    if expected.len() != mac.len() || expected.bytes().zip(mac.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
        return None;
    }
    Some((id.parse().ok()?, Topic::parse(topic)?))
}

#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    #[error("the unsubscribe link is not valid")]
    InvalidToken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The topic a valid token would switch off, without changing anything (the page that
/// asks to confirm).
pub fn topic_of(pepper: &Pepper, token: &str) -> Result<Topic, UnsubscribeError> {
    verify(pepper, token)
        .map(|(_, topic)| topic)
        .ok_or(UnsubscribeError::InvalidToken)
}

/// Switches the token's topic off for its influencer; the topic.
pub async fn apply(db: &Db, pepper: &Pepper, token: &str, now: DateTime<Utc>) -> Result<Topic, UnsubscribeError> {
    let (influencer, topic) = verify(pepper, token).ok_or(UnsubscribeError::InvalidToken)?;
    let now = time::to_db(now);
    // An account deleted since the e-mail went out has nothing left to stop.
    db.write(move |conn| {
        let changes = InfluencerChanges {
            notify_sales: (topic == Topic::Sales).then_some(false),
            notify_payouts: (topic == Topic::Payouts).then_some(false),
            updated_at: Some(now),
            ..InfluencerChanges::default()
        };
        Ok::<_, StoreError>(influencers::update(conn, influencer, &changes)?)
    })
    .await?;
    Ok(topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_key_influencer_and_topic() {
        let pepper = Pepper::new(b"key");
        let id = InfluencerId::generate();
        let sales = token(&pepper, id, Topic::Sales);
        assert_eq!(verify(&pepper, &sales), Some((id, Topic::Sales)));
        assert_eq!(verify(&Pepper::new(b"other"), &sales), None);
        let forged = sales.replace(".sales.", ".payouts.");
        assert_eq!(verify(&pepper, &forged), None);
        let other = InfluencerId::generate();
        assert_eq!(
            verify(&pepper, &sales.replace(&id.to_string(), &other.to_string())),
            None
        );
        assert_eq!(verify(&pepper, ""), None);
        assert_eq!(verify(&pepper, "a.b"), None);
        assert_eq!(verify(&pepper, &sales[..sales.len() - 1]), None);
    }
}
