//! The terminal front: the same engine as the bot, without Discord.

/// `println!` that stays quiet when stdout is a closed pipe (`interview-bot bank list | head`)
/// instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` with the same behaviour as [`say!`].
macro_rules! say_inline {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout();
        let _ = write!(out, $($arg)*);
        let _ = out.flush();
    }};
}

mod bank_cmd;
mod boards;
mod db;
pub mod eval;
mod health;
mod invite;
mod licenses;
mod local;
mod practice;
mod render;
mod review;
mod run;
mod score_cmd;
pub mod settings;
mod store_bench;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::domain::bank::{BUILTIN_BANKS, Bank, Builtin, Difficulty, SHIPPED_BUILTIN};

/// Practise technical interviews: in Discord, or right here in the terminal.
#[derive(Debug, Parser)]
#[command(name = "interview-bot", version, about, propagate_version = true)]
pub struct Cli {
    /// `--log-format`, `--log-filter`, `--database-url` and their environment variables.
    #[command(flatten)]
    pub settings: settings::CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Discord bot (needs DISCORD_TOKEN).
    Run(run::RunArgs),
    /// A timed mock round in the terminal.
    Practice(practice::PracticeArgs),
    /// Score an answer read from stdin.
    Score(score_cmd::ScoreArgs),
    /// Measure the scorer against human grades in a CSV file.
    Eval(eval::EvalArgs),
    /// List, show and check question banks.
    #[command(subcommand)]
    Bank(bank_cmd::BankCommand),
    /// The leaderboard (of your terminal practice, or of a server with --server).
    Leaderboard(boards::LeaderboardArgs),
    /// Your due review questions one at a time, rescheduled by spaced repetition (practice:
    /// never on boards); --adaptive goes on with new questions chosen for you.
    Review(review::ReviewArgs),
    /// Personal statistics: averages, weakest topics, most missed concepts, streaks, rank.
    Stats(boards::StatsArgs),
    /// Database backup, health check and benchmark.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Show the effective configuration (token masked).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Ask the running bot's /healthz (at METRICS_ADDR); exit 0 when healthy. For container
    /// health checks.
    Health(run::RunArgs),
    /// Print the link that adds the bot to a server, with each permission it asks for and why.
    Invite(invite::InviteArgs),
    /// Print the project's licence and the notices of the data the binary embeds.
    Licenses,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings and where each came from (flag, env, file or default),
    /// the token masked; exit 1 without a token.
    Check(run::RunArgs),
}

/// Diagnostics go to stderr so command output stays clean for pipes. A filter that does not
/// parse falls back to `warn`, with a warning saying so.
pub fn init_tracing(format: LogFormat, filter: &str) {
    let parsed = tracing_subscriber::EnvFilter::try_new(filter);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(parsed.as_ref().map_or_else(
            |_| tracing_subscriber::EnvFilter::new(settings::DEFAULT_LOG_FILTER),
            |f| f.clone(),
        ))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    if let Err(e) = parsed {
        tracing::warn!(filter, error = %e, "the log filter does not parse; logging warnings only");
    }
}

/// Resolve the settings (flags over environment over the `--config` file over defaults),
/// start logging, and run the command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let common = cli.settings.given.clone();
    let bot_settings = |args: &run::RunArgs| -> anyhow::Result<settings::Settings> {
        let given = args.settings.given.clone().or(&common);
        let s = settings::Settings::resolve(&given, args.config.as_deref(), &args.test_flags())?;
        init_tracing(s.log_format.value, &s.log_filter.value);
        Ok(s)
    };
    // The terminal commands: no config file; returns the database URL.
    let terminal = || -> anyhow::Result<String> {
        let c = settings::common(&common, &settings::FileLayer::defaults())?;
        init_tracing(c.log_format.value, &c.log_filter.value);
        Ok(c.database_url.value)
    };
    match cli.command {
        Command::Run(args) => run::run(bot_settings(&args)?),
        Command::Config(ConfigCommand::Check(args)) => run::check(&bot_settings(&args)?),
        Command::Health(args) => health::run(&bot_settings(&args)?),
        Command::Invite(args) => invite::run(&args, &bot_settings(&args.run)?),
        Command::Licenses => Ok(licenses::run()),
        Command::Practice(args) => practice::run(args, &terminal()?),
        Command::Score(args) => terminal().and_then(|_| score_cmd::run(args)),
        Command::Eval(args) => terminal().and_then(|_| eval::run(args)),
        Command::Bank(cmd) => terminal().and_then(|_| bank_cmd::run(cmd)),
        Command::Leaderboard(args) => boards::leaderboard(args, &terminal()?),
        Command::Review(args) => review::run(args, &terminal()?),
        Command::Stats(args) => boards::stats(args, &terminal()?),
        Command::Db(cmd) => db::run(cmd, &terminal()?),
    }
}

