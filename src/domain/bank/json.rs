//! Reading a bank from JSON: the same shape and the same checks as TOML, with a line in every
//! message.
//!
//! serde_json keeps no positions, so each leaf is first read as the raw JSON it was written as,
//! borrowed from the source; where that text starts in the source gives its line.

use std::ops::Range;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use toml::Spanned;

use super::parse::{
    Checker, RawBank, RawConcept, RawMeta, RawMisconception, RawQuestion, Text, finish,
};
use super::{Bank, BankError, Difficulty, Problem};

type Leaf<'a> = &'a RawValue;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonBank<'a> {
    #[serde(borrow)]
    bank: JsonMeta<'a>,
    #[serde(default, borrow)]
    question: Vec<JsonQuestion<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonMeta<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow)]
    version: Leaf<'a>,
    #[serde(borrow)]
    level: Leaf<'a>,
    #[serde(default, borrow)]
    description: Option<Leaf<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonQuestion<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    topic: Leaf<'a>,
    #[serde(borrow)]
    difficulty: Leaf<'a>,
    #[serde(borrow)]
    prompt: Leaf<'a>,
    #[serde(borrow)]
    reference: Leaf<'a>,
    #[serde(default, borrow)]
    hints: Vec<Leaf<'a>>,
    #[serde(default, borrow)]
    concept: Vec<JsonConcept<'a>>,
    #[serde(default, borrow)]
    misconception: Vec<JsonMisconception<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonConcept<'a> {
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(default, borrow)]
    phrases: Option<Leaf<'a>>,
    #[serde(default, borrow)]
    weight: Option<Leaf<'a>>,
    #[serde(default, borrow)]
    subject: Option<Leaf<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonMisconception<'a> {
    #[serde(borrow)]
    phrase: Leaf<'a>,
    #[serde(borrow)]
    why: Leaf<'a>,
    #[serde(default, borrow)]
    subject: Option<Leaf<'a>>,
}

/// Turns raw leaves into spanned values, reporting leaves of the wrong type.
struct Leaves<'s>(Checker<'s>);

impl Leaves<'_> {
    fn span(&self, raw: &RawValue) -> Range<usize> {
        // The leaf borrows from the source, so its address minus the source's is its offset.
        let start = (raw.get().as_ptr() as usize).wrapping_sub(self.0.source.as_ptr() as usize);
        if start > self.0.source.len() {
            return 0..0;
        }
        start..start + raw.get().len()
    }

    fn read<T: DeserializeOwned>(
        &mut self,
        raw: &RawValue,
        field: &str,
        expected: &str,
    ) -> Option<Spanned<T>> {
        let span = self.span(raw);
        match serde_json::from_str::<T>(raw.get()) {
            Ok(value) => Some(Spanned::new(span, value)),
            Err(_) => {
                self.0.report(span, field, format!("must be {expected}"));
                None
            }
        }
    }

    fn text(&mut self, raw: &RawValue, field: &str) -> Option<Text> {
        self.read(raw, field, "a string")
    }

    /// A JSON array of leaves, still borrowed from the source.
    fn read_borrowed<'a>(
        &mut self,
        raw: &'a RawValue,
        field: &str,
    ) -> Option<Spanned<Vec<&'a RawValue>>> {
        let span = self.span(raw);
        match serde_json::from_str::<Vec<&'a RawValue>>(raw.get()) {
            Ok(list) => Some(Spanned::new(span, list)),
            Err(_) => {
                self.0.report(span, field, "must be a list of strings");
                None
            }
        }
    }

    /// An optional list of strings: `Some(None)` when absent, `None` when it was malformed.
    fn text_list(
        &mut self,
        raw: Option<&RawValue>,
        field: &str,
    ) -> Option<Option<Spanned<Vec<Text>>>> {
        let Some(raw) = raw else {
            return Some(None);
        };
        let list = self.read_borrowed(raw, field)?;
        let span = list.span();
        self.texts(list.get_ref(), field)
            .map(|texts| Some(Spanned::new(span, texts)))
    }

    fn texts(&mut self, raws: &[&RawValue], field: &str) -> Option<Vec<Text>> {
        let read: Vec<Option<Text>> = raws
            .iter()
            .enumerate()
            .map(|(i, raw)| self.text(raw, &format!("{field}[{}]", i + 1)))
            .collect();
        read.into_iter().collect()
    }
}

impl Bank {
    /// Parse and validate a JSON bank (the TOML format's shape, as JSON). `file` names the
    /// source in error messages.
    pub fn from_json_str(file: &str, source: &str) -> Result<Bank, BankError> {
        let refuse = |problems: Vec<Problem>| BankError::Invalid {
            file: file.to_string(),
            problems,
        };
        let parsed: JsonBank<'_> = serde_json::from_str(source).map_err(|e| {
            let text = e.to_string();
            // serde_json appends " at line L column C"; the line goes in its own place.
            let message = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(m, _)| m);
            refuse(vec![Problem {
                line: (e.line() > 0).then_some(e.line()),
                field: "bank".into(),
                message: message.to_string(),
            }])
        })?;
        let mut leaves = Leaves(Checker {
            source,
            problems: Vec::new(),
        });
        let raw = convert(&mut leaves, &parsed);
        match raw {
            Some(raw) if leaves.0.problems.is_empty() => finish(file, source, raw),
            _ => Err(refuse(leaves.0.problems)),
        }
    }

    /// Parse a bank file by its name: `.json` as JSON, anything else as TOML; a name without a
    /// known extension is read as JSON when its text starts with `{`.
    pub fn from_file_text(file: &str, source: &str) -> Result<Bank, BankError> {
        let lower = file.to_ascii_lowercase();
        let json = lower.ends_with(".json")
            || (!lower.ends_with(".toml") && source.trim_start().starts_with('{'));
        if json {
            Bank::from_json_str(file, source)
        } else {
            Bank::from_toml_str(file, source)
        }
    }
}

