//! Read models for the influencer's own reports: the dashboard, the list of attributed
//! orders and the earnings statement. Every figure is aggregated in SQL (portable
//! `CAST(COALESCE(SUM(..), 0) AS BIGINT)`), grouped, with a fixed number of statements
//! per request however many brands, codes, days or orders there are.
//!
//! Every statement is scoped to the influencer's memberships in SQL, either through
//! [`Statement::memberships_of`] or through membership ids read by a scoped query.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Integer, Nullable, Text, Timestamp};

use super::DbConn;
use super::brand_reports::OrderStatus;
use super::conn::MultiBackend;
use super::ids::{BrandId, CodeId, InfluencerId, LedgerEntryId, MembershipId, OrderId};
use super::ledger::EntryKind;
use super::portable::{wide_i64, wide_sum};
use super::rewards::RewardRow;
use super::schema::{brands, codes, memberships, programs, rewards};

/// Orders shown under "recent orders" per brand and currency.
pub const RECENT_ORDERS: i64 = 10;

/// A raw statement whose `$n` placeholders are numbered as they are bound. SQLite
/// numbers `$name` parameters by first appearance, PostgreSQL by their digits: writing
/// them in binding order makes the two agree.
struct Statement {
    query: BoxedSqlQuery<'static, MultiBackend, SqlQuery>,
    params: usize,
}

impl Statement {
    fn new(sql: &str) -> Self {
        Self {
            query: diesel::sql_query(sql).into_boxed(),
            params: 0,
        }
    }

    fn sql(mut self, sql: &str) -> Self {
        self.query = self.query.sql(sql);
        self
    }

    fn param<ST, V>(mut self, value: V) -> Self
    where
        MultiBackend: HasSqlType<ST>,
        V: ToSql<ST, MultiBackend> + Send + 'static,
        ST: Send + 'static,
    {
        self.params += 1;
        self.query = self.query.sql(format!("${}", self.params)).bind::<ST, V>(value);
        self
    }

    /// `(SELECT id FROM memberships WHERE influencer_id = … [AND brand_id = …])`.
    fn memberships_of(self, influencer: InfluencerId, brand: Option<BrandId>) -> Self {
        let query = self
            .sql("(SELECT m.id FROM memberships m WHERE m.influencer_id = ")
            .param::<Text, _>(influencer);
        match brand {
            Some(brand) => query.sql(" AND m.brand_id = ").param::<Text, _>(brand).sql(")"),
            None => query.sql(")"),
        }
    }
}

/// The half-open time range `[from, until)` that narrows the per-code figures and the
/// series (whole UTC days).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: NaiveDateTime,
    pub until: NaiveDateTime,
}

/// One of the influencer's memberships with its brand and its program's current terms.
#[derive(Debug, Clone, Queryable)]
pub struct MembershipSummary {
    pub membership_id: MembershipId,
    pub brand_id: BrandId,
    pub brand_name: String,
    /// The currency of the membership's current program.
    pub currency: String,
    /// The program's current terms, as stored.
    pub terms: String,
}

/// All-time ledger figures of one membership in one currency, in minor units.
/// pending + approved + paid = Σ every entry.
#[derive(Debug, Clone, QueryableByName)]
pub struct LedgerTotals {
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = Text)]
    pub currency: String,
    /// Not approved yet (in its hold period).
    #[diesel(sql_type = BigInt)]
    pending_hi: i64,
    #[diesel(sql_type = BigInt)]
    pending_lo: i64,
    /// Approved and not in a paid payout.
    #[diesel(sql_type = BigInt)]
    approved_hi: i64,
    #[diesel(sql_type = BigInt)]
    approved_lo: i64,
    /// In a paid payout.
    #[diesel(sql_type = BigInt)]
    paid_hi: i64,
    #[diesel(sql_type = BigInt)]
    paid_lo: i64,
    /// −Σ reversal entries (a positive number).
    #[diesel(sql_type = BigInt)]
    reversed_hi: i64,
    #[diesel(sql_type = BigInt)]
    reversed_lo: i64,
}

