//! The integration suite, as one test binary: the crate, its dependencies and the loopback Discord
//! server are linked once instead of once per file, which is most of CI's build time.

#![allow(
    clippy::disallowed_methods,
    reason = "tests seed data at wall-clock times for bots on the wall clock"
)]

#[path = "../support/mod.rs"]
mod support;

/// Each named test of a module, once per engine: `sqlite::name` and `postgres::name`, each
/// calling `name(Db::Sqlite)` or `name(Db::Postgres)` of the module (which defines its `Db`).
/// The PostgreSQL ones are ignored where no server can be had.
macro_rules! on_both_engines {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Db::Sqlite).await
            })+
        }
        mod postgres {
            $(#[tokio::test]
            #[cfg_attr(not(ib_postgres), ignore = "no PostgreSQL server here: set IB_TEST_POSTGRES_URL or install PostgreSQL (initdb)")]
            async fn $name() {
                super::$name(super::Db::Postgres).await
            })+
        }
    };
}

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
