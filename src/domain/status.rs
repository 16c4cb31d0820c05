//! Where money stands: the status of a ledger entry and of an order's commission, one
//! rule each, for every report (the brand's orders, the influencer's orders, the
//! dashboard, the earnings statement).
//!
//! Each rule is written once, as data: a decision list of facts, the first fact that
//! holds decides. Rust evaluates the list here ([`Rule::decide`]); the store turns the
//! same list into a SQL `CASE` over its columns (`store::status_sql`) where it filters
//! or sums by status, so the two cannot drift apart.

/// A fact about one ledger entry that its status depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryFact {
    /// The entry is in a paid payout.
    PaidOut,
    /// The entry's hold is over and it was approved.
    Approved,
}

/// A fact about one order that its commission status depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderFact {
    /// The order earned no commission entry (unattributed, or a self-referral).
    NoCommission,
    /// The brand rejected the commission (it is reversed).
    Rejected,
    /// The brand holds the commission for review (it does not mature).
    Held,
    /// Refunds reach the order's whole (positive) net: see [`fully_refunded`].
    FullyRefunded,
    /// A fact about the order's commission entry.
    Commission(EntryFact),
}

/// A decision list: the status of the first arm whose fact holds, else `otherwise`.
#[derive(Debug)]
pub struct Rule<F: 'static, S: 'static> {
    pub arms: &'static [(F, S)],
    pub otherwise: S,
}

impl<F: Copy, S: Copy> Rule<F, S> {
    pub fn decide(&self, holds: impl Fn(F) -> bool) -> S {
        self.arms
            .iter()
            .find(|(fact, _)| holds(*fact))
            .map_or(self.otherwise, |(_, status)| *status)
    }
}

/// Where a ledger entry stands. The three states are disjoint and cover every entry,
/// so pending + approved + paid = Σ every entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryStatus {
    /// Still in its hold period.
    Pending,
    /// Approved, not in a paid payout (whether or not an unpaid batch holds it).
    Approved,
    /// In a paid payout.
    Paid,
}

/// Paid out, else approved, else pending.
pub const ENTRY_STATUS: Rule<EntryFact, EntryStatus> = Rule {
    arms: &[
        (EntryFact::PaidOut, EntryStatus::Paid),
        (EntryFact::Approved, EntryStatus::Approved),
    ],
    otherwise: EntryStatus::Pending,
};

/// What a stored ledger entry says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EntryState {
    pub approved: bool,
    pub paid_out: bool,
}

impl EntryState {
    pub fn holds(self, fact: EntryFact) -> bool {
        match fact {
            EntryFact::PaidOut => self.paid_out,
            EntryFact::Approved => self.approved,
        }
    }
}

impl EntryStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Approved, Self::Paid];

    /// The one rule, [`ENTRY_STATUS`].
    pub fn of(entry: EntryState) -> Self {
        ENTRY_STATUS.decide(|fact| entry.holds(fact))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Paid => "paid",
        }
    }
}

/// Where an order's commission stands, as brand and ambassador both see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Unattributed or self-referral: no commission entry.
    None,
    Pending,
    Approved,
    Paid,
    /// Fully refunded: the commission is reversed to zero.
    Reversed,
    /// Held for review by the brand: it does not mature until released.
    Held,
    /// Rejected by the brand: the commission is reversed, with the brand's reason.
    Rejected,
}

/// No commission, else rejected by the brand, else reversed once fully refunded, else
/// held for review, else where the commission entry stands (the arms of
/// [`ENTRY_STATUS`], in its order; a test holds them equal). Only a commission not yet
/// approved can be held, so a held one is never paid.
pub const ORDER_STATUS: Rule<OrderFact, OrderStatus> = Rule {
    arms: &[
        (OrderFact::NoCommission, OrderStatus::None),
        (OrderFact::Rejected, OrderStatus::Rejected),
        (OrderFact::FullyRefunded, OrderStatus::Reversed),
        (OrderFact::Held, OrderStatus::Held),
        (OrderFact::Commission(EntryFact::PaidOut), OrderStatus::Paid),
        (OrderFact::Commission(EntryFact::Approved), OrderStatus::Approved),
    ],
    otherwise: OrderStatus::Pending,
};

/// True when refunds reach the whole net of an order whose net is positive (an order
/// of net zero is never "fully refunded": nothing of it can be).
pub fn fully_refunded(net: i64, refunded: i64) -> bool {
    net > 0 && refunded >= net
}

