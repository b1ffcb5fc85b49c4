//! Leaderboard windows and local calendar days, in a server's timezone.
//!
//! Calendar windows (today, this week, this month) start at local midnight, found safely even
//! where a DST change skips midnight; rolling windows (last 7 or 30 days) are exact durations.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Which attempts a board counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    /// The calendar week, starting Monday.
    Week,
    Month,
    Last7Days,
    Last30Days,
    /// A named season: from `start` (inclusive) to `end` (exclusive).
    Season {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    AllTime,
}

impl Period {
    /// The names users type (`--period week`).
    pub const NAMES: [&'static str; 6] = ["today", "week", "month", "7d", "30d", "all"];
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "today" | "day" => Ok(Period::Today),
            "week" | "this-week" => Ok(Period::Week),
            "month" | "this-month" => Ok(Period::Month),
            "7d" | "last-7-days" => Ok(Period::Last7Days),
            "30d" | "last-30-days" => Ok(Period::Last30Days),
            "all" | "all-time" | "alltime" => Ok(Period::AllTime),
            other => Err(format!(
                "unknown period `{other}`; use one of: {}",
                Period::NAMES.join(", ")
            )),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Today => f.write_str("today"),
            Period::Week => f.write_str("this week"),
            Period::Month => f.write_str("this month"),
            Period::Last7Days => f.write_str("last 7 days"),
            Period::Last30Days => f.write_str("last 30 days"),
            Period::Season { start, end } => {
                write!(f, "season {} – {}", start.date_naive(), end.date_naive())
            }
            Period::AllTime => f.write_str("all time"),
        }
    }
}

/// A half-open span of time `[start, end)`; `None` means unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl Window {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t < e)
    }
}

/// The window `period` covers at `now`, in `tz`.
pub fn window(period: Period, now: DateTime<Utc>, tz: Tz) -> Window {
    let today = local_date(now, tz);
    let from_day = |d: NaiveDate| Window {
        start: Some(start_of_day(d, tz)),
        end: None,
    };
    match period {
        Period::Today => from_day(today),
        Period::Week => {
            from_day(today - Duration::days(i64::from(today.weekday().num_days_from_monday())))
        }
        Period::Month => from_day(today.with_day(1).unwrap_or(today)),
        Period::Last7Days => Window {
            start: Some(now - Duration::days(7)),
            end: None,
        },
        Period::Last30Days => Window {
            start: Some(now - Duration::days(30)),
            end: None,
        },
        Period::Season { start, end } => Window {
            start: Some(start),
            end: Some(end),
        },
        Period::AllTime => Window {
            start: None,
            end: None,
        },
    }
}

/// The calendar date at `t` in `tz`.
pub fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The first instant of `date` in `tz`: local midnight, or the first valid minute after it when
/// a DST change skips midnight; the earlier one when midnight happens twice.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(NaiveTime::MIN);
    // DST gaps are at most a few hours; a day always has a valid minute within them.
    for _ in 0..(24 * 60) {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += Duration::minutes(1);
    }
    date.and_time(NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn today_starts_at_local_midnight() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 03:30 UTC on the 10th is 23:30 on the 9th in New York, already on EDT (UTC-4) since
        // the 8th; in winter the same day starts an hour later in UTC.
        let w = window(Period::Today, utc("2026-03-10T03:30:00Z"), tz);
        assert_eq!(w.start, Some(utc("2026-03-09T04:00:00Z")));
        assert!(w.contains(utc("2026-03-10T03:29:00Z")));
        assert!(!w.contains(utc("2026-03-09T03:59:59Z")));
        let winter = window(Period::Today, utc("2026-01-10T03:30:00Z"), tz);
        assert_eq!(winter.start, Some(utc("2026-01-09T05:00:00Z")));
    }

    #[test]
    fn week_starts_monday_and_crosses_dst() {
        let tz: Tz = "Europe/London".parse().unwrap();
        // Wednesday 1 April 2026 (BST); Monday 30 March is after the change on 29 March.
        let w = window(Period::Week, utc("2026-04-01T12:00:00Z"), tz);
        assert_eq!(w.start, Some(utc("2026-03-29T23:00:00Z")));
        // Tuesday 31 March 2026, the week began Monday 30 March 00:00 BST.
        let w = window(Period::Month, utc("2026-03-31T12:00:00Z"), tz);
        assert_eq!(
            w.start,
            Some(utc("2026-03-01T00:00:00Z")),
            "GMT in early March"
        );
    }

    #[test]
    fn a_skipped_midnight_starts_at_the_first_valid_minute() {
        // Chile moves clocks forward at 24:00 on the first Saturday of September.
        let tz: Tz = "America/Santiago".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        let start = start_of_day(d, tz);
        assert_eq!(
            start.with_timezone(&tz).format("%H:%M").to_string(),
            "01:00"
        );
    }

    #[test]
    fn periods_parse_and_explain_mistakes() {
        assert_eq!("WEEK".parse::<Period>(), Ok(Period::Week));
        assert!(
            "fortnight"
                .parse::<Period>()
                .unwrap_err()
                .contains("today, week")
        );
    }
}
