//! The one error type of the HTTP layer and its RFC 9457 problem+json answer.
//!
//! Every failure has a stable machine `code`. A 5xx logs its whole cause chain and
//! answers nothing internal: no SQL, no stack trace, no library message.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use super::ErrorCode;
use crate::service::auth::ForbiddenRole;
use crate::store::StoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input field: `field` is a JSON path such as `lines[0].quantity`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    retry_after_secs: Option<u64>,
    /// Answer with `Connection: close`, for a request after which the connection's
    /// framing can no longer be trusted (an unfinished or ambiguous body).
    close_connection: bool,
    cause: Option<anyhow::Error>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_secs: None,
            close_connection: false,
            cause: None,
        }
    }

    /// 408 `request_timeout`: the body did not arrive in time. The rest of it may still
    /// come, so the connection is closed rather than read as the next request.
    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            "The request body did not arrive in time.",
        )
        .closing_connection()
    }

    /// The answer carries `Connection: close` and the server closes the connection
    /// after it.
    pub fn closing_connection(mut self) -> Self {
        self.close_connection = true;
        self
    }

    /// 422 `validation_failed` listing every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut err = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            "The request has invalid fields; see `errors`.",
        );
        err.errors = errors;
        err
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::MalformedJson, detail)
    }

    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    pub fn forbidden(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn not_found(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn unprocessable(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "Too many requests; retry later.",
        );
        err.retry_after_secs = Some(retry_after_secs.max(1));
        err
    }

    /// A 500 whose cause is logged, never shown.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side.",
        );
        err.cause = Some(cause.into());
        err
    }

    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::DatabaseUnavailable,
            "The database is not answering; retry later.",
        );
        err.cause = Some(cause.into());
        err.retry_after_secs = Some(1);
        err
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }
}

/// Compact, and free of the request's input: this is what the request log prints.
impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            match &self.cause {
                Some(cause) => tracing::error!(
                    code = self.code.as_str(),
                    error = format!("{cause:#}"),
                    "request failed"
                ),
                None => tracing::error!(code = self.code.as_str(), "request failed"),
            }
        }
        let problem = Problem {
            kind: format!("urn:reftrack:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            code: self.code.as_str(),
            errors: &self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(secs) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.close_connection {
            response.force_close();
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        response.body(body)
    }
}

/// A staff member asked for what only an owner of the brand may do: 403
/// `forbidden_role`, the same answer from every route a role limits.
impl From<ForbiddenRole> for ApiError {
    fn from(_: ForbiddenRole) -> Self {
        Self::forbidden(
            ErrorCode::ForbiddenRole,
            "Only an owner of the brand may do this; staff cannot manage API keys, shop integrations, webhooks or the team, nor mark a payout batch paid.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Pool(cause) => Self::unavailable(cause),
            StoreError::Query(cause) => cause.into(),
            StoreError::Unavailable(cause) => Self::unavailable(anyhow::anyhow!(cause)),
            StoreError::Conflict => Self::conflict(
                ErrorCode::WriteConflict,
                "A concurrent request changed the same data; retry.",
            ),
            StoreError::Interrupted(cause) | StoreError::Corrupt(cause) => Self::internal(anyhow::anyhow!(cause)),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        if crate::store::is_timeout(&err) {
            Self::unavailable(err)
        } else {
            Self::internal(err)
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::internal(err)
    }
}

impl std::error::Error for ApiError {}