/// Every leaf read with its span, or `None` when any leaf had the wrong type (all reported).
fn convert(l: &mut Leaves<'_>, b: &JsonBank<'_>) -> Option<RawBank> {
    let meta = (|| {
        Some(RawMeta {
            id: l.text(b.bank.id, "bank.id")?,
            name: l.text(b.bank.name, "bank.name")?,
            version: l.text(b.bank.version, "bank.version")?,
            level: l.text(b.bank.level, "bank.level")?,
            description: match b.bank.description {
                Some(d) => Some(l.text(d, "bank.description")?),
                None => None,
            },
        })
    })();
    let questions: Vec<Option<RawQuestion>> = b
        .question
        .iter()
        .enumerate()
        .map(|(i, q)| convert_question(l, q, &format!("question[{}]", i + 1)))
        .collect();
    Some(RawBank {
        bank: meta?,
        question: questions.into_iter().collect::<Option<_>>()?,
    })
}

fn convert_question(l: &mut Leaves<'_>, q: &JsonQuestion<'_>, label: &str) -> Option<RawQuestion> {
    let id = l.text(q.id, &format!("{label}.id"));
    let topic = l.text(q.topic, &format!("{label}.topic"));
    let difficulty = l.read::<Difficulty>(
        q.difficulty,
        &format!("{label}.difficulty"),
        "one of \"easy\", \"medium\", \"hard\"",
    );
    let prompt = l.text(q.prompt, &format!("{label}.prompt"));
    let reference = l.text(q.reference, &format!("{label}.reference"));
    let hints = l.texts(&q.hints, &format!("{label}.hints"));
    let concepts: Vec<Option<RawConcept>> = q
        .concept
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let field = format!("{label}.concept[{}]", k + 1);
            let name = l.text(c.name, &format!("{field}.name"));
            let phrases = l.text_list(c.phrases, &format!("{field}.phrases"));
            let weight = match c.weight {
                None => Some(None),
                Some(raw) => l
                    .read::<f64>(raw, &format!("{field}.weight"), "a number")
                    .map(Some),
            };
            let subject = l.text_list(c.subject, &format!("{field}.subject"));
            Some(RawConcept {
                name: name?,
                phrases: phrases?,
                weight: weight?,
                subject: subject?,
            })
        })
        .collect();
    let misconceptions: Vec<Option<RawMisconception>> = q
        .misconception
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let field = format!("{label}.misconception[{}]", k + 1);
            let phrase = l.text(m.phrase, &format!("{field}.phrase"));
            let why = l.text(m.why, &format!("{field}.why"));
            let subject = l.text_list(m.subject, &format!("{field}.subject"));
            Some(RawMisconception {
                phrase: phrase?,
                why: why?,
                subject: subject?,
            })
        })
        .collect();
    Some(RawQuestion {
        id: id?,
        topic: topic?,
        difficulty: difficulty?,
        prompt: prompt?,
        reference: reference?,
        hints: hints?,
        concept: concepts.into_iter().collect::<Option<_>>()?,
        misconception: misconceptions.into_iter().collect::<Option<_>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
  "bank": { "id": "tiny", "name": "Tiny", "version": "1", "level": "senior" },
  "question": [
    {
      "id": "tiny-one",
      "topic": "Performance",
      "difficulty": "medium",
      "prompt": "What is a heap snapshot?",
      "reference": "A heap snapshot records every object on the V8 heap.",
      "hints": ["Think of DevTools."],
      "concept": [{ "name": "V8 heap", "phrases": ["v8 heap", "heap"], "weight": 2 }]
    }
  ]
}"#;

    fn problems(source: &str) -> Vec<String> {
        match Bank::from_json_str("bank.json", source) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_good_json_bank_equals_the_same_bank_in_toml() {
        let json = Bank::from_json_str("bank.json", GOOD).unwrap();
        let toml = Bank::from_toml_str("bank.toml", super::super::parse::tests::GOOD).unwrap();
        assert_eq!(json, toml);
    }

    #[test]
    fn validation_problems_name_the_json_line() {
        let p = problems(&GOOD.replace("What is a heap snapshot?", "  "));
        assert_eq!(
            p,
            vec!["line 8: question[1] (tiny-one).prompt: must not be empty"]
        );
    }

    #[test]
    fn wrong_types_name_the_line_and_field() {
        let p = problems(
            &GOOD
                .replace("\"difficulty\": \"medium\"", "\"difficulty\": \"brutal\"")
                .replace("\"weight\": 2", "\"weight\": \"heavy\""),
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("line 7: question[1].difficulty: must be one of"));
        assert!(p[1].starts_with("line 11: question[1].concept[1].weight: must be a number"));
    }

    #[test]
    fn syntax_errors_and_unknown_fields_name_the_line() {
        let p = problems(&GOOD.replace("\"level\": \"senior\" }", "\"level\": \"senior\", }"));
        assert!(p[0].starts_with("line 2: bank:"), "{p:?}");
        let p = problems(&GOOD.replace("\"hints\"", "\"colour\": 1, \"hints\""));
        assert!(
            p[0].starts_with("line 10: bank: unknown field `colour`"),
            "{p:?}"
        );
    }

    #[test]
    fn the_file_name_chooses_the_format() {
        assert!(Bank::from_file_text("x.json", GOOD).is_ok());
        assert!(Bank::from_file_text("upload", GOOD).is_ok());
        let err = Bank::from_file_text("x.toml", GOOD).unwrap_err();
        assert!(err.to_string().starts_with("x.toml: line 1"), "{err}");
    }
}
