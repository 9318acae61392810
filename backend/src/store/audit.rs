//! The audit log: append-only, each entry carrying the hash of the one before, so changing,
//! deleting or inserting an entry breaks the chain at that point.

use sha2::{Digest, Sha256};
use shared::api::AuditEntry;
use sqlx::Row;

use super::{Conn, Store};
use crate::Result;
use crate::domain::UnixTime;

/// What to record; the time and the chain are added by [`append`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub client: &'a str,
    pub detail: &'a str,
}

/// The hash of an entry: SHA-256 over a JSON array of all its fields and the previous hash,
/// which is unambiguous however the fields are filled.
pub fn entry_hash(e: &AuditEntry, prev_hash: &str) -> String {
    let canonical = serde_json::json!([
        e.id, e.at, e.actor, e.action, e.subject, e.client, e.detail, prev_hash
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends an entry inside the caller's transaction.
pub async fn append(conn: &mut Conn, now: UnixTime, r: &Record<'_>) -> Result<i64> {
    // Updating the head row first locks it (a row lock on PostgreSQL, the write lock on
    // SQLite) until commit: concurrent appends queue up instead of forking the chain.
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE one = 1 RETURNING seq, head_hash")
            .fetch_one(&mut *conn)
            .await?;
    let id: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("head_hash")?;
    let entry = AuditEntry {
        id,
        at: now,
        actor: r.actor.to_owned(),
        action: r.action.to_owned(),
        subject: r.subject.to_owned(),
        client: r.client.to_owned(),
        detail: r.detail.to_owned(),
    };
    let hash = entry_hash(&entry, &prev);
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, subject, client, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(now)
    .bind(r.actor)
    .bind(r.action)
    .bind(r.subject)
    .bind(r.client)
    .bind(r.detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET head_hash = $1 WHERE one = 1")
        .bind(&hash)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries checked.
    pub entries: u64,
    /// The first entry (by id) where the chain is broken, and why; `None` if intact.
    pub first_broken: Option<(i64, String)>,
}

const PAGE: i64 = 1000;

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<(AuditEntry, String, String)> {
    Ok((
        AuditEntry {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            subject: r.try_get("subject")?,
            client: r.try_get("client")?,
            detail: r.try_get("detail")?,
        },
        r.try_get("prev_hash")?,
        r.try_get("hash")?,
    ))
}

const COLUMNS: &str = "id, at, actor, action, subject, client, detail, prev_hash, hash";

impl Store {
    /// Walks the chain from the first entry and reports the first broken link.
    pub async fn verify_audit(&self) -> Result<Verification> {
        let mut expected_id = 1i64;
        let mut prev = String::new();
        let mut entries = 0u64;
        let broken = |entries: u64, id: i64, why: &str| {
            Ok(Verification {
                entries,
                first_broken: Some((id, why.to_owned())),
            })
        };
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE id >= $1 ORDER BY id LIMIT {PAGE}"
            ))
            .bind(expected_id)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let (entry, prev_hash, hash) = entry_from_row(row)?;
                if entry.id != expected_id {
                    return broken(entries, expected_id, "entry is missing");
                }
                if prev_hash != prev {
                    return broken(entries, entry.id, "does not link to the entry before it");
                }
                if entry_hash(&entry, &prev_hash) != hash {
                    return broken(entries, entry.id, "content does not match its hash");
                }
                prev = hash;
                expected_id += 1;
                entries += 1;
            }
        }
        // Deleting the newest entries leaves a consistent chain; the head row notices.
        let head = sqlx::query("SELECT seq, head_hash FROM audit_head WHERE one = 1")
            .fetch_one(self.pool())
            .await?;
        let seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("head_hash")?;
        if seq != expected_id - 1 || head_hash != prev {
            return broken(entries, expected_id, "newest entries are missing");
        }
        Ok(Verification {
            entries,
            first_broken: None,
        })
    }

    /// The newest `limit` entries, newest first.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| entry_from_row(r).map(|e| e.0))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    fn rec(subject: &str) -> Record<'_> {
        Record {
            actor: "cli",
            action: "role_change",
            subject,
            client: "cli",
            detail: "requester -> desk",
        }
    }

    async fn three() -> (Store, tempfile::TempDir) {
        let (store, dir) = testing::sqlite().await;
        for s in ["a@x.org", "b@x.org", "c@x.org"] {
            let mut tx = store.begin().await.unwrap();
            append(&mut tx, 10, &rec(s)).await.unwrap();
            tx.commit().await.unwrap();
        }
        (store, dir)
    }

    #[tokio::test]
    async fn intact_chain_verifies() {
        let (store, _dir) = three().await;
        let v = store.verify_audit().await.unwrap();
        assert_eq!(
            v,
            Verification {
                entries: 3,
                first_broken: None
            }
        );
        assert_eq!(store.recent_audit(2).await.unwrap()[0].subject, "c@x.org");
    }

    #[tokio::test]
    async fn edit_delete_and_truncation_are_found() {
        for (tamper, first_broken) in [
            ("UPDATE audit_log SET subject = 'z@x.org' WHERE id = 2", 2),
            ("UPDATE audit_log SET prev_hash = hash WHERE id = 2", 2),
            ("DELETE FROM audit_log WHERE id = 2", 2),
            ("DELETE FROM audit_log WHERE id = 3", 3),
        ] {
            let (store, _dir) = three().await;
            sqlx::query(tamper).execute(store.pool()).await.unwrap();
            let v = store.verify_audit().await.unwrap();
            assert_eq!(v.first_broken.unwrap().0, first_broken, "{tamper}");
        }
    }
}
