//! What the scorer knows before it sees an answer: word rarity across the bank (idf) and each
//! question prepared once (phrases analysed into one vocabulary, reference weights computed).

use std::collections::{HashMap, HashSet};

use super::FastMap;
use super::matching::{Phrase, PhraseWord, PreparedPhrase, Vocabulary};
use super::text::{Analyzed, analyze};
use crate::domain::bank::{Bank, Question, QuestionId};

/// Words of the question prompt weigh this much in similarity and derived concepts:
/// repeating the question must earn (almost) nothing.
pub const PROMPT_WORD_FACTOR: f64 = 0.25;

/// Word rarity over a set of questions, plus every question prepared for scoring.
#[derive(Debug, Clone)]
pub struct Corpus {
    idf: FastMap<String, f64>,
    unseen_idf: f64,
    prepared: HashMap<QuestionId, PreparedQuestion>,
}

/// A concept ready to be looked for.
#[derive(Debug, Clone)]
pub struct PreparedConcept {
    pub name: String,
    pub weight: f64,
    pub phrases: Vec<PreparedPhrase>,
}

/// A misconception ready to be looked for.
#[derive(Debug, Clone)]
pub struct PreparedMisconception {
    pub phrase_text: String,
    pub why: String,
    pub phrase: PreparedPhrase,
}

/// What similarity needs of a stem the question uses (numbered by its [`Vocabulary`]).
#[derive(Debug, Clone, Default)]
struct Term {
    idf: f64,
    in_prompt: bool,
    /// Its weight in the reference answer's tf-idf vector, if the reference has it.
    reference: Option<f64>,
}

/// A question reduced to what scoring needs.
#[derive(Debug, Clone)]
pub struct PreparedQuestion {
    pub concepts: Vec<PreparedConcept>,
    /// True when the concepts were derived from the reference answer (no curated ones).
    pub derived: bool,
    pub misconceptions: Vec<PreparedMisconception>,
    /// The question's stems (prompt, reference, phrases) and the distinct phrase words.
    pub vocabulary: Vocabulary,
    /// By stem number.
    terms: Vec<Term>,
    /// Norm of the reference answer's tf-idf vector.
    pub reference_norm: f64,
    /// Number of content words in the reference answer.
    pub reference_len: usize,
    /// The prompt's content stems in order, as stem numbers, for spotting a pasted question.
    pub prompt_sequence: Vec<usize>,
}

/// tf-idf weight: sublinear term frequency, idf, prompt words damped.
fn weight(count: usize, idf: f64, in_prompt: bool) -> f64 {
    let damp = if in_prompt { PROMPT_WORD_FACTOR } else { 1.0 };
    (1.0 + (count as f64).ln()) * idf * damp
}

impl Corpus {
    /// Build idf over the questions (each question's prompt and reference is one document) and
    /// prepare each question.
    pub fn new(questions: &[Question]) -> Corpus {
        Corpus::with_background(questions, &[])
    }

