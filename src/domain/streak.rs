//! Streaks: consecutive local days with at least one daily-drop answer.

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streak {
    /// Days in a row up to today, or up to yesterday when today is not answered yet
    /// (the day is not over, so the streak is not broken).
    pub current: u32,
    pub best: u32,
}

impl Streak {
    /// `days` are the local dates with an answer, in any order, duplicates allowed.
    pub fn from_days(days: &[NaiveDate], today: NaiveDate) -> Streak {
        let mut sorted: Vec<NaiveDate> = days.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut best = 0;
        let mut run = 0;
        let mut prev: Option<NaiveDate> = None;
        for &d in &sorted {
            run = match prev {
                Some(p) if p.succ_opt() == Some(d) => run + 1,
                _ => 1,
            };
            best = best.max(run);
            prev = Some(d);
        }
        let alive = prev.is_some_and(|last| last == today || last.succ_opt() == Some(today));
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
