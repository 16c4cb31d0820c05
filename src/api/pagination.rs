//! Cursor pagination: `?limit=&cursor=`, answered with `{items, next_cursor}`.
//!
//! Lists are ordered by id (UUIDv7, so by creation time); the cursor is the last id of
//! the page, opaque to clients. Ids never change, so a cursor stays valid while rows
//! are added.

use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::service::paging::{PageRequest, Paged};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page size, and the id to continue after.
    pub fn parse<Id: std::str::FromStr>(&self) -> Result<(i64, Option<Id>), ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::field("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(cursor) => Some(
                cursor
                    .parse()
                    .map_err(|_| ApiError::field("cursor", "is not a cursor from this list"))?,
            ),
        };
        Ok((limit, after))
    }

    /// [`Self::parse`] as the request a list use case takes.
    pub fn request<Id: std::str::FromStr>(&self) -> Result<PageRequest<Id>, ApiError> {
        let (limit, after) = self.parse()?;
        Ok(PageRequest { limit, after })
    }
}

#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Renders a use case's page; the cursor is the id of its last item.
    pub fn from_paged<R, Id: ToString>(paged: Paged<R, Id>, map: impl FnMut(R) -> T) -> Self {
        Self {
            next_cursor: paged.next.as_ref().map(ToString::to_string),
            items: paged.items.into_iter().map(map).collect(),
        }
    }

    /// Builds a page from rows fetched with `limit + 1`: the extra row only says that
    /// there is more.
    pub fn from_rows<R>(rows: Vec<R>, limit: i64, id: impl Fn(&R) -> String, map: impl Fn(R) -> T) -> Self {
        Self::from_paged(Paged::from_rows(rows, limit, id), map)
    }
}
