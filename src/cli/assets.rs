//! `nat generate-assets DIR`: shell completions and man pages, generated from the clap definitions.
//! The generated files are committed at the repository's top (`completions/`, `man/`); a test fails
//! when they are stale.

use super::args::Cli;
use super::error::CliError;
use super::exit::{EXIT_CODES, EXIT_CODES_HELP};
use clap::CommandFactory;
use clap_complete::Shell;
use std::path::{Path, PathBuf};

/// The shells completions are written for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// Writes completions into `dir/completions/` and man pages into `dir/man/`: one per command and
/// subcommand at any depth (`nat.1`, `nat-scan.1`, `nat-keys-create.1`, …); returns the files written.
pub fn generate(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut written = Vec::new();
    let completions = dir.join("completions");
    create_dir(&completions)?;
    let mut cmd = Cli::command();
    for shell in SHELLS {
        let path =
            clap_complete::generate_to(shell, &mut cmd, "nat", &completions).map_err(|e| {
                CliError::io(
                    format!("writing {shell} completions into {}", completions.display()),
                    e,
                )
            })?;
        written.push(path);
    }

    let man = dir.join("man");
    create_dir(&man)?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    debug_assert!(cmd.get_subcommands().all(|s| !s.is_hide_set()));
    let mut pages = Vec::new();
    collect_pages(&cmd, "nat", None, &mut pages);
    for (page, name, exit_help) in pages {
        let path = man.join(format!("{name}.1"));
        let text = man_page(page, exit_help.as_deref())
            .map_err(|e| CliError::io("rendering a man page", e))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::io(format!("writing {}", path.display()), e))?;
        written.push(path);
    }
    Ok(written)
}

fn create_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(format!("creating {}", dir.display()), e))
}

/// `cmd` (page `name`) and its visible subcommands at any depth, each with the `--help` text that
/// holds its exit codes: its own, else its parent's (`nat scans list` exits as `nat scans`).
fn collect_pages(
    cmd: &clap::Command,
    name: &str,
    inherited: Option<String>,
    out: &mut Vec<(clap::Command, String, Option<String>)>,
) {
    let exit_help = cmd.get_after_help().map(|h| h.to_string()).or(inherited);
    out.push((cmd.clone(), name.to_string(), exit_help.clone()));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let sub_name = format!("{name}-{}", sub.get_name());
        collect_pages(sub, &sub_name, exit_help.clone(), out);
    }
}

/// The exit codes listed after `Exit codes:` in a `--help` text (`  0  done`), or nat's general
/// ones ([`EXIT_CODES`]) when there are none.
fn exit_codes(help: Option<&str>) -> Vec<(String, String)> {
    let listed: Vec<(String, String)> = help
        .and_then(|h| h.split_once("Exit codes:\n"))
        .map(|(_, list)| {
            list.lines()
                .filter_map(|l| l.trim().split_once(char::is_whitespace))
                .map(|(code, meaning)| (code.to_string(), meaning.trim().to_string()))
                .collect()
        })
        .unwrap_or_default();
    if listed.is_empty() || help == Some(EXIT_CODES_HELP) {
        EXIT_CODES
            .iter()
            .map(|(c, m)| (c.to_string(), m.to_string()))
            .collect()
    } else {
        listed
    }
}

/// One man page: clap_mangen's page with an EXIT STATUS section in place of the `--help` text that
/// follows the options (the exit codes of `exit_help`, see [`exit_codes`], as a roff list).
fn man_page(cmd: clap::Command, exit_help: Option<&str>) -> std::io::Result<Vec<u8>> {
    let source = format!("nat {}", env!("CARGO_PKG_VERSION"));
    let cmd = cmd.after_help(None::<&str>).after_long_help(None::<&str>);
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .source(source)
        .render(&mut page)?;
    let page = String::from_utf8_lossy(&page).into_owned();

    let mut section = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit_codes(exit_help) {
        section.push_str(&format!(".TP\n\\fB{code}\\fR\n{}\n", roff_escape(&meaning)));
    }
    let text = match page.find(".SH VERSION") {
        Some(at) => format!("{}{section}{}", &page[..at], &page[at..]),
        None => format!("{page}{section}"),
    };
    Ok(text.into_bytes())
}

/// Escapes text for a roff text line.
fn roff_escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_roff() {
        assert_eq!(roff_escape("--fail-on"), "\\-\\-fail\\-on");
        assert_eq!(roff_escape(".x"), "\\&.x");
    }

    #[test]
    fn man_page_has_exit_status() {
        let text = String::from_utf8(man_page(Cli::command(), None).unwrap()).unwrap();
        assert!(text.contains(".SH \"EXIT STATUS\""), "{text}");
        assert!(text.contains("\\fB130\\fR"));
        assert!(!text.contains(".SH EXTRA"));
        assert_eq!(text.matches(".TH ").count(), 1);
        assert!(text.find("EXIT STATUS") < text.find(".SH VERSION"));
    }

    #[test]
    fn every_subcommand_has_a_page_with_its_own_exit_codes() {
        let mut cmd = Cli::command().disable_help_subcommand(true);
        cmd.build();
        let mut pages = Vec::new();
        collect_pages(&cmd, "nat", None, &mut pages);
        let names: Vec<&str> = pages.iter().map(|(_, n, _)| n.as_str()).collect();
        for name in [
            "nat",
            "nat-scan",
            "nat-keys-create",
            "nat-keys-revoke",
            "nat-scans-cancel",
        ] {
            assert!(names.contains(&name), "{name} missing: {names:?}");
        }
        assert!(!names.iter().any(|n| n.ends_with("-help")), "{names:?}");
        let (page, _, help) = pages
            .into_iter()
            .find(|(_, n, _)| n == "nat-scans-list")
            .unwrap();
        let text = String::from_utf8(man_page(page, help.as_deref()).unwrap()).unwrap();
        assert!(text.contains(".TH nat-scans-list 1"), "{text}");
        assert!(text.contains("the server is unreachable"), "{text}");
        assert!(!text.contains("fail\\-on"), "{text}");
    }
}
