//! Servers and their members.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::on_pool;
use super::{Conn, Result, Store, StoreError, ms, on_conn};

/// Make sure a server row exists (first contact creates it with UTC).
pub async fn ensure_server<'c>(
    db: impl Into<Conn<'c>>,
    guild_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    on_conn!(db.into(), db => sqlx::query("INSERT INTO servers (guild_id, created_ms) VALUES ($1, $2) ON CONFLICT (guild_id) DO NOTHING")
        .bind(guild_id)
        .bind(ms(now))
        .execute(db)
        .await
        .map(drop))?;
    Ok(())
}

/// Remember a member's display name (shown on boards without asking Discord).
pub async fn upsert_member<'c>(
    db: impl Into<Conn<'c>>,
    guild_id: i64,
    user_id: i64,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_conn!(db.into(), db => sqlx::query(
        "INSERT INTO members (guild_id, user_id, display_name, updated_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, updated_ms = excluded.updated_ms",
    )
    .bind(guild_id)
    .bind(user_id)
    .bind(display_name)
    .bind(ms(now))
    .execute(db)
    .await
    .map(drop))?;
    Ok(())
}

impl Store {
    pub async fn ensure_server(&self, guild_id: i64, now: DateTime<Utc>) -> Result<()> {
        on_pool!(self, pool => {
            ensure_server(&mut *pool.acquire().await?, guild_id, now).await
        })
    }

    pub async fn upsert_member(
        &self,
        guild_id: i64,
        user_id: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            ensure_server(&mut *pool.acquire().await?, guild_id, now).await?;
            upsert_member(&mut *pool.acquire().await?, guild_id, user_id, name, now).await
        })
    }

    /// The server's timezone (UTC until someone sets one).
    pub async fn server_timezone(&self, guild_id: i64) -> Result<Tz> {
        on_pool!(self, pool => {
            let name: Option<String> =
                sqlx::query_scalar("SELECT timezone FROM servers WHERE guild_id = $1")
                    .bind(guild_id)
                    .fetch_optional(pool)
                    .await?;
            match name {
                None => Ok(Tz::UTC),
                Some(n) => n.parse().map_err(|_| {
                    StoreError::Corrupt(format!("server {guild_id} has unknown timezone `{n}`"))
                }),
            }
        })
    }

    pub async fn set_server_timezone(
        &self,
        guild_id: i64,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            ensure_server(&mut *pool.acquire().await?, guild_id, now).await?;
            sqlx::query("UPDATE servers SET timezone = $1 WHERE guild_id = $2")
                .bind(tz.name())
                .bind(guild_id)
                .execute(pool)
                .await?;
            // The digest's next due time follows the new calendar: the next wake works it out.
            sqlx::query("UPDATE digest_settings SET next_due_ms = 0 WHERE guild_id = $1")
                .bind(guild_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }
}

impl Store {
    /// For bulk loads (benchmarks): the servers, then the attempts, in one transaction.
    pub async fn bulk_load(
        &self,
        guild_ids: &[i64],
        attempts: &[super::NewAttempt<'_>],
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for g in guild_ids {
                ensure_server(&mut *tx, *g, now).await?;
            }
            for a in attempts {
                super::insert_attempt(&mut *tx, a).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
