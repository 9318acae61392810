//! `certdesk keygen` and `certdesk p12`: the browser's crypto core on the command line, for
//! scripts and for people whose browser cannot run the page. Same files, same errors.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use shared::pki::{
    self, Iterations, KeyType, P12Format, Pkcs12Options, PkiError, rand_core::UnwrapErr,
};

use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// rsa-2048, rsa-3072, rsa-4096, ecdsa-p256 or ecdsa-p384
    #[arg(long, default_value_t = KeyType::default(), value_name = "TYPE")]
    pub key_type: KeyType,
    /// Address for the certificate; repeat for several, the first becomes the name
    #[arg(long = "email", required = true, value_name = "ADDR")]
    pub emails: Vec<String>,
    /// Where to write the encrypted key file (never overwritten)
    #[arg(long, value_name = "FILE")]
    pub key_out: PathBuf,
    /// Where to write the certificate request (PEM)
    #[arg(long, value_name = "FILE")]
    pub csr_out: PathBuf,
    /// Read the key file's password from the first line of FILE instead of asking
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct P12Args {
    /// The encrypted key file written by keygen or the web page
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The issued certificate (PEM or DER)
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,
    /// Issuing CA certificates (PEM), issuer first
    #[arg(long, value_name = "FILE")]
    pub chain: Option<PathBuf>,
    /// modern (AES-256, SHA-256) or compatible (3DES, SHA-1 MAC) for older importers
    #[arg(long, default_value_t = P12Format::Modern, value_name = "FORMAT")]
    pub format: P12Format,
    /// Where to write the .p12 (never overwritten)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Read the key file's password from the first line of FILE instead of asking
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Password for the .p12 [default: the key file's password]
    #[arg(long, value_name = "FILE")]
    pub p12_password_file: Option<PathBuf>,
    /// Name mail clients show [default: the certificate's first address]
    #[arg(long, value_name = "NAME")]
    pub friendly_name: Option<String>,
}

fn rng() -> UnwrapErr<getrandom::SysRng> {
    UnwrapErr(getrandom::SysRng)
}

/// Makes a key, its request and the encrypted key file.
pub fn keygen(args: &KeygenArgs) -> Result<()> {
    let emails = pki::normalize_emails(&args.emails)?;
    let password = password(
        args.password_file.as_deref(),
        "Password for the key file",
        true,
    )?;
    eprintln!("generating a {} key …", args.key_type);
    let key = pki::PrivateKey::generate(args.key_type, &mut rng())?;
    let csr = pki::build_csr_pem(&key, &emails)?;
    let key_file = pki::write_key_file(&key, &password, Iterations::PRODUCTION, &mut rng())?;
    write_new(&args.key_out, key_file.as_bytes(), true)?;
    write_new(&args.csr_out, csr.as_bytes(), false)?;
    println!(
        "wrote the key file {} and the request {}\n\
         Keep the key file and its password: without them the certificate is useless, and old \
         keys are needed to read old encrypted mail.",
        args.key_out.display(),
        args.csr_out.display()
    );
    Ok(())
}

/// Merges key file and certificate into a .p12 for mail clients.
pub fn p12(args: &P12Args) -> Result<()> {
    let key_text = std::fs::read_to_string(&args.key).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::Pki(PkiError::NotAKeyFile),
        _ => Error::Io(e),
    })?;
    let file = pki::EncryptedKeyFile::parse(&key_text)?;
    let certs = pki::parse_certificates(&std::fs::read(&args.cert)?)?;
    let mut certs = certs.into_iter();
    let leaf = certs.next().ok_or(PkiError::CertificateInvalid)?;
    // A file holding leaf and chain is fine too; an explicit --chain comes after it.
    let mut chain: Vec<_> = certs.collect();
    if let Some(path) = &args.chain {
        chain.extend(pki::parse_certificates(&std::fs::read(path)?)?);
    }
    let key_password = password(
        args.password_file.as_deref(),
        "Password of the key file",
        false,
    )?;
    let key = file.decrypt(&key_password)?;
    pki::check_key_matches_certificate(&key, &leaf)?;
    let p12_password = match &args.p12_password_file {
        Some(path) => read_password_file(path)?,
        None => key_password,
    };
    let name = args
        .friendly_name
        .clone()
        .unwrap_or_else(|| pki::default_friendly_name(&leaf));
    let der = pki::build_pkcs12(
        &key,
        &leaf,
        &chain,
        &name,
        &p12_password,
        Pkcs12Options::new(args.format),
        &mut rng(),
    )?;
    write_new(&args.out, &der, true)?;
    println!("wrote {} ({} format)", args.out.display(), args.format);
    Ok(())
}

/// A password from the first line of a file (as `openssl -passin file:`), or asked on the
/// terminal; new passwords are asked twice.
fn password(file: Option<&Path>, prompt: &str, confirm: bool) -> Result<String> {
    if let Some(path) = file {
        return read_password_file(path);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Config(
            "no terminal to ask for the password; pass --password-file".into(),
        ));
    }
    let first = rpassword::prompt_password(format!("{prompt}: "))?;
    if first.is_empty() {
        return Err(PkiError::EmptyPassword.into());
    }
    if confirm && rpassword::prompt_password(format!("{prompt} (again): "))? != first {
        return Err(Error::Config("the two passwords differ".into()));
    }
    Ok(first)
}

fn read_password_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        return Err(PkiError::EmptyPassword.into());
    }
    Ok(line.to_owned())
}

/// Writes a file that must not exist yet; secret files are readable by the owner only.
fn write_new(path: &Path, data: &[u8], secret: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Config(format!(
                "{} already exists; not replacing it",
                path.display()
            ))
        } else {
            Error::Io(e)
        }
    })?;
    f.write_all(data)?;
    Ok(())
}
