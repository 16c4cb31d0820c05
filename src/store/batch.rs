//! Inserts that need no answer, sent to PostgreSQL in one round trip.
//!
//! An order writes five rows (the order, its lines, its ledger entry, its outbox event
//! and the stored answer), each a round trip to PostgreSQL, on two cores where the
//! server's time per statement is what bounds the checkout. A [`Batch`] keeps such
//! inserts and sends them as one statement, each one a part of a `WITH`:
//!
//! ```sql
//! WITH w0 AS (INSERT INTO orders …), w1 AS (INSERT INTO order_lines …), … SELECT 1
//! ```
//!
//! PostgreSQL runs every data-modifying part of a `WITH` exactly once and to completion,
//! in one snapshot; row triggers and foreign keys are checked at the end of the statement,
//! when every part's rows exist (so a ledger entry may reference the order inserted
//! beside it, and the totals triggers read it). The statements are diesel's own inserts:
//! no column list is written twice. A part's error fails the whole statement, and the
//! transaction rolls back as it did before. SQLite runs in process, where a statement
//! costs no round trip: there each insert runs at once, in order.
//!
//! [`Sink`] lets the store's insert functions take either a plain connection (run now)
//! or a batch, so callers outside the checkout are unchanged.
//!
//! The rows of the checkout's inserts (and clicks) derive `Insertable` with
//! `treat_none_as_default_value = false`: otherwise diesel renders each value as "this
//! or `DEFAULT`" and never keeps an INSERT prepared, so PostgreSQL parsed and planned
//! every insert of every order. No nullable column of ours has a default, so `None` as
//! `NULL` writes the same row.

use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, RunQueryDsl};

use super::DbConn;

/// An insert statement that can run on either backend or wait in a [`Batch`].
pub trait Insert: ExecuteDsl<DbConn> + QueryFragment<Pg> + Send + 'static {}
impl<S: ExecuteDsl<DbConn> + QueryFragment<Pg> + Send + 'static> Insert for S {}

/// An insert statement for PostgreSQL only (a multi-row insert, which diesel's
/// multi-backend connection cannot run).
pub trait PgInsert: ExecuteDsl<PgConnection> + QueryFragment<Pg> + Send + 'static {}
impl<S: ExecuteDsl<PgConnection> + QueryFragment<Pg> + Send + 'static> PgInsert for S {}

/// An insert diesel builds for each backend but not for both at once (an upsert:
/// diesel's multi-backend connection has no `ON CONFLICT`).
pub trait NativeInsert: PgInsert + ExecuteDsl<SqliteConnection> {}
impl<S: PgInsert + ExecuteDsl<SqliteConnection>> NativeInsert for S {}

/// Where an insert goes: a connection runs it now, a [`Batch`] may keep it.
pub trait Sink {
    fn insert<S: Insert>(&mut self, statement: S) -> QueryResult<()>;

    /// Runs or keeps a PostgreSQL-only statement; call it only when [`Sink::is_pg`].
    fn insert_pg<S: PgInsert>(&mut self, statement: S) -> QueryResult<()>;

    /// Runs or keeps a statement built per backend, on either backend.
    fn insert_native<S: NativeInsert>(&mut self, statement: S) -> QueryResult<()>;

    fn is_pg(&mut self) -> bool;
}

impl Sink for DbConn {
    fn insert<S: Insert>(&mut self, statement: S) -> QueryResult<()> {
        ExecuteDsl::execute(statement, self).map(drop)
    }

    fn insert_pg<S: PgInsert>(&mut self, statement: S) -> QueryResult<()> {
        match self {
            Self::Pg(pg) => ExecuteDsl::execute(statement, pg).map(drop),
            Self::Sqlite(_) => Err(not_postgres()),
        }
    }

    fn insert_native<S: NativeInsert>(&mut self, statement: S) -> QueryResult<()> {
        match self {
            Self::Pg(pg) => ExecuteDsl::execute(statement, pg).map(drop),
            Self::Sqlite(sqlite) => ExecuteDsl::execute(statement, sqlite).map(drop),
        }
    }

