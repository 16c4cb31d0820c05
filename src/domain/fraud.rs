//! Fraud signals of an attributed order: what was seen when it was recorded, and
//! which of it the program's thresholds ([`FraudRules`]) make a reason to hold the
//! commission for the brand's review.

use rust_decimal::Decimal;

use super::terms::FraudRules;

/// The fewest orders in the 30-day window before a refund rate means anything.
pub const MIN_ORDERS_FOR_REFUND_RATE: i64 = 10;
pub const REFUND_RATE_DAYS: i64 = 30;

/// One reason to review an order, as stored in the order's `signals`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The customer (e-mail hash) ordered through the ambassador `repeat_orders` times
    /// or more within `repeat_hours`, this order included.
    RepeatCustomer,
    /// The same for the client of the order's click (IP and user-agent hashes).
    RepeatClient,
    /// The ambassador's refund rate over the last 30 days (orders refunded in them ÷
    /// orders placed in them) is above `max_refund_rate`.
    HighRefundRate,
    /// The customer's e-mail is the login e-mail of another ambassador of the brand.
    CustomerIsAmbassador,
    /// The customer's e-mail is the payout e-mail of an ambassador of the brand.
    CustomerIsPayoutEmail,
    /// The order was placed less than `min_click_seconds` after its click.
    InstantClick,
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RepeatCustomer => "repeat_customer",
            Self::RepeatClient => "repeat_client",
            Self::HighRefundRate => "high_refund_rate",
            Self::CustomerIsAmbassador => "customer_is_ambassador",
            Self::CustomerIsPayoutEmail => "customer_is_payout_email",
            Self::InstantClick => "instant_click",
        }
    }
}

impl Signal {
    /// The signal as the brand reads it.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::RepeatCustomer => "one customer ordered through the ambassador repeatedly in a short time",
            Self::RepeatClient => "one device ordered through the ambassador's link repeatedly in a short time",
            Self::HighRefundRate => "the ambassador's refund rate over the last 30 days is above the program's limit",
            Self::CustomerIsAmbassador => "the customer's e-mail is another ambassador's login",
            Self::CustomerIsPayoutEmail => "the customer's e-mail is an ambassador's payout e-mail",
            Self::InstantClick => "the order came seconds after its link click",
        }
    }

    /// A few words for a table cell.
    pub fn label(self) -> &'static str {
        match self {
            Self::RepeatCustomer => "repeat customer",
            Self::RepeatClient => "repeat device",
            Self::HighRefundRate => "high refund rate",
            Self::CustomerIsAmbassador => "customer is an ambassador",
            Self::CustomerIsPayoutEmail => "customer uses a payout e-mail",
            Self::InstantClick => "instant click",
        }
    }

    /// A stored signal name read back; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The signals stored with an order (its `signals` JSON array), the names this version
/// knows, in order; none when the text does not read back.
pub fn stored(json: &str) -> Vec<Signal> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|name| Signal::parse(name))
        .collect()
}

const ALL: [Signal; 6] = [
    Signal::RepeatCustomer,
    Signal::RepeatClient,
    Signal::HighRefundRate,
    Signal::CustomerIsAmbassador,
    Signal::CustomerIsPayoutEmail,
    Signal::InstantClick,
];

/// The reason of the automatic hold the signals call for.
pub fn hold_reason(signals: &[Signal]) -> String {
    let sentences: Vec<&str> = signals.iter().map(|s| s.sentence()).collect();
    format!("Held automatically for review: {}.", sentences.join("; "))
}

/// What was read about an order when it was recorded. `None`: not read (the rule is
/// off, or the order has no click or no customer e-mail).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Earlier orders through the ambassador by this customer within `repeat_hours`.
    pub customer_orders: Option<i64>,
    /// Earlier orders through the ambassador from this click's client within `repeat_hours`.
    pub client_orders: Option<i64>,
    /// (orders placed, orders refunded) of the ambassador in the refund-rate window.
    pub refunds: Option<(i64, i64)>,
    pub customer_is_ambassador: bool,
    pub customer_is_payout_email: bool,
    /// Seconds from the order's click to `placed_at`.
    pub click_age_seconds: Option<i64>,
}

/// Whether `refunded` orders could put a refund rate above `max` percent at all: only
/// if they exceed it at the fewest orders a rate counts from.
pub fn could_exceed(refunded: i64, max: Decimal) -> bool {
    Decimal::from(refunded) * Decimal::ONE_HUNDRED > max * Decimal::from(MIN_ORDERS_FOR_REFUND_RATE)
}