    /// Like [`Corpus::new`], with `background` questions counted as documents for idf only.
    /// A small bank alone says little about which words are common (with two questions every
    /// word is "rare"); another bank's questions give the counts a base.
    pub fn with_background(questions: &[Question], background: &[Question]) -> Corpus {
        let mut df: HashMap<String, usize> = HashMap::new();
        for q in questions.iter().chain(background) {
            let doc = analyze(&format!("{}\n{}", q.prompt, q.reference));
            let stems: HashSet<&str> = doc.content().map(|w| doc.stem(w)).collect();
            for s in stems {
                *df.entry(s.to_string()).or_default() += 1;
            }
        }
        let n = (questions.len() + background.len()) as f64;
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

    /// The corpus a bank is scored with everywhere (bot and terminal alike): the shipped bank
    /// on its own; any other bank with the shipped bank as background.
    pub fn for_bank(bank: &Bank) -> Corpus {
        match Bank::shipped() {
            Ok(shipped) if shipped.meta.id != bank.meta.id => {
                Corpus::with_background(&bank.questions, &shipped.questions)
            }
            _ => Corpus::new(&bank.questions),
        }
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
        let reference = analyze(&q.reference);
        let mut vocabulary = Vocabulary::default();
        let prompt_sequence: Vec<usize> = prompt
            .content()
            .map(|w| vocabulary.stem_id(prompt.stem(w)))
            .collect();
        let reference_stems: Vec<usize> = reference
            .content()
            .map(|w| vocabulary.stem_id(reference.stem(w)))
            .collect();

        let derived = q.concepts.is_empty();
        let concepts = if derived {
            let prompt_stems: HashSet<&str> = prompt.content().map(|w| prompt.stem(w)).collect();
            self.derive_concepts(&reference, &prompt_stems, &mut vocabulary)
        } else {
            q.concepts
                .iter()
                .map(|c| {
                    let mut phrases: Vec<PreparedPhrase> = Vec::new();
                    for text in &c.phrases {
                        if let Some(p) = Phrase::from_analyzed(&analyze(text)) {
                            // The phrase as written first, so feedback quotes the fullest match.
                            phrases.push(vocabulary.prepare(&p));
                            for joined in p.joined_variants() {
                                phrases.push(vocabulary.prepare(&joined));
                            }
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
                    phrase: vocabulary.prepare(&phrase),
                })
            })
            .collect();

        // Every numbered stem gets its idf here, phrase-only ones too, saving a lookup per
        // answer word the question knows.
        let mut terms = vec![Term::default(); vocabulary.stem_count()];
        for (stem, id) in vocabulary.stems() {
            terms[id].idf = self.idf(stem);
        }
        for &t in &prompt_sequence {
            terms[t].in_prompt = true;
        }
        let mut counts = vec![0; terms.len()];
        for &t in &reference_stems {
            counts[t] += 1;
        }
        for (term, &count) in terms.iter_mut().zip(&counts) {
            if count > 0 {
                term.reference = Some(weight(count, term.idf, term.in_prompt));
            }
        }
        let reference_norm = terms
            .iter()
            .filter_map(|t| t.reference)
            .map(|x| x * x)
            .sum::<f64>()
            .sqrt();
        PreparedQuestion {
            concepts,
            derived,
            misconceptions,
            vocabulary,
            terms,
            reference_norm,
            reference_len: reference_stems.len(),
            prompt_sequence,
        }
    }

    /// Cosine between the tf-idf vectors of an answer's counted words (`stems`, by stem index
    /// into `a`) and of the question's reference answer; 0 when either is empty. `stem_ids` is
    /// [`Vocabulary::stem_ids_of`] for `a`.
    pub fn similarity(
        &self,
        q: &PreparedQuestion,
        a: &Analyzed,
        stem_ids: &[Option<usize>],
        stems: impl Iterator<Item = usize>,
    ) -> f64 {
        let mut counts = vec![0; a.stem_count()];
        for s in stems {
            counts[s] += 1;
        }
        let mut squares = 0.0;
        let mut dot = 0.0;
        for (s, &count) in counts.iter().enumerate().filter(|&(_, &c)| c > 0) {
            let (idf, in_prompt, reference) = match stem_ids[s] {
                Some(t) => (q.terms[t].idf, q.terms[t].in_prompt, q.terms[t].reference),
                // Every prompt stem is a term, so this word is not damped.
                None => (self.idf(a.stem_str(s)), false, None),
            };
            let x = weight(count, idf, in_prompt);
            if let Some(y) = reference {
                dot += x * y;
            }
            squares += x * x;
        }
        let norm = squares.sqrt();
        if norm == 0.0 || q.reference_norm == 0.0 {
            return 0.0;
        }
        (dot / (norm * q.reference_norm)).clamp(0.0, 1.0)
    }

    /// One concept per distinct reference word, weighted by rarity; words the prompt already
    /// says weigh little. Named by the word as the reference writes it.
    fn derive_concepts(
        &self,
        reference: &Analyzed,
        prompt_stems: &HashSet<&str>,
        vocabulary: &mut Vocabulary,
    ) -> Vec<PreparedConcept> {
        let mut seen = HashSet::new();
        reference
            .content()
            .filter(|w| seen.insert(reference.stem(w)))
            .map(|w| {
                let (stem, surface) = (reference.stem(w), reference.surface(w));
                let damp = if prompt_stems.contains(stem) {
                    PROMPT_WORD_FACTOR
                } else {
                    1.0
                };
                let phrase = Phrase {
                    words: vec![PhraseWord::new(stem.to_string(), surface.to_string())],
                };
                PreparedConcept {
                    name: surface.to_string(),
                    weight: self.idf(stem) * damp,
                    phrases: vec![vocabulary.prepare(&phrase)],
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bank::{Difficulty, QuestionId};

    fn question(id: &str, prompt: &str) -> Question {
        Question {
            id: QuestionId::parse(id).unwrap(),
            topic: "T".into(),
            difficulty: Difficulty::Easy,
            prompt: prompt.into(),
            reference: "Reference text.".into(),
            concepts: vec![],
            misconceptions: vec![],
            hints: vec![],
        }
    }

    fn stem(word: &str) -> String {
        let a = analyze(word);
        let w = a.content().next().unwrap();
        a.stem(w).to_string()
    }

    #[test]
    fn background_questions_tell_common_words_from_rare_ones_in_a_tiny_bank() {
        let bank = [question("one-q", "Explain the event loop phases")];
        let background: Vec<Question> = (0..5)
            .map(|i| question(&format!("bg-{i}"), "Explain the event emitter"))
            .collect();
        let alone = Corpus::new(&bank);
        assert_eq!(alone.idf(&stem("explain")), alone.idf(&stem("phases")));
        let based = Corpus::with_background(&bank, &background);
        assert!(based.idf(&stem("explain")) < based.idf(&stem("phases")));
        assert!(based.prepared(&bank[0].id).is_some());
        assert!(
            based.prepared(&background[0].id).is_none(),
            "only the bank is prepared"
        );
    }
}
