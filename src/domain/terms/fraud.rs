//! The program's fraud review thresholds (`fraud_review` in the terms document): when
//! an order's signals hold its commission for the brand's review. The signals
//! themselves are [`crate::domain::fraud`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fields::{FieldErrors, check, parse_rate};
use super::validate::bounded;

pub const DEFAULT_REPEAT_ORDERS: u32 = 5;
pub const MAX_REPEAT_ORDERS: u32 = 1000;
pub const DEFAULT_REPEAT_HOURS: u32 = 24;
pub const MAX_REPEAT_HOURS: u32 = 720;
pub const DEFAULT_MAX_REFUND_RATE: Decimal = Decimal::from_parts(50, 0, 0, false, 0);
pub const MAX_MIN_CLICK_SECONDS: u32 = 3600;

/// When an attributed order is held for review. Every threshold can be switched off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudRules {
    /// The order is the `repeat_orders`-th or later through one ambassador by one
    /// customer (e-mail hash) or one client (the click's IP and user-agent hashes)
    /// within `repeat_hours`; 0 = off.
    pub repeat_orders: u32,
    pub repeat_hours: u32,
    /// The ambassador's refund rate (orders refunded in the last 30 days ÷ orders placed
    /// in them) above this percentage; `None` = off.
    pub max_refund_rate: Option<Decimal>,
    /// The order was placed less than this many seconds after its click; 0 = off.
    pub min_click_seconds: u32,
}

impl Default for FraudRules {
    fn default() -> Self {
        Self {
            repeat_orders: DEFAULT_REPEAT_ORDERS,
            repeat_hours: DEFAULT_REPEAT_HOURS,
            max_refund_rate: Some(DEFAULT_MAX_REFUND_RATE),
            min_click_seconds: 0,
        }
    }
}

/// `fraud_review` as a client sends it: every key optional, absent = default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FraudInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_orders: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_hours: Option<i64>,
    /// Absent = the default (50); `null` = off. Serialised as `null` when off, so the
    /// stored document says so.
    #[serde(default = "default_refund_rate", deserialize_with = "present_or_null")]
    pub max_refund_rate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_click_seconds: Option<i64>,
}

impl Default for FraudInput {
    fn default() -> Self {
        Self {
            repeat_orders: None,
            repeat_hours: None,
            max_refund_rate: default_refund_rate(),
            min_click_seconds: None,
        }
    }
}

fn default_refund_rate() -> Option<String> {
    Some(DEFAULT_MAX_REFUND_RATE.to_string())
}

/// A present key: `null` is `None`, a value is `Some`.
fn present_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer)
}

/// `fraud_review` as sent: an object, or `null` (the defaults, or in a patch the
/// current thresholds). A derived struct would also read a JSON array of its fields in
/// order, which no client means and the spec does not allow.
pub fn object_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<FraudInput>, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Object(map) => FraudInput::deserialize(serde_json::Value::Object(map))
            .map(Some)
            .map_err(D::Error::custom),
        _ => Err(D::Error::custom("fraud_review must be an object")),
    }
}

impl FraudRules {
    pub(super) fn to_input(&self) -> FraudInput {
        FraudInput {
            repeat_orders: Some(i64::from(self.repeat_orders)),
            repeat_hours: Some(i64::from(self.repeat_hours)),
            max_refund_rate: self.max_refund_rate.map(|r| r.normalize().to_string()),
            min_click_seconds: Some(i64::from(self.min_click_seconds)),
        }
    }
}

impl FraudInput {
    /// Validates the thresholds, errors under `fraud_review.<key>`.
    pub(super) fn validate(self, errors: &mut FieldErrors) -> Option<FraudRules> {
        let before = errors.len();
        let path = |key: &str| format!("fraud_review.{key}");
        let repeat_orders = bounded(
            errors,
            &path("repeat_orders"),
            self.repeat_orders,
            DEFAULT_REPEAT_ORDERS,
            0,
            MAX_REPEAT_ORDERS,
        );
        let repeat_hours = bounded(
            errors,
            &path("repeat_hours"),
            self.repeat_hours,
            DEFAULT_REPEAT_HOURS,
            1,
            MAX_REPEAT_HOURS,
        );
        let max_refund_rate = match self.max_refund_rate.as_deref() {
            None => Some(None),
            Some(rate) => check(errors, path("max_refund_rate"), parse_rate(rate)).map(Some),
        };
        let min_click_seconds = bounded(
            errors,
            &path("min_click_seconds"),
            self.min_click_seconds,
            0,
            0,
            MAX_MIN_CLICK_SECONDS,
        );
        match (repeat_orders, repeat_hours, max_refund_rate, min_click_seconds) {
            (Some(repeat_orders), Some(repeat_hours), Some(max_refund_rate), Some(min_click_seconds))
                if errors.len() == before =>
            {
                Some(FraudRules {
                    repeat_orders,
                    repeat_hours,
                    max_refund_rate,
                    min_click_seconds,
                })
            }
            _ => None,
        }
    }
}
