//! Identity-check evidence and the verified identities it (or an imported list) gives.

use shared::api::{CheckMethod, DocumentType, EvidenceInput, EvidenceView, IdentitySource};
use sqlx::Row;

use super::Conn;
use crate::Result;
use crate::domain::UnixTime;
use crate::domain::requests::intake::IdentityOnFile;

/// A verified identity on file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    pub given_name: String,
    pub surname: String,
    pub verified_at: UnixTime,
    pub source: IdentitySource,
    pub evidence_id: Option<i64>,
}

impl Identity {
    /// What intake's rules look at.
    pub fn on_file(&self) -> IdentityOnFile {
        IdentityOnFile {
            given_name: self.given_name.clone(),
            surname: self.surname.clone(),
            verified_at: self.verified_at,
            source: self.source,
        }
    }
}

pub async fn identity(conn: &mut Conn, email: &str) -> Result<Option<Identity>> {
    let row = sqlx::query(
        "SELECT email, given_name, surname, verified_at, source, evidence_id \
         FROM identities WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let source: String = r.try_get("source")?;
        Ok(Identity {
            email: r.try_get("email")?,
            given_name: r.try_get("given_name")?,
            surname: r.try_get("surname")?,
            verified_at: r.try_get("verified_at")?,
            // The column's CHECK constraint admits only these two.
            source: IdentitySource::parse(&source).unwrap_or(IdentitySource::Import),
            evidence_id: r.try_get("evidence_id")?,
        })
    })
    .transpose()
}

/// Records an identity unless one verified later is on file already (an old list imported
/// again does not undo a recent desk check). True if it was recorded.
pub async fn record_identity(conn: &mut Conn, i: &Identity) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO identities (email, given_name, surname, verified_at, source, evidence_id) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (email) DO UPDATE SET given_name = excluded.given_name, \
         surname = excluded.surname, verified_at = excluded.verified_at, \
         source = excluded.source, evidence_id = excluded.evidence_id \
         WHERE identities.verified_at <= excluded.verified_at",
    )
    .bind(&i.email)
    .bind(&i.given_name)
    .bind(&i.surname)
    .bind(i.verified_at)
    .bind(i.source.as_str())
    .bind(i.evidence_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores what an officer saw; returns its id.
pub async fn insert_evidence(
    conn: &mut Conn,
    email: &str,
    e: &EvidenceInput,
    officer: &str,
    now: UnixTime,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO evidence (email, method, document_type, issuing_authority, issuing_country, \
         document_number, document_expiry, name_on_document, given_name, surname, officer, \
         checked_at, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(email)
    .bind(e.method.as_str())
    .bind(e.document_type.as_str())
    .bind(&e.issuing_authority)
    .bind(&e.issuing_country)
    .bind(&e.document_number)
    .bind(&e.document_expiry)
    .bind(&e.name_on_document)
    .bind(&e.given_name)
    .bind(&e.surname)
    .bind(officer)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

pub async fn evidence(conn: &mut Conn, id: i64) -> Result<Option<EvidenceView>> {
    let row = sqlx::query(
        "SELECT id, email, method, document_type, issuing_authority, issuing_country, \
         document_number, document_expiry, name_on_document, given_name, surname, officer, \
         checked_at FROM evidence WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let method: String = r.try_get("method")?;
        let document_type: String = r.try_get("document_type")?;
        Ok(EvidenceView {
            id: r.try_get("id")?,
            email: r.try_get("email")?,
            input: EvidenceInput {
                // Written only from the API's enums.
                method: CheckMethod::parse(&method).unwrap_or(CheckMethod::InPerson),
                document_type: DocumentType::parse(&document_type)
                    .unwrap_or(DocumentType::Passport),
                issuing_authority: r.try_get("issuing_authority")?,
                issuing_country: r.try_get("issuing_country")?,
                document_number: r.try_get("document_number")?,
                document_expiry: r.try_get("document_expiry")?,
                name_on_document: r.try_get("name_on_document")?,
                given_name: r.try_get("given_name")?,
                surname: r.try_get("surname")?,
            },
            officer: r.try_get("officer")?,
            checked_at: r.try_get("checked_at")?,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    #[tokio::test]
    async fn newer_identities_win() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        let id = |name: &str, at, source| Identity {
            email: "a@example.org".into(),
            given_name: name.into(),
            surname: "L".into(),
            verified_at: at,
            source,
            evidence_id: None,
        };
        assert!(
            record_identity(&mut tx, &id("Desk", 200, IdentitySource::Desk))
                .await
                .unwrap()
        );
        assert!(
            !record_identity(&mut tx, &id("Old list", 100, IdentitySource::Import))
                .await
                .unwrap()
        );
        let got = identity(&mut tx, "a@example.org").await.unwrap().unwrap();
        assert_eq!(
            (got.given_name.as_str(), got.source),
            ("Desk", IdentitySource::Desk)
        );
        assert!(
            record_identity(&mut tx, &id("New list", 300, IdentitySource::Import))
                .await
                .unwrap()
        );
        assert_eq!(identity(&mut tx, "b@example.org").await.unwrap(), None);
        tx.commit().await.unwrap();
    }
}
