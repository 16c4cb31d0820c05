//! A raw statement built piece by piece, for the influencer's reports: numbered
//! placeholders that mean the same on both backends, the influencer's memberships as a
//! subquery, and the UNION ALL of one index range per membership.

use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Text};

use crate::store::conn::MultiBackend;
use crate::store::ids::{BrandId, InfluencerId};

/// A raw statement whose `$n` placeholders are numbered as they are bound. SQLite
/// numbers `$name` parameters by first appearance, PostgreSQL by their digits: writing
/// them in binding order makes the two agree.
pub(super) struct Statement {
    pub(super) query: BoxedSqlQuery<'static, MultiBackend, SqlQuery>,
    params: usize,
}

impl Statement {
    pub(super) fn new(sql: &str) -> Self {
        Self {
            query: diesel::sql_query(sql).into_boxed(),
            params: 0,
        }
    }

    pub(super) fn sql(mut self, sql: &str) -> Self {
        self.query = self.query.sql(sql);
        self
    }

    pub(super) fn param<ST, V>(mut self, value: V) -> Self
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
    pub(super) fn memberships_of(self, influencer: InfluencerId, brand: Option<BrandId>) -> Self {
        let query = self
            .sql("(SELECT m.id FROM memberships m WHERE m.influencer_id = ")
            .param::<Text, _>(influencer);
        match brand {
            Some(brand) => query.sql(" AND m.brand_id = ").param::<Text, _>(brand).sql(")"),
            None => query.sql(")"),
        }
    }

    /// `SELECT * FROM (<branch>) AS t0 UNION ALL SELECT * FROM (<branch>) AS t1 …`, one
    /// branch per item, each written onto the statement by `branch`. Each branch reads
    /// its own short index range (one membership, one currency), so the cost of the
    /// whole does not grow with the history; the caller orders and limits the merge.
    /// No items give an empty statement: callers answer without querying.
    pub(super) fn union_all<I>(items: impl IntoIterator<Item = I>, mut branch: impl FnMut(Self, I) -> Self) -> Self {
        let mut statement = Self::new("");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                statement = statement.sql(" UNION ALL ");
            }
            statement = branch(statement.sql("SELECT * FROM ("), item).sql(&format!(") AS t{i}"));
        }
        statement
    }
}
