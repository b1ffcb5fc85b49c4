//! Hints cost points: each one taken keeps less of the question's score.

/// What each hint costs, in percent of the score.
pub const HINT_PENALTY_PERCENT: u32 = 15;

/// `score` after `hints` hints (at most three count).
pub fn with_hint_penalty(score: u8, hints: u32) -> u8 {
    let keep = 100u32.saturating_sub(HINT_PENALTY_PERCENT * hints.min(3));
    u8::try_from(u32::from(score) * keep / 100).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_hint_costs_fifteen_percent_and_three_at_most_count() {
        assert_eq!(with_hint_penalty(80, 0), 80);
        assert_eq!(with_hint_penalty(80, 1), 68);
        assert_eq!(with_hint_penalty(100, 3), 55);
        assert_eq!(with_hint_penalty(80, 3), 44);
        assert_eq!(with_hint_penalty(100, 9), 55);
        assert_eq!(with_hint_penalty(0, 2), 0);
    }
}
