//! How a pass makes its leased attempts (webhook deliveries, e-mails): several at once,
//! so one slow receiver does not hold every other brand's back. Each attempt reads the
//! clock itself when it claims its item and when it records the answer, so a lease taken
//! late in a long pass is as long as one taken at its start, a `webhook-timestamp` is the
//! moment of its request, and a retry waits its delay from the answer.

use std::future::Future;

use futures_util::StreamExt;

use crate::store::StoreError;

/// Attempts made at once by one instance.
pub const CONCURRENT_ATTEMPTS: usize = 8;

/// Runs `attempt(id)` for each id, [`CONCURRENT_ATTEMPTS`] at a time; how many attempts
/// were made (an attempt says `false` when another worker held the item or it was no
/// longer due). The first error is returned after the attempts under way have finished.
pub async fn each<I, F, Fut>(ids: Vec<I>, attempt: F) -> Result<usize, StoreError>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<bool, StoreError>>,
{
    let results: Vec<Result<bool, StoreError>> = futures_util::stream::iter(ids)
        .map(attempt)
        .buffer_unordered(CONCURRENT_ATTEMPTS)
        .collect()
        .await;
    let mut made = 0;
    for result in results {
        if result? {
            made += 1;
        }
    }
    Ok(made)
}
