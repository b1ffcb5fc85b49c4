//! Interview Bot: practise technical interviews in Discord or in the terminal.

pub mod cli;
pub mod domain;
pub mod store;
