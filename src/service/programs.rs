//! Programs and their versioned terms: create, list, read, change, the history, and a
//! preview of draft terms on an example cart ([`preview`]).
//!
//! The terms are one validated document. Every change of terms or currency writes a
//! new version; old versions are kept forever and every order keeps the version it was
//! computed with, so editing a program never rewrites history. Renaming is not a terms
//! change. Which terms a currency allows is checked here, against the program's (or
//! the brand's) currency as stored.

mod preview;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use preview::{PreviewLine, PreviewProgram, ProgramPreview, preview, preview_terms};

use crate::domain::terms::{Terms, TermsInput};
use crate::domain::{BrandName, Currency};
use crate::store::ids::{BrandId, ProgramId};
use crate::store::programs::{self as store_programs, ProgramRow, ProgramVersionRow};
use crate::store::{Db, DbConn, StoreError, UnitError, brands, is_unique_violation, orders, time};

/// Why a programs use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    #[error("no such program")]
    NotFound,
    #[error("the brand no longer exists")]
    BrandGone,
    /// Terms the currency does not allow, or a patch that does not validate: each
    /// `(field, message)`, with the same messages as at creation.
    #[error("invalid terms")]
    Invalid(Vec<(String, String)>),
    #[error("the program has orders; its currency cannot change")]
    CurrencyLocked,
    /// Two writers made the same version at once; the client retries.
    #[error("the program was changed at the same moment")]
    ChangedConcurrently,
    /// Validated terms that do not serialise (cannot happen with serde_json's maps).
    #[error("the terms could not be encoded")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ProgramError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for ProgramError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A program as its brand sees it, with its current terms.
#[derive(Debug, Clone)]
pub struct Program {
    pub id: ProgramId,
    pub name: String,
    pub currency: String,
    pub terms_version: i32,
    /// The current terms document as stored (canonical JSON).
    pub terms: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProgramRow> for Program {
    fn from(row: ProgramRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            currency: row.currency,
            terms_version: row.terms_version,
            terms: serde_json::from_str(&row.terms).unwrap_or(Value::Null),
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
        }
    }
}

/// One version of a program's terms.
#[derive(Debug, Clone)]
pub struct ProgramVersion {
    pub version: i32,
    pub currency: String,
    pub terms: Value,
    pub created_at: DateTime<Utc>,
}

impl From<ProgramVersionRow> for ProgramVersion {
    fn from(row: ProgramVersionRow) -> Self {
        Self {
            version: row.version,
            currency: row.currency,
            terms: serde_json::from_str(&row.terms).unwrap_or(Value::Null),
            created_at: time::from_db(row.created_at),
        }
    }
}

/// A new program: validated terms; no currency means the brand's.
#[derive(Debug)]
pub struct CreateProgram {
    pub brand_id: BrandId,
    pub name: BrandName,
    pub currency: Option<Currency>,
    pub terms: Terms,
    pub now: DateTime<Utc>,
}

/// A change of a program: top-level terms fields given replace the current ones.
#[derive(Debug)]
pub struct UpdateProgram {
    pub brand_id: BrandId,
    pub id: ProgramId,
    pub name: Option<BrandName>,
    pub currency: Option<Currency>,
    pub patch: TermsInput,
    pub now: DateTime<Utc>,
}

/// Creates the program with its first terms version.
pub async fn create(db: &Db, command: CreateProgram) -> Result<Program, ProgramError> {
    let CreateProgram {
        brand_id,
        name,
        currency,
        terms,
        now,
    } = command;
    let terms_json = stored(&terms)?;
    let now = time::to_db(now);
    db.write(move |conn| {
        let currency = match currency {
            Some(currency) => currency.code().to_owned(),
            None => brands::find(conn, brand_id)?.ok_or(ProgramError::BrandGone)?.currency,
        };
        check_currency_rules(&terms, &currency)?;
        let row = ProgramRow {
            id: ProgramId::generate(),
            brand_id,
            name: name.as_str().to_owned(),
            currency,
            terms: terms_json,
            terms_version: 1,
            created_at: now,
            updated_at: now,
        };
        store_programs::insert(conn, &row)?;
        Ok(Program::from(row))
    })
    .await
}

/// Up to `limit` of the brand's programs after `after`, by id.
pub async fn list(db: &Db, brand: BrandId, after: Option<ProgramId>, limit: i64) -> Result<Vec<Program>, ProgramError> {
    db.read(move |conn| {
        let rows = store_programs::list_for_brand(conn, brand, after, limit)?;
        Ok(rows.into_iter().map(Program::from).collect())
    })
    .await
}

/// The brand's program; another brand's is [`ProgramError::NotFound`].
pub async fn get(db: &Db, brand: BrandId, id: ProgramId) -> Result<Program, ProgramError> {
    db.read(move |conn| Ok(Program::from(find(conn, brand, id)?))).await
}

/// Every terms version of the brand's program, oldest first.
pub async fn versions(db: &Db, brand: BrandId, id: ProgramId) -> Result<Vec<ProgramVersion>, ProgramError> {
    db.read(move |conn| {
        find(conn, brand, id)?;
        let rows = store_programs::versions(conn, id)?;
        Ok(rows.into_iter().map(ProgramVersion::from).collect())
    })
    .await
}

/// Renames and/or patches the terms; a change of terms or currency makes a new
/// version. The currency cannot change once the program has orders.
pub async fn update(db: &Db, command: UpdateProgram) -> Result<Program, ProgramError> {
    let UpdateProgram {
        brand_id,
        id,
        name,
        currency,
        patch,
        now,
    } = command;
    let now = time::to_db(now);
    db.write(move |conn| {
        let current = find(conn, brand_id, id)?;
        let current_terms = store_programs::read_terms(id, &current.terms)?;
        let terms = current_terms.patched(patch).map_err(ProgramError::Invalid)?;
        if let Some(name) = &name {
            store_programs::rename(conn, id, name.as_str(), now)?;
        }
        let new_currency = currency.map_or_else(|| current.currency.clone(), |c| c.code().to_owned());
        check_currency_rules(&terms, &new_currency)?;
        if new_currency != current.currency && orders::program_has_orders(conn, id)? {
            return Err(ProgramError::CurrencyLocked);
        }
        if terms != current_terms || new_currency != current.currency {
            let next = ProgramRow {
                currency: new_currency,
                terms: stored(&terms)?,
                terms_version: current.terms_version + 1,
                updated_at: now,
                ..current
            };
            store_programs::add_version(conn, &next).map_err(|err| {
                if is_unique_violation(&err) {
                    ProgramError::ChangedConcurrently
                } else {
                    err.into()
                }
            })?;
        }
        Ok(Program::from(find(conn, brand_id, id)?))
    })
    .await
}

fn find(conn: &mut DbConn, brand: BrandId, id: ProgramId) -> Result<ProgramRow, ProgramError> {
    store_programs::find(conn, brand, id)?.ok_or(ProgramError::NotFound)
}

/// The canonical stored form of validated terms.
fn stored(terms: &Terms) -> Result<String, ProgramError> {
    Ok(serde_json::to_string(terms)?)
}

/// The terms' rules that depend on the program's currency (the reward threshold's floor).
fn check_currency_rules(terms: &Terms, currency: &str) -> Result<(), ProgramError> {
    let currency =
        Currency::parse(currency).map_err(|message| ProgramError::Invalid(vec![("currency".to_owned(), message)]))?;
    let found = terms.currency_errors(currency);
    if found.is_empty() {
        Ok(())
    } else {
        Err(ProgramError::Invalid(found))
    }
}
