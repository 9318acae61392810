//! Certificate revocation lists. The issuing CA's CRL lists every revoked certificate it
//! issued and is re-signed after each revocation, at start-up and at least daily, valid for at
//! most 7 days (S/MIME BR 4.9.7). The root's CRL (for the issuing CA certificate) is signed at
//! init and re-signed long before it runs out. CRL numbers only grow, also with several
//! servers: the number is reserved in the same transaction that stores the CRL.

use std::sync::Arc;
use std::time::Duration;

use der::asn1::Uint;
use der::{Decode, Encode};
use rsa::signature::Keypair;
use shared::api::RevocationReason;
use tokio::sync::watch;
use x509_cert::Certificate;
use x509_cert::builder::Builder;
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason};
use x509_cert::spki::{DynSignatureAlgorithmIdentifier, EncodePublicKey};

use super::builtin::{BuiltinCa, CaCertificate};
use super::key::CaKey;
use super::x509::{self, internal};
use crate::Result;
use crate::domain::{Env, UnixTime};
use crate::store::ca::{self as repo, CaName, RevokedRow, StoredCrl};
use crate::store::{Conn, Store};

const DAY: i64 = 86_400;
/// How long an issuing CA's CRL is valid (the BR allow at most 10 days; we say 7).
pub const ISSUING_VALIDITY: i64 = 7 * DAY;
/// The issuing CA's CRL is re-signed once it is this old, so it is never older than a day.
pub const ISSUING_REFRESH: i64 = 20 * 3600;
/// How long the root's CRL is valid (the BR allow 12 months).
pub const ROOT_VALIDITY: i64 = 365 * DAY;
/// The root's CRL is re-signed once it is this old, long before it runs out.
pub const ROOT_REFRESH: i64 = 90 * DAY;
/// How often the background task looks whether a CRL is due.
const CHECK_EVERY: Duration = Duration::from_secs(600);

/// One line of a CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub serial: x509_cert::serial_number::SerialNumber,
    pub revoked_at: UnixTime,
    /// RFC 5280 reason; `None` for "unspecified", which the BR want left out.
    pub reason: Option<CrlReason>,
}

/// The reason code for a reason name as stored (`key_compromise`) or as RFC 5280 spells it
/// (`keyCompromise`); `None` for unspecified or unknown names.
pub fn reason_code(name: &str) -> Option<CrlReason> {
    let rfc = [
        ("keyCompromise", RevocationReason::KeyCompromise),
        ("affiliationChanged", RevocationReason::AffiliationChanged),
        ("superseded", RevocationReason::Superseded),
        (
            "cessationOfOperation",
            RevocationReason::CessationOfOperation,
        ),
        ("privilegeWithdrawn", RevocationReason::PrivilegeWithdrawn),
    ];
    let reason = RevocationReason::parse(name)
        .or_else(|| rfc.iter().find(|(n, _)| *n == name).map(|(_, r)| *r))?;
    match reason {
        RevocationReason::Unspecified => None,
        RevocationReason::KeyCompromise => Some(CrlReason::KeyCompromise),
        RevocationReason::AffiliationChanged => Some(CrlReason::AffiliationChanged),
        RevocationReason::Superseded => Some(CrlReason::Superseded),
        RevocationReason::CessationOfOperation => Some(CrlReason::CessationOfOperation),
        RevocationReason::PrivilegeWithdrawn => Some(CrlReason::PrivilegeWithdrawn),
    }
}

/// The revoked rows that `issuer` issued (told by issuer name and key identifier), as entries.
pub fn entries_for(issuer: &Certificate, rows: &[RevokedRow]) -> Result<Vec<Entry>> {
    let key_id = x509::key_identifier(issuer.tbs_certificate().subject_public_key_info())?;
    let mut entries = Vec::new();
    for row in rows {
        let Ok(cert) = Certificate::from_der(&row.der) else {
            tracing::warn!(serial = %row.serial, "a revoked certificate cannot be read; left off the CRL");
            continue;
        };
        let tbs = cert.tbs_certificate();
        let same_key = match tbs.get_extension::<AuthorityKeyIdentifier>() {
            Ok(Some((_, aki))) => aki.key_identifier.as_ref() == Some(&key_id),
            Ok(None) => true,
            Err(_) => false,
        };
        if tbs.issuer() != issuer.tbs_certificate().subject() || !same_key {
            continue;
        }
        let reason = row.reason.as_deref().and_then(|name| {
            let code = reason_code(name);
            if code.is_none() && name != RevocationReason::Unspecified.as_str() {
                tracing::warn!(serial = %row.serial, reason = name, "unknown revocation reason; listed without one");
            }
            code
        });
        entries.push(Entry {
            serial: tbs.serial_number().clone(),
            revoked_at: row.revoked_at,
            reason,
        });
    }
    Ok(entries)
}

/// A CRL as signed: a TBS list the [`Builder`] signs with the issuer's key.
struct CrlToSign(TbsCertList);

impl Builder for CrlToSign {
    type Output = CertificateList;

    fn finalize<S>(&mut self, signer: &S) -> x509_cert::builder::Result<Vec<u8>>
    where
        S: Keypair + DynSignatureAlgorithmIdentifier,
        S::VerifyingKey: EncodePublicKey,
    {
        self.0.signature = signer.signature_algorithm_identifier()?;
        Ok(self.0.to_der()?)
    }

    fn assemble<S>(
        self,
        signature: der::asn1::BitString,
        _signer: &S,
    ) -> x509_cert::builder::Result<Self::Output>
    where
        S: Keypair + DynSignatureAlgorithmIdentifier,
        S::VerifyingKey: EncodePublicKey,
    {
        Ok(CertificateList {
            signature_algorithm: self.0.signature.clone(),
            tbs_cert_list: self.0,
            signature,
        })
    }
}

