
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
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nat;scan' {
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The OpenAPI/Swagger description: a local file or an http(s) URL [default: discovered on the target]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A scan request in YAML or JSON, in the shape of the POST /api/v1/scans body (''-'' reads stdin)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once [default: 5]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Total deadline of one request, in seconds [default: 30]')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip operations whose path template matches this glob, e.g. ''/api/v1/payments/*'' (repeatable)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Maximum requests per second [default: unlimited]')
            [CompletionResult]::new('--max-requests', '--max-requests', [CompletionResultType]::ParameterName, 'Stop after this many requests (the report is then partial) [default: unlimited]')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header sent on every request, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send every request through this HTTP(S) proxy')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Run only this check, by id (repeatable) [default: all checks]')
            [CompletionResult]::new('--auth-bearer', '--auth-bearer', [CompletionResultType]::ParameterName, 'Bearer token: ''Authorization: Bearer TOKEN'' (prefer the environment variable)')
            [CompletionResult]::new('--auth-header', '--auth-header', [CompletionResultType]::ParameterName, 'Any authentication header, ''Name: value'', e.g. ''X-API-Key: KEY''')
            [CompletionResult]::new('--auth-basic', '--auth-basic', [CompletionResultType]::ParameterName, 'HTTP basic authentication, ''user:password''')
            [CompletionResult]::new('--oauth2-token-url', '--oauth2-token-url', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the token endpoint')
            [CompletionResult]::new('--oauth2-client-id', '--oauth2-client-id', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the client id')
            [CompletionResult]::new('--oauth2-client-secret', '--oauth2-client-secret', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the client secret (prefer the environment variable)')
            [CompletionResult]::new('--oauth2-scope', '--oauth2-scope', [CompletionResultType]::ParameterName, 'OAuth2 client credentials: the scope to request')
            [CompletionResult]::new('--auth-b-bearer', '--auth-b-bearer', [CompletionResultType]::ParameterName, 'Bearer token of a second user, for authorization checks (prefer the environment variable)')
            [CompletionResult]::new('--auth-b-header', '--auth-b-header', [CompletionResultType]::ParameterName, 'Authentication header of a second user, ''Name: value''')
            [CompletionResult]::new('--auth-b-basic', '--auth-b-basic', [CompletionResultType]::ParameterName, 'HTTP basic authentication of a second user, ''user:password''')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the results on stdout (or in --output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the results to this file instead of stdout')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones')
            [CompletionResult]::new('--suppressions', '--suppressions', [CompletionResultType]::ParameterName, 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the effective scan request (secrets redacted) as JSON and exit without scanning')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept invalid TLS certificates')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the results on stdout (or in --output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the results to this file instead of stdout')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones')
            [CompletionResult]::new('--suppressions', '--suppressions', [CompletionResultType]::ParameterName, 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]')
            [CompletionResult]::new('--target-only', '--target-only', [CompletionResultType]::ParameterName, 'Only serve the demo API (until Ctrl-C) and print its URL and token; do not scan it')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colors (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;report' {
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Fail (exit 1) when a finding is at or above this severity; ''none'' never fails [default: high]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of the results on stdout (or in --output)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the results to this file instead of stdout')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to this file, in the format its extension names: .json, .sarif, .md, .html, .xml (JUnit) (repeatable)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on counts only new ones')
            [CompletionResult]::new('--suppressions', '--suppressions', [CompletionResultType]::ParameterName, 'Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress on stderr, only errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colors (also when NO_COLOR is set or the output is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nat;help' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Scan a live API for the OWASP API Security Top 10')
            [CompletionResult]::new('spec', 'spec', [CompletionResultType]::ParameterValue, 'Load an API description and list its operations')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run nat''s deliberately vulnerable demo API and scan it')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Render a saved JSON report in another format, without scanning')
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
        'nat;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
