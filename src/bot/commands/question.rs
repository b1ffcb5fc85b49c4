//! `/question`: one question with Answer, Hint and Skip.

use poise::CreateReply;

use super::super::render::{self, no_mentions};
use super::super::{Context, Error, errors::user};
use super::bank::{autocomplete_bank, chosen_bank};
use super::{DifficultyChoice, autocomplete_topic, resolve_bank_topic, sid, typed_bank};
use crate::app::practice::{self, PracticeError, Wanted};
use crate::app::review::Member;
use crate::domain::adaptive::Kind;
use crate::domain::bank::QuestionFilter;

/// Questions matching what was typed: by id, prompt text or topic.
async fn autocomplete_id(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::all::CreateAutocompleteResponse {
    let partial = partial.to_lowercase();
    let content = match typed_bank(ctx).await {
        Some(chosen) => chosen,
        None => ctx.data().engine.library.shipped().clone(),
    };
    // An open drop's or round's question is not offered.
    let competing = match ctx.guild_id() {
        Some(g) => practice::asked_elsewhere(&ctx.data().engine.store, sid(g.get()))
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read open drops and rounds for autocomplete");
                Vec::new()
            }),
        None => Vec::new(),
    };
    let choices = content
        .bank
        .questions
        .iter()
        .filter(|q| {
            content
                .row_of(q)
                .is_none_or(|row| !competing.contains(&row))
        })
        .filter(|q| {
            q.id.as_str().contains(&partial)
                || q.prompt.to_lowercase().contains(&partial)
                || q.topic.to_lowercase().contains(&partial)
        })
        .take(25)
        .map(|q| {
            serenity::all::AutocompleteChoice::new(
                render::truncate(&q.prompt, 100),
                q.id.as_str().to_string(),
            )
        })
        .collect();
    serenity::all::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Practise an interview question, with hints and a scored reply (practice: not on the boards).
#[poise::command(slash_command, guild_only)]
pub async fn question(
    ctx: Context<'_>,
    #[description = "Only questions of this topic"]
    #[autocomplete = "autocomplete_topic"]
    #[max_length = 100]
    topic: Option<String>,
    #[description = "Only questions of this difficulty"] difficulty: Option<DifficultyChoice>,
    #[description = "A specific question (start typing to search)"]
    #[autocomplete = "autocomplete_id"]
    #[max_length = 100]
    id: Option<String>,
    #[description = "Which question bank (default: the built-in one)"]
    #[autocomplete = "autocomplete_bank"]
    #[max_length = 100]
    bank: Option<String>,
    #[description = "Pick the question you will learn most from (due reviews first), and say why"]
    adaptive: Option<bool>,
) -> Result<(), Error> {
    let data = ctx.data();
    let adaptive = adaptive.unwrap_or(false);
    if adaptive && id.is_some() {
        return Err(user(
            "Choose either a question `id` or `adaptive:True`, not both.",
        ));
    }
    let guild = sid(ctx
        .guild_id()
        .ok_or_else(|| user("Questions are asked in a server."))?
        .get());
    let content = chosen_bank(data, guild, bank.as_deref()).await?;
    let wanted = Wanted {
        member: Member {
            guild_id: guild,
            user_id: sid(ctx.author().id.get()),
        },
        filter: QuestionFilter {
            topic: resolve_bank_topic(&content, topic.as_deref())?,
            difficulty: difficulty.map(Into::into),
        },
        id: id.as_deref(),
        adaptive,
        seed: ctx.id(),
    };
    let chosen =
        practice::choose_question(&data.engine.store, data.engine.now(), &content, &wanted)
            .await
            .map_err(|e| match e {
                PracticeError::NoSuchQuestion(id) => user(format!(
                    "There is no question `{}`. Start typing in the `id` option to search.",
                    render::escape(&id)
                )),
                other => other.into(),
            })?;
    let q = chosen.question();
    let row = chosen
        .row()
        .ok_or_else(|| user("That question is not available right now."))?;
    const PRACTICE: &str = "Practice: answer in your own words. Your score and feedback are shown only to you and feed your stats, not the leaderboard.";
    let embed = match chosen.why() {
        Some(next) => {
            let name = ctx.author_member().await.map_or_else(
                || ctx.author().name.clone(),
                |m| m.display_name().to_string(),
            );
            let title = if next.kind == Kind::Review {
                "Review question"
            } else {
                "Interview question"
            };
            super::super::outbound::to_embed(&render::chosen_question(
                q,
                title,
                &format!("Chosen for {}: {}", render::escape(&name), next.reason),
                PRACTICE,
            ))
        }
        None => render::question_embed(q, "Interview question")
            .footer(serenity::all::CreateEmbedFooter::new(PRACTICE)),
    };
    ctx.send(
        CreateReply::default()
            .embed(embed)
            .components(render::question_buttons(row))
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}
