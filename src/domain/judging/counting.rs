//! Which score counts on the boards when a server uses the AI judge.

use super::JudgeMode;
use crate::domain::hints::with_hint_penalty;

/// Whose score an attempt's counting score is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedBy {
    BuiltIn,
    Ai,
}

impl CountedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            CountedBy::BuiltIn => "builtin",
            CountedBy::Ai => "ai",
        }
    }
}

/// The score that counts and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub score: u8,
    pub by: CountedBy,
}

/// What counts: in `primary` mode a valid AI score (less the same hint penalty the built-in
/// score pays), otherwise the built-in score as recorded (already less its penalty).
pub fn counted(mode: JudgeMode, builtin: u8, ai: Option<u8>, hints_used: u32) -> Counted {
    match (mode, ai) {
        (JudgeMode::Primary, Some(ai)) => Counted {
            score: with_hint_penalty(ai.min(100), hints_used),
            by: CountedBy::Ai,
        },
        _ => Counted {
            score: builtin,
            by: CountedBy::BuiltIn,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_primary_mode_with_a_valid_ai_score_lets_the_ai_count() {
        assert_eq!(
            counted(JudgeMode::Primary, 40, Some(90), 0),
            Counted {
                score: 90,
                by: CountedBy::Ai
            }
        );
        assert_eq!(
            counted(JudgeMode::Primary, 40, None, 0).by,
            CountedBy::BuiltIn
        );
        assert_eq!(
            counted(JudgeMode::SecondOpinion, 40, Some(90), 0),
            Counted {
                score: 40,
                by: CountedBy::BuiltIn
            }
        );
        assert_eq!(counted(JudgeMode::Off, 40, Some(90), 0).score, 40);
        // Hints cost the AI's score what they cost the built-in one.
        assert_eq!(
            counted(JudgeMode::Primary, 40, Some(90), 2).score,
            with_hint_penalty(90, 2)
        );
    }
}
