//! Daily drops in Discord: posting each (schedule, local date) exactly once, late-posting or
//! skipping what was missed during downtime, and revealing at close.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use poise::serenity_prelude as serenity;
use rand::seq::SliceRandom as _;
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateMessage, CreateThread, RoleId,
};

use super::render::{COLOR, escape, no_mentions, truncate};
use super::rounds::Driver;
use crate::domain::bank::{Difficulty, QuestionFilter};
use crate::domain::schedule::{Missed, Schedule, Weekdays, missed, parse_time};
use crate::ops::DropOutcome;
use crate::store::ScheduleRow;

/// How far back missed drops are looked for (and recorded as skipped).
const LOOK_BACK_DAYS: i64 = 7;

pub fn schedule_of(row: &ScheduleRow) -> Option<Schedule> {
    Some(Schedule {
        time: parse_time(&row.local_time).ok()?,
        tz: row.timezone.parse().ok()?,
        weekdays: Weekdays::from_bits(u8::try_from(row.weekdays).ok()?)?,
    })
}

/// Post what is due, record what was missed, reveal what closed. Returns the next time
/// anything daily is due.
pub async fn tick(d: &Driver, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
    let mut next: Option<DateTime<Utc>> = None;
    let mut earliest = |t: DateTime<Utc>| next = Some(next.map_or(t, |n: DateTime<Utc>| n.min(t)));
    for row in d.store.active_schedules().await? {
        let Some(schedule) = schedule_of(&row) else {
            tracing::warn!(schedule = row.id, "schedule has an unreadable time or zone");
            continue;
        };
        if let Err(e) = post_due(d, &row, &schedule, now).await {
            tracing::error!(schedule = row.id, error = %e, "daily drop failed");
        }
        earliest(schedule.next_post(now).1);
    }
    // Steps whose claimer died (killed between its claim and its record): done again. Their
    // posts carry the same nonce, so one that had gone out is not posted twice.
    for stale in d.store.stale_drop_claims(now).await? {
        if let Err(e) = take_over(d, &stale, now).await {
            tracing::error!(drop = stale.id, error = %e, "cannot take over a daily drop step");
        }
    }
    if let Some(l) = d.store.next_drop_lease(now).await? {
        earliest(l);
    }
    let (to_reveal, next_close) = d.store.drops_to_reveal(now).await?;
    for id in to_reveal {
        if let Err(e) = reveal(d, id, now).await {
            tracing::error!(drop = id, error = %e, "daily reveal failed");
        }
    }
    if let Some(c) = next_close {
        earliest(c);
    }
    if let Some(r) = d.store.next_drop_retry(now).await? {
        earliest(r);
    }
    Ok(next)
}

fn lease_from(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::from_std(crate::domain::timer::STEP_LEASE).unwrap_or(Duration::seconds(30))
}

/// Redo the step of a drop whose claimer died: its post (within the grace period; skipped
/// with a note after it) or its reveal.
async fn take_over(
    d: &Driver,
    stale: &crate::store::DropRow,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if stale.state == "revealed" {
        return reveal(d, stale.id, now).await;
    }
    let Some(row) = d.store.schedule_by_id(stale.schedule_id).await? else {
        return Ok(());
    };
    let Ok(date) = stale.local_date.parse::<NaiveDate>() else {
        anyhow::bail!("drop {} has an unreadable date", stale.id);
    };
    let due = crate::store::from_ms(stale.due_ms);
    let grace = Duration::from_std(d.timings.drop_grace).unwrap_or(Duration::hours(2));
    match missed(due, now, grace) {
        Missed::PostLate => {
            tracing::info!(
                drop = stale.id,
                "taking over a daily drop whose post was interrupted"
            );
            post(d, &row, date, due, now, stale.note.as_deref()).await
        }
        Missed::Skip => {
            d.store
                .record_skipped_drop(
                    row.id,
                    date,
                    due,
                    "interrupted while posting, and too late to post again",
                    now,
                )
                .await?;
            d.metrics.daily_drop(DropOutcome::Skipped);
            Ok(())
        }
    }
}

