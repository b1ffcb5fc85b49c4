//! Question banks: the questions, their reference answers and what a good answer must mention.
//!
//! A bank is plain data. It is loaded from TOML (see [`parse`]) and validated as a whole: a bank
//! with any problem is refused, so a half-valid bank never reaches a server.

mod json;
mod parse;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use parse::{BankError, Problem};

/// Discord's limit on an embed description; prompts and references must fit one.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Concept names are shown in feedback lists and select menus.
pub const MAX_CONCEPT_NAME_CHARS: usize = 100;
/// Topics appear as slash-command choices, limited to 100 characters.
pub const MAX_TOPIC_CHARS: usize = 100;
/// A hint is shown in one embed field.
pub const MAX_HINT_CHARS: usize = 1024;
/// At most this many hints per question.
pub const MAX_HINTS: usize = 3;

/// A stable slug that names a question across bank versions (`node-cluster-module`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QuestionId(String);

impl QuestionId {
    /// Accepts 3–64 characters of lowercase ASCII letters, digits and inner dashes.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_chars = raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !(3..=64).contains(&raw.len()) {
            return Err(format!("id `{raw}` must be 3 to 64 characters long"));
        }
        if !ok_chars || raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return Err(format!(
                "id `{raw}` must be lowercase letters, digits and single dashes, like `node-cluster-module`"
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for QuestionId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<QuestionId> for String {
    fn from(id: QuestionId) -> Self {
        id.0
    }
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How hard a question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];

    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Easy => "Easy",
            Difficulty::Medium => "Medium",
            Difficulty::Hard => "Hard",
        }
    }
}

impl FromStr for Difficulty {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Difficulty::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown difficulty `{s}`: use easy, medium or hard"))
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An idea a good answer mentions, with the ways people say it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    /// Short name shown in feedback ("Heap snapshots").
    pub name: String,
    /// Alternative phrasings, synonyms, abbreviations and API names.
    pub phrases: Vec<String>,
    /// Relative importance (default 1).
    pub weight: f64,
    /// The entity the claim is about, in the ways people name it (`["exec", "exec()"]`); empty
    /// when the claim stands alone. With a subject, a phrase counts only in a clause that names
    /// it, and the same phrase in a clause naming another subject of the question (`spawn`
    /// where `exec` is meant) is a contradiction.
    pub subject: Vec<String>,
}

/// A wrong statement that costs points when an answer makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Misconception {
    pub phrase: String,
    /// Shown to the person who said it.
    pub why: String,
    /// As for [`Concept::subject`]: the misconception is stated only in a clause that names one
    /// of these ("spawn buffers the output"); empty when the phrase alone states it.
    pub subject: Vec<String>,
}

/// One interview question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: QuestionId,
    pub topic: String,
    pub difficulty: Difficulty,
    pub prompt: String,
    pub reference: String,
    /// Curated key concepts; empty means the scorer derives them from the reference answer.
    pub concepts: Vec<Concept>,
    pub misconceptions: Vec<Misconception>,
    /// From gentle to revealing.
    pub hints: Vec<String>,
}

/// What a bank says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankMeta {
    pub id: String,
    pub name: String,
    pub version: String,
    pub level: String,
    pub description: String,
}

/// A validated question bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bank {
    pub meta: BankMeta,
    pub questions: Vec<Question>,
}

/// Which questions a user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionFilter {
    pub topic: Option<String>,
    pub difficulty: Option<Difficulty>,
}

impl QuestionFilter {
    pub fn accepts(&self, q: &Question) -> bool {
        self.topic
            .as_ref()
            .is_none_or(|t| q.topic.eq_ignore_ascii_case(t.trim()))
            && self.difficulty.is_none_or(|d| q.difficulty == d)
    }
}

/// The default bank, compiled in so the binary works from any directory.
pub const SHIPPED_BANK_TOML: &str = include_str!("../../../data/banks/nodejs-senior.toml");
/// The file name the shipped bank is reported under.
pub const SHIPPED_BANK_FILE: &str = "data/banks/nodejs-senior.toml";

