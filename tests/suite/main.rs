//! The integration suite, as one test binary: the crate, its dependencies and the loopback Discord
//! server are linked once instead of once per file, which is most of CI's build time.

#![allow(
    clippy::disallowed_methods,
    reason = "tests seed data at wall-clock times for bots on the wall clock"
)]

#[path = "../support/mod.rs"]
mod support;

mod banks;
mod bot;
mod cli;
mod engine;
mod eval;
mod faults;
mod harness;
mod judge;
mod review;
mod scoring;
mod settings;
mod shards;
mod store;
mod store_reviews;
