//! The mail outbox. A mail is written in the same transaction as the change that causes
//! it; workers claim due mails with a lease, so two workers (or two servers) never deliver
//! the same mail at once, and a worker that dies holding one only delays it until the lease
//! runs out.

use sqlx::Row;

use super::{Conn, Store};
use crate::Result;
use crate::domain::UnixTime;

/// A mail claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub sender: String,
    pub recipient: String,
    /// The complete RFC 5322 message, Message-ID and Date included, fixed when it was queued
    /// so every attempt sends the same bytes.
    pub message: Vec<u8>,
    /// Delivery attempts including this one.
    pub attempts: u32,
}

enum Release {
    RetryAt(UnixTime),
    FailedAt(UnixTime),
}

/// The delivery state of one mail, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailState {
    pub id: i64,
    pub recipient: String,
    pub attempts: u32,
    pub leased: bool,
    pub sent: bool,
    pub failed: bool,
    pub last_error: Option<String>,
}

/// Queues a mail; call it inside the transaction of the change that causes it.
pub async fn enqueue(
    conn: &mut Conn,
    sender: &str,
    recipient: &str,
    message: &[u8],
    now: UnixTime,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO outbox (sender, recipient, message, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(sender)
    .bind(recipient)
    .bind(message.to_vec())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("id")?)
}

impl Store {
    /// Claims the next due mail for `owner` until `now + lease`, or `None` if nothing is due.
    pub async fn claim_mail(
        &self,
        owner: &str,
        now: UnixTime,
        lease: i64,
    ) -> Result<Option<Claimed>> {
        // Another worker may take the candidate between the two statements; the update's
        // condition notices that and we look again.
        for _ in 0..8 {
            let candidate: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL \
                 AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
                 ORDER BY next_attempt_at, id LIMIT 1",
            )
            .bind(now)
            .fetch_optional(self.pool())
            .await?;
            let Some(id) = candidate else {
                return Ok(None);
            };
            let row = sqlx::query(
                "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL \
                 AND (lease_until IS NULL OR lease_until <= $4) \
                 RETURNING sender, recipient, message, attempts",
            )
            .bind(owner)
            .bind(now + lease)
            .bind(id)
            .bind(now)
            .fetch_optional(self.pool())
            .await?;
            if let Some(r) = row {
                return Ok(Some(Claimed {
                    id,
                    sender: r.try_get("sender")?,
                    recipient: r.try_get("recipient")?,
                    message: r.try_get("message")?,
                    attempts: super::to_u32(r.try_get("attempts")?),
                }));
            }
        }
        Ok(None)
    }

    /// Records that the mail server accepted the mail. False if `owner` had lost the lease.
    pub async fn mail_sent(&self, id: i64, owner: &str, now: UnixTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET sent_at = $1, lease_owner = NULL, lease_until = NULL, \
             last_error = NULL, message = $4 WHERE id = $2 AND lease_owner = $3 AND sent_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(owner)
        // Sent mail may carry a sign-in link: the database does not keep it afterwards.
        .bind(Vec::<u8>::new())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Releases the lease and schedules another attempt at `next`.
    pub async fn mail_retry_at(
        &self,
        id: i64,
        owner: &str,
        next: UnixTime,
        error: &str,
    ) -> Result<()> {
        self.release_mail(id, owner, Release::RetryAt(next), error)
            .await
    }

    /// Gives up on a mail the server refused for good (kept, with the reason, for operators).
    pub async fn mail_failed(
        &self,
        id: i64,
        owner: &str,
        now: UnixTime,
        error: &str,
    ) -> Result<()> {
        self.release_mail(id, owner, Release::FailedAt(now), error)
            .await
    }

    async fn release_mail(&self, id: i64, owner: &str, how: Release, error: &str) -> Result<()> {
        let (column, at) = match how {
            Release::RetryAt(t) => ("next_attempt_at", t),
            Release::FailedAt(t) => ("failed_at", t),
        };
        sqlx::query(&format!(
            "UPDATE outbox SET {column} = $1, lease_owner = NULL, lease_until = NULL, \
             last_error = $2 WHERE id = $3 AND lease_owner = $4"
        ))
        .bind(at)
        .bind(error)
        .bind(id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every mail in the outbox, oldest first.
    pub async fn mail_states(&self, now: UnixTime) -> Result<Vec<MailState>> {
        let rows = sqlx::query(
            "SELECT id, recipient, attempts, lease_until, sent_at, failed_at, last_error \
             FROM outbox ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let lease: Option<i64> = r.try_get("lease_until")?;
                let sent: Option<i64> = r.try_get("sent_at")?;
                let failed: Option<i64> = r.try_get("failed_at")?;
                Ok(MailState {
                    id: r.try_get("id")?,
                    recipient: r.try_get("recipient")?,
                    attempts: super::to_u32(r.try_get("attempts")?),
                    leased: lease.is_some_and(|l| l > now),
                    sent: sent.is_some(),
                    failed: failed.is_some(),
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    #[tokio::test]
    async fn lease_excludes_a_second_worker_until_it_runs_out() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        let id = enqueue(&mut tx, "s@x.org", "r@x.org", b"hello", 100)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let a = store.claim_mail("a", 100, 60).await.unwrap().unwrap();
        assert_eq!(
            (a.id, a.attempts, a.message.as_slice()),
            (id, 1, &b"hello"[..])
        );
        assert!(
            store.claim_mail("b", 120, 60).await.unwrap().is_none(),
            "leased"
        );
        // Worker a died; after the lease b takes over, and a can no longer mark it.
        let b = store.claim_mail("b", 161, 60).await.unwrap().unwrap();
        assert_eq!(b.attempts, 2);
        assert!(!store.mail_sent(id, "a", 162).await.unwrap());
        assert!(store.mail_sent(id, "b", 162).await.unwrap());
        assert!(
            store.claim_mail("c", 10_000, 60).await.unwrap().is_none(),
            "sent"
        );
        let states = store.mail_states(10_000).await.unwrap();
        assert!(states[0].sent && !states[0].leased);
    }

    #[tokio::test]
    async fn retry_waits_and_failure_stops() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        let id = enqueue(&mut tx, "s@x.org", "r@x.org", b"m", 100)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store.claim_mail("a", 100, 60).await.unwrap().unwrap();
        store
            .mail_retry_at(id, "a", 130, "connection refused")
            .await
            .unwrap();
        assert!(store.claim_mail("a", 129, 60).await.unwrap().is_none());
        store.claim_mail("a", 130, 60).await.unwrap().unwrap();
        store
            .mail_failed(id, "a", 131, "550 no such user")
            .await
            .unwrap();
        assert!(store.claim_mail("a", 100_000, 60).await.unwrap().is_none());
        let s = &store.mail_states(200).await.unwrap()[0];
        assert!(s.failed && !s.sent);
        assert_eq!(s.last_error.as_deref(), Some("550 no such user"));
    }
}
