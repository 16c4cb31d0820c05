//! Prometheus metrics, served as text at `GET /metrics`.
//!
//! Each application owns its registry (nothing global), so several applications in
//! one process — the test suite — keep separate counts. Request metrics are labelled by
//! the matched route *pattern* (`/v1/brand/orders/{id}`), never the raw path, so a
//! scanner cannot grow the label set; requests that match no route share `unmatched`.

use std::future::Future;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::api::AppState;

/// Request latency buckets, in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Maturation pass buckets, in seconds: 10 ms to 5 min.
const JOB_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0];

/// The service's metrics and the registry they are exposed from.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Orders recorded (first answers only; replays of a stored answer do not count).
    pub orders_recorded: IntCounter,
    /// Order requests answered from a stored idempotent answer.
    pub orders_replayed: IntCounter,
    /// Refunds and cancellations recorded (first answers only).
    pub refunds_recorded: IntCounter,
    job_failures: IntCounter,
    job_passes: IntCounterVec,
    job_duration: Histogram,
}

impl Metrics {
    /// Creates the metrics and registers them. Registration fails only on a duplicate
    /// or malformed name, which is a programming error caught by the tests.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("reftrack_http_requests_total", "HTTP requests answered."),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "reftrack_http_request_duration_seconds",
                "Time from request to response head, in seconds.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        let orders_recorded = IntCounter::new("reftrack_orders_recorded_total", "Orders recorded at checkout.")?;
        let orders_replayed = IntCounter::new(
            "reftrack_orders_replayed_total",
            "Order requests answered with the stored first answer (retries).",
        )?;
        let refunds_recorded =
            IntCounter::new("reftrack_refunds_recorded_total", "Refunds and cancellations recorded.")?;
        let job_failures = IntCounter::new(
            "reftrack_job_failures_total",
            "Memberships skipped by a maturation pass because their work failed (logged with the membership id).",
        )?;
        let job_passes = IntCounterVec::new(
            Opts::new("reftrack_job_passes_total", "Maturation passes run, by outcome."),
            &["outcome"],
        )?;
        let job_duration = Histogram::with_opts(
            HistogramOpts::new(
                "reftrack_job_pass_duration_seconds",
                "Duration of maturation passes, in seconds.",
            )
            .buckets(JOB_BUCKETS.to_vec()),
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(orders_recorded.clone()))?;
        registry.register(Box::new(orders_replayed.clone()))?;
        registry.register(Box::new(refunds_recorded.clone()))?;
        registry.register(Box::new(job_failures.clone()))?;
        registry.register(Box::new(job_passes.clone()))?;
        registry.register(Box::new(job_duration.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            orders_recorded,
            orders_replayed,
            refunds_recorded,
            job_failures,
            job_passes,
            job_duration,
        })
    }

    fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(elapsed.as_secs_f64());
    }

    /// Counts one maturation pass and its duration.
    pub fn observe_job_pass(&self, ok: bool, elapsed: Duration) {
        self.job_passes
            .with_label_values(&[if ok { "ok" } else { "error" }])
            .inc();
        self.job_duration.observe(elapsed.as_secs_f64());
    }

    /// Counts memberships whose maturation work failed and was skipped (each pass counts
    /// each such membership once; the rest of the pass goes on).
    pub fn count_job_failures(&self, skipped_memberships: usize) {
        self.job_failures
            .inc_by(u64::try_from(skipped_memberships).unwrap_or(u64::MAX));
    }

    /// Runs one maturation pass and counts it.
    pub async fn timed_pass<T, E>(&self, pass: impl Future<Output = Result<T, E>>) -> Result<T, E> {
        let started = Instant::now();
        let result = pass.await;
        self.observe_job_pass(result.is_ok(), started.elapsed());
        result
    }

    /// The Prometheus text exposition (format 0.0.4) of every metric.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// The `method` label: HTTP allows any token as a method, so only the methods the API
/// serves (and HEAD, OPTIONS) are named; every other one is `other`, keeping the label
/// set bounded.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts and times every request by method, route pattern and status.
pub fn track<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> impl Future<Output = Result<ServiceResponse<B>, Error>> {
    let metrics = req.app_data::<web::Data<AppState>>().map(|state| state.metrics.clone());
    let method = method_label(req.method());
    let started = Instant::now();
    async move {
        let result = next.call(req).await;
        if let Some(metrics) = metrics {
            let (route, status) = match &result {
                Ok(res) => (res.request().match_pattern(), res.status().as_u16()),
                Err(err) => (None, err.as_response_error().status_code().as_u16()),
            };
            let route = route.unwrap_or_else(|| "unmatched".to_owned());
            metrics.observe_request(method, &route, status, started.elapsed());
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn job_passes_are_counted_by_outcome() -> prometheus::Result<()> {
        let metrics = Metrics::new()?;
        let ok: Result<u32, &str> = metrics.timed_pass(async { Ok(3) }).await;
        let failed: Result<u32, &str> = metrics.timed_pass(async { Err("database down") }).await;
        assert_eq!((ok, failed), (Ok(3), Err("database down")));
        let text = metrics.render()?;
        assert!(text.contains("reftrack_job_passes_total{outcome=\"ok\"} 1"), "{text}");
        assert!(
            text.contains("reftrack_job_passes_total{outcome=\"error\"} 1"),
            "{text}"
        );
        assert!(text.contains("reftrack_job_pass_duration_seconds_count 2"), "{text}");
        Ok(())
    }

    #[test]
    fn skipped_memberships_are_counted_as_job_failures() -> prometheus::Result<()> {
        let metrics = Metrics::new()?;
        assert!(metrics.render()?.contains("reftrack_job_failures_total 0"));
        metrics.count_job_failures(2);
        metrics.count_job_failures(0);
        assert!(metrics.render()?.contains("reftrack_job_failures_total 2"));
        Ok(())
    }

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        for made_up in ["PROBE1", "TRACE", "CONNECT", "get"] {
            let label = Method::from_bytes(made_up.as_bytes()).map(|m| method_label(&m));
            assert_eq!(label.ok(), Some("other"), "{made_up}");
        }
    }
}
