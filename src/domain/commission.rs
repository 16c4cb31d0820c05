//! The commission an order earns: net merchandise × per-line rates, computed exactly and
//! rounded once per order, half away from zero, then capped (DESIGN.md, "Commission rules
//! (exact)").
//!
//! The rates come in as plain numbers per line; looking them up in the program's terms
//! (overrides, tiers) is the caller's job, so this module knows nothing about terms.

use rust_decimal::Decimal;

/// Rates are percentages with at most this many decimal places (12.3456 %).
const RATE_DECIMALS: u32 = 4;
/// 10^RATE_DECIMALS: a rate times this is an integer.
const RATE_SCALE: i128 = 10_000;
/// Percent → fraction.
const PERCENT: i128 = 100;

/// One order line as commission sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    /// quantity × unit_price in minor units, already checked by the caller.
    pub value: i64,
    /// The line's commission rate in percent: 0..=100, at most 4 decimal places.
    pub rate: Decimal,
}

/// How the program pays: a share of each line, or a fixed amount per order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    Percent(Vec<PricedLine>),
    Flat { amount: i64 },
}

/// The outcome for one order, in minor units of the order's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommissionCalc {
    /// Σ quantity × unit_price.
    pub subtotal: i64,
    /// subtotal − discount_total: what commission is paid on.
    pub net: i64,
    /// The commission after the per-order cap.
    pub amount: i64,
    /// The commission before the cap.
    pub uncapped: i64,
    /// Whether the cap lowered the commission.
    pub capped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommissionError {
    #[error("the discount is larger than the merchandise subtotal")]
    DiscountExceedsSubtotal,
    #[error("an amount (subtotal, discount, line value, flat amount or cap) is negative")]
    NegativeAmount,
    #[error("a rate is outside 0..=100 percent or has more than 4 decimal places")]
    InvalidRate,
    #[error("the line values do not add up to the subtotal")]
    LinesDoNotMatchSubtotal,
    #[error("the amounts are too large to compute a commission for")]
    Overflow,
}

/// subtotal − discount_total. Shipping and tax are never part of either, so they never
/// earn commission.
pub fn net_merchandise(subtotal: i64, discount_total: i64) -> Result<i64, CommissionError> {
    if subtotal < 0 || discount_total < 0 {
        return Err(CommissionError::NegativeAmount);
    }
    if discount_total > subtotal {
        return Err(CommissionError::DiscountExceedsSubtotal);
    }
    // Both are non-negative and discount ≤ subtotal, so this cannot overflow; checked anyway.
    subtotal.checked_sub(discount_total).ok_or(CommissionError::Overflow)
}

/// The commission of one order.
///
/// **Percent.** The order discount is spread over the lines in proportion to their value,
/// so line i earns `value_i × net / subtotal × rate_i / 100`. The sum is computed exactly —
/// rates are scaled to integers `r_i = rate_i × 10^4`, so the commission is the fraction
/// `Σ(value_i × r_i) × net / (subtotal × 100 × 10^4)` in `i128` — and rounded once, half
/// away from zero. That equals the `Decimal` formulation in DESIGN.md without any
/// intermediate rounding. The line values must add up to `subtotal` (that is what makes
/// the result lie in `0..=net`); a subtotal of 0 earns 0. Amounts so large that the
/// product leaves `i128` (subtotal × net beyond about 10^32) give `Overflow`.
///
/// **Flat.** `amount` per order when the net is positive, otherwise 0: an order whose
/// discount covers all of its merchandise sold nothing, and paying on it would let a
/// 100 % code farm commissions. A flat amount is not limited to the net.
///
/// Then `max_per_order`, when set, caps the result; `uncapped` keeps the figure before it.
pub fn compute(
    basis: &Basis,
    subtotal: i64,
    discount_total: i64,
    max_per_order: Option<i64>,
) -> Result<CommissionCalc, CommissionError> {
    compute_on(
        basis,
        subtotal,
        net_merchandise(subtotal, discount_total)?,
        max_per_order,
    )
}

/// [`compute`] on a net given in the commission's currency: an order's net converted
/// into its program's currency ([`crate::domain::fx`]). The lines' values, in the
/// order's currency, only weigh the lines' rates; the one rounding is the commission's.
pub fn compute_on(
    basis: &Basis,
    subtotal: i64,
    net: i64,
    max_per_order: Option<i64>,
) -> Result<CommissionCalc, CommissionError> {
    if net < 0 {
        return Err(CommissionError::NegativeAmount);
    }
    if max_per_order.is_some_and(|cap| cap < 0) {
        return Err(CommissionError::NegativeAmount);
    }
    let uncapped = match basis {
        Basis::Percent(lines) => percent_of_net(lines, subtotal, net)?,
        Basis::Flat { amount } if *amount < 0 => return Err(CommissionError::NegativeAmount),
        Basis::Flat { amount } => {
            if net > 0 {
                *amount
            } else {
                0
            }
        }
    };
    let (amount, capped) = match max_per_order {
        Some(cap) if uncapped > cap => (cap, true),
        _ => (uncapped, false),
    };
    Ok(CommissionCalc {
        subtotal,
        net,
        amount,
        uncapped,
        capped,
    })
}

