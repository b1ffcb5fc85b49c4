//! Spaced repetition: one memory per (server, member, question), scheduled with FSRS-6.
//!
//! The formulas are FSRS-6's (open-spaced-repetition, the `fsrs` crate 6.6.2, `model.rs`) with
//! its 21 default parameters, which need no training data. They are written out here instead of
//! depending on the crate because the crate also brings ndarray, rayon and a training stack we
//! never call; the tests below check these formulas against values printed by the crate itself.
//!
//! **Grades.** A 0–100 score (after the hint penalty) and the hints used become one grade:
//!
//! | score | hints | grade |
//! | --- | --- | --- |
//! | below 60 | any | [`Grade::Again`] (fail) |
//! | 60–100 | one or more, or below 90 | [`Grade::Good`] (pass) |
//! | 90–100 | none | [`Grade::Easy`] |
//!
//! **Intervals.** A pass is due again after FSRS's interval for the server's desired retention
//! (0.80–0.95, default 0.90), rounded to whole days, at least 1 and at most 365. A fail comes back
//! within a day: FSRS's interval clamped to 1–24 hours.

use chrono::{DateTime, Duration, Utc};

/// FSRS-6 default parameters (w0..w20).
pub const DEFAULT_PARAMETERS: [f64; 21] = [
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835,
    0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
];

const S_MIN: f64 = 0.001;
const S_MAX: f64 = 36500.0;
const D_MIN: f64 = 1.0;
const D_MAX: f64 = 10.0;
/// Score at which an answer counts as recalled.
pub const PASS_SCORE: u8 = 60;
/// Score from which an answer without hints counts as easy.
pub const EASY_SCORE: u8 = 90;
/// The longest a passed question waits.
pub const MAX_INTERVAL_DAYS: i64 = 365;

/// FSRS's four ratings; the bot uses Again, Good and Easy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    Again = 1,
    Hard = 2,
    Good = 3,
    Easy = 4,
}

impl Grade {
    /// The documented mapping from a scored attempt (module docs).
    pub fn from_score(score: u8, hints_used: u32) -> Grade {
        if score < PASS_SCORE {
            Grade::Again
        } else if score >= EASY_SCORE && hints_used == 0 {
            Grade::Easy
        } else {
            Grade::Good
        }
    }

    pub fn passed(self) -> bool {
        self != Grade::Again
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Again => "again",
            Grade::Hard => "hard",
            Grade::Good => "good",
            Grade::Easy => "easy",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        match s {
            "again" => Some(Grade::Again),
            "hard" => Some(Grade::Hard),
            "good" => Some(Grade::Good),
            "easy" => Some(Grade::Easy),
            _ => None,
        }
    }

    fn value(self) -> f64 {
        f64::from(self as u8)
    }
}

/// The share of due questions a member should still remember, per server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DesiredRetention(f64);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("desired retention must be between 0.80 and 0.95 (got {0})")]
pub struct RetentionOutOfRange(pub f64);

impl DesiredRetention {
    pub const MIN: f64 = 0.80;
    pub const MAX: f64 = 0.95;

    pub fn new(value: f64) -> Result<Self, RetentionOutOfRange> {
        if (Self::MIN..=Self::MAX).contains(&value) {
            Ok(DesiredRetention(value))
        } else {
            Err(RetentionOutOfRange(value))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for DesiredRetention {
    fn default() -> Self {
        DesiredRetention(0.90)
    }
}

/// FSRS's memory of one item: stability in days (the interval at which recall is 90%) and
/// difficulty 1–10.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Memory {
    pub stability: f64,
    pub difficulty: f64,
}

/// What is stored per (server, member, question).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewState {
    pub memory: Memory,
    pub reps: u32,
    pub lapses: u32,
    pub last_grade: Grade,
    pub last_score: u8,
    pub last_review: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

impl ReviewState {
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.due <= now
    }

    /// The chance of recalling it now (0–1).
    pub fn retrievability(&self, now: DateTime<Utc>) -> f64 {
        let days = (now - self.last_review).num_milliseconds().max(0) as f64 / 86_400_000.0;
        forgetting_curve(&DEFAULT_PARAMETERS, days, self.memory.stability)
    }
}

/// The outcome of one scheduled attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    pub state: ReviewState,
    pub grade: Grade,
    pub interval: Duration,
}

impl Scheduled {
    /// "next review in 3 days", "next review in 5 hours".
    pub fn next_review_text(&self) -> String {
        describe_interval(self.interval)
    }
}

