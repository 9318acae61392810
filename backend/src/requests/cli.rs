//! `certdesk mailbox …` and `certdesk identity import`: the register of role and group
//! mailboxes, and lists of staff whose identity was verified elsewhere. Imports check every
//! line first and then change everything in one transaction, or nothing.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use shared::api::{IdentitySource, MailboxView, RequestKind};

use super::csv;
use crate::config::Config;
use crate::domain::auth::{EmailRejected, sign_in_address};
use crate::domain::requests::evidence::{format_date, parse_date};
use crate::domain::requests::{identity_reusable, intake as intake_names};
use crate::domain::{Clock, SystemClock};
use crate::operators::{CLI, open};
use crate::store::identities::{self, Identity};
use crate::store::mailboxes::{self, Mailbox};
use crate::store::{Conn, audit};
use crate::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum MailboxCommand {
    /// Register a role or group mailbox, or replace the name and owners of a registered one
    Add {
        address: String,
        #[arg(long, value_enum)]
        kind: MailboxKind,
        /// The name that goes into its certificates, e.g. "Data Protection Officer"
        #[arg(long)]
        name: String,
        /// Who may request certificates for it (repeat for several owners)
        #[arg(long = "owner", value_name = "EMAIL", required = true)]
        owners: Vec<String>,
    },
    /// Register mailboxes from a CSV file: address,kind,name,owners (owners separated by
    /// spaces); all lines or none
    Import { file: PathBuf },
    /// List the registered mailboxes with their kinds, names and owners
    List,
    /// Remove a mailbox from the register (issued certificates stay valid)
    Remove { address: String },
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Load staff whose identity was already verified, from a CSV file:
    /// address,given_name,surname,verified_on (YYYY-MM-DD); all lines or none
    Import { file: PathBuf },
}

/// The kinds of registered mailboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MailboxKind {
    /// A functional role, e.g. the data-protection officer
    Role,
    /// A mailbox a group shares, e.g. a secretariat
    Group,
}

impl From<MailboxKind> for RequestKind {
    fn from(k: MailboxKind) -> Self {
        match k {
            MailboxKind::Role => Self::Role,
            MailboxKind::Group => Self::Group,
        }
    }
}

const MAILBOX_COLUMNS: [&str; 4] = ["address", "kind", "name", "owners"];
const IDENTITY_COLUMNS: [&str; 4] = ["address", "given_name", "surname", "verified_on"];

/// An address in the configured mail domains, in lower case; the error is a sentence.
fn address(config: &Config, raw: &str) -> std::result::Result<String, String> {
    sign_in_address(raw, &config.mail_domains).map_err(|e| match e {
        EmailRejected::Malformed => format!("`{}` is not a mail address", raw.trim()),
        EmailRejected::ForeignDomain => format!(
            "`{}` is not in the configured mail_domains ({})",
            raw.trim(),
            config.mail_domains.join(", ")
        ),
    })
}

/// A checked mailbox from its parts; the error is a sentence.
fn mailbox(
    config: &Config,
    raw_address: &str,
    kind: RequestKind,
    name: &str,
    raw_owners: &[&str],
) -> std::result::Result<Mailbox, String> {
    let address = address(config, raw_address)?;
    let display_name = intake_names::clean_name("name", name)?;
    let mut owners: Vec<String> = Vec::new();
    for raw in raw_owners {
        let owner = self::address(config, raw)?;
        if owner == address {
            return Err(format!(
                "{address} cannot own itself; name the people who use it"
            ));
        }
        if !owners.contains(&owner) {
            owners.push(owner);
        }
    }
    if owners.is_empty() {
        return Err("name at least one owner".into());
    }
    owners.sort();
    Ok(Mailbox {
        view: MailboxView {
            address,
            kind,
            display_name,
        },
        owners,
    })
}

async fn put_audited(conn: &mut Conn, m: &Mailbox, now: i64) -> Result<bool> {
    let new = mailboxes::put(&mut *conn, m, now).await?;
    let detail = format!(
        "{} \"{}\", owners {}",
        m.view.kind.as_str(),
        m.view.display_name,
        m.owners.join(" ")
    );
    audit::append(
        conn,
        now,
        &audit::Record {
            actor: CLI,
            action: if new {
                "mailbox_added"
            } else {
                "mailbox_changed"
            },
            subject: &m.view.address,
            client: CLI,
            detail: &detail,
        },
    )
    .await?;
    Ok(new)
}

