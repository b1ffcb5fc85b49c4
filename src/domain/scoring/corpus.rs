//! What the scorer knows before it sees an answer: word rarity across the bank (idf) and each
//! question prepared once (phrases analysed, reference vector built).

use std::collections::{HashMap, HashSet};

use super::matching::Phrase;
use super::text::analyze;
use crate::domain::bank::{Question, QuestionId};

/// Words of the question prompt weigh this much in similarity and derived concepts:
/// repeating the question must earn (almost) nothing.
pub const PROMPT_WORD_FACTOR: f64 = 0.25;

/// Word rarity over a set of questions, plus every question prepared for scoring.
#[derive(Debug, Clone)]
pub struct Corpus {
    idf: HashMap<String, f64>,
    unseen_idf: f64,
    prepared: HashMap<QuestionId, PreparedQuestion>,
}

/// A concept ready to be looked for.
#[derive(Debug, Clone)]
pub struct PreparedConcept {
    pub name: String,
    pub weight: f64,
    pub phrases: Vec<Phrase>,
}

/// A misconception ready to be looked for.
#[derive(Debug, Clone)]
pub struct PreparedMisconception {
    pub phrase_text: String,
    pub why: String,
    pub phrase: Phrase,
}

/// A question reduced to what scoring needs.
#[derive(Debug, Clone)]
pub struct PreparedQuestion {
    pub concepts: Vec<PreparedConcept>,
    /// True when the concepts were derived from the reference answer (no curated ones).
    pub derived: bool,
    pub misconceptions: Vec<PreparedMisconception>,
    /// tf-idf vector of the reference answer, by stem, and its norm.
    pub reference_vector: HashMap<String, f64>,
    pub reference_norm: f64,
    /// Number of content words in the reference answer.
    pub reference_len: usize,
    pub prompt_stems: HashSet<String>,
    /// The prompt's content stems in order, for spotting a pasted question.
    pub prompt_sequence: Vec<String>,
}

impl Corpus {
    /// Build idf over the questions (each question's prompt and reference is one document) and
    /// prepare each question.
    pub fn new(questions: &[Question]) -> Corpus {
        let mut df: HashMap<String, usize> = HashMap::new();
        for q in questions {
            let doc = format!("{}\n{}", q.prompt, q.reference);
            let stems: HashSet<String> = analyze(&doc).content().map(|w| w.stem.clone()).collect();
            for s in stems {
                *df.entry(s).or_default() += 1;
            }
        }
        let n = questions.len() as f64;
        let idf_of = |df: usize| ((n + 1.0) / (df as f64 + 1.0)).ln() + 1.0;
        let idf = df.into_iter().map(|(s, d)| (s, idf_of(d))).collect();
        let mut corpus = Corpus {
            idf,
            unseen_idf: idf_of(0),
            prepared: HashMap::new(),
        };
        for q in questions {
            let prepared = corpus.prepare(q);
            corpus.prepared.insert(q.id.clone(), prepared);
        }
        corpus
    }

    pub fn idf(&self, stem: &str) -> f64 {
        self.idf.get(stem).copied().unwrap_or(self.unseen_idf)
    }

    /// The prepared form of a question in this corpus, if it was built with it.
    pub fn prepared(&self, id: &QuestionId) -> Option<&PreparedQuestion> {
        self.prepared.get(id)
    }

    /// Prepare a question (also for questions the corpus was not built from).
    pub fn prepare(&self, q: &Question) -> PreparedQuestion {
        let prompt = analyze(&q.prompt);
        let prompt_sequence: Vec<String> = prompt.content().map(|w| w.stem.clone()).collect();
        let prompt_stems: HashSet<String> = prompt_sequence.iter().cloned().collect();
        let reference = analyze(&q.reference);
        let reference_stems: Vec<&str> = reference.content().map(|w| w.stem.as_str()).collect();
        let reference_vector = self.vector(reference_stems.iter().copied(), &prompt_stems);
        let reference_norm = norm(&reference_vector);

        let derived = q.concepts.is_empty();
        let concepts = if derived {
            self.derive_concepts(&reference, &prompt_stems)
        } else {
            q.concepts
                .iter()
                .map(|c| {
                    let mut phrases: Vec<Phrase> = Vec::new();
                    for text in &c.phrases {
                        if let Some(p) = Phrase::from_analyzed(&analyze(text)) {
                            // The phrase as written first, so feedback quotes the fullest match.
                            let joined = p.joined_variants();
                            phrases.push(p);
                            phrases.extend(joined);
                        }
                    }
                    PreparedConcept {
                        name: c.name.clone(),
                        weight: c.weight,
                        phrases,
                    }
                })
                .collect()
        };
        let misconceptions = q
            .misconceptions
            .iter()
            .filter_map(|m| {
                Phrase::from_analyzed(&analyze(&m.phrase)).map(|phrase| PreparedMisconception {
                    phrase_text: m.phrase.clone(),
                    why: m.why.clone(),
                    phrase,
                })
            })
            .collect();
        PreparedQuestion {
            concepts,
            derived,
            misconceptions,
            reference_vector,
            reference_norm,
            reference_len: reference_stems.len(),
            prompt_stems,
            prompt_sequence,
        }
    }

    /// tf-idf vector: sublinear term frequency, idf, prompt words damped.
    pub fn vector<'s>(
        &self,
        stems: impl Iterator<Item = &'s str>,
        prompt_stems: &HashSet<String>,
    ) -> HashMap<String, f64> {
        let mut tf: HashMap<&str, usize> = HashMap::new();
        for s in stems {
            *tf.entry(s).or_default() += 1;
        }
        tf.into_iter()
            .map(|(s, count)| {
                let damp = if prompt_stems.contains(s) {
                    PROMPT_WORD_FACTOR
                } else {
                    1.0
                };
                (
                    s.to_string(),
                    (1.0 + (count as f64).ln()) * self.idf(s) * damp,
                )
            })
            .collect()
    }

    /// One concept per distinct reference word, weighted by rarity; words the prompt already
    /// says weigh little. Named by the word as the reference writes it.
    fn derive_concepts(
        &self,
        reference: &super::text::Analyzed,
        prompt_stems: &HashSet<String>,
    ) -> Vec<PreparedConcept> {
        let mut seen = HashSet::new();
        reference
            .content()
            .filter(|w| seen.insert(w.stem.clone()))
            .map(|w| {
                let damp = if prompt_stems.contains(&w.stem) {
                    PROMPT_WORD_FACTOR
                } else {
                    1.0
                };
                PreparedConcept {
                    name: w.surface.clone(),
                    weight: self.idf(&w.stem) * damp,
                    phrases: vec![Phrase {
                        words: vec![super::matching::PhraseWord::new(
                            w.stem.clone(),
                            w.surface.clone(),
                        )],
                    }],
                }
            })
            .collect()
    }
}

pub fn norm(v: &HashMap<String, f64>) -> f64 {
    v.values().map(|x| x * x).sum::<f64>().sqrt()
}

/// Cosine of two sparse vectors; 0 when either is empty.
pub fn cosine(a: &HashMap<String, f64>, a_norm: f64, b: &HashMap<String, f64>, b_norm: f64) -> f64 {
    if a_norm == 0.0 || b_norm == 0.0 {
        return 0.0;
    }
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let dot: f64 = small
        .iter()
        .filter_map(|(k, x)| large.get(k).map(|y| x * y))
        .sum();
    (dot / (a_norm * b_norm)).clamp(0.0, 1.0)
}
