//! Errors in the Discord adapter: a user's mistake gets a polite explanation; anything else is
//! logged with an id and the user gets a short apology carrying that id.

use poise::serenity_prelude as serenity;

use super::Data;
use super::render::no_mentions;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// Something the user can fix; shown to them as is.
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Boxed: serenity's error is large, and errors travel through every handler.
    #[error(transparent)]
    Discord(Box<serenity::Error>),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type Error = BotError;

impl From<serenity::Error> for BotError {
    fn from(e: serenity::Error) -> Self {
        BotError::Discord(Box::new(e))
    }
}

impl From<crate::app::StepError> for BotError {
    fn from(e: crate::app::StepError) -> Self {
        match e {
            crate::app::StepError::Store(e) => BotError::Store(e),
            other => BotError::Other(other.into()),
        }
    }
}

/// A use case's refusal is the user's to read; its store errors stay internal.
impl From<crate::app::practice::PracticeError> for BotError {
    fn from(e: crate::app::practice::PracticeError) -> Self {
        match e {
            crate::app::practice::PracticeError::Store(e) => BotError::Store(e),
            refused => BotError::User(refused.to_string()),
        }
    }
}

impl From<crate::app::rounds::DrawError> for BotError {
    fn from(e: crate::app::rounds::DrawError) -> Self {
        match e {
            crate::app::rounds::DrawError::Store(e) => BotError::Store(e),
            refused => BotError::User(refused.to_string()),
        }
    }
}

impl From<crate::app::drops::DropRefusal> for BotError {
    fn from(e: crate::app::drops::DropRefusal) -> Self {
        match e {
            crate::app::drops::DropRefusal::Store(e) => BotError::Store(e),
            refused => BotError::User(refused.to_string()),
        }
    }
}

pub fn user(message: impl Into<String>) -> BotError {
    BotError::User(message.into())
}

/// A short id to quote in an apology and find in the logs.
pub fn error_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

impl BotError {
    /// What the user sees, within Discord's 2,000 characters (store messages can quote what
    /// the user typed).
    pub fn for_user(&self) -> String {
        super::render::truncate(&self.explain(), super::render::MAX_CONTENT)
    }

    fn explain(&self) -> String {
        match self {
            BotError::User(m) => m.clone(),
            BotError::Store(crate::store::StoreError::Conflict(m)) => format!("{m}."),
            BotError::Store(crate::store::StoreError::NotFound(m)) => format!("Not found: {m}."),
            other => {
                let id = error_id();
                tracing::error!(error_id = %id, error = %other, "internal error");
                format!(
                    "Sorry, something went wrong on our side (error id `{id}`). Please try again in a moment."
                )
            }
        }
    }
}

// How errors count in the metrics: kept here, so `ops` knows nothing of the bot.
/// How a bot error ends an interaction: the same split as [`BotError::for_user`] (a polite
/// explanation is a user error; an apology with an error id is ours).
pub fn error_outcome(error: &BotError) -> crate::ops::Outcome {
    use crate::ops::Outcome;
    use crate::store::StoreError;
    match error {
        BotError::User(_) | BotError::Store(StoreError::Conflict(_) | StoreError::NotFound(_)) => {
            Outcome::UserError
        }
        _ => Outcome::InternalError,
    }
}

/// How a poise framework error ends an interaction.
pub fn framework_error_outcome<U>(
    error: &poise::FrameworkError<'_, U, BotError>,
) -> crate::ops::Outcome {
    use crate::ops::Outcome;
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

pub async fn on_error(error: poise::FrameworkError<'_, Data, BotError>) {
    super::instrument::note_outcome(framework_error_outcome(&error));
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            let text = error.for_user();
            let reply = poise::CreateReply::default()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(no_mentions());
            if let Err(e) = ctx.send(reply).await {
                tracing::warn!(error = %e, "could not report an error to the user");
            }
        }
        poise::FrameworkError::MissingUserPermissions {
            ctx,
            missing_permissions,
            ..
        } => {
            let what = missing_permissions.map_or_else(
                || "the required permission".to_string(),
                |p| format!("the {p} permission"),
            );
            let reply = poise::CreateReply::default()
                .content(format!("You need {what} to use this command."))
                .ephemeral(true)
                .allowed_mentions(no_mentions());
            let _ = ctx.send(reply).await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
        }
    }
}