/// [`LedgerTotals`] as `i64`s: (pending, approved, paid, reversed).
pub type Totals = (i64, i64, i64, i64);

impl LedgerTotals {
    /// The four totals, or `None` when one of them is beyond `i64` (amounts stored
    /// before the door bounds): an error for this membership alone.
    pub fn totals(&self) -> Option<Totals> {
        Some((
            wide_i64(self.pending_hi, self.pending_lo)?,
            wide_i64(self.approved_hi, self.approved_lo)?,
            wide_i64(self.paid_hi, self.paid_lo)?,
            wide_i64(self.reversed_hi, self.reversed_lo)?,
        ))
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct CodeSummary {
    pub id: CodeId,
    pub membership_id: MembershipId,
    pub code: String,
}

/// Clicks on one code on one UTC day.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClicksByDay {
    #[diesel(sql_type = Text)]
    pub code_id: CodeId,
    /// `YYYY-MM-DD`.
    #[diesel(sql_type = Text)]
    pub day: String,
    #[diesel(sql_type = BigInt)]
    pub clicks: i64,
}

/// Orders placed on one UTC day through one code in one currency.
#[derive(Debug, Clone, QueryableByName)]
pub struct OrdersByDay {
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = Nullable<Text>)]
    pub code_id: Option<CodeId>,
    #[diesel(sql_type = Text)]
    pub currency: String,
    /// `YYYY-MM-DD`.
    #[diesel(sql_type = Text)]
    pub day: String,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    /// Σ net merchandise − Σ refunds of these orders.
    #[diesel(sql_type = BigInt)]
    net_sales_hi: i64,
    #[diesel(sql_type = BigInt)]
    net_sales_lo: i64,
    /// Σ ledger entries of these orders: commission − reversals.
    #[diesel(sql_type = BigInt)]
    commission_hi: i64,
    #[diesel(sql_type = BigInt)]
    commission_lo: i64,
}

impl OrdersByDay {
    /// (net sales, commission), or `None` when either is beyond `i64`.
    pub fn sums(&self) -> Option<(i64, i64)> {
        Some((
            wide_i64(self.net_sales_hi, self.net_sales_lo)?,
            wide_i64(self.commission_hi, self.commission_lo)?,
        ))
    }
}

/// What counts toward rewards, per membership (see [`super::rewards::qualifying`]).
#[derive(Debug, Clone, QueryableByName)]
pub struct Qualifying {
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    amount_hi: i64,
    #[diesel(sql_type = BigInt)]
    amount_lo: i64,
}

impl Qualifying {
    /// Σ net − refunds of the qualifying orders, or `None` when it is beyond `i64`.
    pub fn amount(&self) -> Option<i64> {
        wide_i64(self.amount_hi, self.amount_lo)
    }
}

/// An attributed order with its commission entry's state and its reversals. No
/// customer data.
#[derive(Debug, Clone, QueryableByName)]
pub struct OrderSummary {
    #[diesel(sql_type = Text)]
    pub id: OrderId,
    /// The shop's order id.
    #[diesel(sql_type = Text)]
    pub order_id: String,
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = Text)]
    pub brand_id: BrandId,
    #[diesel(sql_type = Text)]
    pub brand_name: String,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Timestamp)]
    pub placed_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub net_amount: i64,
    #[diesel(sql_type = BigInt)]
    pub commission: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub commission_rate: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub terms_version: Option<i32>,
    #[diesel(sql_type = Text)]
    pub attribution_method: String,
    #[diesel(sql_type = Text)]
    pub attribution_reason: String,
    /// The commission entry, if the order earned one.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub entry_amount: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub available_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub approved_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub paid_out_in: Option<String>,
    /// −Σ reversal entries of the order (a positive number).
    #[diesel(sql_type = BigInt)]
    pub reversed: i64,
    /// Σ refunds of the order.
    #[diesel(sql_type = BigInt)]
    pub refunded: i64,
}

