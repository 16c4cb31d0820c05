//! The client a request comes from, for per-address budgets and for telling referral
//! link visitors apart.
//!
//! It is the TCP peer unless the operator lists their reverse proxies in
//! `REFTRACK_TRUSTED_PROXIES`. `X-Forwarded-For` and `Forwarded` are written by whoever
//! sends the request, so believing them from anyone would give every request a fresh
//! address, and a fresh budget, of its choosing. When the peer is a trusted proxy, the
//! client is the right-most `X-Forwarded-For` address that is not a trusted proxy
//! itself: each proxy appends the address it was reached from, so only the entries to
//! the left of that one can be forged. `Forwarded` (RFC 7239) is never read, because a
//! proxy that appends to `X-Forwarded-For` passes a client's `Forwarded` through
//! untouched.

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::api::AppState;
pub use crate::config::TrustedProxies;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

/// The client's address (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(IpAddr);

impl ClientIp {
    /// The client behind `peer`, given the `X-Forwarded-For` entries in the order they
    /// arrived (left to right); the entries are read only while the hop that wrote them
    /// is trusted.
    pub fn resolve(peer: IpAddr, forwarded_for: &[&str], trusted: &TrustedProxies) -> Self {
        let mut client = peer.to_canonical();
        let mut hops = forwarded_for.iter().rev();
        while trusted.contains(client) {
            // An entry that is no address (`unknown`, an obfuscated name) cannot be
            // told from any other: the trusted hop that reported it stands in for it.
            let Some(ip) = hops.next().and_then(|hop| parse_hop(hop)) else {
                break;
            };
            client = ip;
        }
        Self(client)
    }

    pub fn addr(self) -> IpAddr {
        self.0
    }

    /// The key of per-address budgets. An IPv6 client counts as its /64: a subscriber
    /// is usually handed a whole /64, and each address in it would otherwise be a
    /// fresh budget.
    pub fn budget_key(self) -> IpAddr {
        match self.0 {
            IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u128::MAX >> 64))),
            v4 => v4,
        }
    }
}

/// One `X-Forwarded-For` entry: an address, optionally with a port (`[::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
        .map(|ip| ip.to_canonical())
}

impl FromRequest for ClientIp {
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Only a request that came through no socket (a handler test) has no peer.
        let peer = req
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |addr| addr.ip());
        // Lossy, so a client's stray bytes cannot hide the entry a proxy appended to
        // the same header line.
        let values: Vec<Cow<'_, str>> = req
            .headers()
            .get_all("x-forwarded-for")
            .map(|value| String::from_utf8_lossy(value.as_bytes()))
            .collect();
        let hops: Vec<&str> = values.iter().flat_map(|value| value.split(',')).collect();
        let client = match req.app_data::<web::Data<AppState>>() {
            Some(state) => {
                warn_if_behind_an_unlisted_proxy(peer, &hops, &state.trusted_proxies);
                Self::resolve(peer, &hops, &state.trusted_proxies)
            }
            None => Self::resolve(peer, &[], &TrustedProxies::default()),
        };
        std::future::ready(Ok(client))
    }
}

/// A request from a private or loopback peer that carries `X-Forwarded-For` while no
/// proxy is listed is almost surely a reverse proxy nobody told us about: every visitor
/// then shares its login, sign-up and link budgets. Said once per process, loudly.
fn warn_if_behind_an_unlisted_proxy(peer: IpAddr, hops: &[&str], trusted: &TrustedProxies) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let private = match peer.to_canonical() {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local(),
    };
    if private
        && !hops.is_empty()
        && !trusted.contains(peer)
        && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        tracing::warn!(
            peer = %peer,
            "requests arrive through a proxy that REFTRACK_TRUSTED_PROXIES does not list: every \
             visitor counts as the proxy for rate limits and referral clicks; list it"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    fn trusting(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap_or_default()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() {
        let client = ClientIp::resolve(ip("198.51.100.4"), &["203.0.113.9"], &TrustedProxies::default());
        assert_eq!(client.addr(), ip("198.51.100.4"));
        // A peer that is not a trusted proxy is not believed either.
        let client = ClientIp::resolve(ip("198.51.100.4"), &["203.0.113.9"], &trusting("10.0.0.0/8"));
        assert_eq!(client.addr(), ip("198.51.100.4"));
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_rightmost_untrusted_entry() {
        let proxies = trusting("10.0.0.0/8");
        let resolve = |hops: &[&str]| ClientIp::resolve(ip("10.0.0.2"), hops, &proxies).addr();
        // The client forged the first entry; the proxy appended the real one.
        assert_eq!(resolve(&["203.0.113.9", " 198.51.100.4"]), ip("198.51.100.4"));
        // Two proxies in a row.
        assert_eq!(resolve(&["198.51.100.4", "10.0.0.9"]), ip("198.51.100.4"));
        assert_eq!(resolve(&["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(resolve(&["198.51.100.4:5000"]), ip("198.51.100.4"));
        assert_eq!(resolve(&["::ffff:198.51.100.4"]), ip("198.51.100.4"));
        // No header, or an entry that is no address: the last trusted hop.
        assert_eq!(resolve(&[]), ip("10.0.0.2"));
        assert_eq!(resolve(&["198.51.100.4", "unknown"]), ip("10.0.0.2"));
        assert_eq!(resolve(&["unknown", "10.0.0.9"]), ip("10.0.0.9"));
    }

    #[test]
    fn an_ipv6_client_spends_the_budget_of_its_slash_64() {
        let a = ClientIp(ip("2001:db8:1:2:aaaa::1")).budget_key();
        let b = ClientIp(ip("2001:db8:1:2:bbbb::2")).budget_key();
        assert_eq!((a, b), (ip("2001:db8:1:2::"), ip("2001:db8:1:2::")));
        assert_ne!(ClientIp(ip("2001:db8:1:3::1")).budget_key(), a);
        assert_eq!(ClientIp(ip("198.51.100.4")).budget_key(), ip("198.51.100.4"));
    }
}
