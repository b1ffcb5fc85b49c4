//! Backups and health checks.

use std::path::Path;

use super::{Result, Store, StoreError};

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
    /// Refuses to overwrite an existing file.
    pub async fn backup(&self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists; choose a new file name",
                target.display()
            )));
        }
        sqlx::query("VACUUM INTO ?")
            .bind(target.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn check(&self) -> Result<CheckReport> {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        let fk: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&self.pool)
            .await?;
        let migrations_applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attempts")
            .fetch_one(&self.pool)
            .await?;
        let servers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM servers")
            .fetch_one(&self.pool)
            .await?;
        Ok(CheckReport {
            integrity: integrity.join("; "),
            foreign_key_problems: i64::try_from(fk.len()).unwrap_or(i64::MAX),
            migrations_applied,
            attempts,
            servers,
        })
    }
}

impl Store {
    /// Refresh the query planner's statistics (after bulk loads).
    pub async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }
}
