//! `certdesk operator …` and `certdesk audit verify`: operator management and the audit
//! check from the command line. Role changes are audited like everything else.

use shared::api::Role;

use crate::cli::OperatorCommand;
use crate::config::Config;
use crate::domain::auth::{EmailRejected, sign_in_address};
use crate::domain::{Clock, SystemClock};
use crate::store::{Store, audit, users};
use crate::{Error, Result};

/// Actor and client recorded for changes made on the command line.
pub const CLI: &str = "cli";

/// Opens the database named by the configuration, creating the data directory if needed.
pub(crate) async fn open(config: &Config) -> Result<Store> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| Error::DataDir {
        path: config.data_dir.clone(),
        reason: format!("cannot create it: {e}"),
    })?;
    Store::connect(&config.database_url()).await
}

pub async fn run(config: &Config, command: OperatorCommand) -> Result<()> {
    let store = open(config).await?;
    let outcome = match command {
        OperatorCommand::Add { email, role } => {
            let email = checked_address(config, &email)?;
            let before = set_role(&store, &email, role.into()).await?;
            println!(
                "{email}: {} (was {})",
                Role::from(role).as_str(),
                before.as_str()
            );
            Ok(())
        }
        OperatorCommand::Remove { email } => {
            let email = checked_address(config, &email)?;
            let before = set_role(&store, &email, Role::Requester).await?;
            println!("{email}: requester (was {})", before.as_str());
            Ok(())
        }
        OperatorCommand::List => {
            let mut conn = store.conn().await?;
            let operators = users::operators(&mut conn).await?;
            if operators.is_empty() {
                println!("no operators; add one with `certdesk operator add EMAIL --role admin`");
            }
            for o in operators {
                println!("{}\t{}", o.email, o.role.as_str());
            }
            Ok(())
        }
    };
    store.close().await;
    outcome
}

fn checked_address(config: &Config, email: &str) -> Result<String> {
    sign_in_address(email, &config.mail_domains).map_err(|e| {
        Error::Usage(match e {
            EmailRejected::Malformed => format!("`{email}` is not a mail address"),
            EmailRejected::ForeignDomain => format!(
                "`{email}` is not in the configured mail_domains ({})",
                config.mail_domains.join(", ")
            ),
        })
    })
}

/// Sets a role and records the change in the audit log, in one transaction.
pub async fn set_role(store: &Store, email: &str, role: Role) -> Result<Role> {
    let now = SystemClock.now();
    let mut tx = store.begin().await?;
    let before = users::set_role(&mut tx, email, role, now).await?;
    if before != role {
        let detail = format!("{} -> {}", before.as_str(), role.as_str());
        let record = audit::Record {
            actor: CLI,
            action: "role_change",
            subject: email,
            client: CLI,
            detail: &detail,
        };
        audit::append(&mut tx, now, &record).await?;
    }
    tx.commit().await?;
    Ok(before)
}

pub async fn verify_audit(config: &Config) -> Result<()> {
    let store = open(config).await?;
    let verification = store.verify_audit().await;
    store.close().await;
    let verification = verification?;
    match verification.first_broken {
        None => {
            println!("audit log intact: {} entries", verification.entries);
            Ok(())
        }
        Some((id, reason)) => Err(Error::AuditBroken { id, reason }),
    }
}
