//! The question banks, kept by the app layer ([`crate::app::library`]); re-exported here for
//! the commands.

pub use crate::app::library::{Asked, Content, Library};
