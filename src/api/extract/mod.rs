//! Request extractors: JSON bodies with field-level errors here, and the three kinds
//! of caller (`BrandUser`, `Influencer`, `ApiKey`) in [`credentials`].

mod credentials;

pub use credentials::{ApiKey, BrandUser, Influencer};

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use super::ErrorCode;
use super::error::{ApiError, FieldError};
use super::strict_json::{self, JsonError};

/// Largest request body accepted anywhere.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How long a whole request body may take to arrive (`REFTRACK_BODY_TIMEOUT_SECS`),
/// registered as app data. actix-web times only the request head; without a limit a
/// client that declares 100 bytes and sends 10 holds its connection, and a file
/// descriptor, for as long as it likes.
#[derive(Debug, Clone, Copy)]
pub struct BodyReadTimeout(pub Duration);

/// A JSON body parsed into `T`. Syntax errors are 400 `malformed_json`; unknown fields,
/// wrong types and missing fields are 422 `validation_failed` naming the field.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload);
        Box::pin(async move { parse_json(&body.await?).map(Json) })
    }
}

/// A JSON body parsed into `T`, with the SHA-256 of its canonical form (keys sorted,
/// no white space): the same request sent again hashes the same, however it is laid
/// out. Used where a retry must be told apart from a different request.
pub struct HashedJson<T> {
    pub value: T,
    pub hash: String,
}

impl<T: DeserializeOwned + 'static> FromRequest for HashedJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload);
        Box::pin(async move {
            let document = parse_document(&body.await?)?;
            let hash = crate::auth::secrets::sha256_hex(&document.to_string());
            let value = from_document(document)?;
            Ok(Self { value, hash })
        })
    }
}

/// Reads the whole body, refusing anything over [`MAX_BODY_BYTES`], anything that is
/// not declared as JSON, and a body that takes longer than [`BodyReadTimeout`] (408,
/// connection closed).
fn read_body(req: &HttpRequest, payload: &mut Payload) -> impl Future<Output = Result<web::Bytes, ApiError>> + use<> {
    let content_type_ok = match req.headers().get(header::CONTENT_TYPE).map(|v| v.to_str()) {
        None => true,
        Some(Ok(value)) => {
            let mime = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        }
        Some(Err(_)) => false,
    };
    let too_long = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > MAX_BODY_BYTES);
    let limit = req.app_data::<BodyReadTimeout>().map_or(
        Duration::from_secs(crate::config::DEFAULT_BODY_TIMEOUT_SECS),
        |timeout| timeout.0,
    );
    // The clock starts now, when the request is routed, not when the body is first polled.
    let deadline = actix_web::rt::time::Instant::now() + limit;
    let body = web::Bytes::from_request(req, payload);
    async move {
        if !content_type_ok {
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the body as application/json.",
            ));
        }
        if too_long {
            return Err(payload_too_large());
        }
        actix_web::rt::time::timeout(
            deadline.saturating_duration_since(actix_web::rt::time::Instant::now()),
            body,
        )
        .await
        .map_err(|_| ApiError::request_timeout())?
        .map_err(|err| match err.as_error::<actix_web::error::PayloadError>() {
            Some(actix_web::error::PayloadError::Overflow) => payload_too_large(),
            _ => ApiError::malformed_json("The request body could not be read."),
        })
    }
}

fn payload_too_large() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
    )
}

/// Parses a JSON document, reporting data errors with the path of the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    from_document(parse_document(bytes)?)
}

/// The body as a JSON object. Syntax errors and keys repeated within one object are
/// 400 (see [`super::strict_json`]); any other document is 422, since serde would read
/// an array such as `[null, null]` as a struct of optional fields.
/// Whole numbers written with a fraction or an exponent (`2500.0`, `25e2`) become
/// integers, read exactly from their text: JSON Schema counts them as integers, so the
/// spec's `type: integer` admits them. A real fraction is refused where an integer goes.
///
/// `detail` is our own sentence, never the parser's message: serde_json's wording and
/// positions describe its internals and change between versions.
fn parse_document(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    let mut document = strict_json::parse(bytes).map_err(|err| match err {
        JsonError::Syntax => ApiError::malformed_json("The body is not valid JSON."),
        JsonError::Truncated => {
            ApiError::malformed_json("The body is not valid JSON: it ends before the document does.")
        }
        JsonError::DuplicateKey(key) => ApiError::malformed_json(format!(
            "The body names the key `{}` twice in one object; send each key once.",
            shortened(&key)
        )),
    })?;
    if !document.is_object() {
        return Err(ApiError::field("", "the body must be a JSON object"));
    }
    whole_numbers_as_integers(&mut document);
    Ok(document)
}

