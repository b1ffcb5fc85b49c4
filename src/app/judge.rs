//! The optional AI judge: a second opinion on an answer from an OpenAI-compatible model the
//! admin chose, never in the way of the built-in score. The answer is stored with the built-in
//! score first; [`AiJudge::judge`] then asks the model (bounded in time, concurrency and a
//! per-server daily budget, with a cache), checks its reply, and attaches the result.
//! A timeout, a 429, a 5xx or an invalid reply leaves the built-in score standing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::Clock;
use super::outbound::BoxFuture;
use crate::domain::bank::Question;
use crate::domain::judging::{
    ChatRequest, Counted, JudgeMode, Rejection, ReplyFormat, Verdict, chat_request, counted,
    parse_verdict,
};
use crate::domain::period::local_date;
use crate::ops::Metrics;
use crate::store::judgements::{JudgementEnd, PendingJudgement};
use crate::store::{Store, StoreError};

/// Why the model gave no usable reply.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("no reply within the timeout")]
    Timeout,
    #[error("rate limited by the model's server (429)")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the model's server failed ({0})")]
    Server(u16),
    /// A 400 that names `response_format`: the server takes no JSON schema.
    #[error("the model's server does not take response_format")]
    FormatRefused,
    #[error("the model's server refused the request ({status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("cannot reach the model's server: {0}")]
    Transport(String),
    #[error("the model's reply has no message content")]
    NoContent,
}

impl ModelError {
    /// The metrics' label.
    pub fn reason(&self) -> &'static str {
        match self {
            ModelError::Timeout => "timeout",
            ModelError::RateLimited { .. } => "rate_limited",
            ModelError::Server(_) => "server_error",
            ModelError::FormatRefused | ModelError::Refused { .. } => "refused",
            ModelError::Transport(_) => "unreachable",
            ModelError::NoContent => "no_content",
        }
    }
}

/// An OpenAI-compatible chat model: one request, the reply's message content.
pub trait ChatModel: Send + Sync {
    /// The model's name, as sent and as shown to members.
    fn model(&self) -> &str;
    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<String, ModelError>>;
}

/// The admin's limits.
#[derive(Debug, Clone, Copy)]
pub struct JudgeLimits {
    /// The longest a judgement may take, queueing and retries included.
    pub timeout: Duration,
    /// Requests in flight at once, per process.
    pub concurrency: usize,
    /// Answers sent per server and day.
    pub daily_budget: u32,
}

impl Default for JudgeLimits {
    fn default() -> Self {
        JudgeLimits {
            timeout: Duration::from_secs(20),
            concurrency: 2,
            daily_budget: 200,
        }
    }
}

/// One stored answer to judge. Owned: a judgement runs in the background, after the reply.
#[derive(Debug, Clone)]
pub struct JudgeJob {
    pub attempt_id: i64,
    pub guild_id: i64,
    pub question_row: i64,
    pub question: Question,
    pub answer: String,
    /// The counting score as recorded (the built-in one, after hints).
    pub builtin: u8,
    pub hints_used: u32,
}

/// How a judgement ended, for the reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Judged {
    /// A valid verdict, and the score that counts now.
    Verdict {
        verdict: Verdict,
        counted: Counted,
        cached: bool,
    },
    /// No usable verdict: the built-in score stands. `why` is fit to show a member.
    BuiltInStands { why: String },
    /// Another process attached this attempt's judgement first.
    AlreadyJudged,
}

/// Why there is no verdict.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoVerdict {
    #[error(transparent)]
    Model(ModelError),
    #[error(transparent)]
    Rejected(Rejection),
}

#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The AI judge of one process.
pub struct AiJudge {
    model: Arc<dyn ChatModel>,
    limits: JudgeLimits,
    permits: Semaphore,
    /// Set once the server refused `response_format`: later requests ask in the prompt only.
    plain_json: AtomicBool,
    metrics: Metrics,
}

