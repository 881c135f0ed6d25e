//! Which address a request comes from, for rate limits, login throttling and
//! the audit log.
//!
//! By default that is the connection's peer, and `X-Forwarded-For` is ignored:
//! anyone can send that header. Behind a TLS proxy, though, every request's peer
//! is the proxy, and the whole town would share one budget. So `baken.toml`
//! may name the proxies to trust (`trusted_proxies`, addresses or CIDR ranges);
//! for a request from one of them, the client is the right-most address in
//! `X-Forwarded-For` that is not itself a trusted proxy — what the proxies in
//! front appended, not what the client claimed.

use std::net::IpAddr;
use std::str::FromStr;

/// An address range: an address and how many leading bits must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    addr: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8")]
pub struct IpRangeError(String);

impl FromStr for IpRange {
    type Err = IpRangeError;

    fn from_str(s: &str) -> Result<IpRange, IpRangeError> {
        let err = || IpRangeError(s.to_owned());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let addr = IpAddr::from_str(addr).map_err(|_| err())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(err)?,
            None => max,
        };
        Ok(IpRange { addr, prefix })
    }
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpRange>);

impl TrustedProxies {
    /// Each entry an address or a CIDR range.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, IpRangeError> {
        entries
            .iter()
            .map(|e| e.as_ref().parse())
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// The client behind `peer`, given the request's `X-Forwarded-For` header
    /// values in order. Walks from the right while the hop is a trusted proxy;
    /// an entry that is not an address stops the walk at the last trusted hop.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for hop in hops.iter().rev() {
            let Ok(ip) = IpAddr::from_str(hop.trim()) else {
                return client;
            };
            client = ip.to_canonical();
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_trusted() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("10.0.0.5"), &["203.0.113.9"]),
            ip("10.0.0.5")
        );
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "::1"]).unwrap();
        assert_eq!(
            proxies.client(ip("192.0.2.1"), &["203.0.113.9"]),
            ip("192.0.2.1"),
            "not from a trusted proxy"
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &["203.0.113.9"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client(ip("::1"), &["203.0.113.9"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_client_cannot_pick_its_address_by_sending_the_header_itself() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        // The client sent "1.2.3.4"; the proxy appended the real address.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &["1.2.3.4, 203.0.113.9"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &["1.2.3.4", "203.0.113.9, 10.0.0.7"]),
            ip("203.0.113.9"),
            "two proxies, two headers"
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &["nonsense"]),
            ip("10.0.0.5"),
            "garbage stops at the proxy"
        );
        assert_eq!(proxies.client(ip("10.0.0.5"), &[]), ip("10.0.0.5"));
    }

    #[test]
    fn ranges_parse_and_match() {
        let r: IpRange = "192.168.0.0/16".parse().unwrap();
        assert!(r.contains(ip("192.168.4.2")));
        assert!(r.contains(ip("::ffff:192.168.4.2")), "IPv4-mapped");
        assert!(!r.contains(ip("192.169.0.1")));
        assert!("0.0.0.0/0"
            .parse::<IpRange>()
            .unwrap()
            .contains(ip("8.8.8.8")));
        for bad in ["", "10.0.0.0/33", "proxy", "10.0.0.0/x", "fd00::/129"] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad}");
        }
    }
}