/// Signs a CRL of `issuer` (v2, with CRL number and the issuer's key identifier).
pub fn sign(
    issuer: &Certificate,
    key: &CaKey,
    number: i64,
    entries: &[Entry],
    this_update: UnixTime,
    next_update: UnixTime,
) -> Result<Vec<u8>> {
    let number = u64::try_from(number).map_err(internal)?;
    let number = Uint::new(&number.to_be_bytes()).map_err(internal)?;
    let aki = x509::authority_key_identifier(issuer.tbs_certificate().subject_public_key_info())?;
    let revoked = entries
        .iter()
        .map(|e| {
            let crl_entry_extensions = e
                .reason
                .map(|r| x509::extension(false, &r).map(|ext| vec![ext]))
                .transpose()?;
            Ok(RevokedCert {
                serial_number: e.serial.clone(),
                revocation_date: x509::time(e.revoked_at)?,
                crl_entry_extensions,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let tbs = TbsCertList {
        version: Version::V2,
        // Replaced by the signer's algorithm when signed.
        signature: issuer.signature_algorithm().clone(),
        issuer: issuer.tbs_certificate().subject().clone(),
        this_update: x509::time(this_update)?,
        next_update: Some(x509::time(next_update)?),
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(vec![
            x509::extension(false, &aki)?,
            x509::extension(false, &CrlNumber(number))?,
        ]),
    };
    key.sign(CrlToSign(tbs))?.to_der().map_err(internal)
}

/// Signs and stores the next CRL of `which` in the caller's transaction.
pub async fn publish_in(
    conn: &mut Conn,
    which: CaName,
    issuer: &CaCertificate,
    key: &CaKey,
    entries: &[Entry],
    now: UnixTime,
) -> Result<StoredCrl> {
    let validity = match which {
        CaName::Root => ROOT_VALIDITY,
        CaName::Issuing => ISSUING_VALIDITY,
    };
    // Never promise beyond the CA certificate's own end.
    let next_update = (now + validity).min(issuer.not_after());
    let number = repo::next_crl_number(conn, which).await?;
    let der = sign(&issuer.cert, key, number, entries, now, next_update)?;
    let crl = StoredCrl {
        number,
        der,
        this_update: now,
        next_update,
    };
    repo::put_crl(conn, which, &crl).await?;
    Ok(crl)
}

/// Re-signs the issuing CA's CRL from the revoked rows of the `certificates` table. Call it
/// after every revocation (after its transaction committed).
pub async fn publish(store: &Store, ca: &BuiltinCa, now: UnixTime) -> Result<StoredCrl> {
    let mut tx = store.begin().await?;
    let rows = repo::revoked(&mut tx).await?;
    let entries = entries_for(&ca.issuing().cert, &rows)?;
    let crl = publish_in(
        &mut tx,
        CaName::Issuing,
        ca.issuing(),
        ca.issuing_key(),
        &entries,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        number = crl.number,
        revoked = entries.len(),
        "issuing CA's CRL published"
    );
    Ok(crl)
}

/// Re-signs the root's CRL (it lists no revoked CA: certdesk never revokes its issuing CA,
/// it replaces the whole CA). Does nothing when the root's key is not held.
pub async fn publish_root(
    store: &Store,
    ca: &BuiltinCa,
    now: UnixTime,
) -> Result<Option<StoredCrl>> {
    let Some(key) = ca.root_key() else {
        return Ok(None);
    };
    let mut tx = store.begin().await?;
    let crl = publish_in(&mut tx, CaName::Root, ca.root(), key, &[], now).await?;
    tx.commit().await?;
    tracing::info!(number = crl.number, "root CA's CRL published");
    Ok(Some(crl))
}

/// Publishes whichever CRL is missing or old enough; `force` publishes the issuing CA's
/// CRL regardless (at start-up).
pub async fn refresh(store: &Store, ca: &BuiltinCa, now: UnixTime, force: bool) -> Result<()> {
    let due = |crl: Option<StoredCrl>, age: i64| crl.is_none_or(|c| now - c.this_update >= age);
    let mut conn = store.conn().await?;
    let issuing_due = force
        || due(
            repo::crl(&mut conn, CaName::Issuing).await?,
            ISSUING_REFRESH,
        );
    let root_due = due(repo::crl(&mut conn, CaName::Root).await?, ROOT_REFRESH);
    drop(conn);
    if issuing_due {
        publish(store, ca, now).await?;
    }
    if root_due {
        publish_root(store, ca, now).await?;
    }
    Ok(())
}

/// The background task: publishes at start-up, then keeps the CRLs fresh until `stop`.
pub async fn run(store: Store, ca: Arc<BuiltinCa>, env: Env, mut stop: watch::Receiver<bool>) {
    let mut force = true;
    loop {
        match refresh(&store, &ca, env.now(), force).await {
            Ok(()) => force = false,
            Err(e) => tracing::warn!(code = e.code(), "CRL: {e}"),
        }
        tokio::select! {
            () = tokio::time::sleep(CHECK_EVERY) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names() {
        assert_eq!(
            reason_code("key_compromise"),
            Some(CrlReason::KeyCompromise)
        );
        assert_eq!(reason_code("keyCompromise"), Some(CrlReason::KeyCompromise));
        assert_eq!(
            reason_code("privilege_withdrawn"),
            Some(CrlReason::PrivilegeWithdrawn)
        );
        assert_eq!(reason_code("unspecified"), None);
        assert_eq!(reason_code("certificateHold"), None);
        for r in RevocationReason::ALL {
            let code = reason_code(r.as_str()).map_or(0, |c| c as u8);
            assert_eq!(code, r.code(), "{r:?}");
        }
    }
}
