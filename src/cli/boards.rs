//! `interview-bot leaderboard` and `interview-bot stats`.
#![allow(
    clippy::disallowed_methods,
    reason = "a one-shot terminal command runs on the wall clock"
)]

use std::process::ExitCode;

use chrono::Utc;

use anyhow::Context as _;

use super::local::{LOCAL_SERVER, LOCAL_USER, local_name, open};
use crate::app::coaching::{chart_png, member_coaching};
use crate::domain::period::{Period, window};
use crate::store::BoardQuery;

#[derive(Debug, clap::Args)]
pub struct LeaderboardArgs {
    /// today, week, month, 7d, 30d or all.
    #[arg(long, default_value = "all", value_parser = parse_period)]
    pub period: Period,
    /// Only this topic.
    #[arg(long)]
    pub topic: Option<String>,
    /// Page number, from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,
    /// Show the team board instead of members.
    #[arg(long)]
    pub teams: bool,
    /// A Discord server id (default: the terminal's own).
    #[arg(long, default_value_t = LOCAL_SERVER)]
    pub server: i64,
}

fn parse_period(s: &str) -> Result<Period, String> {
    s.parse()
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// A Discord server id (default: the terminal's own).
    #[arg(long, default_value_t = LOCAL_SERVER)]
    pub server: i64,
    /// A Discord user id (default: you, in the terminal).
    #[arg(long, default_value_t = LOCAL_USER)]
    pub user: i64,
    /// Also draw the progress chart (score by week, skill per topic) into this PNG file.
    #[arg(long, value_name = "FILE.png")]
    pub chart: Option<std::path::PathBuf>,
}

pub fn leaderboard(args: LeaderboardArgs, database_url: &str) -> anyhow::Result<ExitCode> {
    super::block_on(async {
        let store = open(database_url).await?;
        let now = Utc::now();
        let tz = store.server_timezone(args.server).await?;
        let q = BoardQuery {
            guild_id: args.server,
            window: window(args.period, now, tz),
            topic: args.topic.clone(),
            page: args.page - 1,
            page_size: 10,
        };
        let topic = args
            .topic
            .as_deref()
            .map(|t| format!(" · {t}"))
            .unwrap_or_default();
        if args.teams {
            let page = store.team_board(&q).await?;
            say!(
                "Team board — {}{topic} (points per active member)",
                args.period
            );
            if page.rows.is_empty() {
                say!("  no teams yet");
            }
            for r in &page.rows {
                say!(
                    "{:>3}. {:<24} {:>8.1} avg  {:>6} pts  {}/{} active",
                    r.rank,
                    r.name,
                    r.average_points,
                    r.total_points,
                    r.active,
                    r.members
                );
            }
        } else {
            let page = store.leaderboard(&q).await?;
            say!("Leaderboard — {}{topic}", args.period);
            if page.rows.is_empty() {
                say!("  nobody has scored in this window yet; try `interview-bot practice`");
            }
            for r in &page.rows {
                let name = if r.display_name.is_empty() {
                    r.user_id.to_string()
                } else {
                    r.display_name.clone()
                };
                say!(
                    "{:>3}. {:<24} {:>6} pts  {:>3} question(s)  {:>3} attempt(s)",
                    r.rank,
                    name,
                    r.points,
                    r.questions,
                    r.attempts
                );
            }
            if page.pages() > 1 {
                say!("page {} of {}", args.page, page.pages());
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn stats(args: StatsArgs, database_url: &str) -> anyhow::Result<ExitCode> {
    super::block_on(async {
        let store = open(database_url).await?;
        let coaching = member_coaching(&store, args.server, args.user, Utc::now()).await?;
        let s = &coaching.stats;
        if s.attempts == 0 {
            say!("No answers yet. Try `interview-bot practice`.");
        } else {
            say!(
                "Answers: {}   average {:.0}/100   best {}/100",
                s.attempts,
                s.average,
                s.best
            );
            let rank = |r: Option<(i64, i64)>| {
                r.map_or_else(|| "—".into(), |(k, n)| format!("#{k} of {n}"))
            };
            say!(
                "Rank: this week {}   all time {}",
                rank(s.week_rank),
                rank(s.all_time_rank)
            );
            say!(
                "Daily streak: {} day(s), best {}",
                s.streak.current,
                s.streak.best
            );
            say!("By topic (weakest first):");
            for t in &s.topics {
                say!(
                    "  {:<28} {:>5.0}/100 over {} answer(s)",
                    t.topic,
                    t.average,
                    t.attempts
                );
            }
            if !coaching.weak.is_empty() {
                say!("Concepts to work on (missed most, not covered since):");
                for w in &coaching.weak {
                    say!(
                        "  {} — missed {}× · practise {}",
                        w.concept,
                        w.missed,
                        w.questions.join(", ")
                    );
                }
            }
        }
        if let Some(path) = &args.chart {
            let name = if args.user == LOCAL_USER {
                local_name()
            } else {
                format!("member {}", args.user)
            };
            let png = chart_png(&coaching.progress, &name)?;
            std::fs::write(path, png)
                .with_context(|| format!("cannot write the chart to {}", path.display()))?;
            say!("Chart written to {}", path.display());
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
