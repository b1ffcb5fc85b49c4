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
    let choices = content
        .bank
        .questions
        .iter()
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

/// Get an interview question to answer, with hints and a scored reply.
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
    let q = match &id {
        Some(id) => content.bank.question(id.trim()).ok_or_else(|| {
            user(format!(
                "There is no question `{}`. Start typing in the `id` option to search.",
                render::escape(id)
            ))
        })?,
        None => {
            let pool: Vec<_> = content.bank.filter(&filter).collect();
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
            "Answer in your own words. Your score and feedback are shown only to you.",
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
