//! What one cart earns under a program's commission terms: each line's rate (override,
//! then volume tier, then base: [`Commission::rate_for`]), the commission computed and
//! rounded once per order and capped ([`commission::compute`]). Recording an order and
//! previewing terms both price through [`price_order`], so the two cannot disagree.

use rust_decimal::Decimal;

use super::cart::Cart;
use super::commission::{self, Basis, CommissionCalc, CommissionError, PricedLine};
use super::terms::{Commission, CommissionBasis, Tier};

/// A cart priced under commission terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCommission {
    pub calc: CommissionCalc,
    /// Each line's rate in percent, in cart order; `None` for a flat commission.
    pub line_rates: Vec<Option<Decimal>>,
    /// The rate every line shares, when they all share one (what an order shows as its
    /// rate); `None` for a flat commission or mixed rates.
    pub headline_rate: Option<Decimal>,
    /// The volume tier the order starts in, for percent terms with tiers.
    pub tier: Option<Tier>,
    basis: Basis,
}

impl OrderCommission {
    /// Each line's share of the commission before the cap, in minor units, adding up to
    /// `calc.uncapped` ([`commission::line_shares`]); `None` for a flat commission,
    /// which is paid per order, not per line.
    pub fn line_shares(&self) -> Result<Option<Vec<i64>>, CommissionError> {
        match &self.basis {
            Basis::Percent(lines) => commission::line_shares(lines, &self.calc).map(Some),
            Basis::Flat { .. } => Ok(None),
        }
    }
}