pub fn describe_interval(d: Duration) -> String {
    let hours = d.num_hours();
    if hours < 24 {
        let h = hours.max(1);
        format!("next review in {h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        let days = d.num_days();
        format!(
            "next review in {days} day{}",
            if days == 1 { "" } else { "s" }
        )
    }
}

/// Reschedule after a scored attempt. `previous` is `None` for the first attempt.
pub fn schedule(
    previous: Option<&ReviewState>,
    score: u8,
    hints_used: u32,
    now: DateTime<Utc>,
    retention: DesiredRetention,
) -> Scheduled {
    let grade = Grade::from_score(score, hints_used);
    let w = &DEFAULT_PARAMETERS;
    let memory = match previous {
        None => initial_memory(w, grade),
        Some(p) => {
            // Whole days, as FSRS counts them; a second attempt the same day is a short-term review.
            let days = (now - p.last_review).num_days().max(0) as f64;
            step(w, p.memory, days, grade)
        }
    };
    let days = next_interval(w, memory.stability, retention.get());
    let interval = if grade.passed() {
        Duration::days((days.round() as i64).clamp(1, MAX_INTERVAL_DAYS))
    } else {
        let minutes = (days * 24.0 * 60.0).round() as i64;
        Duration::minutes(minutes.clamp(60, 24 * 60))
    };
    let (reps, lapses) = previous.map_or((0, 0), |p| (p.reps, p.lapses));
    Scheduled {
        state: ReviewState {
            memory,
            reps: reps + 1,
            lapses: lapses + u32::from(!grade.passed() && previous.is_some()),
            last_grade: grade,
            last_score: score,
            last_review: now,
            due: now + interval,
        },
        grade,
        interval,
    }
}

/// Recall probability after `t` days at stability `s`.
pub fn forgetting_curve(w: &[f64; 21], t: f64, s: f64) -> f64 {
    let decay = -w[20];
    let factor = (0.9f64.ln() / decay).exp() - 1.0;
    (t / s * factor + 1.0).powf(decay)
}

/// Days until recall falls to `retention`.
pub fn next_interval(w: &[f64; 21], stability: f64, retention: f64) -> f64 {
    let decay = -w[20];
    let factor = (0.9f64.ln() / decay).exp() - 1.0;
    stability / factor * (retention.powf(1.0 / decay) - 1.0)
}

fn init_difficulty(w: &[f64; 21], rating: f64) -> f64 {
    w[4] - (w[5] * (rating - 1.0)).exp() + 1.0
}

fn initial_memory(w: &[f64; 21], grade: Grade) -> Memory {
    Memory {
        stability: w[grade as usize - 1].clamp(S_MIN, S_MAX),
        difficulty: init_difficulty(w, grade.value()).clamp(D_MIN, D_MAX),
    }
}

/// One FSRS-6 review step from `m` after `t` whole days.
pub fn step(w: &[f64; 21], m: Memory, t: f64, grade: Grade) -> Memory {
    let s = m.stability.clamp(S_MIN, S_MAX);
    let d = m.difficulty.clamp(D_MIN, D_MAX);
    let g = grade.value();
    let r = forgetting_curve(w, t, s);
    let new_s = if t == 0.0 {
        let sinc = (w[17] * (g - 3.0 + w[18])).exp() * s.powf(-w[19]);
        s * if g >= 2.0 { sinc.max(1.0) } else { sinc }
    } else if grade == Grade::Again {
        let after =
            w[11] * d.powf(-w[12]) * ((s + 1.0).powf(w[13]) - 1.0) * ((1.0 - r) * w[14]).exp();
        after.min(s / (w[17] * w[18]).exp())
    } else {
        let hard = if grade == Grade::Hard { w[15] } else { 1.0 };
        let easy = if grade == Grade::Easy { w[16] } else { 1.0 };
        s * (w[8].exp()
            * (11.0 - d)
            * s.powf(-w[9])
            * (((1.0 - r) * w[10]).exp() - 1.0)
            * hard
            * easy
            + 1.0)
    };
    let delta = -w[6] * (g - 3.0);
    let damped = d + (10.0 - d) * delta / 9.0;
    let reverted = w[7] * (init_difficulty(w, 4.0) - damped) + damped;
    Memory {
        stability: new_s.clamp(S_MIN, S_MAX),
        difficulty: reverted.clamp(D_MIN, D_MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    const W: &[f64; 21] = &DEFAULT_PARAMETERS;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-4 * b.abs().max(1.0)
    }

    fn assert_memory(m: Memory, s: f64, d: f64) {
        assert!(close(m.stability, s), "stability {} != {s}", m.stability);
        assert!(close(m.difficulty, d), "difficulty {} != {d}", m.difficulty);
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
            .single()
            .unwrap_or_default()
    }

    // Reference values printed by fsrs 6.6.2 (`FSRS::default().next_states(..)`).
    #[test]
    fn first_review_matches_the_crate() {
        assert_memory(initial_memory(W, Grade::Again), 0.212, 6.4133);
        assert_memory(initial_memory(W, Grade::Hard), 1.2931, 5.1121707);
        assert_memory(initial_memory(W, Grade::Good), 2.3065, 2.118104);
        assert_memory(initial_memory(W, Grade::Easy), 8.2956, 1.0);
    }

    #[test]
    fn a_chain_of_good_reviews_matches_the_crate() {
        let m0 = initial_memory(W, Grade::Good);
        let m1 = step(W, m0, 2.0, Grade::Good);
        assert_memory(m1, 10.964341, 2.1112142);
        assert_memory(step(W, m0, 2.0, Grade::Again), 0.6075801, 7.394502);
        assert_memory(step(W, m0, 2.0, Grade::Easy), 18.52177, 1.0);
        let m2 = step(W, m1, 11.0, Grade::Good);
        assert_memory(m2, 46.28025, 2.1043313);
        assert_memory(step(W, m1, 11.0, Grade::Again), 1.5383377, 7.3922377);
        let m3 = step(W, m2, 46.0, Grade::Good);
        assert_memory(m3, 162.86232, 2.0974553);
        assert_memory(step(W, m3, 163.0, Grade::Good), 497.44724, 2.0905862);
    }

    #[test]
    fn same_day_review_uses_the_short_term_formula_like_the_crate() {
        let m0 = initial_memory(W, Grade::Good);
        assert_memory(step(W, m0, 0.0, Grade::Again), 0.7750839, 7.394502);
        assert_memory(step(W, m0, 0.0, Grade::Good), 2.3065, 2.1112142);
        assert_memory(step(W, m0, 0.0, Grade::Easy), 3.9460542, 1.0);
    }

    #[test]
    fn intervals_for_each_retention_match_the_crate() {
        let m = step(W, initial_memory(W, Grade::Good), 3.0, Grade::Good);
        assert!(close(m.stability, 13.82691));
        for (r, want) in [
            (0.8, 45.849453),
            (0.85, 26.359966),
            (0.9, 13.82691),
            (0.95, 5.566143),
        ] {
            let got = next_interval(W, m.stability, r);
            assert!(close(got, want), "retention {r}: {got} != {want}");
        }
        assert!(close(forgetting_curve(W, 5.0, 2.3065), 0.8388614));
    }

    #[test]
    fn grade_mapping() {
        assert_eq!(Grade::from_score(0, 0), Grade::Again);
        assert_eq!(Grade::from_score(59, 0), Grade::Again);
        assert_eq!(Grade::from_score(60, 0), Grade::Good);
        assert_eq!(Grade::from_score(89, 0), Grade::Good);
        assert_eq!(Grade::from_score(90, 0), Grade::Easy);
        assert_eq!(Grade::from_score(100, 1), Grade::Good);
        for g in [Grade::Again, Grade::Hard, Grade::Good, Grade::Easy] {
            assert_eq!(Grade::parse(g.as_str()), Some(g));
        }
    }

    #[test]
    fn retention_is_bounded() {
        assert!(DesiredRetention::new(0.79).is_err());
        assert!(DesiredRetention::new(0.96).is_err());
        assert!(DesiredRetention::new(f64::NAN).is_err());
        assert_eq!(DesiredRetention::default().get(), 0.90);
        assert!(DesiredRetention::new(0.85).is_ok());
    }

    /// Review on the due date each time; return the intervals in days.
    fn run(score: u8, n: usize, retention: DesiredRetention) -> Vec<Duration> {
        let mut now = t0();
        let mut state: Option<ReviewState> = None;
        let mut out = Vec::new();
        for _ in 0..n {
            let s = schedule(state.as_ref(), score, 0, now, retention);
            out.push(s.interval);
            now = s.state.due;
            state = Some(s.state);
        }
        out
    }

    #[test]
    fn always_100_makes_intervals_grow() {
        let iv = run(100, 8, DesiredRetention::default());
        assert_eq!(iv[0], Duration::days(8));
        // Strictly longer each time until the one-year cap, then held there.
        for p in iv.windows(2) {
            assert!(
                p[1] > p[0] || p[1] == Duration::days(MAX_INTERVAL_DAYS),
                "{iv:?}"
            );
        }
        assert_eq!(iv[7], Duration::days(MAX_INTERVAL_DAYS), "{iv:?}");
    }

    #[test]
    fn always_0_comes_back_within_a_day() {
        for iv in run(0, 8, DesiredRetention::default()) {
            assert!(
                iv <= Duration::days(1) && iv >= Duration::hours(1),
                "{iv:?}"
            );
        }
        // Even after a long run of passes, a miss returns within a day.
        let mut now = t0();
        let mut st = schedule(None, 95, 0, now, DesiredRetention::default()).state;
        for _ in 0..4 {
            now = st.due;
            st = schedule(Some(&st), 95, 0, now, DesiredRetention::default()).state;
        }
        let miss = schedule(Some(&st), 10, 0, st.due, DesiredRetention::default());
        assert!(miss.interval <= Duration::days(1));
        assert_eq!(miss.state.lapses, 1);
        assert_eq!(miss.state.reps, 6);
    }

    #[test]
    fn higher_retention_means_shorter_intervals() {
        let low = run(75, 4, DesiredRetention::new(0.80).unwrap_or_default());
        let high = run(75, 4, DesiredRetention::new(0.95).unwrap_or_default());
        assert!(high[3] < low[3], "{high:?} vs {low:?}");
    }

    #[test]
    fn interval_text() {
        assert_eq!(
            describe_interval(Duration::days(3)),
            "next review in 3 days"
        );
        assert_eq!(describe_interval(Duration::days(1)), "next review in 1 day");
        assert_eq!(
            describe_interval(Duration::hours(5)),
            "next review in 5 hours"
        );
    }
}
