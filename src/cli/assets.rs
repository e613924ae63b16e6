//! `nat generate-assets DIR`: shell completions and man pages, generated from the clap definitions.
//! The generated files are committed at the repository's top (`completions/`, `man/`); a test fails
//! when they are stale.

use super::args::Cli;
use super::error::CliError;
use super::exit::EXIT_CODES;
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

/// Writes completions into `dir/completions/` and man pages (`nat.1`, `nat-scan.1`, …) into
/// `dir/man/`; returns the files written.
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
    let mut pages = vec![(cmd.clone(), man.join("nat.1"))];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push((sub.clone(), man.join(format!("nat-{}.1", sub.get_name()))));
    }
    for (page, path) in pages {
        let text = man_page(page).map_err(|e| CliError::io("rendering a man page", e))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::io(format!("writing {}", path.display()), e))?;
        written.push(path);
    }
    Ok(written)
}

fn create_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(format!("creating {}", dir.display()), e))
}

/// One man page: clap_mangen's page with an EXIT STATUS section in place of the `--help` text that
/// follows the options (the same exit codes, as a roff list).
fn man_page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let source = format!("nat {}", env!("CARGO_PKG_VERSION"));
    let cmd = cmd.after_help(None::<&str>).after_long_help(None::<&str>);
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .source(source)
        .render(&mut page)?;
    let page = String::from_utf8_lossy(&page).into_owned();

    let mut section = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in EXIT_CODES {
        section.push_str(&format!(".TP\n\\fB{code}\\fR\n{}\n", roff_escape(meaning)));
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
        let text = String::from_utf8(man_page(Cli::command()).unwrap()).unwrap();
        assert!(text.contains(".SH \"EXIT STATUS\""), "{text}");
        assert!(text.contains("\\fB130\\fR"));
        assert!(!text.contains(".SH EXTRA"));
        assert_eq!(text.matches(".TH ").count(), 1);
        assert!(text.find("EXIT STATUS") < text.find(".SH VERSION"));
    }
}
