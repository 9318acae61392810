//! The built-in CA's certificates, its passphrase-encrypted keys and its CRLs. In the
//! database, not in files, so that several servers share them and one backup holds all.

use sqlx::Row;

use super::Conn;
use crate::Result;
use crate::domain::UnixTime;

/// Which CA certificate a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaName {
    Root,
    Issuing,
}

impl CaName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::Issuing => "issuing",
        }
    }
}

/// One CA certificate with its key, still encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCa {
    pub certificate: Vec<u8>,
    /// PEM `ENCRYPTED PRIVATE KEY`; `None` for an imported root whose key stays elsewhere.
    pub encrypted_key: Option<String>,
    pub created_at: UnixTime,
}

/// A signed CRL as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCrl {
    pub number: i64,
    pub der: Vec<u8>,
    pub this_update: UnixTime,
    pub next_update: UnixTime,
}

/// A revoked certificate, as a CRL lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedRow {
    /// Lower-case hex.
    pub serial: String,
    pub revoked_at: UnixTime,
    pub reason: Option<String>,
    /// The certificate, to tell which CA issued it.
    pub der: Vec<u8>,
}

/// The CA certificate and key stored under `name`.
pub async fn get(conn: &mut Conn, name: CaName) -> Result<Option<StoredCa>> {
    let row =
        sqlx::query("SELECT certificate, encrypted_key, created_at FROM ca_keys WHERE name = $1")
            .bind(name.as_str())
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(StoredCa {
            certificate: r.try_get("certificate")?,
            encrypted_key: r.try_get("encrypted_key")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Replaces the whole CA (both certificates and keys) and forgets the old CRLs; call it in
/// one transaction so that a half-written CA never exists.
pub async fn replace(conn: &mut Conn, root: &StoredCa, issuing: &StoredCa) -> Result<()> {
    sqlx::query("DELETE FROM crls").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM ca_keys")
        .execute(&mut *conn)
        .await?;
    for (name, ca) in [(CaName::Root, root), (CaName::Issuing, issuing)] {
        sqlx::query(
            "INSERT INTO ca_keys (name, certificate, encrypted_key, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(name.as_str())
        .bind(ca.certificate.clone())
        .bind(ca.encrypted_key.clone())
        .bind(ca.created_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The newest CRL of `ca`.
pub async fn crl(conn: &mut Conn, ca: CaName) -> Result<Option<StoredCrl>> {
    let row = sqlx::query("SELECT number, der, this_update, next_update FROM crls WHERE ca = $1")
        .bind(ca.as_str())
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(StoredCrl {
            number: r.try_get("number")?,
            der: r.try_get("der")?,
            this_update: r.try_get("this_update")?,
            next_update: r.try_get("next_update")?,
        })
    })
    .transpose()
}

/// Reserves the next CRL number of `ca` inside the caller's transaction. The update locks the
/// row, so two servers publishing at once take turns and never sign two CRLs with one number.
pub async fn next_crl_number(conn: &mut Conn, ca: CaName) -> Result<i64> {
    let bumped: Option<i64> =
        sqlx::query_scalar("UPDATE crls SET number = number + 1 WHERE ca = $1 RETURNING number")
            .bind(ca.as_str())
            .fetch_optional(conn)
            .await?;
    Ok(bumped.unwrap_or(1))
}

/// Stores a CRL as the newest of `ca`.
pub async fn put_crl(conn: &mut Conn, ca: CaName, crl: &StoredCrl) -> Result<()> {
    sqlx::query(
        "INSERT INTO crls (ca, number, der, this_update, next_update) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (ca) DO UPDATE SET number = excluded.number, der = excluded.der, \
         this_update = excluded.this_update, next_update = excluded.next_update",
    )
    .bind(ca.as_str())
    .bind(crl.number)
    .bind(crl.der.clone())
    .bind(crl.this_update)
    .bind(crl.next_update)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every revoked certificate, oldest revocation first.
pub async fn revoked(conn: &mut Conn) -> Result<Vec<RevokedRow>> {
    let rows = sqlx::query(
        "SELECT serial, revoked_at, revocation_reason, der FROM certificates \
         WHERE revoked_at IS NOT NULL ORDER BY revoked_at, serial",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(RevokedRow {
                serial: r.try_get("serial")?,
                revoked_at: r.try_get("revoked_at")?,
                reason: r.try_get("revocation_reason")?,
                der: r.try_get("der")?,
            })
        })
        .collect()
}
