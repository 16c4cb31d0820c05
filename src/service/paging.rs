//! Cursor pages for the list use cases: the request (how many, after which id) and the
//! page (the items, and the id to continue after when there are more).

/// At most `limit` items, continuing after the item whose id is `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest<Id> {
    pub limit: i64,
    pub after: Option<Id>,
}

impl<Id> PageRequest<Id> {
    /// Rows to read: one more than the page, which only says that there is more.
    pub fn fetch(&self) -> i64 {
        self.limit.saturating_add(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T, Id> {
    pub items: Vec<T>,
    /// The id of the last item, when another page follows.
    pub next: Option<Id>,
}

impl<T, Id> Paged<T, Id> {
    /// The page of rows read with [`PageRequest::fetch`].
    pub fn from_rows(mut rows: Vec<T>, limit: i64, id: impl Fn(&T) -> Id) -> Self {
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
        if more {
            rows.truncate(usize::try_from(limit).unwrap_or(0));
        }
        let next = if more { rows.last().map(id) } else { None };
        Self { items: rows, next }
    }

    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            next: None,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U, Id> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extra_row_only_says_that_there_is_more() {
        let page = Paged::from_rows(vec![5, 4, 3], 2, |n| *n);
        assert_eq!(
            page,
            Paged {
                items: vec![5, 4],
                next: Some(4)
            }
        );
        let last = Paged::from_rows(vec![2, 1], 2, |n| *n);
        assert_eq!(
            last,
            Paged {
                items: vec![2, 1],
                next: None
            }
        );
    }
}
