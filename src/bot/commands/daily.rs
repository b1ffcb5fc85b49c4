//! `/daily set|list|pause|resume|remove|preview|now`: daily question drops (Manage Server).

use std::sync::Arc;

use serenity::all::{ChannelId, Permissions, RoleId};

use super::super::render::escape;
use super::super::{Context, Error, errors::user};
use super::bank::{autocomplete_bank, chosen_bank};
use super::{DifficultyChoice, autocomplete_topic, member_has, resolve_bank_topic, say, sid};
use crate::app::drops::{PostNow, schedule_of};
use crate::domain::bank::{Difficulty, QuestionFilter};
use crate::domain::schedule::{Schedule, Weekdays, parse_time, parse_timezone, suggest_timezones};
use crate::store::DropState;
use crate::store::NewSchedule;

/// Checked again at run time: the command's default permission can be overridden by a server.
fn require_manage_server(ctx: Context<'_>) -> Result<i64, Error> {
    let allowed = member_has(ctx, Permissions::MANAGE_GUILD);
    if !allowed {
        return Err(user(
            "Setting up daily drops needs the Manage Server permission.",
        ));
    }
    ctx.guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("Daily drops belong to a server."))
}

pub(super) async fn autocomplete_timezone(
    _ctx: Context<'_>,
    partial: &str,
) -> serenity::all::CreateAutocompleteResponse {
    let needle = partial.to_ascii_lowercase();
    let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.to_ascii_lowercase().contains(&needle))
        .take(25)
        .collect();
    if names.is_empty() {
        names = suggest_timezones(partial, 25);
    }
    let choices = names
        .into_iter()
        .map(|n| serenity::all::AutocompleteChoice::new(n, n))
        .collect();
    serenity::all::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Daily question drops for this server.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("set", "list", "pause", "resume", "remove", "preview", "now"),
    subcommand_required
)]
pub async fn daily(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Schedule a daily question at a local time.
#[poise::command(slash_command, guild_only)]
#[allow(clippy::too_many_arguments)] // one per option of the slash command
async fn set(
    ctx: Context<'_>,
    #[description = "Local time, 24-hour HH:MM (e.g. 09:00)"]
    #[max_length = 8]
    time: String,
    #[description = "IANA timezone, e.g. Europe/London"]
    #[autocomplete = "autocomplete_timezone"]
    #[max_length = 64]
    timezone: String,
    #[description = "Channel to post in (default: this one)"] channel: Option<ChannelId>,
    #[description = "Days: every day (default), weekdays, weekends, or e.g. mon,wed,fri"]
    #[max_length = 64]
    weekdays: Option<String>,
    #[description = "Only questions of this topic"]
    #[autocomplete = "autocomplete_topic"]
    #[max_length = 100]
    topic: Option<String>,
    #[description = "Only questions of this difficulty"] difficulty: Option<DifficultyChoice>,
    #[description = "Hours answers stay open (1–168, default 24)"]
    #[min = 1]
    #[max = 168]
    window_hours: Option<u32>,
    #[description = "Role to ping when the question is posted"] ping_role: Option<RoleId>,
    #[description = "Open a discussion thread on each question"] thread: Option<bool>,
    #[description = "Which question bank (default: the built-in one)"]
    #[autocomplete = "autocomplete_bank"]
    #[max_length = 100]
    bank: Option<String>,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx)?;
    let time = parse_time(&time).map_err(user)?;
    let tz = parse_timezone(&timezone).map_err(user)?;
    let weekdays: Weekdays = weekdays
        .as_deref()
        .unwrap_or("every day")
        .parse()
        .map_err(user)?;
    let content = chosen_bank(ctx.data(), guild, bank.as_deref()).await?;
    let topic = resolve_bank_topic(&content, topic.as_deref())?;
    let difficulty = difficulty.map(Difficulty::from);
    let filter = QuestionFilter {
        topic: topic.clone(),
        difficulty,
    };
    let pool = content.bank.filter(&filter).count();
    if pool == 0 {
        return Err(user(
            "No question of that bank matches that topic and difficulty, so the drop would have nothing to post. Try fewer filters; nothing was saved.",
        ));
    }
    let cooling_off = ctx.data().engine.store.cooling_off();
    let needed = crate::app::drops::drops_within(weekdays, cooling_off);
    let warning = (pool < needed).then(|| {
        format!(
            "\n⚠ Only {pool} question{} match, fewer than the {needed} drops it posts within the {}-day cooling-off: from drop {} on it repeats questions whose reveal was recent, and answers to those do not count on the boards. Widen the topic or difficulty for a longer pool.",
            if pool == 1 { "" } else { "s" },
            cooling_off.num_days(),
            pool + 1
        )
    });
    let bank_id =
        (!Arc::ptr_eq(&content, ctx.data().engine.library.shipped())).then_some(content.stored.id);
    let channel = channel.unwrap_or_else(|| ctx.channel_id());
    let local_time = time.format("%H:%M").to_string();
    let now = ctx.data().engine.now();
    let id = ctx
        .data()
        .engine
        .store
        .create_schedule(
            &NewSchedule {
                guild_id: guild,
                channel_id: sid(channel.get()),
                local_time: &local_time,
                timezone: tz.name(),
                weekdays: weekdays.bits(),
                bank_id,
                topic: topic.as_deref(),
                difficulty: difficulty.map(Difficulty::as_str),
                window_hours: window_hours.unwrap_or(24).clamp(1, 168),
                ping_role_id: ping_role.map(|r| sid(r.get())),
                thread: thread.unwrap_or(false),
                created_by: sid(ctx.author().id.get()),
            },
            now,
        )
        .await?;
    ctx.data().engine.wake.notify_one();
    let next = Schedule { time, tz, weekdays }.next_post(now).1;
    say(
        ctx,
        format!(
            "Daily drop #{id} set: {local_time} {} ({weekdays}) in <#{}>. Next post <t:{}:F>. See `/daily preview id:{id}`.{}",
            tz.name(),
            channel.get(),
            next.timestamp(),
            warning.unwrap_or_default()
        ),
    )
    .await
}

