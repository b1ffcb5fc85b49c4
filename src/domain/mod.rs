//! The pure core: plain data in, decisions out. Nothing here reads the clock, draws random
//! numbers on its own, or knows about Discord or the database.

pub mod adaptive;
pub mod bank;
pub mod coaching;
pub mod copying;
pub mod digest;
pub mod hints;
pub mod judging;
pub mod period;
pub mod progress;
pub mod ranking;
pub mod retry;
pub mod review;
pub mod round;
pub mod schedule;
pub mod scoring;
pub mod skill;
pub mod stats;
pub mod streak;
pub mod timer;
