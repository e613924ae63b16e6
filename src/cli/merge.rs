//! Flags and the `--config` file → the one [`ScanRequest`]. Pure functions: no I/O but reading the
//! config file, no terminal.

use super::args::{AuthArgs, AuthBArgs, ScanArgs};
use super::error::CliError;
use crate::request::{AuthConfig, AuthType, LoginBody, LoginContentType, ScanRequest, Secret};
use std::path::Path;

/// One authentication method of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// `--auth-bearer` / `NAT_AUTH_TOKEN`.
    Bearer,
    /// `--auth-header` / `NAT_AUTH_HEADER`.
    Header,
    /// `--auth-basic` / `NAT_AUTH_BASIC`.
    Basic,
    /// `--oauth2-*` / `NAT_OAUTH2_CLIENT_SECRET`.
    Oauth2,
    /// `--auth-login-*`, `--auth-token-*` / `NAT_AUTH_USER`, `NAT_AUTH_PASSWORD`.
    Login,
}

impl AuthMethod {
    /// The flag that names the method.
    fn flag(self) -> &'static str {
        match self {
            AuthMethod::Bearer => "--auth-bearer",
            AuthMethod::Header => "--auth-header",
            AuthMethod::Basic => "--auth-basic",
            AuthMethod::Oauth2 => "--oauth2-*",
            AuthMethod::Login => "--auth-login-*",
        }
    }

    /// The environment variable that names the method.
    fn env(self) -> &'static str {
        match self {
            AuthMethod::Bearer => "NAT_AUTH_TOKEN",
            AuthMethod::Header => "NAT_AUTH_HEADER",
            AuthMethod::Basic => "NAT_AUTH_BASIC",
            AuthMethod::Oauth2 => "NAT_OAUTH2_CLIENT_SECRET",
            AuthMethod::Login => "NAT_AUTH_PASSWORD",
        }
    }

    fn auth_type(self) -> AuthType {
        match self {
            AuthMethod::Bearer => AuthType::Bearer,
            AuthMethod::Header => AuthType::Header,
            AuthMethod::Basic => AuthType::Basic,
            AuthMethod::Oauth2 => AuthType::Oauth2,
            AuthMethod::Login => AuthType::Login,
        }
    }
}

/// Where a flag's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Typed on the command line.
    CommandLine,
    /// Taken from an environment variable.
    Env,
}

/// The clap ids of the auth flags and the method each belongs to.
const AUTH_IDS: &[(&str, AuthMethod)] = &[
    ("auth_bearer", AuthMethod::Bearer),
    ("auth_header", AuthMethod::Header),
    ("auth_basic", AuthMethod::Basic),
    ("oauth2_token_url", AuthMethod::Oauth2),
    ("oauth2_client_id", AuthMethod::Oauth2),
    ("oauth2_client_secret", AuthMethod::Oauth2),
    ("oauth2_scope", AuthMethod::Oauth2),
    ("auth_login_url", AuthMethod::Login),
    ("auth_login_user", AuthMethod::Login),
    ("auth_login_password", AuthMethod::Login),
    ("auth_login_body", AuthMethod::Login),
    ("auth_login_form", AuthMethod::Login),
    ("auth_token_pointer", AuthMethod::Login),
    ("auth_token_header", AuthMethod::Login),
    ("auth_token_prefix", AuthMethod::Login),
];

fn is_set(args: &AuthArgs, id: &str) -> bool {
    match id {
        "auth_bearer" => args.auth_bearer.is_some(),
        "auth_header" => args.auth_header.is_some(),
        "auth_basic" => args.auth_basic.is_some(),
        "oauth2_token_url" => args.oauth2_token_url.is_some(),
        "oauth2_client_id" => args.oauth2_client_id.is_some(),
        "oauth2_client_secret" => args.oauth2_client_secret.is_some(),
        "oauth2_scope" => args.oauth2_scope.is_some(),
        "auth_login_url" => args.auth_login_url.is_some(),
        "auth_login_user" => args.auth_login_user.is_some(),
        "auth_login_password" => args.auth_login_password.is_some(),
        "auth_login_body" => args.auth_login_body.is_some(),
        "auth_login_form" => args.auth_login_form,
        "auth_token_pointer" => args.auth_token_pointer.is_some(),
        "auth_token_header" => args.auth_token_header.is_some(),
        "auth_token_prefix" => args.auth_token_prefix.is_some(),
        _ => false,
    }
}

