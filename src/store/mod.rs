//! The bot's memory, through sqlx: SQLite (the embedded default) or PostgreSQL (several bot
//! processes on one database), chosen by the `DATABASE_URL` scheme. The only module that knows
//! SQL.
//!
//! Methods take plain ids (Discord snowflakes as `i64`) and domain types. Queries that may run
//! inside a caller's transaction are free functions over a [`Conn`]; [`Store`] offers the same
//! on its pool. All queries are plain `query`/`query_as` (no compile-time macros), each covered
//! by the tests in `tests/suite/store.rs`, which run on both engines.
//!
//! One implementation serves both engines: sqlx's `Any` driver has no chrono types, so instead
//! [`on_pool!`] and [`on_conn!`] expand a method's body once per engine, with the same SQL text
//! (`$1` placeholders, which sqlx-sqlite accepts too) bound to each engine's own types. Where the
//! dialects differ, [`Engine::pick`] chooses the text. Each engine has its own forward-only
//! migrations (`migrations/` and `migrations/postgres/`).

mod attempts;
mod banks;
mod boards;
mod coaching;
mod copy;
mod daily;
mod digests;
pub mod judgements;
mod leases;
mod maintenance;
mod moderation;
pub mod reviews;
mod rounds;
mod servers;
mod states;
mod stats;
mod teams;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::migrate::MigrateError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, SqliteConnection, SqlitePool};

pub(crate) use attempts::insert_attempt;
pub use attempts::{AttemptContext, DEFAULT_COOLING_OFF_DAYS, NewAttempt, Recorded, SeenSource};
pub use banks::{BankRemoval, BankSummary, BankVersion, StoredBank};
pub use boards::{BoardQuery, BoardRow, Page, TeamRow};
pub use copy::CopiedTable;
pub use daily::{DropAnswer, DropRow, NewSchedule, ScheduleRow};
pub use digests::{DigestRow, DigestSetting};
pub use leases::Leased;
pub use maintenance::CheckReport;
pub use moderation::{FlaggedAnswer, JUDGES_DISAGREE, OverrideNote};
pub use rounds::{NewRound, Participant, RoundAnswer, RoundRow};
pub use servers::{ensure_server, upsert_member};
pub use states::{DropState, RoundEnd, RoundState, UnknownState};
pub use stats::{MemberStats, TopicAverage};
pub use teams::TeamInfo;

/// Where the database lives unless `DATABASE_URL` says otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://interview-bot.db";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not a SQLite database; refusing to touch it (check DATABASE_URL)")]
    NotADatabase { path: PathBuf },
    #[error(
        "the database was written by a newer Interview Bot (it has migration {version}, this binary does not); upgrade the binary or restore a backup"
    )]
    NewerSchema { version: i64 },
    #[error("bad DATABASE_URL `{url}`: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(#[source] MigrateError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A round question or drop closed before the answer was stored.
    #[error("{0}")]
    Closed(String),
    /// Counted in [`database_errors`] when it is made.
    #[error("database error: {0}")]
    Sqlx(#[source] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Errors sqlx returned in this process (unique violations the store answers with
/// [`StoreError::Conflict`] are not errors and are not counted).
static DATABASE_ERRORS: AtomicU64 = AtomicU64::new(0);

/// How many database errors this process has seen (for the metrics endpoint).
pub fn database_errors() -> u64 {
    DATABASE_ERRORS.load(Ordering::Relaxed)
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        DATABASE_ERRORS.fetch_add(1, Ordering::Relaxed);
        match e {
            // A value this binary cannot read (an unknown state): say what, not "sqlx".
            sqlx::Error::ColumnDecode { index, source } => {
                StoreError::Corrupt(format!("column {index}: {source}"))
            }
            e => StoreError::Sqlx(e),
        }
    }
}

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    Sqlite,
    Postgres,
}

impl EngineKind {
    /// The engine a `DATABASE_URL` names by its scheme.
    pub fn of_url(url: &str) -> Result<EngineKind> {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        match scheme {
            "sqlite" => Ok(EngineKind::Sqlite),
            "postgres" | "postgresql" => Ok(EngineKind::Postgres),
            _ => Err(StoreError::BadUrl {
                url: redact_url(url),
                reason: "the scheme must be sqlite:// or postgres://".into(),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Sqlite => "SQLite",
            EngineKind::Postgres => "PostgreSQL",
        }
    }
}

pub use crate::config::redact_url;

/// The pool of one engine.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Expands `$body` once per engine with `$pool` bound to that engine's pool (`&SqlitePool` or
/// `&PgPool`): the same query text and binds, type-checked against each engine.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A connection of either engine, for queries that run inside a caller's transaction.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl<'a> From<&'a mut SqliteConnection> for Conn<'a> {
    fn from(c: &'a mut SqliteConnection) -> Self {
        Conn::Sqlite(c)
    }
}

impl<'a> From<&'a mut PgConnection> for Conn<'a> {
    fn from(c: &'a mut PgConnection) -> Self {
        Conn::Postgres(c)
    }
}

/// [`on_pool!`] for a [`Conn`]: `$c` is `&mut SqliteConnection` or `&mut PgConnection`.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_conn;

