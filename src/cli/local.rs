//! The terminal's own "server": practice from the command line is recorded under a local server
//! and member, so `leaderboard` and `stats` work without Discord.
#![allow(
    clippy::disallowed_methods,
    reason = "a one-shot terminal command runs on the wall clock"
)]

use anyhow::Context as _;
use chrono::Utc;

use crate::store::Store;

/// Discord snowflakes are never 0, so 0 cannot clash with a real server or user.
pub const LOCAL_SERVER: i64 = 0;
pub const LOCAL_USER: i64 = 0;

/// The name shown for the terminal user.
pub fn local_name() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "you".into())
}

pub async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("cannot open the database at {url}"))?;
    store
        .upsert_member(LOCAL_SERVER, LOCAL_USER, &local_name(), Utc::now())
        .await?;
    Ok(store)
}
