//! A drop's reveal at close: the reference answer, the best answers, what was missed most
//! often, and the streaks reached.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::app::outbound::{Embed, Outgoing};
use crate::app::text::{MAX_FIELD_VALUE, description_room, escape, fit_lines, truncate};
use crate::app::{Engine, StepError};
use crate::store::{DropAnswer, Leased, ScheduleRow};

/// Claim and post the reveal of a closed drop.
pub async fn reveal(e: &Engine, drop_id: i64, now: DateTime<Utc>) -> Result<(), StepError> {
    let lease = e.lease_from(now);
    if !e.store.claim_reveal_drop(drop_id, now, lease).await? {
        return Ok(());
    }
    let _beat = e.heartbeat(Leased::Drop(drop_id), lease);
    let drop = e.store.drop_by_id(drop_id).await?;
    let asked = match drop.question_id {
        Some(row) => e.library.question(&e.store, row).await?,
        None => None,
    };
    let Some(asked) = asked else {
        e.store.reveal_drop_done(drop_id).await?;
        return Ok(());
    };
    let answers = e.store.drop_answers(drop_id).await?;
    let schedule = e.store.schedule_by_id(drop.schedule_id).await?;
    if let Some(row) = schedule {
        let milestones = streak_milestones(e, &row, &answers, now).await?;
        let message = reveal_message(asked.question(), &drop.local_date, &answers, &milestones);
        if let Err(err) = e
            .outbound
            .post(row.channel_id, message, &format!("d{drop_id}v"))
            .await
        {
            tracing::warn!(drop = drop_id, error = %err, "cannot post a daily reveal");
        }
    }
    // The answerers saw the reference: their later round and drop answers to it do not count.
    e.store.mark_drop_reveal_seen(drop_id, now).await?;
    e.store.reveal_drop_done(drop_id).await?;
    Ok(())
}

/// The reveal: the reference, how many answered, the top three (spoilered), the concept most
/// missed and the streak milestones, within the 6,000 characters of a message's embeds.
pub fn reveal_message(
    q: &crate::domain::bank::Question,
    local_date: &str,
    answers: &[DropAnswer],
    milestones: &[String],
) -> Outgoing {
    // Only answers the boards count are ranked: a copy or a seen answer can score high.
    let top: Vec<String> = answers
        .iter()
        .filter(|a| a.counted)
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
    let mut missed: HashMap<String, usize> = HashMap::new();
    for a in answers {
        for m in serde_json::from_str::<Vec<String>>(&a.missed).unwrap_or_default() {
            *missed.entry(m).or_default() += 1;
        }
    }
    let most_missed = missed
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
    let title = truncate(&format!("Daily reveal — {local_date}"), 256);
    let not_counted = answers.iter().filter(|a| !a.counted).count();
    let count = if not_counted == 0 {
        answers.len().to_string()
    } else {
        format!(
            "{} ({not_counted} not counted: copied, or given after seeing the reference)",
            answers.len()
        )
    };
    // Whole lines only: a cut inside a spoiler would show the rest of the answer.
    let top = fit_lines(&top, MAX_FIELD_VALUE);
    let missed = most_missed
        .map(|(concept, n)| truncate(&format!("{} ({n}×)", escape(&concept)), MAX_FIELD_VALUE));
    let milestones = fit_lines(milestones, MAX_FIELD_VALUE);
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
    let mut embed = Embed::new(
        title,
        truncate(
            &format!("**{}**\n\n{}", escape(&q.prompt), q.reference),
            room,
        ),
    )
    .field("Answers", count, true);
    if !top.is_empty() {
        embed = embed.field("Top answers", top, false);
    }
    if let Some(text) = missed {
        embed = embed.field("Most often missed", text, false);
    }
    if !milestones.is_empty() {
        embed = embed.field("Streaks", milestones, false);
    }
    Outgoing::embed(embed)
}

/// Members who just reached a 7, 30 or 100-day streak.
async fn streak_milestones(
    e: &Engine,
    row: &ScheduleRow,
    answers: &[DropAnswer],
    now: DateTime<Utc>,
) -> Result<Vec<String>, StepError> {
    let mut out = Vec::new();
    for a in answers {
        let stats = e.store.member_stats(row.guild_id, a.user_id, now).await?;
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