/// What differs between the engines' pools, for bodies expanded by [`on_pool!`].
pub(crate) trait Engine {
    type Db: sqlx::Database;
    const KIND: EngineKind;

    /// A transaction that writes, serialised with every other writer, as SQLite's
    /// `BEGIN IMMEDIATE` is. The store's multi-statement steps (read, decide, write) were written
    /// for that guarantee; on PostgreSQL a transaction-scoped advisory lock gives it across
    /// processes, released at commit or rollback.
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>>> + Send;

    /// The engine's text where the dialects differ.
    fn pick(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match Self::KIND {
            EngineKind::Sqlite => sqlite,
            EngineKind::Postgres => postgres,
        }
    }
}

/// The advisory lock key of [`Engine::begin_write`] on PostgreSQL ("IBwrite" in ASCII).
const WRITE_LOCK_KEY: i64 = 0x0049_4277_7269_7465;

impl Engine for SqlitePool {
    type Db = sqlx::Sqlite;
    const KIND: EngineKind = EngineKind::Sqlite;

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl Engine for PgPool {
    type Db = sqlx::Postgres;
    const KIND: EngineKind = EngineKind::Postgres;

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        let mut tx = self.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

/// A connection pool on one database, migrated to this binary's schema.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// See [`Store::with_cooling_off`].
    cooling_off_ms: i64,
}

impl Store {
    /// Open and migrate the database `url` names: `sqlite://FILE` (created if missing) or
    /// `postgres://…`. Refuses files that are not SQLite databases and databases migrated by a
    /// newer binary.
    pub async fn connect(url: &str) -> Result<Store> {
        let pool = match EngineKind::of_url(url)? {
            EngineKind::Sqlite => Pool::Sqlite(connect_sqlite(url).await?),
            EngineKind::Postgres => Pool::Postgres(connect_postgres(url).await?),
        };
        Ok(Store {
            pool,
            cooling_off_ms: i64::from(DEFAULT_COOLING_OFF_DAYS) * 86_400_000,
        })
    }

    /// The SQLite pool, for tests and tools that need raw SQL (`None` on PostgreSQL).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for tests and tools that need raw SQL (`None` on SQLite).
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(_) => None,
        }
    }

    pub fn engine(&self) -> EngineKind {
        match self.pool {
            Pool::Sqlite(_) => EngineKind::Sqlite,
            Pool::Postgres(_) => EngineKind::Postgres,
        }
    }

    /// A round trip to the database (for the health endpoint).
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    let path = options.get_filename().to_path_buf();
    refuse_non_sqlite(&path)?;
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    migrate(&MIGRATOR, &pool).await?;
    Ok(pool)
}

async fn connect_postgres(url: &str) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
        url: redact_url(url),
        reason: e.to_string(),
    })?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    // Several processes may start at once: sqlx's migrator takes an advisory lock itself.
    migrate(&PG_MIGRATOR, &pool).await?;
    Ok(pool)
}

async fn migrate<'a, A>(migrator: &sqlx::migrate::Migrator, pool: A) -> Result<()>
where
    A: sqlx::Acquire<'a>,
    <A::Connection as std::ops::Deref>::Target: sqlx::migrate::Migrate,
{
    migrator.run(pool).await.map_err(|e| match e {
        MigrateError::VersionMissing(version) => StoreError::NewerSchema { version },
        other => StoreError::Migrate(other),
    })
}

/// Checks the 16-byte SQLite header of an existing, non-empty file before sqlx opens it.
fn refuse_non_sqlite(path: &Path) -> Result<()> {
    use std::io::Read as _;
    if path.as_os_str().is_empty() || path.to_string_lossy().starts_with(':') {
        return Ok(());
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // missing: it will be created
    };
    let mut header = [0u8; 16];
    match file.read(&mut header) {
        Ok(0) => Ok(()),
        Ok(16) if &header == b"SQLite format 3\0" => Ok(()),
        _ => Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        }),
    }
}

pub(crate) fn from_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Milliseconds since the Unix epoch, as stored.
pub(crate) fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_scheme_chooses_the_engine() {
        assert_eq!(
            EngineKind::of_url("sqlite://bot.db").unwrap(),
            EngineKind::Sqlite
        );
        assert_eq!(
            EngineKind::of_url("sqlite::memory:").unwrap(),
            EngineKind::Sqlite
        );
        for url in ["postgres://u@h/db", "postgresql://u:p@h:5432/db"] {
            assert_eq!(
                EngineKind::of_url(url).unwrap(),
                EngineKind::Postgres,
                "{url}"
            );
        }
        let err = EngineKind::of_url("mysql://u:hunter2@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sqlite:// or postgres://"), "{err}");
        assert!(
            !err.contains("hunter2"),
            "the password is not repeated: {err}"
        );
    }

    #[test]
    fn a_password_in_a_url_is_never_shown() {
        let shown = redact_url("postgres://bot:hunter2@db.internal:5432/interview");
        assert_eq!(shown, "postgres://bot:***@db.internal:5432/interview");
        assert_eq!(
            redact_url("sqlite:///var/lib/bot.db"),
            "sqlite:///var/lib/bot.db"
        );
        assert_eq!(
            redact_url("postgres://bot@db/interview"),
            "postgres://bot@db/interview"
        );
    }
}
