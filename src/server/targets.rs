//! Which hosts the server may contact on a user's behalf (`url`, `spec_url`, the OAuth2 token URL, a
//! proxy). Cloud metadata and link-local addresses are always refused; private and loopback addresses
//! are allowed unless the config says otherwise; `allow_targets` restricts further when set.
//!
//! Host names are resolved and every address checked when a scan is created and again when it starts;
//! during the scan the same rules, `allow_targets` included, apply to every connection (see the
//! `AddressPolicy` impl), so redirects, `$ref`ed documents, an OAuth2 token endpoint and DNS rebinding
//! cannot reach a refused address or a target outside the allow-list either.

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
    /// The host parts of `allow`, for the resolver (which sees only a name); `None` when a pattern's
    /// host part cannot be told (e.g. `*/api/*`), so names are not refused before the URL check.
    allow_hosts: Option<GlobSet>,
    allow_loopback: bool,
    allow_private: bool,
}

/// The host part of an allow pattern: the pattern itself (`*.example.com`), before `:port`
/// (`127.0.0.1:8080`), or the authority of a URL pattern (`https://api.example.com:*/v1/*`). `None`
/// when it cannot be told (a URL glob without `://`, IPv6, user info).
fn host_glob(pattern: &str) -> Option<&str> {
    let rest = match pattern.find("://") {
        Some(at) => &pattern[at + 3..],
        None if pattern.contains('/') => return None,
        None => pattern,
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains(['@', '[', ']']) {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, _)) if host.contains(':') => return None,
        Some((host, _)) => host,
        None => authority,
    };
    (!host.is_empty()).then_some(host)
}

/// A URL for a message: without user info, query or fragment (they may carry secrets).
fn shown_url(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// A host as the patterns see it: lower case, without a trailing dot.
fn normal_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

impl TargetGuard {
    /// Builds the guard; a bad glob in `allow_targets` is an error naming it.
    pub fn new(
        allow_targets: &[String],
        allow_loopback: bool,
        allow_private: bool,
    ) -> Result<Self, String> {
        let set = |patterns: &[&str]| -> Result<GlobSet, String> {
            let mut b = GlobSetBuilder::new();
            for p in patterns {
                b.add(Glob::new(p).map_err(|e| format!("allow_targets `{p}`: {e}"))?);
            }
            b.build().map_err(|e| format!("allow_targets: {e}"))
        };
        let patterns: Vec<&str> = allow_targets.iter().map(String::as_str).collect();
        let (allow, allow_hosts) = if patterns.is_empty() {
            (None, None)
        } else {
            let hosts: Option<Vec<&str>> = patterns.iter().map(|p| host_glob(p)).collect();
            (Some(set(&patterns)?), hosts.map(|h| set(&h)).transpose()?)
        };
        Ok(TargetGuard {
            allow,
            allow_hosts,
            allow_loopback,
            allow_private,
        })
    }

    /// The URLs a scan request makes the server contact besides those found during the scan: the
    /// target, the description, the OAuth2 token endpoints and login URLs, the proxy.
    pub fn request_urls(req: &crate::request::ScanRequest) -> Vec<(String, &str)> {
        let mut out = vec![("url".to_string(), req.url.as_str())];
        if let Some(spec_url) = &req.spec_url {
            out.push(("spec_url".into(), spec_url));
        }
        for (at, auth) in req.auth_configs() {
            if let Some(token_url) = &auth.oauth2_token_url {
                out.push((format!("{at}.oauth2_token_url"), token_url));
            }
            // A relative login URL is resolved against the target, already checked.
            if let Some(login_url) = auth.login_url.as_ref().filter(|u| !u.starts_with('/')) {
                out.push((format!("{at}.login_url"), login_url));
            }
        }
        if let Some(proxy) = &req.options.proxy {
            out.push(("options.proxy".into(), proxy));
        }
        out
    }

    /// The rules that need no DNS: metadata host names and `allow_targets`. `what` names the URL.
    fn check_listed(&self, what: &str, url: &url::Url) -> Result<String, String> {
        let host = match url.host() {
            Some(url::Host::Domain(d)) => normal_host(d),
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
                    "{what}: {host_port} is not among the server's allowed targets (--allow-target)"
                ));
            }
        }
        Ok(host)
    }

    /// Checks one http(s) URL the server would contact; `what` names it in the message.
    pub async fn check(&self, what: &str, raw: &str) -> Result<(), String> {
        let url =
            url::Url::parse(raw).map_err(|e| format!("{what} `{raw}` is not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{what} must be an http or https URL"));
        }
        let host = self.check_listed(what, &url)?;
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

