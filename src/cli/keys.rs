//! `nat keys create|list|revoke`: API keys of the team server, managed in its data dir directly (while
//! no `nat serve` holds it; a running server manages keys through `/api/v1/keys`).

use super::error::CliError;
use super::exit::Exit;
use super::render::TableStyle;
use super::serve::{store_error, DataDirArgs};
use crate::store::keys::{self, ApiKey, Role};
use clap::{Args, Subcommand, ValueEnum};

/// `nat keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: KeysCommand,

    /// The server's data dir.
    #[command(flatten)]
    pub data: DataDirArgs,
}

/// `nat keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once, alone on the last line of stdout
    Create {
        /// A name to tell the key apart (1 to 100 characters), e.g. 'ci'
        #[arg(long, value_name = "NAME")]
        name: String,
        /// What the key may do: read (GET only), scan (also start and cancel scans, triage
        /// findings), admin (also manage keys)
        #[arg(long, value_enum, value_name = "ROLE")]
        role: RoleArg,
    },
    /// List the keys: id, name, role, created, prefix (never the key itself)
    List {
        /// Print the keys as JSON
        #[arg(long)]
        json: bool,
    },
    /// Revoke (delete) a key by its id
    Revoke {
        /// The key's id (`key_…`, see `nat keys list`)
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// `--role` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Read,
    Scan,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Read => Role::Read,
            RoleArg::Scan => Role::Scan,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// Runs `nat keys …`.
pub fn run(args: KeysArgs) -> Result<Exit, CliError> {
    let dir = args.data.resolve()?;
    match args.command {
        KeysCommand::Create { name, role } => {
            let created = keys::create_in(&dir, &name, role.into()).map_err(store_error)?;
            super::stderr_line(&format!(
                "created API key {} ({}, role {}); it is shown once, below:",
                created.key.id,
                created.key.name,
                created.key.role.as_str()
            ));
            super::scan::write_results(None, &format!("{}\n", created.secret))?;
        }
        KeysCommand::List { json } => {
            let keys = keys::list_in(&dir).map_err(store_error)?;
            let text = if json {
                let mut text = serde_json::to_string_pretty(&serde_json::json!({ "keys": keys }))
                    .map_err(|e| {
                    CliError::io("rendering the keys", std::io::Error::other(e))
                })?;
                text.push('\n');
                text
            } else {
                keys_table(&keys, super::scan::table_style(false, false))
            };
            super::scan::write_results(None, &text)?;
        }
        KeysCommand::Revoke { id } => {
            let key = keys::revoke_in(&dir, &id).map_err(store_error)?;
            super::scan::write_results(
                None,
                &format!("revoked API key {} ({})\n", key.id, key.name),
            )?;
        }
    }
    Ok(Exit::Passed)
}

/// The keys as a table (id, name, role, created, prefix), or a line saying there are none.
pub fn keys_table(keys: &[ApiKey], style: TableStyle) -> String {
    if keys.is_empty() {
        return "no API keys (create one with `nat keys create --name NAME --role ROLE`)\n".into();
    }
    let rows = keys
        .iter()
        .map(|k| {
            vec![
                k.id.clone(),
                k.name.clone(),
                k.role.as_str().to_string(),
                k.created_at.clone(),
                format!("{}…", k.prefix),
            ]
        })
        .collect();
    table(&["ID", "Name", "Role", "Created", "Prefix"], rows, style)
}

/// A plain table with a header, for the team-server commands.
pub fn table(header: &[&str], rows: Vec<Vec<String>>, style: TableStyle) -> String {
    use comfy_table::{presets, ContentArrangement, Table};
    let mut t = Table::new();
    if style.terminal {
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        if t.width().is_some_and(|w| w >= 60) {
            t.set_content_arrangement(ContentArrangement::Dynamic);
        }
    } else {
        t.load_preset(presets::ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
    }
    t.force_no_tty();
    t.set_header(header.to_vec());
    for row in rows {
        t.add_row(row);
    }
    let mut text = t.to_string();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_never_shows_a_hash() {
        let dir = tempfile::tempdir().unwrap();
        let created = keys::create_in(dir.path(), "ci", Role::Scan).unwrap();
        let listed = keys::list_in(dir.path()).unwrap();
        let text = keys_table(&listed, TableStyle::default());
        assert!(text.contains(&created.key.id), "{text}");
        assert!(text.contains("nat_"), "{text}");
        assert!(!text.contains(&created.secret), "{text}");
        let json = serde_json::to_string(&listed).unwrap();
        assert!(!json.contains("hash"), "{json}");
    }
}
