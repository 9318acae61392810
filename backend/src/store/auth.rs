//! Sign-in tokens, sessions and rate-limit events. Secrets arrive here already hashed.

use shared::api::{Language, Role};
use sqlx::Row;

use super::{Conn, to_u32};
use crate::Result;
use crate::domain::UnixTime;

/// Sign-in tokens are kept this long after expiry, so a late click still gets "expired"
/// rather than "unknown".
const TOKEN_KEEP_AFTER_EXPIRY: i64 = 7 * 24 * 3600;

pub async fn insert_token(
    conn: &mut Conn,
    token_hash: &str,
    email: &str,
    language: Language,
    now: UnixTime,
    expires_at: UnixTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO signin_tokens (token_hash, email, language, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(email)
    .bind(language.as_str())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM signin_tokens WHERE expires_at < $1")
        .bind(now - TOKEN_KEEP_AFTER_EXPIRY)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks an unused, unexpired token used and returns its address and language. One
/// statement, so two concurrent uses of the same token cannot both succeed.
pub async fn consume_token(
    conn: &mut Conn,
    token_hash: &str,
    now: UnixTime,
) -> Result<Option<(String, Language)>> {
    let row = sqlx::query(
        "UPDATE signin_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING email, language",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let lang: String = r.try_get("language")?;
        Ok((r.try_get("email")?, Language::parse_lossy(&lang)))
    })
    .transpose()
}

/// `(used_at, expires_at)` of a token, to explain why it could not be consumed.
pub async fn token_state(
    conn: &mut Conn,
    token_hash: &str,
) -> Result<Option<(Option<UnixTime>, UnixTime)>> {
    let row = sqlx::query("SELECT used_at, expires_at FROM signin_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("used_at")?, r.try_get("expires_at")?)))
        .transpose()
}

/// A live session as the extractor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub email: String,
    pub role: Role,
    pub language: Language,
    pub created_at: UnixTime,
    pub last_seen: UnixTime,
}

pub async fn create_session(
    conn: &mut Conn,
    id_hash: &str,
    email: &str,
    now: UnixTime,
    client: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, email, created_at, last_seen, client) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(id_hash)
    .bind(email)
    .bind(now)
    .bind(client)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn session(conn: &mut Conn, id_hash: &str) -> Result<Option<SessionRow>> {
    let row = sqlx::query(
        "SELECT s.email, u.role, u.language, s.created_at, s.last_seen \
         FROM sessions s JOIN users u ON u.email = s.email WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        let lang: String = r.try_get("language")?;
        Ok(SessionRow {
            email: r.try_get("email")?,
            role: Role::parse(&role).unwrap_or(Role::Requester),
            language: Language::parse_lossy(&lang),
            created_at: r.try_get("created_at")?,
            last_seen: r.try_get("last_seen")?,
        })
    })
    .transpose()
}

pub async fn touch_session(conn: &mut Conn, id_hash: &str, now: UnixTime) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes a session; true if there was one.
pub async fn delete_session(conn: &mut Conn, id_hash: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Requests in `bucket` since `since`: how many, and when the oldest was.
pub async fn rate_count(
    conn: &mut Conn,
    bucket: &str,
    since: UnixTime,
) -> Result<(u32, Option<UnixTime>)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_events WHERE bucket = $1 AND at > $2",
    )
    .bind(bucket)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok((to_u32(row.try_get("n")?), row.try_get("oldest")?))
}

/// Records one request in each bucket and forgets those older than `forget_before`.
pub async fn rate_record(
    conn: &mut Conn,
    buckets: &[&str],
    now: UnixTime,
    forget_before: UnixTime,
) -> Result<()> {
    for bucket in buckets {
        sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)")
            .bind(*bucket)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM rate_events WHERE at <= $1")
        .bind(forget_before)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{testing, users};

    #[tokio::test]
    async fn token_is_single_use_and_expires() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        insert_token(&mut tx, "h1", "a@example.org", Language::De, 100, 200)
            .await
            .unwrap();
        assert_eq!(
            consume_token(&mut tx, "h1", 200).await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(
            consume_token(&mut tx, "h1", 150).await.unwrap(),
            Some(("a@example.org".into(), Language::De))
        );
        assert_eq!(
            consume_token(&mut tx, "h1", 151).await.unwrap(),
            None,
            "used"
        );
        assert_eq!(
            token_state(&mut tx, "h1").await.unwrap(),
            Some((Some(150), 200))
        );
        assert_eq!(token_state(&mut tx, "nope").await.unwrap(), None);
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn sessions_and_rates() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        users::ensure(&mut tx, "a@example.org", Language::En, 1)
            .await
            .unwrap();
        create_session(&mut tx, "s1", "a@example.org", 10, "127.0.0.1")
            .await
            .unwrap();
        touch_session(&mut tx, "s1", 20).await.unwrap();
        let s = session(&mut tx, "s1").await.unwrap().unwrap();
        assert_eq!(
            (s.created_at, s.last_seen, s.role),
            (10, 20, Role::Requester)
        );
        assert!(delete_session(&mut tx, "s1").await.unwrap());
        assert!(session(&mut tx, "s1").await.unwrap().is_none());

        rate_record(&mut tx, &["a", "b"], 100, 0).await.unwrap();
        rate_record(&mut tx, &["a"], 110, 0).await.unwrap();
        assert_eq!(rate_count(&mut tx, "a", 50).await.unwrap(), (2, Some(100)));
        assert_eq!(rate_count(&mut tx, "a", 100).await.unwrap(), (1, Some(110)));
        rate_record(&mut tx, &["c"], 200, 105).await.unwrap();
        assert_eq!(rate_count(&mut tx, "a", 0).await.unwrap(), (1, Some(110)));
        tx.commit().await.unwrap();
    }
}
