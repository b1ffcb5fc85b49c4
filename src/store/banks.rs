//! Bank versions and their questions. A bank's text is stored with a content hash, so an
//! attempt always points at the exact question it answered, even after the bank changes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::{Result, Store, ms};
use crate::domain::bank::Bank;

/// A bank version as stored, with its questions' row ids by slug.
#[derive(Debug, Clone)]
pub struct StoredBank {
    pub id: i64,
    pub content_hash: String,
    pub question_ids: HashMap<String, i64>,
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
        let hash = content_hash(source);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(g) = guild_id {
            super::servers::ensure_server(&mut *tx, g, now).await?;
        }
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM banks WHERE ifnull(guild_id, 0) = ifnull(?, 0) AND slug = ? AND content_hash = ?",
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
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
                        "INSERT INTO questions (bank_id, slug, topic, difficulty, prompt, reference) VALUES (?, ?, ?, ?, ?, ?)",
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
        sqlx::query("UPDATE banks SET active = (id = ?) WHERE ifnull(guild_id, 0) = ifnull(?, 0) AND slug = ?")
            .bind(bank_id)
            .bind(guild_id)
            .bind(&bank.meta.id)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query("SELECT slug, id FROM questions WHERE bank_id = ?")
            .bind(bank_id)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let question_ids = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(StoredBank {
            id: bank_id,
            content_hash: hash,
            question_ids,
        })
    }

    /// The exact prompt a stored question had (what an attempt answered).
    pub async fn question_prompt(&self, question_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT prompt FROM questions WHERE id = ?")
                .bind(question_id)
                .fetch_optional(&self.pool)
                .await?,
        )
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
