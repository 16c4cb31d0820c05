//! How much commission a refund takes back: a share of the commission proportional to the
//! refunded share of the net, such that refunding the whole net reverses exactly the whole
//! commission (DESIGN.md, "Commission rules (exact)").

use super::commission::round_div_half_away;

/// An order as refunds see it, in minor units; `refunded` and `reversed` are the totals of
/// the refunds and reversals recorded so far (both positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundState {
    pub net: i64,
    pub commission: i64,
    pub refunded: i64,
    pub reversed: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("a refund must be a positive amount")]
    NonPositive,
    #[error("the refund is larger than what is left of the net ({refundable})")]
    ExceedsNet { refundable: i64 },
    /// The recorded figures contradict each other (negative, more refunded than the net,
    /// more reversed than the commission): a bug or a tampered row, never user input.
    #[error("the order's refund figures are inconsistent")]
    InconsistentState,
    #[error("the amounts are too large to compute a reversal for")]
    Overflow,
}

/// The merchandise (net) part of money a shop gave back as a gross amount, when the shop
/// says only how much (WooCommerce, Stripe, Shopify without refund lines).
///
/// The shop's refunds of an order are taken as a running total: the refund that brings
/// the gross refunded from `gross_before` to `gross_after` is worth
/// `share(gross_after) − share(gross_before)`, where `share(g) = round_half_away(g × net ÷
/// order_gross)`; once the running total reaches the order's gross, whatever is left of
/// the net (`refundable`). Refunds that add up to the order's gross therefore add up to
/// exactly the net, whatever the number of refunds, and never more than `refundable`.
pub fn merchandise_of_gross(gross_before: i64, gross_after: i64, net: i64, order_gross: i64, refundable: i64) -> i64 {
    if order_gross <= 0 || net <= 0 || refundable <= 0 || gross_after <= gross_before {
        return 0;
    }
    if gross_after >= order_gross {
        return refundable;
    }
    let share = |gross: i64| {
        round_div_half_away(i128::from(gross.max(0)) * i128::from(net), i128::from(order_gross))
            .and_then(|v| i64::try_from(v).ok())
            .unwrap_or(net)
    };
    share(gross_after)
        .saturating_sub(share(gross_before))
        .clamp(0, refundable)
}

/// The commission to reverse (a positive amount, recorded as a negative ledger entry) for a
/// refund of `amount` against `state`.
///
/// It is `commission × amount ÷ net` rounded half away from zero, capped so that the total
/// reversed never exceeds the commission, except that the refund which brings the total
/// refunded to exactly the net reverses whatever is left. So any sequence of refunds that
/// adds up to the net reverses exactly the commission, to the minor unit.
///
/// Refunds beyond what is left of the net are refused with `ExceedsNet`; in particular an
/// order with net 0 can take no refund and never reverses anything.
pub fn reversal_for(state: &RefundState, amount: i64) -> Result<i64, RefundError> {
    let RefundState {
        net,
        commission,
        refunded,
        reversed,
    } = *state;
    if net < 0 || commission < 0 || !(0..=net).contains(&refunded) || !(0..=commission).contains(&reversed) {
        return Err(RefundError::InconsistentState);
    }
    if amount <= 0 {
        return Err(RefundError::NonPositive);
    }
    // Cannot overflow: 0 ≤ refunded ≤ net and 0 ≤ reversed ≤ commission.
    let refundable = net - refunded;
    let unreversed = commission - reversed;
    if amount > refundable {
        return Err(RefundError::ExceedsNet { refundable });
    }
    if amount == refundable {
        return Ok(unreversed);
    }
    // Here 0 < amount < refundable ≤ net, so net > 0; i64 × i64 always fits in i128.
    let share = round_div_half_away(i128::from(commission) * i128::from(amount), i128::from(net))
        .ok_or(RefundError::Overflow)?;
    let share = i64::try_from(share).map_err(|_| RefundError::Overflow)?;
    Ok(share.min(unreversed))
}

