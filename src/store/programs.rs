//! Programs and the history of their terms. A terms change adds a version row and
//! moves the program's current copy forward; old versions are never changed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::ids::{BrandId, ProgramId};
use super::schema::{program_versions, programs};
use super::{DbConn, StoreError};
use crate::domain::terms::Terms;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = programs)]
pub struct ProgramRow {
    pub id: ProgramId,
    pub brand_id: BrandId,
    pub name: String,
    pub currency: String,
    pub terms: String,
    pub terms_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = program_versions)]
pub struct ProgramVersionRow {
    pub program_id: ProgramId,
    pub version: i32,
    pub currency: String,
    pub terms: String,
    pub created_at: NaiveDateTime,
}

/// Reads a program's stored terms back: the one way stored terms are read, with one
/// failure policy. Terms were validated when written, so a document that no longer
/// reads (a row edited by hand) is corruption: it is logged here, with the program, and
/// answered as [`StoreError::Corrupt`]. A use case that needs these terms fails with it
/// (a 500, nothing written); one that goes over many memberships (the dashboard, the
/// payout report, the maturation pass) leaves that membership out and carries on.
pub fn read_terms(program: ProgramId, stored: &str) -> Result<Terms, StoreError> {
    Terms::from_stored(stored).map_err(|err| {
        tracing::error!(program = %program, error = %err, "stored terms do not read back");
        StoreError::Corrupt(format!("the terms of program {program} do not read back"))
    })
}

/// Creates the program with its first terms version.
pub fn insert(conn: &mut DbConn, row: &ProgramRow) -> QueryResult<()> {
    diesel::insert_into(programs::table)
        .values((
            programs::id.eq(row.id),
            programs::brand_id.eq(row.brand_id),
            programs::name.eq(&row.name),
            programs::currency.eq(&row.currency),
            programs::terms.eq(&row.terms),
            programs::terms_version.eq(row.terms_version),
            programs::created_at.eq(row.created_at),
            programs::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    insert_version(conn, row)
}

fn insert_version(conn: &mut DbConn, row: &ProgramRow) -> QueryResult<()> {
    diesel::insert_into(program_versions::table)
        .values((
            program_versions::program_id.eq(row.id),
            program_versions::version.eq(row.terms_version),
            program_versions::currency.eq(&row.currency),
            program_versions::terms.eq(&row.terms),
            program_versions::created_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Renames the program (not a terms change: no new version).
pub fn rename(conn: &mut DbConn, id: ProgramId, name: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(programs::table.find(id))
        .set((programs::name.eq(name), programs::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

/// Puts new terms in force as version `row.terms_version`, which must be the next one.
/// The primary key (program_id, version) refuses two writers creating the same version.
pub fn add_version(conn: &mut DbConn, row: &ProgramRow) -> QueryResult<()> {
    insert_version(conn, row)?;
    diesel::update(programs::table.find(row.id))
        .set((
            programs::currency.eq(&row.currency),
            programs::terms.eq(&row.terms),
            programs::terms_version.eq(row.terms_version),
            programs::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The brand's program with this id; another brand's program is `None`.
pub fn find(conn: &mut DbConn, brand: BrandId, id: ProgramId) -> QueryResult<Option<ProgramRow>> {
    programs::table
        .find(id)
        .filter(programs::brand_id.eq(brand))
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()
}

/// Any brand's program (for code checks, where the brand is already known to match).
pub fn find_any(conn: &mut DbConn, id: ProgramId) -> QueryResult<Option<ProgramRow>> {
    programs::table
        .find(id)
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_for_brand(
    conn: &mut DbConn,
    brand: BrandId,
    after: Option<ProgramId>,
    limit: i64,
) -> QueryResult<Vec<ProgramRow>> {
    let mut query = programs::table
        .filter(programs::brand_id.eq(brand))
        .select(ProgramRow::as_select())
        .order(programs::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(programs::id.gt(after));
    }
    query.load(conn)
}

pub fn versions(conn: &mut DbConn, id: ProgramId) -> QueryResult<Vec<ProgramVersionRow>> {
    program_versions::table
        .filter(program_versions::program_id.eq(id))
        .order(program_versions::version.asc())
        .select(ProgramVersionRow::as_select())
        .load(conn)
}

/// The version of the program's terms in force at `at`: the newest made at or before
/// it, else the first (an order placed before the program existed, as a shop may
/// report late, is priced by its first terms).
pub fn version_at(conn: &mut DbConn, id: ProgramId, at: NaiveDateTime) -> QueryResult<Option<ProgramVersionRow>> {
    let in_force = program_versions::table
        .filter(program_versions::program_id.eq(id))
        .filter(program_versions::created_at.le(at))
        .order(program_versions::version.desc())
        .select(ProgramVersionRow::as_select())
        .first(conn)
        .optional()?;
    match in_force {
        Some(version) => Ok(Some(version)),
        None => program_versions::table
            .filter(program_versions::program_id.eq(id))
            .order(program_versions::version.asc())
            .select(ProgramVersionRow::as_select())
            .first(conn)
            .optional(),
    }
}
