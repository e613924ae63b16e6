//! Fixed one-minute windows per API key (per client IP for requests without a valid key).
//!
//! Headers on every response: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`
//! (unix seconds at which the current window ends). Without a configured limit (the self-hosted
//! default) the server is unlimited and says so with `X-RateLimit-Limit: 4294967295` (u32::MAX) and a
//! Remaining that counts down from it.

use std::collections::HashMap;
use std::sync::Mutex;

/// The limit a response reports when none is configured.
pub const UNLIMITED: u32 = u32::MAX;

/// What one request's check gave.
#[derive(Clone, Copy, Debug)]
pub struct RateInfo {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window resets.
    pub reset: u64,
    /// True when this request is over the limit.
    pub exceeded: bool,
    /// Seconds until the reset (at least 1).
    pub retry_after: u64,
}

/// Counters of the current windows.
pub struct RateLimiter {
    limit: Option<u32>,
    windows: Mutex<HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    /// A limiter with `limit` requests per minute per client (`None`: unlimited).
    pub fn new(limit: Option<u32>) -> Self {
        RateLimiter {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `client` (`key:<id>` or `ip:<addr>`).
    pub fn hit(&self, client: &str) -> RateInfo {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let window = now - now % 60;
        let reset = window + 60;
        let limit = self.limit.unwrap_or(UNLIMITED);
        let used = {
            let mut map = match self.windows.lock() {
                Ok(m) => m,
                Err(poisoned) => poisoned.into_inner(),
            };
            if map.len() > 10_000 {
                map.retain(|_, (w, _)| *w == window);
            }
            let entry = map.entry(client.to_string()).or_insert((window, 0));
            if entry.0 != window {
                *entry = (window, 0);
            }
            entry.1 = entry.1.saturating_add(1);
            entry.1
        };
        RateInfo {
            limit,
            remaining: limit.saturating_sub(used),
            reset,
            exceeded: used > limit,
            retry_after: reset.saturating_sub(now).max(1),
        }
    }
}
