//! In-band injections beyond SQL (issue 11), each simulated, never real:
//!
//! - `GET /{vuln,fixed}/greetings?name=` answers `{"greeting": "Hello, NAME!"}`. The vulnerable twin
//!   builds its template from the name, and its tiny engine evaluates `{{ <int> * <int> }}` (the only
//!   thing it knows; there is no real template engine here); the fixed twin shows the name as text.
//! - `GET /{vuln,fixed}/files?filename=` reads a file of a fake store rooted at `/srv/files`. The
//!   vulnerable twin resolves `..` and absolute paths, so `../../etc/passwd` reaches a fake
//!   `/etc/passwd` (the real filesystem is never read); the fixed twin refuses `..`, separators at
//!   the start and backslashes.
//! - `GET /{vuln,fixed}/pages/search?q=` is an HTML page repeating the query: raw in the vulnerable
//!   twin (reflected XSS), HTML-escaped in the fixed one.

use http::{Method, StatusCode};
use serde_json::json;

use super::routes::{
    authed, bad_request, json_resp, query_param, with_methods, with_type, Req, Resp, RouteGroup,
    State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("inband.json"),
};

/// Longest name, file name or query accepted.
const MAX_INPUT: usize = 200;

/// The fake filesystem: absolute path and contents.
const FILES: &[(&str, &str)] = &[
    (
        "/srv/files/welcome.txt",
        "Welcome to the nat demo file store.\n",
    ),
    ("/srv/files/notes/todo.txt", "Water the plants.\n"),
    (
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
         demo:x:1000:1000:nat demo:/home/demo:/bin/sh\n",
    ),
    ("/etc/hostname", "nat-demo\n"),
];

/// The store's root.
const ROOT: &str = "/srv/files";

fn handle(_state: &State, req: &Req, path: &str) -> Option<Resp> {
    let (vulnerable, route) = match path.split_once('/')? {
        ("vuln", route) => (true, route),
        ("fixed", route) => (false, route),
        _ => return None,
    };
    let answer: fn(&Req, bool) -> Resp = match route {
        "greetings" => greeting,
        "files" => file,
        "pages/search" => search_page,
        _ => return None,
    };
    Some(with_methods(req, &[Method::GET], || {
        authed(req, |_| answer(req, vulnerable))
    }))
}

/// The value of a required query parameter of at most [`MAX_INPUT`] characters, or why not.
fn input(req: &Req, name: &str) -> Result<String, String> {
    match query_param(req, name) {
        Some(v) if v.chars().count() <= MAX_INPUT => Ok(v),
        Some(_) => Err(format!("{name} must be at most {MAX_INPUT} characters.")),
        None => Err(format!("The query parameter {name} is required.")),
    }
}

fn greeting(req: &Req, vulnerable: bool) -> Resp {
    let name = match input(req, "name") {
        Ok(name) => name,
        Err(why) => return bad_request(&why),
    };
    let greeting = if vulnerable {
        // VULNERABLE: the name becomes part of the template's source.
        render(&format!("Hello, {name}!"))
    } else {
        // FIXED: the name is data, shown as written.
        format!("Hello, {name}!")
    };
    json_resp(StatusCode::OK, &json!({ "greeting": greeting }))
}

