//! The weekly digest: which week it covers and when it is due, who improved most, and the
//! week's hardest question.
//!
//! A week runs from Monday 00:00 to the next Monday 00:00 in the server's timezone; its digest
//! is due the Monday after it at 09:00 local time (the first valid minute after, on a DST day).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::period::{local_date, start_of_day};
use super::schedule::post_instant;

/// The local time a digest is posted on the Monday after its week.
pub const POST_TIME: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// One week's digest: the week (its Monday, the digest's key), the span it covers and when it
/// is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestWeek {
    pub week: NaiveDate,
    /// `[from, to)`: Monday 00:00 to the next Monday 00:00, local.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// The Monday of `date`'s week.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The digest of the week starting on `week` (a Monday) in `tz`.
pub fn digest_week(week: NaiveDate, tz: Tz) -> DigestWeek {
    let week = monday_of(week);
    let next = week + Duration::days(7);
    DigestWeek {
        week,
        from: start_of_day(week, tz),
        to: start_of_day(next, tz),
        due: post_instant(next, POST_TIME, tz),
    }
}

/// The latest digest due at or before `now`.
pub fn latest_due(now: DateTime<Utc>, tz: Tz) -> DigestWeek {
    let this_monday = monday_of(local_date(now, tz));
    let last_week = digest_week(this_monday - Duration::days(7), tz);
    if last_week.due <= now {
        last_week
    } else {
        digest_week(this_monday - Duration::days(14), tz)
    }
}

/// The first digest due strictly after `after`.
pub fn next_due(after: DateTime<Utc>, tz: Tz) -> DigestWeek {
    digest_week(latest_due(after, tz).week + Duration::days(7), tz)
}

/// A digest missed by more than this (the bot was down) is skipped: a week-old digest is news
/// nobody needs.
pub const GRACE: Duration = Duration::hours(24);

/// A member's answers in the week and before it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberWeek {
    pub user_id: i64,
    pub name: String,
    pub week_average: f64,
    pub week_answers: u32,
    /// Over every earlier answer in the server.
    pub before_average: f64,
    pub before_answers: u32,
}

/// A member who did better this week than before.
#[derive(Debug, Clone, PartialEq)]
pub struct Improver {
    pub user_id: i64,
    pub name: String,
    pub before: f64,
    pub week: f64,
}

impl Improver {
    pub fn gain(&self) -> f64 {
        self.week - self.before
    }
}

/// Answers a member needs in the week to be ranked as an improver (one lucky answer is not
/// progress).
pub const MIN_WEEK_ANSWERS: u32 = 2;

/// The members whose average this week rose most over their average before it: only members
/// with [`MIN_WEEK_ANSWERS`] this week and at least one earlier answer, only real gains; ties go
/// to more answers this week, then by name.
pub fn top_improvers(rows: &[MemberWeek], limit: usize) -> Vec<Improver> {
    let mut out: Vec<(Improver, u32)> = rows
        .iter()
        .filter(|r| r.week_answers >= MIN_WEEK_ANSWERS && r.before_answers > 0)
        .map(|r| {
            (
                Improver {
                    user_id: r.user_id,
                    name: r.name.clone(),
                    before: r.before_average,
                    week: r.week_average,
                },
                r.week_answers,
            )
        })
        .filter(|(i, _)| i.gain() >= 0.5)
        .collect();
    out.sort_by(|(a, an), (b, bn)| {
        b.gain()
            .total_cmp(&a.gain())
            .then(bn.cmp(an))
            .then(a.name.cmp(&b.name))
    });
    out.into_iter().take(limit).map(|(i, _)| i).collect()
}

/// How one question went in the week.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionWeek {
    pub question: String,
    pub topic: String,
    pub average: f64,
    /// Distinct members who answered it.
    pub members: u32,
}

/// Members a question needs in the week to be called the hardest (one member's bad day is not
/// the question's fault).
pub const MIN_HARDEST_MEMBERS: u32 = 2;

