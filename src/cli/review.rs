//! `interview-bot review`: the local member's due questions one at a time, scored, rescheduled
//! with FSRS ("next review in 3 days"). With `--adaptive`, when nothing is due it goes on with
//! the new question the member should learn most from. Reviews are practice: never on boards.
#![allow(
    clippy::disallowed_methods,
    reason = "a one-shot terminal command runs on the wall clock"
)]

use std::io::BufRead as _;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;

use super::{BankArg, local, render};
use crate::app::SystemClock;
use crate::app::library::Content;
use crate::app::review::{self, Ask, Member, Reviewing, Want};
use crate::domain::adaptive::Kind;

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// At most this many questions.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub count: u16,
    /// When nothing is due, go on with new questions chosen for you (predicted score near 70).
    #[arg(long)]
    pub adaptive: bool,
    /// Seed for breaking ties between equally good new questions.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub bank: BankArg,
}

pub fn run(args: ReviewArgs, database_url: &str) -> anyhow::Result<ExitCode> {
    let (bank, source) = args.bank.load_with_source()?;
    let me = Member {
        guild_id: local::LOCAL_SERVER,
        user_id: local::LOCAL_USER,
    };
    super::block_on(async {
        let store = local::open(database_url).await?;
        let guild = args.bank.bank.is_some().then_some(local::LOCAL_SERVER);
        let stored = store
            .store_bank(guild, &bank, &source, None, Utc::now())
            .await?;
        let contents = [Arc::new(Content::for_bank(bank, stored))];
        let ask = Ask {
            contents: &contents,
            allow: &|_, _| true,
            want: if args.adaptive {
                Want::Adaptive
            } else {
                Want::Due
            },
            seed: args.seed,
        };
        let mut stdin = std::io::stdin().lock();
        let mut done = 0;
        while done < usize::from(args.count) {
            let Some(next) = review::next(&store, Utc::now(), me, &ask).await? else {
                let status = review::status(&store, Utc::now(), me).await?;
                match (done, status.next_due) {
                    (0, Some(due)) => say!(
                        "Nothing is due. Your next review is on {} UTC.",
                        due.format("%Y-%m-%d %H:%M")
                    ),
                    (0, None) => say!(
                        "Nothing to review yet: `interview-bot review --adaptive` picks new questions for you and schedules them."
                    ),
                    _ => say!("That's all for now ({done} reviewed)."),
                }
                break;
            };
            let q = next.question();
            say!(
                "\n{} · {} · {}\nWhy this one: {}\n\n{}\n",
                if next.kind == Kind::Review {
                    "Review"
                } else {
                    "New"
                },
                q.topic,
                q.difficulty,
                next.reason,
                q.prompt
            );
            say!("Your answer (finish with an empty line):");
            let mut lines: Vec<String> = Vec::new();
            let mut open = true;
            loop {
                let mut line = String::new();
                if stdin.read_line(&mut line)? == 0 {
                    open = false;
                    break;
                }
                let line = line.trim_end_matches(['\n', '\r']);
                if line.trim().is_empty() {
                    if lines.is_empty() {
                        continue;
                    }
                    break;
                }
                lines.push(line.to_string());
            }
            let answer = lines.join("\n");
            if !open && answer.trim().is_empty() {
                say!("Input ended; {done} reviewed.");
                break;
            }
            let Some(question_row) = next.row() else {
                anyhow::bail!("question {} is not stored", q.id.as_str());
            };
            // Recorded as a review, so it never counts on boards.
            let scored = review::answer_review(
                &store,
                &SystemClock,
                &Reviewing {
                    member: me,
                    channel_id: None,
                    question_row,
                    bank: next.bank_id(),
                    question: q,
                    corpus: next.corpus(),
                    answer: &answer,
                    hints_used: 0,
                },
            )
            .await?;
            let learned = &scored.learned;
            say!("\n{}", render::assessment(&scored.assessment));
            say!("Reference answer:\n{}\n", q.reference);
            say!(
                "Graded {}: {}. {} rating {:.0} → {:.0}.",
                learned.scheduled.grade.as_str(),
                learned.scheduled.next_review_text(),
                q.topic,
                learned.skill_before,
                learned.skill_after
            );
            done += 1;
            if !open {
                break;
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
