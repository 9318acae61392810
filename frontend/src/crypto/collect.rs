//! The collect page's crypto: what the certificate says of its issuer, and the key file and
//! password turned into the two .p12 files after checking that the key fits the certificate.

use shared::pki::{self, Certificate, P12Format, Pkcs12Options, PkiError};

use super::Engine;

/// How far [`p12_files`] is, for the page to tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectStage {
    Opening,
    Modern,
    Compatible,
}

impl CollectStage {
    pub const ALL: [Self; 3] = [Self::Opening, Self::Modern, Self::Compatible];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opening => "opening",
            Self::Modern => "modern",
            Self::Compatible => "compatible",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|stage| stage.as_str() == s)
    }
}

/// Both files, ready to save.
#[derive(Debug, PartialEq, Eq)]
pub struct P12Files {
    pub modern: Vec<u8>,
    pub compatible: Vec<u8>,
}

/// The leaf (first certificate of `certificate_pem`) and the chain.
fn certificates(
    certificate_pem: &str,
    chain_pem: &str,
) -> Result<(Certificate, Vec<Certificate>), PkiError> {
    let leaf = pki::parse_certificates(certificate_pem.as_bytes())?
        .into_iter()
        .next()
        .ok_or(PkiError::CertificateInvalid)?;
    let chain = if chain_pem.trim().is_empty() {
        Vec::new()
    } else {
        pki::parse_certificates(chain_pem.as_bytes())?
    };
    Ok((leaf, chain))
}

/// The issuer's distinguished name as RFC 4514 writes it.
pub fn issuer_name(certificate_pem: &str) -> Result<String, PkiError> {
    let (leaf, _) = certificates(certificate_pem, "")?;
    Ok(leaf.tbs_certificate().issuer().to_string())
}

/// What the collect page needs to build the files.
pub struct CollectInput<'a> {
    pub certificate_pem: &'a str,
    pub chain_pem: &'a str,
    pub key_file: &'a str,
    pub password: &'a str,
    /// The name mail programs show for the certificate.
    pub friendly_name: &'a str,
}

/// Opens the key file, checks it against the certificate and builds both files, telling
/// `stage` where it is.
pub async fn p12_files(
    c: CollectInput<'_>,
    engine: Engine,
    stage: impl Fn(CollectStage),
) -> Result<P12Files, PkiError> {
    let (leaf, chain) = certificates(c.certificate_pem, c.chain_pem)?;
    stage(CollectStage::Opening);
    let key = super::read_key_file(c.key_file, c.password, engine).await?;
    pki::check_key_matches_certificate(&key, &leaf)?;
    let build = async |format| {
        super::build_pkcs12(
            &key,
            &leaf,
            &chain,
            c.friendly_name,
            c.password,
            Pkcs12Options::new(format),
            engine,
        )
        .await
    };
    stage(CollectStage::Modern);
    let modern = build(P12Format::Modern).await?;
    stage(CollectStage::Compatible);
    let compatible = build(P12Format::Compatible).await?;
    Ok(P12Files { modern, compatible })
}
