//! Checks on the request itself, before routing: a request that states its length two
//! ways is refused and its connection closed, and only canonical paths are routed.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, ResponseError};

use super::ApiError;
use super::ErrorCode;

/// Middleware: refuses ambiguous framing (400, and nothing more is read or answered on
/// that connection) and non-canonical paths (404); passes everything else on.
pub async fn guard<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, BoxBody>>, Error> {
    if is_ambiguously_framed(&req) {
        let refusal = ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::AmbiguousFraming,
            "Send either Content-Length or Transfer-Encoding, not both.",
        )
        .closing_connection();
        let (response, body) = refusal.error_response().into_parts();
        // A problem answer is always a byte body, so this never falls back to empty.
        let bytes = body.try_into_bytes().unwrap_or_default();
        let response = response.set_body(BoxBody::new(LastAnswer::new(bytes)));
        return Ok(req.into_response(response).map_into_right_body());
    }
    if !is_canonical(req.path()) {
        let response = super::route_not_found(req.path()).error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

/// RFC 9112 §6.1: a request with both Content-Length and Transfer-Encoding may be
/// refused, and the connection MUST be closed after answering it. actix-http reads
/// such a body as chunked and keeps the connection; a proxy in front that framed it by
/// Content-Length would have sent the rest of the chunked body as part of this
/// request, which we would then read as a second request of the client's making.
fn is_ambiguously_framed(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::CONTENT_LENGTH) && headers.contains_key(header::TRANSFER_ENCODING)
}

/// The body of the last answer on a connection whose framing cannot be trusted.
///
/// `Connection: close` alone is not enough: actix-http decodes every request already
/// received on the connection, and answers those queued behind this one before it
/// closes. So, once this body has been handed over whole (and flushed: it waits one
/// turn of the event loop for that), it ends with an error, on which actix-http drops
/// the connection without reading or answering anything more. The client has the
/// complete answer, since its length was declared up front.
struct LastAnswer {
    bytes: Option<Bytes>,
    len: u64,
    flushed: bool,
}

impl LastAnswer {
    fn new(bytes: Bytes) -> Self {
        Self {
            len: bytes.len() as u64,
            bytes: Some(bytes),
            flushed: false,
        }
    }
}

/// The (deliberate) end of a connection after [`LastAnswer`].
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped after a request with ambiguous framing")
    }
}

impl std::error::Error for ConnectionDropped {}

impl MessageBody for LastAnswer {
    type Error = ConnectionDropped;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.len)
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if let Some(bytes) = this.bytes.take() {
            return Poll::Ready(Some(Ok(bytes)));
        }
        if !this.flushed {
            // The dispatcher writes out what it has before it polls again.
            this.flushed = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(ConnectionDropped)))
    }
}

/// A path is canonical when it has no empty segment: no `//` and no trailing slash
/// (except the root). Such paths are not routed rather than rewritten, so one resource
/// has one URL and the router, the metrics' route label and the log all see the path
/// the client sent; a redirect would also drop the body of a POST at many clients.
pub fn is_canonical(path: &str) -> bool {
    path == "/" || (!path.contains("//") && !path.ends_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths_have_no_empty_segment() {
        for good in ["/", "/v1/brand/api-keys", "/r/acme/ANA7K3Q", "/healthz"] {
            assert!(is_canonical(good), "{good}");
        }
        for bad in [
            "/v1//brand/api-keys",
            "/v1/brand/api-keys/",
            "//v1/brand",
            "/v1/brand//",
            "/healthz/",
        ] {
            assert!(!is_canonical(bad), "{bad}");
        }
    }
}
