//! The AI judge in Discord: the notice on an answer form, and the second opinion sent as a
//! private follow-up once the model's verdict arrives (the answer was already stored and
//! answered with the built-in score, so nothing waits on the model).

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use serenity::all::{
    Context as SerenityContext, CreateEmbed, CreateEmbedFooter, CreateInteractionResponseFollowup,
    ModalInteraction,
};

use super::render::{COLOR, MAX_EMBED_DESCRIPTION, escape, no_mentions, truncate};
use super::{Data, Error};
use crate::app::judge::{AiJudge, JudgeJob, Judged, QuestionSource};
use crate::app::outbound::BoxFuture;
use crate::domain::bank::Question;
use crate::domain::judging::{CountedBy, JudgeMode, Verdict};
use crate::store::Store;

/// What the member is told on the form when their answer will go to an outside model.
pub async fn form_notice(data: &Data, guild_id: i64) -> Result<Option<String>, Error> {
    let Some(judge) = &data.judge else {
        return Ok(None);
    };
    Ok(data
        .engine
        .store
        .judge_mode(guild_id)
        .await?
        .sends_answers()
        .then(|| notice(judge.model_name())))
}

/// The notice for answers sent to `model`.
pub fn notice(model: &str) -> String {
    format!(
        "This server sends answers to an outside AI model ({}) for a second opinion.",
        escape(&truncate(model, 40))
    )
}

/// If this server uses the AI judge: mark the answer `job` builds pending and judge it in the
/// background, then follow up privately with the verdict (when `show`: not in a round that
/// hides scores until the reveal). `job` is called only then, so a server without the judge
/// copies nothing. Never fails the answer: a store error here is logged.
pub async fn second_opinion(
    ctx: &SerenityContext,
    data: &Data,
    m: &ModalInteraction,
    show: bool,
    guild_id: i64,
    job: impl FnOnce() -> JudgeJob,
) {
    let Some(judge) = data.judge.clone() else {
        return;
    };
    let store = data.engine.store.clone();
    let clock = data.engine.clock.clone();
    let mode = match store.judge_mode(guild_id).await {
        Ok(m) if m.sends_answers() => m,
        Ok(_) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the judge mode");
            return;
        }
    };
    let job = job();
    if let Err(e) = judge
        .mark_pending(&store, clock.as_ref(), job.attempt_id, mode)
        .await
    {
        tracing::error!(attempt = job.attempt_id, error = %e, "cannot mark an answer for the AI judge");
        return;
    }
    let http = ctx.http.clone();
    let interaction = m.clone();
    tokio::spawn(async move {
        let judged = match judge.judge(&store, clock.as_ref(), &job, mode).await {
            Ok(j) => j,
            Err(e) => {
                tracing::error!(attempt = job.attempt_id, error = %e, "the AI judgement could not be stored");
                return;
            }
        };
        if !show {
            return;
        }
        let Some(embed) = verdict_embed(&judge, &job.question, mode, job.builtin, &judged) else {
            return;
        };
        let followup = CreateInteractionResponseFollowup::new()
            .embed(embed)
            .ephemeral(true)
            .allowed_mentions(no_mentions());
        if let Err(e) = interaction.create_followup(&http, followup).await {
            tracing::warn!(attempt = job.attempt_id, error = %e, "cannot send the AI judge's follow-up");
        }
    });
}

/// The member's view of the verdict: the AI's score, what it found, its advice, and which
/// score counts.
pub fn verdict_embed(
    judge: &AiJudge,
    question: &Question,
    mode: JudgeMode,
    builtin: u8,
    judged: &Judged,
) -> Option<CreateEmbed> {
    let model = escape(&truncate(judge.model_name(), 40));
    match judged {
        Judged::AlreadyJudged => None,
        Judged::BuiltInStands { why } => Some(
            CreateEmbed::new()
                .title("No second opinion this time")
                .description(format!(
                    "The outside AI model ({model}) gave no usable verdict: {}. Your built-in score of {builtin}/100 counts.",
                    escape(why)
                ))
                .color(COLOR),
        ),
        Judged::Verdict { verdict, counted, .. } => {
            let mut text = String::new();
            let list = |label: &str, names: Vec<&str>, text: &mut String| {
                if !names.is_empty() {
                    let names: Vec<String> = names.iter().map(|n| escape(n)).collect();
                    text.push_str(&format!("**{label}:** {}\n", names.join(", ")));
                }
            };
            list("Covered", Verdict::concept_names(question, &verdict.covered), &mut text);
            list("Missed", Verdict::concept_names(question, &verdict.missed), &mut text);
            list(
                "Contradicted",
                Verdict::concept_names(question, &verdict.contradicted),
                &mut text,
            );
            list(
                "Misconceptions",
                Verdict::misconception_phrases(question, &verdict.misconceptions),
                &mut text,
            );
            if !verdict.advice.is_empty() {
                text.push_str(&format!("**Advice:** {}\n", escape(&verdict.advice)));
            }
            let footer = match (mode, counted.by) {
                (JudgeMode::Primary, CountedBy::Ai) => {
                    format!("The AI's score counts ({}/100); the built-in score was {builtin}/100.", counted.score)
                }
                (JudgeMode::Primary, CountedBy::BuiltIn) => format!(
                    "The built-in score counts ({}/100): a moderator had already changed it.",
                    counted.score
                ),
                _ => format!("A second opinion: your built-in score of {builtin}/100 counts."),
            };
            Some(
                CreateEmbed::new()
                    .title(format!("AI judge ({model}): {}/100", verdict.score))
                    .description(truncate(&text, MAX_EMBED_DESCRIPTION))
                    .footer(CreateEmbedFooter::new(footer))
                    .color(COLOR),
            )
        }
    }
}

/// Resumed judgements find their question in the bot's banks.
pub struct LibraryQuestions(pub Arc<crate::app::library::Library>);

impl QuestionSource for LibraryQuestions {
    fn question<'a>(
        &'a self,
        store: &'a Store,
        _guild_id: i64,
        question_row: i64,
    ) -> BoxFuture<'a, Option<Question>> {
        Box::pin(async move {
            match self.0.question(store, question_row).await {
                Ok(Some(asked)) => Some(asked.question().clone()),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(row = question_row, error = %e, "cannot load a question for a resumed judgement");
                    None
                }
            }
        })
    }
}

/// Judge what a stopped process left pending: once at start, then every lease.
pub fn spawn_resumer(data: &Data, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let Some(judge) = data.judge.clone() else {
        return;
    };
    let store = data.engine.store.clone();
    let clock = data.engine.clock.clone();
    let questions = LibraryQuestions(data.engine.library.clone());
    tokio::spawn(async move {
        loop {
            match judge.resume_stale(&store, clock.as_ref(), &questions).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(judged = n, "resumed AI judgements a stopped process left"),
                Err(e) => tracing::warn!(error = %e, "cannot resume AI judgements"),
            }
            tokio::select! {
                _ = tokio::time::sleep(judge.lease()) => {}
                _ = shutdown.changed() => return,
            }
        }
    });
}
