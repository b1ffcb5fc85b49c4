//! Round and drop states as typed enums: the TEXT `state` columns are parsed here, and a value
//! this binary does not know is an error ([`StoreError::Corrupt`](super::StoreError)), never
//! a silent default.

use std::fmt;
use std::str::FromStr;

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Type};

/// An unknown value in a state column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} state `{value}`")]
pub struct UnknownState {
    pub what: &'static str,
    pub value: String,
}

macro_rules! text_enum {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownState;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownState { what: $what, value: other.to_string() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Type<Sqlite> for $name {
            fn type_info() -> SqliteTypeInfo {
                <str as Type<Sqlite>>::type_info()
            }
        }

        impl<'r> Decode<'r, Sqlite> for $name {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Sqlite>>::decode(value)?;
                Ok(text.parse::<$name>()?)
            }
        }

        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <str as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <str as Type<Postgres>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Postgres>>::decode(value)?;
                Ok(text.parse::<$name>()?)
            }
        }
    };
}

/// Where a round is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundState {
    /// Waiting for players until its deadline.
    Lobby,
    /// A question is open until its deadline (its post may be under a lease).
    Question,
    /// The open question's reveal is being posted (under a lease).
    Reveal,
    Finished,
    Stopped,
}

text_enum!(RoundState, "round", {
    Lobby => "lobby",
    Question => "question",
    Reveal => "reveal",
    Finished => "finished",
    Stopped => "stopped",
});

impl RoundState {
    /// Lobby, question or reveal: the round is going.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RoundState::Lobby | RoundState::Question | RoundState::Reveal
        )
    }

    /// The phase the pure round rules reason about (a reveal under way is still its question).
    pub fn phase(self) -> crate::domain::round::Phase {
        use crate::domain::round::Phase;
        match self {
            RoundState::Lobby => Phase::Lobby,
            RoundState::Question | RoundState::Reveal => Phase::Question,
            RoundState::Finished => Phase::Finished,
            RoundState::Stopped => Phase::Stopped,
        }
    }
}

/// How a round ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundEnd {
    Finished,
    Stopped,
}

impl RoundEnd {
    pub fn state(self) -> RoundState {
        match self {
            RoundEnd::Finished => RoundState::Finished,
            RoundEnd::Stopped => RoundState::Stopped,
        }
    }
}

/// Where a daily drop of (schedule, local date) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropState {
    /// Being posted by its claimer (under a lease).
    Claimed,
    /// Out, taking answers until its close.
    Posted,
    /// Closed; its reveal is out (or being posted, under a lease).
    Revealed,
    /// Not posted (missed while the bot was offline).
    Skipped,
    /// Posting failed (tried again while within the grace period when it has a retry time).
    Failed,
}

text_enum!(DropState, "drop", {
    Claimed => "claimed",
    Posted => "posted",
    Revealed => "revealed",
    Skipped => "skipped",
    Failed => "failed",
});

/// A round's mode, read from its TEXT column: an unknown value is an error, not "group".
impl Type<Sqlite> for crate::domain::round::Mode {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }
}

impl<'r> Decode<'r, Sqlite> for crate::domain::round::Mode {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        parse_mode(text)
    }
}

impl Type<Postgres> for crate::domain::round::Mode {
    fn type_info() -> PgTypeInfo {
        <str as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <str as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for crate::domain::round::Mode {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Postgres>>::decode(value)?;
        parse_mode(text)
    }
}

fn parse_mode(text: &str) -> Result<crate::domain::round::Mode, BoxDynError> {
    text.parse::<crate::domain::round::Mode>().map_err(|_| {
        Box::new(UnknownState {
            what: "round mode",
            value: text.to_string(),
        }) as BoxDynError
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_what_they_write_and_refuse_the_unknown() {
        for s in [
            RoundState::Lobby,
            RoundState::Question,
            RoundState::Reveal,
            RoundState::Finished,
            RoundState::Stopped,
        ] {
            assert_eq!(s.as_str().parse::<RoundState>(), Ok(s));
        }
        for s in [
            DropState::Claimed,
            DropState::Posted,
            DropState::Revealed,
            DropState::Skipped,
            DropState::Failed,
        ] {
            assert_eq!(s.as_str().parse::<DropState>(), Ok(s));
        }
        let err = "paused".parse::<RoundState>().unwrap_err();
        assert_eq!(err.to_string(), "unknown round state `paused`");
        assert!("Posted".parse::<DropState>().is_err());
    }
}
