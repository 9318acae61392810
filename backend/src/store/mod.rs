//! Persistence: repository functions over sqlx, with migrations for each database.
//!
//! One pool type for both databases: sqlx's `Any` driver. The queries are written once in
//! the SQL both understand (`$n` parameters, `RETURNING`, `ON CONFLICT`, 64-bit integers),
//! so each repository function exists once; what differs (migrations, how a write
//! transaction starts) is chosen by [`Backend`]. An enum over two typed pools would have
//! meant writing every function twice or generic over sqlx's database traits.

pub mod audit;
pub mod auth;
pub mod ca;
pub mod identities;
pub mod issuance;
pub mod mailboxes;
pub mod outbox;
pub mod requests;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Executor};

use crate::{Error, Result};

/// A transaction on either database.
pub type Tx = sqlx::Transaction<'static, Any>;
/// A connection on either database (a transaction dereferences to one).
pub type Conn = sqlx::AnyConnection;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(Error::Config(
                "database_url: must start with sqlite:, postgres:// or postgresql://".into(),
            ))
        }
    }
}

/// Handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the database at `url` (creating a SQLite file if needed) and brings its schema
    /// up to date.
    pub async fn connect(url: &str) -> Result<Self> {
        install_default_drivers();
        let backend = Backend::of_url(url)?;
        let options = match backend {
            Backend::Sqlite => {
                // WAL is a property of the file: set it once, before the pool opens it.
                // Readers then do not block the writer, and a crash loses no committed
                // transaction.
                let mut setup = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .connect()
                    .await?;
                setup.execute("SELECT 1").await?;
                setup.close().await?;
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON")
                                .await?;
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = options
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once, so
    /// reads inside it cannot go stale and fail at the first write.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A connection for reads and single statements.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Converts a count or small number read from the database.
pub(crate) fn to_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A fresh SQLite database in a temporary directory (kept alive by the returned guard).
    pub async fn sqlite() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        (Store::connect(&url).await.unwrap(), dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_opens_in_wal_and_migrates_twice() {
        let (store, dir) = testing::sqlite().await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        store.close().await;
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let again = Store::connect(&url).await.unwrap();
        assert!(again.ping().await);
    }

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::of_url("sqlite://x").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgresql://h/d").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::of_url("mysql://h/d").is_err());
    }
}
