//! Bank versions and their questions. A bank's text is stored with a content hash, so an
//! attempt always points at the exact question it answered, even after the bank changes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::{Conn, Result, Store, ms, on_conn};
use super::{Engine as _, on_pool};
use crate::domain::bank::Bank;

/// A bank version as stored, with its questions' row ids by slug.
#[derive(Debug, Clone)]
pub struct StoredBank {
    pub id: i64,
    pub content_hash: String,
    pub question_ids: HashMap<String, i64>,
}

/// A bank version with its text, as stored.
#[derive(Debug, Clone)]
pub struct BankVersion {
    pub slug: String,
    pub source: String,
    pub stored: StoredBank,
}

/// One of a server's banks, for `/bank list`.
#[derive(Debug, Clone, PartialEq)]
pub struct BankSummary {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub version: String,
    pub imported_by: Option<i64>,
    pub imported_at: DateTime<Utc>,
    pub questions: i64,
}

/// What `remove_bank` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankRemoval {
    Removed,
    NotFound,
    /// Still drawn from by these schedules and open rounds.
    InUse {
        schedules: Vec<i64>,
        rounds: Vec<i64>,
    },
}

impl StoredBank {
    pub fn question_id(&self, slug: &str) -> Option<i64> {
        self.question_ids.get(slug).copied()
    }
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms (unlike `DefaultHasher`), enough to
/// tell bank versions apart. Not a security measure.
pub fn content_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A bank version's question rows by slug.
async fn question_ids<'c>(db: impl Into<Conn<'c>>, bank_id: i64) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = on_conn!(db.into(), db => sqlx::query_as("SELECT slug, id FROM questions WHERE bank_id = $1")
        .bind(bank_id)
        .fetch_all(db)
        .await)?;
    Ok(rows.into_iter().collect())
}

