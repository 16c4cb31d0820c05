//! Logging set-up: human-readable lines by default, JSON with `REFTRACK_LOG_FORMAT=json`.
//! `RUST_LOG` filters as usual (default `info`).
//!
//! actix-http logs at ERROR every request it cannot parse (a malformed request line, a
//! bad header, a head over its buffer) and every connection a client drops mid-request.
//! Those are the client's mistakes, already answered with a 400 or a closed socket,
//! and anyone can send them: at ERROR they would fill the log and drown the errors that
//! need an operator. So the two actix-http modules that report them are silenced
//! unless `RUST_LOG` names `actix_http` itself (`RUST_LOG=info,actix_http=trace` shows
//! them again). Nothing of ours is lost: failures of reftrack's own responses (a CSV
//! export that fails mid-stream, any 5xx) are logged by reftrack.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Directive;

use crate::config::LogFormat;

/// The actix-http modules whose ERROR lines describe a client's malformed request.
const PARSE_NOISE: [&str; 2] = ["actix_http::h1::dispatcher=off", "actix_http::h1::decoder=off"];

pub fn init(format: LogFormat) {
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    // Colours only for a person at a terminal: in a file or a log shipper they are noise
    // that also breaks a search for ` ERROR `.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(ansi);
    // `try_init` so a second call (tests) is harmless.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The filter for a `RUST_LOG` value (unset or unreadable: `info`), with actix-http's
/// parse errors silenced unless the value speaks of `actix_http`.
fn filter(rust_log: Option<&str>) -> EnvFilter {
    let spec = rust_log.map(str::trim).filter(|s| !s.is_empty());
    let mut filter = spec
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    if !spec.is_some_and(|spec| spec.contains("actix_http")) {
        for directive in PARSE_NOISE {
            if let Ok(directive) = directive.parse::<Directive>() {
                filter = filter.add_directive(directive);
            }
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use tracing::Level;
    use tracing::subscriber::with_default;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Whether an ERROR event with this target passes the filter built for `rust_log`.
    fn logs_error_from(rust_log: Option<&str>, target: &'static str) -> bool {
        let subscriber = tracing_subscriber::registry().with(filter(rust_log));
        with_default(subscriber, || match target {
            "actix_http::h1::dispatcher" => tracing::enabled!(target: "actix_http::h1::dispatcher", Level::ERROR),
            "actix_http::h1::decoder" => tracing::enabled!(target: "actix_http::h1::decoder", Level::ERROR),
            "actix_http::h1::service" => tracing::enabled!(target: "actix_http::h1::service", Level::ERROR),
            _ => tracing::enabled!(target: "reftrack::api", Level::ERROR),
        })
    }

    #[test]
    fn actix_parse_errors_are_not_logged_unless_asked_for() {
        for rust_log in [None, Some("info"), Some("debug"), Some("reftrack=trace")] {
            assert!(!logs_error_from(rust_log, "actix_http::h1::dispatcher"), "{rust_log:?}");
            assert!(!logs_error_from(rust_log, "actix_http::h1::decoder"), "{rust_log:?}");
            assert!(logs_error_from(rust_log, "reftrack::api"), "{rust_log:?}");
        }
        // Start-up failures of actix-http stay visible.
        assert!(logs_error_from(None, "actix_http::h1::service"));
        assert!(logs_error_from(
            Some("info,actix_http=trace"),
            "actix_http::h1::dispatcher"
        ));
    }
}
