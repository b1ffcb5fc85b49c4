//! Reading a bank from TOML and checking every field, with file:line in every message.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Bank, BankMeta, Concept, Difficulty, MAX_CONCEPT_NAME_CHARS, MAX_HINT_CHARS, MAX_HINTS,
    MAX_TEXT_CHARS, MAX_TOPIC_CHARS, Misconception, Question, QuestionId,
};

/// One thing wrong with a bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    /// Where in the bank: `question[3] (node-x).prompt`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

/// Why a bank was refused. The whole bank is refused on any problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    #[error("{file}: {}", list(.problems))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
}

impl BankError {
    pub fn problems(&self) -> &[Problem] {
        match self {
            BankError::Invalid { problems, .. } => problems,
        }
    }
}

fn list(problems: &[Problem]) -> String {
    match problems {
        [one] => one.to_string(),
        many => {
            let mut s = format!("{} problems", many.len());
            for p in many {
                s.push_str("\n  - ");
                s.push_str(&p.to_string());
            }
            s
        }
    }
}

pub(super) type Text = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBank {
    pub(super) bank: RawMeta,
    #[serde(default)]
    pub(super) question: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub(super) id: Text,
    pub(super) name: Text,
    pub(super) version: Text,
    pub(super) level: Text,
    #[serde(default)]
    pub(super) description: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestion {
    pub(super) id: Text,
    pub(super) topic: Text,
    pub(super) difficulty: Spanned<Difficulty>,
    pub(super) prompt: Text,
    pub(super) reference: Text,
    #[serde(default)]
    pub(super) hints: Vec<Text>,
    #[serde(default)]
    pub(super) concept: Vec<RawConcept>,
    #[serde(default)]
    pub(super) misconception: Vec<RawMisconception>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConcept {
    pub(super) name: Text,
    #[serde(default)]
    pub(super) phrases: Option<Spanned<Vec<Text>>>,
    #[serde(default)]
    pub(super) weight: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) subject: Option<Spanned<Vec<Text>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMisconception {
    pub(super) phrase: Text,
    pub(super) why: Text,
    #[serde(default)]
    pub(super) subject: Option<Spanned<Vec<Text>>>,
}

/// Collects problems with line numbers while a raw bank is checked.
pub(super) struct Checker<'a> {
    pub(super) source: &'a str,
    pub(super) problems: Vec<Problem>,
}

impl Checker<'_> {
    pub(super) fn line_of(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    pub(super) fn report(&mut self, span: Range<usize>, field: &str, message: impl Into<String>) {
        let line = Some(self.line_of(span));
        self.problems.push(Problem {
            line,
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// A required text: trimmed, non-empty, within `max` characters.
    fn text(&mut self, value: &Text, field: &str, max: usize) -> String {
        let trimmed = value.get_ref().trim();
        if trimmed.is_empty() {
            self.report(value.span(), field, "must not be empty");
        } else if trimmed.chars().count() > max {
            self.report(
                value.span(),
                field,
                format!(
                    "is {} characters; the limit is {max}",
                    trimmed.chars().count()
                ),
            );
        }
        trimmed.to_string()
    }
}

impl Bank {
    /// Parse and validate a TOML bank. `file` names the source in error messages.
    pub fn from_toml_str(file: &str, source: &str) -> Result<Bank, BankError> {
        let raw: RawBank = toml::from_str(source).map_err(|e| {
            let mut checker = Checker {
                source,
                problems: Vec::new(),
            };
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => checker.report(span, "bank", message),
                None => checker.problems.push(Problem {
                    line: None,
                    field: "bank".into(),
                    message,
                }),
            }
            BankError::Invalid {
                file: file.to_string(),
                problems: checker.problems,
            }
        })?;
        finish(file, source, raw)
    }
}

/// Validate a parsed bank; `source` is the text its spans point into.
pub(super) fn finish(file: &str, source: &str, raw: RawBank) -> Result<Bank, BankError> {
    let mut checker = Checker {
        source,
        problems: Vec::new(),
    };
    let bank = validate(&mut checker, raw);
    if checker.problems.is_empty() {
        Ok(bank)
    } else {
        Err(BankError::Invalid {
            file: file.to_string(),
            problems: checker.problems,
        })
    }
}

pub(super) fn validate(c: &mut Checker<'_>, raw: RawBank) -> Bank {
    let meta = BankMeta {
        id: c.text(&raw.bank.id, "bank.id", 64),
        name: c.text(&raw.bank.name, "bank.name", 100),
        version: c.text(&raw.bank.version, "bank.version", 32),
        level: c.text(&raw.bank.level, "bank.level", 32),
        description: raw
            .bank
            .description
            .as_ref()
            .map(|d| c.text(d, "bank.description", 1000))
            .unwrap_or_default(),
    };
    if raw.question.is_empty() {
        c.problems.push(Problem {
            line: None,
            field: "question".into(),
            message: "the bank has no questions; add at least one [[question]] table".into(),
        });
    }
    let mut seen = HashSet::new();
    let mut questions = Vec::with_capacity(raw.question.len());
    for (i, q) in raw.question.iter().enumerate() {
        let label = format!("question[{}] ({})", i + 1, q.id.get_ref().trim());
        let id = match QuestionId::parse(q.id.get_ref().trim()) {
            Ok(id) => {
                if !seen.insert(id.clone()) {
                    c.report(
                        q.id.span(),
                        &format!("{label}.id"),
                        format!("duplicate id `{id}`"),
                    );
                }
                id
            }
            Err(message) => {
                c.report(q.id.span(), &format!("{label}.id"), message);
                continue;
            }
        };
        let topic = c.text(&q.topic, &format!("{label}.topic"), MAX_TOPIC_CHARS);
        let prompt = c.text(&q.prompt, &format!("{label}.prompt"), MAX_TEXT_CHARS);
        let reference = c.text(&q.reference, &format!("{label}.reference"), MAX_TEXT_CHARS);
        if q.hints.len() > MAX_HINTS {
            c.report(
                q.hints[MAX_HINTS].span(),
                &format!("{label}.hints"),
                format!("has {} hints; at most {MAX_HINTS}", q.hints.len()),
            );
        }
        let hints = q
            .hints
            .iter()
            .enumerate()
            .map(|(h, hint)| c.text(hint, &format!("{label}.hints[{}]", h + 1), MAX_HINT_CHARS))
            .collect();
        let concepts = q
            .concept
            .iter()
            .enumerate()
            .map(|(k, concept)| {
                validate_concept(c, concept, &format!("{label}.concept[{}]", k + 1))
            })
            .collect();
        let misconceptions = q
            .misconception
            .iter()
            .enumerate()
            .map(|(k, m)| {
                let field = format!("{label}.misconception[{}]", k + 1);
                Misconception {
                    phrase: c.text(&m.phrase, &format!("{field}.phrase"), 200),
                    why: c.text(&m.why, &format!("{field}.why"), MAX_HINT_CHARS),
                    subject: c.subject(m.subject.as_ref(), &field),
                }
            })
            .collect();
        questions.push(Question {
            id,
            topic,
            difficulty: *q.difficulty.get_ref(),
            prompt,
            reference,
            concepts,
            misconceptions,
            hints,
        });
    }
    Bank { meta, questions }
}

fn validate_concept(c: &mut Checker<'_>, raw: &RawConcept, field: &str) -> Concept {
    let name = c.text(&raw.name, &format!("{field}.name"), MAX_CONCEPT_NAME_CHARS);
    let listed: &[Text] = raw.phrases.as_ref().map_or(&[], |p| p.get_ref());
    if listed.is_empty() {
        let span = raw.phrases.as_ref().map_or(raw.name.span(), Spanned::span);
        c.report(
            span,
            &format!("{field}.phrases"),
            "a concept needs at least one phrasing",
        );
    }
    let phrases = listed
        .iter()
        .enumerate()
        .map(|(k, p)| c.text(p, &format!("{field}.phrases[{}]", k + 1), 200))
        .collect();
    let weight = match &raw.weight {
        None => 1.0,
        Some(w) => {
            let value = *w.get_ref();
            if !(value.is_finite() && value > 0.0 && value <= 10.0) {
                c.report(
                    w.span(),
                    &format!("{field}.weight"),
                    format!("is {value}; use a number above 0 and at most 10"),
                );
            }
            value
        }
    };
    let subject = c.subject(raw.subject.as_ref(), field);
    Concept {
        name,
        phrases,
        weight,
        subject,
    }
}

impl Checker<'_> {
    /// A subject list: optional, but when given, non-empty names of at most 100 characters.
    fn subject(&mut self, raw: Option<&Spanned<Vec<Text>>>, field: &str) -> Vec<String> {
        let Some(list) = raw else {
            return Vec::new();
        };
        if list.get_ref().is_empty() {
            self.report(
                list.span(),
                &format!("{field}.subject"),
                "is empty; name the entity the claim is about (like [\"exec\"]) or leave `subject` out",
            );
        }
        list.get_ref()
            .iter()
            .enumerate()
            .map(|(k, s)| self.text(s, &format!("{field}.subject[{}]", k + 1), 100))
            .collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Shared with the JSON loader's tests, which check they read the same bank.
    pub(in super::super) const GOOD: &str = r#"
[bank]
id = "tiny"
name = "Tiny"
version = "1"
level = "senior"

[[question]]
id = "tiny-one"
topic = "Performance"
difficulty = "medium"
prompt = "What is a heap snapshot?"
reference = "A heap snapshot records every object on the V8 heap."
hints = ["Think of DevTools."]

[[question.concept]]
name = "V8 heap"
phrases = ["v8 heap", "heap"]
weight = 2
"#;

    fn problems(source: &str) -> Vec<Problem> {
        match Bank::from_toml_str("bank.toml", source) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        }
    }

    #[test]
    fn a_good_bank_loads() {
        let bank = Bank::from_toml_str("bank.toml", GOOD).unwrap();
        assert_eq!(bank.questions.len(), 1);
        assert_eq!(bank.questions[0].concepts[0].weight, 2.0);
        assert_eq!(bank.questions[0].difficulty, Difficulty::Medium);
    }

    #[test]
    fn unknown_fields_name_the_line() {
        let bad = GOOD.replace("hints =", "colour = \"red\"\nhints =");
        let p = problems(&bad);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(14));
        assert!(p[0].message.contains("colour"), "{}", p[0].message);
    }

    #[test]
    fn duplicate_ids_empty_texts_and_bare_concepts_are_all_reported() {
        let mut bad = GOOD.to_string();
        bad.push_str(
            r#"
[[question]]
id = "tiny-one"
topic = "Performance"
difficulty = "hard"
prompt = "   "
reference = "Something."

[[question.concept]]
name = "Nothing"
phrases = []
"#,
        );
        let p = problems(&bad);
        let text: Vec<String> = p.iter().map(ToString::to_string).collect();
        assert_eq!(p.len(), 3, "{text:#?}");
        assert!(text[0].starts_with("line 22:") && text[0].contains("duplicate id"));
        assert!(text[1].starts_with("line 25:") && text[1].contains("prompt: must not be empty"));
        assert!(
            text[2].contains("concept[1].phrases") && text[2].contains("at least one phrasing")
        );
    }

    #[test]
    fn texts_over_discord_limits_are_refused() {
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let bad = GOOD.replace("What is a heap snapshot?", &long);
        let p = problems(&bad);
        assert!(p[0].message.contains("limit is 4096"), "{p:?}");
        let bad = GOOD.replace(
            "name = \"V8 heap\"",
            &format!("name = \"{}\"", "n".repeat(101)),
        );
        assert!(problems(&bad)[0].field.ends_with("concept[1].name"));
    }

    #[test]
    fn syntax_errors_and_bad_difficulty_name_the_line() {
        let p = problems(&GOOD.replace("difficulty = \"medium\"", "difficulty = \"brutal\""));
        assert_eq!(p[0].line, Some(11), "{p:?}");
        let p = problems("[bank]\nid = \"x\"\nname = \n");
        assert_eq!(p[0].line, Some(3), "{p:?}");
    }

    #[test]
    fn bad_weight_and_too_many_hints() {
        let bad = GOOD.replace("weight = 2", "weight = -1").replace(
            "hints = [\"Think of DevTools.\"]",
            "hints = [\"a\", \"b\", \"c\", \"d\"]",
        );
        let p = problems(&bad);
        assert_eq!(p.len(), 2, "{p:?}");
    }

    #[test]
    fn error_message_names_the_file() {
        let err = Bank::from_toml_str("my-bank.toml", "nonsense").unwrap_err();
        assert!(err.to_string().starts_with("my-bank.toml: line 1"), "{err}");
    }
}