/// The methods the auth flags name, in a stable order.
pub fn auth_methods(args: &AuthArgs) -> Vec<AuthMethod> {
    let mut methods = Vec::new();
    for &(id, method) in AUTH_IDS {
        if is_set(args, id) && !methods.contains(&method) {
            methods.push(method);
        }
    }
    methods
}

fn keep_only(args: &AuthArgs, method: Option<AuthMethod>) -> AuthArgs {
    let m = |want: AuthMethod| method == Some(want);
    let login = |v: &Option<String>| v.clone().filter(|_| m(AuthMethod::Login));
    AuthArgs {
        auth_bearer: args.auth_bearer.clone().filter(|_| m(AuthMethod::Bearer)),
        auth_header: args.auth_header.clone().filter(|_| m(AuthMethod::Header)),
        auth_basic: args.auth_basic.clone().filter(|_| m(AuthMethod::Basic)),
        oauth2_token_url: args
            .oauth2_token_url
            .clone()
            .filter(|_| m(AuthMethod::Oauth2)),
        oauth2_client_id: args
            .oauth2_client_id
            .clone()
            .filter(|_| m(AuthMethod::Oauth2)),
        oauth2_client_secret: args
            .oauth2_client_secret
            .clone()
            .filter(|_| m(AuthMethod::Oauth2)),
        oauth2_scope: args.oauth2_scope.clone().filter(|_| m(AuthMethod::Oauth2)),
        auth_login_url: login(&args.auth_login_url),
        auth_login_user: login(&args.auth_login_user),
        auth_login_password: login(&args.auth_login_password),
        auth_login_body: login(&args.auth_login_body),
        auth_login_form: args.auth_login_form && m(AuthMethod::Login),
        auth_token_pointer: login(&args.auth_token_pointer),
        auth_token_header: login(&args.auth_token_header),
        auth_token_prefix: login(&args.auth_token_prefix),
    }
}

fn join_and(names: Vec<&str>) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

fn conflict(methods: &[AuthMethod], origin: Origin) -> CliError {
    match origin {
        Origin::CommandLine => CliError::input(format!(
            "{} cannot be used together: give one authentication method",
            join_and(methods.iter().map(|m| m.flag()).collect())
        )),
        Origin::Env => CliError::input(format!(
            "{} are all set: unset all but one, or choose with a flag",
            join_and(methods.iter().map(|m| m.env()).collect())
        )),
    }
}

/// Picks the one authentication method: the one typed on the command line wins over environment
/// variables (so a CI-wide `NAT_AUTH_TOKEN` does not clash with an explicit `--auth-basic`); two
/// methods from the same origin are an error. `origin` tells where each flag (by clap id) came from.
pub fn resolve_auth(
    args: &AuthArgs,
    origin: impl Fn(&str) -> Option<Origin>,
) -> Result<AuthArgs, CliError> {
    let mut typed = Vec::new();
    let mut from_env = Vec::new();
    for &(id, method) in AUTH_IDS {
        if !is_set(args, id) {
            continue;
        }
        let list = match origin(id) {
            Some(Origin::Env) => &mut from_env,
            _ => &mut typed,
        };
        if !list.contains(&method) {
            list.push(method);
        }
    }
    // A method with any typed flag is typed, even if some of its values come from the environment
    // (`--oauth2-token-url` with `NAT_OAUTH2_CLIENT_SECRET`).
    from_env.retain(|m| !typed.contains(m));
    let chosen = match (typed.as_slice(), from_env.as_slice()) {
        ([], []) => None,
        ([one], _) => Some(*one),
        ([], [one]) => Some(*one),
        ([], many) => return Err(conflict(many, Origin::Env)),
        (many, _) => return Err(conflict(many, Origin::CommandLine)),
    };
    Ok(keep_only(args, chosen))
}

