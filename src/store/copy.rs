//! Moving a bot from SQLite to PostgreSQL: every table copied row for row into an empty,
//! migrated PostgreSQL database, then the row counts compared.

use sqlx::{Row as _, SqlitePool};

use super::{Pool, Result, Store, StoreError};

/// Every table of the schema, parents before the tables that refer to them. A table the SQLite
/// database has and this list lacks stops the copy: nothing is left behind silently.
const TABLES: &[&str] = &[
    "servers",
    "members",
    "teams",
    "team_members",
    "banks",
    "questions",
    "attempts",
    "score_overrides",
    "appeals",
    "rounds",
    "round_questions",
    "round_participants",
    "schedules",
    "drops",
    "review_states",
    "skill_ratings",
    "question_difficulty",
    "seen_marks",
    "hint_charges",
    "review_log",
    "digest_settings",
    "digests",
    "judge_cache",
    "judge_budget",
];

/// Tables the schema's triggers derive from `attempts`: not copied (copying the attempts rebuilds
/// them on the target), but counted on both sides like the rest.
const DERIVED: &[&str] = &["member_best", "member_totals"];

/// Rows per multi-row INSERT: well under PostgreSQL's 65,535 parameters at the attempts' 26
/// columns.
const BATCH_ROWS: usize = 1_000;

/// One table's rows in the source and, after the copy, in the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: &'static str,
    pub source_rows: i64,
    pub target_rows: i64,
}

/// A column's storage class, from SQLite's declared type.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Integer,
    Real,
    Text,
}

enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

impl Store {
    /// Copy every table of this (SQLite) store into `target` (PostgreSQL, migrated and empty),
    /// in one transaction on the target, and compare row counts. The source is only read.
    pub async fn copy_to(&self, target: &Store) -> Result<Vec<CopiedTable>> {
        let (Pool::Sqlite(source), Pool::Postgres(dest)) = (&self.pool, &target.pool) else {
            return Err(StoreError::Conflict(
                "`db migrate-to` copies a SQLite database (DATABASE_URL) into PostgreSQL (the URL given)"
                    .into(),
            ));
        };
        check_every_table_is_known(source).await?;
        let mut tx = dest.begin().await?;
        for table in TABLES.iter().chain(DERIVED) {
            let rows: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(&mut *tx)
                    .await?;
            if rows > 0 {
                return Err(StoreError::Conflict(format!(
                    "the PostgreSQL database is not empty ({table} has {rows} rows); give a new database"
                )));
            }
        }
        for table in TABLES {
            copy_table(source, &mut tx, table).await?;
        }
        tx.commit().await?;
        let mut report = Vec::with_capacity(TABLES.len() + DERIVED.len());
        for table in TABLES.iter().chain(DERIVED) {
            let count = format!("SELECT COUNT(*) FROM {table}");
            let source_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone()))
                .fetch_one(source)
                .await?;
            let target_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
                .fetch_one(dest)
                .await?;
            report.push(CopiedTable {
                table,
                source_rows,
                target_rows,
            });
        }
        Ok(report)
    }
}

async fn check_every_table_is_known(source: &SqlitePool) -> Result<()> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(source)
    .await?;
    let unknown: Vec<&str> = tables
        .iter()
        .map(String::as_str)
        .filter(|t| !TABLES.contains(t) && !DERIVED.contains(t))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "this binary does not know how to copy the table(s) {}; use the binary that wrote the database",
            unknown.join(", ")
        )))
    }
}

async fn copy_table(
    source: &SqlitePool,
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &'static str,
) -> Result<()> {
    let columns: Vec<(String, Kind)> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid"
    )))
    .fetch_all(source)
    .await?
    .iter()
    .map(|r| {
        let declared: String = r.try_get("type")?;
        let kind = match declared.to_ascii_uppercase().as_str() {
            t if t.contains("INT") => Kind::Integer,
            t if t.contains("REAL") || t.contains("DOUB") => Kind::Real,
            _ => Kind::Text,
        };
        Ok((r.try_get("name")?, kind))
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let select = format!("SELECT {} FROM {table}", names.join(", "));
    let rows = sqlx::query(sqlx::AssertSqlSafe(select))
        .fetch_all(source)
        .await?;
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH_ROWS);
    for row in &rows {
        let mut values = Vec::with_capacity(columns.len());
        for (i, (_, kind)) in columns.iter().enumerate() {
            values.push(match kind {
                Kind::Integer => Value::Integer(row.try_get(i)?),
                Kind::Real => Value::Real(row.try_get(i)?),
                Kind::Text => Value::Text(row.try_get(i)?),
            });
        }
        batch.push(values);
        if batch.len() == BATCH_ROWS {
            insert_batch(tx, table, &names, &batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert_batch(tx, table, &names, &batch).await?;
    }
    if names.contains(&"id") {
        // Copied ids were given explicitly: the identity must continue after the largest.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"
        )))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_batch(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &str,
    names: &[&str],
    batch: &[Vec<Value>],
) -> Result<()> {
    let mut insert: sqlx::QueryBuilder<sqlx::Postgres> =
        sqlx::QueryBuilder::new(format!("INSERT INTO {table} ({}) ", names.join(", ")));
    insert.push_values(batch, |mut b, row| {
        for value in row {
            match value {
                Value::Integer(v) => b.push_bind(*v),
                Value::Real(v) => b.push_bind(*v),
                Value::Text(v) => b.push_bind(v.clone()),
            };
        }
    });
    insert.build().execute(&mut **tx).await?;
    Ok(())
}
