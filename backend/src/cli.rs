//! The `certdesk` command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "certdesk",
    version,
    about = "Self-hosted portal for S/MIME e-mail certificates",
    long_about = "certdesk lets staff request S/MIME e-mail certificates: the key is made in the \
                  browser, the service desk checks identities, a certificate authority issues."
)]
pub struct Cli {
    /// Configuration file [default: ./certdesk.toml if present]
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "CERTDESK_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server
    Serve,
    /// Write a commented example configuration and create the data directory
    Init {
        /// Where to write the configuration
        #[arg(long, default_value = crate::config::DEFAULT_FILE, value_name = "FILE")]
        output: PathBuf,
        /// Replace an existing file
        #[arg(long)]
        force: bool,
    },
    /// Manage service-desk officers and administrators
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Check the audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Register role and group mailboxes and who may request their certificates
    #[command(subcommand)]
    Mailbox(crate::requests::cli::MailboxCommand),
    /// Import staff whose identity was already verified
    #[command(subcommand)]
    Identity(crate::requests::cli::IdentityCommand),
    /// Make a key, its certificate request and the encrypted key file
    Keygen(crate::cli_pki::KeygenArgs),
    /// Merge the key file and the issued certificate into a .p12 for mail clients
    P12(crate::cli_pki::P12Args),
    /// Create, import or show the built-in certificate authority
    #[command(subcommand)]
    Ca(crate::ca::cli::CaCommand),
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Give an address the desk or admin role (it need not have signed in yet)
    Add {
        email: String,
        #[arg(long, value_enum)]
        role: OperatorRole,
    },
    /// Take the operator role away; the address stays a requester
    Remove { email: String },
    /// List operators and their roles
    List,
}

/// Roles the command line hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OperatorRole {
    /// Service-desk officer: checks identities, approves, revokes
    Desk,
    /// Administrator (includes desk)
    Admin,
}

impl From<OperatorRole> for shared::api::Role {
    fn from(r: OperatorRole) -> Self {
        match r {
            OperatorRole::Desk => Self::Desk,
            OperatorRole::Admin => Self::Admin,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every link of the hash chain; exits non-zero at the first broken one
    Verify,
}