/// Reads the `--config` file (`-` is stdin).
pub fn read_config(path: &Path) -> Result<String, CliError> {
    let result = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    result.map_err(|e| CliError::input(format!("--config {}: cannot read: {e}", path.display())))
}

/// Parses the text of a `--config` file (YAML or JSON, the POST /scans body). When the file has no
/// `url`, `url` (the command line's) stands in for it.
pub fn parse_config(text: &str, origin: &str, url: Option<&str>) -> Result<ScanRequest, CliError> {
    let fail = |e: String| CliError::input(format!("--config {origin}: {e}"));
    match ScanRequest::from_text(text) {
        Ok(request) => Ok(request),
        Err(first) => {
            // The one field the file may leave to the command line is `url`.
            let value: serde_yaml_ng::Value =
                crate::parse::yaml(text).map_err(|e| fail(e.to_string()))?;
            let serde_yaml_ng::Value::Mapping(mut map) = value else {
                return Err(fail(first));
            };
            let key = serde_yaml_ng::Value::from("url");
            if map.contains_key(&key) {
                return Err(fail(first));
            }
            let Some(url) = url else {
                return Err(CliError::input(format!(
                    "no target URL: give it as the URL argument or as `url` in --config {origin}"
                )));
            };
            map.insert(key, serde_yaml_ng::Value::from(url));
            serde_yaml_ng::from_value(serde_yaml_ng::Value::Mapping(map))
                .map_err(|e| fail(e.to_string()))
        }
    }
}

/// Builds the scan request: the config file's request (or the defaults), overridden by every flag
/// given. Lists (`--exclude`, `--header`, `--check`) replace the file's lists. `args.auth` must name
/// at most one method (see [`resolve_auth`]). The result is not yet validated.
pub fn build_request(
    args: &ScanArgs,
    config: Option<ScanRequest>,
) -> Result<ScanRequest, CliError> {
    let mut request = config.unwrap_or_default();
    if let Some(url) = &args.url {
        request.url = url.clone();
    }
    if request.url.is_empty() {
        return Err(CliError::input(
            "no target URL: give it as the URL argument or as `url` in a --config file",
        ));
    }
    if let Some(spec) = &args.spec {
        request.spec_url = Some(spec.clone());
        request.spec_content = None;
    }

    let o = &args.options;
    let opts = &mut request.options;
    if let Some(n) = o.concurrency {
        opts.concurrency = n;
    }
    if let Some(secs) = o.timeout {
        opts.timeout = secs;
    }
    if let Some(fail_on) = args.output.fail_on {
        opts.fail_on = fail_on.into();
    }
    if let Some(confidence) = args.output.fail_on_confidence {
        opts.fail_on_confidence = confidence.into();
    }
    if !o.exclude.is_empty() {
        opts.exclude = o.exclude.clone();
    }
    if let Some(rate) = o.rate {
        opts.rate = Some(rate);
    }
    if let Some(max) = o.max_requests {
        opts.max_requests = Some(max);
    }
    if !o.headers.is_empty() {
        opts.headers = o.headers.clone();
    }
    if let Some(proxy) = &o.proxy {
        opts.proxy = Some(proxy.clone());
    }
    if o.safe {
        opts.safety = crate::request::Safety::Safe;
    }
    if o.destructive {
        opts.safety = crate::request::Safety::Destructive;
    }
    if o.insecure {
        opts.insecure = true;
    }
    if !o.checks.is_empty() {
        opts.checks = o.checks.clone();
    }
    if o.no_noisy_checks {
        opts.noisy_checks = false;
    }
    if let Some(n) = o.burst_size {
        opts.burst_size = n;
    }
    if let Some(bind) = &o.callback_bind {
        opts.callback.bind = Some(bind.clone());
    }
    if let Some(url) = &o.callback_url {
        opts.callback.url = Some(url.clone());
    }

    request.auth = merge_auth(&args.auth, std::mem::take(&mut request.auth))?;
    if let Some(auth_b) = auth_b_from_flags(&args.auth_b, &request.auth)? {
        request.auth_b = Some(auth_b);
    }
    Ok(request)
}