/// The question with the lowest average among those [`MIN_HARDEST_MEMBERS`] members answered;
/// ties go to more members, then by id.
pub fn hardest(rows: &[QuestionWeek]) -> Option<&QuestionWeek> {
    rows.iter()
        .filter(|q| q.members >= MIN_HARDEST_MEMBERS)
        .min_by(|a, b| {
            a.average
                .total_cmp(&b.average)
                .then(b.members.cmp(&a.members))
                .then(a.question.cmp(&b.question))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_week_runs_monday_to_monday_local_and_is_due_the_next_monday_at_nine() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        // Wednesday 2026-11-25 is in the week of Monday 23 November.
        let w = digest_week(d("2026-11-25"), tz);
        assert_eq!(w.week, d("2026-11-23"));
        assert_eq!(w.from, t("2026-11-22T23:00:00Z"));
        assert_eq!(w.to, t("2026-11-29T23:00:00Z"));
        assert_eq!(w.due, t("2026-11-30T08:00:00Z"));
    }

    #[test]
    fn latest_and_next_due_around_the_posting_instant() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let due = t("2026-11-30T08:00:00Z");
        assert_eq!(latest_due(due, tz).week, d("2026-11-23"));
        assert_eq!(
            latest_due(due - Duration::milliseconds(1), tz).week,
            d("2026-11-16")
        );
        assert_eq!(next_due(due - Duration::milliseconds(1), tz).due, due);
        assert_eq!(next_due(due, tz).due, t("2026-12-07T08:00:00Z"));
        // Late Sunday night, local: still the week before.
        assert_eq!(
            latest_due(t("2026-11-29T22:30:00Z"), tz).week,
            d("2026-11-16")
        );
    }

    #[test]
    fn a_week_with_a_dst_change_keeps_its_local_bounds() {
        let tz: Tz = "Europe/London".parse().unwrap();
        // The clocks go back on Sunday 2026-10-25: the week has 169 hours.
        let w = digest_week(d("2026-10-19"), tz);
        assert_eq!(w.from, t("2026-10-18T23:00:00Z"));
        assert_eq!(w.to, t("2026-10-26T00:00:00Z"));
        assert_eq!(w.due, t("2026-10-26T09:00:00Z"));
    }

    fn member(name: &str, week: (f64, u32), before: (f64, u32)) -> MemberWeek {
        MemberWeek {
            user_id: name.len() as i64,
            name: name.into(),
            week_average: week.0,
            week_answers: week.1,
            before_average: before.0,
            before_answers: before.1,
        }
    }

    #[test]
    fn improvers_rank_by_gain_and_need_answers_on_both_sides() {
        let rows = [
            member("ada", (80.0, 3), (60.0, 10)),
            member("bob", (90.0, 5), (50.0, 2)),
            member("cy", (95.0, 1), (10.0, 4)), // one answer this week
            member("dee", (70.0, 4), (0.0, 0)), // nothing before
            member("eve", (40.0, 4), (60.0, 9)), // got worse
            member("fay", (80.0, 4), (60.0, 3)), // ties ada's gain, more answers
        ];
        let names: Vec<String> = top_improvers(&rows, 5)
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, ["bob", "fay", "ada"]);
        assert_eq!(top_improvers(&rows, 1).len(), 1);
    }

    #[test]
    fn the_hardest_question_needs_two_members() {
        let q = |id: &str, average: f64, members: u32| QuestionWeek {
            question: id.into(),
            topic: "T".into(),
            average,
            members,
        };
        let rows = [
            q("a", 10.0, 1),
            q("b", 35.0, 3),
            q("c", 35.0, 4),
            q("d", 60.0, 2),
        ];
        assert_eq!(hardest(&rows).map(|q| q.question.as_str()), Some("c"));
        assert_eq!(hardest(&rows[..1]), None);
    }
}
