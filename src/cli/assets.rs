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

/// One man page: clap_mangen's sections, with an EXIT STATUS section in place of the `--help` text
/// that follows the options.
fn man_page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let has_options = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let has_version = cmd.get_version().is_some();
    let man = clap_mangen::Man::new(cmd);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if has_options {
        man.render_options_section(&mut out)?;
    }
    if has_subcommands {
        man.render_subcommands_section(&mut out)?;
    }
    out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in EXIT_CODES {
        out.extend_from_slice(
            format!(".TP\n\\fB{code}\\fR\n{}\n", roff_escape(meaning)).as_bytes(),
        );
    }
    if has_version {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
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
    }
}
