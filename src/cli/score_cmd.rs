//! `interview-bot score --question ID [--json]`: one answer from stdin, one assessment out.

use std::io::Read as _;
use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use super::{BankArg, render};
use crate::domain::scoring::{self, Assessment, Corpus};

#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// The question's id (see `interview-bot bank list`).
    #[arg(long)]
    pub question: String,
    /// Print the assessment as JSON (stable; see the README).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub bank: BankArg,
}

/// The JSON document `score --json` prints.
#[derive(Serialize)]
struct ScoreOutput<'a> {
    question: &'a str,
    #[serde(flatten)]
    assessment: &'a Assessment,
}

/// Answers are capped like Discord's modal input; more is almost surely a mistake.
pub const MAX_ANSWER_BYTES: usize = 100_000;

pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let bank = args.bank.load_for_question(&args.question)?;
    let question = bank.question(&args.question).with_context(|| {
        format!(
            "no question with id `{}`; `interview-bot bank list` shows them",
            args.question
        )
    })?;
    let mut answer = String::new();
    std::io::stdin()
        .take(MAX_ANSWER_BYTES as u64 + 1)
        .read_to_string(&mut answer)
        .context("cannot read the answer from stdin (is it UTF-8 text?)")?;
    anyhow::ensure!(
        answer.len() <= MAX_ANSWER_BYTES,
        "the answer is longer than {MAX_ANSWER_BYTES} bytes"
    );
    let corpus = Corpus::for_bank(&bank);
    let assessment = scoring::score(question, &answer, &corpus);
    if args.json {
        let out = ScoreOutput {
            question: question.id.as_str(),
            assessment: &assessment,
        };
        say!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        say_inline!("{}", render::assessment(&assessment));
    }
    Ok(ExitCode::SUCCESS)
}
