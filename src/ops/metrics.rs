//! The bot's Prometheus metrics: one registry, owned here, behind a cheap cloneable handle.
//!
//! What records what:
//! - every interaction (slash command, autocomplete, button, modal) is timed and counted with
//!   [`Metrics::interaction`], by the Discord adapter (`bot::instrument`), which sees each
//!   event from arrival to the end of its handler;
//! - answers scored and daily drops are one-line calls ([`Metrics::answer_scored`],
//!   [`Metrics::daily_drop`]) where they happen;
//! - open rounds, gateway latency and database errors are read when the endpoint is scraped
//!   ([`Metrics::refresh`]).

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::store::AttemptContext;

/// How an interaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    /// The user got a polite explanation (a bad option, a missing permission, a closed round).
    UserError,
    /// Something failed on our side; the user got an apology with an error id.
    InternalError,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::UserError => "user_error",
            Outcome::InternalError => "internal_error",
        }
    }
}

/// What happened to a daily drop at its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropOutcome {
    Posted,
    /// Posted after its time (the bot was down), within the grace period.
    Late,
    /// Missed by more than the grace period; recorded, not posted.
    Skipped,
    /// A post failed (e.g. a missing permission) and will be tried again; counted per attempt.
    Retrying,
    /// Given up: no matching question, or still failing at the end of the grace period.
    Failed,
}