impl Store {
    /// Store a bank version (idempotent: the same text returns the same rows) and make it the
    /// active version of its id for that server (`None` = the shipped bank).
    pub async fn store_bank(
        &self,
        guild_id: Option<i64>,
        bank: &Bank,
        source: &str,
        imported_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<StoredBank> {
        on_pool!(self, pool => {
            let hash = content_hash(source);
            let mut tx = pool.begin_write().await?;
            if let Some(g) = guild_id {
                super::servers::ensure_server(&mut *tx, g, now).await?;
            }
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM banks WHERE coalesce(guild_id, 0) = coalesce($1, 0) AND slug = $2 AND content_hash = $3",
            )
            .bind(guild_id)
            .bind(&bank.meta.id)
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
            let bank_id = match existing {
                Some(id) => id,
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO banks (guild_id, slug, name, version, content_hash, source, imported_by, imported_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(guild_id)
                    .bind(&bank.meta.id)
                    .bind(&bank.meta.name)
                    .bind(&bank.meta.version)
                    .bind(&hash)
                    .bind(source)
                    .bind(imported_by)
                    .bind(ms(now))
                    .fetch_one(&mut *tx)
                    .await?;
                    for q in &bank.questions {
                        sqlx::query(
                            "INSERT INTO questions (bank_id, slug, topic, difficulty, prompt, reference) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(id)
                        .bind(q.id.as_str())
                        .bind(&q.topic)
                        .bind(q.difficulty.as_str())
                        .bind(&q.prompt)
                        .bind(&q.reference)
                        .execute(&mut *tx)
                        .await?;
                    }
                    id
                }
            };
            sqlx::query("UPDATE banks SET active = CASE WHEN id = $1 THEN 1 ELSE 0 END WHERE coalesce(guild_id, 0) = coalesce($2, 0) AND slug = $3")
                .bind(bank_id)
                .bind(guild_id)
                .bind(&bank.meta.id)
                .execute(&mut *tx)
                .await?;
            let question_ids = question_ids(&mut *tx, bank_id).await?;
            tx.commit().await?;
            Ok(StoredBank {
                id: bank_id,
                content_hash: hash,
                question_ids,
            })
        })
    }

    /// A bank version by row: its text and question rows (to load it for scoring).
    pub async fn bank_version(&self, bank_id: i64) -> Result<Option<BankVersion>> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT id, slug, source, content_hash FROM banks WHERE id = $1")
                .bind(bank_id)
                .fetch_optional(pool)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let question_ids = question_ids(&mut *pool.acquire().await?, bank_id).await?;
            Ok(Some(BankVersion {
                slug: row.try_get(1)?,
                source: row.try_get(2)?,
                stored: StoredBank {
                    id: row.try_get(0)?,
                    content_hash: row.try_get(3)?,
                    question_ids,
                },
            }))
        })
    }

    /// The bank version a stored question belongs to.
    /// Whose question row `question_id` is: `None` when there is no such row, `Some(None)` for
    /// the shipped bank (every server's), `Some(Some(guild))` for a server's own bank.
    pub async fn question_owner(&self, question_id: i64) -> Result<Option<Option<i64>>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT b.guild_id FROM questions q JOIN banks b ON b.id = q.bank_id WHERE q.id = $1",
            )
            .bind(question_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn bank_of_question(&self, question_id: i64) -> Result<Option<i64>> {
        on_pool!(self, pool => {
            Ok(
                sqlx::query_scalar("SELECT bank_id FROM questions WHERE id = $1")
                    .bind(question_id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// The active version of a server's bank by its id (`slug`); `None` when it has none.
    pub async fn active_bank_id(&self, guild_id: i64, slug: &str) -> Result<Option<i64>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT id FROM banks WHERE guild_id = $1 AND slug = $2 AND active = 1",
            )
            .bind(guild_id)
            .bind(slug)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The active version of the bank `bank_id` is a version of (a schedule keeps the version
    /// it was set with and follows later imports of the same bank).
    pub async fn current_version(&self, bank_id: i64) -> Result<Option<i64>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT now.id FROM banks AS was
                 JOIN banks AS now ON coalesce(now.guild_id, 0) = coalesce(was.guild_id, 0)
                                  AND now.slug = was.slug AND now.active = 1
                 WHERE was.id = $1",
            )
            .bind(bank_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Topics of a server's own banks (active versions), in bank and question order.
    pub async fn server_bank_topics(&self, guild_id: i64) -> Result<Vec<String>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "SELECT q.topic FROM questions q JOIN banks b ON b.id = q.bank_id
                 WHERE b.guild_id = $1 AND b.active = 1
                 GROUP BY q.topic ORDER BY min(b.slug), min(q.id)",
            )
            .bind(guild_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// A server's own banks (active versions), by id.
    pub async fn server_banks(&self, guild_id: i64) -> Result<Vec<BankSummary>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT b.id, b.slug, b.name, b.version, b.imported_by, b.imported_ms,
                        (SELECT count(*) FROM questions q WHERE q.bank_id = b.id)
                 FROM banks b WHERE b.guild_id = $1 AND b.active = 1 ORDER BY b.slug",
            )
            .bind(guild_id)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(BankSummary {
                        id: r.try_get(0)?,
                        slug: r.try_get(1)?,
                        name: r.try_get(2)?,
                        version: r.try_get(3)?,
                        imported_by: r.try_get(4)?,
                        imported_at: super::from_ms(r.try_get(5)?),
                        questions: r.try_get(6)?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()
                .map_err(Into::into)
        })
    }

    /// Remove a server's bank: no version stays active, so nothing new draws from it, while
    /// past attempts keep the questions they answered. Refused while a schedule or an open
    /// round uses any version of it.
    pub async fn remove_bank(&self, guild_id: i64, slug: &str) -> Result<BankRemoval> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let active: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM banks WHERE guild_id = $1 AND slug = $2 AND active = 1",
            )
            .bind(guild_id)
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await?;
            if active.is_none() {
                return Ok(BankRemoval::NotFound);
            }
            let schedules: Vec<i64> = sqlx::query_scalar(
                "SELECT s.id FROM schedules s JOIN banks b ON b.id = s.bank_id
                 WHERE b.guild_id = $1 AND b.slug = $2 ORDER BY s.id",
            )
            .bind(guild_id)
            .bind(slug)
            .fetch_all(&mut *tx)
            .await?;
            let rounds: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT r.id FROM rounds r
                 JOIN round_questions rq ON rq.round_id = r.id
                 JOIN questions q ON q.id = rq.question_id
                 JOIN banks b ON b.id = q.bank_id
                 WHERE b.guild_id = $1 AND b.slug = $2 AND r.state IN ('lobby', 'question', 'reveal')
                 ORDER BY r.id",
            )
            .bind(guild_id)
            .bind(slug)
            .fetch_all(&mut *tx)
            .await?;
            if !schedules.is_empty() || !rounds.is_empty() {
                return Ok(BankRemoval::InUse { schedules, rounds });
            }
            sqlx::query("UPDATE banks SET active = 0 WHERE guild_id = $1 AND slug = $2")
                .bind(guild_id)
                .bind(slug)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(BankRemoval::Removed)
        })
    }

    /// The exact prompt a stored question had (what an attempt answered).
    pub async fn question_prompt(&self, question_id: i64) -> Result<Option<String>> {
        on_pool!(self, pool => {
            Ok(
                sqlx::query_scalar("SELECT prompt FROM questions WHERE id = $1")
                    .bind(question_id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_is_stable() {
        // Fixed values: a change here would orphan every stored bank version.
        assert_eq!(content_hash(""), "cbf29ce484222325");
        assert_eq!(content_hash("a"), "af63dc4c8601ec8c");
    }
}
