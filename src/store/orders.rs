//! Orders reported by the shop's checkout, with their lines.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::batch::Sink;
use super::ids::{BrandId, ClickId, CodeId, MembershipId, OrderId, ProgramId};
use super::portable::{wide_sum_columns, wide_total};
use super::schema::{order_lines, orders, refunds};

/// `flags` of an order that carries none (a JSON array as text).
pub const NO_FLAGS: &str = "[]";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = orders, treat_none_as_default_value = false)]
pub struct OrderRow {
    pub id: OrderId,
    pub brand_id: BrandId,
    pub order_id: String,
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub net_amount: i64,
    pub placed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub membership_id: Option<MembershipId>,
    pub program_id: Option<ProgramId>,
    pub terms_version: Option<i32>,
    pub code_id: Option<CodeId>,
    pub click_id: Option<ClickId>,
    pub commission: i64,
    pub commission_rate: Option<String>,
    pub attribution_method: String,
    pub attribution_reason: String,
    pub attribution_candidates: String,
    pub flags: String,
    pub customer_email_hash: Option<String>,
    /// The fraud signals raised when the order was recorded (a JSON array of
    /// [`crate::domain::fraud::Signal`] names); they held the commission for review.
    pub signals: String,
    /// Where the brand's review of the commission stands; `None` when never held or
    /// rejected, or released.
    pub review: Option<super::reviews::Review>,
    /// The code whose use the order took: the code typed at checkout, unless its own
    /// ambassador bought with it (it counts customers). It may differ from `code_id`
    /// when a link won. Counted in the running totals' `code_uses`.
    pub used_code_id: Option<CodeId>,
    /// The rate the order's net was converted into its program's currency at, when the
    /// two differ (a decimal string); `None` for an order in its program's currency or
    /// an unattributed one.
    pub fx_rate: Option<String>,
    pub fx_source: Option<super::fx_rates::FxSource>,
    /// The rate's time: the order's `placed_at` for a rate the shop sent, when the brand
    /// set it for one from the rate table.
    pub fx_at: Option<NaiveDateTime>,
    /// The program's currency, which the commission and the running totals are in.
    pub fx_currency: Option<String>,
    /// The net converted into `fx_currency`, rounded once: what commission is paid on.
    pub fx_net: Option<i64>,
}

/// An order's net converted into its program's currency, as the order keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFx {
    pub rate: String,
    pub source: super::fx_rates::FxSource,
    pub at: NaiveDateTime,
    pub currency: String,
    pub net: i64,
}

impl OrderRow {
    /// The row with its conversion's columns set (all, or none).
    pub fn with_fx(self, fx: Option<OrderFx>) -> Self {
        match fx {
            Some(fx) => Self {
                fx_rate: Some(fx.rate),
                fx_source: Some(fx.source),
                fx_at: Some(fx.at),
                fx_currency: Some(fx.currency),
                fx_net: Some(fx.net),
                ..self
            },
            None => Self {
                fx_rate: None,
                fx_source: None,
                fx_at: None,
                fx_currency: None,
                fx_net: None,
                ..self
            },
        }
    }

    /// The currency the commission and the running totals are in: the program's.
    pub fn commission_currency(&self) -> &str {
        self.fx_currency.as_deref().unwrap_or(&self.currency)
    }

