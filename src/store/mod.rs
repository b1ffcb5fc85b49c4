//! The bot's memory: SQLite through sqlx. The only module that knows SQL.
//!
//! Methods take plain ids (Discord snowflakes as `i64`) and domain types. Queries that may run
//! inside a caller's transaction are free functions over any executor; [`Store`] offers the
//! same on its pool. All queries are plain `query`/`query_as` (no compile-time macros), each
//! covered by the tests in `tests/suite/store.rs`.

mod attempts;
mod banks;
mod boards;
mod coaching;
mod daily;
mod digests;
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

use sqlx::SqlitePool;
use sqlx::migrate::MigrateError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use attempts::{
    AttemptContext, DEFAULT_COOLING_OFF_DAYS, NewAttempt, Recorded, SeenSource, insert_attempt,
};
pub use banks::{BankRemoval, BankSummary, BankVersion, StoredBank};
pub use boards::{BoardQuery, BoardRow, Page, TeamRow};
pub use daily::{DropAnswer, DropRow, NewSchedule, ScheduleRow};
pub use digests::{DigestRow, DigestSetting};
pub use maintenance::CheckReport;
pub use moderation::{FlaggedAnswer, OverrideNote};
pub use rounds::{NewRound, Participant, RoundAnswer, RoundRow};
pub use servers::{ensure_server, insert_server_for_bench, upsert_member};
pub use states::{DropState, RoundEnd, RoundState, UnknownState};
pub use stats::{MemberStats, TopicAverage};
pub use teams::TeamInfo;

/// Where the database lives unless `DATABASE_URL` says otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://interview-bot.db";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

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

/// A connection pool on one SQLite file, migrated to this binary's schema.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// See [`Store::with_cooling_off`].
    cooling_off_ms: i64,
}

impl Store {
    /// Open (creating if missing) and migrate. Refuses files that are not SQLite databases and
    /// databases migrated by a newer binary.
    pub async fn connect(url: &str) -> Result<Store> {
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
        MIGRATOR.run(&pool).await.map_err(|e| match e {
            MigrateError::VersionMissing(version) => StoreError::NewerSchema { version },
            other => StoreError::Migrate(other),
        })?;
        Ok(Store {
            pool,
            cooling_off_ms: i64::from(DEFAULT_COOLING_OFF_DAYS) * 86_400_000,
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A round trip to the database (for the health endpoint).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
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
