//! Operating the bot: Prometheus metrics, and the HTTP endpoints that serve them with a health
//! check (`--metrics-addr`).

pub mod metrics;
mod server;

pub use metrics::{DropOutcome, Metrics, Outcome, note_outcome};
pub use server::{OpsError, OpsListener, OpsServer, OpsState, bind};

use crate::bot::BotError;

/// How a bot error ends an interaction: the same split as [`BotError::for_user`] (a polite
/// explanation is a user error; an apology with an error id is ours).
pub fn error_outcome(error: &BotError) -> Outcome {
    use crate::store::StoreError;
    match error {
        BotError::User(_) | BotError::Store(StoreError::Conflict(_) | StoreError::NotFound(_)) => {
            Outcome::UserError
        }
        _ => Outcome::InternalError,
    }
}

/// How a poise framework error ends an interaction.
pub fn framework_error_outcome<U>(error: &poise::FrameworkError<'_, U, BotError>) -> Outcome {
    use poise::FrameworkError as F;
    match error {
        F::Command { error, .. } => error_outcome(error),
        // What the user typed or may do; or the server's setup, which only its admins can fix.
        F::ArgumentParse { .. }
        | F::CommandCheckFailed { .. }
        | F::MissingUserPermissions { .. }
        | F::MissingBotPermissions { .. }
        | F::NotAnOwner { .. }
        | F::GuildOnly { .. }
        | F::DmOnly { .. }
        | F::NsfwOnly { .. }
        | F::CooldownHit { .. }
        | F::SubcommandRequired { .. } => Outcome::UserError,
        _ => Outcome::InternalError,
    }
}