/// Drops `NAT_AUTH_B_TOKEN` or `NAT_AUTH_B_PASSWORD` when another second-user method is typed: the
/// typed one wins (and the token wins over the password when both come from the environment).
pub fn resolve_auth_b(
    args: &AuthBArgs,
    bearer_from_env: bool,
    password_from_env: bool,
) -> AuthBArgs {
    let mut out = args.clone();
    let typed_other = args.auth_b_header.is_some() || args.auth_b_basic.is_some();
    let typed_login = args.auth_b_login_user.is_some()
        || (args.auth_b_login_password.is_some() && !password_from_env);
    if bearer_from_env && (typed_other || typed_login) {
        out.auth_b_bearer = None;
    }
    if password_from_env && !typed_login && (typed_other || out.auth_b_bearer.is_some()) {
        out.auth_b_login_password = None;
    }
    out
}

/// The second user's credentials from `--auth-b-*` (they replace the config file's `auth_b`);
/// `None` when no such flag is given.
fn auth_b_from_flags(args: &AuthBArgs, user: &AuthConfig) -> Result<Option<AuthConfig>, CliError> {
    let login = args.auth_b_login_user.is_some() || args.auth_b_login_password.is_some();
    let given = [
        args.auth_b_bearer.is_some(),
        args.auth_b_header.is_some(),
        args.auth_b_basic.is_some(),
        login,
    ];
    match given.iter().filter(|g| **g).count() {
        0 => return Ok(None),
        1 => {}
        _ => {
            return Err(CliError::input(
                "--auth-b-bearer, --auth-b-header, --auth-b-basic and --auth-b-login-* cannot be \
                 used together: give one authentication method for the second user",
            ))
        }
    }
    if login {
        // The first user's login flow with the second user's credentials.
        if user.effective_type() != AuthType::Login {
            return Err(CliError::input(
                "--auth-b-login-user/--auth-b-login-password need the first user to log in too \
                 (--auth-login-url, or a login `auth` in --config)",
            ));
        }
        let (Some(name), Some(password)) = (&args.auth_b_login_user, &args.auth_b_login_password)
        else {
            return Err(CliError::input(
                "the second user's login needs both --auth-b-login-user and --auth-b-login-password \
                 (or NAT_AUTH_B_PASSWORD)",
            ));
        };
        let mut auth = user.clone();
        auth.username = Some(name.clone());
        auth.password = Some(Secret::new(password.as_str()));
        return Ok(Some(auth));
    }
    let mut auth = AuthConfig::default();
    if let Some(token) = &args.auth_b_bearer {
        if token.trim().is_empty() {
            return Err(CliError::input(
                "the second user's bearer token (--auth-b-bearer, NAT_AUTH_B_TOKEN) is empty",
            ));
        }
        auth.kind = Some(AuthType::Bearer);
        auth.token = Some(Secret::new(token.as_str()));
    } else if let Some(text) = &args.auth_b_header {
        // The message never repeats the value: it is a secret.
        let (name, value) = text
            .split_once(':')
            .map(|(n, v)| (n.trim(), v.trim()))
            .filter(|(n, v)| {
                !n.is_empty() && !v.is_empty() && http::HeaderValue::from_str(v).is_ok()
            })
            .ok_or_else(|| CliError::input("--auth-b-header must be 'Name: value'"))?;
        auth.kind = Some(AuthType::Header);
        auth.header_name = Some(name.to_string());
        auth.header_value = Some(Secret::new(value));
    } else if let Some(text) = &args.auth_b_basic {
        let (user, password) = text
            .split_once(':')
            .filter(|(u, _)| !u.is_empty())
            .ok_or_else(|| CliError::input("--auth-b-basic must be 'user:password'"))?;
        auth.kind = Some(AuthType::Basic);
        auth.username = Some(user.to_string());
        auth.password = Some(Secret::new(password));
    }
    Ok(Some(auth))
}

