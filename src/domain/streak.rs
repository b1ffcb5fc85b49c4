//! Streaks: consecutive posting days with at least one daily-drop answer.
//!
//! A server's posting days are the weekdays its daily drops post on: a weekdays-only drop does
//! not break a streak over the weekend. An answer on another day (a `/daily now`) still counts.

use chrono::{Datelike, NaiveDate};

use super::schedule::Weekdays;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streak {
    /// Days in a row up to today, or up to yesterday when today is not answered yet
    /// (the day is not over, so the streak is not broken).
    pub current: u32,
    pub best: u32,
}

impl Streak {
    /// `days` are the local dates with an answer, in any order, duplicates allowed; every day
    /// is a posting day.
    pub fn from_days(days: &[NaiveDate], today: NaiveDate) -> Streak {
        Streak::from_days_on(days, today, Weekdays::EVERY_DAY)
    }

    /// Like [`Streak::from_days`], but only days in `posting` must be answered: the streak
    /// goes on from one answered day to the next as long as no posting day between them was
    /// missed, and is alive today when no posting day since the last answer (today excepted:
    /// it is not over) went unanswered.
    pub fn from_days_on(days: &[NaiveDate], today: NaiveDate, posting: Weekdays) -> Streak {
        let missed_between = |from: NaiveDate, to: NaiveDate| {
            // A posting day strictly between the two dates; a week covers every weekday.
            from.iter_days()
                .skip(1)
                .take_while(|d| *d < to)
                .take(7)
                .any(|d| posting.contains(d.weekday()))
        };
        let mut sorted: Vec<NaiveDate> = days.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut best = 0;
        let mut run = 0;
        let mut prev: Option<NaiveDate> = None;
        for &d in &sorted {
            run = match prev {
                Some(p) if !missed_between(p, d) => run + 1,
                _ => 1,
            };
            best = best.max(run);
            prev = Some(d);
        }
        let alive = prev.is_some_and(|last| last >= today || !missed_between(last, today));
        Streak {
            current: if alive { run } else { 0 },
            best,
        }
    }
}

/// Streak lengths worth announcing at a drop's reveal.
pub const MILESTONES: [u32; 3] = [7, 30, 100];

/// Whether a streak of `days` has just reached a milestone.
pub fn is_milestone(days: u32) -> bool {
    MILESTONES.contains(&days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milestones_are_seven_thirty_and_a_hundred_days() {
        assert!(is_milestone(7) && is_milestone(30) && is_milestone(100));
        assert!(!is_milestone(0) && !is_milestone(8) && !is_milestone(99));
    }

    #[test]
    fn a_weekdays_only_streak_survives_the_weekend() {
        // 2026-11-16 is a Monday: two full weeks of weekday answers.
        let mut days = Vec::new();
        for week in [16, 23] {
            for day in week..week + 5 {
                days.push(d(&format!("2026-11-{day}")));
            }
        }
        let on_weekdays = Streak::from_days_on(&days, d("2026-11-30"), Weekdays::WEEKDAYS);
        assert_eq!(
            on_weekdays,
            Streak {
                current: 10,
                best: 10
            },
            "Monday, not answered yet"
        );
        assert_eq!(
            Streak::from_days_on(&days, d("2026-12-01"), Weekdays::WEEKDAYS).current,
            0,
            "Monday was missed"
        );
        let every_day = Streak::from_days(&days, d("2026-11-27"));
        assert_eq!(every_day.best, 5, "every day: the weekend breaks it");
        assert!(crate::domain::streak::is_milestone(7));
        let seven: Vec<NaiveDate> = days[..7].to_vec();
        assert_eq!(
            Streak::from_days_on(&seven, d("2026-11-24"), Weekdays::WEEKDAYS).current,
            7,
            "a weekdays-only drop reaches the 7-day milestone"
        );
    }

    #[test]
    fn an_extra_answer_on_a_day_off_neither_breaks_nor_is_required() {
        let days = [d("2026-11-20"), d("2026-11-21"), d("2026-11-23")]; // Fri, Sat, Mon
        assert_eq!(
            Streak::from_days_on(&days, d("2026-11-23"), Weekdays::WEEKDAYS).current,
            3
        );
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn counts_runs_and_keeps_today_open() {
        let days = [
            d("2026-11-20"),
            d("2026-11-21"),
            d("2026-11-23"),
            d("2026-11-24"),
            d("2026-11-25"),
        ];
        assert_eq!(
            Streak::from_days(&days, d("2026-11-25")),
            Streak {
                current: 3,
                best: 3
            }
        );
        assert_eq!(
            Streak::from_days(&days, d("2026-11-26")),
            Streak {
                current: 3,
                best: 3
            },
            "today not over"
        );
        assert_eq!(
            Streak::from_days(&days, d("2026-11-27")),
            Streak {
                current: 0,
                best: 3
            }
        );
        assert_eq!(Streak::from_days(&[], d("2026-11-27")), Streak::default());
        let dup = [d("2026-11-25"), d("2026-11-25"), d("2026-11-24")];
        assert_eq!(Streak::from_days(&dup, d("2026-11-25")).current, 2);
    }
}
