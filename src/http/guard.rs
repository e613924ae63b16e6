//! Where nat may connect, for scans run on someone else's behalf (the team server): a policy on the
//! addresses themselves and on the URLs, enforced when connecting — every host name is resolved through
//! a resolver that refuses names and drops addresses the policy refuses, and every request URL (and
//! each redirect hop) is checked before it is sent — so neither a redirect, a `$ref` in a fetched
//! description nor DNS rebinding reaches a refused address or a target the operator did not allow.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Which addresses (and, optionally, which URLs and host names) may be contacted.
pub trait AddressPolicy: Send + Sync + std::fmt::Debug {
    /// `Err(reason)` when nat must not connect to `ip` (reached through `host`).
    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), String>;

    /// `Err(reason)` when nat must not send a request to `url` at all (an allow-list of targets).
    /// Checked by [`check_url`], before every request of a scan and every redirect hop.
    fn check_target(&self, _url: &url::Url) -> Result<(), String> {
        Ok(())
    }

    /// `Err(reason)` when nat must not even resolve `host`. Checked by [`GuardedResolver`] for every
    /// connection by name, whatever code made it; a necessary condition of [`Self::check_target`].
    fn check_host(&self, _host: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A shared policy.
pub type Policy = Arc<dyn AddressPolicy>;

/// Checks a URL before it is sent: the policy's target rules, then the address when the host is a
/// literal (those never go through the resolver).
pub fn check_url(policy: &dyn AddressPolicy, url: &url::Url) -> Result<(), String> {
    policy.check_target(url)?;
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    policy.check_ip(&ip.to_string(), ip)
}

/// A DNS resolver that returns only the addresses the policy allows.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Policy,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: Policy) -> Self {
        GuardedResolver { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            policy.check_host(&host)?;
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.check_ip(&host, a.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refused = Some(e);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let reason = refused.unwrap_or_else(|| format!("{host} resolves to no address"));
                return Err(reason.into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// A client builder with the policy applied: guarded resolver, and redirects checked hop by hop.
pub fn apply(
    builder: reqwest::ClientBuilder,
    policy: &Policy,
    max_redirects: usize,
) -> reqwest::ClientBuilder {
    let for_redirects = policy.clone();
    builder
        .dns_resolver(Arc::new(GuardedResolver::new(policy.clone())))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error(format!("more than {max_redirects} redirects"));
            }
            match check_url(for_redirects.as_ref(), attempt.url()) {
                Ok(()) if max_redirects > 0 => attempt.follow(),
                Ok(()) => attempt.stop(),
                Err(e) => attempt.error(e),
            }
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refuses loopback: the only addresses tests may use, so nothing is ever sent anywhere else.
    #[derive(Debug)]
    struct NoLoopback;
    impl AddressPolicy for NoLoopback {
        fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), String> {
            if ip.is_loopback() {
                Err(format!("{host} ({ip}) is refused"))
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test]
    async fn refused_addresses_never_connect() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let policy: Policy = Arc::new(NoLoopback);
        let client = apply(reqwest::Client::builder().no_proxy(), &policy, 5)
            .build()
            .unwrap();
        // A name resolving to loopback only.
        let err = client
            .get(format!("http://localhost:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(format!("{err:?}").contains("refused"), "{err:?}");
        // An address literal is the caller's to check.
        let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        assert!(check_url(policy.as_ref(), &url).is_err());
        // Nothing reached the listener.
        assert!(listener.accept().is_err());
    }

    /// Allows loopback addresses, but only port `port` by URL and only `127.0.0.1` by name.
    #[derive(Debug)]
    struct OnlyPort(u16);
    impl AddressPolicy for OnlyPort {
        fn check_ip(&self, _: &str, _: IpAddr) -> Result<(), String> {
            Ok(())
        }
        fn check_target(&self, url: &url::Url) -> Result<(), String> {
            match url.port() == Some(self.0) {
                true => Ok(()),
                false => Err(format!("{url} is not allowed")),
            }
        }
        fn check_host(&self, host: &str) -> Result<(), String> {
            match host == "127.0.0.1" {
                true => Ok(()),
                false => Err(format!("{host} is not allowed")),
            }
        }
    }

    #[tokio::test]
    async fn target_rules_apply_to_urls_and_names() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let policy: Policy = Arc::new(OnlyPort(port));
        let ok = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        let other = url::Url::parse(&format!("http://127.0.0.1:{}/", port ^ 1)).unwrap();
        assert!(check_url(policy.as_ref(), &ok).is_ok());
        assert!(check_url(policy.as_ref(), &other).is_err());
        // A name the policy refuses is not even resolved, whatever code sends the request.
        let client = apply(reqwest::Client::builder().no_proxy(), &policy, 5)
            .build()
            .unwrap();
        let err = client
            .get(format!("http://localhost:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(format!("{err:?}").contains("not allowed"), "{err:?}");
        assert!(listener.accept().is_err());
    }
}
