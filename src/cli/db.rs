//! `interview-bot db backup|check|bench`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Write a consistent copy of the database to FILE (safe while the bot runs).
    Backup { file: PathBuf },
    /// Check integrity, foreign keys and migrations.
    Check,
    /// Measure board, stats and insert latency on a generated data set (in a temporary file).
    Bench(super::store_bench::BenchArgs),
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