/// The same rules at connect time, for every connection of a scan the server runs (the target, the
/// description and every `$ref`ed document, OAuth2 token endpoints, redirects, re-resolved names):
/// addresses in the resolver, `allow_targets` on every request URL and, by host, in the resolver too.
impl crate::http::guard::AddressPolicy for TargetGuard {
    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        TargetGuard::check_ip(self, "connection", host, ip)
    }

    fn check_target(&self, url: &url::Url) -> Result<(), String> {
        let shown = format!("connection to {}", shown_url(url));
        self.check_listed(&shown, url).map(|_| ())
    }

    fn check_host(&self, host: &str) -> Result<(), String> {
        let host = normal_host(host);
        if METADATA_HOSTS.contains(&host.as_str()) {
            return Err(format!(
                "connection: {host} is a cloud metadata service; the server never contacts it"
            ));
        }
        match &self.allow_hosts {
            Some(hosts) if !hosts.is_match(&host) => Err(format!(
                "connection: {host} is not among the server's allowed targets (--allow-target)"
            )),
            _ => Ok(()),
        }
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

    #[test]
    fn host_part_of_allow_patterns() {
        assert_eq!(
            host_glob("*.staging.example.com"),
            Some("*.staging.example.com")
        );
        assert_eq!(host_glob("127.0.0.1:8080"), Some("127.0.0.1"));
        assert_eq!(
            host_glob("https://api.example.com:*/v1/*"),
            Some("api.example.com")
        );
        assert_eq!(host_glob("http://*"), Some("*"));
        assert_eq!(host_glob("*/api/*"), None);
        assert_eq!(host_glob("::1"), None);
        assert_eq!(host_glob("http://[::1]:80/"), None);
    }

    #[test]
    fn allow_targets_apply_to_every_connection() {
        use crate::http::guard::AddressPolicy;
        let url = |u: &str| url::Url::parse(u).unwrap();
        let g = TargetGuard::new(&["127.0.0.1:8080".into()], true, true).unwrap();
        assert!(g.check_target(&url("http://127.0.0.1:8080/a.json")).is_ok());
        let e = g
            .check_target(&url("http://u:pw@127.0.0.1:9090/ref.json?key=s3cret"))
            .unwrap_err();
        assert!(e.contains("127.0.0.1:9090 is not among"), "{e}");
        assert!(!e.contains("s3cret") && !e.contains("pw"), "{e}");
        assert!(g.check_host("127.0.0.1").is_ok());
        assert!(g.check_host("localhost").is_err());
        assert!(g.check_host("metadata.google.internal.").is_err());
        let by_url = TargetGuard::new(&["*/v1/*".into()], true, true).unwrap();
        assert!(
            by_url.check_host("anything.example").is_ok(),
            "host unknown: left to the URL check"
        );
        assert!(by_url.check_target(&url("http://h.example/v1/x")).is_ok());
        assert!(by_url.check_target(&url("http://h.example/v2/x")).is_err());
        let open = TargetGuard::new(&[], true, true).unwrap();
        assert!(open.check_host("localhost").is_ok());
        assert!(open.check_target(&url("http://127.0.0.1:1/")).is_ok());
    }
}
