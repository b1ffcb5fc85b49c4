//! Mock rounds: what happens next, decided from a snapshot of the round and the time.
//!
//! The database holds the round; this module only decides. A round is a lobby (group and teams
//! modes), then each question in turn until its deadline or until every participant answered,
//! each followed by a reveal, then a summary.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Solo,
    Group,
    Teams,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Solo => "solo",
            Mode::Group => "group",
            Mode::Teams => "teams",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "solo" => Ok(Mode::Solo),
            "group" => Ok(Mode::Group),
            "teams" => Ok(Mode::Teams),
            other => Err(format!("unknown mode `{other}`")),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two sides of a teams round.
pub const TEAM_NAMES: [&str; 2] = ["Red", "Blue"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Lobby,
    Question,
    Finished,
    Stopped,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Lobby => "lobby",
            Phase::Question => "question",
            Phase::Finished => "finished",
            Phase::Stopped => "stopped",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Phase::Lobby | Phase::Question)
    }
}

impl FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lobby" => Ok(Phase::Lobby),
            "question" | "reveal" => Ok(Phase::Question),
            "finished" => Ok(Phase::Finished),
            "stopped" => Ok(Phase::Stopped),
            other => Err(format!("unknown round state `{other}`")),
        }
    }
}

/// What the scheduler or an answer needs to know about a round.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub phase: Phase,
    pub deadline: Option<DateTime<Utc>>,
    /// 0-based index of the open question.
    pub current: usize,
    pub question_count: usize,
    pub participants: usize,
    /// Participants who answered the open question.
    pub answered: usize,
}

/// The next thing to do with a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing until this time.
    WaitUntil(DateTime<Utc>),
    /// The lobby closed with players: open the first question.
    Begin,
    /// The lobby closed empty: cancel.
    CancelEmpty,
    /// Close the open question (time is up, or everyone answered) and reveal it; then open the
    /// next question, or finish when this was the last.
    Reveal { last: bool },
    /// The round is over; nothing to do.
    Idle,
}

pub fn next_step(r: &Snapshot, now: DateTime<Utc>) -> Step {
    match r.phase {
        Phase::Finished | Phase::Stopped => Step::Idle,
        Phase::Lobby => match r.deadline {
            Some(d) if now < d => Step::WaitUntil(d),
            _ if r.participants == 0 => Step::CancelEmpty,
            _ => Step::Begin,
        },
        Phase::Question => {
            let everyone = r.participants > 0 && r.answered >= r.participants;
            let due = r.deadline.is_none_or(|d| now >= d);
            if everyone || due {
                Step::Reveal {
                    last: r.current + 1 >= r.question_count,
                }
            } else {
                r.deadline.map_or(Step::Idle, Step::WaitUntil)
            }
        }
    }
}

/// Why an answer cannot be taken, in words for the person who tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefusal {
    RoundOver,
    NotThisQuestion,
    TooLate,
    NotAParticipant,
    AlreadyAnswered,
}

impl fmt::Display for AnswerRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AnswerRefusal::RoundOver => "This round has ended, so answers are closed.",
            AnswerRefusal::NotThisQuestion => "That question is closed; answer the current one instead.",
            AnswerRefusal::TooLate => "Time was up for that question before your answer arrived, so it was not counted.",
            AnswerRefusal::NotAParticipant => "You are not playing in this round. Join the next one with /mock join or the Join button.",
            AnswerRefusal::AlreadyAnswered => "You already answered this question; only your first answer counts.",
        })
    }
}

/// Whether an answer to question `index` at `now` can be taken.
pub fn check_answer(
    r: &Snapshot,
    index: usize,
    now: DateTime<Utc>,
    participant: bool,
    already: bool,
) -> Result<(), AnswerRefusal> {
    if !r.phase.is_open() {
        return Err(AnswerRefusal::RoundOver);
    }
    if r.phase != Phase::Question || r.current != index {
        return Err(AnswerRefusal::NotThisQuestion);
    }
    if r.deadline.is_some_and(|d| now >= d) {
        return Err(AnswerRefusal::TooLate);
    }
    if !participant {
        return Err(AnswerRefusal::NotAParticipant);
    }
    if already {
        return Err(AnswerRefusal::AlreadyAnswered);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn snap(
        phase: Phase,
        deadline: &str,
        current: usize,
        participants: usize,
        answered: usize,
    ) -> Snapshot {
        Snapshot {
            phase,
            deadline: Some(t(deadline)),
            current,
            question_count: 2,
            participants,
            answered,
        }
    }

    #[test]
    fn lobby_waits_then_begins_or_cancels() {
        let s = snap(Phase::Lobby, "2026-01-01T00:01:00Z", 0, 2, 0);
        assert_eq!(
            next_step(&s, t("2026-01-01T00:00:30Z")),
            Step::WaitUntil(t("2026-01-01T00:01:00Z"))
        );
        assert_eq!(next_step(&s, t("2026-01-01T00:01:00Z")), Step::Begin);
        let empty = Snapshot {
            participants: 0,
            ..s
        };
        assert_eq!(
            next_step(&empty, t("2026-01-01T00:02:00Z")),
            Step::CancelEmpty
        );
    }

    #[test]
    fn a_question_closes_at_its_deadline_or_when_everyone_answered() {
        let s = snap(Phase::Question, "2026-01-01T00:01:00Z", 0, 3, 2);
        assert_eq!(
            next_step(&s, t("2026-01-01T00:00:10Z")),
            Step::WaitUntil(t("2026-01-01T00:01:00Z"))
        );
        assert_eq!(
            next_step(&s, t("2026-01-01T00:01:00Z")),
            Step::Reveal { last: false }
        );
        let all = Snapshot {
            answered: 3,
            ..s.clone()
        };
        assert_eq!(
            next_step(&all, t("2026-01-01T00:00:10Z")),
            Step::Reveal { last: false }
        );
        let last = Snapshot { current: 1, ..s };
        assert_eq!(
            next_step(&last, t("2026-01-01T00:05:00Z")),
            Step::Reveal { last: true }
        );
    }

    #[test]
    fn answers_are_refused_with_the_reason() {
        let s = snap(Phase::Question, "2026-01-01T00:01:00Z", 1, 3, 0);
        let now = t("2026-01-01T00:00:30Z");
        assert_eq!(check_answer(&s, 1, now, true, false), Ok(()));
        assert_eq!(
            check_answer(&s, 0, now, true, false),
            Err(AnswerRefusal::NotThisQuestion)
        );
        assert_eq!(
            check_answer(&s, 1, t("2026-01-01T00:01:00Z"), true, false),
            Err(AnswerRefusal::TooLate)
        );
        assert_eq!(
            check_answer(&s, 1, now, false, false),
            Err(AnswerRefusal::NotAParticipant)
        );
        assert_eq!(
            check_answer(&s, 1, now, true, true),
            Err(AnswerRefusal::AlreadyAnswered)
        );
        let over = Snapshot {
            phase: Phase::Finished,
            ..s
        };
        assert_eq!(
            check_answer(&over, 1, now, true, false),
            Err(AnswerRefusal::RoundOver)
        );
    }
}
