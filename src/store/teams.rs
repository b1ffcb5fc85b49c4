//! Teams: a member belongs to at most one team per server.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Engine as _, on_pool};
use super::{Result, Store, StoreError, ms};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TeamInfo {
    pub name: String,
    pub members: i64,
}

/// Team names are shown on boards: 1–32 characters, no line breaks.
fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 32 || name.contains(['\n', '\r']) {
        return Err(StoreError::Conflict(
            "a team name needs 1 to 32 characters on one line".into(),
        ));
    }
    Ok(name)
}

impl Store {
    /// Create a team; its creator joins it (leaving any other team).
    pub async fn create_team(
        &self,
        guild_id: i64,
        name: &str,
        creator: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            let name = check_name(name)?;
            let mut tx = pool.begin_write().await?;
            super::servers::ensure_server(&mut *tx, guild_id, now).await?;
            let id: i64 = match sqlx::query_scalar(
                "INSERT INTO teams (guild_id, name, created_by, created_ms) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(guild_id)
            .bind(name)
            .bind(creator)
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await
            {
                Ok(id) => id,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict(format!("a team called `{name}` already exists; join it instead")));
                }
                Err(e) => return Err(e.into()),
            };
            sqlx::query(
                "INSERT INTO team_members (guild_id, user_id, team_id, joined_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (guild_id, user_id) DO UPDATE SET team_id = excluded.team_id, joined_ms = excluded.joined_ms",
            )
            .bind(guild_id)
            .bind(creator)
            .bind(id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Join a team by name (any case), leaving the member's previous team.
    pub async fn join_team(
        &self,
        guild_id: i64,
        user_id: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        on_pool!(self, pool => {
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, name FROM teams WHERE guild_id = $1 AND lower(name) = lower($2)",
            )
            .bind(guild_id)
            .bind(name.trim())
            .fetch_optional(pool)
            .await?;
            let (id, canonical) =
                row.ok_or_else(|| StoreError::NotFound(format!("no team called `{}`", name.trim())))?;
            sqlx::query(
                "INSERT INTO team_members (guild_id, user_id, team_id, joined_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (guild_id, user_id) DO UPDATE SET team_id = excluded.team_id, joined_ms = excluded.joined_ms",
            )
            .bind(guild_id)
            .bind(user_id)
            .bind(id)
            .bind(ms(now))
            .execute(pool)
            .await?;
            Ok(canonical)
        })
    }

    /// Leave the current team; returns its name, or `None` when the member had none.
    pub async fn leave_team(&self, guild_id: i64, user_id: i64) -> Result<Option<String>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "DELETE FROM team_members WHERE guild_id = $1 AND user_id = $2
                 RETURNING (SELECT name FROM teams WHERE teams.id = team_members.team_id)",
            )
            .bind(guild_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn list_teams(&self, guild_id: i64) -> Result<Vec<TeamInfo>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT t.name, COUNT(tm.user_id) AS members FROM teams t
                 LEFT JOIN team_members tm ON tm.team_id = t.id
                 WHERE t.guild_id = $1 GROUP BY t.id ORDER BY lower(t.name)",
            )
            .bind(guild_id)
            .fetch_all(pool)
            .await?)
        })
    }
}