async fn post_due(
    d: &Driver,
    row: &ScheduleRow,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    // A schedule set for the current minute posts now; one set after today's time starts tomorrow.
    let eligible_from = row.created() - Duration::minutes(1);
    let grace = Duration::from_std(d.timings.drop_grace).unwrap_or(Duration::hours(2));
    let Some((latest_date, latest_due)) = schedule.latest_due(now) else {
        return Ok(());
    };
    // Older dates missed while the bot was down: recorded, never posted.
    let mut cursor = now - Duration::days(LOOK_BACK_DAYS);
    loop {
        let (date, due) = schedule.next_post(cursor);
        if due >= latest_due {
            break;
        }
        if due > eligible_from
            && d.store.drop_state(row.id, date).await?.is_none()
            && d.store
                .record_skipped_drop(row.id, date, due, "missed while the bot was offline", now)
                .await?
        {
            d.metrics.daily_drop(DropOutcome::Skipped);
        }
        cursor = due;
    }
    if latest_due <= eligible_from || d.store.drop_settled(row.id, latest_date, now).await? {
        return Ok(());
    }
    match missed(latest_due, now, grace) {
        Missed::Skip => {
            d.store
                .record_skipped_drop(
                    row.id,
                    latest_date,
                    latest_due,
                    "missed by more than the grace period while the bot was offline",
                    now,
                )
                .await?;
            d.metrics.daily_drop(DropOutcome::Skipped);
            Ok(())
        }
        Missed::PostLate => {
            let late = now - latest_due > Duration::minutes(1);
            post(
                d,
                row,
                latest_date,
                latest_due,
                now,
                late.then_some("Posted late: the bot was offline at the scheduled time."),
            )
            .await
        }
    }
}

/// Claim and post one drop. `note` marks a late post.
pub async fn post(
    d: &Driver,
    row: &ScheduleRow,
    date: NaiveDate,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    note: Option<&str>,
) -> anyhow::Result<()> {
    let Some(drop_id) = d
        .store
        .claim_drop(row.id, date, due, now, lease_from(now))
        .await?
    else {
        return Ok(()); // another process, or an earlier tick, has it
    };
    // A take-over posts what the dead claimer chose (the nonce then returns its message).
    let prepared = d.store.drop_by_id(drop_id).await?;
    let (question_row, closes) = match (prepared.question_id, prepared.closes_ms) {
        (Some(q), Some(c)) => (q, crate::store::from_ms(c)),
        _ => match choose_question(d, row, drop_id).await? {
            Some(q) => {
                let hours = u32::try_from(row.window_hours).unwrap_or(24);
                let closes = now
                    + Duration::from_std(d.timings.drop_hour * hours)
                        .unwrap_or(Duration::hours(24));
                d.store.prepare_drop(drop_id, q, closes).await?;
                (q, closes)
            }
            None => return Ok(()),
        },
    };
    send_drop(d, row, drop_id, question_row, date, due, now, closes, note).await
}

/// The question for a new drop, or `None` when the drop failed for good (recorded).
async fn choose_question(
    d: &Driver,
    row: &ScheduleRow,
    drop_id: i64,
) -> anyhow::Result<Option<i64>> {
    let filter = QuestionFilter {
        topic: row.topic.clone(),
        difficulty: row
            .difficulty
            .as_deref()
            .and_then(|s| s.parse::<Difficulty>().ok()),
    };
    let content = match row.bank_id {
        None => Some(d.library.shipped().clone()),
        Some(bank) => match d.store.current_version(bank).await? {
            Some(version) => d.library.version(&d.store, version).await?,
            None => None,
        },
    };
    let Some(content) = content else {
        // Removing a bank is refused while a schedule uses it, so this is a hand-edited
        // database; say so rather than retrying every tick.
        fail_for_good(d, drop_id, row.id, "its question bank no longer exists").await?;
        return Ok(None);
    };
    let pool: Vec<i64> = content
        .bank
        .filter(&filter)
        .filter_map(|q| content.row_of(q))
        .collect();
    let Some(question_row) = d
        .store
        .next_drop_question(row.id, &pool, |v| v.shuffle(&mut rand::rng()))
        .await?
    else {
        fail_for_good(
            d,
            drop_id,
            row.id,
            "no question matches its topic and difficulty",
        )
        .await?;
        return Ok(None);
    };
    Ok(Some(question_row))
}

