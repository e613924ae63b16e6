//! URLs the server fetches (API7 SSRF): `POST /{vuln,fixed}/webhooks/test` sends a test delivery to
//! `callback_url` and says whether it arrived (blind: the content is not passed on);
//! `GET /{vuln,fixed}/link-preview?url=` fetches a page and answers its first bytes (in band). The
//! vulnerable twins fetch whatever URL they are given; the fixed twins accept only
//! `https://hooks.example.com/…` and fetch nothing in the demo.
//!
//! The demo never reaches beyond this machine: the vulnerable twins fetch only loopback URLs
//! (127.0.0.1, `localhost`, the decimal `2130706433`), with short deadlines, and answer "not
//! delivered" for every other host.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{
    authed, bad_request, json_body, json_resp, query_param, with_methods, Req, Resp, RouteGroup,
    State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("webhooks.json"),
};

/// The only host the fixed twins accept.
const ALLOWED: &str = "hooks.example.com";
/// Most bytes read from a fetched page.
const MAX_READ: usize = 4096;

fn handle(_state: &State, req: &Req, path: &str) -> Option<Resp> {
    let (vulnerable, what) = match path.split_once('/')? {
        ("vuln", w) => (true, w),
        ("fixed", w) => (false, w),
        _ => return None,
    };
    match what {
        "webhooks/test" => Some(with_methods(req, &[Method::POST], || {
            authed(req, |_| {
                let url = json_body(req).and_then(|b| {
                    b.get("callback_url")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
                let Some(url) = url else {
                    return bad_request("`callback_url` must be a string.");
                };
                if !vulnerable {
                    return match allowed(&url) {
                        true => json_resp(StatusCode::ACCEPTED, &json!({"queued": true})),
                        false => {
                            bad_request("`callback_url` must be an https URL on hooks.example.com.")
                        }
                    };
                }
                // VULNERABLE: fetches the URL it was given.
                match fetch(&url) {
                    Some((status, _)) => json_resp(
                        StatusCode::OK,
                        &json!({"delivered": true, "status": status}),
                    ),
                    None => json_resp(StatusCode::OK, &json!({"delivered": false})),
                }
            })
        })),
        "link-preview" => Some(with_methods(req, &[Method::GET], || {
            authed(req, |_| {
                let Some(url) = query_param(req, "url") else {
                    return bad_request("`url` is required.");
                };
                if !vulnerable {
                    return match allowed(&url) {
                        true => json_resp(
                            StatusCode::OK,
                            &json!({"title": "Example hook", "snippet": ""}),
                        ),
                        false => bad_request("`url` must be an https URL on hooks.example.com."),
                    };
                }
                // VULNERABLE: fetches the URL and passes its content on.
                match fetch(&url) {
                    Some((_, body)) => json_resp(
                        StatusCode::OK,
                        &json!({"title": "Preview", "snippet": body.chars().take(200).collect::<String>()}),
                    ),
                    None => json_resp(StatusCode::OK, &json!({"title": "", "snippet": ""})),
                }
            })
        })),
        _ => None,
    }
}

/// The fixed twins' allow-list: https on [`ALLOWED`] only, no user info.
fn allowed(raw: &str) -> bool {
    url::Url::parse(raw).is_ok_and(|u| {
        u.scheme() == "https" && u.host_str() == Some(ALLOWED) && u.username().is_empty()
    })
}

/// A GET of a loopback `http://` URL, with short deadlines: the status and the body's first
/// bytes. `None` for any other URL (the demo reaches nothing beyond this machine) or a failure.
pub(super) fn fetch(raw: &str) -> Option<(u16, String)> {
    let url = url::Url::parse(raw).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    let addr: SocketAddr = (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .ok()?
        .find(|a| is_loopback(a.ip()))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(1)))
        .ok()?;
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: nat-demo-webhooks\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    let _ = Read::by_ref(&mut stream)
        .take(MAX_READ as u64)
        .read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

fn is_loopback(ip: IpAddr) -> bool {
    ip.is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_allow_list_and_the_loopback_only_fetch() {
        assert!(allowed("https://hooks.example.com/nat"));
        assert!(!allowed("http://hooks.example.com/nat"));
        assert!(!allowed("https://nat@hooks.example.com/"));
        assert!(!allowed("http://127.0.0.1:9/x"));
        // Nothing beyond this machine is ever fetched.
        assert!(fetch("http://192.0.2.1/").is_none());
        assert!(fetch("https://127.0.0.1/").is_none());
    }
}
