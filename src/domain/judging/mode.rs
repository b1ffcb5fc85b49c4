//! How a server uses the AI judge.

use std::fmt;
use std::str::FromStr;

/// Off by default: nothing is sent anywhere until an admin turns it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JudgeMode {
    #[default]
    Off,
    /// The built-in score counts; the model's feedback is shown beside it.
    SecondOpinion,
    /// The model's score counts when it arrives valid, otherwise the built-in one.
    Primary,
}

impl JudgeMode {
    pub const ALL: [JudgeMode; 3] = [JudgeMode::Off, JudgeMode::SecondOpinion, JudgeMode::Primary];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            JudgeMode::Off => "off",
            JudgeMode::SecondOpinion => "second-opinion",
            JudgeMode::Primary => "primary",
        }
    }

    /// Answers go to the model.
    pub fn sends_answers(self) -> bool {
        self != JudgeMode::Off
    }
}

impl fmt::Display for JudgeMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a judge mode is off, second-opinion or primary")]
pub struct UnknownMode;

impl FromStr for JudgeMode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JudgeMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or(UnknownMode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_back_what_they_store_and_refuse_anything_else() {
        for m in JudgeMode::ALL {
            assert_eq!(m.as_str().parse::<JudgeMode>(), Ok(m));
        }
        assert_eq!("secondopinion".parse::<JudgeMode>(), Err(UnknownMode));
        assert!(!JudgeMode::Off.sends_answers());
        assert!(JudgeMode::Primary.sends_answers());
    }
}
