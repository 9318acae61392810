use std::path::PathBuf;

/// Everything that can go wrong in the backend. Each variant has a stable code (see
/// [`Error::code`]) that reaches logs and, where a client caused it, the API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(String),

    #[error("data directory {path}: {reason}")]
    DataDir { path: PathBuf, reason: String },

    #[error("cannot listen on {addr}: {source}{hint}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
        hint: &'static str,
    },

    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    #[error("mail: {0}")]
    Mail(String),

    #[error("{0}")]
    Usage(String),

    #[error("audit log broken at entry {id}: {reason}")]
    AuditBroken { id: i64, reason: String },

    #[error("{0}")]
    Io(#[from] std::io::Error),

    /// Keys, requests, key files and .p12 files; the code is the pki error's own.
    #[error("{0}")]
    Pki(#[from] shared::pki::PkiError),

    /// Refused input to a certificate request or a desk decision; the code is the API's.
    #[error("{}", .0.message)]
    Api(#[from] shared::api::ApiError),

    /// A line of an imported CSV file that cannot be taken; nothing was imported.
    #[error("{file} line {line}: {reason}")]
    ImportLine {
        file: PathBuf,
        line: u64,
        reason: String,
    },

    #[error(
        "there is no certificate authority yet: run `certdesk ca init` (or `certdesk ca import`)"
    )]
    CaMissing,

    #[error(
        "a certificate authority exists already; pass --force to replace it (the certificates it issued stop validating)"
    )]
    CaExists,

    #[error("CA passphrase: {0}")]
    CaPassphraseMissing(String),

    #[error("the CA passphrase is wrong: it does not decrypt the CA keys")]
    CaWrongPassphrase,

    #[error("the CA passphrase is too short: use at least {0} characters")]
    CaPassphraseWeak(usize),

    #[error("CA import: {0}")]
    CaImport(String),

    #[error("CA import: the {0} key does not belong to the {0} certificate")]
    CaKeyMismatch(&'static str),

    #[error("the certificate authority's data is damaged: {0}")]
    CaDamaged(String),

    /// An order the certificate profile does not allow; the code is the violation's own.
    #[error("certificate profile: {0}")]
    Profile(crate::ca::ProfileViolation),

    #[error("certificate authority: {0}")]
    CaInternal(String),
}

impl Error {
    /// Stable, searchable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "config_invalid",
            Self::DataDir { .. } => "data_dir_unusable",
            Self::Listen { .. } => "listen_failed",
            Self::Database(_) => "database_error",
            Self::Migrate(_) => "database_migration_failed",
            Self::Mail(_) => "mail_error",
            Self::Usage(_) => "usage_error",
            Self::AuditBroken { .. } => "audit_chain_broken",
            Self::Io(_) => "io_error",
            Self::Pki(e) => e.code(),
            Self::Api(e) => e.code.as_str(),
            Self::ImportLine { .. } => "import_line_invalid",
            Self::CaMissing => "ca_missing",
            Self::CaExists => "ca_exists",
            Self::CaPassphraseMissing(_) => "ca_passphrase_missing",
            Self::CaWrongPassphrase => "ca_wrong_passphrase",
            Self::CaPassphraseWeak(_) => "ca_passphrase_weak",
            Self::CaImport(_) => "ca_import_invalid",
            Self::CaKeyMismatch(_) => "ca_key_mismatch",
            Self::CaDamaged(_) => "ca_damaged",
            Self::Profile(v) => v.code(),
            Self::CaInternal(_) => "ca_internal",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