/// What a stored order says about its commission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderState {
    /// The commission entry, if the order earned one.
    pub commission: Option<EntryState>,
    pub net: i64,
    /// Σ refunds of the order.
    pub refunded: i64,
    /// The brand's review of the commission.
    pub review: ReviewFact,
}

/// Where the brand's review of an order's commission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReviewFact {
    #[default]
    None,
    Held,
    Rejected,
}

impl OrderState {
    pub fn holds(self, fact: OrderFact) -> bool {
        match fact {
            OrderFact::NoCommission => self.commission.is_none(),
            OrderFact::Rejected => self.review == ReviewFact::Rejected,
            OrderFact::Held => self.review == ReviewFact::Held,
            OrderFact::FullyRefunded => fully_refunded(self.net, self.refunded),
            OrderFact::Commission(fact) => self.commission.is_some_and(|c| c.holds(fact)),
        }
    }
}

impl OrderStatus {
    pub const ALL: [Self; 7] = [
        Self::None,
        Self::Pending,
        Self::Held,
        Self::Approved,
        Self::Paid,
        Self::Reversed,
        Self::Rejected,
    ];

    /// The one rule, [`ORDER_STATUS`].
    pub fn of(order: OrderState) -> Self {
        ORDER_STATUS.decide(|fact| order.holds(fact))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Paid => "paid",
            Self::Reversed => "reversed",
            Self::Held => "held",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// A `status` filter of an order list, or the message every list (the brand's, the
    /// ambassador's, the portal's) answers for a value it does not know.
    pub fn parse_filter(text: &str) -> Result<Self, String> {
        Self::parse(text)
            .ok_or_else(|| "must be one of pending, held, approved, paid, reversed, rejected, none".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<EntryState> {
        let mut all = Vec::new();
        for approved in [false, true] {
            for paid_out in [false, true] {
                all.push(EntryState { approved, paid_out });
            }
        }
        all
    }

    #[test]
    fn an_entry_is_paid_else_approved_else_pending() {
        let statuses: Vec<_> = entries().into_iter().map(EntryStatus::of).collect();
        assert_eq!(
            statuses,
            [
                EntryStatus::Pending,
                EntryStatus::Paid,
                EntryStatus::Approved,
                EntryStatus::Paid
            ]
        );
    }

    #[test]
    fn an_order_not_fully_refunded_stands_where_its_commission_entry_stands() {
        for entry in entries() {
            for (net, refunded) in [(5949, 0), (5949, 5948), (0, 0), (0, 10)] {
                let order = OrderState {
                    commission: Some(entry),
                    net,
                    refunded,
                    review: ReviewFact::None,
                };
                assert_eq!(
                    OrderStatus::of(order).as_str(),
                    EntryStatus::of(entry).as_str(),
                    "{order:?}"
                );
            }
        }
    }

    #[test]
    fn a_fully_refunded_order_is_reversed_and_one_without_commission_is_none() {
        for entry in entries() {
            for refunded in [5949, 6000] {
                let order = OrderState {
                    commission: Some(entry),
                    net: 5949,
                    refunded,
                    review: ReviewFact::None,
                };
                assert_eq!(OrderStatus::of(order), OrderStatus::Reversed);
            }
        }
        let unattributed = OrderState {
            commission: None,
            net: 5949,
            refunded: 5949,
            review: ReviewFact::None,
        };
        assert_eq!(OrderStatus::of(unattributed), OrderStatus::None);
    }

    #[test]
    fn a_rejected_commission_is_rejected_whatever_else_and_a_held_one_is_held_unless_refunded() {
        for entry in entries() {
            for refunded in [0, 5948, 5949] {
                let order = |review| OrderState {
                    commission: Some(entry),
                    net: 5949,
                    refunded,
                    review,
                };
                assert_eq!(OrderStatus::of(order(ReviewFact::Rejected)), OrderStatus::Rejected);
                let held = if refunded == 5949 {
                    OrderStatus::Reversed
                } else {
                    OrderStatus::Held
                };
                assert_eq!(OrderStatus::of(order(ReviewFact::Held)), held);
            }
        }
        let unattributed = OrderState {
            commission: None,
            net: 5949,
            refunded: 0,
            review: ReviewFact::Rejected,
        };
        assert_eq!(OrderStatus::of(unattributed), OrderStatus::None);
    }

    #[test]
    fn status_names_round_trip() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("lost"), None);
    }
}
