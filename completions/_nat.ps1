
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'nat' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'nat'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'nat' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Scan a live API for the OWASP API Security Top 10')
            [CompletionResult]::new('spec', 'spec', [CompletionResultType]::ParameterValue, 'Load an API description and list its operations')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run nat''s deliberately vulnerable demo API and scan it')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Render a saved JSON report in another format, without scanning')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the team server: the REST API under /api/v1, scans and API keys in a data dir')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Manage the team server''s API keys in its data dir (while no server holds it)')
            [CompletionResult]::new('scans', 'scans', [CompletionResultType]::ParameterValue, 'List, show, cancel scans of a team server and fetch their findings and reports')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nat;scan' {
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The OpenAPI/Swagger description: a local file or an http(s) URL [default: discovered on the target]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A scan request in YAML or JSON, in the shape of the POST /api/v1/scans body (''-'' reads stdin)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once [default: 5]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Total deadline of one request, in seconds [default: 30]')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip operations whose path template matches PATTERN (''*'' any characters, ''{id}'' literal), e.g. ''/api/v1/payments/*'' or ''/users/{id}'' (repeatable)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Maximum requests per second [default: unlimited]')
            [CompletionResult]::new('--max-requests', '--max-requests', [CompletionResultType]::ParameterName, 'Stop after this many requests (the report is then partial) [default: unlimited]')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header sent on every request, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send every request through this HTTP(S) proxy')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Run only this check, by id (repeatable) [default: all checks]')
            [CompletionResult]::new('--burst-size', '--burst-size', [CompletionResultType]::ParameterName, 'Requests in one burst of a noisy check, 5 to 200 [default: 20]')
            [CompletionResult]::new('--callback-bind', '--callback-bind', [CompletionResultType]::ParameterName, 'Address the callback listener of SSRF probes binds [default: 127.0.0.1:0]')
            [CompletionResult]::new('--callback-url', '--callback-url', [CompletionResultType]::ParameterName, 'URL at which the target reaches the callback listener (needed for a target on another machine: a host in its network, a tunnel)')
            [CompletionResult]::new('--auth-bearer', '--auth-bearer', [CompletionResultType]::ParameterName, 'Bearer token: ''Authorization: Bearer TOKEN'' (prefer the environment variable)')
            [CompletionResult]::new('--auth-header', '--auth-header', [CompletionResultType]::ParameterName, 'Any authentication header, ''Name: value'', e.g. ''X-API-Key: KEY''')
            [CompletionResult]::new('--auth-basic', '--auth-basic', [CompletionResultType]::ParameterName, 'HTTP basic authentication, ''user:password''')
            [CompletionResult]::new('--oauth2-token-url', '--oauth2-token-url', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the token endpoint')
            [CompletionResult]::new('--oauth2-client-id', '--oauth2-client-id', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the client id')
            [CompletionResult]::new('--oauth2-client-secret', '--oauth2-client-secret', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the client secret (prefer the environment variable)')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the scope to request')
            [CompletionResult]::new('--auth-login-url', '--auth-login-url', [CompletionResultType]::ParameterName, 'Login flow: the URL (or a path on the target) nat posts the credentials to; it logs in again when the token expires or the API answers 401')
            [CompletionResult]::new('--auth-login-user', '--auth-login-user', [CompletionResultType]::ParameterName, 'Login flow: the user name, put where the body says {username}')
            [CompletionResult]::new('--auth-login-password', '--auth-login-password', [CompletionResultType]::ParameterName, 'Login flow: the password, put where the body says {password} (prefer the environment variable)')
            [CompletionResult]::new('--auth-login-body', '--auth-login-body', [CompletionResultType]::ParameterName, 'Login flow: the body template, a JSON object [default: {"username": "{username}", "password": "{password}"}]')
            [CompletionResult]::new('--auth-token-pointer', '--auth-token-pointer', [CompletionResultType]::ParameterName, 'Login flow: JSON Pointer to the token in the answer [default: /access_token, /token, …]')
            [CompletionResult]::new('--auth-token-header', '--auth-token-header', [CompletionResultType]::ParameterName, 'Login flow: the header that carries the token [default: Authorization]')
            [CompletionResult]::new('--auth-token-prefix', '--auth-token-prefix', [CompletionResultType]::ParameterName, 'Login flow: what goes before the token in that header [default: ''Bearer '' for Authorization]')
            [CompletionResult]::new('--auth-b-bearer', '--auth-b-bearer', [CompletionResultType]::ParameterName, 'Bearer token of a second user, for authorization checks (prefer the environment variable)')
            [CompletionResult]::new('--auth-b-header', '--auth-b-header', [CompletionResultType]::ParameterName, 'Authentication header of a second user, ''Name: value''')
            [CompletionResult]::new('--auth-b-basic', '--auth-b-basic', [CompletionResultType]::ParameterName, 'HTTP basic authentication of a second user, ''user:password''')
            [CompletionResult]::new('--auth-b-login-user', '--auth-b-login-user', [CompletionResultType]::ParameterName, 'Login flow of a second user: the user name (the login URL, body and token settings are the first user''s)')
            [CompletionResult]::new('--auth-b-login-password', '--auth-b-login-password', [CompletionResultType]::ParameterName, 'Login flow of a second user: the password (prefer the environment variable)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]')
            [CompletionResult]::new('--fail-on-confidence', '--fail-on-confidence', [CompletionResultType]::ParameterName, 'The least confidence a finding needs to count for --fail-on: ''firm'' counts certain and firm findings, ''tentative'' counts all [default: firm]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the results on stdout (or in --output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the results to this file instead of stdout')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones')
            [CompletionResult]::new('--suppressions', '--suppressions', [CompletionResultType]::ParameterName, 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for --server (prefer the environment variable)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the effective scan request (secrets redacted) as JSON and exit without scanning')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept invalid TLS certificates')
            [CompletionResult]::new('--safe', '--safe', [CompletionResultType]::ParameterName, 'Send only reads (GET, HEAD, OPTIONS): operations that could change anything are not probed')
            [CompletionResult]::new('--destructive', '--destructive', [CompletionResultType]::ParameterName, 'Also change and delete objects nat did not create (by default nat only changes or deletes objects it created during the scan). For throwaway test environments only')
            [CompletionResult]::new('--no-noisy-checks', '--no-noisy-checks', [CompletionResultType]::ParameterName, 'Skip the noisy checks, which send a burst of requests to one operation (login brute-force protection, rate limiting of sensitive operations)')
            [CompletionResult]::new('--auth-login-form', '--auth-login-form', [CompletionResultType]::ParameterName, 'Login flow: send the body as a form (application/x-www-form-urlencoded) instead of JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'The table also shows each finding''s risk score and check id (JSON and the other formats always carry them)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colors (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;spec' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the operations as JSON')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;demo' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address the demo API listens on')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]')
            [CompletionResult]::new('--fail-on-confidence', '--fail-on-confidence', [CompletionResultType]::ParameterName, 'The least confidence a finding needs to count for --fail-on: ''firm'' counts certain and firm findings, ''tentative'' counts all [default: firm]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the results on stdout (or in --output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the results to this file instead of stdout')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones')
            [CompletionResult]::new('--suppressions', '--suppressions', [CompletionResultType]::ParameterName, 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]')
            [CompletionResult]::new('--target-only', '--target-only', [CompletionResultType]::ParameterName, 'Only serve the demo API (until Ctrl-C) and print its URL and the bearer tokens of alice, bob and carol (admin); do not scan it')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'The table also shows each finding''s risk score and check id (JSON and the other formats always carry them)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colors (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;report' {
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]')
            [CompletionResult]::new('--fail-on-confidence', '--fail-on-confidence', [CompletionResultType]::ParameterName, 'The least confidence a finding needs to count for --fail-on: ''firm'' counts certain and firm findings, ''tentative'' counts all [default: firm]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the results on stdout (or in --output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the results to this file instead of stdout')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones')
            [CompletionResult]::new('--suppressions', '--suppressions', [CompletionResultType]::ParameterName, 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'The table also shows each finding''s risk score and check id (JSON and the other formats always carry them)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colors (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;serve' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on (port 0: any free port)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Scans that run at once; the others wait as `queued`')
            [CompletionResult]::new('--max-queued', '--max-queued', [CompletionResultType]::ParameterName, 'Scans that may wait for a worker; beyond that POST /scans answers 503 with Retry-After')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Requests per minute per API key, e.g. ''300'' or ''300/min'' (also ''N/s'') [default: unlimited]')
            [CompletionResult]::new('--allow-target', '--allow-target', [CompletionResultType]::ParameterName, 'Only contact targets matching this glob on the host (''*.staging.example.com''), host:port or the whole URL, checked for every connection of a scan: target, spec, $ref, OAuth2, redirect (repeatable) [default: any target]')
            [CompletionResult]::new('--no-loopback', '--no-loopback', [CompletionResultType]::ParameterName, 'Refuse loopback targets (127.0.0.0/8, ::1)')
            [CompletionResult]::new('--no-private', '--no-private', [CompletionResultType]::ParameterName, 'Refuse private-network targets (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;keys' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print it once, alone on the last line of stdout')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the keys: id, name, role, created, prefix (never the key itself)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke (delete) a key by its id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nat;keys;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name to tell the key apart (1 to 100 characters), e.g. ''ci''')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What the key may do: read (GET only), scan (also start and cancel scans, triage findings), admin (also manage keys)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;keys;list' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the keys as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;keys;revoke' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the server''s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;keys;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print it once, alone on the last line of stdout')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the keys: id, name, role, created, prefix (never the key itself)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke (delete) a key by its id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nat;keys;help;create' {
            break
        }
        'nat;keys;help;list' {
            break
        }
        'nat;keys;help;revoke' {
            break
        }
        'nat;keys;help;help' {
            break
        }
        'nat;scans' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for --server (prefer the environment variable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List scans, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one scan: status, progress, times, reason of a failure')
            [CompletionResult]::new('findings', 'findings', [CompletionResultType]::ParameterValue, 'List a scan''s findings')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Print a complete scan''s report')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nat;scans;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only scans with this status')
            [CompletionResult]::new('--page', '--page', [CompletionResultType]::ParameterName, 'Page to show')
            [CompletionResult]::new('--per-page', '--per-page', [CompletionResultType]::ParameterName, 'Scans per page (at most 100)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for --server (prefer the environment variable)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the server''s JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;scans;show' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for --server (prefer the environment variable)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the server''s JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;scans;findings' {
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Only findings of this severity')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only findings with this triage status')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for --server (prefer the environment variable)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the findings (with evidence) as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;scans;report' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the report')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to this file instead of stdout')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for --server (prefer the environment variable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;scans;cancel' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key for --server (prefer the environment variable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;scans;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List scans, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one scan: status, progress, times, reason of a failure')
            [CompletionResult]::new('findings', 'findings', [CompletionResultType]::ParameterValue, 'List a scan''s findings')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Print a complete scan''s report')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nat;scans;help;list' {
            break
        }
        'nat;scans;help;show' {
            break
        }
        'nat;scans;help;findings' {
            break
        }
        'nat;scans;help;report' {
            break
        }
        'nat;scans;help;cancel' {
            break
        }
        'nat;scans;help;help' {
            break
        }
        'nat;help' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Scan a live API for the OWASP API Security Top 10')
            [CompletionResult]::new('spec', 'spec', [CompletionResultType]::ParameterValue, 'Load an API description and list its operations')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run nat''s deliberately vulnerable demo API and scan it')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Render a saved JSON report in another format, without scanning')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the team server: the REST API under /api/v1, scans and API keys in a data dir')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Manage the team server''s API keys in its data dir (while no server holds it)')
            [CompletionResult]::new('scans', 'scans', [CompletionResultType]::ParameterValue, 'List, show, cancel scans of a team server and fetch their findings and reports')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nat;help;scan' {
            break
        }
        'nat;help;spec' {
            break
        }
        'nat;help;demo' {
            break
        }
        'nat;help;report' {
            break
        }
        'nat;help;serve' {
            break
        }
        'nat;help;keys' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print it once, alone on the last line of stdout')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the keys: id, name, role, created, prefix (never the key itself)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke (delete) a key by its id')
            break
        }
        'nat;help;keys;create' {
            break
        }
        'nat;help;keys;list' {
            break
        }
        'nat;help;keys;revoke' {
            break
        }
        'nat;help;scans' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List scans, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one scan: status, progress, times, reason of a failure')
            [CompletionResult]::new('findings', 'findings', [CompletionResultType]::ParameterValue, 'List a scan''s findings')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Print a complete scan''s report')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)')
            break
        }
        'nat;help;scans;list' {
            break
        }
        'nat;help;scans;show' {
            break
        }
        'nat;help;scans;findings' {
            break
        }
        'nat;help;scans;report' {
            break
        }
        'nat;help;scans;cancel' {
            break
        }
        'nat;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
