# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_nat_global_optspecs
    string join \n h/help V/version
end

function __fish_nat_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_nat_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_nat_using_subcommand
    set -l cmd (__fish_nat_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c nat -n "__fish_nat_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nat -n "__fish_nat_needs_command" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_needs_command" -f -a "scan" -d 'Scan a live API for the OWASP API Security Top 10'
complete -c nat -n "__fish_nat_needs_command" -f -a "spec" -d 'Load an API description and list its operations'
complete -c nat -n "__fish_nat_needs_command" -f -a "demo" -d 'Run nat\'s deliberately vulnerable demo API and scan it'
complete -c nat -n "__fish_nat_needs_command" -f -a "report" -d 'Render a saved JSON report in another format, without scanning'
complete -c nat -n "__fish_nat_needs_command" -f -a "serve" -d 'Run the team server: the REST API under /api/v1, scans and API keys in a data dir'
complete -c nat -n "__fish_nat_needs_command" -f -a "keys" -d 'Manage the team server\'s API keys in its data dir (while no server holds it)'
complete -c nat -n "__fish_nat_needs_command" -f -a "scans" -d 'List, show, cancel scans of a team server and fetch their findings and reports'
complete -c nat -n "__fish_nat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nat -n "__fish_nat_using_subcommand scan" -l spec -d 'The OpenAPI/Swagger description: a local file or an http(s) URL [default: discovered on the target]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l config -d 'A scan request in YAML or JSON, in the shape of the POST /api/v1/scans body (\'-\' reads stdin)' -r -F
complete -c nat -n "__fish_nat_using_subcommand scan" -l concurrency -d 'Requests in flight at once [default: 5]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l timeout -d 'Total deadline of one request, in seconds [default: 30]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l exclude -d 'Skip operations whose path template matches PATTERN (\'*\' any characters, \'{id}\' literal), e.g. \'/api/v1/payments/*\' or \'/users/{id}\' (repeatable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l rate -d 'Maximum requests per second [default: unlimited]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l max-requests -d 'Stop after this many requests (the report is then partial) [default: unlimited]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l header -d 'Extra header sent on every request, \'Name: value\' (repeatable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l proxy -d 'Send every request through this HTTP(S) proxy' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l check -d 'Run only this check, by id (repeatable) [default: all checks]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l burst-size -d 'Requests in one burst of a noisy check, 5 to 200 [default: 20]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l callback-bind -d 'Address the callback listener of SSRF probes binds [default: 127.0.0.1:0]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l callback-url -d 'URL at which the target reaches the callback listener (needed for a target on another machine: a host in its network, a tunnel)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-bearer -d 'Bearer token: \'Authorization: Bearer TOKEN\' (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-header -d 'Any authentication header, \'Name: value\', e.g. \'X-API-Key: KEY\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-basic -d 'HTTP basic authentication, \'user:password\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-token-url -d 'OAuth2 client credentials: the token endpoint' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-client-id -d 'OAuth2 client credentials: the client id' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-client-secret -d 'OAuth2 client credentials: the client secret (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-scope -d 'OAuth2 client credentials: the scope to request' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-login-url -d 'Login flow: the URL (or a path on the target) nat posts the credentials to; it logs in again when the token expires or the API answers 401' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-login-user -d 'Login flow: the user name, put where the body says {username}' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-login-password -d 'Login flow: the password, put where the body says {password} (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-login-body -d 'Login flow: the body template, a JSON object [default: {"username": "{username}", "password": "{password}"}]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-token-pointer -d 'Login flow: JSON Pointer to the token in the answer [default: /access_token, /token, …]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-token-header -d 'Login flow: the header that carries the token [default: Authorization]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-token-prefix -d 'Login flow: what goes before the token in that header [default: \'Bearer \' for Authorization]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-bearer -d 'Bearer token of a second user, for authorization checks (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-header -d 'Authentication header of a second user, \'Name: value\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-basic -d 'HTTP basic authentication of a second user, \'user:password\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-login-user -d 'Login flow of a second user: the user name (the login URL, body and token settings are the first user\'s)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-login-password -d 'Login flow of a second user: the password (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l fail-on -d 'Fail (exit 1) when a finding is at or above this severity; \'none\' never fails [default: high]' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''
none\t''"
complete -c nat -n "__fish_nat_using_subcommand scan" -l fail-on-confidence -d 'The least confidence a finding needs to count for --fail-on: \'firm\' counts certain and firm findings, \'tentative\' counts all [default: firm]' -r -f -a "certain\t''
firm\t''
tentative\t''"
complete -c nat -n "__fish_nat_using_subcommand scan" -l format -d 'Format of the results on stdout (or in --output)' -r -f -a "table\t'A table and a summary, for people'
json\t'The full report with evidence, as JSON'
sarif\t'SARIF 2.1.0, for code scanning (GitHub and others)'
markdown\t'Markdown, e.g. for a pull-request comment'
html\t'One self-contained HTML page'
junit\t'JUnit XML, for CI test reports'"
complete -c nat -n "__fish_nat_using_subcommand scan" -l output -d 'Write the results to this file instead of stdout' -r -F
complete -c nat -n "__fish_nat_using_subcommand scan" -l report -d 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)' -r -F
complete -c nat -n "__fish_nat_using_subcommand scan" -l baseline -d 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones' -r -F
complete -c nat -n "__fish_nat_using_subcommand scan" -l suppressions -d 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]' -r -F
complete -c nat -n "__fish_nat_using_subcommand scan" -l server -d 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l api-key -d 'API key for --server (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l dry-run -d 'Print the effective scan request (secrets redacted) as JSON and exit without scanning'
complete -c nat -n "__fish_nat_using_subcommand scan" -l insecure -d 'Accept invalid TLS certificates'
complete -c nat -n "__fish_nat_using_subcommand scan" -l safe -d 'Send only reads (GET, HEAD, OPTIONS): operations that could change anything are not probed'
complete -c nat -n "__fish_nat_using_subcommand scan" -l destructive -d 'Also change and delete objects nat did not create (by default nat only changes or deletes objects it created during the scan). For throwaway test environments only'
complete -c nat -n "__fish_nat_using_subcommand scan" -l no-noisy-checks -d 'Skip the noisy checks, which send a burst of requests to one operation (login brute-force protection, rate limiting of sensitive operations)'
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-login-form -d 'Login flow: send the body as a form (application/x-www-form-urlencoded) instead of JSON'
complete -c nat -n "__fish_nat_using_subcommand scan" -s q -l quiet -d 'No progress on stderr, only errors'
complete -c nat -n "__fish_nat_using_subcommand scan" -l verbose -d 'The table also shows each finding\'s risk score and check id (JSON and the other formats always carry them)'
complete -c nat -n "__fish_nat_using_subcommand scan" -l no-color -d 'No colors (also when NO_COLOR is set or the output is not a terminal)'
complete -c nat -n "__fish_nat_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nat -n "__fish_nat_using_subcommand scan" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand spec" -l json -d 'Print the operations as JSON'
complete -c nat -n "__fish_nat_using_subcommand spec" -l no-color -d 'No colors'
complete -c nat -n "__fish_nat_using_subcommand spec" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand spec" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand demo" -l bind -d 'Address the demo API listens on' -r
complete -c nat -n "__fish_nat_using_subcommand demo" -l fail-on -d 'Fail (exit 1) when a finding is at or above this severity; \'none\' never fails [default: high]' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''
none\t''"
complete -c nat -n "__fish_nat_using_subcommand demo" -l fail-on-confidence -d 'The least confidence a finding needs to count for --fail-on: \'firm\' counts certain and firm findings, \'tentative\' counts all [default: firm]' -r -f -a "certain\t''
firm\t''
tentative\t''"
complete -c nat -n "__fish_nat_using_subcommand demo" -l format -d 'Format of the results on stdout (or in --output)' -r -f -a "table\t'A table and a summary, for people'
json\t'The full report with evidence, as JSON'
sarif\t'SARIF 2.1.0, for code scanning (GitHub and others)'
markdown\t'Markdown, e.g. for a pull-request comment'
html\t'One self-contained HTML page'
junit\t'JUnit XML, for CI test reports'"
complete -c nat -n "__fish_nat_using_subcommand demo" -l output -d 'Write the results to this file instead of stdout' -r -F
complete -c nat -n "__fish_nat_using_subcommand demo" -l report -d 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)' -r -F
complete -c nat -n "__fish_nat_using_subcommand demo" -l baseline -d 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones' -r -F
complete -c nat -n "__fish_nat_using_subcommand demo" -l suppressions -d 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]' -r -F
complete -c nat -n "__fish_nat_using_subcommand demo" -l target-only -d 'Only serve the demo API (until Ctrl-C) and print its URL and the bearer tokens of alice, bob and carol (admin); do not scan it'
complete -c nat -n "__fish_nat_using_subcommand demo" -s q -l quiet -d 'No progress on stderr, only errors'
complete -c nat -n "__fish_nat_using_subcommand demo" -l verbose -d 'The table also shows each finding\'s risk score and check id (JSON and the other formats always carry them)'
complete -c nat -n "__fish_nat_using_subcommand demo" -l no-color -d 'No colors (also when NO_COLOR is set or the output is not a terminal)'
complete -c nat -n "__fish_nat_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nat -n "__fish_nat_using_subcommand demo" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand report" -l fail-on -d 'Fail (exit 1) when a finding is at or above this severity; \'none\' never fails [default: high]' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''
none\t''"
complete -c nat -n "__fish_nat_using_subcommand report" -l fail-on-confidence -d 'The least confidence a finding needs to count for --fail-on: \'firm\' counts certain and firm findings, \'tentative\' counts all [default: firm]' -r -f -a "certain\t''
firm\t''
tentative\t''"
complete -c nat -n "__fish_nat_using_subcommand report" -l format -d 'Format of the results on stdout (or in --output)' -r -f -a "table\t'A table and a summary, for people'
json\t'The full report with evidence, as JSON'
sarif\t'SARIF 2.1.0, for code scanning (GitHub and others)'
markdown\t'Markdown, e.g. for a pull-request comment'
html\t'One self-contained HTML page'
junit\t'JUnit XML, for CI test reports'"
complete -c nat -n "__fish_nat_using_subcommand report" -l output -d 'Write the results to this file instead of stdout' -r -F
complete -c nat -n "__fish_nat_using_subcommand report" -l report -d 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)' -r -F
complete -c nat -n "__fish_nat_using_subcommand report" -l baseline -d 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones' -r -F
complete -c nat -n "__fish_nat_using_subcommand report" -l suppressions -d 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]' -r -F
complete -c nat -n "__fish_nat_using_subcommand report" -s q -l quiet -d 'No progress on stderr, only errors'
complete -c nat -n "__fish_nat_using_subcommand report" -l verbose -d 'The table also shows each finding\'s risk score and check id (JSON and the other formats always carry them)'
complete -c nat -n "__fish_nat_using_subcommand report" -l no-color -d 'No colors (also when NO_COLOR is set or the output is not a terminal)'
complete -c nat -n "__fish_nat_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nat -n "__fish_nat_using_subcommand report" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand serve" -l bind -d 'Address to listen on (port 0: any free port)' -r
complete -c nat -n "__fish_nat_using_subcommand serve" -l data-dir -d 'Directory of the server\'s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]' -r -F
complete -c nat -n "__fish_nat_using_subcommand serve" -l workers -d 'Scans that run at once; the others wait as `queued`' -r
complete -c nat -n "__fish_nat_using_subcommand serve" -l max-queued -d 'Scans that may wait for a worker; beyond that POST /scans answers 503 with Retry-After' -r
complete -c nat -n "__fish_nat_using_subcommand serve" -l rate-limit -d 'Requests per minute per API key, e.g. \'300\' or \'300/min\' (also \'N/s\') [default: unlimited]' -r
complete -c nat -n "__fish_nat_using_subcommand serve" -l allow-target -d 'Only contact targets matching this glob on the host (\'*.staging.example.com\'), host:port or the whole URL, checked for every connection of a scan: target, spec, $ref, OAuth2, redirect (repeatable) [default: any target]' -r
complete -c nat -n "__fish_nat_using_subcommand serve" -l no-loopback -d 'Refuse loopback targets (127.0.0.0/8, ::1)'
complete -c nat -n "__fish_nat_using_subcommand serve" -l no-private -d 'Refuse private-network targets (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)'
complete -c nat -n "__fish_nat_using_subcommand serve" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand serve" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -l data-dir -d 'Directory of the server\'s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]' -r -F
complete -c nat -n "__fish_nat_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "create" -d 'Create a key and print it once, alone on the last line of stdout'
complete -c nat -n "__fish_nat_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "list" -d 'List the keys: id, name, role, created, prefix (never the key itself)'
complete -c nat -n "__fish_nat_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "revoke" -d 'Revoke (delete) a key by its id'
complete -c nat -n "__fish_nat_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from create" -l name -d 'A name to tell the key apart (1 to 100 characters), e.g. \'ci\'' -r
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from create" -l role -d 'What the key may do: read (GET only), scan (also start and cancel scans, triage findings), admin (also manage keys)' -r -f -a "read\t''
scan\t''
admin\t''"
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from create" -l data-dir -d 'Directory of the server\'s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]' -r -F
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from list" -l data-dir -d 'Directory of the server\'s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]' -r -F
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from list" -l json -d 'Print the keys as JSON'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l data-dir -d 'Directory of the server\'s store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]' -r -F
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a key and print it once, alone on the last line of stdout'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the keys: id, name, role, created, prefix (never the key itself)'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke (delete) a key by its id'
complete -c nat -n "__fish_nat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -l server -d 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -l api-key -d 'API key for --server (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -f -a "list" -d 'List scans, newest first'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -f -a "show" -d 'Show one scan: status, progress, times, reason of a failure'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -f -a "findings" -d 'List a scan\'s findings'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -f -a "report" -d 'Print a complete scan\'s report'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -f -a "cancel" -d 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)'
complete -c nat -n "__fish_nat_using_subcommand scans; and not __fish_seen_subcommand_from list show findings report cancel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -l status -d 'Only scans with this status' -r -f -a "queued\t''
running\t''
complete\t''
failed\t''"
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -l page -d 'Page to show' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -l per-page -d 'Scans per page (at most 100)' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -l server -d 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -l api-key -d 'API key for --server (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -l json -d 'Print the server\'s JSON'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from show" -l server -d 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from show" -l api-key -d 'API key for --server (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from show" -l json -d 'Print the server\'s JSON'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from findings" -l severity -d 'Only findings of this severity' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''"
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from findings" -l status -d 'Only findings with this triage status' -r -f -a "open\t''
resolved\t''
accepted\t''"
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from findings" -l server -d 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from findings" -l api-key -d 'API key for --server (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from findings" -l json -d 'Print the findings (with evidence) as JSON'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from findings" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from findings" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from report" -l format -d 'Format of the report' -r -f -a "json\t''
sarif\t''
markdown\t''
html\t''"
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from report" -l output -d 'Write the report to this file instead of stdout' -r -F
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from report" -l server -d 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from report" -l api-key -d 'API key for --server (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from cancel" -l server -d 'Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from cancel" -l api-key -d 'API key for --server (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from cancel" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from help" -f -a "list" -d 'List scans, newest first'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one scan: status, progress, times, reason of a failure'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from help" -f -a "findings" -d 'List a scan\'s findings'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from help" -f -a "report" -d 'Print a complete scan\'s report'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)'
complete -c nat -n "__fish_nat_using_subcommand scans; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "scan" -d 'Scan a live API for the OWASP API Security Top 10'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "spec" -d 'Load an API description and list its operations'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "demo" -d 'Run nat\'s deliberately vulnerable demo API and scan it'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "report" -d 'Render a saved JSON report in another format, without scanning'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "serve" -d 'Run the team server: the REST API under /api/v1, scans and API keys in a data dir'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "keys" -d 'Manage the team server\'s API keys in its data dir (while no server holds it)'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "scans" -d 'List, show, cancel scans of a team server and fetch their findings and reports'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report serve keys scans help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "create" -d 'Create a key and print it once, alone on the last line of stdout'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "list" -d 'List the keys: id, name, role, created, prefix (never the key itself)'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "revoke" -d 'Revoke (delete) a key by its id'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from scans" -f -a "list" -d 'List scans, newest first'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from scans" -f -a "show" -d 'Show one scan: status, progress, times, reason of a failure'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from scans" -f -a "findings" -d 'List a scan\'s findings'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from scans" -f -a "report" -d 'Print a complete scan\'s report'
complete -c nat -n "__fish_nat_using_subcommand help; and __fish_seen_subcommand_from scans" -f -a "cancel" -d 'Cancel a queued or running scan (it ends `failed`, reason `cancelled`)'
