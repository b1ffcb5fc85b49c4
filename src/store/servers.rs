//! Servers and their members.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::SqliteExecutor;

use super::{Result, Store, StoreError, ms};

/// Make sure a server row exists (first contact creates it with UTC).
pub async fn ensure_server(
    db: impl SqliteExecutor<'_>,
    guild_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO servers (guild_id, created_ms) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING")
        .bind(guild_id)
        .bind(ms(now))
        .execute(db)
        .await?;
    Ok(())
}

/// Remember a member's display name (shown on boards without asking Discord).
pub async fn upsert_member(
    db: impl SqliteExecutor<'_>,
    guild_id: i64,
    user_id: i64,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO members (guild_id, user_id, display_name, updated_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, updated_ms = excluded.updated_ms",
    )
    .bind(guild_id)
    .bind(user_id)
    .bind(display_name)
    .bind(ms(now))
    .execute(db)
    .await?;
    Ok(())
}

impl Store {
    pub async fn ensure_server(&self, guild_id: i64, now: DateTime<Utc>) -> Result<()> {
        ensure_server(&self.pool, guild_id, now).await
    }

    pub async fn upsert_member(
        &self,
        guild_id: i64,
        user_id: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        ensure_server(&self.pool, guild_id, now).await?;
        upsert_member(&self.pool, guild_id, user_id, name, now).await
    }

    /// The server's timezone (UTC until someone sets one).
    pub async fn server_timezone(&self, guild_id: i64) -> Result<Tz> {
        let name: Option<String> =
            sqlx::query_scalar("SELECT timezone FROM servers WHERE guild_id = ?")
                .bind(guild_id)
                .fetch_optional(&self.pool)
                .await?;
        match name {
            None => Ok(Tz::UTC),
            Some(n) => n.parse().map_err(|_| {
                StoreError::Corrupt(format!("server {guild_id} has unknown timezone `{n}`"))
            }),
        }
    }

    pub async fn set_server_timezone(
        &self,
        guild_id: i64,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<()> {
        ensure_server(&self.pool, guild_id, now).await?;
        sqlx::query("UPDATE servers SET timezone = ? WHERE guild_id = ?")
            .bind(tz.name())
            .bind(guild_id)
            .execute(&self.pool)
            .await?;
        // The digest's next due time follows the new calendar: the next wake works it out.
        sqlx::query("UPDATE digest_settings SET next_due_ms = 0 WHERE guild_id = ?")
            .bind(guild_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// For bulk loads (benchmarks, imports) inside a caller's transaction.
pub async fn insert_server_for_bench(
    db: impl SqliteExecutor<'_>,
    guild_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    ensure_server(db, guild_id, now).await
}
