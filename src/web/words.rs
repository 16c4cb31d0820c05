//! The words both web doors use for an order's commission status, its hold and its
//! attribution, and for money by ledger kind:
//! the influencer's portal speaks to the ambassador ("your code"), the brand's console
//! about them ("the ambassador's code"). One table each, with the reader as a
//! parameter, so the two doors cannot drift apart.

use chrono::{DateTime, Utc};

use crate::domain::display;
use crate::domain::status::{EntryStatus, OrderStatus};
use crate::service::orders::FxView;
use crate::store::fx_rates::FxSource;
use crate::store::ledger::{EntryKind, KindTotals};

/// Who reads the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The ambassador, in the portal.
    Ambassador,
    /// The brand's team, in the console.
    Brand,
}

/// The status filter's choices, in the order a commission moves.
pub const ORDER_STATUSES: [OrderStatus; 7] = [
    OrderStatus::Pending,
    OrderStatus::Held,
    OrderStatus::Approved,
    OrderStatus::Paid,
    OrderStatus::Reversed,
    OrderStatus::Rejected,
    OrderStatus::None,
];

/// A status as both doors say it (the overview's words: an approved commission is
/// "payable", to the ambassador who will be paid and to the brand that will pay).
pub fn status_words(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "Pending",
        OrderStatus::Approved => "Payable",
        OrderStatus::Paid => "Paid",
        OrderStatus::Reversed => "Reversed",
        OrderStatus::Held => "Under review",
        OrderStatus::Rejected => "Rejected",
        OrderStatus::None => "No commission",
    }
}

