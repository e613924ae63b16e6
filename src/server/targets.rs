//! Which hosts the server may contact on a user's behalf (`url`, `spec_url`, the OAuth2 token URL, a
//! proxy). Cloud metadata and link-local addresses are always refused; private and loopback addresses
//! are allowed unless the config says otherwise; `allow_targets` restricts further when set.
//!
//! Host names are resolved and every address checked when a scan is created and again when it starts;
//! during the scan the same address rules apply to every connection (see the `AddressPolicy` impl), so
//! redirects, `$ref`ed documents and DNS rebinding cannot reach a refused address either.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Host names of cloud metadata services.
const METADATA_HOSTS: &[&str] = &[
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.internal",
    "metadata.tencentyun.com",
];

/// Addresses of metadata services outside link-local ranges.
const METADATA_IPS: &[IpAddr] = &[
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)), // Alibaba Cloud
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),   // Azure wire server
    IpAddr::V4(Ipv4Addr::new(192, 0, 0, 192)),     // Oracle Cloud (classic)
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)), // AWS IMDS over IPv6
];

/// The policy.
#[derive(Clone, Debug)]
pub struct TargetGuard {
    allow: Option<GlobSet>,
    allow_loopback: bool,
    allow_private: bool,
}

impl TargetGuard {
    /// Builds the guard; a bad glob in `allow_targets` is an error naming it.
    pub fn new(
        allow_targets: &[String],
        allow_loopback: bool,
        allow_private: bool,
    ) -> Result<Self, String> {
        let allow = if allow_targets.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in allow_targets {
                b.add(Glob::new(p).map_err(|e| format!("allow_targets `{p}`: {e}"))?);
            }
            Some(b.build().map_err(|e| format!("allow_targets: {e}"))?)
        };
        Ok(TargetGuard {
            allow,
            allow_loopback,
            allow_private,
        })
    }

    /// Checks one http(s) URL the server would contact; `what` names it in the message.
    pub async fn check(&self, what: &str, raw: &str) -> Result<(), String> {
        let url =
            url::Url::parse(raw).map_err(|e| format!("{what} `{raw}` is not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{what} must be an http or https URL"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(format!("{what} has no host")),
        };
        if METADATA_HOSTS.contains(&host.as_str()) {
            return Err(format!(
                "{what}: {host} is a cloud metadata service; the server never contacts it"
            ));
        }
        if let Some(allow) = &self.allow {
            let port = url.port_or_known_default().unwrap_or(0);
            let host_port = format!("{host}:{port}");
            if !(allow.is_match(&host)
                || allow.is_match(&host_port)
                || allow.is_match(url.as_str()))
            {
                return Err(format!(
                    "{what}: {host} is not among the server's allowed targets"
                ));
            }
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<IpAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
            Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
            _ => tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|e| format!("{what}: cannot resolve {host}: {e}"))?
                .map(|a| a.ip())
                .collect(),
        };
        if addrs.is_empty() {
            return Err(format!("{what}: {host} resolves to no address"));
        }
        for ip in addrs {
            self.check_ip(what, &host, ip)?;
        }
        Ok(())
    }

    fn check_ip(&self, what: &str, host: &str, ip: IpAddr) -> Result<(), String> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        let refuse = |why: &str| {
            Err(format!(
                "{what}: {host} ({ip}) is {why}; the server refuses it"
            ))
        };
        if METADATA_IPS.contains(&ip) {
            return refuse("a cloud metadata address");
        }
        match ip {
            IpAddr::V4(v4) => {
                let o = v4.octets();
                if v4.is_link_local() {
                    return refuse("a link-local address (cloud metadata lives there)");
                }
                if v4.is_unspecified() || o[0] == 0 || v4.is_broadcast() || v4.is_multicast() {
                    return refuse("not a unicast host address");
                }
                if v4.is_loopback() && !self.allow_loopback {
                    return refuse("a loopback address");
                }
                let cgnat = o[0] == 100 && (64..128).contains(&o[1]);
                if (v4.is_private() || cgnat) && !self.allow_private {
                    return refuse("a private address");
                }
            }
            IpAddr::V6(v6) => {
                let s = v6.segments();
                if (s[0] & 0xffc0) == 0xfe80 {
                    return refuse("a link-local address");
                }
                if v6.is_unspecified() || v6.is_multicast() {
                    return refuse("not a unicast host address");
                }
                if v6.is_loopback() && !self.allow_loopback {
                    return refuse("a loopback address");
                }
                if (s[0] & 0xfe00) == 0xfc00 && !self.allow_private {
                    return refuse("a private address");
                }
            }
        }
        Ok(())
    }
}

/// The same address rules at connect time, for every connection of a scan the server runs (redirects,
/// `$ref`ed documents, re-resolved names). The `allow_targets` patterns are checked on the scan's URLs
/// when it is created and started, not per connection.
impl crate::http::guard::AddressPolicy for TargetGuard {
    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        TargetGuard::check_ip(self, "connection", host, ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn metadata_and_link_local_are_refused_loopback_allowed() {
        let g = TargetGuard::new(&[], true, true).unwrap();
        for bad in [
            "http://169.254.169.254/latest/meta-data",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://100.100.100.200/",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[fd00:ec2::254]/",
            "http://0.0.0.0:8080/",
            "file:///etc/passwd",
        ] {
            assert!(g.check("url", bad).await.is_err(), "{bad} allowed");
        }
        assert!(g.check("url", "http://127.0.0.1:9/").await.is_ok());
        assert!(g.check("url", "http://localhost:9/").await.is_ok());
        let strict = TargetGuard::new(&[], false, false).unwrap();
        assert!(strict.check("url", "http://127.0.0.1:9/").await.is_err());
        assert!(strict.check("url", "http://10.1.2.3/").await.is_err());
        let listed = TargetGuard::new(&["127.0.0.1".into()], true, true).unwrap();
        assert!(listed.check("url", "http://127.0.0.1:9/").await.is_ok());
        assert!(listed.check("url", "http://localhost:9/").await.is_err());
    }
}
