//! `/server timezone`: the server's timezone decides "today", board periods and streak days.

use chrono::Utc;
use serenity::all::Permissions;

use super::super::render::escape;
use super::super::{Context, Error, errors::user};
use super::daily::autocomplete_timezone;
use super::{member_has, say, sid};
use crate::domain::period::local_date;
use crate::domain::schedule::parse_timezone;

/// Server settings (Manage Server).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("timezone"),
    subcommand_required
)]
pub async fn server(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Set the timezone that decides "today", board periods and streak days.
#[poise::command(slash_command, guild_only)]
async fn timezone(
    ctx: Context<'_>,
    #[description = "IANA timezone, e.g. Europe/London"]
    #[autocomplete = "autocomplete_timezone"]
    #[max_length = 64]
    name: String,
) -> Result<(), Error> {
    if !member_has(ctx, Permissions::MANAGE_GUILD) {
        return Err(user(
            "Setting the server's timezone needs the Manage Server permission.",
        ));
    }
    let guild = ctx
        .guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("A timezone belongs to a server."))?;
    let tz = parse_timezone(&name).map_err(|e| user(escape(&e)))?;
    let now = Utc::now();
    ctx.data().store.set_server_timezone(guild, tz, now).await?;
    say(
        ctx,
        format!(
            "This server's timezone is now {}: today here is {}. \"Today\", board periods and daily streaks follow it from now on (answers keep the date they were given on).",
            tz.name(),
            local_date(now, tz).format("%A %-d %B %Y")
        ),
    )
    .await
}