#[allow(clippy::too_many_arguments)]
async fn send_drop(
    d: &Driver,
    row: &ScheduleRow,
    drop_id: i64,
    question_row: i64,
    date: NaiveDate,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    closes: DateTime<Utc>,
    note: Option<&str>,
) -> anyhow::Result<()> {
    let Some(asked) = d.library.question(&d.store, question_row).await? else {
        anyhow::bail!("question row {question_row} is not stored");
    };
    let q = asked.question();
    let mut embed = CreateEmbed::new()
        .title(truncate(&format!("Daily question — {date}"), 256))
        .description(truncate(&q.prompt, 4096))
        .field("Topic", &q.topic, true)
        .field("Difficulty", q.difficulty.label(), true)
        .field("Closes", format!("<t:{}:R>", closes.timestamp()), true)
        .footer(CreateEmbedFooter::new(
            "One scored answer per member: your last answer before the close counts. Answers stay hidden until the reveal.",
        ))
        .color(COLOR);
    if let Some(n) = note {
        embed = embed.field("Note", n, false);
    }
    let mut message = CreateMessage::new()
        .embed(embed)
        .components(vec![CreateActionRow::Buttons(vec![
            CreateButton::new(format!("d:answer:{drop_id}"))
                .label("Answer")
                .style(ButtonStyle::Primary),
        ])]);
    // Only the configured role may be pinged; no user text is in this message.
    let mut mentions = no_mentions();
    if let Some(role) = row.ping_role_id.and_then(|r| u64::try_from(r).ok()) {
        message = message.content(format!("<@&{role}>"));
        mentions = CreateAllowedMentions::new().roles(vec![RoleId::new(role)]);
    }
    let channel = ChannelId::new(u64::try_from(row.channel_id)?);
    match super::outbound::post(
        &d.http,
        channel,
        message.allowed_mentions(mentions),
        &format!("d{drop_id}"),
    )
    .await
    {
        Ok(m) => {
            d.store
                .mark_drop_posted(
                    drop_id,
                    question_row,
                    i64::try_from(m.id.get())?,
                    now,
                    closes,
                    note,
                )
                .await?;
            d.metrics.daily_drop(DropOutcome::posted(note.is_some()));
            if row.failing.is_some() {
                d.store.set_schedule_failing(row.id, None).await?;
            }
            if row.thread {
                let thread = CreateThread::new(truncate(&format!("Discussion — {date}"), 100));
                if let Err(e) = channel
                    .create_thread_from_message(&d.http, m.id, thread)
                    .await
                {
                    tracing::warn!(schedule = row.id, error = %e, "cannot open the discussion thread");
                }
            }
            d.wake.notify_one();
        }
        Err(e) => {
            // No retry storm: the drop is tried again after a pause while it is within the
            // grace period (so it posts soon after the permission comes back), the schedule
            // says why meanwhile, and the next day's drop tries afresh.
            let reason = failure_reason(&e);
            tracing::warn!(schedule = row.id, error = %e, "cannot post a daily drop");
            let grace = Duration::from_std(d.timings.drop_grace).unwrap_or(Duration::hours(2));
            let retry_at =
                now + Duration::from_std(d.timings.drop_hour / 4).unwrap_or(Duration::minutes(15));
            let retry_at = (retry_at <= due + grace).then_some(retry_at);
            d.store.mark_drop_failed(drop_id, &reason, retry_at).await?;
            d.store.set_schedule_failing(row.id, Some(&reason)).await?;
            d.metrics.daily_drop(if retry_at.is_some() {
                DropOutcome::Retrying
            } else {
                DropOutcome::Failed
            });
        }
    }
    Ok(())
}

/// A drop that cannot be posted however often it is tried: the drop and its schedule say why.
async fn fail_for_good(
    d: &Driver,
    drop_id: i64,
    schedule_id: i64,
    reason: &str,
) -> anyhow::Result<()> {
    d.store.mark_drop_failed(drop_id, reason, None).await?;
    d.store
        .set_schedule_failing(schedule_id, Some(reason))
        .await?;
    d.metrics.daily_drop(DropOutcome::Failed);
    Ok(())
}

