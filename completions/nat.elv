
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
            cand serve 'Run the team server: the REST API under /api/v1, scans and API keys in a data dir'
            cand keys 'Manage the team server''s API keys in its data dir (while no server holds it)'
            cand scans 'List, show, cancel scans of a team server and fetch their findings and reports'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nat;scan'= {
            cand --spec 'The OpenAPI/Swagger description: a local file or an http(s) URL [default: discovered on the target]'
            cand --config 'A scan request in YAML or JSON, in the shape of the POST /api/v1/scans body (''-'' reads stdin)'
            cand --concurrency 'Requests in flight at once [default: 5]'
            cand --timeout 'Total deadline of one request, in seconds [default: 30]'
            cand --exclude 'Skip operations whose path template matches PATTERN (''*'' any characters, ''{id}'' literal), e.g. ''/api/v1/payments/*'' or ''/users/{id}'' (repeatable)'
            cand --rate 'Maximum requests per second [default: unlimited]'
            cand --max-requests 'Stop after this many requests (the report is then partial) [default: unlimited]'
            cand --header 'Extra header sent on every request, ''Name: value'' (repeatable)'
            cand --proxy 'Send every request through this HTTP(S) proxy'
            cand --check 'Run only this check, by id (repeatable) [default: all checks]'
            cand --burst-size 'Requests in one burst of a noisy check, 5 to 200 [default: 20]'
            cand --callback-bind 'Address the callback listener of SSRF probes binds [default: 127.0.0.1:0]'
            cand --callback-url 'URL at which the target reaches the callback listener (needed for a target on another machine: a host in its network, a tunnel)'
            cand --auth-bearer 'Bearer token: ''Authorization: Bearer TOKEN'' (prefer the environment variable)'
            cand --auth-header 'Any authentication header, ''Name: value'', e.g. ''X-API-Key: KEY'''
            cand --auth-basic 'HTTP basic authentication, ''user:password'''
            cand --oauth2-token-url 'OAuth2 client credentials: the token endpoint'
            cand --oauth2-client-id 'OAuth2 client credentials: the client id'
            cand --oauth2-client-secret 'OAuth2 client credentials: the client secret (prefer the environment variable)'
            cand --oauth2-scope 'OAuth2 client credentials: the scope to request'
            cand --auth-login-url 'Login flow: the URL (or a path on the target) nat posts the credentials to; it logs in again when the token expires or the API answers 401'
            cand --auth-login-user 'Login flow: the user name, put where the body says {username}'
            cand --auth-login-password 'Login flow: the password, put where the body says {password} (prefer the environment variable)'
            cand --auth-login-body 'Login flow: the body template, a JSON object [default: {"username": "{username}", "password": "{password}"}]'
            cand --auth-token-pointer 'Login flow: JSON Pointer to the token in the answer [default: /access_token, /token, …]'
            cand --auth-token-header 'Login flow: the header that carries the token [default: Authorization]'
            cand --auth-token-prefix 'Login flow: what goes before the token in that header [default: ''Bearer '' for Authorization]'
            cand --auth-b-bearer 'Bearer token of a second user, for authorization checks (prefer the environment variable)'
            cand --auth-b-header 'Authentication header of a second user, ''Name: value'''
            cand --auth-b-basic 'HTTP basic authentication of a second user, ''user:password'''
            cand --auth-b-login-user 'Login flow of a second user: the user name (the login URL, body and token settings are the first user''s)'
            cand --auth-b-login-password 'Login flow of a second user: the password (prefer the environment variable)'
            cand --fail-on 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]'
            cand --fail-on-confidence 'The least confidence a finding needs to count for --fail-on: ''firm'' counts certain and firm findings, ''tentative'' counts all [default: firm]'
            cand --format 'Format of the results on stdout (or in --output)'
            cand --output 'Write the results to this file instead of stdout'
            cand --report 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)'
            cand --baseline 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones'
            cand --suppressions 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]'
            cand --server 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally'
            cand --api-key 'API key for --server (prefer the environment variable)'
            cand --dry-run 'Print the effective scan request (secrets redacted) as JSON and exit without scanning'
            cand --insecure 'Accept invalid TLS certificates'
            cand --safe 'Send only reads (GET, HEAD, OPTIONS): operations that could change anything are not probed'
            cand --destructive 'Also change and delete objects nat did not create (by default nat only changes or deletes objects it created during the scan). For throwaway test environments only'
            cand --no-noisy-checks 'Skip the noisy checks, which send a burst of requests to one operation (login brute-force protection, rate limiting of sensitive operations)'
            cand --auth-login-form 'Login flow: send the body as a form (application/x-www-form-urlencoded) instead of JSON'
            cand -q 'No progress on stderr, only errors'
            cand --quiet 'No progress on stderr, only errors'
            cand --verbose 'The table also shows each finding''s risk score and check id (JSON and the other formats always carry them)'
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
            cand --fail-on-confidence 'The least confidence a finding needs to count for --fail-on: ''firm'' counts certain and firm findings, ''tentative'' counts all [default: firm]'
            cand --format 'Format of the results on stdout (or in --output)'
            cand --output 'Write the results to this file instead of stdout'
            cand --report 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)'
            cand --baseline 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones'
            cand --suppressions 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]'
            cand --target-only 'Only serve the demo API (until Ctrl-C) and print its URL and the bearer tokens of alice, bob and carol (admin); do not scan it'
            cand -q 'No progress on stderr, only errors'
            cand --quiet 'No progress on stderr, only errors'
            cand --verbose 'The table also shows each finding''s risk score and check id (JSON and the other formats always carry them)'
            cand --no-color 'No colors (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;report'= {
            cand --fail-on 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]'
            cand --fail-on-confidence 'The least confidence a finding needs to count for --fail-on: ''firm'' counts certain and firm findings, ''tentative'' counts all [default: firm]'
            cand --format 'Format of the results on stdout (or in --output)'
            cand --output 'Write the results to this file instead of stdout'
            cand --report 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)'
            cand --baseline 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones'
            cand --suppressions 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]'
            cand -q 'No progress on stderr, only errors'
            cand --quiet 'No progress on stderr, only errors'
            cand --verbose 'The table also shows each finding''s risk score and check id (JSON and the other formats always carry them)'
            cand --no-color 'No colors (also when NO_COLOR is set or the output is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;serve'= {
            cand --bind 'Address to listen on (port 0: any free port)'
            cand --data-dir 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]'
            cand --workers 'Scans that run at once; the others wait as `queued`'
            cand --max-queued 'Scans that may wait for a worker; beyond that POST /scans answers 503 with Retry-After'
            cand --rate-limit 'Requests per minute per API key, e.g. ''300'' or ''300/min'' (also ''N/s'') [default: unlimited]'
            cand --allow-target 'Only contact targets matching this glob on the host (''*.staging.example.com''), host:port or the whole URL, checked for every connection of a scan: target, spec, $ref, OAuth2, redirect (repeatable) [default: any target]'
            cand --no-loopback 'Refuse loopback targets (127.0.0.0/8, ::1)'
            cand --no-private 'Refuse private-network targets (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;keys'= {
            cand --data-dir 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a key and print it once, alone on the last line of stdout'
            cand list 'List the keys: id, name, role, created, prefix (never the key itself)'
            cand revoke 'Revoke (delete) a key by its id'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nat;keys;create'= {
            cand --name 'A name to tell the key apart (1 to 100 characters), e.g. ''ci'''
            cand --role 'What the key may do: read (GET only), scan (also start and cancel scans, triage findings), admin (also manage keys)'
            cand --data-dir 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;keys;list'= {
            cand --data-dir 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]'
            cand --json 'Print the keys as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;keys;revoke'= {
            cand --data-dir 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;keys;help'= {
            cand create 'Create a key and print it once, alone on the last line of stdout'
            cand list 'List the keys: id, name, role, created, prefix (never the key itself)'
            cand revoke 'Revoke (delete) a key by its id'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nat;keys;help;create'= {
        }
        &'nat;keys;help;list'= {
        }
        &'nat;keys;help;revoke'= {
        }
        &'nat;keys;help;help'= {
        }
        &'nat;scans'= {
            cand --server 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally'
            cand --api-key 'API key for --server (prefer the environment variable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List scans, newest first'
            cand show 'Show one scan: status, progress, times, reason of a failure'
            cand findings 'List a scan''s findings'
            cand report 'Print a complete scan''s report'
            cand cancel 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nat;scans;list'= {
            cand --status 'Only scans with this status'
            cand --page 'Page to show'
            cand --per-page 'Scans per page (at most 100)'
            cand --server 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally'
            cand --api-key 'API key for --server (prefer the environment variable)'
            cand --json 'Print the server''s JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;scans;show'= {
            cand --server 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally'
            cand --api-key 'API key for --server (prefer the environment variable)'
            cand --json 'Print the server''s JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;scans;findings'= {
            cand --severity 'Only findings of this severity'
            cand --status 'Only findings with this triage status'
            cand --server 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally'
            cand --api-key 'API key for --server (prefer the environment variable)'
            cand --json 'Print the findings (with evidence) as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;scans;report'= {
            cand --format 'Format of the report'
            cand --output 'Write the report to this file instead of stdout'
            cand --server 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally'
            cand --api-key 'API key for --server (prefer the environment variable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;scans;cancel'= {
            cand --server 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally'
            cand --api-key 'API key for --server (prefer the environment variable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'nat;scans;help'= {
            cand list 'List scans, newest first'
            cand show 'Show one scan: status, progress, times, reason of a failure'
            cand findings 'List a scan''s findings'
            cand report 'Print a complete scan''s report'
            cand cancel 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nat;scans;help;list'= {
        }
        &'nat;scans;help;show'= {
        }
        &'nat;scans;help;findings'= {
        }
        &'nat;scans;help;report'= {
        }
        &'nat;scans;help;cancel'= {
        }
        &'nat;scans;help;help'= {
        }
        &'nat;help'= {
            cand scan 'Scan a live API for the OWASP API Security Top 10'
            cand spec 'Load an API description and list its operations'
            cand demo 'Run nat''s deliberately vulnerable demo API and scan it'
            cand report 'Render a saved JSON report in another format, without scanning'
            cand serve 'Run the team server: the REST API under /api/v1, scans and API keys in a data dir'
            cand keys 'Manage the team server''s API keys in its data dir (while no server holds it)'
            cand scans 'List, show, cancel scans of a team server and fetch their findings and reports'
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
        &'nat;help;serve'= {
        }
        &'nat;help;keys'= {
            cand create 'Create a key and print it once, alone on the last line of stdout'
            cand list 'List the keys: id, name, role, created, prefix (never the key itself)'
            cand revoke 'Revoke (delete) a key by its id'
        }
        &'nat;help;keys;create'= {
        }
        &'nat;help;keys;list'= {
        }
        &'nat;help;keys;revoke'= {
        }
        &'nat;help;scans'= {
            cand list 'List scans, newest first'
            cand show 'Show one scan: status, progress, times, reason of a failure'
            cand findings 'List a scan''s findings'
            cand report 'Print a complete scan''s report'
            cand cancel 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)'
        }
        &'nat;help;scans;list'= {
        }
        &'nat;help;scans;show'= {
        }
        &'nat;help;scans;findings'= {
        }
        &'nat;help;scans;report'= {
        }
        &'nat;help;scans;cancel'= {
        }
        &'nat;help;help'= {
        }
    ]
    $completions[$command]
}
