//! `/team create|join|leave|list`.

use super::super::render::escape;
use super::super::{Context, Error};
use super::{say, sid};

fn guild(ctx: Context<'_>) -> Result<i64, Error> {
    ctx.guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| super::super::errors::user("Teams exist inside a server."))
}

/// Teams for team boards and team rounds.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("create", "join", "leave", "list"),
    subcommand_required
)]
pub async fn team(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Create a team and join it.
#[poise::command(slash_command, guild_only)]
async fn create(
    ctx: Context<'_>,
    #[description = "Team name (1–32 characters)"]
    #[max_length = 32]
    name: String,
) -> Result<(), Error> {
    let g = guild(ctx)?;
    let me = sid(ctx.author().id.get());
    let now = ctx.data().engine.now();
    // The name the server shows (as every other command stores it), not the account name.
    let shown = ctx.author_member().await.map_or_else(
        || ctx.author().name.clone(),
        |m| m.display_name().to_string(),
    );
    ctx.data()
        .engine
        .store
        .upsert_member(g, me, &shown, now)
        .await?;
    ctx.data()
        .engine
        .store
        .create_team(g, &name, me, now)
        .await?;
    say(
        ctx,
        format!(
            "Team **{}** created, and you are in it.",
            escape(name.trim())
        ),
    )
    .await
}

/// Join a team (leaving your current one).
#[poise::command(slash_command, guild_only)]
async fn join(
    ctx: Context<'_>,
    #[description = "The team's name"]
    #[max_length = 32]
    name: String,
) -> Result<(), Error> {
    let g = guild(ctx)?;
    let joined = ctx
        .data()
        .engine
        .store
        .join_team(
            g,
            sid(ctx.author().id.get()),
            &name,
            ctx.data().engine.now(),
        )
        .await?;
    say(ctx, format!("You are now in team **{}**.", escape(&joined))).await
}

/// Leave your team.
#[poise::command(slash_command, guild_only)]
async fn leave(ctx: Context<'_>) -> Result<(), Error> {
    let g = guild(ctx)?;
    match ctx
        .data()
        .engine
        .store
        .leave_team(g, sid(ctx.author().id.get()))
        .await?
    {
        Some(t) => say(ctx, format!("You left team **{}**.", escape(&t))).await,
        None => say(ctx, "You are not in a team.").await,
    }
}

/// List this server's teams.
#[poise::command(slash_command, guild_only)]
async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let g = guild(ctx)?;
    let teams = ctx.data().engine.store.list_teams(g).await?;
    if teams.is_empty() {
        return say(ctx, "No teams yet. Create one with `/team create`.").await;
    }
    let lines: Vec<String> = teams
        .iter()
        .map(|t| format!("**{}** — {} member(s)", escape(&t.name), t.members))
        .collect();
    say(
        ctx,
        super::super::render::fit_lines(&lines, super::super::render::MAX_CONTENT),
    )
    .await
}