fn failure_reason(e: &serenity::Error) -> String {
    let text = e.to_string();
    if text.contains("Missing Permissions") || text.contains("Missing Access") {
        "missing permission to post in the channel (needs View Channel, Send Messages, Embed Links)"
            .into()
    } else if text.contains("Unknown Channel") {
        "the channel no longer exists".into()
    } else {
        format!("posting failed: {}", truncate(&text, 150))
    }
}

async fn reveal(d: &Driver, drop_id: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
    if !d
        .store
        .claim_reveal_drop(drop_id, now, lease_from(now))
        .await?
    {
        return Ok(());
    }
    let drop = d.store.drop_by_id(drop_id).await?;
    let asked = match drop.question_id {
        Some(row) => d.library.question(&d.store, row).await?,
        None => None,
    };
    let Some(asked) = asked else {
        d.store.reveal_drop_done(drop_id).await?;
        return Ok(());
    };
    let q = asked.question();
    let answers = d.store.drop_answers(drop_id).await?;
    let schedule = d.store.schedule_by_id(drop.schedule_id).await?;
    let top: Vec<String> = answers
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, a)| {
            format!(
                "{}. {} — {}/100: ||{}||",
                i + 1,
                escape(&a.display_name),
                a.score,
                escape(&truncate(&a.answer, 200))
            )
        })
        .collect();
    let mut missed: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for a in &answers {
        for m in serde_json::from_str::<Vec<String>>(&a.missed).unwrap_or_default() {
            *missed.entry(m).or_default() += 1;
        }
    }
    let most_missed = missed
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
    use super::render::{MAX_FIELD_VALUE, description_room, fit_lines};
    let title = truncate(&format!("Daily reveal — {}", drop.local_date), 256);
    let count = answers.len().to_string();
    // Whole lines only: a cut inside a spoiler would show the rest of the answer.
    let top = fit_lines(&top, MAX_FIELD_VALUE);
    let missed = most_missed
        .map(|(concept, n)| truncate(&format!("{} ({n}×)", escape(&concept)), MAX_FIELD_VALUE));
    let milestones = match &schedule {
        Some(row) => fit_lines(&streak_milestones(d, row, &answers).await?, MAX_FIELD_VALUE),
        None => String::new(),
    };
    let room = description_room(&[
        &title,
        "Answers",
        &count,
        "Top answers",
        &top,
        "Most often missed",
        missed.as_deref().unwrap_or(""),
        "Streaks",
        &milestones,
    ]);
    let mut embed = CreateEmbed::new()
        .title(title)
        .description(truncate(
            &format!("**{}**\n\n{}", escape(&q.prompt), q.reference),
            room,
        ))
        .field("Answers", count, true)
        .color(COLOR);
    if !top.is_empty() {
        embed = embed.field("Top answers", top, false);
    }
    if let Some(text) = missed {
        embed = embed.field("Most often missed", text, false);
    }
    if !milestones.is_empty() {
        embed = embed.field("Streaks", milestones, false);
    }
    if let Some(row) = schedule {
        let channel = ChannelId::new(u64::try_from(row.channel_id)?);
        if let Err(e) = super::outbound::post(
            &d.http,
            channel,
            CreateMessage::new()
                .embed(embed)
                .allowed_mentions(no_mentions()),
            &format!("d{drop_id}v"),
        )
        .await
        {
            tracing::warn!(drop = drop_id, error = %e, "cannot post a daily reveal");
        }
    }
    // The answerers saw the reference: their later round and drop answers to it do not count.
    d.store.mark_drop_reveal_seen(drop_id, Utc::now()).await?;
    d.store.reveal_drop_done(drop_id).await?;
    Ok(())
}

/// Members who just reached a 7, 30 or 100-day streak.
async fn streak_milestones(
    d: &Driver,
    row: &ScheduleRow,
    answers: &[crate::store::DropAnswer],
) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for a in answers {
        let stats = d
            .store
            .member_stats(row.guild_id, a.user_id, Utc::now())
            .await?;
        if crate::domain::streak::is_milestone(stats.streak.current) {
            out.push(format!(
                "🔥 {} reached a {}-day streak!",
                escape(&a.display_name),
                stats.streak.current
            ));
        }
    }
    Ok(out)
}
