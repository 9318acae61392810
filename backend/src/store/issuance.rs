//! Issuance jobs and the certificates they produce. A job is recorded in the same
//! transaction as the approval that causes it, before any CA is asked, so a crash never
//! loses an approved request; one job and one certificate per request (primary and unique
//! keys) so a retry never duplicates one.

use sqlx::Row;

use super::{Conn, Store};
use crate::Result;
use crate::domain::UnixTime;

/// Records that `request_id` is to be issued by `issuer`; call it inside the transaction
/// that approves the request. A second call for the same request changes nothing.
pub async fn enqueue(conn: &mut Conn, request_id: i64, issuer: &str, now: UnixTime) -> Result<()> {
    sqlx::query(
        "INSERT INTO issue_jobs (request_id, issuer, state, next_attempt_at, created_at) \
         VALUES ($1, $2, 'pending', $3, $3) ON CONFLICT (request_id) DO NOTHING",
    )
    .bind(request_id)
    .bind(issuer)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cancels the pending job of a request that is withdrawn, in the withdrawal's transaction
/// and before the request's row (the worker's lock order). A worker holding the job then
/// finds nothing pending to close and stores no certificate.
pub async fn cancel(conn: &mut Conn, request_id: i64, now: UnixTime) -> Result<()> {
    sqlx::query(
        "UPDATE issue_jobs SET state = 'failed', finished_at = $1, \
         last_error = 'withdrawn by the requester' WHERE request_id = $2 AND state = 'pending'",
    )
    .bind(now)
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An issuance job claimed by one worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub request_id: i64,
    pub issuer: String,
    /// Attempts including this one.
    pub attempts: u32,
    pub upstream_ref: Option<String>,
}

/// What the issuer is told about a request: read from the request, its addresses, the
/// requester's vetted identity and the mailbox register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderData {
    pub request_id: i64,
    pub code: String,
    pub requester: String,
    pub kind: String,
    pub csr_der: Vec<u8>,
    pub addresses: Vec<String>,
    /// The requester's vetted given name and surname, if verified.
    pub identity: Option<(String, String)>,
    /// The registered name of the role or group mailbox (the primary address).
    pub mailbox_name: Option<String>,
}

/// A certificate to store, with the hash of its collect link's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate<'a> {
    pub request_id: i64,
    pub serial: &'a str,
    pub der: &'a [u8],
    pub chain_pem: &'a str,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
    pub collect_token_hash: &'a str,
}

/// A stored certificate with what the collect page and revocation need of its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub serial: String,
    pub request_id: i64,
    pub request_code: String,
    pub requester: String,
    pub kind: String,
    pub addresses: Vec<String>,
    pub der: Vec<u8>,
    pub chain_pem: String,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
    pub collected_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
    pub revocation_reason: Option<String>,
    /// The name the certificate was issued to: the vetted person or the mailbox.
    pub friendly_name: Option<String>,
}

const CERTIFICATE_COLUMNS: &str = "c.serial, c.request_id, r.code, r.requester, r.kind, c.der, \
     c.chain_pem, c.not_before, c.not_after, c.collected_at, c.revoked_at, c.revocation_reason, \
     COALESCE(m.display_name, i.given_name || ' ' || i.surname) AS friendly_name";
const CERTIFICATE_FROM: &str = "certificates c JOIN requests r ON r.id = c.request_id \
     LEFT JOIN request_addresses a ON a.request_id = r.id AND a.position = 0 \
     LEFT JOIN mailboxes m ON m.address = a.address AND r.kind <> 'personal' \
     LEFT JOIN identities i ON i.email = r.requester AND r.kind = 'personal'";

/// The addresses of a request, in certificate order.
pub async fn addresses(conn: &mut Conn, request_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT address FROM request_addresses WHERE request_id = $1 ORDER BY position",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?)
}