/// A bank compiled into the binary: the id it declares, the file it comes from and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// Its `bank.id` (a test checks the file says the same).
    pub id: &'static str,
    pub file: &'static str,
    pub toml: &'static str,
}

/// The default built-in bank ([`Bank::shipped`]), used wherever no bank is named.
pub const SHIPPED_BUILTIN: Builtin = Builtin {
    id: "nodejs-senior",
    file: SHIPPED_BANK_FILE,
    toml: SHIPPED_BANK_TOML,
};

/// Every built-in bank, by level from fresher to senior.
pub const BUILTIN_BANKS: [Builtin; 3] = [
    Builtin {
        id: "nodejs-fresher",
        file: "data/banks/nodejs-fresher.toml",
        toml: include_str!("../../../data/banks/nodejs-fresher.toml"),
    },
    Builtin {
        id: "nodejs-mid",
        file: "data/banks/nodejs-mid.toml",
        toml: include_str!("../../../data/banks/nodejs-mid.toml"),
    },
    SHIPPED_BUILTIN,
];

impl Builtin {
    /// The built-in bank with this id, in any case.
    pub fn find(id: &str) -> Option<&'static Builtin> {
        BUILTIN_BANKS
            .iter()
            .find(|b| b.id.eq_ignore_ascii_case(id.trim()))
    }

    /// The ids of all built-in banks, comma-separated, for messages.
    pub fn ids() -> String {
        BUILTIN_BANKS.map(|b| b.id).join(", ")
    }

    /// Parse and validate it (it is checked by the tests, so this fails only if they were
    /// skipped).
    pub fn load(&self) -> Result<Bank, BankError> {
        Bank::from_toml_str(self.file, self.toml)
    }
}

impl Bank {
    /// The default bank compiled into the binary (senior Node.js).
    pub fn shipped() -> Result<Self, BankError> {
        Self::from_toml_str(SHIPPED_BANK_FILE, SHIPPED_BANK_TOML)
    }

    /// Every bank compiled into the binary, in [`BUILTIN_BANKS`] order.
    pub fn builtin() -> Result<Vec<Self>, BankError> {
        BUILTIN_BANKS.iter().map(Builtin::load).collect()
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id.as_str() == id)
    }

    /// Distinct topics in bank order.
    pub fn topics(&self) -> Vec<&str> {
        let mut topics: Vec<&str> = Vec::new();
        for q in &self.questions {
            if !topics.contains(&q.topic.as_str()) {
                topics.push(&q.topic);
            }
        }
        topics
    }

    /// The canonical spelling of a topic the user typed in any case, if the bank has it.
    pub fn find_topic(&self, typed: &str) -> Option<&str> {
        self.topics()
            .into_iter()
            .find(|t| t.eq_ignore_ascii_case(typed.trim()))
    }

    pub fn filter<'a>(&'a self, filter: &'a QuestionFilter) -> impl Iterator<Item = &'a Question> {
        self.questions.iter().filter(|q| filter.accepts(q))
    }
}

impl Bank {
    /// Up to `count` distinct questions matching `filter`, in an order drawn from `rng`.
    pub fn pick<'a, R: rand::Rng + ?Sized>(
        &'a self,
        filter: &QuestionFilter,
        count: usize,
        rng: &mut R,
    ) -> Vec<&'a Question> {
        use rand::seq::SliceRandom as _;
        let mut pool: Vec<&Question> = self
            .questions
            .iter()
            .filter(|q| filter.accepts(q))
            .collect();
        pool.shuffle(rng);
        pool.truncate(count);
        pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_ids_are_slugs() {
        assert!(QuestionId::parse("node-cluster-module").is_ok());
        for bad in ["", "ab", "Node-X", "a--b", "-ab", "ab-", "a b c", "ünï"] {
            assert!(QuestionId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn difficulty_parses_any_case() {
        assert_eq!("HARD".parse::<Difficulty>(), Ok(Difficulty::Hard));
        assert!("extreme".parse::<Difficulty>().is_err());
    }
}
