//! The optional AI judge's pure half: the mode a server chose ([`JudgeMode`]), what is sent to
//! the model ([`request`]: the prompt and the schema its reply must follow), the reply checked
//! against the question's own concept and misconception ids ([`verdict`]), and which of the two
//! scores counts ([`counting`]). No I/O: the app sends the request, the store keeps the result.

pub mod counting;
pub mod mode;
pub mod request;
pub mod verdict;

pub use counting::{Counted, CountedBy, counted};
pub use mode::JudgeMode;
pub use request::{ChatRequest, ReplyFormat, chat_request, concept_id, misconception_id};
pub use verdict::{Rejection, Verdict, parse_verdict};
