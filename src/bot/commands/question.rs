//! `/question`: one question with Answer, Hint and Skip.

use poise::CreateReply;
use rand::seq::IndexedRandom as _;

use super::super::render::{self, no_mentions};
use super::super::{Context, Error, errors::user};
use super::bank::{autocomplete_bank, chosen_bank};
use super::{DifficultyChoice, autocomplete_topic, resolve_bank_topic, sid, typed_bank};
use crate::domain::bank::QuestionFilter;

/// Questions matching what was typed: by id, prompt text or topic.
async fn autocomplete_id(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::all::CreateAutocompleteResponse {
    let partial = partial.to_lowercase();
    let content = match typed_bank(ctx).await {
        Some(chosen) => chosen,
        None => ctx.data().library.shipped().clone(),
    };
    // An open drop's or round's question is not offered.
    let competing = match ctx.guild_id() {
        Some(g) => ctx
            .data()
            .store
            .open_competitive_questions(sid(g.get()))
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
) -> Result<(), Error> {
    let data = ctx.data();
    let guild = sid(ctx
        .guild_id()
        .ok_or_else(|| user("Questions are asked in a server."))?
        .get());
    let content = chosen_bank(data, guild, bank.as_deref()).await?;
    let filter = QuestionFilter {
        topic: resolve_bank_topic(&content, topic.as_deref())?,
        difficulty: difficulty.map(Into::into),
    };
    // While a drop or round of this server asks a question, /question does not offer it.
    let competing = data.store.open_competitive_questions(guild).await?;
    let open = |q: &crate::domain::bank::Question| {
        content
            .row_of(q)
            .is_some_and(|row| competing.contains(&row))
    };
    let q = match &id {
        Some(id) => {
            let q = content.bank.question(id.trim()).ok_or_else(|| {
                user(format!(
                    "There is no question `{}`. Start typing in the `id` option to search.",
                    render::escape(id)
                ))
            })?;
            if open(q) {
                return Err(user(
                    "That question is in a daily drop or a mock round that is open in this server. Answer it there, or practise it after its reveal.",
                ));
            }
            q
        }
        None => {
            let pool: Vec<_> = content.bank.filter(&filter).filter(|q| !open(q)).collect();
            *pool
                .choose(&mut rand::rng())
                .ok_or_else(|| user("No question matches those filters. Try fewer filters."))?
        }
    };
    let row = content
        .row_of(q)
        .ok_or_else(|| user("That question is not available right now."))?;
    let embed = render::question_embed(q, "Interview question").footer(
        serenity::all::CreateEmbedFooter::new(
            "Practice: answer in your own words. Your score and feedback are shown only to you and feed your stats, not the leaderboard.",
        ),
    );
    ctx.send(
        CreateReply::default()
            .embed(embed)
            .components(render::question_buttons(row))
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}