/// The auth flags over the config's auth: same method → the flags' fields replace the file's; another
/// method → the flags' credentials replace the file's entirely; no flag → the file's auth.
fn merge_auth(args: &AuthArgs, base: AuthConfig) -> Result<AuthConfig, CliError> {
    let method = match auth_methods(args).as_slice() {
        [] => return Ok(base),
        [one] => *one,
        many => return Err(conflict(many, Origin::CommandLine)),
    };
    let mut auth = if base.effective_type() == method.auth_type() {
        base
    } else {
        AuthConfig::default()
    };
    auth.kind = Some(method.auth_type());
    match method {
        AuthMethod::Bearer => {
            let token = args.auth_bearer.as_deref().unwrap_or_default();
            if token.trim().is_empty() {
                return Err(CliError::input(
                    "the bearer token (--auth-bearer, NAT_AUTH_TOKEN) is empty",
                ));
            }
            auth.token = Some(Secret::new(token));
        }
        AuthMethod::Header => {
            let text = args.auth_header.as_deref().unwrap_or_default();
            // The message never repeats the value: it is a secret.
            let (name, value) = text
                .split_once(':')
                .map(|(n, v)| (n.trim(), v.trim()))
                .filter(|(n, v)| !n.is_empty() && !v.is_empty())
                .ok_or_else(|| {
                    CliError::input(
                        "the auth header (--auth-header, NAT_AUTH_HEADER) must be 'Name: value'",
                    )
                })?;
            if http::HeaderValue::from_str(value).is_err() {
                return Err(CliError::input(format!(
                    "the auth header (--auth-header, NAT_AUTH_HEADER): the value of `{name}` is not a valid header value"
                )));
            }
            auth.header_name = Some(name.to_string());
            auth.header_value = Some(Secret::new(value));
        }
        AuthMethod::Basic => {
            let text = args.auth_basic.as_deref().unwrap_or_default();
            let (user, password) = text
                .split_once(':')
                .filter(|(u, _)| !u.is_empty())
                .ok_or_else(|| {
                    CliError::input("the basic credentials (--auth-basic, NAT_AUTH_BASIC) must be 'user:password'")
                })?;
            auth.username = Some(user.to_string());
            auth.password = Some(Secret::new(password));
        }
        AuthMethod::Oauth2 => {
            if let Some(v) = &args.oauth2_token_url {
                auth.oauth2_token_url = Some(v.clone());
            }
            if let Some(v) = &args.oauth2_client_id {
                auth.oauth2_client_id = Some(v.clone());
            }
            if let Some(v) = &args.oauth2_client_secret {
                auth.oauth2_client_secret = Some(Secret::new(v.clone()));
            }
            if let Some(v) = &args.oauth2_scope {
                auth.oauth2_scope = Some(v.clone());
            }
        }
        AuthMethod::Login => {
            if let Some(v) = &args.auth_login_url {
                auth.login_url = Some(v.clone());
            }
            if let Some(v) = &args.auth_login_user {
                auth.username = Some(v.clone());
            }
            if let Some(v) = &args.auth_login_password {
                auth.password = Some(Secret::new(v.as_str()));
            }
            if let Some(text) = &args.auth_login_body {
                // The message never repeats the body: it may hold a secret.
                let body: serde_json::Value = serde_json::from_str(text)
                    .ok()
                    .filter(serde_json::Value::is_object)
                    .ok_or_else(|| CliError::input("--auth-login-body must be a JSON object"))?;
                auth.login_body = Some(LoginBody(body));
            }
            if args.auth_login_form {
                auth.login_content_type = Some(LoginContentType::Form);
            }
            if let Some(v) = &args.auth_token_pointer {
                auth.token_pointer = Some(v.clone());
            }
            if let Some(v) = &args.auth_token_header {
                auth.token_header = Some(v.clone());
            }
            if let Some(v) = &args.auth_token_prefix {
                auth.token_prefix = Some(v.clone());
            }
        }
    }
    Ok(auth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command, FailOnArg};
    use crate::request::FailOn;
    use clap::{CommandFactory, FromArgMatches};

    fn scan_args(argv: &[&str]) -> ScanArgs {
        let mut full = vec!["nat", "scan"];
        full.extend_from_slice(argv);
        // The environment of whoever runs the tests must not leak in.
        let cmd = Cli::command().mut_subcommand("scan", |scan| {
            [
                "auth_bearer",
                "auth_header",
                "auth_basic",
                "oauth2_client_secret",
                "auth_login_user",
                "auth_login_password",
                "auth_b_login_password",
            ]
            .into_iter()
            .fold(scan, |scan, id| scan.mut_arg(id, |a| a.env(None)))
        });
        let matches = cmd.try_get_matches_from(full).expect("parses");
        match Cli::from_arg_matches(&matches).expect("parses").command {
            Command::Scan(args) => *args,
            other => panic!("not scan: {other:?}"),
        }
    }

    fn config(text: &str) -> ScanRequest {
        parse_config(text, "test.yaml", None).expect("config parses")
    }

    #[test]
    fn defaults_without_config() {
        let req = build_request(&scan_args(&["http://127.0.0.1:1"]), None).unwrap();
        assert_eq!(req.url, "http://127.0.0.1:1");
        assert_eq!(req.options.concurrency, 5);
        assert_eq!(req.options.timeout, 30);
        assert_eq!(req.options.fail_on, FailOn::High);
        assert_eq!(req.auth.effective_type(), AuthType::None);
        req.validate().unwrap();
    }

    #[test]
    fn flags_override_config() {
        let cfg = config(
            "url: http://config.example\n\
             spec_content: e30=\n\
             options:\n  concurrency: 9\n  timeout: 10\n  fail_on: low\n  exclude: ['/a/*']\n  headers: ['X-A: 1']\n",
        );
        let args = scan_args(&[
            "http://flag.example",
            "--spec",
            "api.yaml",
            "--concurrency",
            "2",
            "--fail-on",
            "critical",
            "--exclude",
            "/b/*",
            "--check",
            "NAT-API1-BOLA",
            "--insecure",
            "--no-noisy-checks",
            "--burst-size",
            "8",
        ]);
        let req = build_request(&args, Some(cfg)).unwrap();
        assert_eq!(req.url, "http://flag.example");
        assert_eq!(req.spec_url.as_deref(), Some("api.yaml"));
        assert_eq!(req.spec_content, None, "--spec replaces spec_content");
        assert_eq!(req.options.concurrency, 2);
        assert_eq!(req.options.timeout, 10, "not given: the file's value");
        assert_eq!(req.options.fail_on, FailOn::Critical);
        assert_eq!(req.options.exclude, vec!["/b/*"]);
        assert_eq!(req.options.headers, vec!["X-A: 1"], "not given: kept");
        assert_eq!(req.options.checks, vec!["NAT-API1-BOLA"]);
        assert!(req.options.insecure);
        assert!(!req.options.noisy_checks);
        assert_eq!(req.options.burst_size, 8);
        req.validate().unwrap();
    }

    #[test]
    fn config_without_url_takes_the_positional() {
        let cfg = parse_config(
            "options: {concurrency: 3}",
            "c.yaml",
            Some("http://127.0.0.1:9"),
        )
        .unwrap();
        assert_eq!(cfg.url, "http://127.0.0.1:9");
        assert_eq!(cfg.options.concurrency, 3);
        let err = parse_config("options: {concurrency: 3}", "c.yaml", None).unwrap_err();
        assert!(err.to_string().contains("no target URL"), "{err}");
    }

    #[test]
    fn config_errors_name_the_file_and_field() {
        let err = parse_config(r#"{"url": "http://x", "optons": {}}"#, "c.json", None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("c.json") && msg.contains("optons"), "{msg}");
        let err = parse_config("options: {concurency: 3}", "c.yaml", Some("http://x")).unwrap_err();
        assert!(err.to_string().contains("concurency"), "{err}");
        let err = parse_config("url: [", "c.yaml", None).unwrap_err();
        assert!(err.to_string().starts_with("--config c.yaml: "), "{err}");
    }

    #[test]
    fn missing_url_is_an_input_error() {
        let err = build_request(&scan_args(&[]), None).unwrap_err();
        assert!(err.to_string().contains("no target URL"));
        assert_eq!(err.exit(), crate::cli::exit::Exit::Input);
    }

    #[test]
    fn headers_are_parsed() {
        let args = scan_args(&[
            "http://x",
            "--header",
            "X-Trace: 1",
            "--header",
            "X-Other:two words",
        ]);
        let req = build_request(&args, None).unwrap();
        assert_eq!(req.options.headers, vec!["X-Trace: 1", "X-Other:two words"]);
        req.validate().unwrap();
        let bad = build_request(&scan_args(&["http://x", "--header", "no colon"]), None).unwrap();
        assert!(bad.validate().unwrap_err().contains("Name: value"));
    }

    #[test]
    fn auth_flags_fill_the_request() {
        let req = build_request(&scan_args(&["http://x", "--auth-bearer", "tok"]), None).unwrap();
        assert_eq!(req.auth.kind, Some(AuthType::Bearer));
        assert_eq!(req.auth.token.as_ref().map(Secret::expose), Some("tok"));

        let req = build_request(
            &scan_args(&["http://x", "--auth-header", "X-API-Key:  k1 "]),
            None,
        )
        .unwrap();
        assert_eq!(req.auth.header_name.as_deref(), Some("X-API-Key"));
        assert_eq!(
            req.auth.header_value.as_ref().map(Secret::expose),
            Some("k1")
        );

        let req = build_request(&scan_args(&["http://x", "--auth-basic", "u:p:q"]), None).unwrap();
        assert_eq!(req.auth.username.as_deref(), Some("u"));
        assert_eq!(req.auth.password.as_ref().map(Secret::expose), Some("p:q"));
        req.validate().unwrap();
    }

    #[test]
    fn malformed_auth_does_not_echo_secrets() {
        for argv in [
            ["http://x", "--auth-header", "supersecret"],
            ["http://x", "--auth-basic", "supersecret"],
        ] {
            let err = build_request(&scan_args(&argv), None).unwrap_err();
            assert!(!err.to_string().contains("supersecret"), "{err}");
            assert_eq!(err.exit(), crate::cli::exit::Exit::Input);
        }
        assert!(build_request(&scan_args(&["http://x", "--auth-bearer", " "]), None).is_err());
    }

    #[test]
    fn auth_flags_replace_or_complete_config_auth() {
        // Same method: the flag's field over the file's, the rest kept.
        let cfg = config(
            "url: http://x\nauth: {type: oauth2, oauth2_token_url: 'http://idp/token', oauth2_client_id: app}\n",
        );
        let mut args = scan_args(&[]);
        args.auth.oauth2_client_secret = Some("from-env".into());
        let req = build_request(&args, Some(cfg)).unwrap();
        assert_eq!(req.auth.oauth2_client_id.as_deref(), Some("app"));
        assert_eq!(
            req.auth.oauth2_client_secret.as_ref().map(Secret::expose),
            Some("from-env")
        );
        req.validate().unwrap();

        // Another method: replaced entirely.
        let cfg = config("url: http://x\nauth: {type: basic, username: u, password: p}\n");
        let req = build_request(&scan_args(&["--auth-bearer", "t"]), Some(cfg)).unwrap();
        assert_eq!(req.auth.effective_type(), AuthType::Bearer);
        assert_eq!(req.auth.username, None);
        assert_eq!(req.auth.password, None);

        // No auth flag: the file's auth.
        let cfg = config("url: http://x\nauth: {type: basic, username: u, password: p}\n");
        let req = build_request(&scan_args(&[]), Some(cfg)).unwrap();
        assert_eq!(req.auth.effective_type(), AuthType::Basic);
    }

    #[test]
    fn env_token_is_used_and_typed_flags_win() {
        let from_env = |ids: &'static [&'static str]| {
            move |id: &str| {
                if ids.contains(&id) {
                    Some(Origin::Env)
                } else {
                    Some(Origin::CommandLine)
                }
            }
        };
        // NAT_AUTH_TOKEN alone: bearer.
        let args = AuthArgs {
            auth_bearer: Some("env-token".into()),
            ..Default::default()
        };
        let resolved = resolve_auth(&args, from_env(&["auth_bearer"])).unwrap();
        assert_eq!(resolved.auth_bearer.as_deref(), Some("env-token"));

        // NAT_AUTH_TOKEN and a typed --auth-basic: basic wins, the token is dropped.
        let args = AuthArgs {
            auth_bearer: Some("env-token".into()),
            auth_basic: Some("u:p".into()),
            ..Default::default()
        };
        let resolved = resolve_auth(&args, from_env(&["auth_bearer"])).unwrap();
        assert_eq!(resolved.auth_bearer, None);
        assert_eq!(resolved.auth_basic.as_deref(), Some("u:p"));

        // Typed --oauth2-token-url with NAT_OAUTH2_CLIENT_SECRET: one method, both kept.
        let args = AuthArgs {
            oauth2_token_url: Some("http://idp/token".into()),
            oauth2_client_secret: Some("s".into()),
            auth_bearer: Some("env-token".into()),
            ..Default::default()
        };
        let resolved =
            resolve_auth(&args, from_env(&["oauth2_client_secret", "auth_bearer"])).unwrap();
        assert_eq!(resolved.oauth2_client_secret.as_deref(), Some("s"));
        assert_eq!(resolved.auth_bearer, None);

        // Two typed methods, or two methods from the environment: an input error.
        let args = AuthArgs {
            auth_bearer: Some("t".into()),
            auth_basic: Some("u:p".into()),
            ..Default::default()
        };
        let err = resolve_auth(&args, |_| Some(Origin::CommandLine)).unwrap_err();
        assert!(err.to_string().contains("--auth-bearer"), "{err}");
        let err = resolve_auth(&args, |_| Some(Origin::Env)).unwrap_err();
        assert!(err.to_string().contains("NAT_AUTH_BASIC"), "{err}");
        assert!(!err.to_string().contains("u:p"));
    }

    #[test]
    fn login_flags_fill_the_request_and_user_b_shares_the_flow() {
        let args = scan_args(&[
            "http://x",
            "--auth-login-url",
            "/api/login",
            "--auth-login-user",
            "alice",
            "--auth-login-password",
            "pw-1",
            "--auth-login-body",
            r#"{"user": "{username}", "pass": "{password}", "remember": true}"#,
            "--auth-login-form",
            "--auth-token-pointer",
            "/data/jwt",
            "--auth-token-header",
            "X-Session",
            "--auth-b-login-user",
            "bob",
            "--auth-b-login-password",
            "pw-2",
        ]);
        let req = build_request(&args, None).unwrap();
        req.validate().unwrap();
        assert_eq!(req.auth.effective_type(), AuthType::Login);
        assert_eq!(req.auth.login_url.as_deref(), Some("/api/login"));
        assert_eq!(req.auth.password.as_ref().map(Secret::expose), Some("pw-1"));
        assert_eq!(req.auth.login_content_type, Some(LoginContentType::Form));
        assert_eq!(req.auth.token_pointer.as_deref(), Some("/data/jwt"));
        let b = req.auth_b.as_ref().unwrap();
        assert_eq!(b.username.as_deref(), Some("bob"));
        assert_eq!(b.login_url.as_deref(), Some("/api/login"));
        assert_eq!(b.password.as_ref().map(Secret::expose), Some("pw-2"));
        let json = serde_json::to_string(&req).unwrap();
        assert!(!json.contains("pw-1") && !json.contains("pw-2"), "{json}");

        let err = build_request(
            &scan_args(&[
                "http://x",
                "--auth-bearer",
                "t",
                "--auth-b-login-user",
                "bob",
            ]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("first user to log in"), "{err}");
        let err = build_request(
            &scan_args(&[
                "http://x",
                "--auth-login-url",
                "/l",
                "--auth-login-body",
                "[1]",
            ]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("JSON object"), "{err}");
        // A literal secret in the body template is redacted when the request is shown.
        let req = build_request(
            &scan_args(&[
                "http://x",
                "--auth-login-url",
                "http://idp/login",
                "--auth-login-body",
                r#"{"client_secret": "cs-literal", "grant_type": "password"}"#,
            ]),
            None,
        )
        .unwrap();
        req.validate().unwrap();
        let json = serde_json::to_string(&req).unwrap();
        assert!(
            !json.contains("cs-literal") && json.contains("grant_type"),
            "{json}"
        );
    }

    #[test]
    fn fail_on_none_maps() {
        assert_eq!(FailOn::from(FailOnArg::None), FailOn::None);
        let req = build_request(&scan_args(&["http://x", "--fail-on", "none"]), None).unwrap();
        assert_eq!(req.options.fail_on, FailOn::None);
    }
}
