//! The span every request is logged in: `tracing-actix-web`'s fields, with the path
//! instead of the whole target and the client address as the rest of the service sees it.
//!
//! The default span records `http.target` with the query string, so a client that puts
//! a secret there (`?access_token=…`, which no reftrack route reads) has it written to
//! the log; and `http.client_ip` from `X-Forwarded-For`, which any client can write.

use actix_web::FromRequest;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Version;
use tracing::Span;
use tracing::field::Empty;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use super::client_ip::ClientIp;

pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        use actix_web::HttpMessage;

        let route = request.match_pattern().unwrap_or_else(|| "default".to_owned());
        let user_agent = request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let client = ClientIp::from_request(request.request(), &mut Payload::None)
            .into_inner()
            .map(|client| client.addr().to_string())
            .unwrap_or_default();
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.flavor = flavor(request.version()),
            http.target = %request.path(),
            http.client_ip = %client,
            http.user_agent = %user_agent,
            http.status_code = Empty,
            otel.name = %format!("{} {}", request.method(), route),
            otel.kind = "server",
            otel.status_code = Empty,
            request_id = %request_id,
            exception.message = Empty,
            exception.details = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, actix_web::Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

fn flavor(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_11 => "1.1",
        Version::HTTP_2 => "2.0",
        Version::HTTP_3 => "3.0",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    use super::*;

    /// Records the fields every new span is created with, as `name=value` lines.
    #[derive(Clone, Default)]
    struct Fields(Arc<Mutex<Vec<String>>>);

    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let mut lines = self.0.lock().unwrap_or_else(|p| p.into_inner());
            lines.push(format!("{}={value:?}", field.name()));
        }
    }

    impl<S: tracing::Subscriber> Layer<S> for Fields {
        fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
            attrs.record(&mut self.clone());
        }
    }

    #[test]
    fn the_span_records_the_path_without_the_query() {
        let fields = Fields::default();
        let subscriber = tracing_subscriber::registry().with(fields.clone());
        let request = actix_web::test::TestRequest::with_uri("/v1/brand/orders?access_token=s3cret&limit=5")
            .insert_header(("x-forwarded-for", "203.0.113.9"))
            .peer_addr("192.0.2.1:4000".parse().unwrap_or_else(|e| panic!("{e}")))
            .to_srv_request();
        tracing::subscriber::with_default(subscriber, || {
            let _span = RequestSpan::on_request_start(&request);
        });
        let lines = fields.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert!(lines.contains(&"http.target=/v1/brand/orders".to_owned()), "{lines:?}");
        assert!(lines.contains(&"http.client_ip=192.0.2.1".to_owned()), "{lines:?}");
        assert!(!lines.iter().any(|line| line.contains("s3cret")), "{lines:?}");
        assert!(!lines.iter().any(|line| line.contains("203.0.113.9")), "{lines:?}");
    }
}
