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
}