    /// The conversion the order keeps, if it was converted.
    pub fn fx(&self) -> Option<OrderFx> {
        Some(OrderFx {
            rate: self.fx_rate.clone()?,
            source: self.fx_source?,
            at: self.fx_at?,
            currency: self.fx_currency.clone()?,
            net: self.fx_net?,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = order_lines, treat_none_as_default_value = false)]
pub struct OrderLineRow {
    pub order_id: OrderId,
    pub line_no: i32,
    pub sku: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
    pub rate: Option<String>,
}

/// Lines written by one multi-row INSERT on PostgreSQL.
const LINES_PER_INSERT: usize = 100;

/// Carts up to this many lines (nearly all) are written one INSERT per line. In a
/// [`super::batch::Batch`] the statement's text then repeats from order to order and
/// diesel keeps it prepared (PostgreSQL plans it once per connection); diesel never keeps
/// a multi-row INSERT prepared, as its shape varies with the row count.
const LINES_ONE_BY_ONE: usize = 16;

pub fn insert(sink: &mut impl Sink, order: &OrderRow, lines: &[OrderLineRow]) -> QueryResult<()> {
    sink.insert(diesel::insert_into(orders::table).values(order.clone()))?;
    if lines.len() > LINES_ONE_BY_ONE && sink.is_pg() {
        // A long cart: one statement per [`LINES_PER_INSERT`] lines, the bind count
        // (7 a line) far below PostgreSQL's limit at 500 lines. diesel has no multi-row
        // INSERT through the multi-backend connection, hence the PostgreSQL-only insert.
        for chunk in lines.chunks(LINES_PER_INSERT) {
            sink.insert_pg(diesel::insert_into(order_lines::table).values(chunk.to_vec()))?;
        }
    } else {
        for line in lines {
            sink.insert(diesel::insert_into(order_lines::table).values(line.clone()))?;
        }
    }
    Ok(())
}

/// Who an order is attributed to and what it earns, as a reassignment rewrites it.
#[derive(Debug, Clone)]
pub struct Attribution {
    pub membership_id: MembershipId,
    pub program_id: ProgramId,
    pub terms_version: i32,
    pub commission: i64,
    pub commission_rate: Option<String>,
    pub attribution_reason: String,
    pub flags: String,
    /// Each line's rate, by `line_no`.
    pub line_rates: Vec<Option<String>>,
    /// The conversion into the new program's currency, when the order is in another.
    pub fx: Option<OrderFx>,
}

/// Moves the order to another ambassador: the new attribution, no code or click (they
/// were the first ambassador's), the review cleared; the lines' rates as priced again.
pub fn reattribute(conn: &mut DbConn, id: OrderId, to: &Attribution) -> QueryResult<()> {
    diesel::update(orders::table.find(id))
        .set((
            orders::membership_id.eq(Some(to.membership_id)),
            orders::program_id.eq(Some(to.program_id)),
            orders::terms_version.eq(Some(to.terms_version)),
            orders::code_id.eq(None::<CodeId>),
            orders::click_id.eq(None::<ClickId>),
            orders::commission.eq(to.commission),
            orders::commission_rate.eq(to.commission_rate.as_deref()),
            orders::attribution_reason.eq(&to.attribution_reason),
            orders::flags.eq(&to.flags),
            orders::review.eq(None::<super::reviews::Review>),
            orders::fx_rate.eq(to.fx.as_ref().map(|fx| fx.rate.clone())),
            orders::fx_source.eq(to.fx.as_ref().map(|fx| fx.source)),
            orders::fx_at.eq(to.fx.as_ref().map(|fx| fx.at)),
            orders::fx_currency.eq(to.fx.as_ref().map(|fx| fx.currency.clone())),
            orders::fx_net.eq(to.fx.as_ref().map(|fx| fx.net)),
        ))
        .execute(conn)?;
    for (line_no, rate) in to.line_rates.iter().enumerate() {
        let line_no = i32::try_from(line_no).unwrap_or(i32::MAX);
        diesel::update(order_lines::table.find((id, line_no)))
            .set(order_lines::rate.eq(rate.as_deref()))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find_by_shop_id(conn: &mut DbConn, brand: BrandId, order_id: &str) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::brand_id.eq(brand))
        .filter(orders::order_id.eq(order_id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

/// The brand's order with this id; another brand's is `None`.
pub fn find(conn: &mut DbConn, brand: BrandId, id: OrderId) -> QueryResult<Option<OrderRow>> {
    orders::table
        .find(id)
        .filter(orders::brand_id.eq(brand))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

pub fn lines(conn: &mut DbConn, id: OrderId) -> QueryResult<Vec<OrderLineRow>> {
    order_lines::table
        .filter(order_lines::order_id.eq(id))
        .order(order_lines::line_no.asc())
        .select(OrderLineRow::as_select())
        .load(conn)
}

pub fn program_has_orders(conn: &mut DbConn, program: ProgramId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        orders::table.filter(orders::program_id.eq(program)),
    ))
    .get_result(conn)
}

/// The ambassador's attributed net sales placed in `[from, to)`, refunds deducted:
/// the base of volume tiers. Flagged orders do not count (as for rewards): a
/// self-referral is the ambassador's own purchase, not sales, and counting it would let
/// an ambassador buy their way into a higher rate.
pub fn attributed_net_between(
    conn: &mut DbConn,
    membership: MembershipId,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<i64> {
    let in_window = orders::table
        .filter(orders::membership_id.eq(membership))
        .filter(orders::placed_at.ge(from))
        .filter(orders::placed_at.lt(to))
        .filter(orders::flags.eq(NO_FLAGS));
    // In the program's currency: a converted order counts with its converted net.
    let (hi, lo): (i64, i64) = in_window
        .select(wide_sum_columns("COALESCE(fx_net, net_amount)"))
        .get_result(conn)?;
    let net = wide_total(hi, lo);
    let (hi, lo): (i64, i64) = refunds::table
        .filter(refunds::order_id.eq_any(in_window.select(orders::id)))
        .select(wide_sum_columns("COALESCE(fx_amount, amount)"))
        .get_result(conn)?;
    // Only the tier a sum falls in matters, and every tier starts below `i64::MAX`: a
    // sum beyond it (amounts stored before the door bounds) is the top tier.
    Ok(i64::try_from(net - wide_total(hi, lo)).unwrap_or(i64::MAX))
}
