//! Backups and health checks.

use std::path::Path;

use super::on_pool;
use super::{Pool, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    /// "ok", or what `PRAGMA integrity_check` found.
    pub integrity: String,
    pub foreign_key_problems: i64,
    pub migrations_applied: i64,
    pub attempts: i64,
    pub servers: i64,
}

impl CheckReport {
    pub fn is_healthy(&self) -> bool {
        self.integrity == "ok" && self.foreign_key_problems == 0
    }
}

impl Store {
    /// A consistent copy of the live database (`VACUUM INTO`), safe while the bot runs.
    /// Refuses to overwrite an existing file. PostgreSQL is backed up with its own tools.
    pub async fn backup(&self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists; choose a new file name",
                target.display()
            )));
        }
        match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(target.to_string_lossy().into_owned())
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::Conflict(
                "`db backup` copies SQLite files; back up PostgreSQL with pg_dump".into(),
            )),
        }
    }

    pub async fn check(&self) -> Result<CheckReport> {
        let (integrity, foreign_key_problems) = match &self.pool {
            Pool::Sqlite(pool) => {
                let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_all(pool)
                    .await?;
                let fk: Vec<(String,)> =
                    sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                        .fetch_all(pool)
                        .await?;
                (
                    integrity.join("; "),
                    i64::try_from(fk.len()).unwrap_or(i64::MAX),
                )
            }
            // PostgreSQL checks pages and foreign keys itself on every write; there is no
            // cheap whole-database check to run here.
            Pool::Postgres(_) => ("ok".to_string(), 0),
        };
        on_pool!(self, pool => {
            let migrations_applied: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                    .fetch_one(pool)
                    .await?;
            let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attempts")
                .fetch_one(pool)
                .await?;
            let servers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM servers")
                .fetch_one(pool)
                .await?;
            Ok(CheckReport {
                integrity,
                foreign_key_problems,
                migrations_applied,
                attempts,
                servers,
            })
        })
    }
}

impl Store {
    /// Refresh the query planner's statistics (after bulk loads).
    pub async fn analyze(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("ANALYZE").execute(pool).await?;
            Ok(())
        })
    }
}
