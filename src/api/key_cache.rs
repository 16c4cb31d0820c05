//! Recently verified API keys, so a busy checkout does not read its key from the
//! database on every request.
//!
//! Only keys found live are kept, for [`KEY_CACHE_TTL`]; an unknown or revoked key is
//! looked up every time, so guessing fills nothing. Revoking a key drops it from this
//! process's cache at once; another instance on the same database stops accepting it
//! within [`KEY_CACHE_TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::store::ids::ApiKeyId;

/// How long a verified key is trusted without reading it again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

/// More distinct live keys than this in one TTL is not a shop; start over.
const MAX_ENTRIES: usize = 10_000;

/// A live key as last read.
pub type CachedKey = crate::service::auth::LiveKey;

#[derive(Default)]
pub struct ApiKeyCache {
    /// By SHA-256 of the secret, as stored.
    entries: Mutex<HashMap<String, (CachedKey, Instant)>>,
}

impl ApiKeyCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (CachedKey, Instant)>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The key with this hash, if it was verified less than [`KEY_CACHE_TTL`] ago.
    pub fn get(&self, hash: &str) -> Option<CachedKey> {
        let entries = self.entries();
        let (key, checked) = entries.get(hash)?;
        (checked.elapsed() < KEY_CACHE_TTL).then_some(*key)
    }

    /// Remembers a key just read live from the database.
    pub fn put(&self, hash: String, key: CachedKey) {
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, checked)| checked.elapsed() < KEY_CACHE_TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(hash, (key, Instant::now()));
    }

    /// Records that the key's `last_used_at` was written, keeping its verification time.
    pub fn touched(&self, hash: &str, at: DateTime<Utc>) {
        if let Some((key, _)) = self.entries().get_mut(hash) {
            key.last_used_at = Some(at);
        }
    }

    /// Drops a revoked key.
    pub fn forget(&self, id: ApiKeyId) {
        self.entries().retain(|_, (key, _)| key.key_id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ids::BrandId;

    fn key() -> CachedKey {
        CachedKey {
            key_id: ApiKeyId::generate(),
            brand_id: BrandId::generate(),
            last_used_at: None,
        }
    }

    #[test]
    fn a_revoked_key_is_forgotten_at_once() {
        let cache = ApiKeyCache::default();
        let (a, b) = (key(), key());
        cache.put("a".into(), a);
        cache.put("b".into(), b);
        assert_eq!(cache.get("a").map(|k| k.key_id), Some(a.key_id));
        cache.forget(a.key_id);
        assert!(cache.get("a").is_none());
        assert_eq!(cache.get("b").map(|k| k.key_id), Some(b.key_id));
        assert!(cache.get("unknown").is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ApiKeyCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            cache.put(format!("h{i}"), key());
        }
        assert!(cache.entries().len() <= MAX_ENTRIES);
    }
}
