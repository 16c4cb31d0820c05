//! CSV exports (RFC 4180, via the `csv` crate), streamed page by page so a large export
//! never sits in memory whole, with cells escaped against spreadsheet formula injection.

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;

use super::ApiError;
use crate::store::{Db, DbConn};

/// One CSV cell. Text that a spreadsheet would read as a formula (`= + - @`, tab, CR)
/// gets a leading `'` (OWASP "CSV Injection"); numbers we format ourselves are written
/// as they are, so `-13.75` stays a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    pub fn number(value: impl ToString) -> Self {
        Self::Number(value.to_string())
    }

    fn render(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Number(n) => n.into(),
            Self::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}").into(),
            Self::Text(t) => t.into(),
        }
    }
}

/// Encodes rows (optionally after a header) as CSV bytes.
pub fn encode(header: Option<&[&str]>, rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if let Some(header) = header {
        writer.write_record(header)?;
    }
    for row in rows {
        writer.write_record(row.iter().map(|c| c.render().into_owned()))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// A page of rows and the cursor of the next page (`None` when done).
pub type CsvPage = (Vec<Vec<Cell>>, Option<String>);

/// Streams a CSV download. `next_page` runs on a blocking thread, one read
/// transaction per page, until it returns no cursor.
pub fn stream<F>(db: Db, filename: &str, header: Option<&'static [&'static str]>, mut next_page: F) -> HttpResponse
where
    F: FnMut(&mut DbConn, Option<String>) -> Result<CsvPage, ApiError> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, ApiError>>(4);
    actix_web::rt::task::spawn_blocking(move || {
        let mut cursor = None;
        let mut first = true;
        loop {
            let page = db.read_blocking(|conn| next_page(conn, cursor.take()));
            let (rows, next) = match page {
                Ok(page) => page,
                Err(err) => {
                    tracing::error!(error = %err, "CSV export failed mid-stream");
                    let _ = tx.blocking_send(Err(err));
                    return;
                }
            };
            let chunk = encode(if first { header } else { None }, &rows).map_err(ApiError::internal);
            first = false;
            if tx.blocking_send(chunk.map(Bytes::from)).is_err() {
                return; // the client went away
            }
            match next {
                Some(next) => cursor = Some(next),
                None => return,
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        let rows = vec![vec![
            Cell::text("=HYPERLINK(\"http://x\")"),
            Cell::text("+1"),
            Cell::text("@SUM(A1)"),
            Cell::text("-2"),
            Cell::text("\tx"),
            Cell::number("-13.75"),
            Cell::text("Ana, \"the\" best"),
        ]];
        let out = String::from_utf8(encode(Some(&["a", "b", "c", "d", "e", "f", "g"]), &rows).unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(
            out,
            "a,b,c,d,e,f,g\r\n\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'@SUM(A1),'-2,'\tx,-13.75,\"Ana, \"\"the\"\" best\"\r\n"
        );
    }
}