/// A key from the body as quoted back in `detail`: at most 64 characters, no control
/// characters.
fn shortened(key: &str) -> String {
    const MAX_CHARS: usize = 64;
    let mut shown: String = key
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if key.chars().nth(MAX_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

fn from_document<T: DeserializeOwned>(document: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(document).map_err(|err| {
        let path = err.path().to_string();
        let message = without_position(&err.into_inner().to_string());
        ApiError::validation(vec![FieldError::new(field_of(&path, &message), message)])
    })
}

fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) if !(number.is_i64() || number.is_u64()) => {
            if let Some(whole) = whole_number(number.as_str()) {
                *number = whole.into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Number(_) | Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// The integer a JSON number's text names exactly (`2500.0`, `25e2`), read as a decimal,
/// never through a float: `9007199254740993.0` is that number, and `2500.0000000000001`
/// is no integer at all (it stays a number with a fraction and is refused where an
/// integer goes). `None` also beyond what `i64` or `Decimal` holds.
fn whole_number(text: &str) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    let exact = if text.contains(['e', 'E']) {
        rust_decimal::Decimal::from_scientific(text).ok()?
    } else {
        rust_decimal::Decimal::from_str_exact(text).ok()?
    };
    if exact.fract().is_zero() { exact.to_i64() } else { None }
}

/// serde reports a missing field at its parent's path; name the field itself.
/// (An unknown field is already the last element of the path.)
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (missing, path) {
        (Some(name), "." | "") => name.to_owned(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => String::new(),
        (None, path) => path.to_owned(),
    }
}

fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Longest `Idempotency-Key`, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// The `Idempotency-Key` header, if sent.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.chars().count() <= MAX_IDEMPOTENCY_KEY_CHARS)
        .ok_or_else(|| {
            ApiError::field(
                "Idempotency-Key",
                format!("must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible characters"),
            )
        })?;
    Ok(Some(key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_read_exactly_from_their_text() {
        assert_eq!(whole_number("2500.0"), Some(2500));
        assert_eq!(whole_number("25e2"), Some(2500));
        assert_eq!(whole_number("-3.000"), Some(-3));
        assert_eq!(whole_number("9007199254740993.0"), Some(9_007_199_254_740_993));
        assert_eq!(whole_number("2500.0000000000001"), None);
        assert_eq!(whole_number("2500.5"), None);
        assert_eq!(whole_number("1e400"), None);
        assert_eq!(whole_number("92233720368547758070.0"), None);
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Line {
        sku: String,
        quantity: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Body {
        email: String,
        lines: Vec<Line>,
    }

    fn fields(json: &str) -> Vec<String> {
        match parse_json::<Body>(json.as_bytes()) {
            Ok(_) => vec![],
            Err(err) => err.errors().iter().map(|e| e.field.clone()).collect(),
        }
    }

    fn code(json: &str) -> Option<&'static str> {
        parse_json::<Body>(json.as_bytes()).err().map(|e| e.code().as_str())
    }

    #[test]
    fn names_the_failing_field() {
        assert_eq!(
            fields(r#"{"email":"a","lines":[{"sku":"x","quantity":-1}]}"#),
            ["lines[0].quantity"]
        );
        assert_eq!(fields(r#"{"email":"a","lines":[],"extra":1}"#), ["extra"]);
        assert_eq!(fields(r#"{"email":"a","lines":[{"sku":"x"}]}"#), ["lines[0].quantity"]);
        assert_eq!(fields(r#"{"lines":[]}"#), ["email"]);
        assert_eq!(code(r#"{"lines":[]}"#), Some("validation_failed"));
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        for bad in ["{\"email\":", "{} {}", "", "nul"] {
            assert_eq!(code(bad), Some("malformed_json"), "{bad}");
        }
    }
}
