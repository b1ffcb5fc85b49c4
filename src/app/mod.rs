//! Use cases: what a command, a button, the timer or the terminal does, minus Discord and the
//! terminal. They join the pure domain with the store, through ports (the
//! [`Store`](crate::store::Store), a [`Clock`] and the [`Outbound`] Discord port); `bot/` and
//! `cli/` parse, call one of these, render and reply.

pub mod answer;
pub mod clock;
pub mod coaching;
pub mod digest;
pub mod drops;
pub mod engine;
pub mod judge;
pub mod library;
pub mod outbound;
pub mod practice;
pub mod review;
pub mod rounds;
pub mod text;
pub mod timer;

pub use answer::{AnswerError, Answering, Scored, score_and_record};
pub use clock::{Clock, ManualClock, SystemClock};
pub use engine::{Engine, StepError};
pub use outbound::{Embed, Outbound, OutboundError, Outgoing, RecordingOutbound, Sent};
