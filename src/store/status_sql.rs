//! The status rules of [`crate::domain::status`] as SQL: each decision list becomes a
//! `CASE` whose arms are the same facts in the same order, written over our columns.
//! Where a query filters or sums by status it uses these expressions, never a
//! hand-written copy of the rule. Every fragment is constant text (table aliases and
//! status names), never input.

use super::portable::{sum_halves, wide_sum};
use crate::domain::status::{ENTRY_STATUS, EntryFact, EntryStatus, ORDER_STATUS, OrderFact, OrderStatus, Rule};

/// `CASE WHEN <fact> THEN '<status>' … ELSE '<otherwise>' END`: the decision list in SQL.
fn case<F: Copy, S: Copy>(rule: &Rule<F, S>, fact: impl Fn(F) -> String, name: impl Fn(S) -> &'static str) -> String {
    let mut sql = String::from("CASE");
    for (f, status) in rule.arms {
        sql.push_str(&format!(" WHEN {} THEN '{}'", fact(*f), name(*status)));
    }
    sql.push_str(&format!(" ELSE '{}' END", name(rule.otherwise)));
    sql
}

/// An entry fact over the ledger entry aliased `entry`.
fn entry_fact(fact: EntryFact, entry: &str) -> String {
    match fact {
        EntryFact::PaidOut => format!("{entry}.paid_out_in IS NOT NULL"),
        EntryFact::Approved => format!("{entry}.approved_at IS NOT NULL"),
    }
}

/// An entry fact's absence over the ledger entry aliased `entry`.
fn entry_fact_absent(fact: EntryFact, entry: &str) -> String {
    match fact {
        EntryFact::PaidOut => format!("{entry}.paid_out_in IS NULL"),
        EntryFact::Approved => format!("{entry}.approved_at IS NULL"),
    }
}

/// The commission entry of the order aliased `order` for the ambassador it is
/// attributed to (a reassigned order keeps the first one's too), as `c`.
fn commission_of(order: &str) -> String {
    format!(
        "SELECT 1 FROM ledger_entries c WHERE c.order_id = {order}.id AND c.membership_id = {order}.membership_id \
         AND c.kind = 'commission'"
    )
}

/// An order fact over the order aliased `order`. [`OrderFact::FullyRefunded`] is
/// [`crate::domain::status::fully_refunded`] over the order's refunds.
fn order_fact(fact: OrderFact, order: &str) -> String {
    match fact {
        OrderFact::NoCommission => format!("NOT EXISTS ({})", commission_of(order)),
        OrderFact::Rejected => format!("{order}.review = 'rejected'"),
        OrderFact::Held => format!("{order}.review = 'held'"),
        OrderFact::FullyRefunded => format!(
            "({order}.net_amount > 0 AND \
             (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.order_id = {order}.id) >= {order}.net_amount)"
        ),
        OrderFact::Commission(fact) => format!("EXISTS ({} AND {})", commission_of(order), entry_fact(fact, "c")),
    }
}

/// The [`EntryStatus`] name of the ledger entry aliased `entry`.
pub fn entry_status(entry: &str) -> String {
    case(&ENTRY_STATUS, |f| entry_fact(f, entry), EntryStatus::as_str)
}

/// True when the ledger entry aliased `entry` has `status`.
pub fn entry_has_status(entry: &str, status: EntryStatus) -> String {
    format!("({}) = '{}'", entry_status(entry), status.as_str())
}

/// True when the ledger entry aliased `entry` is [`EntryStatus::Pending`], as plain
/// column tests rather than the `CASE`: pending is the rule's `otherwise`, so it holds
/// exactly when none of the arms' facts does. PostgreSQL can match these tests against
/// a partial index's predicate (`ledger_entries_next_payable`), never the `CASE`.
pub fn entry_is_pending(entry: &str) -> String {
    ENTRY_STATUS
        .arms
        .iter()
        .map(|(fact, _)| entry_fact_absent(*fact, entry))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Σ of the amounts of the ledger entries aliased `entry` that have `status`, as the
/// wide columns `{alias}_hi/_lo` ([`wide_sum`]): every report that splits money by
/// status (the influencer's dashboard, the brand's commission owed) sums this way.
pub fn sum_in_status(entry: &str, status: EntryStatus, alias: &str) -> String {
    wide_sum(
        &format!(
            "CASE WHEN {} THEN {entry}.amount ELSE 0 END",
            entry_has_status(entry, status)
        ),
        alias,
    )
}

/// An entry fact over a running-total row aliased `sums`, keyed by the state of the
/// entries it adds up (`approved`, `paid`: 0 or 1; see [`super::totals`]).
fn sums_fact(fact: EntryFact, sums: &str) -> String {
    match fact {
        EntryFact::PaidOut => format!("{sums}.paid = 1"),
        EntryFact::Approved => format!("{sums}.approved = 1"),
    }
}

/// Σ of the `{column}_hi`/`_lo` halves of the running-total rows aliased `sums` whose
/// entries have `status`, as `{alias}_hi/_lo`: the same figure [`sum_in_status`] gives
/// over the entries themselves (halves add up exactly, like a [`wide_sum`]'s).
pub fn sum_halves_in_status(sums: &str, status: EntryStatus, column: &str, alias: &str) -> String {
    let status = format!(
        "({}) = '{}'",
        case(&ENTRY_STATUS, |f| sums_fact(f, sums), EntryStatus::as_str),
        status.as_str()
    );
    sum_halves(
        &format!("CASE WHEN {status} THEN {sums}.{column}_hi ELSE 0 END"),
        &format!("CASE WHEN {status} THEN {sums}.{column}_lo ELSE 0 END"),
        alias,
    )
}

/// The [`OrderStatus`] name of the order aliased `order`.
pub fn order_status(order: &str) -> String {
    case(&ORDER_STATUS, |f| order_fact(f, order), OrderStatus::as_str)
}

/// True when the order aliased `order` has `status`.
pub fn order_has_status(order: &str, status: OrderStatus) -> String {
    format!("({}) = '{}'", order_status(order), status.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_case_is_the_decision_list_in_order() {
        assert_eq!(
            entry_status("e"),
            "CASE WHEN e.paid_out_in IS NOT NULL THEN 'paid' \
             WHEN e.approved_at IS NOT NULL THEN 'approved' ELSE 'pending' END"
        );
    }

    #[test]
    fn pending_is_no_fact_of_the_entry_rule_holding() {
        assert_eq!(ENTRY_STATUS.otherwise, EntryStatus::Pending);
        assert_eq!(entry_is_pending("p"), "p.paid_out_in IS NULL AND p.approved_at IS NULL");
    }

    #[test]
    fn the_order_case_checks_the_commission_review_refunds_then_the_entry() {
        let sql = order_status("orders");
        let arms: Vec<&str> = sql.split(" WHEN ").skip(1).collect();
        assert_eq!(arms.len(), 6, "{sql}");
        assert!(
            arms[0].starts_with("NOT EXISTS") && arms[0].ends_with("THEN 'none'"),
            "{sql}"
        );
        assert_eq!(arms[1], "orders.review = 'rejected' THEN 'rejected'", "{sql}");
        assert!(
            arms[2].contains("refunds r") && arms[2].ends_with("THEN 'reversed'"),
            "{sql}"
        );
        assert_eq!(arms[3], "orders.review = 'held' THEN 'held'", "{sql}");
        assert!(arms[4].contains("c.paid_out_in IS NOT NULL"), "{sql}");
        assert!(arms[5].contains("c.approved_at IS NOT NULL"), "{sql}");
        assert!(sql.ends_with("ELSE 'pending' END"), "{sql}");
    }
}