/// Prices `cart` with `discount_total` off under `terms`, for an ambassador whose
/// attributed net this calendar month before the order is `month_to_date_net` (it
/// picks the volume tier). `converted_net` is the order's net in the program's
/// currency when the order is in another ([`crate::domain::fx`]): the commission is
/// paid on it, and the terms' amounts (flat, cap, tiers) are all in that currency.
pub fn price_order(
    terms: &Commission,
    cart: &Cart,
    discount_total: i64,
    converted_net: Option<i64>,
    month_to_date_net: i64,
) -> Result<OrderCommission, CommissionError> {
    let mut line_rates: Vec<Option<Decimal>> = vec![None; cart.lines().len()];
    let mut headline_rate = None;
    let mut tier = None;
    let basis = match &terms.basis {
        CommissionBasis::Flat { amount } => Basis::Flat { amount: *amount },
        CommissionBasis::Percent { .. } => {
            let mut priced = Vec::with_capacity(line_rates.len());
            for (i, (line, value)) in cart.valued_lines().enumerate() {
                let rate = terms
                    .rate_for(&line.sku, line.category.as_deref(), month_to_date_net)
                    .unwrap_or_default();
                line_rates[i] = Some(rate);
                priced.push(PricedLine { value, rate });
            }
            let first = line_rates.first().copied().flatten();
            if line_rates.iter().all(|r| *r == first) {
                headline_rate = first;
            }
            tier = terms.tier_for(month_to_date_net).cloned();
            Basis::Percent(priced)
        }
    };
    let net = match converted_net {
        Some(net) => net,
        None => commission::net_merchandise(cart.subtotal(), discount_total)?,
    };
    let calc = commission::compute_on(&basis, cart.subtotal(), net, terms.max_per_order)?;
    Ok(OrderCommission {
        calc,
        line_rates,
        headline_rate,
        tier,
        basis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cart::CartLine;
    use crate::domain::terms::{OverrideTarget, RateOverride};
    use proptest::prelude::*;

    fn rate(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn cart(lines: &[(&str, i64, i64)]) -> Cart {
        Cart::parse(
            lines
                .iter()
                .map(|(sku, quantity, unit_price)| CartLine {
                    sku: (*sku).to_owned(),
                    category: None,
                    quantity: *quantity,
                    unit_price: *unit_price,
                })
                .collect(),
        )
        .unwrap_or_else(|p| panic!("{p:?}"))
    }

    fn percent(base: &str) -> Commission {
        Commission {
            basis: CommissionBasis::Percent { rate: rate(base) },
            overrides: Vec::new(),
            tiers: Vec::new(),
            max_per_order: None,
        }
    }

    #[test]
    fn the_design_example_earns_595_with_shares_adding_up() {
        let priced = price_order(&percent("10"), &cart(&[("A", 2, 2500), ("B", 1, 1999)]), 1050, None, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((priced.calc.net, priced.calc.amount), (5949, 595));
        assert_eq!(priced.headline_rate, Some(rate("10")));
        // 5000 × 5949 / 6999 × 10 % = 424.99 and 1999 × … = 169.91: the floors add up
        // to 593, so each line takes one of the two units the order's rounding leaves.
        assert_eq!(priced.line_shares(), Ok(Some(vec![425, 170])));
    }

    #[test]
    fn overrides_beat_tiers_and_the_tier_reached_is_reported() {
        let mut terms = percent("10");
        terms.tiers = vec![
            Tier {
                from_amount: 100_000,
                rate: rate("15"),
            },
            Tier {
                from_amount: 500_000,
                rate: rate("20"),
            },
        ];
        terms.overrides = vec![RateOverride {
            target: OverrideTarget::Sku("MUG".into()),
            rate: rate("3"),
        }];
        let cart = cart(&[("BEANS", 1, 10_000), ("MUG", 1, 10_000)]);
        let priced = price_order(&terms, &cart, 0, None, 150_000).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(priced.line_rates, [Some(rate("15")), Some(rate("3"))]);
        assert_eq!(priced.headline_rate, None);
        assert_eq!(priced.tier.map(|t| t.from_amount), Some(100_000));
        assert_eq!(priced.calc.amount, 1_800);
        let below = price_order(&terms, &cart, 0, None, 99_999).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((below.tier, below.calc.amount), (None, 1_300));
    }

    #[test]
    fn a_flat_commission_has_no_line_rates_and_the_cap_applies() {
        let mut terms = Commission {
            basis: CommissionBasis::Flat { amount: 1_000 },
            overrides: Vec::new(),
            tiers: Vec::new(),
            max_per_order: Some(700),
        };
        let priced = price_order(&terms, &cart(&[("A", 1, 5_000)]), 0, None, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (priced.calc.amount, priced.calc.uncapped, priced.calc.capped),
            (700, 1_000, true)
        );
        assert_eq!(
            (priced.line_rates.clone(), priced.line_shares()),
            (vec![None], Ok(None))
        );
        terms.max_per_order = None;
        let all_off = price_order(&terms, &cart(&[("A", 1, 5_000)]), 5_000, None, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all_off.calc.amount, 0);
    }

    #[test]
    fn a_converted_net_earns_in_the_programs_currency_with_its_caps() {
        // 100.00 EUR converted to 108.25 USD: 10 % is 10.825 → 10.83; the lines only
        // weigh the rates, so a discount spread over them changes nothing here.
        let priced = price_order(&percent("10"), &cart(&[("A", 1, 10_000)]), 0, Some(10_825), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((priced.calc.net, priced.calc.amount), (10_825, 1_083));
        let mut capped = percent("10");
        capped.max_per_order = Some(1_000);
        let priced =
            price_order(&capped, &cart(&[("A", 1, 10_000)]), 0, Some(10_825), 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((priced.calc.amount, priced.calc.capped), (1_000, true));
    }

    proptest! {
        #[test]
        fn line_shares_add_up_to_the_uncapped_commission(
            lines in prop::collection::vec((1i64..=100, 0i64..=1_000_000, 0i64..=1_000_000), 1..6),
            discount_share in 0i64..=100,
        ) {
            let mut terms = percent("7.5");
            terms.overrides = lines
                .iter()
                .enumerate()
                .map(|(i, (_, _, r))| RateOverride {
                    target: OverrideTarget::Sku(format!("S{i}")),
                    rate: Decimal::new(*r, 4),
                })
                .collect();
            let skus: Vec<String> = (0..lines.len()).map(|i| format!("S{i}")).collect();
            let cart = cart(
                &lines
                    .iter()
                    .zip(&skus)
                    .map(|((q, p, _), sku)| (sku.as_str(), *q, *p))
                    .collect::<Vec<_>>(),
            );
            let discount = cart.subtotal() / 100 * discount_share;
            let priced = price_order(&terms, &cart, discount, None, 0).unwrap_or_else(|e| panic!("{e}"));
            let shares = priced.line_shares().unwrap_or_else(|e| panic!("{e}")).unwrap_or_default();
            prop_assert_eq!(shares.iter().sum::<i64>(), priced.calc.uncapped);
            prop_assert!(shares.iter().all(|s| *s >= 0));
        }
    }
}
