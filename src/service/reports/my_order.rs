//! One of the influencer's attributed orders in full: the list's figures with the lines
//! and the rates they earned, the refunds, and the ledger entries (the commission and
//! its reversals). Read only through the influencer's memberships: another
//! influencer's order is [`ReportError::OrderNotFound`], exactly as no order is.

use super::ReportError;
use super::brand::{EntryLine, OrderLine, RefundLine};
use super::mine::MyOrder;
use crate::store::ids::{InfluencerId, OrderId};
use crate::store::{Db, dashboard, ledger, orders, refunds};

/// `GET /v1/me/orders/{id}` and the portal's order page.
#[derive(Debug, Clone)]
pub struct MyOrderDetail {
    pub order: MyOrder,
    pub lines: Vec<OrderLine>,
    /// Oldest first.
    pub refunds: Vec<RefundLine>,
    /// The commission entry and its reversals, oldest first.
    pub entries: Vec<EntryLine>,
}

pub async fn my_order(db: &Db, influencer: InfluencerId, id: OrderId) -> Result<MyOrderDetail, ReportError> {
    db.read(move |conn| {
        let order = dashboard::find_order(conn, influencer, id)?.ok_or(ReportError::OrderNotFound)?;
        let lines = orders::lines(conn, order.id)?;
        let refund_rows = refunds::list_for_order(conn, order.id)?;
        let entries = ledger::for_order(conn, order.id)?;
        Ok(MyOrderDetail {
            order: MyOrder::from(order),
            lines: lines.into_iter().map(OrderLine::from).collect(),
            refunds: refund_rows.into_iter().map(RefundLine::from).collect(),
            entries: entries.into_iter().map(EntryLine::from).collect(),
        })
    })
    .await
}
