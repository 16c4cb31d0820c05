//! CSV downloads, streamed page by page so a large export never sits in memory whole.
//! The cells and their escaping are [`crate::domain::csv`]'s.

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;

use futures_util::TryStreamExt;
use tokio::sync::mpsc::Receiver;

use super::ApiError;
pub use crate::domain::csv::{Cell, encode};

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
