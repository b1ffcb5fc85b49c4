//! Test-support code shared by the integration tests.
//!
//! Each integration test file that needs it declares `mod support;`. Not every test file uses
//! every helper, so dead code is expected here; and this is test code, so panicking on a broken
//! invariant (`unwrap`/`expect`) is the right way to fail. The loopback Discord stamps what it
//! records with the wall clock, as Discord does, so it may read `Utc::now()`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods
)]

pub mod bot_process;
pub mod discord;
pub mod http;
pub mod model_server;
pub mod postgres;