impl OrderSummary {
    /// The rule of [`OrderStatus::of`], so brand and ambassador see one status for one
    /// order: reversed once fully refunded, else where the commission entry stands.
    pub fn status(&self) -> OrderStatus {
        match self.entry_amount {
            None => OrderStatus::None,
            Some(_) if self.net_amount > 0 && self.refunded >= self.net_amount => OrderStatus::Reversed,
            Some(_) if self.paid_out_in.is_some() => OrderStatus::Paid,
            Some(_) if self.approved_at.is_some() => OrderStatus::Approved,
            Some(_) => OrderStatus::Pending,
        }
    }
}

/// Everything the dashboard shows, as grouped rows; the caller lays them out.
#[derive(Debug, Clone)]
pub struct DashboardRows {
    pub memberships: Vec<MembershipSummary>,
    /// The (membership, currency) pairs to show, in membership order.
    pub entries: Vec<(MembershipId, String)>,
    pub totals: Vec<LedgerTotals>,
    pub codes: Vec<CodeSummary>,
    pub clicks: Vec<ClicksByDay>,
    pub orders: Vec<OrdersByDay>,
    pub qualifying: Vec<Qualifying>,
    pub rewards: Vec<RewardRow>,
    /// Up to [`RECENT_ORDERS`] per entry, newest first within each.
    pub recent_orders: Vec<OrderSummary>,
}

/// The dashboard's rows: at most eight statements, whatever the history's size.
pub fn dashboard(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    window: Window,
) -> QueryResult<DashboardRows> {
    let memberships = memberships_of(conn, influencer, brand)?;
    if memberships.is_empty() {
        return Ok(DashboardRows {
            memberships,
            entries: Vec::new(),
            totals: Vec::new(),
            codes: Vec::new(),
            clicks: Vec::new(),
            orders: Vec::new(),
            qualifying: Vec::new(),
            rewards: Vec::new(),
            recent_orders: Vec::new(),
        });
    }
    let ids: Vec<MembershipId> = memberships.iter().map(|m| m.membership_id).collect();
    let totals = ledger_totals(conn, influencer, brand)?;
    let orders = orders_by_day(conn, influencer, brand, window)?;
    let entries = entries_of(&memberships, &totals, &orders);
    Ok(DashboardRows {
        totals,
        codes: codes_of(conn, &ids)?,
        clicks: clicks_by_day(conn, influencer, brand, window)?,
        qualifying: qualifying_by_membership(conn, influencer, brand)?,
        rewards: rewards_of(conn, &ids)?,
        recent_orders: recent_orders(conn, &entries)?,
        orders,
        entries,
        memberships,
    })
}

/// One entry per membership and currency it has money or orders in, and always its
/// program's currency; in membership order, the program's currency first.
fn entries_of(
    memberships: &[MembershipSummary],
    totals: &[LedgerTotals],
    orders: &[OrdersByDay],
) -> Vec<(MembershipId, String)> {
    let mut entries = Vec::new();
    for m in memberships {
        let mut currencies = std::collections::BTreeSet::new();
        currencies.extend(
            totals
                .iter()
                .filter(|t| t.membership_id == m.membership_id)
                .map(|t| t.currency.as_str()),
        );
        currencies.extend(
            orders
                .iter()
                .filter(|o| o.membership_id == m.membership_id)
                .map(|o| o.currency.as_str()),
        );
        currencies.remove(m.currency.as_str());
        entries.push((m.membership_id, m.currency.clone()));
        entries.extend(currencies.into_iter().map(|c| (m.membership_id, c.to_owned())));
    }
    entries
}

