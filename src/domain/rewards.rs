//! Free-item rewards: how many grants a rule has earned (one per N qualifying orders or
//! per X of qualifying net sales) and the progress toward the next one for the dashboard.
//!
//! These are pure counts. A grant once made is never taken back (DESIGN.md, "Ledger,
//! maturation and payouts"), and enforcing that is the caller's job: when refunds lower
//! the qualifying figures, `grants_due_*` falls, and the caller must only ever *add* the
//! difference, never revoke — which is what [`new_grants`] computes.

/// The key grants are counted under: per reward sku. When a brand edits a rule's
/// threshold, the grants already made still count, so the change never re-grants past
/// orders at once; the next grant comes when the new threshold's count passes what was
/// granted.
pub fn rule_key(sku: &str) -> String {
    format!("sku:{sku}")
}

/// ⌊qualifying orders ÷ N⌋; 0 when N is 0 (a rule that can never be met).
pub fn grants_due_by_orders(qualifying_orders: u64, every: u32) -> u64 {
    qualifying_orders.checked_div(u64::from(every)).unwrap_or(0)
}

/// ⌊qualifying amount ÷ X⌋ in minor units; 0 when X ≤ 0 or nothing has qualified.
pub fn grants_due_by_amount(qualifying_amount: i64, every: i64) -> u64 {
    if qualifying_amount <= 0 || every <= 0 {
        return 0;
    }
    // Both positive, so the quotient is non-negative and its magnitude is itself.
    (qualifying_amount / every).unsigned_abs()
}

/// Grants to make now, given those due and those already made. Never negative: when the
/// due count falls below what was granted, nothing is taken back.
pub fn new_grants(due: u64, already_granted: u64) -> u64 {
    due.saturating_sub(already_granted)
}

/// "`current` of `target` toward the next free item".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<T> {
    pub current: T,
    pub target: T,
}

/// Orders counted toward the next grant, out of N: 8 orders with N = 5 are 3 of 5.
/// `{0, 0}` when N is 0. It assumes grants match what is due; after refunds lowered the
/// count below what was already granted, the next grant is further away than it shows.
pub fn progress_by_orders(qualifying_orders: u64, every: u32) -> Progress<u64> {
    let target = u64::from(every);
    Progress {
        current: qualifying_orders.checked_rem(target).unwrap_or(0),
        target,
    }
}

/// Minor units counted toward the next grant, out of X; `{0, 0}` when X ≤ 0 and
/// `{0, X}` when nothing has qualified. Same caveat as [`progress_by_orders`].
pub fn progress_by_amount(qualifying_amount: i64, every: i64) -> Progress<i64> {
    if every <= 0 {
        return Progress { current: 0, target: 0 };
    }
    Progress {
        current: qualifying_amount.max(0) % every,
        target: every,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_grant_per_n_orders() {
        assert_eq!(grants_due_by_orders(0, 5), 0);
        assert_eq!(grants_due_by_orders(4, 5), 0);
        assert_eq!(grants_due_by_orders(5, 5), 1);
        assert_eq!(grants_due_by_orders(14, 5), 2);
        assert_eq!(grants_due_by_orders(14, 0), 0);
        assert_eq!(grants_due_by_orders(u64::MAX, 1), u64::MAX);
    }

    #[test]
    fn one_grant_per_x_of_net_sales() {
        assert_eq!(grants_due_by_amount(49_999, 50_000), 0);
        assert_eq!(grants_due_by_amount(50_000, 50_000), 1);
        assert_eq!(grants_due_by_amount(160_000, 50_000), 3);
        assert_eq!(grants_due_by_amount(-1, 50_000), 0);
        assert_eq!(grants_due_by_amount(160_000, 0), 0);
        assert_eq!(grants_due_by_amount(160_000, -5), 0);
        assert_eq!(grants_due_by_amount(i64::MAX, 1), i64::MAX.unsigned_abs());
    }

    #[test]
    fn grants_are_never_taken_back() {
        assert_eq!(new_grants(3, 1), 2);
        assert_eq!(new_grants(2, 2), 0);
        // Refunds lowered the count from 2 grants due to 1: nothing is revoked.
        assert_eq!(new_grants(1, 2), 0);
    }

    #[test]
    fn progress_shows_what_counts_toward_the_next_grant() {
        assert_eq!(progress_by_orders(8, 5), Progress { current: 3, target: 5 });
        assert_eq!(progress_by_orders(10, 5), Progress { current: 0, target: 5 });
        assert_eq!(progress_by_orders(8, 0), Progress { current: 0, target: 0 });
        assert_eq!(
            progress_by_amount(120_000, 50_000),
            Progress {
                current: 20_000,
                target: 50_000
            }
        );
        assert_eq!(
            progress_by_amount(-10, 50_000),
            Progress {
                current: 0,
                target: 50_000
            }
        );
        assert_eq!(progress_by_amount(120_000, 0), Progress { current: 0, target: 0 });
        assert_eq!(
            progress_by_amount(i64::MAX, i64::MAX),
            Progress {
                current: 0,
                target: i64::MAX
            }
        );
    }

    proptest! {
        #[test]
        fn grants_and_progress_account_for_every_order(count in any::<u64>(), every in 1u32..) {
            let due = grants_due_by_orders(count, every);
            let progress = progress_by_orders(count, every);
            prop_assert!(progress.current < progress.target);
            prop_assert_eq!(u128::from(due) * u128::from(every) + u128::from(progress.current), u128::from(count));
        }

        #[test]
        fn grants_and_progress_account_for_every_minor_unit(amount in 0i64.., every in 1i64..) {
            let due = grants_due_by_amount(amount, every);
            let progress = progress_by_amount(amount, every);
            prop_assert!(0 <= progress.current && progress.current < progress.target);
            prop_assert_eq!(
                i128::from(due) * i128::from(every) + i128::from(progress.current),
                i128::from(amount)
            );
        }

        #[test]
        fn due_grows_with_the_count(count in any::<u64>(), extra in any::<u64>(), every in any::<u32>()) {
            let more = count.saturating_add(extra);
            prop_assert!(grants_due_by_orders(more, every) >= grants_due_by_orders(count, every));
        }
    }
}