/// The part of the net that refunding some lines gives back: their value
/// (Σ quantity × unit_price) with the order discount taken off in proportion, i.e.
/// `refunded_value × net ÷ subtotal` rounded half away from zero; 0 when the subtotal is 0.
///
/// Each call rounds on its own, so refunding lines one call at a time can drift by a minor
/// unit per call (three lines of 1 with net 2 give 1 + 1 + 1 = 3 > 2). To refund lines in
/// several steps, call it with the *cumulative* value of all lines refunded so far and
/// subtract the previous cumulative result: the steps then add up to exactly the net.
pub fn line_refund_value(refunded_value: i64, subtotal: i64, net: i64) -> Result<i64, RefundError> {
    if subtotal < 0 || !(0..=subtotal).contains(&net) {
        return Err(RefundError::InconsistentState);
    }
    if refunded_value < 0 {
        return Err(RefundError::NonPositive);
    }
    if refunded_value > subtotal {
        return Err(RefundError::ExceedsNet { refundable: net });
    }
    if subtotal == 0 {
        return Ok(0);
    }
    let value = round_div_half_away(i128::from(refunded_value) * i128::from(net), i128::from(subtotal))
        .ok_or(RefundError::Overflow)?;
    // refunded_value ≤ subtotal, so value ≤ net.
    i64::try_from(value).map_err(|_| RefundError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gross_refunds_become_their_share_of_the_net() {
        // An order of 10000 gross (8000 net, the rest shipping and tax): 2500 back is 2000.
        assert_eq!(merchandise_of_gross(0, 2500, 8000, 10000, 8000), 2000);
        // Rounding half away: 1 of 3 gross with 2 net is 0.667 → 1.
        assert_eq!(merchandise_of_gross(0, 1, 2, 3, 2), 1);
        // The refund that completes the order takes what is left, not its share.
        assert_eq!(merchandise_of_gross(2500, 10000, 8000, 10000, 6000), 6000);
        // Nothing new, nothing to refund.
        assert_eq!(merchandise_of_gross(2500, 2500, 8000, 10000, 6000), 0);
        assert_eq!(merchandise_of_gross(0, 100, 8000, 0, 8000), 0);
    }

    proptest::proptest! {
        #[test]
        fn gross_refunds_adding_up_to_the_gross_add_up_to_the_net(
            net in 1i64..=1_000_000,
            extra in 0i64..=1_000_000,
            cuts in proptest::collection::vec(1i64..=1_000_000, 1..8),
        ) {
            let gross = net + extra;
            // Split the gross into consecutive refunds at the sorted cut points.
            let mut points: Vec<i64> = cuts.iter().map(|c| c % gross).collect();
            points.push(gross);
            points.sort_unstable();
            let (mut before, mut refunded) = (0i64, 0i64);
            for after in points {
                let amount = merchandise_of_gross(before, after, net, gross, net - refunded);
                proptest::prop_assert!(amount >= 0 && amount <= net - refunded);
                refunded += amount;
                before = before.max(after);
            }
            proptest::prop_assert_eq!(refunded, net);
        }
    }
    use proptest::prelude::*;

    fn state(net: i64, commission: i64) -> RefundState {
        RefundState {
            net,
            commission,
            refunded: 0,
            reversed: 0,
        }
    }

    /// Applies the refunds in order and returns each reversal.
    fn reverse_all(mut state: RefundState, refunds: &[i64]) -> Vec<i64> {
        refunds
            .iter()
            .map(|&amount| {
                let reversal = reversal_for(&state, amount).unwrap_or_else(|e| panic!("{amount}: {e}"));
                state.refunded += amount;
                state.reversed += reversal;
                reversal
            })
            .collect()
    }

    #[test]
    fn refund_of_whole_net_reverses_commission_exactly() {
        assert_eq!(reversal_for(&state(5949, 595), 5949), Ok(595));
    }

    #[test]
    fn partial_refund_reverses_its_share_rounded_half_away() {
        // 595 × 1000 / 5949 = 100.01… → 100.
        assert_eq!(reversal_for(&state(5949, 595), 1000), Ok(100));
        // 5 × 1 / 2 = 2.5 → 3.
        assert_eq!(reversal_for(&state(2, 5), 1), Ok(3));
    }

    #[test]
    fn last_refund_reverses_what_is_left() {
        // 1 / 3 of a commission of 1 rounds to 0 twice; the last third takes the 1.
        assert_eq!(reverse_all(state(3, 1), &[1, 1, 1]), vec![0, 0, 1]);
        // 2 / 3 rounds to 1 twice; the last third gets 0.
        assert_eq!(reverse_all(state(3, 2), &[1, 1, 1]), vec![1, 1, 0]);
        assert_eq!(reverse_all(state(5949, 595), &[1000, 2000, 2949]), vec![100, 200, 295]);
    }

    #[test]
    fn reversals_never_exceed_the_commission() {
        // 5 × 1 / 4 = 1.25 → 1 each time: 1 + 1 + 1 + (5 − 3) = 5.
        assert_eq!(reverse_all(state(4, 5), &[1, 1, 1, 1]), vec![1, 1, 1, 2]);
        // Halves round up: 3 × 1 / 2 = 1.5 → 2; then the cap leaves 1 for the next.
        let mut halfway = state(4, 3);
        halfway.refunded = 1;
        halfway.reversed = 2;
        assert_eq!(reversal_for(&halfway, 2), Ok(1));
        assert_eq!(reverse_all(state(4, 3), &[2, 2]), vec![2, 1]);
    }

    #[test]
    fn refuses_refunds_beyond_the_net() {
        let mut partly = state(5949, 595);
        partly.refunded = 5000;
        partly.reversed = 500;
        assert_eq!(
            reversal_for(&partly, 950),
            Err(RefundError::ExceedsNet { refundable: 949 })
        );
        assert_eq!(
            reversal_for(&state(0, 0), 1),
            Err(RefundError::ExceedsNet { refundable: 0 })
        );
        assert_eq!(reversal_for(&state(5949, 595), 0), Err(RefundError::NonPositive));
        assert_eq!(reversal_for(&state(5949, 595), -1), Err(RefundError::NonPositive));
    }

    #[test]
    fn refuses_inconsistent_state() {
        let bad = [
            RefundState {
                net: -1,
                commission: 0,
                refunded: 0,
                reversed: 0,
            },
            RefundState {
                net: 10,
                commission: -1,
                refunded: 0,
                reversed: 0,
            },
            RefundState {
                net: 10,
                commission: 5,
                refunded: 11,
                reversed: 0,
            },
            RefundState {
                net: 10,
                commission: 5,
                refunded: -1,
                reversed: 0,
            },
            RefundState {
                net: 10,
                commission: 5,
                refunded: 0,
                reversed: 6,
            },
            RefundState {
                net: 10,
                commission: 5,
                refunded: 0,
                reversed: -1,
            },
        ];
        for state in bad {
            assert_eq!(
                reversal_for(&state, 1),
                Err(RefundError::InconsistentState),
                "{state:?}"
            );
        }
    }

    #[test]
    fn extreme_amounts_do_not_overflow() {
        let max = state(i64::MAX, i64::MAX);
        assert_eq!(reversal_for(&max, i64::MAX - 1), Ok(i64::MAX - 1));
        assert_eq!(reversal_for(&max, i64::MAX), Ok(i64::MAX));
    }

    #[test]
    fn line_refund_takes_the_discount_off_in_proportion() {
        // Subtotal 6999, net 5949: refunding the 1999 line gives back 1999 × 5949 / 6999 =
        // 1699.10… → 1699.
        assert_eq!(line_refund_value(1999, 6999, 5949), Ok(1699));
        assert_eq!(line_refund_value(6999, 6999, 5949), Ok(5949));
        assert_eq!(line_refund_value(0, 6999, 5949), Ok(0));
        assert_eq!(line_refund_value(0, 0, 0), Ok(0));
        assert_eq!(line_refund_value(1, 2, 1), Ok(1)); // 0.5 → 1
        assert_eq!(
            line_refund_value(7000, 6999, 5949),
            Err(RefundError::ExceedsNet { refundable: 5949 })
        );
        assert_eq!(line_refund_value(-1, 6999, 5949), Err(RefundError::NonPositive));
        assert_eq!(line_refund_value(1, 6999, 7000), Err(RefundError::InconsistentState));
        assert_eq!(line_refund_value(1, -1, 0), Err(RefundError::InconsistentState));
        assert_eq!(line_refund_value(i64::MAX, i64::MAX, i64::MAX), Ok(i64::MAX));
    }

    /// A net in `1..=max`, a commission in `0..=max`, and refunds that add up to the net.
    fn refund_sequence(max: i64) -> impl Strategy<Value = (i64, i64, Vec<i64>)> {
        (1i64..=max, 0i64..=max)
            .prop_flat_map(|(net, commission)| (Just(net), Just(commission), prop::collection::vec(1i64..=net, 0..12)))
            .prop_map(|(net, commission, mut cuts)| {
                cuts.push(net);
                cuts.sort_unstable();
                cuts.dedup();
                let refunds = cuts
                    .iter()
                    .scan(0, |previous, &cut| {
                        let refund = cut - *previous;
                        *previous = cut;
                        Some(refund)
                    })
                    .collect();
                (net, commission, refunds)
            })
    }

    /// A consistent state anywhere in `i64`, and a refund of at most what is left.
    fn any_state_and_refund() -> impl Strategy<Value = (RefundState, i64)> {
        (1i64..=i64::MAX, 0i64..=i64::MAX)
            .prop_flat_map(|(net, commission)| (Just(net), Just(commission), 0..net, 0..=commission))
            .prop_flat_map(|(net, commission, refunded, reversed)| {
                let state = RefundState {
                    net,
                    commission,
                    refunded,
                    reversed,
                };
                (Just(state), 1..=net - refunded)
            })
    }

    proptest! {
        #[test]
        fn partial_refunds_summing_to_net_reverse_exactly_the_commission(
            (net, commission, refunds) in prop_oneof![refund_sequence(20), refund_sequence(1_000_000_000_000)],
        ) {
            let mut running = 0i64;
            for reversal in reverse_all(state(net, commission), &refunds) {
                prop_assert!(reversal >= 0);
                running += reversal;
                prop_assert!(running <= commission);
            }
            prop_assert_eq!(running, commission);
        }

        #[test]
        fn any_consistent_state_gives_a_reversal_within_what_is_left((state, amount) in any_state_and_refund()) {
            let reversal = reversal_for(&state, amount).unwrap_or_else(|e| panic!("{state:?} {amount}: {e}"));
            prop_assert!(0 <= reversal && reversal <= state.commission - state.reversed);
            if amount == state.net - state.refunded {
                prop_assert_eq!(reversal, state.commission - state.reversed);
            }
        }

        #[test]
        fn cumulative_line_refunds_add_up_to_the_net(
            values in prop::collection::vec(0i64..=1_000_000, 1..10),
            discount_share in 0i64..=1000,
        ) {
            let subtotal: i64 = values.iter().sum();
            let net = subtotal - subtotal * discount_share / 1000;
            let mut cumulative_value = 0;
            let mut given_back = 0;
            for value in values {
                cumulative_value += value;
                let total = line_refund_value(cumulative_value, subtotal, net).unwrap_or_else(|e| panic!("{e}"));
                prop_assert!(total >= given_back);
                given_back = total;
            }
            prop_assert_eq!(given_back, net);
        }

        #[test]
        fn never_panics_on_any_input(
            net in any::<i64>(), commission in any::<i64>(), refunded in any::<i64>(),
            reversed in any::<i64>(), amount in any::<i64>(), subtotal in any::<i64>(),
        ) {
            let state = RefundState { net, commission, refunded, reversed };
            if let Ok(reversal) = reversal_for(&state, amount) {
                prop_assert!(0 <= reversal && reversal <= commission - reversed);
            }
            let _ = line_refund_value(amount, subtotal, net);
        }
    }
}