/// The signals `facts` raise under `rules`, in a fixed order.
pub fn signals(facts: &Facts, rules: &FraudRules) -> Vec<Signal> {
    let repeat = |earlier: Option<i64>| {
        rules.repeat_orders > 0 && earlier.is_some_and(|n| n + 1 >= i64::from(rules.repeat_orders))
    };
    let refund_rate_high = match (facts.refunds, rules.max_refund_rate) {
        (Some((orders, refunded)), Some(max)) if orders >= MIN_ORDERS_FOR_REFUND_RATE => {
            // refunded / orders > max / 100, exactly: refunded × 100 > max × orders.
            Decimal::from(refunded) * Decimal::ONE_HUNDRED > max * Decimal::from(orders)
        }
        _ => false,
    };
    let instant = rules.min_click_seconds > 0
        && facts
            .click_age_seconds
            .is_some_and(|age| age < i64::from(rules.min_click_seconds));
    [
        (repeat(facts.customer_orders), Signal::RepeatCustomer),
        (repeat(facts.client_orders), Signal::RepeatClient),
        (refund_rate_high, Signal::HighRefundRate),
        (facts.customer_is_ambassador, Signal::CustomerIsAmbassador),
        (facts.customer_is_payout_email, Signal::CustomerIsPayoutEmail),
        (instant, Signal::InstantClick),
    ]
    .into_iter()
    .filter_map(|(raised, signal)| raised.then_some(signal))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::terms::fraud::DEFAULT_MAX_REFUND_RATE;

    #[test]
    fn every_signal_reads_back_from_its_name() {
        for signal in ALL {
            assert_eq!(Signal::parse(signal.as_str()), Some(signal));
        }
        assert_eq!(Signal::parse("unknown"), None);
        assert_eq!(
            stored(r#"["instant_click","unknown","repeat_client"]"#),
            [Signal::InstantClick, Signal::RepeatClient]
        );
        assert_eq!(stored("not json"), []);
        assert_eq!(
            hold_reason(&[Signal::RepeatCustomer, Signal::InstantClick]),
            "Held automatically for review: one customer ordered through the ambassador repeatedly in a short \
             time; the order came seconds after its link click."
        );
    }

    #[test]
    fn nothing_seen_raises_nothing() {
        assert_eq!(signals(&Facts::default(), &FraudRules::default()), []);
    }

    #[test]
    fn the_nth_order_of_one_customer_or_client_is_a_repeat() {
        let rules = FraudRules::default();
        let four_before = Facts {
            customer_orders: Some(4),
            client_orders: Some(3),
            ..Facts::default()
        };
        assert_eq!(signals(&four_before, &rules), [Signal::RepeatCustomer]);
        let off = FraudRules {
            repeat_orders: 0,
            ..rules
        };
        assert_eq!(signals(&four_before, &off), []);
    }

    #[test]
    fn the_refund_rate_counts_from_ten_orders_and_must_exceed_the_threshold() {
        let rules = FraudRules::default();
        let rate = |orders, refunded| Facts {
            refunds: Some((orders, refunded)),
            ..Facts::default()
        };
        assert_eq!(signals(&rate(10, 5), &rules), [], "50 % is not above 50 %");
        assert_eq!(signals(&rate(10, 6), &rules), [Signal::HighRefundRate]);
        assert_eq!(signals(&rate(9, 9), &rules), [], "too few orders");
        // Fewer refunds than could exceed 50 % of 10 orders need no count of orders.
        assert!(!could_exceed(5, DEFAULT_MAX_REFUND_RATE));
        assert!(could_exceed(6, DEFAULT_MAX_REFUND_RATE));
        let off = FraudRules {
            max_refund_rate: None,
            ..rules
        };
        assert_eq!(signals(&rate(10, 10), &off), []);
    }

    #[test]
    fn an_instant_click_counts_only_when_the_program_sets_seconds() {
        let fresh = Facts {
            click_age_seconds: Some(3),
            customer_is_payout_email: true,
            ..Facts::default()
        };
        assert_eq!(signals(&fresh, &FraudRules::default()), [Signal::CustomerIsPayoutEmail]);
        let rules = FraudRules {
            min_click_seconds: 5,
            ..FraudRules::default()
        };
        assert_eq!(
            signals(&fresh, &rules),
            [Signal::CustomerIsPayoutEmail, Signal::InstantClick]
        );
    }
}