/// Everything needed to order the certificate of `request_id`.
pub async fn order_data(conn: &mut Conn, request_id: i64) -> Result<Option<OrderData>> {
    let Some(row) = sqlx::query(
        "SELECT r.code, r.requester, r.kind, r.csr, i.given_name, i.surname \
         FROM requests r LEFT JOIN identities i ON i.email = r.requester WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let addresses = addresses(&mut *conn, request_id).await?;
    let mailbox_name = match addresses.first() {
        Some(primary) => {
            sqlx::query_scalar("SELECT display_name FROM mailboxes WHERE address = $1")
                .bind(primary)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let given: Option<String> = row.try_get("given_name")?;
    let surname: Option<String> = row.try_get("surname")?;
    Ok(Some(OrderData {
        request_id,
        code: row.try_get("code")?,
        requester: row.try_get("requester")?,
        kind: row.try_get("kind")?,
        csr_der: row.try_get("csr")?,
        addresses,
        identity: given.zip(surname),
        mailbox_name,
    }))
}

/// Stores the issued certificate and closes the job, if `owner` still holds its lease.
/// Call inside the transaction that also records the request's new state, the audit entry
/// and the mail; false means another worker took over and the caller must roll back.
pub async fn store_certificate(
    conn: &mut Conn,
    owner: &str,
    cert: &NewCertificate<'_>,
    now: UnixTime,
) -> Result<bool> {
    let closed = sqlx::query(
        "UPDATE issue_jobs SET state = 'done', finished_at = $1, lease_owner = NULL, \
         lease_until = NULL, last_error = NULL \
         WHERE request_id = $2 AND lease_owner = $3 AND state = 'pending'",
    )
    .bind(now)
    .bind(cert.request_id)
    .bind(owner)
    .execute(&mut *conn)
    .await?;
    if closed.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO certificates (serial, request_id, der, chain_pem, not_before, not_after, \
         collect_token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(cert.serial)
    .bind(cert.request_id)
    .bind(cert.der.to_vec())
    .bind(cert.chain_pem)
    .bind(cert.not_before)
    .bind(cert.not_after)
    .bind(cert.collect_token_hash)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Moves a request from one state to another; false if it was not in `from`.
pub async fn set_request_state(
    conn: &mut Conn,
    request_id: i64,
    from: &str,
    to: &str,
    now: UnixTime,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE requests SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4")
            .bind(to)
            .bind(now)
            .bind(request_id)
            .bind(from)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

fn certificate_from_row(row: &sqlx::any::AnyRow, addresses: Vec<String>) -> Result<CertificateRow> {
    Ok(CertificateRow {
        serial: row.try_get("serial")?,
        request_id: row.try_get("request_id")?,
        request_code: row.try_get("code")?,
        requester: row.try_get("requester")?,
        kind: row.try_get("kind")?,
        addresses,
        der: row.try_get("der")?,
        chain_pem: row.try_get("chain_pem")?,
        not_before: row.try_get("not_before")?,
        not_after: row.try_get("not_after")?,
        collected_at: row.try_get("collected_at")?,
        revoked_at: row.try_get("revoked_at")?,
        revocation_reason: row.try_get("revocation_reason")?,
        friendly_name: row.try_get("friendly_name")?,
    })
}

async fn certificate_where(
    conn: &mut Conn,
    condition: &str,
    value: &str,
) -> Result<Option<CertificateRow>> {
    let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM {CERTIFICATE_FROM} WHERE {condition}");
    let Some(row) = sqlx::query(&sql)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let request_id: i64 = row.try_get("request_id")?;
    let addresses = addresses(conn, request_id).await?;
    certificate_from_row(&row, addresses).map(Some)
}

/// The certificate a collect link's token (by its hash) belongs to.
pub async fn certificate_by_token(
    conn: &mut Conn,
    token_hash: &str,
) -> Result<Option<CertificateRow>> {
    certificate_where(conn, "c.collect_token_hash = $1", token_hash).await
}

/// A certificate by its serial (lower-case hex).
pub async fn certificate_by_serial(
    conn: &mut Conn,
    serial: &str,
) -> Result<Option<CertificateRow>> {
    certificate_where(conn, "c.serial = $1", serial).await
}

/// Gives an unrevoked certificate a new collect token (by its hash): the old link stops
/// working. False if the certificate is revoked or unknown.
pub async fn replace_collect_token(
    conn: &mut Conn,
    serial: &str,
    token_hash: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE certificates SET collect_token_hash = $1 WHERE serial = $2 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .bind(serial)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the first collection; false if it was collected before.
pub async fn mark_collected(conn: &mut Conn, serial: &str, now: UnixTime) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE certificates SET collected_at = $1 WHERE serial = $2 AND collected_at IS NULL",
    )
    .bind(now)
    .bind(serial)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a certificate revoked; false if it already was.
pub async fn revoke(
    conn: &mut Conn,
    serial: &str,
    reason: &str,
    by: &str,
    now: UnixTime,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE certificates SET revoked_at = $1, revocation_reason = $2, revoked_by = $3 \
         WHERE serial = $4 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(reason)
    .bind(by)
    .bind(serial)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Store {
    /// Claims the next due issuance job for `owner` until `now + lease`.
    pub async fn claim_issue_job(
        &self,
        owner: &str,
        now: UnixTime,
        lease: i64,
    ) -> Result<Option<Job>> {
        // As with the outbox: the update's condition catches a race with another worker.
        for _ in 0..8 {
            let candidate: Option<i64> = sqlx::query_scalar(
                "SELECT request_id FROM issue_jobs WHERE state = 'pending' \
                 AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
                 ORDER BY next_attempt_at, request_id LIMIT 1",
            )
            .bind(now)
            .fetch_optional(self.pool())
            .await?;
            let Some(request_id) = candidate else {
                return Ok(None);
            };
            let row = sqlx::query(
                "UPDATE issue_jobs SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE request_id = $3 AND state = 'pending' \
                 AND (lease_until IS NULL OR lease_until <= $4) \
                 RETURNING issuer, attempts, upstream_ref",
            )
            .bind(owner)
            .bind(now + lease)
            .bind(request_id)
            .bind(now)
            .fetch_optional(self.pool())
            .await?;
            if let Some(r) = row {
                return Ok(Some(Job {
                    request_id,
                    issuer: r.try_get("issuer")?,
                    attempts: super::to_u32(r.try_get("attempts")?),
                    upstream_ref: r.try_get("upstream_ref")?,
                }));
            }
        }
        Ok(None)
    }

    /// Releases the lease after a failed attempt: retry at `next`, or give up (`failed`).
    pub async fn release_issue_job(
        &self,
        request_id: i64,
        owner: &str,
        outcome: JobOutcome,
        error: &str,
    ) -> Result<()> {
        let (state, next, finished) = match outcome {
            JobOutcome::RetryAt(t) => ("pending", Some(t), None),
            JobOutcome::FailedAt(t) => ("failed", None, Some(t)),
        };
        sqlx::query(
            "UPDATE issue_jobs SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             finished_at = $3, lease_owner = NULL, lease_until = NULL, last_error = $4 \
             WHERE request_id = $5 AND lease_owner = $6",
        )
        .bind(state)
        .bind(next)
        .bind(finished)
        .bind(error)
        .bind(request_id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The state, attempt count and last error of a request's issuance job.
    pub async fn issue_job_state(
        &self,
        request_id: i64,
    ) -> Result<Option<(String, u32, Option<String>)>> {
        let row =
            sqlx::query("SELECT state, attempts, last_error FROM issue_jobs WHERE request_id = $1")
                .bind(request_id)
                .fetch_optional(self.pool())
                .await?;
        row.map(|r| {
            Ok((
                r.try_get("state")?,
                super::to_u32(r.try_get("attempts")?),
                r.try_get("last_error")?,
            ))
        })
        .transpose()
    }

    /// How many certificates exist for a request (one at most, by the schema).
    pub async fn certificate_count(&self, request_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM certificates WHERE request_id = $1")
                .bind(request_id)
                .fetch_one(self.pool())
                .await?,
        )
    }
}

/// How an attempt that did not issue ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    RetryAt(UnixTime),
    FailedAt(UnixTime),
}
