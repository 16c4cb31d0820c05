//! `GET /metrics`: Prometheus text with request, order, refund counts.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::orders::{order_body, record};

/// The value of the sample line that starts with `series ` (exact labels), if any.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_money_events() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    app.get("/healthz", None).await;
    app.get("/healthz", None).await;
    app.get("/no/such/route/123", None).await;
    let body = order_body("1001", Some(&p.code));
    assert_eq!(record(&app, &p, &body).await.status, 201);
    let again = record(&app, &p, &body).await;
    assert!(again.replayed(), "{}", again.text);
    let refund = app
        .post(
            "/v1/checkout/orders/1001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 1000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);

    let reply = app.get("/metrics", None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.content_type().starts_with("text/plain"),
        "{}",
        reply.content_type()
    );
    let text = &reply.text;
    let requests = "reftrack_http_requests_total";
    assert_eq!(
        sample(
            text,
            &format!(r#"{requests}{{method="GET",route="/healthz",status="200"}}"#)
        ),
        Some(2.0),
        "{text}"
    );
    // Raw paths never become labels: an unknown path is `unmatched`.
    assert_eq!(
        sample(
            text,
            &format!(r#"{requests}{{method="GET",route="unmatched",status="404"}}"#)
        ),
        Some(1.0)
    );
    assert!(!text.contains("/no/such/route"));
    // The order's first answer and its replay are both 201 on the route pattern.
    assert_eq!(
        sample(
            text,
            &format!(r#"{requests}{{method="POST",route="/v1/checkout/orders",status="201"}}"#)
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            text,
            &format!(r#"{requests}{{method="POST",route="/v1/checkout/orders/{{order_id}}/refunds",status="201"}}"#)
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            text,
            r#"reftrack_http_request_duration_seconds_count{method="POST",route="/v1/checkout/orders",status="201"}"#
        ),
        Some(2.0)
    );
    assert_eq!(sample(text, "reftrack_orders_recorded_total"), Some(1.0));
    assert_eq!(sample(text, "reftrack_orders_replayed_total"), Some(1.0));
    assert_eq!(sample(text, "reftrack_refunds_recorded_total"), Some(1.0));
    assert!(text.contains("# TYPE reftrack_job_pass_duration_seconds histogram"));
}
