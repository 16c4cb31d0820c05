//! A program's terms in plain words, line by line: what an invitation e-mail, the
//! invitation inbox and the ambassador's brand page say the program pays.

use rust_decimal::Decimal;

use super::{CommissionBasis, CustomerDiscount, OverrideTarget, RewardTrigger, Terms};
use crate::domain::Currency;
use crate::domain::display;

/// `12.5 %`.
pub fn percent(rate: Decimal) -> String {
    format!("{} %", rate.normalize())
}

impl Terms {
    /// What the program offers as (label, sentence) pairs, in the order a person asks:
    /// the commission, what differs by product or volume, the followers' discount,
    /// free items, when money becomes payable and the smallest payout.
    pub fn in_words(&self, currency: Currency) -> Vec<(String, String)> {
        let money = |amount: i64| display::money(amount, currency);
        let mut facts = Vec::new();
        let commission = match &self.commission.basis {
            CommissionBasis::Percent { rate } => format!("{} of each sale you refer", percent(*rate)),
            CommissionBasis::Flat { amount } => format!("{} for each order you refer", money(*amount)),
        };
        facts.push(("Commission".to_owned(), commission));
        if !self.commission.overrides.is_empty() {
            let overrides: Vec<String> = self
                .commission
                .overrides
                .iter()
                .map(|o| match &o.target {
                    OverrideTarget::Sku(sku) => format!("{} on product {sku}", percent(o.rate)),
                    OverrideTarget::Category(category) => format!("{} on {category}", percent(o.rate)),
                })
                .collect();
            facts.push(("Other rates".to_owned(), overrides.join("; ")));
        }
        if !self.commission.tiers.is_empty() {
            let tiers: Vec<String> = self
                .commission
                .tiers
                .iter()
                .map(|tier| format!("{} from {} a month", percent(tier.rate), money(tier.from_amount)))
                .collect();
            facts.push(("Higher rates".to_owned(), tiers.join("; ")));
        }
        if let Some(cap) = self.commission.max_per_order {
            facts.push(("At most".to_owned(), format!("{} per order", money(cap))));
        }
        if let Some(discount) = &self.customer_discount {
            let text = match discount {
                CustomerDiscount::Percent { value } => format!("{} off", percent(*value)),
                CustomerDiscount::Fixed { amount } => format!("{} off", money(*amount)),
            };
            facts.push(("Your followers get".to_owned(), text));
        }
        for rule in &self.rewards {
            let every = match rule.trigger {
                RewardTrigger::EveryOrders(n) => format!("every {n} orders"),
                RewardTrigger::EveryAmount(amount) => format!("every {} in sales", money(amount)),
            };
            facts.push(("Free item".to_owned(), format!("{} for {every}", rule.description)));
        }
        let days = |n: u32| {
            if n == 1 {
                "1 day".to_owned()
            } else {
                format!("{n} days")
            }
        };
        if let Some(rate) = self.override_rate.filter(|r| !r.is_zero()) {
            facts.push((
                "Recruiting".to_owned(),
                format!(
                    "{} of the commission of each ambassador you invite with your invitation link",
                    percent(rate)
                ),
            ));
        }
        facts.push((
            "Your link counts".to_owned(),
            format!("for orders placed within {} of a click", days(self.click_window_days)),
        ));
        if self.customer_binding_days > 0 {
            facts.push((
                "Returning customers".to_owned(),
                format!(
                    "stay yours for {} after the first order you refer, with or without your code",
                    days(self.customer_binding_days)
                ),
            ));
        }
        let hold = match self.hold_days {
            0 => "as soon as the order is recorded".to_owned(),
            1 => "1 day after the order (the return window)".to_owned(),
            days => format!("{days} days after the order (the return window)"),
        };
        facts.push(("Commission becomes payable".to_owned(), hold));
        if self.min_payout > 0 {
            facts.push((
                "Paid out".to_owned(),
                format!("once at least {} is payable", money(self.min_payout)),
            ));
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(stored: &str) -> Vec<String> {
        let terms = Terms::from_stored(stored).unwrap_or_else(|e| panic!("{e}"));
        let usd = Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"));
        terms
            .in_words(usd)
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect()
    }

    #[test]
    fn the_offer_says_what_the_program_pays() {
        assert_eq!(
            lines(
                r#"{"commission":{"type":"percent","rate":"12.5"},"customer_discount":{"type":"percent","value":"10"},"hold_days":30,"rewards":[{"every_orders":3,"sku":"BAG","description":"A free bag"}]}"#
            ),
            [
                "Commission: 12.5 % of each sale you refer",
                "Your followers get: 10 % off",
                "Free item: A free bag for every 3 orders",
                "Your link counts: for orders placed within 30 days of a click",
                "Commission becomes payable: 30 days after the order (the return window)",
            ]
        );
    }

    #[test]
    fn overrides_tiers_caps_and_the_minimum_payout_are_said() {
        assert_eq!(
            lines(
                r#"{"commission":{"type":"percent","rate":"10","overrides":[{"sku":"KIT-1","rate":"20"},{"category":"gift cards","rate":"0"}],"tiers":[{"from_amount":100000,"rate":"15"}],"max_per_order":5000},"hold_days":0,"min_payout":2500,"click_window_days":1,"customer_binding_days":365}"#
            ),
            [
                "Commission: 10 % of each sale you refer",
                "Other rates: 20 % on product KIT-1; 0 % on gift cards",
                "Higher rates: 15 % from $1,000.00 a month",
                "At most: $50.00 per order",
                "Your link counts: for orders placed within 1 day of a click",
                "Returning customers: stay yours for 365 days after the first order you refer, with or without your code",
                "Commission becomes payable: as soon as the order is recorded",
                "Paid out: once at least $25.00 is payable",
            ]
        );
    }
}
