//! `interview-bot licenses`: the project's licence and the notices of what the binary embeds.

use std::process::ExitCode;

/// The project's own licence (MIT).
pub const LICENSE: &str = include_str!("../../LICENSE");
/// The notices of everything embedded: word list, WordNet, the font, the embedding model.
pub const THIRD_PARTY: &str = include_str!("../../THIRD-PARTY");

pub fn run() -> ExitCode {
    say!("{LICENSE}");
    say!("{THIRD_PARTY}");
    ExitCode::SUCCESS
}