/// The hold countdown of a pending commission: "payable in 12 days". Once the hold is
/// over the commission is approved by the next maturation pass.
pub fn hold_words(status: OrderStatus, available_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<String> {
    match (status, available_at) {
        (OrderStatus::Pending, Some(at)) if at > now => Some(format!("payable {}", display::relative(at, now))),
        (OrderStatus::Pending, Some(_)) => Some("hold over, payable shortly".to_owned()),
        _ => None,
    }
}

/// A ledger entry's status on a statement line, with the hold countdown of a pending
/// one: "pending, payable in 12 days", "payable", "paid".
pub fn entry_words(status: EntryStatus, available_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match status {
        EntryStatus::Pending => format!("pending, payable {}", display::relative(available_at, now)),
        EntryStatus::Approved => "payable".to_owned(),
        EntryStatus::Paid => "paid".to_owned(),
    }
}

/// The ledger kinds as a line under a total names them: what the ambassador earned
/// first, what took money back last.
const KIND_WORDS: [(EntryKind, &str); 6] = [
    (EntryKind::Commission, "commissions"),
    (EntryKind::FlatFee, "flat fees"),
    (EntryKind::Override, "overrides"),
    (EntryKind::Bonus, "bonuses"),
    (EntryKind::Adjustment, "adjustments"),
    (EntryKind::Reversal, "reversals"),
];

/// A total's parts by ledger kind, the zero ones left out: "commissions $20.00, bonuses
/// $10.00, reversals -$5.00"; empty when every part is zero.
pub fn kind_parts(by_kind: &KindTotals, currency: &str) -> String {
    KIND_WORDS
        .iter()
        .filter(|(kind, _)| by_kind.get(*kind) != 0)
        .map(|(kind, words)| format!("{words} {}", display::money_in(by_kind.get(*kind), currency)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the order was attributed, in words short enough for a table cell that does not
/// wrap: (method, reason).
pub fn attribution_words(method: &str, reason: &str, reader: Reader) -> (String, String) {
    let method = method_words(method);
    let whose = |ambassador: &'static str, brand: &'static str| match reader {
        Reader::Ambassador => ambassador,
        Reader::Brand => brand,
    };
    let reason = match reason {
        "code" => whose("the customer used your code", "the customer used the ambassador's code"),
        "link" => whose(
            "the customer followed your link",
            "the customer followed the ambassador's link",
        ),
        "customer_binding" => whose(
            "a returning customer you referred before",
            "a returning customer the ambassador referred before",
        ),
        "self_referral" => whose(
            "your own purchase, no commission",
            "the ambassador's own purchase, no commission",
        ),
        other => outcome_words(other),
    };
    (method.to_owned(), reason.to_owned())
}

/// An attribution method (of an order or of one candidate) in words; one this table
/// does not know is shown as stored.
pub fn method_words(method: &str) -> &str {
    match method {
        "code" => "Code",
        "link" => "Link",
        "binding" => "Returning customer",
        "none" => "None",
        other => other,
    }
}

/// What became of one referral seen at checkout (a stored candidate's `status`), or
/// why an order was attributed as it was; a status this table does not know is shown
/// as stored.
pub fn outcome_words(status: &str) -> &str {
    match status {
        "ok" => "usable",
        "another_code_applied" => "another code was applied first",
        "code_first" => "code and link used; code counts first",
        "link_first" => "code and link used; link counts first",
        "no_referral" => "no referral",
        "code_not_found" => "code not found",
        "code_inactive" => "code turned off",
        "code_expired" => "code expired",
        "code_used_up" => "code used up",
        "ambassador_paused" => "membership paused",
        "ambassador_ended" => "membership ended",
        "click_not_found" => "link visit not found",
        "click_expired" => "link visit older than the program's click window",
        "binding_expired" => "the returning customer's binding has lapsed",
        "no_fx_rate" => "the program runs in another currency and there was no exchange rate",
        "fx_out_of_range" => "the exchange rate puts the order past any amount reftrack takes",
        "reassigned" => "reassigned by the brand",
        other => other,
    }
}

/// How an order's net was converted into its program's currency, for both doors:
/// "100.00 EUR at 1.0825 (sent with the order, 2 Nov 2026 10:00 UTC) = 108.25 USD".
pub fn fx_words(fx: &FxView, net: i64, order_currency: &str) -> String {
    let source = match fx.source {
        FxSource::Order => "sent with the order",
        FxSource::RateTable => "the brand's rate table",
    };
    format!(
        "{} at {} ({source}, {}) = {}",
        display::money_in(net, order_currency),
        fx.rate,
        display::date_time(fx.at),
        display::money_in(fx.net_amount, &fx.currency)
    )
}

/// A flag stored with an order, for the brand; one this table does not know is shown
/// as stored.
pub fn flag_words(flag: &str) -> &str {
    match flag {
        "self_referral" => "self-referral: the customer is the ambassador, so no commission",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_parts_name_only_the_kinds_that_moved_money() {
        let mut kinds = KindTotals::default();
        assert_eq!(kind_parts(&kinds, "USD"), "");
        for (kind, amount) in [
            (EntryKind::Reversal, -500),
            (EntryKind::Commission, 2_000),
            (EntryKind::Bonus, 1_000),
        ] {
            assert_eq!(kinds.add(kind, amount), Some(()));
        }
        assert_eq!(
            kind_parts(&kinds, "USD"),
            "commissions $20.00, bonuses $10.00, reversals -$5.00"
        );
    }

    #[test]
    fn the_brand_reads_about_the_ambassador_where_the_ambassador_reads_about_themselves() {
        let ambassador = attribution_words("code", "code", Reader::Ambassador);
        let brand = attribution_words("code", "code", Reader::Brand);
        assert_eq!(
            ambassador,
            ("Code".to_owned(), "the customer used your code".to_owned())
        );
        assert_eq!(brand.1, "the customer used the ambassador's code");
        // Words that name nobody are the same for both readers.
        assert_eq!(
            attribution_words("code", "code_first", Reader::Ambassador),
            attribution_words("code", "code_first", Reader::Brand)
        );
        assert_eq!(attribution_words("x", "new_reason", Reader::Brand).1, "new_reason");
    }
}
