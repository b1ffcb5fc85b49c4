//! Use cases: what a command, a button or the terminal does, minus Discord and the terminal.
//! They join the pure domain with the store, through ports (the [`Store`](crate::store::Store)
//! and a [`Clock`]); `bot/` and `cli/` parse, call one of these, render and reply.

pub mod answer;
pub mod clock;

pub use answer::{AnswerError, Answering, Scored, score_and_record};
pub use clock::{Clock, ManualClock, SystemClock};
