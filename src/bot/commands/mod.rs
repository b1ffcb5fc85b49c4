//! Slash commands. Each command's doc comment is its Discord description.

pub mod bank;
pub mod boards;
mod daily;
pub mod mock;
mod question;
mod review;
mod score;
mod server;
mod team;

use super::{Content, Data, Error};

pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        question::question(),
        mock::mock(),
        boards::leaderboard(),
        boards::stats(),
        team::team(),
        daily::daily(),
        bank::bank(),
        review::review(),
        score::score(),
        server::server(),
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

/// The value typed so far for another option of the same command (autocomplete sees them).
fn typed_option(ctx: super::Context<'_>, name: &str) -> Option<String> {
    use serenity::all::{CommandDataOption, CommandDataOptionValue as V};
    fn find(options: &[CommandDataOption], name: &str) -> Option<String> {
        options.iter().find_map(|o| match &o.value {
            V::SubCommand(inner) | V::SubCommandGroup(inner) => find(inner, name),
            V::String(s) if o.name == name => Some(s.clone()),
            V::Autocomplete { value, .. } if o.name == name => Some(value.clone()),
            _ => None,
        })
    }
    match ctx {
        poise::Context::Application(app) => find(&app.interaction.data.options, name),
        poise::Context::Prefix(_) => None,
    }
}

/// The bank named in the command's `bank` option so far (autocomplete), if it names one.
async fn typed_bank(ctx: super::Context<'_>) -> Option<std::sync::Arc<Content>> {
    let guild = sid(ctx.guild_id()?.get());
    let typed = typed_option(ctx, "bank")?;
    let data = ctx.data();
    data.engine
        .library
        .for_server(&data.engine.store, guild, Some(&typed))
        .await
        .ok()
        .flatten()
}

/// Distinct topics in order, ignoring case.
fn distinct_topics<'a>(topics: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut distinct: Vec<String> = Vec::new();
    for t in topics {
        if !distinct.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            distinct.push(t.to_string());
        }
    }
    distinct
}

/// The topics of every built-in bank, in bank order.
fn builtin_topics(data: &Data) -> Vec<&str> {
    data.engine
        .library
        .builtins()
        .iter()
        .flat_map(|c| c.bank.topics())
        .collect()
}

/// Every topic this server's banks have: boards filter by any of them. Read from the stored
/// questions, so no bank needs loading.
pub async fn server_topics(data: &Data, guild: i64) -> Result<Vec<String>, Error> {
    let own = data.engine.store.server_bank_topics(guild).await?;
    let builtin = builtin_topics(data);
    Ok(distinct_topics(
        builtin.into_iter().chain(own.iter().map(String::as_str)),
    ))
}

/// Topics matching what was typed (autocomplete): of the bank chosen in the same command, or
/// of every bank the server can use.
pub async fn autocomplete_topic(
    ctx: super::Context<'_>,
    partial: &str,
) -> serenity::all::CreateAutocompleteResponse {
    let data = ctx.data();
    let topics = match (typed_bank(ctx).await, ctx.guild_id()) {
        (Some(chosen), _) => distinct_topics(chosen.bank.topics()),
        (None, Some(g)) => server_topics(data, sid(g.get())).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot list topics for autocomplete");
            distinct_topics(builtin_topics(data))
        }),
        (None, None) => distinct_topics(builtin_topics(data)),
    };
    let partial = partial.to_lowercase();
    let choices = topics
        .into_iter()
        .filter(|t| t.to_lowercase().contains(&partial))
        .take(25)
        .map(|t| serenity::all::AutocompleteChoice::new(t.clone(), t))
        .collect();
    serenity::all::CreateAutocompleteResponse::new().set_choices(choices)
}

/// The canonical topic among `topics` for what a user typed, or a helpful error.
pub fn resolve_topic(topics: &[String], typed: Option<&str>) -> Result<Option<String>, Error> {
    let Some(t) = typed else { return Ok(None) };
    topics
        .iter()
        .find(|x| x.eq_ignore_ascii_case(t.trim()))
        .map(|x| Some(x.clone()))
        .ok_or_else(|| {
            super::errors::user(super::render::truncate(
                &format!(
                    "Unknown topic `{}`. Topics: {}.",
                    super::render::escape(t),
                    super::render::escape(&topics.join(", "))
                ),
                1900,
            ))
        })
}

/// The topic a user typed, among the topics of `content`.
pub fn resolve_bank_topic(content: &Content, typed: Option<&str>) -> Result<Option<String>, Error> {
    resolve_topic(&distinct_topics(content.bank.topics()), typed)
}

/// Reply only the invoking member sees, with mentions disabled.
/// Every reply's text goes through here, cut to Discord's 2,000 characters (with "…"), so
/// user text echoed back can never make a reply fail.
pub async fn say(ctx: super::Context<'_>, text: impl Into<String>) -> Result<(), Error> {
    let text = super::render::truncate(&text.into(), super::render::MAX_CONTENT);
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
