//! `/server timezone`: the server's timezone decides "today", board periods and streak days.
//! `/server retention`: how much of what is due members should still remember (spaced
//! repetition: a higher target means shorter intervals between reviews).

use chrono::Utc;
use serenity::all::Permissions;

use super::super::render::escape;
use super::super::{Context, Error, errors::user};
use super::daily::autocomplete_timezone;
use super::{member_has, say, sid};
use crate::domain::period::local_date;
use crate::domain::review::DesiredRetention;
use crate::domain::schedule::parse_timezone;

/// Server settings (Manage Server).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("timezone", "retention"),
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

/// Set (or show) the share of due reviews members should still recall, 0.80–0.95.
#[poise::command(slash_command, guild_only)]
async fn retention(
    ctx: Context<'_>,
    #[description = "0.80 to 0.95 (default 0.90): higher means shorter intervals between reviews"]
    #[min = 0.8]
    #[max = 0.95]
    value: Option<f64>,
) -> Result<(), Error> {
    let guild = ctx
        .guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("A retention target belongs to a server."))?;
    let store = &ctx.data().store;
    let Some(value) = value else {
        let current = store.desired_retention(guild).await?;
        return say(ctx, format!(
            "This server's reviews aim for {:.2}: a question comes back when a member's chance of recalling it falls to {:.0}%. Set it with `/server retention value:0.85` (0.80–0.95, Manage Server).",
            current.get(),
            current.get() * 100.0
        ))
        .await;
    };
    if !member_has(ctx, Permissions::MANAGE_GUILD) {
        return Err(user(
            "Setting the server's review retention needs the Manage Server permission.",
        ));
    }
    let retention = retention_value(value)?;
    store
        .set_desired_retention(guild, retention, Utc::now())
        .await?;
    say(
        ctx,
        format!(
            "Reviews in this server now aim for {:.2}: a question comes back when a member's chance of recalling it falls to {:.0}%. New answers are scheduled with it; reviews already scheduled keep their date until answered.",
            retention.get(),
            retention.get() * 100.0
        ),
    )
    .await
}

/// A typed retention, or what is wrong with it.
fn retention_value(value: f64) -> Result<DesiredRetention, Error> {
    DesiredRetention::new(value).map_err(|_| {
        user(format!(
            "The retention target must be between {:.2} and {:.2} (for example 0.90); {} is not. Higher means more frequent reviews.",
            DesiredRetention::MIN,
            DesiredRetention::MAX,
            if value.is_finite() {
                format!("{value}")
            } else {
                "that".to_string()
            }
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_values_outside_080_to_095_are_explained() {
        for bad in [0.0, 0.79, 0.951, 1.0, 90.0, -0.9, f64::NAN, f64::INFINITY] {
            let e = retention_value(bad)
                .err()
                .map(|e| e.for_user())
                .unwrap_or_default();
            assert!(e.contains("between 0.80 and 0.95"), "{bad}: {e}");
        }
        for good in [0.8, 0.85, 0.9, 0.95] {
            assert_eq!(
                retention_value(good).ok().map(DesiredRetention::get),
                Some(good)
            );
        }
    }
}
