//! Refunds of orders, idempotent on the shop's refund id.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{OrderId, RefundId};
use super::portable::sum_bigint;
use super::schema::refunds;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refunds)]
pub struct RefundRow {
    pub id: RefundId,
    pub order_id: OrderId,
    pub refund_id: String,
    pub amount: i64,
    pub line_value: i64,
    pub lines: Option<String>,
    pub reversal: i64,
    pub request_hash: String,
    pub created_at: NaiveDateTime,
    /// `amount` in the program's currency when the order was converted: its share of the
    /// order's converted net, so refunds of the whole net take back all of it.
    pub fx_amount: Option<i64>,
}

pub fn insert(conn: &mut DbConn, row: &RefundRow) -> QueryResult<()> {
    diesel::insert_into(refunds::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConn, order: OrderId, refund_id: &str) -> QueryResult<Option<RefundRow>> {
    refunds::table
        .filter(refunds::order_id.eq(order))
        .filter(refunds::refund_id.eq(refund_id))
        .select(RefundRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_for_order(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::order_id.eq(order))
        .order(refunds::id.asc())
        .select(RefundRow::as_select())
        .load(conn)
}

/// (Σ amount, Σ line_value, Σ reversal) refunded so far.
pub fn totals(conn: &mut DbConn, order: OrderId) -> QueryResult<(i64, i64, i64)> {
    let of_order = || refunds::table.filter(refunds::order_id.eq(order));
    Ok((
        of_order().select(sum_bigint("amount")).get_result(conn)?,
        of_order().select(sum_bigint("line_value")).get_result(conn)?,
        of_order().select(sum_bigint("reversal")).get_result(conn)?,
    ))
}
