//! `interview-bot practice`: a timed mock round in the terminal.
//!
//! Works on a terminal (a countdown redrawn in place above the answer) and with piped input
//! (plain lines, so it can be scripted and tested). An answer ends at an empty line, at the end
//! of input, or when time runs out.
#![allow(
    clippy::disallowed_methods,
    reason = "a one-shot terminal command runs on the wall clock"
)]

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use rand::SeedableRng as _;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use chrono::Utc;

use super::{BankArg, FilterArgs, local, render};
use crate::domain::bank::{Bank, Question};
use crate::domain::scoring::{self, Assessment, Corpus};
use crate::store::{AttemptContext, Store, StoredBank};

#[derive(Debug, clap::Args)]
pub struct PracticeArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How many questions.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub count: u16,
    /// Seconds per question.
    #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(u32).range(5..=3600))]
    pub seconds: u32,
    /// The length of one of those seconds in milliseconds: time injection for the tests, so
    /// a deadline passes in a fraction of a second of wall time.
    #[arg(long, default_value_t = 1000, hide = true, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub second_ms: u64,
    /// Seed for the question order (the same seed gives the same round).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Do not record the answers (they are recorded for `leaderboard` and `stats` otherwise).
    #[arg(long)]
    pub no_record: bool,
    #[command(flatten)]
    pub bank: BankArg,
}

enum Input {
    Line(String),
    End,
}

/// Where a round's answers go, when they are recorded.
struct Recorder {
    store: Store,
    stored: StoredBank,
    bank_id: String,
}

impl Recorder {
    async fn open(
        database_url: &str,
        bank: &Bank,
        source: &str,
        custom: bool,
    ) -> anyhow::Result<Self> {
        let store = local::open(database_url).await?;
        let guild = custom.then_some(local::LOCAL_SERVER);
        let stored = store
            .store_bank(guild, bank, source, None, Utc::now())
            .await?;
        Ok(Recorder {
            store,
            stored,
            bank_id: bank.meta.id.clone(),
        })
    }

    /// Score and record through the same use case as the bot; `None` when the question is
    /// not stored (nothing recorded, the caller scores it).
    async fn record(
        &self,
        q: &Question,
        corpus: &Corpus,
        answer: &str,
    ) -> anyhow::Result<Option<Assessment>> {
        let Some(question_row) = self.stored.question_id(q.id.as_str()) else {
            return Ok(None);
        };
        let scored = crate::app::score_and_record(
            &self.store,
            &crate::app::SystemClock,
            &crate::app::Answering {
                guild_id: local::LOCAL_SERVER,
                channel_id: None,
                user_id: local::LOCAL_USER,
                question_row,
                bank: &self.bank_id,
                question: q,
                corpus,
                answer,
                // A timed round: it counts on the terminal's board, best answer per question.
                context: AttemptContext::Mock,
                context_ref: None,
                hints_used: 0,
            },
        )
        .await?;
        Ok(Some(scored.assessment))
    }
}

pub fn run(args: PracticeArgs, database_url: &str) -> anyhow::Result<ExitCode> {
    let (bank, source) = args.bank.load_with_source()?;
    let filter = args.filter.to_filter(&bank)?;
    let mut rng = match args.seed {
        Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
        None => rand::rngs::StdRng::from_rng(&mut rand::rng()),
    };
    let questions = bank.pick(&filter, usize::from(args.count), &mut rng);
    if questions.is_empty() {
        bail!("no questions match those filters; `interview-bot bank list` shows what there is");
    }
    let corpus = Corpus::for_bank(&bank);
    let limit = Duration::from_millis(u64::from(args.seconds) * args.second_ms);
    super::block_on(async {
        let recorder = if args.no_record {
            None
        } else {
            match Recorder::open(database_url, &bank, &source, args.bank.is_file()).await {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "answers will not be recorded");
                    say!("(Not recording answers: {e:#})");
                    None
                }
            }
        };
        round(&questions, &corpus, limit, args.seconds, recorder.as_ref()).await?;
        if let Some(r) = recorder {
            r.store.close().await;
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn round(
    questions: &[&Question],
    corpus: &Corpus,
    limit: Duration,
    seconds: u32,
    recorder: Option<&Recorder>,
) -> anyhow::Result<()> {
    let tty = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let (tx, mut rx) = mpsc::unbounded_channel();
    // stdin has no async reader that can be abandoned mid-line; a thread feeds lines instead.
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(l) => {
                    if tx.send(Input::Line(l)).is_err() {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        let _ = tx.send(Input::End);
    });

    let mut results = Vec::new();
    let mut input_open = true;
    for (i, q) in questions.iter().enumerate() {
        if !input_open {
            say!("Input ended; stopping after {} question(s).", results.len());
            break;
        }
        say!(
            "\nQuestion {}/{} · {} · {}\n{}\n",
            i + 1,
            questions.len(),
            q.topic,
            q.difficulty,
            q.prompt
        );
        if tty {
            say!("⏱ {} left", clock(limit));
            say!("Your answer (finish with an empty line):");
        } else {
            say!("You have {seconds} seconds. Finish with an empty line.");
        }
        let (answer, timed_out, still_open) = read_answer(&mut rx, limit, tty).await;
        input_open = still_open;
        if !still_open && answer.trim().is_empty() {
            say!("Input ended; stopping after {} question(s).", results.len());
            break;
        }
        if timed_out {
            say!("\n⏰ Time's up.");
        }
        let recorded = match recorder {
            Some(r) => r.record(q, corpus, &answer).await,
            None => Ok(None),
        };
        let a = match recorded {
            Ok(Some(a)) => a,
            Ok(None) => scoring::score(q, &answer, corpus),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "could not record an answer");
                say!("(This answer was not recorded: {e:#})");
                scoring::score(q, &answer, corpus)
            }
        };
        say!("\n{}", render::assessment(&a));
        say!("Reference answer:\n{}\n", q.reference);
        results.push((q, a.total));
    }
    if !results.is_empty() {
        say!("Summary");
        for (q, total) in &results {
            say!("  {:>3}/100  {}", total, q.id);
        }
        let avg = results.iter().map(|(_, t)| f64::from(*t)).sum::<f64>() / results.len() as f64;
        say!("  average {avg:.0}/100 over {} question(s)", results.len());
    }
    Ok(())
}

/// Read lines until an empty one, the end of input, or the deadline.
/// Returns (answer, timed out, input still open).
async fn read_answer(
    rx: &mut mpsc::UnboundedReceiver<Input>,
    limit: Duration,
    tty: bool,
) -> (String, bool, bool) {
    let deadline = Instant::now() + limit;
    let mut lines: Vec<String> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            input = rx.recv() => match input {
                Some(Input::Line(l)) if l.trim().is_empty() && !lines.is_empty() => {
                    return (lines.join("\n"), false, true)
                }
                Some(Input::Line(l)) if l.trim().is_empty() => {}
                Some(Input::Line(l)) => lines.push(l),
                Some(Input::End) | None => return (lines.join("\n"), false, false),
            },
            _ = tokio::time::sleep_until(deadline) => return (lines.join("\n"), true, true),
            _ = tick.tick(), if tty => {
                let left = deadline.saturating_duration_since(Instant::now());
                // Save the cursor, rewrite the countdown line above the answer, restore.
                let up = lines.len() + 2;
                say_inline!("\x1b7\x1b[{up}A\r\x1b[2K⏱ {} left\x1b8", clock(left));
            }
        }
    }
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}
