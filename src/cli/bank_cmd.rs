//! `interview-bot bank list|show|check`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

use super::{BankArg, FilterArgs, load_bank_file};
use crate::domain::bank::{BUILTIN_BANKS, SHIPPED_BUILTIN};

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// List the built-in banks and the questions of one.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        bank: BankArg,
    },
    /// Show one question with its reference answer, concepts and hints.
    Show {
        /// The question's id (see `bank list`).
        id: String,
        #[command(flatten)]
        bank: BankArg,
    },
    /// Validate a bank file; prints every problem with its line.
    Check { file: PathBuf },
}

pub fn run(cmd: BankCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BankCommand::List {
            filter,
            bank: choice,
        } => {
            if choice.is_default() {
                say!("Built-in banks (choose one with --bank ID; a file path works too):");
                for builtin in &BUILTIN_BANKS {
                    let b = builtin.load()?;
                    say!(
                        "  {:<16} {:<8} {:>3} questions  {}{}",
                        b.meta.id,
                        b.meta.level,
                        b.questions.len(),
                        b.meta.name,
                        if *builtin == SHIPPED_BUILTIN {
                            " (default)"
                        } else {
                            ""
                        }
                    );
                }
                say!("");
            }
            let bank = choice.load()?;
            let filter = filter.to_filter(&bank)?;
            say!(
                "{} ({}, level {}) v{} — {}",
                bank.meta.name,
                bank.meta.id,
                bank.meta.level,
                bank.meta.version,
                bank.meta.description
            );
            let mut n = 0;
            for q in bank.filter(&filter) {
                n += 1;
                say!(
                    "{:<40} {:<26} {:<7} {}",
                    q.id,
                    q.topic,
                    q.difficulty,
                    q.prompt
                );
            }
            say!("{n} question(s)");
        }
        BankCommand::Show { id, bank } => {
            let bank = bank.load_for_question(&id)?;
            let q = bank.question(&id).with_context(|| {
                format!("no question with id `{id}`; `interview-bot bank list` shows them")
            })?;
            say!("{} · {} · {}\n", q.id, q.topic, q.difficulty);
            say!("{}\n", q.prompt);
            say!("Reference answer:\n{}\n", q.reference);
            if q.concepts.is_empty() {
                say!("Key concepts: derived from the reference answer");
            } else {
                say!("Key concepts:");
                for c in &q.concepts {
                    say!(
                        "  - {} (weight {}): {}",
                        c.name,
                        c.weight,
                        c.phrases.join(" | ")
                    );
                }
            }
            for m in &q.misconceptions {
                say!("Misconception: \"{}\" — {}", m.phrase, m.why);
            }
            for (i, h) in q.hints.iter().enumerate() {
                say!("Hint {}: {h}", i + 1);
            }
        }
        BankCommand::Check { file } => {
            let bank = load_bank_file(&file)?;
            let curated = bank
                .questions
                .iter()
                .filter(|q| !q.concepts.is_empty())
                .count();
            say!(
                "{}: ok — {} question(s), {} topic(s), {curated} with curated concepts",
                file.display(),
                bank.questions.len(),
                bank.topics().len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
