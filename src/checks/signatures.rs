//! Text that betrays a server's internals: stack traces, framework and SQL error messages.

use regex::RegexSet;
use std::sync::LazyLock;

/// SQL error messages of common databases and drivers.
pub static SQL_ERRORS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)you have an error in your sql syntax",
        r"(?i)warning: mysqli?_",
        r"(?i)unclosed quotation mark after the character string",
        r"(?i)quoted string not properly terminated",
        r"\bORA-\d{5}\b",
        r"(?i)syntax error at or near",
        r"(?i)unterminated quoted string at or near",
        r"(?i)pg::syntaxerror|psqlexception|org\.postgresql\.util",
        r"SQLSTATE\[\w+\]",
        r"(?i)sqlite3?[._]\w*error|SQLITE_ERROR",
        r#"(?i)near \\?"[^"]*": syntax error"#,
        r"(?i)unrecognized token:",
        r"(?i)no such column:",
        r"(?i)incomplete input",
        r"(?i)microsoft ole db provider for (sql server|odbc)",
        r"(?i)odbc (sql server )?driver",
        r"(?i)java\.sql\.SQLException|SQLSyntaxErrorException",
        r"(?i)system\.data\.sqlclient",
    ])
    .unwrap_or_else(|_| RegexSet::empty())
});

/// Stack traces and framework error pages.
pub static STACK_TRACES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"Traceback \(most recent call last\)",
        r#"File "[^"]+\.py", line \d+"#,
        r"\bat [\w$.]+\([\w$]+\.java:\d+\)",
        r"\b(java|javax|jakarta)\.[\w.]+(Exception|Error)\b",
        r"\bat [\w.<>`]+\(.*\) in [^\n]*:line \d+",
        r"\bSystem\.[\w.]+Exception\b",
        r"panicked at [^\n]*\.rs:\d+:\d+",
        r"(?i)(fatal error|parse error|warning)(</b>)?: .{1,200} in .{1,200}\.php on line \d+",
        r"\bat [^\n()]+ \((/|[A-Z]:\\)[^\n)]+\.[cm]?[jt]s:\d+:\d+\)",
        r"goroutine \d+ \[running\]",
        r"Whitelabel Error Page",
        r"(?i)<title>[^<]*(exception|traceback|stack trace)[^<]*</title>",
        r"\bActiveRecord::\w+",
        r"\.rb:\d+:in `",
    ])
    .unwrap_or_else(|_| RegexSet::empty())
});

/// True when `text` holds an SQL error message.
pub fn has_sql_error(text: &str) -> bool {
    SQL_ERRORS.is_match(text)
}

/// True when `text` holds a stack trace or framework error page.
pub fn has_stack_trace(text: &str) -> bool {
    STACK_TRACES.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_errors() {
        assert!(has_sql_error(r#"{"error": "near \"'\": syntax error"}"#));
        assert!(has_sql_error("ERROR: syntax error at or near \"'\""));
        assert!(has_sql_error(
            "You have an error in your SQL syntax; check the manual"
        ));
        assert!(has_stack_trace("Traceback (most recent call last):\n  File \"/srv/app/items.py\", line 42, in get_item"));
        assert!(has_stack_trace("\tat com.example.Foo.bar(Foo.java:12)"));
        assert!(has_stack_trace("thread 'main' panicked at src/main.rs:4:5"));
        assert!(!has_stack_trace(
            r#"{"title":"Bad Request","detail":"item_id must be an integer"}"#
        ));
        assert!(!has_sql_error(r#"{"results": []}"#));
    }
}