pub async fn run_mailbox(config: &Config, command: MailboxCommand) -> Result<()> {
    // Check what can be checked before the database is opened.
    let prepared = match &command {
        MailboxCommand::Add {
            address,
            kind,
            name,
            owners,
        } => {
            let owners: Vec<&str> = owners.iter().map(String::as_str).collect();
            vec![mailbox(config, address, (*kind).into(), name, &owners).map_err(Error::Usage)?]
        }
        MailboxCommand::Import { file } => read_mailboxes(config, file)?,
        MailboxCommand::List | MailboxCommand::Remove { .. } => Vec::new(),
    };
    let store = open(config).await?;
    let now = SystemClock.now();
    let outcome = async {
        match command {
            MailboxCommand::Add { .. } | MailboxCommand::Import { .. } => {
                let mut tx = store.begin().await?;
                let mut added = 0;
                for m in &prepared {
                    if put_audited(&mut tx, m, now).await? {
                        added += 1;
                    }
                }
                tx.commit().await?;
                println!(
                    "{} mailboxes registered ({added} new, {} changed)",
                    prepared.len(),
                    prepared.len() - added
                );
                Ok(())
            }
            MailboxCommand::List => {
                let mut conn = store.conn().await?;
                let all = mailboxes::list(&mut conn).await?;
                if all.is_empty() {
                    println!(
                        "no mailboxes; register one with `certdesk mailbox add ADDRESS --kind role --name NAME --owner EMAIL`"
                    );
                }
                for m in all {
                    println!(
                        "{}\t{}\t{}\t{}",
                        m.view.address,
                        m.view.kind.as_str(),
                        m.view.display_name,
                        m.owners.join(" ")
                    );
                }
                Ok(())
            }
            MailboxCommand::Remove { address: raw } => {
                let address = address(config, &raw).map_err(Error::Usage)?;
                let mut tx = store.begin().await?;
                if !mailboxes::remove(&mut tx, &address).await? {
                    return Err(Error::Usage(format!("{address} is not a registered mailbox")));
                }
                audit::append(
                    &mut tx,
                    now,
                    &audit::Record {
                        actor: CLI,
                        action: "mailbox_removed",
                        subject: &address,
                        client: CLI,
                        detail: "",
                    },
                )
                .await?;
                tx.commit().await?;
                println!("{address} removed");
                Ok(())
            }
        }
    }
    .await;
    store.close().await;
    outcome
}

fn read_mailboxes(config: &Config, file: &Path) -> Result<Vec<Mailbox>> {
    csv::import(
        file,
        MAILBOX_COLUMNS,
        "mailboxes",
        |[address, kind, name, owners]| {
            let kind = match kind.to_ascii_lowercase().as_str() {
                "role" => RequestKind::Role,
                "group" => RequestKind::Group,
                other => return Err(format!("unknown kind `{other}`; use role or group")),
            };
            let owners: Vec<&str> = owners
                .split(|c: char| c.is_whitespace() || c == ';')
                .filter(|s| !s.is_empty())
                .collect();
            let m = mailbox(config, address, kind, name, &owners)?;
            Ok((m.view.address.clone(), m))
        },
    )
}

fn read_identities(config: &Config, file: &Path, now: i64) -> Result<Vec<Identity>> {
    csv::import(
        file,
        IDENTITY_COLUMNS,
        "identities",
        |[address, given_name, surname, verified_on]| {
            let email = self::address(config, address)?;
            let given_name = intake_names::clean_name("given name", given_name)?;
            let surname = intake_names::clean_name("surname", surname)?;
            intake_names::full_name_fits(&given_name, &surname)?;
            let Some(verified_at) = parse_date(verified_on) else {
                return Err(format!("`{verified_on}` is not a date like 2025-09-30"));
            };
            if verified_at > now {
                return Err(format!("{verified_on} lies in the future"));
            }
            let identity = Identity {
                email: email.clone(),
                given_name,
                surname,
                verified_at,
                source: IdentitySource::Import,
                evidence_id: None,
            };
            Ok((email, identity))
        },
    )
}

pub async fn run_identity(config: &Config, command: IdentityCommand) -> Result<()> {
    let IdentityCommand::Import { file } = command;
    let now = SystemClock.now();
    let people = read_identities(config, &file, now)?;
    let store = open(config).await?;
    let outcome = async {
        let mut tx = store.begin().await?;
        let mut recorded = 0;
        for person in &people {
            if !identities::record_identity(&mut tx, person).await? {
                continue;
            }
            recorded += 1;
            let detail = format!(
                "{} {}, verified on {} (import)",
                person.given_name,
                person.surname,
                format_date(person.verified_at)
            );
            audit::append(
                &mut tx,
                now,
                &audit::Record {
                    actor: CLI,
                    action: "identity_imported",
                    subject: &person.email,
                    client: CLI,
                    detail: &detail,
                },
            )
            .await?;
        }
        tx.commit().await?;
        let days = config.requests.evidence_reuse_days;
        let stale = people
            .iter()
            .filter(|p| !identity_reusable(p.verified_at, now, days))
            .count();
        println!(
            "{recorded} identities imported, {} kept (a later verification is on file); {stale} \
             verified longer ago than requests.evidence_reuse_days and so not approving requests",
            people.len() - recorded
        );
        Ok(())
    }
    .await;
    store.close().await;
    outcome
}
