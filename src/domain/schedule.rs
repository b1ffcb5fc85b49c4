//! Daily drops: when the next post is due, in the schedule's own timezone.
//!
//! A schedule is a local wall-clock time plus weekdays in an IANA zone. Each local date has at
//! most one posting instant, which is also the drop's identity (schedule, local date), so a DST
//! change can neither double a post nor lose one:
//! * a time that does not exist that day (spring forward) posts at the first valid minute after it;
//! * a time that happens twice (fall back) posts once, at the first occurrence.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// Days of the week a schedule posts on (bit 0 = Monday … bit 6 = Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0b111_1111);
    pub const WEEKDAYS: Weekdays = Weekdays(0b001_1111);
    pub const WEEKENDS: Weekdays = Weekdays(0b110_0000);

    pub fn from_bits(bits: u8) -> Option<Weekdays> {
        (bits & 0b111_1111 != 0).then_some(Weekdays(bits & 0b111_1111))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }
}

impl FromStr for Weekdays {
    type Err = String;
    /// `every day`, `weekdays`, `weekends`, or a list such as `mon,wed,fri`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "" | "every day" | "everyday" | "daily" | "all" => return Ok(Weekdays::EVERY_DAY),
            "weekdays" | "mon-fri" => return Ok(Weekdays::WEEKDAYS),
            "weekends" | "sat,sun" => return Ok(Weekdays::WEEKENDS),
            _ => {}
        }
        let mut bits = 0u8;
        for part in s.split([',', ' ']).filter(|p| !p.is_empty()) {
            let day: Weekday = part.parse().map_err(|_| {
                format!("`{part}` is not a day; use e.g. `mon,wed,fri`, `weekdays` or `weekends`")
            })?;
            bits |= 1 << day.num_days_from_monday();
        }
        Weekdays::from_bits(bits).ok_or_else(|| "no days given".to_string())
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Weekdays::EVERY_DAY => f.write_str("every day"),
            Weekdays::WEEKDAYS => f.write_str("weekdays"),
            Weekdays::WEEKENDS => f.write_str("weekends"),
            days => {
                let names: Vec<&str> = [
                    (Weekday::Mon, "Mon"),
                    (Weekday::Tue, "Tue"),
                    (Weekday::Wed, "Wed"),
                    (Weekday::Thu, "Thu"),
                    (Weekday::Fri, "Fri"),
                    (Weekday::Sat, "Sat"),
                    (Weekday::Sun, "Sun"),
                ]
                .into_iter()
                .filter(|(d, _)| days.contains(*d))
                .map(|(_, n)| n)
                .collect();
                f.write_str(&names.join(", "))
            }
        }
    }
}

/// When a schedule posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub time: NaiveTime,
    pub tz: Tz,
    pub weekdays: Weekdays,
}

/// `HH:MM`, 24-hour.
pub fn parse_time(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
        format!(
            "`{}` is not a time; use 24-hour HH:MM, like 09:00 or 18:30",
            s.trim()
        )
    })
}

/// An IANA zone name, with suggestions when it is wrong.
pub fn parse_timezone(s: &str) -> Result<Tz, String> {
    let s = s.trim();
    if let Ok(tz) = s.parse::<Tz>() {
        return Ok(tz);
    }
    if let Some(tz) = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(s))
    {
        return Ok(*tz);
    }
    let suggestions = suggest_timezones(s, 3);
    Err(if suggestions.is_empty() {
        format!("`{s}` is not an IANA timezone; use a name like Europe/London or America/New_York")
    } else {
        format!(
            "`{s}` is not an IANA timezone. Did you mean {}?",
            suggestions.join(", ")
        )
    })
}

/// Zone names resembling what was typed, best first.
pub fn suggest_timezones(typed: &str, max: usize) -> Vec<&'static str> {
    let needle = typed.trim().to_ascii_lowercase().replace(' ', "_");
    if needle.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &'static str)> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            let name = tz.name();
            let lower = name.to_ascii_lowercase();
            let city = lower.rsplit('/').next().unwrap_or(&lower);
            let score = if lower.contains(&needle) {
                2.0 - lower.len() as f64 / 100.0
            } else {
                strsim::jaro_winkler(&needle, city).max(strsim::jaro_winkler(&needle, &lower))
            };
            (score, name)
        })
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(max).map(|(_, n)| n).collect()
}

