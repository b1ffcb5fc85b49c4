//! `/score review|override|appeal`: moderators look at flagged and appealed answers and change
//! scores (with the store's audit trail); members appeal their own answers.

use serenity::all::Permissions;

use super::super::render::{escape, fit_lines, truncate};
use super::super::{Context, Error, errors::user};
use super::{member_has, say, sid};

/// How many flagged answers `/score review` lists.
const REVIEW_LINES: i64 = 15;

fn guild_of(ctx: Context<'_>) -> Result<i64, Error> {
    ctx.guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("Scores belong to a server."))
}

/// Checked at run time: a server can override a command's default permissions.
fn require_manage_messages(ctx: Context<'_>) -> Result<i64, Error> {
    if !member_has(ctx, Permissions::MANAGE_MESSAGES) {
        return Err(user(
            "Reviewing and changing scores needs the Manage Messages permission.",
        ));
    }
    guild_of(ctx)
}

/// Review flagged answers, change a score, or appeal one of your answers.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("review", "override_score", "appeal"),
    subcommand_required
)]
pub async fn score(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Answers flagged as copies or appealed by their members (Manage Messages).
#[poise::command(slash_command, guild_only)]
async fn review(ctx: Context<'_>) -> Result<(), Error> {
    let guild = require_manage_messages(ctx)?;
    let (rows, total) = ctx
        .data()
        .engine
        .store
        .flagged_answers(guild, REVIEW_LINES)
        .await?;
    if rows.is_empty() {
        return say(ctx, "Nothing to review: no copied or appealed answers, and no answer the two judges disagree on.").await;
    }
    let mut lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let mut why = Vec::new();
            if r.copied {
                why.push("copied".to_string());
            }
            if let Some(reason) = &r.appeal {
                why.push(format!("appeal: “{}”", escape(&truncate(reason, 120))));
            }
            let score = match (r.ai_score, r.builtin_score) {
                (Some(ai), builtin) => {
                    let builtin = builtin.unwrap_or(r.score);
                    if (ai - builtin).abs() >= crate::store::JUDGES_DISAGREE {
                        why.push("the two judges disagree".to_string());
                    }
                    format!(
                        "{}/100 counts ({}) · built-in {builtin} · AI {} {ai}",
                        r.score,
                        if r.counted_by == "ai" {
                            "AI"
                        } else {
                            "built-in"
                        },
                        escape(&truncate(r.ai_model.as_deref().unwrap_or("model"), 30)),
                    )
                }
                (None, _) => format!("{}/100", r.score),
            };
            format!(
                "**#{}** {} · `{}` ({}) · {} · {} · ||{}||",
                r.attempt_id,
                escape(&truncate(&r.display_name, 40)),
                r.question,
                r.context,
                score,
                why.join("; "),
                escape(&truncate(&r.answer, 120)),
            )
        })
        .collect();
    let hidden = usize::try_from(total)
        .unwrap_or(0)
        .saturating_sub(rows.len());
    if hidden > 0 {
        lines.push(format!("… and {hidden} more (older)"));
    }
    let header = format!(
        "{total} answer(s) to review. `/score override attempt:<#> score:<0–100> reason:<why>` decides one.\n"
    );
    let room = super::super::render::MAX_CONTENT.saturating_sub(header.chars().count());
    say(ctx, format!("{header}{}", fit_lines(&lines, room))).await
}

/// Change an answer's score, with a reason kept in the audit trail (Manage Messages).
#[poise::command(slash_command, guild_only, rename = "override")]
async fn override_score(
    ctx: Context<'_>,
    #[description = "The answer's number (shown in /score review and in its reply)"]
    #[min = 1]
    attempt: i64,
    #[description = "The new score, 0–100"]
    #[min = 0]
    #[max = 100]
    score: u8,
    #[description = "Why (the member sees it)"]
    #[max_length = 300]
    reason: String,
) -> Result<(), Error> {
    let guild = require_manage_messages(ctx)?;
    if reason.trim().is_empty() {
        return Err(user("Please give a reason; the member sees it."));
    }
    let store = &ctx.data().engine.store;
    let owner = store
        .attempt_owner(guild, attempt)
        .await?
        .ok_or_else(|| user(format!("There is no answer #{attempt} in this server.")))?;
    let moderator = sid(ctx.author().id.get());
    let old = store
        .override_score(
            guild,
            attempt,
            moderator,
            score.min(100),
            &reason,
            ctx.data().engine.now(),
        )
        .await?;
    say(
        ctx,
        format!(
            "Answer #{attempt} of <@{owner}>: {old} → {}/100. Reason: {}. The member sees this change privately in `/stats`, and the boards use the new score.",
            score.min(100),
            escape(reason.trim())
        ),
    )
    .await
}

/// Ask moderators to look at the score of one of your answers.
#[poise::command(slash_command, guild_only)]
async fn appeal(
    ctx: Context<'_>,
    #[description = "Your answer's number (shown in its reply)"]
    #[min = 1]
    attempt: i64,
    #[description = "What the score got wrong"]
    #[max_length = 300]
    reason: String,
) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    if reason.trim().is_empty() {
        return Err(user("Please say what the score got wrong."));
    }
    let me = sid(ctx.author().id.get());
    ctx.data()
        .engine
        .store
        .appeal(guild, attempt, me, &reason, ctx.data().engine.now())
        .await?;
    say(
        ctx,
        format!(
            "Appeal for answer #{attempt} sent to the moderators. Their decision will show privately in your `/stats`."
        ),
    )
    .await
}