/// Run a future on a small runtime; the terminal commands are short-lived.
pub fn block_on<T>(f: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f)
}

/// Options shared by commands that read a bank.
#[derive(Debug, Clone, clap::Args)]
pub struct BankArg {
    /// A built-in bank by id (nodejs-fresher, nodejs-mid, nodejs-senior) or a bank file (TOML
    /// or JSON) [default: nodejs-senior].
    #[arg(long, value_name = "ID|FILE")]
    pub bank: Option<String>,
}

/// What `--bank` named.
enum BankChoice<'a> {
    Builtin(&'static Builtin),
    File(&'a Path),
}

impl BankArg {
    /// A built-in id wins over a file of the same name; anything else is a path.
    fn choice(&self) -> BankChoice<'_> {
        match self.bank.as_deref() {
            None => BankChoice::Builtin(&SHIPPED_BUILTIN),
            Some(typed) => match Builtin::find(typed) {
                Some(builtin) => BankChoice::Builtin(builtin),
                None => BankChoice::File(Path::new(typed)),
            },
        }
    }

    /// True when the bank comes from a file rather than the binary.
    pub fn is_file(&self) -> bool {
        matches!(self.choice(), BankChoice::File(_))
    }

    /// True when no bank was named (the default bank is used).
    pub fn is_default(&self) -> bool {
        self.bank.is_none()
    }

    pub fn load(&self) -> anyhow::Result<Bank> {
        self.load_with_source().map(|(bank, _)| bank)
    }

    /// The bank holding question `id`: the named bank, or with none named, whichever built-in
    /// bank has it (question ids are unique across them), the default bank first.
    pub fn load_for_question(&self, id: &str) -> anyhow::Result<Bank> {
        if self.is_default() {
            let default = SHIPPED_BUILTIN.load()?;
            if default.question(id).is_some() {
                return Ok(default);
            }
            for builtin in BUILTIN_BANKS.iter().filter(|b| **b != SHIPPED_BUILTIN) {
                let bank = builtin.load()?;
                if bank.question(id).is_some() {
                    return Ok(bank);
                }
            }
            return Ok(default);
        }
        self.load()
    }

    /// The bank and its text (stored with attempts so they point at the exact question).
    pub fn load_with_source(&self) -> anyhow::Result<(Bank, String)> {
        match self.choice() {
            BankChoice::Builtin(builtin) => Ok((builtin.load()?, builtin.toml.to_string())),
            BankChoice::File(path) => load_bank_file_with_source(path).with_context(|| {
                // A bare word was probably meant as a built-in id.
                if path.extension().is_none() && path.components().count() == 1 {
                    format!(
                        "`{}` is neither a built-in bank ({}) nor a bank file",
                        path.display(),
                        Builtin::ids()
                    )
                } else {
                    format!("cannot load bank {}", path.display())
                }
            }),
        }
    }
}

pub fn load_bank_file(path: &Path) -> anyhow::Result<Bank> {
    load_bank_file_with_source(path).map(|(bank, _)| bank)
}

fn load_bank_file_with_source(path: &Path) -> anyhow::Result<(Bank, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read bank file {}", path.display()))?;
    let bank = Bank::from_file_text(&path.display().to_string(), &text)?;
    Ok((bank, text))
}

/// Filters shared by commands that pick questions.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only questions of this topic (e.g. Performance).
    #[arg(long)]
    pub topic: Option<String>,
    /// Only questions of this difficulty.
    #[arg(long, value_parser = parse_difficulty)]
    pub difficulty: Option<Difficulty>,
}

fn parse_difficulty(s: &str) -> Result<Difficulty, String> {
    s.parse()
}

impl FilterArgs {
    /// The filter, with the topic checked against the bank so a typo gets a helpful message.
    pub fn to_filter(&self, bank: &Bank) -> anyhow::Result<crate::domain::bank::QuestionFilter> {
        let topic = match &self.topic {
            None => None,
            Some(t) => Some(
                bank.find_topic(t)
                    .with_context(|| {
                        format!(
                            "unknown topic `{t}`; this bank has: {}",
                            bank.topics().join(", ")
                        )
                    })?
                    .to_string(),
            ),
        };
        Ok(crate::domain::bank::QuestionFilter {
            topic,
            difficulty: self.difficulty,
        })
    }
}
