//! Returning customers bound to the ambassador who referred them: one row per program
//! and customer (the keyed hash of the e-mail the shop sends).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::DbConn;
use super::batch::Sink;
use super::ids::{BrandId, CodeId, MembershipId, OrderId, ProgramId};
use super::schema::customer_bindings;

/// How many of a customer's bindings in one brand the checkout looks at, newest first
/// (one per program the customer was referred into).
const MAX_READ: i64 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = customer_bindings, treat_none_as_default_value = false)]
pub struct BindingRow {
    pub program_id: ProgramId,
    pub customer_hash: String,
    pub brand_id: BrandId,
    pub membership_id: MembershipId,
    /// The code of the order that made the binding: orders through the binding are
    /// attributed to it.
    pub code_id: CodeId,
    pub order_id: OrderId,
    pub bound_at: NaiveDateTime,
}

/// The customer's bindings in this brand, newest first.
pub fn for_customer(conn: &mut DbConn, brand: BrandId, customer_hash: &str) -> QueryResult<Vec<BindingRow>> {
    customer_bindings::table
        .filter(customer_bindings::brand_id.eq(brand))
        .filter(customer_bindings::customer_hash.eq(customer_hash))
        .order(customer_bindings::bound_at.desc())
        .limit(MAX_READ)
        .select(BindingRow::as_select())
        .load(conn)
}

/// Binds the customer, or rebinds them when their binding in the program was made at
/// or before `lapsed_by` (it has lapsed by the time of this order); a live binding is
/// left as it is, so two concurrent first orders keep the one that committed first.
pub fn bind(sink: &mut impl Sink, row: &BindingRow, lapsed_by: NaiveDateTime) -> QueryResult<()> {
    use customer_bindings::dsl;
    use diesel::query_dsl::methods::FilterDsl;
    sink.insert_native(
        diesel::insert_into(customer_bindings::table)
            .values(row.clone())
            .on_conflict((dsl::program_id, dsl::customer_hash))
            .do_update()
            .set((
                dsl::membership_id.eq(excluded(dsl::membership_id)),
                dsl::code_id.eq(excluded(dsl::code_id)),
                dsl::order_id.eq(excluded(dsl::order_id)),
                dsl::bound_at.eq(excluded(dsl::bound_at)),
            ))
            .filter(dsl::bound_at.le(lapsed_by)),
    )
}
