//! `/review next|status`: the member's due questions one at a time (an Answer button, then a
//! modal, handled in `bot::components`), and where their reviews stand.

use poise::CreateReply;

use super::super::render::{self, no_mentions};
use super::super::{Content, Context, Error, errors::user};
use super::{say, sid};
use crate::app::review::{self, Member, RECALL_WINDOW_DAYS, Status};
use crate::domain::bank::Question;

/// Spaced-repetition reviews of questions you answered before (practice: not on the boards).
#[poise::command(
    slash_command,
    guild_only,
    subcommands("next", "status"),
    subcommand_required
)]
pub async fn review(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

fn member(ctx: Context<'_>) -> Result<Member, Error> {
    let guild = ctx
        .guild_id()
        .ok_or_else(|| user("Reviews belong to a server."))?;
    Ok(Member {
        guild_id: sid(guild.get()),
        user_id: sid(ctx.author().id.get()),
    })
}

/// Review the question you are most likely to have forgotten.
#[poise::command(slash_command, guild_only)]
async fn next(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let me = member(ctx)?;
    let now = data.engine.now();
    // An open drop's or round's question waits for its reveal.
    let competing = crate::app::practice::asked_elsewhere(&data.engine.store, me.guild_id).await?;
    let allow = |c: &Content, q: &Question| c.row_of(q).is_some_and(|r| !competing.contains(&r));
    let Some(next) =
        review::next_review(&data.engine.store, &data.engine.library, now, me, &allow).await?
    else {
        let status = review::status(&data.engine.store, now, me).await?;
        let text = match status.next_due {
            Some(due) => format!(
                "Nothing is due for review. Your next review is <t:{}:R>. Meanwhile, `/question adaptive:True` picks a new question for you.",
                due.timestamp()
            ),
            None => "Nothing to review yet. Every question you answer (`/question`, daily drops, mock rounds) is scheduled for review; `/question adaptive:True` picks one for you.".to_string(),
        };
        return say(ctx, text).await;
    };
    let row = next
        .row()
        .ok_or_else(|| user("That question is not available right now."))?;
    let embed = render::chosen_question(
        next.question(),
        "Review",
        &next.reason,
        "Review: practice, not on the leaderboard. Your answer is scored and reschedules this question.",
    );
    ctx.send(
        CreateReply::default()
            .embed(super::super::outbound::to_embed(&embed))
            .components(render::review_button(row))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// What is due this week and how well you recall your reviews.
#[poise::command(slash_command, guild_only)]
async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let me = member(ctx)?;
    let s = review::status(&data.engine.store, data.engine.now(), me).await?;
    say(ctx, status_text(&s)).await
}

/// `/review status` as text (always well under 2,000 characters: at most eight short lines).
pub fn status_text(s: &Status) -> String {
    if s.in_memory == 0 {
        return "Nothing to review yet. Every question you answer (`/question`, daily drops, mock rounds) is scheduled for review.".into();
    }
    let mut lines = vec![format!(
        "**Your reviews** ({} question{} in memory)",
        s.in_memory,
        if s.in_memory == 1 { "" } else { "s" }
    )];
    lines.push(if s.due_now > 0 {
        format!("Due now: {}. `/review next` asks the first.", s.due_now)
    } else {
        "Due now: none.".to_string()
    });
    if s.coming.is_empty() {
        if let Some(due) = s.next_due {
            lines.push(format!(
                "Nothing else due this week; the next review is <t:{}:R>.",
                due.timestamp()
            ));
        }
    } else {
        let days: Vec<String> = s
            .coming
            .iter()
            .map(|(d, n)| format!("{}: {n}", d.format("%a %-d %b")))
            .collect();
        lines.push(format!("Coming this week: {}", days.join(" · ")));
    }
    let target = (s.retention.get() * 100.0).round();
    lines.push(match s.recall_percent() {
        Some(p) => format!(
            "Recall rate (last {RECALL_WINDOW_DAYS} days): {p}% — {} of {} due reviews passed (score 60 or more). This server aims for {target}%.",
            s.recall.0, s.recall.1
        ),
        None => format!(
            "Recall rate: no due reviews answered in the last {RECALL_WINDOW_DAYS} days yet. This server aims for {target}%."
        ),
    });
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::review::DesiredRetention;
    use chrono::NaiveDate;

    #[test]
    fn status_names_due_days_and_the_recall_rate() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default();
        let s = Status {
            due_now: 2,
            coming: vec![(d(3), 1), (d(5), 3)],
            next_due: None,
            in_memory: 9,
            recall: (4, 5),
            retention: DesiredRetention::default(),
        };
        let t = status_text(&s);
        assert!(t.contains("9 questions in memory"), "{t}");
        assert!(t.contains("Due now: 2."), "{t}");
        assert!(t.contains("Thu 3 Dec: 1 · Sat 5 Dec: 3"), "{t}");
        assert!(t.contains("80% — 4 of 5"), "{t}");
        assert!(t.contains("aims for 90%"), "{t}");
    }
}
