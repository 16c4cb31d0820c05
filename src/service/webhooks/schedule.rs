//! When a webhook delivery is tried again, and when it is given up.

/// The default delays before each retry, in seconds: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
/// 10 h (the schedule Svix uses), so a delivery is tried 8 times over about 28 hours. `REFTRACK_WEBHOOK_RETRY_SCHEDULE` replaces it.
pub const DEFAULT_RETRY_SCHEDULE: [u64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
/// The longest `Retry-After` honoured, a day.
const MAX_RETRY_AFTER_SECS: u64 = 86_400;

/// What an attempt's answer means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Succeeded,
    /// `410 Gone`: the receiver is gone for good; the endpoint is disabled.
    Gone,
    /// Try again after this many seconds.
    RetryIn(u64),
    /// The schedule is used up.
    Failed,
}

/// After the `attempts`-th attempt (1 for the first) answered `status` (`None`: no
/// answer) with `retry_after` seconds. 2xx succeeds; a redirect is an answer and not a
/// success; 429 and 5xx honour `Retry-After` (at most a day) in place of the schedule.
pub fn next(schedule: &[u64], attempts: i32, status: Option<u16>, retry_after: Option<u64>) -> Next {
    match status {
        Some(200..=299) => return Next::Succeeded,
        Some(410) => return Next::Gone,
        _ => {}
    }
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    let Some(&delay) = schedule.get(index) else {
        return Next::Failed;
    };
    let honours_retry_after = matches!(status, Some(429 | 500..=599));
    match retry_after.filter(|_| honours_retry_after) {
        Some(asked) => Next::RetryIn(asked.min(MAX_RETRY_AFTER_SECS)),
        None => Next::RetryIn(delay),
    }
}

/// A schedule as `REFTRACK_WEBHOOK_RETRY_SCHEDULE` writes it: seconds, comma-separated,
/// at most 20 retries of at most a week each; empty means no retry.
pub fn parse(text: &str) -> Result<Vec<u64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let delays = text
        .split(',')
        .map(|part| {
            part.trim()
                .parse::<u64>()
                .map_err(|_| format!("`{part}` is not a number of seconds"))
        })
        .collect::<Result<Vec<u64>, String>>()?;
    if delays.len() > 20 || delays.iter().any(|&d| d > 7 * 86_400) {
        return Err("must be at most 20 delays of at most 604800 seconds".into());
    }
    Ok(delays)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_runs_out_after_its_last_retry() {
        let s = DEFAULT_RETRY_SCHEDULE;
        assert_eq!(next(&s, 1, Some(500), None), Next::RetryIn(5));
        assert_eq!(next(&s, 2, None, None), Next::RetryIn(300));
        assert_eq!(next(&s, 7, Some(404), None), Next::RetryIn(36_000));
        assert_eq!(next(&s, 8, Some(500), None), Next::Failed);
        assert_eq!(next(&[], 1, Some(500), None), Next::Failed);
    }

    #[test]
    fn answers_decide_before_the_schedule() {
        let s = DEFAULT_RETRY_SCHEDULE;
        assert_eq!(next(&s, 8, Some(204), None), Next::Succeeded);
        assert_eq!(next(&s, 1, Some(410), None), Next::Gone);
        // A redirect is not followed and is not a success.
        assert_eq!(next(&s, 1, Some(302), Some(60)), Next::RetryIn(5));
        // 429 and 5xx honour Retry-After, up to a day.
        assert_eq!(next(&s, 1, Some(429), Some(60)), Next::RetryIn(60));
        assert_eq!(next(&s, 1, Some(503), Some(999_999)), Next::RetryIn(86_400));
        assert_eq!(next(&s, 1, Some(400), Some(60)), Next::RetryIn(5));
    }

    #[test]
    fn schedules_parse_from_seconds() {
        assert_eq!(parse("0, 1,2"), Ok(vec![0, 1, 2]));
        assert_eq!(parse(""), Ok(vec![]));
        assert!(parse("5,x").is_err());
        assert!(parse("999999999").is_err());
    }
}
