//! `interview-bot invite`: the link that adds the bot to a server, with what it asks for and why.

use std::process::ExitCode;

use super::settings::Settings;
use crate::bot::invite;

/// Options of `invite`; the token comes from the same places as for `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct InviteArgs {
    #[command(flatten)]
    pub run: super::run::RunArgs,
    /// The application's id (Developer Portal → General Information), instead of reading it
    /// from the token.
    #[arg(long, value_name = "ID")]
    pub application_id: Option<u64>,
    /// Leave out the two thread permissions (only daily drops with thread:True use them).
    #[arg(long)]
    pub no_threads: bool,
}

pub fn run(args: &InviteArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let id = match (args.application_id, &settings.token.value) {
        (Some(id), _) => id,
        (None, Some(token)) => match invite::application_id(token.expose()) {
            Ok(id) => id,
            Err(e) => {
                say!("{e}");
                return Ok(ExitCode::FAILURE);
            }
        },
        (None, None) => {
            say!(
                "no Discord token to read the application from: set DISCORD_TOKEN (or `discord_token` in the --config file), or pass --application-id (Developer Portal → General Information → Application ID)"
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let threads = !args.no_threads;
    say!("{}", invite::url(id, threads));
    say!("");
    say!("Scopes: {}", invite::SCOPES);
    say!("Permissions ({}):", invite::permissions(threads).bits());
    for asked in invite::ASKED.iter().filter(|a| threads || !a.for_threads) {
        say!("  {:<26} {}", asked.name, asked.why);
    }
    if threads {
        say!("(--no-threads leaves out the two thread permissions if no drop opens a thread.)");
    }
    say!("No privileged intents are needed: answers arrive through forms, never by reading chat.");
    Ok(ExitCode::SUCCESS)
}
