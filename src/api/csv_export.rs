//! CSV exports (RFC 4180, via the `csv` crate), streamed page by page so a large export
//! never sits in memory whole, with cells escaped against spreadsheet formula injection.

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;

use futures_util::TryStreamExt;
use tokio::sync::mpsc::Receiver;

use super::ApiError;

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

/// Streams a CSV download of the pages a use case reads (see
/// [`crate::store::Db::read_pages`]): `render` turns each page into rows; the header
/// goes before the first. An error mid-stream is logged and ends the body early (the
/// status line has gone out), so the client sees a truncated download, never a
/// partial file that looks complete.
pub fn stream<P, E, R>(
    mut pages: Receiver<Result<P, E>>,
    filename: &str,
    header: Option<&'static [&'static str]>,
    mut render: R,
) -> HttpResponse
where
    P: Send + 'static,
    E: Into<ApiError> + Send + 'static,
    R: FnMut(P) -> Result<Vec<Vec<Cell>>, ApiError> + 'static,
{
    let mut first_header = header;
    let body = futures_util::stream::poll_fn(move |cx| {
        pages.poll_recv(cx).map(|page| {
            page.map(|page| {
                let rows = page.map_err(Into::into).and_then(&mut render)?;
                let chunk = encode(first_header.take(), &rows).map_err(ApiError::internal)?;
                Ok::<_, ApiError>(Bytes::from(chunk))
            })
        })
    })
    .inspect_err(|err| tracing::error!(error = %err, "CSV export failed mid-stream"));
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
