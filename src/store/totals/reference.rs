//! What each total table holds, computed from the source tables: the statements
//! `reftrack verify` compares the tables with and `--repair` rebuilds them from. Each
//! says in SQL what the triggers of the migration maintain row by row; the reports
//! read the tables, so these are also the reports' meaning.
//!
//! An order converted into its program's currency counts in that currency, with its
//! converted net (`fx_net`) and its refunds' converted amounts (`fx_amount`): the
//! commission is in it, and an ambassador's figures are all in their program's.

use super::Rollup;
use crate::store::portable::wide_sum;

/// Σ amount and Σ reversal of each order's refunds, as `r`.
const REFUNDS_BY_ORDER: &str = "LEFT JOIN (SELECT order_id, SUM(COALESCE(fx_amount, amount)) AS refunded, SUM(reversal) AS reversed FROM refunds GROUP BY order_id) r \
     ON r.order_id = o.id";

/// An entry's state as the total tables key it.
const ENTRY_STATE: &str = "CASE WHEN e.approved_at IS NULL THEN 0 ELSE 1 END AS approved, \
     CASE WHEN e.paid_out_in IS NULL THEN 0 ELSE 1 END AS paid";

fn ledger_sums() -> String {
    format!(
        "SELECT e.membership_id AS membership_id, e.currency AS currency, e.kind AS kind, {ENTRY_STATE}, \
           e.brand_id AS brand_id, CAST(COUNT(*) AS BIGINT) AS entries, {} \
         FROM ledger_entries e GROUP BY e.membership_id, e.currency, e.kind, \
           CASE WHEN e.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN e.paid_out_in IS NULL THEN 0 ELSE 1 END, e.brand_id",
        wide_sum("e.amount", "amount")
    )
}

fn brand_ledger_sums() -> String {
    format!(
        "SELECT e.brand_id AS brand_id, e.currency AS currency, e.kind AS kind, {ENTRY_STATE}, \
           CAST(COUNT(*) AS BIGINT) AS entries, {} \
         FROM ledger_entries e GROUP BY e.brand_id, e.currency, e.kind, \
           CASE WHEN e.approved_at IS NULL THEN 0 ELSE 1 END, CASE WHEN e.paid_out_in IS NULL THEN 0 ELSE 1 END",
        wide_sum("e.amount", "amount")
    )
}

/// Orders by ambassador ('' for none), UTC day, code ('' for none) and currency: net
/// sales after refunds, commission after reversals, and Σ the ledger entries of the
/// orders for their ambassador (what the ambassador's chart shows as commission; a
/// recruiter's override on the order is in the recruiter's ledger totals).
fn order_days() -> String {
    format!(
        "SELECT COALESCE(o.membership_id, '') AS membership_id, CAST(DATE(o.placed_at) AS TEXT) AS day, \
           COALESCE(o.code_id, '') AS code_id, COALESCE(o.fx_currency, o.currency) AS currency, o.brand_id AS brand_id, \
           CAST(COUNT(*) AS BIGINT) AS orders, {}, {}, {} \
         FROM orders o {REFUNDS_BY_ORDER} \
         LEFT JOIN (SELECT order_id, membership_id, SUM(amount) AS earned FROM ledger_entries \
                    WHERE order_id IS NOT NULL GROUP BY order_id, membership_id) l \
           ON l.order_id = o.id AND l.membership_id = o.membership_id \
         GROUP BY COALESCE(o.membership_id, ''), CAST(DATE(o.placed_at) AS TEXT), COALESCE(o.code_id, ''), COALESCE(o.fx_currency, o.currency), o.brand_id",
        wide_sum(
            "COALESCE(o.fx_net, o.net_amount) - COALESCE(r.refunded, 0)",
            "net_sales"
        ),
        wide_sum("o.commission - COALESCE(r.reversed, 0)", "commission"),
        wide_sum("COALESCE(l.earned, 0)", "earned"),
    )
}

