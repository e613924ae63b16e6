
use builtin;
use str;

set edit:completion:arg-completer[nat] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'nat'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'nat'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand scan 'Scan a live API for the OWASP API Security Top 10'
            cand spec 'Load an API description and list its operations'
            cand demo 'Run nat''s deliberately vulnerable demo API and scan it'
            cand report 'Render a saved JSON report in another format, without scanning'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nat;scan'= {
            cand --spec 'The OpenAPI/Swagger description: a local file or an http(s) URL [default: discovered on the target]'
            cand --config 'A scan request in YAML or JSON, in the shape of the POST /api/v1/scans body (''-'' reads stdin)'
            cand --concurrency 'Requests in flight at once [default: 5]'
            cand --timeout 'Total deadline of one request, in seconds [default: 30]'
            cand --exclude 'Skip operations whose path template matches this glob, e.g. ''/api/v1/payments/*'' (repeatable)'
            cand --rate 'Maximum requests per second [default: unlimited]'
            cand --max-requests 'Stop after this many requests (the report is then partial) [default: unlimited]'
            cand --header 'Extra header sent on every request, ''Name: value'' (repeatable)'
            cand --proxy 'Send every request through this HTTP(S) proxy'
            cand --check 'Run only this check, by id (repeatable) [default: all checks]'
            cand --auth-bearer 'Bearer token: ''Authorization: Bearer TOKEN'' (prefer the environment variable)'
            cand --auth-header 'Any authentication header, ''Name: value'', e.g. ''X-API-Key: KEY'''
            cand --auth-basic 'HTTP basic authentication, ''user:password'''
            cand --oauth2-token-url 'OAuth2 client credentials: the token endpoint'
            cand --oauth2-client-id 'OAuth2 client credentials: the client id'
            cand --oauth2-client-secret 'OAuth2 client credentials: the client secret (prefer the environment variable)'
            cand --oauth2-scope 'OAuth2 client credentials: the scope to request'
            cand --auth-b-bearer 'Bearer token of a second user, for authorization checks (prefer the environment variable)'
            cand --auth-b-header 'Authentication header of a second user, ''Name: value'''
            cand --auth-b-basic 'HTTP basic authentication of a second user, ''user:password'''
            cand --fail-on 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]'
            cand --format 'Format of the results on stdout (or in --output)'
            cand --output 'Write the results to this file instead of stdout'
            cand --report 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)'
            cand --baseline 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones'
            cand --suppressions 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]'
            cand --dry-run 'Print the effective scan request (secrets redacted) as JSON and exit without scanning'
            cand --insecure 'Accept invalid TLS certificates'
            cand -q 'No progress on stderr, only errors'
            cand --quiet 'No progress on stderr, only errors'
            cand --no-color 'No colors (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;spec'= {
            cand --json 'Print the operations as JSON'
            cand --no-color 'No colors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;demo'= {
            cand --bind 'Address the demo API listens on'
            cand --fail-on 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]'
            cand --format 'Format of the results on stdout (or in --output)'
            cand --output 'Write the results to this file instead of stdout'
            cand --report 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)'
            cand --baseline 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones'
            cand --suppressions 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]'
            cand --target-only 'Only serve the demo API (until Ctrl-C) and print its URL and token; do not scan it'
            cand -q 'No progress on stderr, only errors'
            cand --quiet 'No progress on stderr, only errors'
            cand --no-color 'No colors (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;report'= {
            cand --fail-on 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]'
            cand --format 'Format of the results on stdout (or in --output)'
            cand --output 'Write the results to this file instead of stdout'
            cand --report 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)'
            cand --baseline 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones'
            cand --suppressions 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]'
            cand -q 'No progress on stderr, only errors'
            cand --quiet 'No progress on stderr, only errors'
            cand --no-color 'No colors (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;help'= {
            cand scan 'Scan a live API for the OWASP API Security Top 10'
            cand spec 'Load an API description and list its operations'
            cand demo 'Run nat''s deliberately vulnerable demo API and scan it'
            cand report 'Render a saved JSON report in another format, without scanning'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nat;help;scan'= {
        }
        &'nat;help;spec'= {
        }
        &'nat;help;demo'= {
        }
        &'nat;help;report'= {
        }
        &'nat;help;help'= {
        }
    ]
    $completions[$command]
}
