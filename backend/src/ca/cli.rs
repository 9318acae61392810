//! `certdesk ca init | import | show`: the built-in CA on the command line, with the same
//! configuration (database, passphrase) as the server.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use zeroize::Zeroizing;

use super::config::{create_passphrase_file, read_passphrase};
use super::key::CaKey;
use super::setup;
use crate::config::Config;
use crate::domain::Env;
use crate::store::Store;
use crate::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Create a root and an issuing CA (key type from ca.key_type) in the database
    Init {
        /// Replace an existing CA; certificates it issued stop validating
        #[arg(long)]
        force: bool,
        /// Do nothing when a CA exists already
        #[arg(long, conflicts_with = "force")]
        if_missing: bool,
        /// First write a random passphrase into the passphrase file (mode 0600) unless it
        /// exists
        #[arg(long)]
        generate_passphrase: bool,
    },
    /// Take over an existing root and issuing CA
    Import {
        /// The root CA certificate (PEM or DER)
        #[arg(long, value_name = "FILE")]
        root: PathBuf,
        /// The issuing CA certificate, signed by the root (PEM or DER)
        #[arg(long, value_name = "FILE")]
        issuing: PathBuf,
        /// The issuing CA's private key (PEM PKCS#8, plain or encrypted)
        #[arg(long, value_name = "FILE")]
        issuing_key: PathBuf,
        /// The root's private key, to sign the root's CRL here [default: the root's key stays
        /// elsewhere]
        #[arg(long, value_name = "FILE")]
        root_key: Option<PathBuf>,
        /// Password of encrypted key files (first line of FILE)
        #[arg(long, value_name = "FILE")]
        key_password_file: Option<PathBuf>,
        /// Replace an existing CA; certificates it issued stop validating
        #[arg(long)]
        force: bool,
    },
    /// Print the CA certificates: subjects, validity, SHA-256 fingerprints, CRLs
    Show,
}

async fn open_store(config: &Config) -> Result<Store> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| Error::DataDir {
        path: config.data_dir.clone(),
        reason: format!("cannot create it: {e}"),
    })?;
    Store::connect(&config.database_url()).await
}

pub async fn run(config: &Config, command: CaCommand) -> Result<()> {
    let store = open_store(config).await?;
    let outcome = run_on(&store, config, command, &Env::default()).await;
    store.close().await;
    outcome
}

async fn run_on(store: &Store, config: &Config, command: CaCommand, env: &Env) -> Result<()> {
    // Both ways to a CA end the same: checked passphrase, stored CA, its description.
    let (ca, passphrase, force) = match command {
        CaCommand::Show => {
            print!("{}", setup::describe(store).await?);
            return Ok(());
        }
        CaCommand::Init {
            force,
            if_missing,
            generate_passphrase,
        } => {
            if if_missing && setup::exists(store).await? {
                println!("a certificate authority exists already; nothing to do");
                return Ok(());
            }
            refuse_to_replace(store, force).await?;
            if generate_passphrase && config.ca.passphrase.is_none() {
                let path = config.ca.passphrase_path(&config.data_dir);
                if create_passphrase_file(&path, env.random.as_ref())? {
                    println!(
                        "wrote a random CA passphrase to {} (mode 0600)",
                        path.display()
                    );
                }
            }
            let passphrase = checked_passphrase(config)?;
            eprintln!("generating the CA keys ({}) …", config.ca.key_type);
            (setup::create(config, env)?, passphrase, force)
        }
        CaCommand::Import {
            root,
            issuing,
            issuing_key,
            root_key,
            key_password_file,
            force,
        } => {
            refuse_to_replace(store, force).await?;
            let passphrase = checked_passphrase(config)?;
            let password = key_password_file.as_deref().map(first_line).transpose()?;
            let password = password.as_deref().map(String::as_str);
            let ca = setup::import(
                setup::parse_certificate(&read(&root)?, "root")?,
                setup::parse_certificate(&read(&issuing)?, "issuing")?,
                read_key(&issuing_key, password)?,
                root_key
                    .as_deref()
                    .map(|p| read_key(p, password))
                    .transpose()?,
                env.now(),
            )?;
            (ca, passphrase, force)
        }
    };
    setup::save(store, &ca, &passphrase, force, env).await?;
    print!("{}", setup::describe(store).await?);
    println!(
        "The CA keys are in the database, encrypted with the CA passphrase: keep the passphrase \
         and database backups apart, and restart running certdesk servers to use the new CA."
    );
    Ok(())
}

/// Fails early, before slow key generation, when a CA exists and `--force` is not given.
async fn refuse_to_replace(store: &Store, force: bool) -> Result<()> {
    if !force && setup::exists(store).await? {
        return Err(Error::CaExists);
    }
    Ok(())
}

fn checked_passphrase(config: &Config) -> Result<Zeroizing<String>> {
    let passphrase = read_passphrase(config)?;
    setup::check_passphrase_strength(&passphrase)?;
    Ok(passphrase)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::CaImport(format!("cannot read {}: {e}", path.display())))
}

fn first_line(path: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(
        String::from_utf8(read(path)?)
            .map_err(|_| Error::CaImport(format!("{} is not text", path.display())))?,
    );
    Ok(Zeroizing::new(text.lines().next().unwrap_or("").to_owned()))
}

/// A PEM PKCS#8 key, plain (`PRIVATE KEY`) or encrypted (`ENCRYPTED PRIVATE KEY`).
fn read_key(path: &Path, password: Option<&str>) -> Result<CaKey> {
    let bytes = Zeroizing::new(read(path)?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::CaImport(format!("{}: not a PEM key file", path.display())))?;
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let password = password.ok_or_else(|| {
            Error::CaImport(format!(
                "{} is encrypted: give its password with --key-password-file",
                path.display()
            ))
        })?;
        let key = shared::pki::read_key_file(text, password)
            .map_err(|e| Error::CaImport(format!("{}: {e}", path.display())))?;
        return Ok(CaKey::new(key));
    }
    let Some(start) = text.find("-----BEGIN PRIVATE KEY-----") else {
        return Err(Error::CaImport(format!(
            "{} holds no PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert it with \
             `openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem`",
            path.display()
        )));
    };
    let (_, der) = der::pem::decode_vec(text[start..].trim_end().as_bytes())
        .map_err(|e| Error::CaImport(format!("{}: damaged PEM: {e}", path.display())))?;
    let der = Zeroizing::new(der);
    CaKey::from_pkcs8_der(&der).map_err(|e| Error::CaImport(format!("{}: {e}", path.display())))
}
