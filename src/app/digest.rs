//! The weekly digest, opt-in per server: each week's posted exactly once, like a daily drop. A
//! wake reads only the servers whose digest is due (by their indexed next due time), claims the
//! (server, week) in one conditional statement with a lease, posts with the week's nonce and
//! records the post; a claim whose claimer died is taken over when its lease passes, and the
//! nonce makes a post that had gone out before return the same message. A post Discord refuses
//! keeps its claim with a later lease, so the same take-over retries it, for up to a day.

use chrono::{DateTime, Utc};

use super::coaching::weakness_line;
use super::outbound::{Embed, Outgoing};
use super::text::{MAX_FIELD_VALUE, escape, fit_lines};
use super::{Engine, StepError};
use crate::domain::coaching::most_missed;
use crate::domain::digest::{self, DigestWeek, GRACE, hardest, top_improvers};
use crate::store::{DigestRow, DigestSetting, Leased, Store, StoreError};

/// Improvers and concepts a digest names.
const LISTED: usize = 3;

/// Post the server's digest in `channel` from the next Monday on. Returns when the first is due.
pub async fn enable(
    store: &Store,
    guild_id: i64,
    channel_id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<DigestWeek, StoreError> {
    let tz = store.server_timezone(guild_id).await?;
    let first = digest::next_due(now, tz);
    store
        .enable_digest(guild_id, channel_id, by, first.due, now)
        .await?;
    Ok(first)
}

/// One weekly-digest step due at a wake: a server's week to post, or the take-over of a dead
/// or refused claim.
#[derive(Debug, Clone)]
pub enum DueDigest {
    Setting(DigestSetting),
    TakeOver(DigestRow),
}

impl DueDigest {
    /// The server whose digest the step posts (one step per server at a time).
    pub fn key(&self) -> super::timer::Due {
        match self {
            DueDigest::Setting(s) => super::timer::Due::Digest(s.guild_id),
            DueDigest::TakeOver(d) => super::timer::Due::Digest(d.guild_id),
        }
    }
}

/// The digest steps due at `now`.
pub async fn due(e: &Engine, now: DateTime<Utc>) -> Result<Vec<DueDigest>, StepError> {
    let mut steps: Vec<DueDigest> = e
        .store
        .due_digest_settings(now)
        .await?
        .into_iter()
        .map(DueDigest::Setting)
        .collect();
    steps.extend(
        e.store
            .stale_digest_claims(now)
            .await?
            .into_iter()
            .map(DueDigest::TakeOver),
    );
    Ok(steps)
}

/// When the next digest step after `now` is due.
pub async fn next_due(e: &Engine, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StepError> {
    let due = e.store.next_digest_due().await?;
    let lease = e.store.next_digest_lease(now).await?;
    Ok(match (due, lease) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Do one due digest step at `now`: post the server's week (or record it skipped), or take
/// over a claim.
pub async fn run(e: &Engine, step: DueDigest, now: DateTime<Utc>) -> Result<(), StepError> {
    match step {
        DueDigest::Setting(setting) => {
            let tz = e.store.server_timezone(setting.guild_id).await?;
            let week = digest::latest_due(now, tz);
            // Weeks due before the server opted in are not its digests.
            if week.due.timestamp_millis() > setting.enabled_ms {
                if now - week.due > GRACE {
                    e.store
                        .record_skipped_digest(
                            setting.guild_id,
                            week.week,
                            setting.channel_id,
                            week.due,
                            "missed by more than a day while the bot was offline",
                        )
                        .await?;
                } else if let Err(err) = post(e, setting.guild_id, setting.channel_id, &week).await
                {
                    tracing::error!(guild = setting.guild_id, error = %err, "weekly digest failed");
                }
            }
            e.store
                .digest_handled(setting.guild_id, digest::next_due(now, tz).due)
                .await?;
        }
        DueDigest::TakeOver(stale) => {
            if let Err(err) = take_over(e, &stale).await {
                tracing::error!(digest = stale.id, error = %err, "cannot take over a weekly digest");
            }
        }
    }
    Ok(())
}

/// Post a digest whose claimer died, with the same nonce.
async fn take_over(e: &Engine, stale: &DigestRow) -> Result<(), StepError> {
    let week = stale.week.parse().map_err(|_| {
        StepError::Inconsistent(format!("digest {} has an unreadable week", stale.id))
    })?;
    let tz = e.store.server_timezone(stale.guild_id).await?;
    if stale.note.is_some() {
        tracing::info!(digest = stale.id, "trying a refused weekly digest again");
    } else {
        tracing::info!(
            digest = stale.id,
            "taking over a weekly digest whose post was interrupted"
        );
    }
    post(
        e,
        stale.guild_id,
        stale.channel_id,
        &digest::digest_week(week, tz),
    )
    .await
}

/// Claim and post one week's digest (nothing if another caller holds it or it is done).
async fn post(
    e: &Engine,
    guild_id: i64,
    channel_id: i64,
    week: &DigestWeek,
) -> Result<(), StepError> {
    let now = e.now();
    let lease = e.lease_from(now);
    let Some(id) = e
        .store
        .claim_digest(guild_id, week.week, channel_id, week.due, now, lease)
        .await?
    else {
        return Ok(());
    };
    let _beat = e.heartbeat(Leased::Digest(id), lease);
    if e.store.digest_setting(guild_id).await?.is_none() {
        e.store
            .mark_digest_failed(id, "the server turned the digest off")
            .await?;
        return Ok(());
    }
    let message = digest_message(&e.store, guild_id, week).await?;
    match e
        .outbound
        .post(channel_id, message, &format!("w{id}"))
        .await
    {
        Ok(message_id) => e.store.mark_digest_posted(id, message_id, now).await?,
        Err(err) => {
            // Like a daily drop: tried again after a pause while it is within a day of its due
            // time (so it goes out soon after the permission comes back), then given up.
            let reason = err.to_string();
            let retry_at = e.refused_post_retry(now);
            if retry_at <= week.due + GRACE {
                tracing::warn!(guild = guild_id, error = %err, %retry_at, "cannot post the weekly digest; trying again later");
                e.store.retry_digest_later(id, &reason, retry_at).await?;
            } else {
                tracing::warn!(guild = guild_id, error = %err, "cannot post the weekly digest; giving up on this week");
                e.store.mark_digest_failed(id, &reason).await?;
            }
        }
    }
    Ok(())
}

/// The digest of `week`: top improvers, the concepts missed most, the hardest question.
pub async fn digest_message(
    store: &Store,
    guild_id: i64,
    week: &DigestWeek,
) -> Result<Outgoing, StoreError> {
    let members = store.member_weeks(guild_id, week.from, week.to).await?;
    let questions = store.question_weeks(guild_id, week.from, week.to).await?;
    let concepts = most_missed(
        &store
            .server_concept_tallies(guild_id, week.from, week.to)
            .await?,
        LISTED,
    );
    let answers: u32 = members.iter().map(|m| m.week_answers).sum();
    let title = format!("Weekly digest — week of {}", week.week.format("%-d %B %Y"));
    if answers == 0 {
        return Ok(Outgoing::embed(Embed::new(
            title,
            "A quiet week: nobody answered. Try `/question`, or start a `/mock` round.",
        )));
    }
    let mut embed = Embed::new(
        title,
        format!(
            "{answers} answer(s) from {} member(s) last week.",
            members.len()
        ),
    );
    let improvers: Vec<String> = top_improvers(&members, LISTED)
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                "{}. {} — {:.0} → {:.0} (+{:.0})",
                i + 1,
                escape(&m.name),
                m.before,
                m.week,
                m.gain()
            )
        })
        .collect();
    embed = embed.field(
        "Top improvers (this week's average against before)",
        if improvers.is_empty() {
            "Nobody yet: two answers in a week, after earlier ones, show progress.".to_string()
        } else {
            fit_lines(&improvers, MAX_FIELD_VALUE)
        },
        false,
    );
    if !concepts.is_empty() {
        let lines: Vec<String> = concepts.iter().map(weakness_line).collect();
        embed = embed.field(
            "Most missed concepts",
            fit_lines(&lines, MAX_FIELD_VALUE),
            false,
        );
    }
    if let Some(q) = hardest(&questions) {
        embed = embed.field(
            "Hardest question of the week",
            format!(
                "`{}` ({}) — average {:.0}/100 over {} member(s)",
                q.question,
                escape(&q.topic),
                q.average,
                q.members
            ),
            false,
        );
    }
    Ok(Outgoing::embed(embed.footer(
        "Turn this off with /server digest off:True (Manage Server).",
    )))
}