/// The influencer's memberships (optionally in one brand), oldest first.
pub fn memberships_of(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<MembershipSummary>> {
    let mut query = memberships::table
        .inner_join(brands::table.on(brands::id.eq(memberships::brand_id)))
        .inner_join(programs::table.on(programs::id.eq(memberships::program_id)))
        .filter(memberships::influencer_id.eq(influencer))
        .order(memberships::id.asc())
        .select((
            memberships::id,
            memberships::brand_id,
            brands::name,
            programs::currency,
            programs::terms,
        ))
        .into_boxed();
    if let Some(brand) = brand {
        query = query.filter(memberships::brand_id.eq(brand));
    }
    query.load(conn)
}

/// All-time totals per (membership, currency) from the ledger. The three states are
/// disjoint and cover every entry: paid (in a paid payout), else approved, else pending.
pub fn ledger_totals(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<LedgerTotals>> {
    Statement::new(&format!(
        "SELECT e.membership_id, e.currency, {}, {}, {}, {} \
         FROM ledger_entries e WHERE e.membership_id IN ",
        wide_sum(
            "CASE WHEN e.paid_out_in IS NULL AND e.approved_at IS NULL THEN e.amount ELSE 0 END",
            "pending"
        ),
        wide_sum(
            "CASE WHEN e.paid_out_in IS NULL AND e.approved_at IS NOT NULL THEN e.amount ELSE 0 END",
            "approved"
        ),
        wide_sum("CASE WHEN e.paid_out_in IS NOT NULL THEN e.amount ELSE 0 END", "paid"),
        wide_sum("CASE WHEN e.kind = 'reversal' THEN -e.amount ELSE 0 END", "reversed"),
    ))
    .memberships_of(influencer, brand)
    .sql(" GROUP BY e.membership_id, e.currency")
    .query
    .load(conn)
}

fn codes_of(conn: &mut DbConn, memberships: &[MembershipId]) -> QueryResult<Vec<CodeSummary>> {
    codes::table
        .filter(codes::membership_id.eq_any(memberships))
        .order(codes::id.asc())
        .select((codes::id, codes::membership_id, codes::code))
        .load(conn)
}

/// Clicks in the window per code and UTC day.
pub fn clicks_by_day(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    window: Window,
) -> QueryResult<Vec<ClicksByDay>> {
    Statement::new(
        "SELECT c.code_id, CAST(DATE(c.created_at) AS TEXT) AS day, CAST(COUNT(*) AS BIGINT) AS clicks \
         FROM clicks c WHERE c.membership_id IN ",
    )
    .memberships_of(influencer, brand)
    .sql(" AND c.created_at >= ")
    .param::<Timestamp, _>(window.from)
    .sql(" AND c.created_at < ")
    .param::<Timestamp, _>(window.until)
    .sql(" GROUP BY c.code_id, CAST(DATE(c.created_at) AS TEXT)")
    .query
    .load(conn)
}

/// Orders placed in the window per code, currency and UTC day, with their refunds and
/// ledger entries (whenever those happened) netted in. The refunds and entries of each
/// order are read through their `order_id` indexes rather than by grouping whole tables.
pub fn orders_by_day(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    window: Window,
) -> QueryResult<Vec<OrdersByDay>> {
    Statement::new(&format!(
        "SELECT x.membership_id, x.code_id, x.currency, x.day, \
           CAST(COUNT(*) AS BIGINT) AS orders, {}, {} \
         FROM (SELECT o.membership_id, o.code_id, o.currency, CAST(DATE(o.placed_at) AS TEXT) AS day, o.net_amount, \
                 COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS refunded, \
                 COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.order_id = o.id), 0) AS earned \
               FROM orders o WHERE o.membership_id IN ",
        wide_sum("x.net_amount - x.refunded", "net_sales"),
        wide_sum("x.earned", "commission"),
    ))
    .memberships_of(influencer, brand)
    .sql(" AND o.placed_at >= ")
    .param::<Timestamp, _>(window.from)
    .sql(" AND o.placed_at < ")
    .param::<Timestamp, _>(window.until)
    .sql(") x GROUP BY x.membership_id, x.code_id, x.currency, x.day")
    .query
    .load(conn)
}

/// [`super::rewards::qualifying`] for every membership in one statement: orders
/// attributed to the membership, commission approved, not fully refunded, no flag;
/// (count, Σ net − refunds). Keep the two rules the same (a test compares them).
pub fn qualifying_by_membership(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<Qualifying>> {
    Statement::new(&format!(
        "SELECT x.membership_id, CAST(COUNT(*) AS BIGINT) AS orders, {} \
         FROM (SELECT o.membership_id, o.net_amount, \
                 COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS refunded \
               FROM orders o \
               JOIN ledger_entries e ON e.order_id = o.id AND e.kind = 'commission' AND e.approved_at IS NOT NULL \
               WHERE o.flags = '[]' AND o.membership_id IN ",
        wide_sum("x.net_amount - x.refunded", "amount"),
    ))
    .memberships_of(influencer, brand)
    .sql(") x WHERE x.net_amount > x.refunded GROUP BY x.membership_id")
    .query
    .load(conn)
}

fn rewards_of(conn: &mut DbConn, memberships: &[MembershipId]) -> QueryResult<Vec<RewardRow>> {
    rewards::table
        .filter(rewards::membership_id.eq_any(memberships))
        .order(rewards::id.asc())
        .select(RewardRow::as_select())
        .load(conn)
}

/// The columns of [`OrderSummary`], from `orders o`.
const ORDER_SUMMARY: &str = "SELECT o.id, o.order_id, o.membership_id, o.brand_id, b.name AS brand_name, o.currency, \
       o.placed_at, o.net_amount, o.commission, o.commission_rate, o.terms_version, \
       o.attribution_method, o.attribution_reason, \
       c.amount AS entry_amount, c.available_at, c.approved_at, c.paid_out_in, \
       CAST(COALESCE((SELECT SUM(-r.amount) FROM ledger_entries r \
                      WHERE r.order_id = o.id AND r.kind = 'reversal'), 0) AS BIGINT) AS reversed, \
       CAST(COALESCE((SELECT SUM(f.amount) FROM refunds f WHERE f.order_id = o.id), 0) AS BIGINT) AS refunded \
     FROM orders o \
     JOIN brands b ON b.id = o.brand_id \
     LEFT JOIN ledger_entries c ON c.order_id = o.id AND c.kind = 'commission' \
     WHERE o.membership_id = ";

/// The newest orders of each (membership, currency), by placing time: one branch per
/// pair, each a short walk down the `(membership_id, placed_at)` index.
fn recent_orders(conn: &mut DbConn, entries: &[(MembershipId, String)]) -> QueryResult<Vec<OrderSummary>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut statement = Statement::new("");
    for (i, (membership, currency)) in entries.iter().enumerate() {
        if i > 0 {
            statement = statement.sql(" UNION ALL ");
        }
        statement = statement
            .sql("SELECT * FROM (")
            .sql(ORDER_SUMMARY)
            .param::<Text, _>(*membership)
            .sql(" AND o.currency = ")
            .param::<Text, _>(currency.clone())
            .sql(" ORDER BY o.placed_at DESC, o.id DESC LIMIT ")
            .param::<BigInt, _>(RECENT_ORDERS)
            .sql(&format!(") AS t{i}"));
    }
    statement.query.load(conn)
}

/// A page of the influencer's attributed orders (optionally in one brand), newest
/// first by id (UUIDv7, so creation order), strictly before `before`. Orders recorded
/// while a client pages have newer ids, so pages neither repeat nor skip.
pub fn list_orders(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    before: Option<OrderId>,
    limit: i64,
) -> QueryResult<Vec<OrderSummary>> {
    let memberships = membership_ids(conn, influencer, brand)?;
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    // One branch per membership, each reading at most `limit` rows off its own index
    // range, then merged: the cost of a page does not grow with the history.
    let mut statement = Statement::new("");
    for (i, membership) in memberships.into_iter().enumerate() {
        if i > 0 {
            statement = statement.sql(" UNION ALL ");
        }
        statement = statement
            .sql("SELECT * FROM (")
            .sql(ORDER_SUMMARY)
            .param::<Text, _>(membership);
        if let Some(before) = before {
            statement = statement.sql(" AND o.id < ").param::<Text, _>(before);
        }
        statement = statement
            .sql(" ORDER BY o.id DESC LIMIT ")
            .param::<BigInt, _>(limit)
            .sql(&format!(") AS t{i}"));
    }
    statement
        .sql(" ORDER BY id DESC LIMIT ")
        .param::<BigInt, _>(limit)
        .query
        .load(conn)
}

fn membership_ids(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<MembershipId>> {
    let mut query = memberships::table
        .filter(memberships::influencer_id.eq(influencer))
        .order(memberships::id.asc())
        .select(memberships::id)
        .into_boxed();
    if let Some(brand) = brand {
        query = query.filter(memberships::brand_id.eq(brand));
    }
    query.load(conn)
}

/// Where a ledger entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    Pending,
    Approved,
    Paid,
}

impl EntryStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Paid => "paid",
        }
    }
}