/// The cache key of an answer: its text with whitespace and case folded, hashed.
pub fn answer_hash(answer: &str) -> String {
    let folded: Vec<String> = answer.split_whitespace().map(str::to_lowercase).collect();
    let digest = Sha256::digest(folded.join(" ").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl AiJudge {
    pub fn new(model: Arc<dyn ChatModel>, limits: JudgeLimits, metrics: Metrics) -> AiJudge {
        AiJudge {
            model,
            limits,
            permits: Semaphore::new(limits.concurrency.max(1)),
            plain_json: AtomicBool::new(false),
            metrics,
        }
    }

    pub fn model_name(&self) -> &str {
        self.model.model()
    }

    pub fn limits(&self) -> JudgeLimits {
        self.limits
    }

    /// How long an answer marked pending is this process's before another may take it over.
    pub fn lease(&self) -> Duration {
        self.limits.timeout * 2 + Duration::from_secs(1)
    }

    /// Mark a stored answer as waiting for the model; call [`AiJudge::judge`] next.
    pub async fn mark_pending(
        &self,
        store: &Store,
        clock: &dyn Clock,
        attempt_id: i64,
        mode: JudgeMode,
    ) -> Result<(), JudgeError> {
        let until = clock.now() + chrono::Duration::from_std(self.lease()).unwrap_or_default();
        store
            .mark_judgement_pending(attempt_id, mode, until)
            .await?;
        Ok(())
    }

    /// Judge one answer already stored and marked pending under `mode`, and attach the result.
    pub async fn judge(
        &self,
        store: &Store,
        clock: &dyn Clock,
        job: &JudgeJob,
        mode: JudgeMode,
    ) -> Result<Judged, JudgeError> {
        let model = self.model.model();
        let hash = answer_hash(&job.answer);
        let cached = store
            .cached_verdict(job.question_row, model, &hash)
            .await?
            .and_then(|json| serde_json::from_str::<Verdict>(&json).ok());
        let (verdict, was_cached) = match cached {
            Some(v) => {
                self.metrics.judge_request("cached");
                (v, true)
            }
            None => {
                let tz = store.server_timezone(job.guild_id).await?;
                let day = local_date(clock.now(), tz);
                if !store
                    .take_judge_budget(job.guild_id, day, self.limits.daily_budget)
                    .await?
                {
                    self.metrics.judge_request("budget_spent");
                    return self
                        .give_up(
                            store,
                            job,
                            false,
                            "this server's daily budget of AI judgements is spent",
                        )
                        .await;
                }
                match self.ask(&job.question, &job.answer).await {
                    Ok(content) => match parse_verdict(&job.question, &content) {
                        Ok(v) => {
                            self.metrics.judge_request("ok");
                            (v, false)
                        }
                        Err(rejection) => {
                            self.metrics.judge_rejected(rejection.reason());
                            tracing::warn!(attempt = job.attempt_id, model, reason = %rejection, "AI judge reply rejected");
                            return self
                                .give_up(store, job, true, &rejected_note(&rejection))
                                .await;
                        }
                    },
                    Err(e) => {
                        self.metrics.judge_request(e.reason());
                        tracing::warn!(attempt = job.attempt_id, model, error = %e, "AI judge gave no reply");
                        return self.give_up(store, job, false, &failed_note(&e)).await;
                    }
                }
            }
        };
        let counts = counted(mode, job.builtin, Some(verdict.score), job.hints_used);
        let json = serde_json::to_string(&verdict).unwrap_or_else(|_| "{}".into());
        let kept = store
            .attach_judgement(
                job.attempt_id,
                &JudgementEnd::Judged {
                    model,
                    ai_score: verdict.score,
                    verdict_json: &json,
                    counts: (counts.by == crate::domain::judging::CountedBy::Ai)
                        .then_some(counts.score),
                },
            )
            .await?;
        if !was_cached {
            store
                .cache_verdict(job.question_row, model, &hash, &json, clock.now())
                .await?;
        }
        // What counts is what the store kept (a moderator's change stands).
        let Some((score, by)) = kept else {
            return Ok(Judged::AlreadyJudged);
        };
        let counted = Counted {
            score: u8::try_from(score).unwrap_or(job.builtin),
            by,
        };
        Ok(Judged::Verdict {
            verdict,
            counted,
            cached: was_cached,
        })
    }

    async fn give_up(
        &self,
        store: &Store,
        job: &JudgeJob,
        rejected: bool,
        note: &str,
    ) -> Result<Judged, JudgeError> {
        let model = self.model.model();
        let end = if rejected {
            JudgementEnd::Rejected { model, note }
        } else {
            JudgementEnd::Failed { model, note }
        };
        if store
            .attach_judgement(job.attempt_id, &end)
            .await?
            .is_some()
        {
            Ok(Judged::BuiltInStands {
                why: note.to_string(),
            })
        } else {
            Ok(Judged::AlreadyJudged)
        }
    }

    /// The model's verdict on `answer`, checked, without the store (no cache, no budget):
    /// what `eval --judge` measures.
    pub async fn verdict(&self, question: &Question, answer: &str) -> Result<Verdict, NoVerdict> {
        let content = self.ask(question, answer).await.map_err(NoVerdict::Model)?;
        parse_verdict(question, &content).map_err(NoVerdict::Rejected)
    }

    /// Ask the model, within the timeout: one retry after a 429 (when its Retry-After fits) or
    /// a 5xx, and the plain-JSON form once the server has refused `response_format`.
    async fn ask(&self, question: &Question, answer: &str) -> Result<String, ModelError> {
        let deadline = Instant::now() + self.limits.timeout;
        let work = async {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| ModelError::Transport("the judge is shutting down".into()))?;
            let mut retried = false;
            loop {
                let format = if self.plain_json.load(Ordering::Relaxed) {
                    ReplyFormat::PlainJson
                } else {
                    ReplyFormat::JsonSchema
                };
                let request = chat_request(self.model.model(), question, answer, format);
                let (pause, error) = match self.model.complete(&request).await {
                    Ok(content) => return Ok(content),
                    Err(ModelError::FormatRefused) if format == ReplyFormat::JsonSchema => {
                        self.plain_json.store(true, Ordering::Relaxed);
                        tracing::info!(
                            model = self.model.model(),
                            "the model's server takes no response_format; asking for JSON in the prompt"
                        );
                        continue;
                    }
                    Err(e @ ModelError::RateLimited { retry_after }) if !retried => {
                        (retry_after.unwrap_or(Duration::from_secs(1)), e)
                    }
                    Err(e @ ModelError::Server(_)) if !retried => (Duration::from_millis(200), e),
                    Err(e) => return Err(e),
                };
                // A retry that cannot finish in time is not worth a request: the error stands.
                if Instant::now() + pause >= deadline {
                    return Err(error);
                }
                retried = true;
                tokio::time::sleep(pause).await;
            }
        };
        match tokio::time::timeout_at(deadline.into(), work).await {
            Ok(r) => r,
            Err(_) => Err(ModelError::Timeout),
        }
    }

    /// Judge answers left pending by a process that stopped (their lease passed): claimed a
    /// few at a time, each by one process. Returns how many were judged or given up.
    pub async fn resume_stale(
        &self,
        store: &Store,
        clock: &dyn Clock,
        questions: &dyn QuestionSource,
    ) -> Result<usize, JudgeError> {
        let mut done = 0;
        loop {
            let now = clock.now();
            let until = now + chrono::Duration::from_std(self.lease()).unwrap_or_default();
            let claimed = store.claim_stale_judgements(now, until, 8).await?;
            if claimed.is_empty() {
                return Ok(done);
            }
            for p in claimed {
                self.resume_one(store, clock, questions, &p).await?;
                done += 1;
            }
        }
    }

    async fn resume_one(
        &self,
        store: &Store,
        clock: &dyn Clock,
        questions: &dyn QuestionSource,
        p: &PendingJudgement,
    ) -> Result<(), JudgeError> {
        let Some(question) = questions.question(store, p.guild_id, p.question_id).await else {
            let end = JudgementEnd::Failed {
                model: self.model.model(),
                note: "the question is no longer stored",
            };
            store.attach_judgement(p.attempt_id, &end).await?;
            return Ok(());
        };
        let mode = p
            .judge_mode
            .as_deref()
            .and_then(|m| m.parse().ok())
            .unwrap_or(JudgeMode::SecondOpinion);
        let job = JudgeJob {
            attempt_id: p.attempt_id,
            guild_id: p.guild_id,
            question_row: p.question_id,
            question,
            answer: p.answer.clone(),
            builtin: u8::try_from(p.score).unwrap_or(0),
            hints_used: u32::try_from(p.hints_used).unwrap_or(0),
        };
        self.judge(store, clock, &job, mode).await?;
        Ok(())
    }
}

/// Where resumed judgements find their question (the bot's banks).
pub trait QuestionSource: Send + Sync {
    fn question<'a>(
        &'a self,
        store: &'a Store,
        guild_id: i64,
        question_row: i64,
    ) -> BoxFuture<'a, Option<Question>>;
}

fn rejected_note(r: &Rejection) -> String {
    format!(
        "the model's reply was not valid ({})",
        r.reason().replace('_', " ")
    )
}

fn failed_note(e: &ModelError) -> String {
    match e {
        ModelError::Timeout => "the model did not reply in time".into(),
        ModelError::RateLimited { .. } => "the model's server is busy (rate limited)".into(),
        ModelError::Server(_) => "the model's server had an error".into(),
        ModelError::Transport(_) => "the model's server could not be reached".into(),
        ModelError::FormatRefused | ModelError::Refused { .. } | ModelError::NoContent => {
            "the model's server refused the request".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_ignores_case_and_spacing_but_not_words() {
        assert_eq!(
            answer_hash("It  blocks\nthe loop"),
            answer_hash("it blocks the LOOP")
        );
        assert_ne!(
            answer_hash("it blocks the loop"),
            answer_hash("it does not block the loop")
        );
        assert_eq!(answer_hash("x").len(), 64);
    }
}
