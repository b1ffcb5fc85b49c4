//! Interview Bot: practise technical interviews in Discord or in the terminal.

pub mod app;
pub mod bot;
pub mod chart;
pub mod cli;
pub mod config;
pub mod domain;
pub mod judge_client;
pub mod ops;
pub mod store;