/// Orders by brand, currency and UTC day: all, attributed, the attributed ones' net
/// sales after refunds, and every order's commission after reversals.
fn brand_days() -> String {
    format!(
        "SELECT o.brand_id AS brand_id, COALESCE(o.fx_currency, o.currency) AS currency, CAST(DATE(o.placed_at) AS TEXT) AS day, \
           CAST(COUNT(*) AS BIGINT) AS orders, \
           CAST(SUM(CASE WHEN o.membership_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS attributed_orders, {}, {} \
         FROM orders o {REFUNDS_BY_ORDER} \
         GROUP BY o.brand_id, COALESCE(o.fx_currency, o.currency), CAST(DATE(o.placed_at) AS TEXT)",
        wide_sum(
            "CASE WHEN o.membership_id IS NULL THEN 0 ELSE COALESCE(o.fx_net, o.net_amount) - COALESCE(r.refunded, 0) END",
            "net_sales"
        ),
        wide_sum("o.commission - COALESCE(r.reversed, 0)", "commission"),
    )
}

fn click_days() -> String {
    "SELECT c.membership_id AS membership_id, CAST(DATE(c.created_at) AS TEXT) AS day, c.code_id AS code_id, \
       c.brand_id AS brand_id, CAST(COUNT(*) AS BIGINT) AS clicks \
     FROM clicks c GROUP BY c.membership_id, CAST(DATE(c.created_at) AS TEXT), c.code_id, c.brand_id"
        .to_owned()
}

fn brand_click_days() -> String {
    "SELECT c.brand_id AS brand_id, CAST(DATE(c.created_at) AS TEXT) AS day, CAST(COUNT(*) AS BIGINT) AS clicks \
     FROM clicks c GROUP BY c.brand_id, CAST(DATE(c.created_at) AS TEXT)"
        .to_owned()
}

/// What counts toward rewards (the rule of [`crate::store::rewards::qualifying`]):
/// orders attributed to the membership with its commission approved, no flag, neither
/// held nor rejected, not fully refunded; how many and Σ net after refunds.
fn qualifying_sums() -> String {
    format!(
        "SELECT o.membership_id AS membership_id, CAST(COUNT(*) AS BIGINT) AS orders, {} \
         FROM orders o {REFUNDS_BY_ORDER} \
         WHERE o.membership_id IS NOT NULL AND o.flags = '[]' AND o.review IS NULL \
           AND EXISTS (SELECT 1 FROM ledger_entries c WHERE c.order_id = o.id AND c.membership_id = o.membership_id \
                       AND c.kind = 'commission' AND c.approved_at IS NOT NULL) \
           AND COALESCE(o.fx_net, o.net_amount) > COALESCE(r.refunded, 0) \
         GROUP BY o.membership_id",
        wide_sum("COALESCE(o.fx_net, o.net_amount) - COALESCE(r.refunded, 0)", "amount"),
    )
}

/// The uses of each code counted from the orders that took one (the uses counted before
/// this version stay in `codes.uses`).
fn code_uses() -> String {
    "SELECT o.used_code_id AS code_id, CAST(COUNT(*) AS BIGINT) AS uses \
     FROM orders o WHERE o.used_code_id IS NOT NULL GROUP BY o.used_code_id"
        .to_owned()
}

/// Every total table, in the order `verify` reports them.
pub static ROLLUPS: &[Rollup] = &[
    Rollup {
        table: "ledger_sums",
        keys: &["membership_id", "currency", "kind", "approved", "paid", "brand_id"],
        counts: &["entries"],
        money: &["amount"],
        reference: ledger_sums,
    },
    Rollup {
        table: "brand_ledger_sums",
        keys: &["brand_id", "currency", "kind", "approved", "paid"],
        counts: &["entries"],
        money: &["amount"],
        reference: brand_ledger_sums,
    },
    Rollup {
        table: "order_days",
        keys: &["membership_id", "day", "code_id", "currency", "brand_id"],
        counts: &["orders"],
        money: &["net_sales", "commission", "earned"],
        reference: order_days,
    },
    Rollup {
        table: "brand_days",
        keys: &["brand_id", "currency", "day"],
        counts: &["orders", "attributed_orders"],
        money: &["net_sales", "commission"],
        reference: brand_days,
    },
    Rollup {
        table: "click_days",
        keys: &["membership_id", "day", "code_id", "brand_id"],
        counts: &["clicks"],
        money: &[],
        reference: click_days,
    },
    Rollup {
        table: "brand_click_days",
        keys: &["brand_id", "day"],
        counts: &["clicks"],
        money: &[],
        reference: brand_click_days,
    },
    Rollup {
        table: "code_uses",
        keys: &["code_id"],
        counts: &["uses"],
        money: &[],
        reference: code_uses,
    },
    Rollup {
        table: "qualifying_sums",
        keys: &["membership_id"],
        counts: &["orders"],
        money: &["amount"],
        reference: qualifying_sums,
    },
];