/// The demo's whole "template engine": each `{{ A * B }}` with two integers becomes their product;
/// anything else stays as written.
fn render(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match product(&after[..end]) {
            Some(p) => out.push_str(&p.to_string()),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `A * B` (spaces allowed) with two unsigned integers: their product, unless it overflows.
fn product(expression: &str) -> Option<u64> {
    let (a, b) = expression.split_once('*')?;
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    number(a)?.checked_mul(number(b)?)
}

fn file(req: &Req, vulnerable: bool) -> Resp {
    let filename = match input(req, "filename") {
        Ok(name) => name,
        Err(why) => return bad_request(&why),
    };
    let path = if vulnerable {
        // VULNERABLE: the name is joined to the root and `..` resolved, past the root too.
        resolve(&filename)
    } else {
        // FIXED: a name inside the store only.
        if filename.is_empty()
            || filename.contains("..")
            || filename.starts_with('/')
            || filename.contains('\\')
        {
            return bad_request("filename must name a file of the store.");
        }
        format!("{ROOT}/{filename}")
    };
    match FILES.iter().find(|(p, _)| *p == path) {
        Some((_, content)) => json_resp(
            StatusCode::OK,
            &json!({"filename": filename, "content": content}),
        ),
        None => json_resp(StatusCode::NOT_FOUND, &json!({"detail": "no such file"})),
    }
}

/// The absolute path a name reaches from [`ROOT`], `.` and `..` resolved (`..` at `/` stays there).
fn resolve(name: &str) -> String {
    let joined = if name.starts_with('/') {
        name.to_string()
    } else {
        format!("{ROOT}/{name}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

fn search_page(req: &Req, vulnerable: bool) -> Resp {
    let q = match input(req, "q") {
        Ok(q) => q,
        Err(why) => return bad_request(&why),
    };
    // VULNERABLE: the query goes into the page as written. FIXED: HTML-escaped.
    let shown = if vulnerable { q } else { escape_html(&q) };
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Search</title></head>\
         <body><h1>Results for {shown}</h1><p>No products match.</p></body></html>\n"
    );
    with_type(StatusCode::OK, "text/html; charset=utf-8", page.into())
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::HeaderMap;

    fn get(path: &str, query: &str) -> Resp {
        let mut headers = HeaderMap::new();
        let token = format!("Bearer {}", super::super::user_token());
        headers.insert(http::header::AUTHORIZATION, token.parse().unwrap());
        let req = Req {
            method: Method::GET,
            path: format!("/api/v1/{path}"),
            query: query.into(),
            headers,
            body: Bytes::new(),
        };
        handle(&State::new().unwrap(), &req, path).unwrap()
    }

    fn text(resp: &Resp) -> String {
        String::from_utf8_lossy(resp.body()).into_owned()
    }

    #[test]
    fn the_vulnerable_greeting_evaluates_products_only() {
        assert_eq!(render("Hello, {{ 12 * 3 }}!"), "Hello, 36!");
        assert_eq!(render("{{1234*5678}}{{x}}"), "7006652{{x}}");
        assert_eq!(render("{{ 9 }} {{ 1*2"), "{{ 9 }} {{ 1*2");
        assert_eq!(
            render("{{99999999999*99999999999}}"),
            "{{99999999999*99999999999}}"
        );
        let vuln = get("vuln/greetings", "name=%7B%7B7*6%7D%7D");
        assert_eq!(text(&vuln), r#"{"greeting":"Hello, 42!"}"#);
        let fixed = get("fixed/greetings", "name=%7B%7B7*6%7D%7D");
        assert_eq!(text(&fixed), r#"{"greeting":"Hello, {{7*6}}!"}"#);
    }

    #[test]
    fn only_the_vulnerable_file_store_leaves_its_root() {
        assert_eq!(resolve("../../../../etc/passwd"), "/etc/passwd");
        assert_eq!(resolve("/etc/passwd"), "/etc/passwd");
        assert_eq!(resolve("notes/./todo.txt"), "/srv/files/notes/todo.txt");
        let ok = get("fixed/files", "filename=welcome.txt");
        assert_eq!(ok.status(), StatusCode::OK);
        assert!(text(&ok).contains("Welcome"));
        let leak = get("vuln/files", "filename=..%2F..%2F..%2Fetc%2Fpasswd");
        assert!(text(&leak).contains("root:x:0:0:"), "{}", text(&leak));
        for name in [
            "..%2F..%2F..%2Fetc%2Fpasswd",
            "%2Fetc%2Fpasswd",
            "..%5Cwin.ini",
        ] {
            let refused = get("fixed/files", &format!("filename={name}"));
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{name}");
        }
        let missing = get("vuln/files", "filename=..%2F..%2F..%2Fetc%2Fnope");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn only_the_vulnerable_page_repeats_markup() {
        let vuln = get("vuln/pages/search", "q=%3Cb%3Ehi%3C%2Fb%3E");
        assert_eq!(vuln.headers()["content-type"], "text/html; charset=utf-8");
        assert!(text(&vuln).contains("Results for <b>hi</b>"));
        let fixed = get("fixed/pages/search", "q=%3Cb%3Ehi%3C%2Fb%3E%22");
        assert!(text(&fixed).contains("Results for &lt;b&gt;hi&lt;/b&gt;&quot;"));
    }
}
