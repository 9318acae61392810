//! People who signed in at least once, and their roles.

use shared::api::{Language, Operator, Role};
use sqlx::Row;

use super::Conn;
use crate::Result;
use crate::domain::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub email: String,
    pub role: Role,
    pub language: Language,
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    let language: String = row.try_get("language")?;
    Ok(User {
        email: row.try_get("email")?,
        // The column's CHECK constraint allows only known roles.
        role: Role::parse(&role).unwrap_or(Role::Requester),
        language: Language::parse_lossy(&language),
    })
}

pub async fn find(conn: &mut Conn, email: &str) -> Result<Option<User>> {
    let row = sqlx::query("SELECT email, role, language FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// The user with this address, created as a requester if new.
pub async fn ensure(
    conn: &mut Conn,
    email: &str,
    language: Language,
    now: UnixTime,
) -> Result<User> {
    sqlx::query(
        "INSERT INTO users (email, role, language, created_at) VALUES ($1, 'requester', $2, $3) \
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(email)
    .bind(language.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query("SELECT email, role, language FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&mut *conn)
        .await?;
    user_from_row(&row)
}

/// Sets the role, creating the user if needed; returns the role before.
pub async fn set_role(conn: &mut Conn, email: &str, role: Role, now: UnixTime) -> Result<Role> {
    let before = find(&mut *conn, email)
        .await?
        .map_or(Role::Requester, |u| u.role);
    sqlx::query(
        "INSERT INTO users (email, role, language, created_at) VALUES ($1, $2, 'en', $3) \
         ON CONFLICT (email) DO UPDATE SET role = excluded.role",
    )
    .bind(email)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(before)
}

/// Everyone with a role above requester, by address.
pub async fn operators(conn: &mut Conn) -> Result<Vec<Operator>> {
    let rows = sqlx::query(
        "SELECT email, role, language FROM users WHERE role <> 'requester' ORDER BY email",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            user_from_row(r).map(|u| Operator {
                email: u.email,
                role: u.role,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    #[tokio::test]
    async fn roles_round_trip() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        let u = ensure(&mut tx, "a@example.org", Language::De, 1)
            .await
            .unwrap();
        assert_eq!((u.role, u.language), (Role::Requester, Language::De));
        assert_eq!(
            set_role(&mut tx, "a@example.org", Role::Desk, 2)
                .await
                .unwrap(),
            Role::Requester
        );
        assert_eq!(
            set_role(&mut tx, "b@example.org", Role::Admin, 2)
                .await
                .unwrap(),
            Role::Requester
        );
        let again = ensure(&mut tx, "a@example.org", Language::En, 3)
            .await
            .unwrap();
        assert_eq!((again.role, again.language), (Role::Desk, Language::De));
        let ops = operators(&mut tx).await.unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[1].role, Role::Admin);
        tx.commit().await.unwrap();
    }
}
