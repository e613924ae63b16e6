//! A network tool that runs a command line (OS command injection): `POST /{vuln,fixed}/tools/ping`
//! takes `{"host"}` and answers the output of `ping -c 1 <host>`. Nothing here runs a real shell.
//! The vulnerable twin *simulates* one: it splits the line at `;`, `|`, `&&`, `||` and newlines and
//! expands `$( )` and backquotes, "pings" the host, and of the other commands runs only `curl URL`
//! and `wget … URL`, as a loopback-only fetch (`webhooks::fetch`); every other command is
//! "not found". The fixed twin accepts a host name or address only, and runs nothing either.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{
    authed, bad_request, json_body, json_resp, with_methods, Req, Resp, RouteGroup, State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("tools.json"),
};

/// Most commands of one simulated line.
const MAX_COMMANDS: usize = 8;

fn handle(_state: &State, req: &Req, path: &str) -> Option<Resp> {
    let vulnerable = match path {
        "vuln/tools/ping" => true,
        "fixed/tools/ping" => false,
        _ => return None,
    };
    Some(with_methods(req, &[Method::POST], || {
        authed(req, |_| {
            let host = json_body(req)
                .and_then(|b| b.get("host").and_then(Value::as_str).map(str::to_string));
            let Some(host) = host.filter(|h| !h.is_empty() && h.len() <= 1000) else {
                return bad_request("`host` must be a string of 1 to 1000 characters.");
            };
            if !vulnerable {
                // FIXED: a host name or an address, nothing else; and no shell at all.
                let valid = host.len() <= 253
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
                if !valid {
                    return bad_request("`host` must be a host name or an IP address.");
                }
                return json_resp(StatusCode::OK, &json!({"output": ping_output(&host)}));
            }
            // VULNERABLE: `ping -c 1 {host}` through a (simulated) shell.
            json_resp(
                StatusCode::OK,
                &json!({"output": shell(&format!("ping -c 1 {host}"))}),
            )
        })
    }))
}

fn ping_output(host: &str) -> String {
    format!("PING {host}: 1 packets transmitted, 1 received, 0% packet loss")
}

/// The simulated shell: the output of each command of `line`.
fn shell(line: &str) -> String {
    let mut commands: Vec<String> = Vec::new();
    let mut rest = line.to_string();
    // Substitutions first: `$(…)` and `…` run as commands of their own.
    for (open, close) in [("$(", ")"), ("`", "`")] {
        while let Some(start) = rest.find(open) {
            let after = start + open.len();
            let Some(len) = rest[after..].find(close) else {
                break;
            };
            commands.push(rest[after..after + len].to_string());
            rest.replace_range(start..after + len + close.len(), "");
        }
    }
    for sep in ["&&", "||", ";", "|", "\n"] {
        rest = rest.replace(sep, "\u{0}");
    }
    let mut line_commands: Vec<String> = rest.split('\u{0}').map(str::to_string).collect();
    line_commands.extend(commands);
    line_commands
        .iter()
        .take(MAX_COMMANDS)
        .map(|c| run(c.trim()))
        .filter(|o| !o.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        [] => String::new(),
        ["ping", "-c", "1", host, ..] => ping_output(host),
        ["curl", .., url] | ["wget", .., url] => match super::webhooks::fetch(url) {
            Some((_, body)) => body,
            None => format!("{}: could not fetch {url}", words[0]),
        },
        [name, ..] => format!("sh: {name}: not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulated_shell_splits_and_substitutes() {
        assert_eq!(shell("ping -c 1 10.0.0.1"), ping_output("10.0.0.1"));
        let out = shell("ping -c 1 h;id");
        assert!(out.contains("sh: id: not found"), "{out}");
        let out = shell("ping -c 1 h$(whoami)");
        assert!(out.contains("sh: whoami: not found"), "{out}");
        // Only loopback URLs are ever fetched.
        assert!(shell("ping -c 1 h|curl http://192.0.2.1/").contains("could not fetch"));
    }
}
