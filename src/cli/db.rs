//! `interview-bot db backup|check|bench|migrate-to`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::store::{EngineKind, Store, redact_url};

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Write a consistent copy of the database to FILE (safe while the bot runs).
    Backup { file: PathBuf },
    /// Check integrity, foreign keys and migrations.
    Check,
    /// Measure board, stats and insert latency on a generated data set (in a temporary file).
    Bench(super::store_bench::BenchArgs),
    /// Copy every table of this SQLite database (DATABASE_URL) into an empty PostgreSQL
    /// database at URL, then compare row counts. Stop the bot first; the SQLite file is only
    /// read.
    MigrateTo {
        /// postgres://USER:PASSWORD@HOST:PORT/DATABASE (migrated here if new).
        url: String,
    },
}

pub fn run(cmd: DbCommand, database_url: &str) -> anyhow::Result<ExitCode> {
    match cmd {
        DbCommand::Bench(args) => super::store_bench::run(args),
        DbCommand::Backup { file } => super::block_on(async {
            let store = Store::connect(database_url).await?;
            store.backup(&file).await?;
            store.close().await;
            say!("backed up to {}", file.display());
            Ok(ExitCode::SUCCESS)
        }),
        DbCommand::MigrateTo { url } => super::block_on(async move {
            if EngineKind::of_url(database_url)? != EngineKind::Sqlite
                || EngineKind::of_url(&url)? != EngineKind::Postgres
            {
                anyhow::bail!(
                    "db migrate-to copies SQLite (DATABASE_URL, now {}) into PostgreSQL (the URL, now {})",
                    redact_url(database_url),
                    redact_url(&url)
                );
            }
            let source = Store::connect(database_url).await?;
            let target = Store::connect(&url).await?;
            let report = source.copy_to(&target).await?;
            source.close().await;
            target.close().await;
            let mut mismatched = 0;
            for t in &report {
                let verdict = if t.source_rows == t.target_rows {
                    "ok"
                } else {
                    mismatched += 1;
                    "MISMATCH"
                };
                say!(
                    "{:<20} {:>10} → {:>10}  {verdict}",
                    t.table,
                    t.source_rows,
                    t.target_rows
                );
            }
            if mismatched > 0 {
                anyhow::bail!("{mismatched} table(s) differ after the copy; keep using SQLite");
            }
            say!(
                "copied {} tables into {}; point DATABASE_URL at it and start the bot",
                report.len(),
                redact_url(&url)
            );
            Ok(ExitCode::SUCCESS)
        }),
        DbCommand::Check => super::block_on(async {
            let store = Store::connect(database_url).await?;
            let r = store.check().await?;
            store.close().await;
            say!(
                "integrity: {}\nforeign key problems: {}\nmigrations applied: {}\nservers: {}  attempts: {}",
                r.integrity,
                r.foreign_key_problems,
                r.migrations_applied,
                r.servers,
                r.attempts
            );
            Ok(if r.is_healthy() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }),
    }
}
