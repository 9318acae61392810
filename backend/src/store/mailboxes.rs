//! The register of role and group mailboxes and their owners.

use shared::api::{MailboxView, RequestKind};
use sqlx::Row;

use super::Conn;
use crate::Result;
use crate::domain::UnixTime;

/// A mailbox with its owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub view: MailboxView,
    pub owners: Vec<String>,
}

fn view_from_row(r: &sqlx::any::AnyRow) -> Result<MailboxView> {
    let kind: String = r.try_get("kind")?;
    Ok(MailboxView {
        address: r.try_get("address")?,
        // The column's CHECK constraint admits only role and group.
        kind: RequestKind::parse(&kind).unwrap_or(RequestKind::Role),
        display_name: r.try_get("display_name")?,
    })
}

async fn owners(conn: &mut Conn, address: &str) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT owner FROM mailbox_owners WHERE address = $1 ORDER BY owner")
            .bind(address)
            .fetch_all(conn)
            .await?,
    )
}

/// Adds a mailbox or replaces its kind, name and owners. True if it was new.
pub async fn put(conn: &mut Conn, m: &Mailbox, now: UnixTime) -> Result<bool> {
    let existed = get(&mut *conn, &m.view.address).await?.is_some();
    sqlx::query(
        "INSERT INTO mailboxes (address, kind, display_name, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (address) DO UPDATE SET kind = excluded.kind, \
         display_name = excluded.display_name",
    )
    .bind(&m.view.address)
    .bind(m.view.kind.as_str())
    .bind(&m.view.display_name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM mailbox_owners WHERE address = $1")
        .bind(&m.view.address)
        .execute(&mut *conn)
        .await?;
    for owner in &m.owners {
        sqlx::query("INSERT INTO mailbox_owners (address, owner) VALUES ($1, $2)")
            .bind(&m.view.address)
            .bind(owner)
            .execute(&mut *conn)
            .await?;
    }
    Ok(!existed)
}

/// Removes a mailbox and its owners; false if there was none.
pub async fn remove(conn: &mut Conn, address: &str) -> Result<bool> {
    // Owners first: the foreign key's cascade is not switched on for SQLite connections.
    sqlx::query("DELETE FROM mailbox_owners WHERE address = $1")
        .bind(address)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM mailboxes WHERE address = $1")
        .bind(address)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn get(conn: &mut Conn, address: &str) -> Result<Option<Mailbox>> {
    let Some(row) =
        sqlx::query("SELECT address, kind, display_name FROM mailboxes WHERE address = $1")
            .bind(address)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let view = view_from_row(&row)?;
    let owners = owners(conn, address).await?;
    Ok(Some(Mailbox { view, owners }))
}

/// Every mailbox with its owners, by address.
pub async fn list(conn: &mut Conn) -> Result<Vec<Mailbox>> {
    let rows = sqlx::query("SELECT address, kind, display_name FROM mailboxes ORDER BY address")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let view = view_from_row(row)?;
        let owners = owners(&mut *conn, &view.address).await?;
        out.push(Mailbox { view, owners });
    }
    Ok(out)
}

/// The mailboxes `owner` may request certificates for, by address.
pub async fn owned_by(conn: &mut Conn, owner: &str) -> Result<Vec<MailboxView>> {
    let rows = sqlx::query(
        "SELECT m.address, m.kind, m.display_name FROM mailboxes m \
         JOIN mailbox_owners o ON o.address = m.address WHERE o.owner = $1 ORDER BY m.address",
    )
    .bind(owner)
    .fetch_all(conn)
    .await?;
    rows.iter().map(view_from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    #[tokio::test]
    async fn put_replaces_owners_and_remove_forgets() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        let mut m = Mailbox {
            view: MailboxView {
                address: "dpo@example.org".into(),
                kind: RequestKind::Role,
                display_name: "Data Protection Officer".into(),
            },
            owners: vec!["a@example.org".into(), "b@example.org".into()],
        };
        assert!(put(&mut tx, &m, 1).await.unwrap());
        m.owners = vec!["c@example.org".into()];
        assert!(!put(&mut tx, &m, 2).await.unwrap());
        assert_eq!(get(&mut tx, "dpo@example.org").await.unwrap().unwrap(), m);
        assert!(owned_by(&mut tx, "a@example.org").await.unwrap().is_empty());
        assert_eq!(
            owned_by(&mut tx, "c@example.org").await.unwrap(),
            [m.view.clone()]
        );
        assert!(remove(&mut tx, "dpo@example.org").await.unwrap());
        assert!(!remove(&mut tx, "dpo@example.org").await.unwrap());
        assert!(list(&mut tx).await.unwrap().is_empty());
        tx.commit().await.unwrap();
    }
}