    fn is_pg(&mut self) -> bool {
        matches!(self, Self::Pg(_))
    }
}

fn not_postgres() -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError("a PostgreSQL-only statement was sent to SQLite".into())
}

/// Inserts waiting to go to PostgreSQL together; on SQLite, a pass-through.
pub struct Batch<'c> {
    conn: &'c mut DbConn,
    parts: Vec<Box<dyn QueryFragment<Pg> + Send>>,
}

impl<'c> Batch<'c> {
    pub fn new(conn: &'c mut DbConn) -> Self {
        Self {
            conn,
            parts: Vec::new(),
        }
    }

    /// Sends what waits, alone.
    pub fn finish(self) -> QueryResult<()> {
        match self.conn {
            DbConn::Pg(pg) if !self.parts.is_empty() => Chained {
                parts: self.parts,
                then: SelectOne,
            }
            .execute(pg)
            .map(drop),
            _ => Ok(()),
        }
    }

    /// Sends what waits and then `query`, in one statement on PostgreSQL: `query` sees
    /// the database as the statement began (the batch's own rows are not visible to it).
    /// On SQLite the inserts have run already and `query` runs after them.
    pub fn finish_with<Q, U>(self, query: Q) -> QueryResult<Vec<U>>
    where
        Q: Query + QueryFragment<Pg> + Send + 'static,
        Q: diesel::query_dsl::LoadQuery<'static, DbConn, U>,
        Chained<Q>: diesel::query_dsl::LoadQuery<'static, PgConnection, U>,
    {
        match self.conn {
            DbConn::Pg(pg) => Chained {
                parts: self.parts,
                then: query,
            }
            .load(pg),
            conn @ DbConn::Sqlite(_) => query.load(conn),
        }
    }
}

impl Sink for Batch<'_> {
    fn insert<S: Insert>(&mut self, statement: S) -> QueryResult<()> {
        if self.is_pg() {
            self.parts.push(Box::new(statement));
            Ok(())
        } else {
            ExecuteDsl::execute(statement, &mut *self.conn).map(drop)
        }
    }

    fn insert_pg<S: PgInsert>(&mut self, statement: S) -> QueryResult<()> {
        if self.is_pg() {
            self.parts.push(Box::new(statement));
            Ok(())
        } else {
            Err(not_postgres())
        }
    }

    fn insert_native<S: NativeInsert>(&mut self, statement: S) -> QueryResult<()> {
        match &mut *self.conn {
            DbConn::Pg(_) => {
                self.parts.push(Box::new(statement));
                Ok(())
            }
            DbConn::Sqlite(sqlite) => ExecuteDsl::execute(statement, sqlite).map(drop),
        }
    }

    fn is_pg(&mut self) -> bool {
        matches!(self.conn, DbConn::Pg(_))
    }
}

/// `WITH w0 AS (…), w1 AS (…) <then>`: the kept inserts, then a query.
pub struct Chained<Q> {
    parts: Vec<Box<dyn QueryFragment<Pg> + Send>>,
    then: Q,
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Chained<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for (i, part) in self.parts.iter().enumerate() {
            out.push_sql(if i == 0 { "WITH " } else { ", " });
            out.push_sql(&format!("w{i} AS ("));
            part.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        if !self.parts.is_empty() {
            out.push_sql(" ");
        }
        self.then.walk_ast(out.reborrow())
    }
}

/// The shape of the statement depends on the parts: no static id. diesel still caches
/// its prepared form by the SQL text, which repeats from order to order.
impl<Q> QueryId for Chained<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Chained<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDsl<PgConnection> for Chained<Q> {}

/// The query after the inserts when nothing is asked back.
pub struct SelectOne;

impl QueryFragment<Pg> for SelectOne {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT 1");
        Ok(())
    }
}
