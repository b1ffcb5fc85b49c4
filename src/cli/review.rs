//! `interview-bot review`: the local member's due questions one at a time, scored, rescheduled
//! with FSRS ("next review in 3 days"). With `--adaptive`, when nothing is due it goes on with
//! the new question the member should learn most from. Reviews are practice: never on boards.

use std::io::BufRead as _;
use std::process::ExitCode;

use chrono::Utc;

use super::{BankArg, local, render};
use crate::domain::adaptive::{self, Candidate, ItemKey, Kind};
use crate::domain::period::local_date;
use crate::domain::scoring::{self, Corpus, Coverage};
use crate::store::reviews::ReviewAttempt;
use crate::store::{AttemptContext, NewAttempt};

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
    let corpus = Corpus::for_bank(&bank);
    let candidates: Vec<Candidate<'_>> = bank
        .questions
        .iter()
        .map(|q| Candidate {
            bank: &bank.meta.id,
            level: &bank.meta.level,
            question: q,
        })
        .collect();
    super::block_on(async {
        let store = local::open(database_url).await?;
        let guild = args.bank.bank.is_some().then_some(local::LOCAL_SERVER);
        let stored = store
            .store_bank(guild, &bank, &source, None, Utc::now())
            .await?;
        let mut stdin = std::io::stdin().lock();
        let mut done = 0;
        while done < usize::from(args.count) {
            let now = Utc::now();
            let history = store
                .review_history(local::LOCAL_SERVER, local::LOCAL_USER)
                .await?;
            let choice = adaptive::choose(&candidates, &history, now, args.seed)
                .filter(|c| args.adaptive || c.kind == Kind::Review);
            let Some(choice) = choice else {
                let next = history.reviews.values().map(|s| s.due).min();
                match (done, next) {
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
            let q = choice.candidate.question;
            say!(
                "\n{} · {} · {}\nWhy this one: {}\n\n{}\n",
                if choice.kind == Kind::Review {
                    "Review"
                } else {
                    "New"
                },
                q.topic,
                q.difficulty,
                choice.reason,
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
            let a = scoring::score(q, &answer, &corpus);
            if let Some(question_id) = stored.question_id(q.id.as_str()) {
                let tz = store.server_timezone(local::LOCAL_SERVER).await?;
                // Recorded as practice so it never counts on boards.
                store
                    .insert_attempt(&NewAttempt {
                        guild_id: local::LOCAL_SERVER,
                        channel_id: None,
                        user_id: local::LOCAL_USER,
                        question_id,
                        topic: &q.topic,
                        context: AttemptContext::Practice,
                        context_ref: None,
                        answer: &answer,
                        score: a.total,
                        covered: a.concept_names(Coverage::Covered),
                        missed: a.concept_names(Coverage::Missed),
                        hints_used: 0,
                        submitted_at: now,
                        local_date: local_date(now, tz),
                    })
                    .await?;
            }
            let key = ItemKey::new(&bank.meta.id, q.id.as_str());
            let outcome = store
                .record_review_attempt(&ReviewAttempt {
                    guild_id: local::LOCAL_SERVER,
                    user_id: local::LOCAL_USER,
                    key: &key,
                    topic: &q.topic,
                    difficulty: q.difficulty,
                    score: a.total,
                    hints_used: 0,
                    at: now,
                })
                .await?;
            say!("\n{}", render::assessment(&a));
            say!("Reference answer:\n{}\n", q.reference);
            say!(
                "Graded {}: {}. {} rating {:.0} → {:.0}.",
                outcome.scheduled.grade.as_str(),
                outcome.scheduled.next_review_text(),
                q.topic,
                outcome.skill_before,
                outcome.skill_after
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