fn percent_of_net(lines: &[PricedLine], subtotal: i64, net: i64) -> Result<i64, CommissionError> {
    let mut line_total: i128 = 0;
    let mut weighted: i128 = 0; // Σ value_i × r_i
    for line in lines {
        if line.value < 0 {
            return Err(CommissionError::NegativeAmount);
        }
        let value = i128::from(line.value);
        let rate = scaled_rate(line.rate)?;
        line_total = line_total.checked_add(value).ok_or(CommissionError::Overflow)?;
        let product = value.checked_mul(rate).ok_or(CommissionError::Overflow)?;
        weighted = weighted.checked_add(product).ok_or(CommissionError::Overflow)?;
    }
    if line_total != i128::from(subtotal) {
        return Err(CommissionError::LinesDoNotMatchSubtotal);
    }
    if subtotal == 0 {
        return Ok(0);
    }
    let numerator = weighted.checked_mul(i128::from(net)).ok_or(CommissionError::Overflow)?;
    let denominator = i128::from(subtotal)
        .checked_mul(PERCENT * RATE_SCALE)
        .ok_or(CommissionError::Overflow)?;
    let amount = round_div_half_away(numerator, denominator).ok_or(CommissionError::Overflow)?;
    // weighted ≤ subtotal × 100 × 10^4, so amount ≤ net and fits; checked anyway.
    i64::try_from(amount).map_err(|_| CommissionError::Overflow)
}

/// A recruiter's override on a recruit's commission (two tiers): `commission × rate ÷
/// 100`, computed exactly and rounded once, half away from zero. The rate follows the
/// rules of a commission rate (0–100 %, at most 4 decimal places).
pub fn override_of(commission: i64, rate: Decimal) -> Result<i64, CommissionError> {
    if commission < 0 {
        return Err(CommissionError::NegativeAmount);
    }
    let numerator = i128::from(commission)
        .checked_mul(scaled_rate(rate)?)
        .ok_or(CommissionError::Overflow)?;
    let amount = round_div_half_away(numerator, PERCENT * RATE_SCALE).ok_or(CommissionError::Overflow)?;
    i64::try_from(amount).map_err(|_| CommissionError::Overflow)
}

/// Each line's share of a percent commission, in minor units: line i's exact share
/// `value_i × r_i × net / (subtotal × 100 × 10^4)` (the terms of [`compute`]'s one
/// fraction), rounded down, then the units the order's single rounding adds go to the
/// largest remainders (ties to the earlier line). So the shares add up to
/// `calc.uncapped` exactly, and no rule is applied twice: the commission is still the
/// order's, rounded once. For display (a preview line by line), never for the ledger.
pub fn line_shares(lines: &[PricedLine], calc: &CommissionCalc) -> Result<Vec<i64>, CommissionError> {
    if calc.subtotal == 0 {
        return Ok(vec![0; lines.len()]);
    }
    let denominator = i128::from(calc.subtotal)
        .checked_mul(PERCENT * RATE_SCALE)
        .ok_or(CommissionError::Overflow)?;
    let mut shares = Vec::with_capacity(lines.len());
    let mut remainders = Vec::with_capacity(lines.len());
    for line in lines {
        let numerator = i128::from(line.value)
            .checked_mul(scaled_rate(line.rate)?)
            .and_then(|n| n.checked_mul(i128::from(calc.net)))
            .ok_or(CommissionError::Overflow)?;
        shares.push(numerator / denominator);
        remainders.push(numerator % denominator);
    }
    let floors: i128 = shares.iter().sum();
    let mut left = i128::from(calc.uncapped) - floors;
    let mut by_remainder: Vec<usize> = (0..lines.len()).collect();
    by_remainder.sort_by(|a, b| remainders[*b].cmp(&remainders[*a]).then(a.cmp(b)));
    for i in by_remainder {
        if left <= 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s).map_err(|_| CommissionError::Overflow))
        .collect()
}

/// rate × 10^4 as an integer, for a rate in 0..=100 with at most 4 decimal places.
fn scaled_rate(rate: Decimal) -> Result<i128, CommissionError> {
    if rate < Decimal::ZERO || rate > Decimal::ONE_HUNDRED {
        return Err(CommissionError::InvalidRate);
    }
    // normalize() drops trailing zeros, so 10.00000 counts as 10.
    let rate = rate.normalize();
    let scale = rate.scale();
    if scale > RATE_DECIMALS {
        return Err(CommissionError::InvalidRate);
    }
    let factor = 10i128.pow(RATE_DECIMALS - scale);
    rate.mantissa().checked_mul(factor).ok_or(CommissionError::InvalidRate)
}

/// `numerator ÷ denominator`, rounded half away from zero (2.5 → 3, −2.5 → −3), exactly.
/// `None` when the denominator is not positive.
pub fn round_div_half_away(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator <= 0 {
        return None;
    }
    // Truncates toward zero; the remainder has the numerator's sign and |r| < denominator.
    let quotient = numerator.checked_div(denominator)?;
    let remainder = numerator.checked_rem(denominator)?.unsigned_abs();
    let denominator = denominator.unsigned_abs();
    // |r| ≥ d − |r| is 2|r| ≥ d without the overflow of 2|r|.
    if remainder >= denominator - remainder {
        quotient.checked_add(numerator.signum())
    } else {
        Some(quotient)
    }
}

#[cfg(test)]
mod tests;
