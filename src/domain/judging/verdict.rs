//! The model's reply, checked before anything uses it: one JSON object with a score of 0–100
//! and only the ids the question has. Anything else is rejected, and the built-in score stands.

use serde::{Deserialize, Serialize};

use super::request::{MAX_ADVICE_CHARS, concept_id, misconception_id};
use crate::domain::bank::Question;

/// A valid judgement of one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub score: u8,
    /// Concept ids (`C1`…).
    pub covered: Vec<String>,
    pub missed: Vec<String>,
    pub contradicted: Vec<String>,
    /// Misconception ids (`M1`…).
    pub misconceptions: Vec<String>,
    pub advice: String,
}

/// Why a reply was not used (the metrics' label, and the log's).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the reply is not the JSON object asked for: {0}")]
    Malformed(String),
    #[error("the reply's {0} is out of range")]
    OutOfRange(&'static str),
    #[error("the reply names `{0}`, which this question does not have")]
    UnknownId(String),
    #[error("the reply lists concept {0} as both covered and missed or contradicted")]
    Inconsistent(String),
}

impl Rejection {
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::Malformed(_) => "malformed",
            Rejection::OutOfRange(_) => "out_of_range",
            Rejection::UnknownId(_) => "unknown_id",
            Rejection::Inconsistent(_) => "inconsistent",
        }
    }
}

/// The reply as sent; every field required, so a missing one is malformed.
#[derive(Deserialize)]
struct Reply {
    score: f64,
    covered: Vec<String>,
    missed: Vec<String>,
    contradicted: Vec<String>,
    misconceptions: Vec<String>,
    advice: String,
}

/// The model's message `content` as a [`Verdict`] about `question`, or why not. A reply in a
/// Markdown code fence (servers without `response_format` often add one) is read inside it.
pub fn parse_verdict(question: &Question, content: &str) -> Result<Verdict, Rejection> {
    let text = unfence(content.trim());
    let reply: Reply =
        serde_json::from_str(text).map_err(|e| Rejection::Malformed(e.to_string()))?;
    if !reply.score.is_finite() || !(0.0..=100.0).contains(&reply.score) {
        return Err(Rejection::OutOfRange("score"));
    }
    let concepts: Vec<String> = (0..question.concepts.len()).map(concept_id).collect();
    let misconceptions: Vec<String> = (0..question.misconceptions.len())
        .map(misconception_id)
        .collect();
    let known = |ids: Vec<String>, of: &[String]| -> Result<Vec<String>, Rejection> {
        let mut out: Vec<String> = Vec::new();
        for id in ids {
            let id = id.trim().to_ascii_uppercase();
            if !of.contains(&id) {
                return Err(Rejection::UnknownId(id));
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    };
    let covered = known(reply.covered, &concepts)?;
    let missed = known(reply.missed, &concepts)?;
    let contradicted = known(reply.contradicted, &concepts)?;
    let misconceptions = known(reply.misconceptions, &misconceptions)?;
    if let Some(both) = covered
        .iter()
        .find(|c| missed.contains(c) || contradicted.contains(c))
    {
        return Err(Rejection::Inconsistent(both.clone()));
    }
    let advice = reply.advice.trim();
    if advice.chars().count() > MAX_ADVICE_CHARS * 2 {
        return Err(Rejection::OutOfRange("advice"));
    }
    Ok(Verdict {
        // 0.0–100.0 checked above: the cast cannot wrap.
        score: reply.score.round() as u8,
        covered,
        missed,
        contradicted,
        misconceptions,
        advice: advice.chars().take(MAX_ADVICE_CHARS).collect(),
    })
}

/// The inside of a ```json … ``` fence, or the text as it is.
fn unfence(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

impl Verdict {
    /// The names of the concepts behind `ids`, for feedback.
    pub fn concept_names<'q>(question: &'q Question, ids: &[String]) -> Vec<&'q str> {
        question
            .concepts
            .iter()
            .enumerate()
            .filter(|(i, _)| ids.contains(&concept_id(*i)))
            .map(|(_, c)| c.name.as_str())
            .collect()
    }

    /// The phrases of the misconceptions behind `ids`.
    pub fn misconception_phrases<'q>(question: &'q Question, ids: &[String]) -> Vec<&'q str> {
        question
            .misconceptions
            .iter()
            .enumerate()
            .filter(|(i, _)| ids.contains(&misconception_id(*i)))
            .map(|(_, m)| m.phrase.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::judging::request::tests::question;

    const VALID: &str = r#"{"score": 72, "covered": ["C1"], "missed": ["c2"], "contradicted": [],
        "misconceptions": ["M1"], "advice": "Say where callbacks wait."}"#;

    #[test]
    fn a_valid_reply_reads_with_ids_normalised() {
        let v = parse_verdict(&question(), VALID).unwrap();
        assert_eq!(v.score, 72);
        assert_eq!(v.missed, vec!["C2".to_string()]);
        assert_eq!(
            Verdict::concept_names(&question(), &v.covered),
            vec!["Call stack"]
        );
        assert_eq!(
            Verdict::misconception_phrases(&question(), &v.misconceptions),
            vec!["multi-threaded"]
        );
        let fenced = format!("```json\n{VALID}\n```");
        assert_eq!(parse_verdict(&question(), &fenced), Ok(v));
    }

    #[test]
    fn replies_outside_the_schema_are_rejected_with_their_reason() {
        let q = question();
        let cases = [
            ("not json", "malformed"),
            (r#"{"score": 50}"#, "malformed"),
            (
                r#"{"score": "high", "covered": [], "missed": [], "contradicted": [], "misconceptions": [], "advice": ""}"#,
                "malformed",
            ),
            (
                r#"{"score": 101, "covered": [], "missed": [], "contradicted": [], "misconceptions": [], "advice": ""}"#,
                "out_of_range",
            ),
            (
                r#"{"score": -1, "covered": [], "missed": [], "contradicted": [], "misconceptions": [], "advice": ""}"#,
                "out_of_range",
            ),
            (
                r#"{"score": 50, "covered": ["C3"], "missed": [], "contradicted": [], "misconceptions": [], "advice": ""}"#,
                "unknown_id",
            ),
            (
                r#"{"score": 50, "covered": [], "missed": [], "contradicted": [], "misconceptions": ["M2"], "advice": ""}"#,
                "unknown_id",
            ),
            (
                r#"{"score": 50, "covered": ["C1"], "missed": ["C1"], "contradicted": [], "misconceptions": [], "advice": ""}"#,
                "inconsistent",
            ),
        ];
        for (reply, reason) in cases {
            let got = parse_verdict(&q, reply).map_err(|e| e.reason());
            assert_eq!(got, Err(reason), "{reply}");
        }
    }

    #[test]
    fn a_verdict_survives_its_stored_form() {
        let v = parse_verdict(&question(), VALID).unwrap();
        let stored = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<Verdict>(&stored).unwrap(), v);
    }
}
