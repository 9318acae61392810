//! Issuance jobs and the certificates they produce. A job is recorded in the same
//! transaction as the approval that causes it, before any CA is asked, so a crash never
//! loses an approved request; one job and one certificate per request (primary and unique
//! keys) so a retry never duplicates one.

use super::Conn;
use crate::Result;
use crate::domain::UnixTime;

/// Records that `request_id` is to be issued by `issuer`; call it inside the transaction
/// that approves the request. A second call for the same request changes nothing.
pub async fn enqueue(
    conn: &mut Conn,
    request_id: i64,
    issuer: &str,
    now: UnixTime,
) -> Result<()> {
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