/// The posting instant on `date`: the local time, the first valid minute after it when the
/// clocks skip it, the first occurrence when it happens twice.
pub fn post_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(time);
    // A DST gap is at most a few hours; never loop forever on a broken zone.
    for _ in 0..(24 * 60) {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    date.and_time(time).and_utc()
}

impl Schedule {
    /// The next post strictly after `after`: its local date (the drop's key) and instant.
    pub fn next_post(&self, after: DateTime<Utc>) -> (NaiveDate, DateTime<Utc>) {
        let start = after.with_timezone(&self.tz).date_naive() - Duration::days(1);
        for offset in 0..15 {
            let date = start + Duration::days(offset);
            if !self.weekdays.contains(date.weekday()) {
                continue;
            }
            let at = post_instant(date, self.time, self.tz);
            if at > after {
                return (date, at);
            }
        }
        // Unreachable with at least one weekday set; a week later is a safe answer.
        let date = start + Duration::days(8);
        (date, post_instant(date, self.time, self.tz))
    }

    /// The most recent post at or before `now`, if the schedule has one within a week.
    pub fn latest_due(&self, now: DateTime<Utc>) -> Option<(NaiveDate, DateTime<Utc>)> {
        let today = now.with_timezone(&self.tz).date_naive();
        (0..8)
            .map(|back| today - Duration::days(back))
            .filter(|d| self.weekdays.contains(d.weekday()))
            .map(|d| (d, post_instant(d, self.time, self.tz)))
            .find(|(_, at)| *at <= now)
    }

    /// The next `n` posting instants after `after`.
    pub fn preview(&self, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut cursor = after;
        for _ in 0..n {
            let (_, at) = self.next_post(cursor);
            out.push(at);
            cursor = at;
        }
        out
    }
}

/// What to do with a post that was due while the bot was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    /// Recent enough: post it now, once, with a note that it is late.
    PostLate,
    /// Too old: record it as skipped (shown in `/daily list`), post nothing.
    Skip,
}