/// List this server's daily drops, with their state and recent problems.
#[poise::command(slash_command, guild_only)]
async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let guild = require_manage_server(ctx)?;
    let store = &ctx.data().engine.store;
    let schedules = store.schedules(guild).await?;
    if schedules.is_empty() {
        return say(ctx, "No daily drops yet. Set one up with `/daily set`.").await;
    }
    let mut lines = Vec::new();
    for s in &schedules {
        let days = Weekdays::from_bits(u8::try_from(s.weekdays).unwrap_or(127))
            .unwrap_or(Weekdays::EVERY_DAY);
        let mut line = format!(
            "**#{}** {} {} ({days}) in <#{}>",
            s.id, s.local_time, s.timezone, s.channel_id
        );
        if let Some(bank) = s.bank_id
            && let Some(v) = store.bank_version(bank).await?
        {
            line.push_str(&format!(", bank `{}`", escape(&v.slug)));
        }
        if let Some(t) = &s.topic {
            line.push_str(&format!(", topic {}", escape(t)));
        }
        if s.paused {
            line.push_str(" — paused");
        } else if let Some(next) = schedule_of(s).map(|sc| sc.next_post(ctx.data().engine.now()).1)
        {
            line.push_str(&format!(" — next <t:{}:R>", next.timestamp()));
        }
        if let Some(why) = &s.failing {
            line.push_str(&format!("\n  ⚠ failing: {}", escape(why)));
        }
        for d in store.recent_drops(s.id, 5).await? {
            if d.state == DropState::Claimed {
                // Being posted, or interrupted while posting: taken over within a minute.
                line.push_str(&format!("\n  {} being posted", d.local_date));
            } else if matches!(d.state, DropState::Skipped | DropState::Failed) {
                line.push_str(&format!(
                    "\n  {} {}: {}",
                    d.local_date,
                    d.state,
                    escape(d.note.as_deref().unwrap_or(""))
                ));
            }
        }
        lines.push(line);
    }
    say(ctx, super::super::render::truncate(&lines.join("\n"), 2000)).await
}

/// Pause a daily drop.
#[poise::command(slash_command, guild_only)]
async fn pause(
    ctx: Context<'_>,
    #[description = "The drop's number (see /daily list)"] id: i64,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx)?;
    ctx.data()
        .engine
        .store
        .set_schedule_paused(guild, id, true)
        .await?;
    say(ctx, format!("Daily drop #{id} paused.")).await
}

/// Resume a paused daily drop.
#[poise::command(slash_command, guild_only)]
async fn resume(
    ctx: Context<'_>,
    #[description = "The drop's number (see /daily list)"] id: i64,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx)?;
    ctx.data()
        .engine
        .store
        .set_schedule_paused(guild, id, false)
        .await?;
    ctx.data().engine.wake.notify_one();
    say(ctx, format!("Daily drop #{id} resumed.")).await
}

/// Remove a daily drop.
#[poise::command(slash_command, guild_only)]
async fn remove(
    ctx: Context<'_>,
    #[description = "The drop's number (see /daily list)"] id: i64,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx)?;
    ctx.data().engine.store.remove_schedule(guild, id).await?;
    say(ctx, format!("Daily drop #{id} removed.")).await
}

/// The next five posting times of a daily drop.
#[poise::command(slash_command, guild_only)]
async fn preview(
    ctx: Context<'_>,
    #[description = "The drop's number (see /daily list)"] id: i64,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx)?;
    let row = ctx.data().engine.store.schedule(guild, id).await?;
    let schedule = schedule_of(&row).ok_or_else(|| {
        user("This drop's time or timezone is unreadable; remove it and set it again.")
    })?;
    let times: Vec<String> = schedule
        .preview(ctx.data().engine.now(), 5)
        .iter()
        .map(|t| format!("<t:{}:F>", t.timestamp()))
        .collect();
    say(ctx, format!("Next posts of #{id}:\n{}", times.join("\n"))).await
}

/// Post today's question of a daily drop now (to test a setup).
#[poise::command(slash_command, guild_only)]
async fn now(
    ctx: Context<'_>,
    #[description = "The drop's number (see /daily list)"] id: i64,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx)?;
    let data = ctx.data();
    let row = data.engine.store.schedule(guild, id).await?;
    let schedule = schedule_of(&row).ok_or_else(|| {
        user("This drop's time or timezone is unreadable; remove it and set it again.")
    })?;
    let date = match crate::app::drops::check_post_now(&data.engine, &row, &schedule).await? {
        PostNow::Ready(date) => date,
        PostNow::Skipped => {
            return Err(user(
                "Today's question of this drop was skipped (the bot was offline past the grace period); the next one posts on schedule.",
            ));
        }
        PostNow::AlreadyPosted => {
            return Err(user(
                "Today's question of this drop was already posted; each drop posts once a day.",
            ));
        }
    };
    ctx.defer_ephemeral().await?;
    let posted = crate::app::drops::post_now(&data.engine, &row, date).await?;
    say(
        ctx,
        if posted {
            "Posted. Check the channel."
        } else {
            "Could not post; see `/daily list` for the reason."
        },
    )
    .await
}
