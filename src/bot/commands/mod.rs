//! Slash commands. Each command's doc comment is its Discord description.

pub mod boards;
mod daily;
pub mod mock;
mod question;
mod team;

use super::{Data, Error};

pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        question::question(),
        mock::mock(),
        boards::leaderboard(),
        boards::stats(),
        team::team(),
        daily::daily(),
    ]
}

/// A Discord snowflake as the store keeps it.
pub fn sid(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum DifficultyChoice {
    Easy,
    Medium,
    Hard,
}

impl From<DifficultyChoice> for crate::domain::bank::Difficulty {
    fn from(d: DifficultyChoice) -> Self {
        match d {
            DifficultyChoice::Easy => Self::Easy,
            DifficultyChoice::Medium => Self::Medium,
            DifficultyChoice::Hard => Self::Hard,
        }
    }
}

/// Topics of the bank, matching what was typed (autocomplete).
pub async fn autocomplete_topic(
    ctx: super::Context<'_>,
    partial: &str,
) -> serenity::all::CreateAutocompleteResponse {
    let partial = partial.to_lowercase();
    let choices = ctx
        .data()
        .content
        .bank
        .topics()
        .into_iter()
        .filter(|t| t.to_lowercase().contains(&partial))
        .take(25)
        .map(|t| serenity::all::AutocompleteChoice::new(t, t))
        .collect();
    serenity::all::CreateAutocompleteResponse::new().set_choices(choices)
}

/// The canonical topic for what a user typed, or a helpful error.
pub fn resolve_topic(data: &Data, typed: Option<&str>) -> Result<Option<String>, Error> {
    match typed {
        None => Ok(None),
        Some(t) => data
            .content
            .bank
            .find_topic(t)
            .map(|t| Some(t.to_string()))
            .ok_or_else(|| {
                super::errors::user(format!(
                    "Unknown topic `{}`. Topics: {}.",
                    super::render::escape(t),
                    data.content.bank.topics().join(", ")
                ))
            }),
    }
}

/// Reply only the invoking member sees, with mentions disabled.
pub async fn say(ctx: super::Context<'_>, text: impl Into<String>) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(super::render::no_mentions()),
    )
    .await?;
    Ok(())
}

/// Whether the invoking member has `permission` (or Administrator) per the interaction.
/// Checked at run time because a server can override a command's default permissions.
pub fn member_has(ctx: super::Context<'_>, permission: serenity::all::Permissions) -> bool {
    match ctx {
        poise::Context::Application(app) => app
            .interaction
            .member
            .as_ref()
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.contains(permission) || p.administrator()),
        poise::Context::Prefix(_) => false,
    }
}