pub fn missed(due: DateTime<Utc>, now: DateTime<Utc>, grace: Duration) -> Missed {
    if now - due <= grace {
        Missed::PostLate
    } else {
        Missed::Skip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn daily(time: &str, tz: &str) -> Schedule {
        Schedule {
            time: parse_time(time).unwrap(),
            tz: tz.parse().unwrap(),
            weekdays: Weekdays::EVERY_DAY,
        }
    }

    fn local(at: DateTime<Utc>, tz: &str) -> String {
        at.with_timezone(&tz.parse::<Tz>().unwrap())
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    #[test]
    fn london_posts_at_nine_local_on_both_sides_of_each_change() {
        let s = daily("09:00", "Europe/London");
        // Spring forward on Sunday 29 March 2026.
        let (_, sat) = s.next_post(t("2026-03-28T00:00:00Z"));
        let (_, sun) = s.next_post(sat);
        let (_, mon) = s.next_post(sun);
        assert_eq!(sat, t("2026-03-28T09:00:00Z"));
        assert_eq!(sun, t("2026-03-29T08:00:00Z"), "09:00 BST");
        assert_eq!(mon, t("2026-03-30T08:00:00Z"));
        // Fall back on Sunday 25 October 2026.
        let (_, sat) = s.next_post(t("2026-10-24T00:00:00Z"));
        let (_, sun) = s.next_post(sat);
        assert_eq!(sat, t("2026-10-24T08:00:00Z"));
        assert_eq!(sun, t("2026-10-25T09:00:00Z"), "09:00 GMT");
    }

    #[test]
    fn a_skipped_time_posts_at_the_first_valid_minute() {
        // New York skips 02:00–03:00 on 8 March 2026.
        let s = daily("02:30", "America/New_York");
        let (date, at) = s.next_post(t("2026-03-08T00:00:00Z"));
        assert_eq!(date.to_string(), "2026-03-08");
        assert_eq!(local(at, "America/New_York"), "2026-03-08 03:00 EDT");
        // Sydney skips 02:00–03:00 on 4 October 2026.
        let s = daily("02:15", "Australia/Sydney");
        let (_, at) = s.next_post(t("2026-10-03T12:00:00Z"));
        assert_eq!(local(at, "Australia/Sydney"), "2026-10-04 03:00 AEDT");
    }

    #[test]
    fn an_ambiguous_time_posts_once_at_the_first_occurrence() {
        // New York repeats 01:00–02:00 on 1 November 2026.
        let s = daily("01:30", "America/New_York");
        let (date, at) = s.next_post(t("2026-11-01T00:00:00Z"));
        assert_eq!(local(at, "America/New_York"), "2026-11-01 01:30 EDT");
        let (next_date, next) = s.next_post(at);
        assert_eq!(
            next_date,
            date.succ_opt().unwrap(),
            "not again in the repeated hour"
        );
        assert_eq!(local(next, "America/New_York"), "2026-11-02 01:30 EST");
        // Sydney repeats 02:00–03:00 on 5 April 2026.
        let s = daily("02:30", "Australia/Sydney");
        let (_, at) = s.next_post(t("2026-04-04T12:00:00Z"));
        assert_eq!(local(at, "Australia/Sydney"), "2026-04-05 02:30 AEDT");
        assert_eq!(s.next_post(at).0.to_string(), "2026-04-06");
    }

    #[test]
    fn zones_without_dst_and_with_half_hour_shifts() {
        let s = daily("09:00", "Asia/Kolkata");
        assert_eq!(
            s.next_post(t("2026-06-01T00:00:00Z")).1,
            t("2026-06-01T03:30:00Z")
        );
        // Lord Howe moves by 30 minutes: 02:00 → 02:30 on 4 October 2026.
        let s = daily("02:10", "Australia/Lord_Howe");
        let (_, at) = s.next_post(t("2026-10-03T12:00:00Z"));
        assert_eq!(
            at.with_timezone(&"Australia/Lord_Howe".parse::<Tz>().unwrap())
                .format("%H:%M")
                .to_string(),
            "02:30"
        );
        // …and back 02:00 → 01:30 on 5 April 2026: 01:45 happens twice, posted once.
        let s = daily("01:45", "Australia/Lord_Howe");
        let (d1, a1) = s.next_post(t("2026-04-04T12:00:00Z"));
        let (d2, _) = s.next_post(a1);
        assert_eq!(d2, d1.succ_opt().unwrap());
    }

    #[test]
    fn weekdays_limit_posting_days() {
        let s = Schedule {
            weekdays: Weekdays::WEEKENDS,
            ..daily("10:00", "UTC")
        };
        // Wednesday 25 November 2026 → Saturday 28th.
        assert_eq!(
            s.next_post(t("2026-11-25T12:00:00Z")).1,
            t("2026-11-28T10:00:00Z")
        );
        assert_eq!(
            s.preview(t("2026-11-25T12:00:00Z"), 3).last().copied(),
            Some(t("2026-12-05T10:00:00Z"))
        );
        assert_eq!(
            "mon,wed,fri".parse::<Weekdays>().unwrap().to_string(),
            "Mon, Wed, Fri"
        );
        assert!("funday".parse::<Weekdays>().is_err());
    }

    #[test]
    fn latest_due_and_missed_posts() {
        let s = daily("09:00", "UTC");
        assert_eq!(
            s.latest_due(t("2026-11-26T08:59:00Z")).unwrap().1,
            t("2026-11-25T09:00:00Z")
        );
        assert_eq!(
            s.latest_due(t("2026-11-26T09:00:00Z")).unwrap().1,
            t("2026-11-26T09:00:00Z")
        );
        let grace = Duration::hours(2);
        assert_eq!(
            missed(t("2026-11-26T09:00:00Z"), t("2026-11-26T10:59:00Z"), grace),
            Missed::PostLate
        );
        assert_eq!(
            missed(t("2026-11-26T09:00:00Z"), t("2026-11-26T11:01:00Z"), grace),
            Missed::Skip
        );
    }

    #[test]
    fn times_and_timezones_are_validated_with_suggestions() {
        assert!(parse_time("9:00").is_ok());
        assert!(parse_time("25:00").unwrap_err().contains("HH:MM"));
        assert_eq!(
            parse_timezone("europe/london").unwrap(),
            chrono_tz::Europe::London
        );
        let err = parse_timezone("Europe/Londn").unwrap_err();
        assert!(err.contains("Europe/London"), "{err}");
        assert!(parse_timezone("Etc/UTC").is_ok());
    }
}