/// A ledger entry of the influencer's statement.
#[derive(Debug, Clone, QueryableByName)]
pub struct StatementEntry {
    #[diesel(sql_type = Text)]
    pub id: LedgerEntryId,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    pub brand_name: String,
    #[diesel(sql_type = Text)]
    pub kind: EntryKind,
    /// The shop's order id, for entries of an order.
    #[diesel(sql_type = Nullable<Text>)]
    pub order_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
    #[diesel(sql_type = Timestamp)]
    pub available_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub approved_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub paid_out_in: Option<String>,
}

impl StatementEntry {
    /// The same partition as [`LedgerTotals`].
    pub fn status(&self) -> EntryStatus {
        match (&self.paid_out_in, self.approved_at) {
            (Some(_), _) => EntryStatus::Paid,
            (None, Some(_)) => EntryStatus::Approved,
            (None, None) => EntryStatus::Pending,
        }
    }
}

/// A page of the influencer's ledger entries, oldest first by id (UUIDv7), strictly
/// after `after`; merged from one index range per membership like [`list_orders`].
pub fn statement_entries(
    conn: &mut DbConn,
    influencer: InfluencerId,
    after: Option<LedgerEntryId>,
    limit: i64,
) -> QueryResult<Vec<StatementEntry>> {
    let memberships = membership_ids(conn, influencer, None)?;
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let mut statement = Statement::new("");
    for (i, membership) in memberships.into_iter().enumerate() {
        if i > 0 {
            statement = statement.sql(" UNION ALL ");
        }
        statement = statement
            .sql(
                "SELECT * FROM (SELECT e.id, e.created_at, b.name AS brand_name, e.kind, o.order_id, e.currency, \
                   e.amount, e.available_at, e.approved_at, e.paid_out_in \
                 FROM ledger_entries e \
                 JOIN brands b ON b.id = e.brand_id \
                 LEFT JOIN orders o ON o.id = e.order_id \
                 WHERE e.membership_id = ",
            )
            .param::<Text, _>(membership);
        if let Some(after) = after {
            statement = statement.sql(" AND e.id > ").param::<Text, _>(after);
        }
        statement = statement
            .sql(" ORDER BY e.id LIMIT ")
            .param::<BigInt, _>(limit)
            .sql(&format!(") AS t{i}"));
    }
    statement
        .sql(" ORDER BY id LIMIT ")
        .param::<BigInt, _>(limit)
        .query
        .load(conn)
}