impl DropOutcome {
    /// Posted on time, or late.
    pub fn posted(late: bool) -> DropOutcome {
        if late {
            DropOutcome::Late
        } else {
            DropOutcome::Posted
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DropOutcome::Posted => "posted",
            DropOutcome::Late => "late",
            DropOutcome::Skipped => "skipped",
            DropOutcome::Retrying => "retrying",
            DropOutcome::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InteractionLabels {
    kind: &'static str,
    command: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HandlerLabels {
    kind: &'static str,
    command: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ContextLabel {
    context: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShardLabel {
    shard: u32,
}

/// Seconds: 1 ms to 10 s. Handlers take a few ms; Discord's limit for a first reply is 3 s.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0, 10.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

struct Inner {
    registry: Registry,
    interactions: Family<InteractionLabels, Counter>,
    latency: Family<HandlerLabels, Histogram, fn() -> Histogram>,
    answers: Family<ContextLabel, Counter>,
    drops: Family<OutcomeLabel, Counter>,
    rounds_open: Gauge,
    gateway_latency: Family<ShardLabel, Gauge<f64, AtomicU64>>,
    gateway_connected: Family<ShardLabel, Gauge>,
    judge_requests: Family<OutcomeLabel, Counter>,
    judge_rejected: Family<ReasonLabel, Counter>,
}

/// The metrics of one bot. Clones share the same registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Reads the store's process-wide error count at each scrape.
#[derive(Debug)]
struct DatabaseErrors;

impl Collector for DatabaseErrors {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counter = ConstCounter::new(crate::store::database_errors());
        let metric = encoder.encode_descriptor(
            "database_errors",
            "Errors the database returned (all stores in this process)",
            None,
            counter.metric_type(),
        )?;
        counter.encode(metric)
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("interview_bot");
        let interactions = Family::<InteractionLabels, Counter>::default();
        registry.register(
            "interactions",
            "Interactions handled, by kind (command, autocomplete, component, modal), command and outcome (ok, user_error, internal_error)",
            interactions.clone(),
        );
        let latency: Family<HandlerLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "interaction_duration",
            "Time from receiving an interaction to the end of its handler",
            Unit::Seconds,
            latency.clone(),
        );
        let answers = Family::<ContextLabel, Counter>::default();
        registry.register(
            "answers_scored",
            "Answers scored and recorded, by context (practice, mock, daily)",
            answers.clone(),
        );
        let drops = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "daily_drops",
            "Daily drops by outcome (posted, late, skipped, retrying, failed)",
            drops.clone(),
        );
        let rounds_open = Gauge::default();
        registry.register(
            "rounds_open",
            "Mock rounds in their lobby, a question or a reveal (all servers, from the database)",
            rounds_open.clone(),
        );
        let gateway_latency = Family::<ShardLabel, Gauge<f64, AtomicU64>>::default();
        registry.register_with_unit(
            "gateway_latency",
            "Time between the last gateway heartbeat and its acknowledgement, per shard",
            Unit::Seconds,
            gateway_latency.clone(),
        );
        let gateway_connected = Family::<ShardLabel, Gauge>::default();
        registry.register(
            "gateway_connected",
            "1 while the shard is connected to the Discord gateway, else 0",
            gateway_connected.clone(),
        );
        let judge_requests = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "judge_requests",
            "AI judge requests by outcome (ok, cached, budget_spent, timeout, rate_limited, server_error, refused, unreachable, no_content)",
            judge_requests.clone(),
        );
        let judge_rejected = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "judge_replies_rejected",
            "AI judge replies rejected, by reason (malformed, out_of_range, unknown_id, inconsistent); the built-in score stood",
            judge_rejected.clone(),
        );
        registry.register_collector(Box::new(DatabaseErrors));
        // Known label values start at 0, so rate() and alerts work before the first event.
        for context in [
            AttemptContext::Practice,
            AttemptContext::Mock,
            AttemptContext::Daily,
        ] {
            answers.get_or_create_owned(&ContextLabel {
                context: context.as_str(),
            });
        }
        for outcome in [
            DropOutcome::Posted,
            DropOutcome::Late,
            DropOutcome::Skipped,
            DropOutcome::Retrying,
            DropOutcome::Failed,
        ] {
            drops.get_or_create_owned(&OutcomeLabel {
                outcome: outcome.as_str(),
            });
        }
        Metrics {
            inner: Arc::new(Inner {
                registry,
                interactions,
                latency,
                answers,
                drops,
                rounds_open,
                gateway_latency,
                gateway_connected,
                judge_requests,
                judge_rejected,
            }),
        }
    }

    /// One interaction handled: counted by outcome, its handler time observed.
    pub fn interaction(&self, kind: &'static str, command: &str, outcome: Outcome, took: Duration) {
        self.inner
            .interactions
            .get_or_create(&InteractionLabels {
                kind,
                command: command.to_string(),
                outcome: outcome.as_str(),
            })
            .inc();
        self.inner
            .latency
            .get_or_create(&HandlerLabels {
                kind,
                command: command.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    /// An answer was scored and recorded.
    pub fn answer_scored(&self, context: AttemptContext) {
        self.inner
            .answers
            .get_or_create(&ContextLabel {
                context: context.as_str(),
            })
            .inc();
    }

    /// An AI judge request ended (or was answered from the cache, or not sent: budget).
    pub fn judge_request(&self, outcome: &'static str) {
        self.inner
            .judge_requests
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// An AI judge reply was rejected.
    pub fn judge_rejected(&self, reason: &'static str) {
        self.inner
            .judge_rejected
            .get_or_create(&ReasonLabel { reason })
            .inc();
    }

    /// A daily drop was posted, posted late, skipped, will be retried, or failed for good.
    pub fn daily_drop(&self, outcome: DropOutcome) {
        self.inner
            .drops
            .get_or_create(&OutcomeLabel {
                outcome: outcome.as_str(),
            })
            .inc();
    }

    pub fn set_rounds_open(&self, open: i64) {
        self.inner.rounds_open.set(open);
    }

    /// Gateway latency and connection state of every shard, as serenity's shard runners know
    /// them. A shard without a heartbeat acknowledgement yet has no latency sample.
    pub fn set_shards(&self, shards: &[(u32, bool, Option<Duration>)]) {
        self.inner.gateway_connected.clear();
        self.inner.gateway_latency.clear();
        for (shard, connected, latency) in shards {
            let label = ShardLabel { shard: *shard };
            self.inner
                .gateway_connected
                .get_or_create(&label)
                .set(i64::from(*connected));
            if let Some(latency) = latency {
                self.inner
                    .gateway_latency
                    .get_or_create(&label)
                    .set(latency.as_secs_f64());
            }
        }
    }

    /// The Prometheus text format (0.0.4).
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.inner.registry)?;
        Ok(out)
    }
}

/// The content type of [`Metrics::encode`]'s output.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_has_every_family_with_known_labels_at_zero() {
        let m = Metrics::new();
        m.interaction(
            "command",
            "mock start",
            Outcome::UserError,
            Duration::from_millis(3),
        );
        m.answer_scored(AttemptContext::Daily);
        m.daily_drop(DropOutcome::Late);
        m.set_rounds_open(2);
        m.set_shards(&[(0, true, Some(Duration::from_millis(42)))]);
        let text = m.encode().unwrap();
        for line in [
            "interview_bot_interactions_total{kind=\"command\",command=\"mock start\",outcome=\"user_error\"} 1",
            "interview_bot_interaction_duration_seconds_bucket{kind=\"command\",command=\"mock start\",le=\"0.005\"} 1",
            "interview_bot_interaction_duration_seconds_bucket{kind=\"command\",command=\"mock start\",le=\"0.0025\"} 0",
            "interview_bot_interaction_duration_seconds_count{kind=\"command\",command=\"mock start\"} 1",
            "interview_bot_answers_scored_total{context=\"daily\"} 1",
            "interview_bot_answers_scored_total{context=\"practice\"} 0",
            "interview_bot_daily_drops_total{outcome=\"late\"} 1",
            "interview_bot_daily_drops_total{outcome=\"failed\"} 0",
            "interview_bot_rounds_open 2",
            "interview_bot_gateway_latency_seconds{shard=\"0\"} 0.042",
            "interview_bot_gateway_connected{shard=\"0\"} 1",
            "# TYPE interview_bot_database_errors_total counter",
            "# HELP interview_bot_rounds_open Mock rounds in their lobby, a question or a reveal (all servers, from the database).\n",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        // A shard that disconnects loses its latency sample.
        m.set_shards(&[(0, false, None)]);
        let text = m.encode().unwrap();
        assert!(
            text.contains("interview_bot_gateway_connected{shard=\"0\"} 0"),
            "{text}"
        );
        assert!(
            !text.contains("interview_bot_gateway_latency_seconds{"),
            "{text}"
        );
    }
}
