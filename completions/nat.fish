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
complete -c nat -n "__fish_nat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nat -n "__fish_nat_using_subcommand scan" -l spec -d 'The OpenAPI/Swagger description: a local file or an http(s) URL [default: discovered on the target]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l config -d 'A scan request in YAML or JSON, in the shape of the POST /api/v1/scans body (\'-\' reads stdin)' -r -F
complete -c nat -n "__fish_nat_using_subcommand scan" -l concurrency -d 'Requests in flight at once [default: 5]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l timeout -d 'Total deadline of one request, in seconds [default: 30]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l exclude -d 'Skip operations whose path template matches this glob, e.g. \'/api/v1/payments/*\' (repeatable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l rate -d 'Maximum requests per second [default: unlimited]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l max-requests -d 'Stop after this many requests (the report is then partial) [default: unlimited]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l header -d 'Extra header sent on every request, \'Name: value\' (repeatable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l proxy -d 'Send every request through this HTTP(S) proxy' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l check -d 'Run only this check, by id (repeatable) [default: all checks]' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-bearer -d 'Bearer token: \'Authorization: Bearer TOKEN\' (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-header -d 'Any authentication header, \'Name: value\', e.g. \'X-API-Key: KEY\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-basic -d 'HTTP basic authentication, \'user:password\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-token-url -d 'OAuth2 client credentials: the token endpoint' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-client-id -d 'OAuth2 client credentials: the client id' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-client-secret -d 'OAuth2 client credentials: the client secret (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l oauth2-scope -d 'OAuth2 client credentials: the scope to request' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-bearer -d 'Bearer token of a second user, for authorization checks (prefer the environment variable)' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-header -d 'Authentication header of a second user, \'Name: value\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l auth-b-basic -d 'HTTP basic authentication of a second user, \'user:password\'' -r
complete -c nat -n "__fish_nat_using_subcommand scan" -l fail-on -d 'Fail (exit 1) when a finding is at or above this severity; \'none\' never fails [default: high]' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''
none\t''"
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
complete -c nat -n "__fish_nat_using_subcommand scan" -l dry-run -d 'Print the effective scan request (secrets redacted) as JSON and exit without scanning'
complete -c nat -n "__fish_nat_using_subcommand scan" -l insecure -d 'Accept invalid TLS certificates'
complete -c nat -n "__fish_nat_using_subcommand scan" -s q -l quiet -d 'No progress on stderr, only errors'
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
complete -c nat -n "__fish_nat_using_subcommand demo" -l target-only -d 'Only serve the demo API (until Ctrl-C) and print its URL and token; do not scan it'
complete -c nat -n "__fish_nat_using_subcommand demo" -s q -l quiet -d 'No progress on stderr, only errors'
complete -c nat -n "__fish_nat_using_subcommand demo" -l no-color -d 'No colors (also when NO_COLOR is set or the output is not a terminal)'
complete -c nat -n "__fish_nat_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nat -n "__fish_nat_using_subcommand demo" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand report" -l fail-on -d 'Fail (exit 1) when a finding is at or above this severity; \'none\' never fails [default: high]' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
info\t''
none\t''"
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
complete -c nat -n "__fish_nat_using_subcommand report" -l no-color -d 'No colors (also when NO_COLOR is set or the output is not a terminal)'
complete -c nat -n "__fish_nat_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nat -n "__fish_nat_using_subcommand report" -s V -l version -d 'Print version'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report help" -f -a "scan" -d 'Scan a live API for the OWASP API Security Top 10'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report help" -f -a "spec" -d 'Load an API description and list its operations'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report help" -f -a "demo" -d 'Run nat\'s deliberately vulnerable demo API and scan it'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report help" -f -a "report" -d 'Render a saved JSON report in another format, without scanning'
complete -c nat -n "__fish_nat_using_subcommand help; and not __fish_seen_subcommand_from scan spec demo report help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
