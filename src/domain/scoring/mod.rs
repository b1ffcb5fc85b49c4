//! Scoring a free-text answer against a question: explainable, deterministic, pure.
//!
//! # The formula
//!
//! ```text
//! coverage   = Σ weightᵢ · creditᵢ / Σ weightᵢ   creditᵢ: covered 1, partly 0.5, missed or contradicted 0
//! similarity = a·r / (|r| · n),  n = |a| if |a| ≤ |r|, else √(|a|·|r|)
//!              a, r: tf-idf vectors of answer and reference; prompt words weigh 0.25; a word in the
//!              other polarity than the reference's ("blocks" / "does not block") counts 0.5, and
//!              so does a synonym of a reference word (`synonyms.rs`); an answer longer than the
//!              reference is not charged the full cosine's length penalty
//! mixed      = W_COVERAGE · coverage + W_SIMILARITY · min(1, similarity / SIMILARITY_FOR_FULL)
//!              (0.5 and 0.5; a similarity of 0.4 already counts as fully similar)
//! content    = max(0, (mixed − CONTENT_THRESHOLD) / (1 − CONTENT_THRESHOLD))      (0.05)
//! prose      = min( function-word ratio / FLUENT_RATIO (0.2),  share of words in sentences / PROSE_SHARE )
//!              within 0..1 (PROSE_SHARE 0.5); a sentence is 5+ words between commas or line breaks
//! fluency    = FLUENCY_FLOOR + (1 − FLUENCY_FLOOR) · prose          (0.6 + 0.4 · prose)
//! brevity    = min(1, answer words / (BRIEF_SHARE · reference words)) ^ BREVITY_EXPONENT
//! focus      = min(1, relevance / RELEVANT_SHARE) ^ RELEVANCE_EXPONENT          (0.6 and 3)
//! wrong      = MISCONCEPTION_SHARE · misconceptions + CONTRADICTION_SHARE · contradicted weight share
//!              (0.35 each, 1.0)
//! total      = clamp(100 · content^0.5 · fluency · brevity · focus · max(0, 1 − wrong), 0, 100)
//!              at most SALAD_CAP (40) for a keyword salad
//! ```
//!
//! * Concepts are the bank's curated key ideas; a question without them gets one concept per
//!   distinct reference word, weighted by idf (rare words matter, common ones barely).
//! * Polarity (`polarity.rs`): a concept said inside a negation's scope, or (with a `subject`) said
//!   of another thing the question contrasts (`roles.rs`), is *contradicted*: it earns nothing and
//!   costs its weight share. A plain phrase takes the polarity the reference states it with. A
//!   derived concept (one reference word) said in the other polarity is only partly there: one
//!   word inside a negation's scope ("no limit to the number") is no denied claim.
//!   What a sentence professing not to know mentions counts neither way (`hedged`).
//! * Synonyms (`synonyms.rs`, WordNet): an affirmed synonym of a derived concept's word partly
//!   covers it ("infinite" for "unlimited"); it never contradicts, and curated concepts list their
//!   own phrasings. Number words match their digits ("one element", "1 element").
//! * Relevance ([`Corpus::relevance`]): the share of the answer in sentences about this question
//!   rather than another question of the corpus; an answer of 20+ words that as a whole belongs
//!   to another question has relevance 0. Covering the reference is not enough on its own.
//! * Words copied from the question in runs (the prompt pasted back) are removed before anything
//!   is counted, and prompt words weigh little in similarity: repeating the question earns nothing.
//!   An answer that restates the question and then answers it keeps what its own words earn.
//! * Repetition earns nothing either: coverage counts a concept once, similarity uses `1 + ln tf`.
//! * A bare list of keywords has almost no function words ("the", "with", "because") or comes in
//!   short comma- or line-separated fragments, so its fluency factor drops towards
//!   [`FLUENCY_FLOOR`]; a text of [`SALAD_MIN_WORDS`]+ words with under [`SALAD_FUNCTION_SHARE`]
//!   of them grammatical is a keyword salad, flagged and capped at [`SALAD_CAP`].
//!
//! Longer than 600 lines on purpose: the formula above, `score_prepared` and the steps it calls
//! in order, and the feedback built from their results read as one argument and change together;
//! every idea that stands alone (matching, polarity, reversal, roles, synonyms, meaning) has its
//! own file.

mod antonyms;
mod corpus;
pub mod embedding;
mod matching;
pub mod meaning;
mod polarity;
mod reversal;
mod roles;
mod sorted_lines;
mod synonyms;
pub mod text;
mod wordnet;
mod wordpiece;

use serde::Serialize;

pub use corpus::{AnswerStems, Corpus, PreparedQuestion, SentenceTopic};
use matching::{AnswerIndex, PhraseMatch, Token, Window, content_tokens};
use roles::Roles;
use text::{Analyzed, analyze};

use crate::domain::bank::Question;

/// Hash map for the short words scoring looks up for every answer word: std's SipHash costs more
/// than the rest of such a lookup. foldhash is several times faster and still seeded per process,
/// so colliding words cannot be prepared in advance (answers are capped at 100 KB too).
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Which parts of the judge are on. All are, except where `eval` turns one off to report what it
/// adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Meaning from the embedding table: similarity, soft recall, sentence alignment.
    pub embeddings: bool,
    /// WordNet synonyms of reference words.
    pub synonyms: bool,
    /// Denied or reversed claims cost points.
    pub contradiction: bool,
}

impl Default for Parts {
    fn default() -> Self {
        Parts {
            embeddings: true,
            synonyms: true,
            contradiction: true,
        }
    }
}

/// Share of the score that comes from meaning (embeddings) rather than words. On the tuning data
/// (Mohler 1–6, SAF training) agreement with graders was flat from 0.4 to 0.6; the low end keeps
/// what an answer to another question earns by meaning alone smallest.
pub const W_MEANING: f64 = 0.4;
/// Within meaning, the share of soft recall (the reference's content said token by token); the
/// rest is the whole answer's closeness to the whole reference.
pub const SOFT_RECALL_SHARE: f64 = 0.75;
/// Soft recall an unrelated text reaches by chance (any token is somewhat close to some other):
/// meaning counts from here.
pub const SOFT_RECALL_CHANCE: f64 = 0.25;
/// Whole-text closeness two unrelated texts of one subject reach by chance.
pub const SEMANTIC_CHANCE: f64 = 0.4;

/// Meaning counts in full once this share of an answer's content words are dictionary words or
/// words of the question.
pub const KNOWN_FOR_MEANING: f64 = 0.5;

/// Share of the content score that comes from concept coverage.
pub const W_COVERAGE: f64 = 0.5;
/// Share of the content score that comes from similarity to the reference answer.
pub const W_SIMILARITY: f64 = 0.5;
/// A cosine this high already counts as fully similar: two good answers written independently
/// rarely share more of their weighted vocabulary than this.
pub const SIMILARITY_FOR_FULL: f64 = 0.4;
/// Graders give a half-complete answer well more than half the marks: content is mapped through a
/// concave curve (content^0.5) before the factors apply.
pub const CONTENT_EXPONENT: f64 = 0.5;
/// Content below this share is what an unrelated text shares with any reference by chance (a
/// common word, a stray partial match): the curve starts from zero here, so the concave curve
/// does not lift it.
pub const CONTENT_THRESHOLD: f64 = 0.05;
/// Function-word ratio from which text reads as prose.
pub const FLUENT_RATIO: f64 = 0.2;
/// Share of words in sentences (not short list items) from which text reads as prose.
pub const PROSE_SHARE: f64 = 0.5;
/// Fluency factor of a bare keyword list. A list of the right ideas is still an answer (graders
/// mark bullet points and references are often lists); keyword salads are capped separately.
pub const FLUENCY_FLOOR: f64 = 0.6;
/// An answer this fraction of the reference's length (in content words) is long enough.
pub const BRIEF_SHARE: f64 = 0.3;
/// How gently a short answer is discounted.
pub const BREVITY_EXPONENT: f64 = 0.5;
/// Share of the score lost per misconception stated: a wrong claim undoes right ones.
pub const MISCONCEPTION_SHARE: f64 = 0.35;
/// Share of the score lost per share of the answer's claims contradicted (concepts by weight,
/// reference sentences by length). Above 1: the words of a reversed claim still earn coverage
/// and meaning, and a claim stated the wrong way is worse than one left out. 1.5 cost the
/// tuning data (SAF training) 0.001 of r against 1.0, and brought 13 more of the 176
/// contradiction fixtures under 50; 2.0 cost 0.003 and put a paraphrase under 60.
pub const CONTRADICTION_SHARE: f64 = 1.5;
/// An answer with at least this share of its words about the question is fully on topic.
pub const RELEVANT_SHARE: f64 = 0.6;
/// How steeply an answer padded with other material loses points.
pub const RELEVANCE_EXPONENT: f64 = 3.0;
/// A text of at least this many words ...
pub const SALAD_MIN_WORDS: usize = 15;
/// ... with fewer grammatical words than this share of them is a keyword salad (prose has
/// 0.3–0.5; a salad of concept phrases, even phrases carrying their own "the" and "of", stays
/// below 0.15) ...
pub const SALAD_FUNCTION_SHARE: f64 = 0.17;
/// ... and scores at most this, however much it covers.
pub const SALAD_CAP: u8 = 40;
/// Credit for a concept only partly named.
const PARTIAL_CREDIT: f64 = 0.5;
/// An answer that is mostly the question restated is "copied" only if what it adds covers less
/// than this: "The address operator returns the memory address of its operand" restates the
/// question and then answers it.
const COPIED_MAX_COVERAGE: f64 = 0.1;
/// A run of this many prompt words in a row (or the whole prompt, if shorter) counts as copied.
const COPIED_RUN: usize = 5;
/// Fewer content words than this is "too short" to be an answer.
const MIN_CONTENT_WORDS: usize = 4;
/// Quotes of matched text are cut to this many characters.
const QUOTE_CHARS: usize = 80;

/// How a concept fared in an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    Covered,
    Partial,
    Missed,
    /// The answer denies the concept or says it of the wrong thing: it earns nothing and costs
    /// points.
    Contradicted,
}

/// One concept's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptResult {
    pub name: String,
    pub weight: f64,
    pub coverage: Coverage,
    /// The answer text that matched, quoted.
    pub matched: Option<String>,
}

/// A misconception the answer stated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MisconceptionHit {
    pub phrase: String,
    pub why: String,
    pub matched: String,
}

/// Something notable about an answer as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Nothing but whitespace or punctuation.
    Empty,
    TooShort,
    /// Nothing in it relates to the question.
    OffTopic,
    /// Keywords without sentences.
    KeywordStuffing,
    /// Mostly the question pasted back.
    CopiedQuestion,
    Misconception,
    /// A key idea denied, or said of the wrong thing ("spawn buffers the output").
    Contradiction,
    /// The answer says it does not know ("I'm not sure", "never used it").
    Hedged,
}

/// The full result of scoring one answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// 0–100.
    pub total: u8,
    /// Weighted concept coverage, 0–1.
    pub coverage: f64,
    /// Similarity to the reference answer (cosine, with a gentler length penalty), 0–1.
    pub similarity: f64,
    /// Factor for how the answer reads (1 = prose, lower = keyword list).
    pub fluency: f64,
    /// Factor for length relative to the reference (1 = long enough).
    pub brevity: f64,
    /// Share of the answer about this question rather than another one, 0–1.
    pub relevance: f64,
    /// Closeness in meaning of the whole answer to the reference (embedding cosine), 0–1.
    pub semantic: f64,
    /// How much of the reference's content the answer says token by token, counting near
    /// tokens by closeness (embeddings), 0–1.
    pub soft_recall: f64,
    /// How much of the reference some sentence of the answer says (each reference sentence's
    /// best cosine, weighted by length), 0–1.
    pub alignment: f64,
    /// True when concepts were derived from the reference answer rather than curated.
    pub derived_concepts: bool,
    pub concepts: Vec<ConceptResult>,
    pub misconceptions: Vec<MisconceptionHit>,
    /// Sentences of the answer that say the opposite of a sentence of the reference, as written
    /// (cut to a quote's length).
    pub reversed: Vec<String>,
    pub flags: Vec<Flag>,
    /// A few sentences a person can act on.
    pub feedback: String,
}

impl Assessment {
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }

    pub fn covered(&self) -> impl Iterator<Item = &ConceptResult> {
        self.concepts
            .iter()
            .filter(|c| c.coverage == Coverage::Covered)
    }

    /// Names of the concepts with this coverage (what an attempt stores). `Missed` includes the
    /// contradicted ones: a concept stated wrongly is one the member still has to learn.
    pub fn concept_names(&self, coverage: Coverage) -> Vec<String> {
        self.concepts
            .iter()
            .filter(|c| {
                c.coverage == coverage
                    || (coverage == Coverage::Missed && c.coverage == Coverage::Contradicted)
            })
            .map(|c| c.name.clone())
            .collect()
    }

    pub fn missed(&self) -> impl Iterator<Item = &ConceptResult> {
        self.concepts
            .iter()
            .filter(|c| c.coverage == Coverage::Missed)
    }
}

/// The one-line baseline `eval` reports beside the scorer: the share of the reference answer's
/// distinct content stems that the answer contains (0–1). The reference is analysed once, not
/// once per answer.
pub struct WordOverlap {
    wanted: std::collections::HashSet<String>,
}

impl WordOverlap {
    pub fn new(reference: &str) -> WordOverlap {
        let reference = analyze(reference);
        let wanted = reference
            .content()
            .map(|w| reference.stem(w).to_string())
            .collect();
        WordOverlap { wanted }
    }

    pub fn of(&self, answer: &str) -> f64 {
        if self.wanted.is_empty() {
            return 0.0;
        }
        let answer = analyze(answer);
        let present: std::collections::HashSet<&str> =
            answer.content().map(|w| answer.stem(w)).collect();
        let found = self.wanted.iter().filter(|s| present.contains(s.as_str()));
        found.count() as f64 / self.wanted.len() as f64
    }
}

/// Score `answer` to `question`. Uses the corpus's prepared form of the question when it has one.
pub fn score(question: &Question, answer: &str, corpus: &Corpus) -> Assessment {
    match corpus.prepared(&question.id) {
        Some(prepared) => score_prepared(prepared, answer, corpus),
        None => score_prepared(&corpus.prepare(question), answer, corpus),
    }
}

/// Score against an already prepared question.
pub fn score_prepared(q: &PreparedQuestion, answer: &str, corpus: &Corpus) -> Assessment {
    let analyzed = analyze(answer);
    let all_content = content_tokens(&analyzed);
    let mut flags = Vec::new();
    if all_content.is_empty() {
        flags.push(Flag::Empty);
        return finish(q, None, Scores::zero(), flags, Vec::new(), Vec::new());
    }
    // The answer's stems as the question numbers them: compared and weighed without hashing again.
    let stem_ids = q.vocabulary.stem_ids_of(&analyzed);
    let copied = copied_from_prompt(&all_content, &stem_ids, &q.prompt_sequence);
    let copied_count = copied.iter().filter(|&&c| c).count();
    let own: Vec<Token> = all_content
        .iter()
        .zip(&copied)
        .filter(|&(_, &c)| !c)
        .map(|(t, _)| *t)
        .collect();
    let mostly_copied = copied_count * 2 >= all_content.len() && own.len() < MIN_CONTENT_WORDS;
    let index = AnswerIndex::new(&analyzed, own, &q.vocabulary, &stem_ids);
    let roles = Roles::new(q, &index, &analyzed);

    let parts = corpus.parts();
    let aliases = if parts.synonyms {
        q.vocabulary.alias_ids_of(&analyzed, &stem_ids)
    } else {
        vec![None; stem_ids.len()]
    };
    let mut concepts = match_concepts(q, &index, &analyzed, &roles);
    if q.derived && parts.synonyms {
        cover_by_synonyms(q, &index, &analyzed, &aliases, &mut concepts);
    }
    let total_weight: f64 = concepts.iter().map(|c| c.weight).sum();
    let credit: f64 = concepts
        .iter()
        .map(|c| {
            c.weight
                * match c.coverage {
                    Coverage::Covered => 1.0,
                    Coverage::Partial => PARTIAL_CREDIT,
                    Coverage::Missed | Coverage::Contradicted => 0.0,
                }
        })
        .sum();
    let coverage = if total_weight > 0.0 {
        credit / total_weight
    } else {
        0.0
    };
    if mostly_copied && coverage < COPIED_MAX_COVERAGE {
        flags.push(Flag::CopiedQuestion);
    }

    // What the answer professes not to know says nothing either way.
    let known = corpus.answer_stems(&analyzed);
    let similarity = Corpus::similarity(
        q,
        &known,
        &stem_ids,
        &aliases,
        index
            .content
            .iter()
            .filter(|t| !t.hedged)
            .map(|t| (t.stem, t.negated)),
    );

    let fluency = if analyzed.raw_tokens >= MIN_CONTENT_WORDS {
        let function_words = analyzed.function_word_ratio() / FLUENT_RATIO;
        let fragments = (1.0 - analyzed.list_item_share()) / PROSE_SHARE;
        let prose = function_words.min(fragments).clamp(0.0, 1.0);
        FLUENCY_FLOOR + (1.0 - FLUENCY_FLOOR) * prose
    } else {
        1.0
    };
    let brevity = if q.reference_len == 0 {
        1.0
    } else {
        (index.word_count() as f64 / (BRIEF_SHARE * q.reference_len as f64))
            .min(1.0)
            .powf(BREVITY_EXPONENT)
    };
    let counted: Vec<(usize, u32)> = index
        .content
        .iter()
        .filter(|t| !t.hedged)
        .map(|t| (t.stem, t.sentence))
        .collect();
    let relevance = corpus.relevance(q, &known, &stem_ids, &counted);
    // Meaning counts for the answer's real words only: strings no dictionary and not the question
    // knows ("asdf qwer") still fall into some embedding and would earn a chance closeness.
    let known = index
        .content
        .iter()
        .filter(|t| analyzed.forms[t.form].is_english || stem_ids[t.stem].is_some())
        .count();
    let claimed = index.content.iter().filter(|t| !t.hedged).count();
    let meaning_footing = if index.content.is_empty() {
        0.0
    } else {
        // Technical terms and names are often in no dictionary: half the words known is enough.
        // A hedged sentence claims nothing, by meaning as by words.
        let n = index.content.len() as f64;
        (known as f64 / (KNOWN_FOR_MEANING * n)).min(1.0) * claimed as f64 / n
    };
    let (semantic, soft_recall, alignment, meaning_relevance, reversals) = if parts.embeddings {
        let meaning = meaning::Meaning::of(&analyzed);
        let cosines = meaning.cosines(&q.meaning);
        let reversals = if parts.contradiction {
            reversal::find(&analyzed, &cosines, &q.claims)
        } else {
            Vec::new()
        };
        (
            meaning.whole.cosine(&q.meaning.whole).max(0.0),
            meaning.soft_recall(&q.meaning),
            cosines.alignment(&q.meaning),
            corpus.meaning_relevance(q, &meaning),
            reversals,
        )
    } else {
        (0.0, 0.0, meaning::Alignment::default(), 1.0, Vec::new())
    };
    let misconceptions = find_misconceptions(q, &index, &analyzed, &roles);
    let contradicted: f64 = concepts
        .iter()
        .filter(|c| c.coverage == Coverage::Contradicted)
        .map(|c| c.weight)
        .sum();
    let contradiction = if total_weight > 0.0 && parts.contradiction {
        contradicted / total_weight
    } else {
        0.0
    };
    // Reversed reference sentences, by their share of what the reference says. A claim reversed
    // both ways (a concept denied, and its sentence reversed) is one mistake: the larger share
    // counts.
    let reference_tokens: u32 = q.meaning.claims().map(|(_, s)| s.tokens).sum();
    let reversed_share = if reference_tokens > 0 {
        let reversed: u32 = reversals
            .iter()
            .filter_map(|r| q.meaning.sentences.get(r.reference_sentence))
            .map(|s| s.tokens)
            .sum();
        f64::from(reversed) / f64::from(reference_tokens)
    } else {
        0.0
    };
    let contradiction = contradiction.max(reversed_share);

    if index.word_count() < MIN_CONTENT_WORDS && !flags.contains(&Flag::CopiedQuestion) {
        flags.push(Flag::TooShort);
    }
    if coverage < 0.05 && similarity < 0.05 && !flags.contains(&Flag::CopiedQuestion) {
        flags.push(Flag::OffTopic);
    }
    // Terms strung together, with (almost) none of the words that make sentences of them.
    let salad = coverage > 0.0
        && analyzed.raw_word_tokens >= SALAD_MIN_WORDS
        && analyzed.function_word_share_of_words() < SALAD_FUNCTION_SHARE;
    if salad || (fluency < 0.75 && index.word_count() >= MIN_CONTENT_WORDS && coverage > 0.0) {
        flags.push(Flag::KeywordStuffing);
    }
    if !misconceptions.is_empty() {
        flags.push(Flag::Misconception);
    }
    if contradiction > 0.0 {
        flags.push(Flag::Contradiction);
    }
    if index.content.iter().any(|t| t.hedged) {
        flags.push(Flag::Hedged);
    }
    let scores = Scores {
        salad,
        coverage,
        similarity,
        fluency,
        brevity,
        contradiction,
        relevance,
        semantic,
        soft_recall,
        alignment: alignment.mean,
        meaning_relevance,
        meaning_footing,
        embeddings: parts.embeddings,
    };
    let reversed = reversals.iter().map(|r| cut_quote(&r.quote)).collect();
    finish(q, Some(concepts), scores, flags, misconceptions, reversed)
}

struct Scores {
    /// A keyword salad: its total is capped at [`SALAD_CAP`].
    salad: bool,
    coverage: f64,
    similarity: f64,
    fluency: f64,
    brevity: f64,
    /// Weighted share of concepts contradicted, 0–1.
    contradiction: f64,
    /// Share of the answer about this question, 0–1.
    relevance: f64,
    semantic: f64,
    soft_recall: f64,
    alignment: f64,
    /// Share of the answer about this question by meaning, 0–1.
    meaning_relevance: f64,
    /// Share of the answer's content words meaning may count (real words, not hedged), 0–1.
    meaning_footing: f64,
    /// Meaning takes its share of the score ([`W_MEANING`]).
    embeddings: bool,
}

impl Scores {
    fn zero() -> Self {
        Scores {
            salad: false,
            coverage: 0.0,
            similarity: 0.0,
            fluency: 1.0,
            brevity: 0.0,
            contradiction: 0.0,
            relevance: 1.0,
            semantic: 0.0,
            soft_recall: 0.0,
            alignment: 0.0,
            meaning_relevance: 1.0,
            meaning_footing: 0.0,
            embeddings: true,
        }
    }

    fn focus(&self) -> f64 {
        focus(self.relevance)
    }

    fn total(&self, misconceptions: usize) -> u8 {
        let wc = W_COVERAGE;
        let content =
            wc * self.coverage + (1.0 - wc) * (self.similarity / SIMILARITY_FOR_FULL).min(1.0);
        let content = ((content - CONTENT_THRESHOLD) / (1.0 - CONTENT_THRESHOLD)).max(0.0);
        let lexical = content.powf(CONTENT_EXPONENT) * self.fluency * self.focus();
        let base = if self.embeddings {
            // Meaning is about this question only as far as both words and meaning say so.
            let meaning = (SOFT_RECALL_SHARE * above_chance(self.soft_recall, SOFT_RECALL_CHANCE)
                + (1.0 - SOFT_RECALL_SHARE) * above_chance(self.semantic, SEMANTIC_CHANCE))
                * focus(self.relevance.min(self.meaning_relevance))
                * self.meaning_footing;
            (1.0 - W_MEANING) * lexical + W_MEANING * meaning
        } else {
            lexical
        };
        let base = 100.0 * base * self.brevity;
        let wrong =
            MISCONCEPTION_SHARE * misconceptions as f64 + CONTRADICTION_SHARE * self.contradiction;
        (base * (1.0 - wrong).max(0.0)).clamp(0.0, 100.0).round() as u8
    }
}

fn finish(
    q: &PreparedQuestion,
    concepts: Option<Vec<ConceptResult>>,
    scores: Scores,
    flags: Vec<Flag>,
    misconceptions: Vec<MisconceptionHit>,
    reversed: Vec<String>,
) -> Assessment {
    let concepts = concepts.unwrap_or_else(|| {
        q.concepts
            .iter()
            .map(|c| ConceptResult {
                name: c.name.clone(),
                weight: c.weight,
                coverage: Coverage::Missed,
                matched: None,
            })
            .collect()
    });
    let total = if flags.contains(&Flag::CopiedQuestion) || flags.contains(&Flag::Empty) {
        0
    } else {
        let total = scores.total(misconceptions.len());
        if scores.salad {
            total.min(SALAD_CAP)
        } else {
            total
        }
    };
    let mut assessment = Assessment {
        total,
        coverage: round3(scores.coverage),
        similarity: round3(scores.similarity),
        fluency: round3(scores.fluency),
        brevity: round3(scores.brevity),
        relevance: round3(scores.relevance),
        semantic: round3(scores.semantic),
        soft_recall: round3(scores.soft_recall),
        alignment: round3(scores.alignment),
        derived_concepts: q.derived,
        concepts,
        misconceptions,
        reversed,
        flags,
        feedback: String::new(),
    };
    assessment.feedback = feedback(&assessment);
    assessment
}

/// How much of the score an answer keeps for being this much about its question.
fn focus(relevance: f64) -> f64 {
    (relevance / RELEVANT_SHARE)
        .min(1.0)
        .powf(RELEVANCE_EXPONENT)
}

/// `x` rescaled so that `chance` maps to 0 and 1 stays 1.
fn above_chance(x: f64, chance: f64) -> f64 {
    ((x - chance) / (1.0 - chance)).clamp(0.0, 1.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What one place in the answer says about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// Said in a sentence that professes not knowing: neither claimed nor denied.
    Hedged,
    /// Denied, or said of a rival entity.
    Contradicted,
    /// Said, but of no entity the question names (the claim needs a subject).
    Unbound,
    Claimed,
}

/// How a window of a phrase bears on its claim: the phrase's own polarity ("does not block")
/// against the answer's, and, for a claim about an entity, which entity the clause is about.
fn judge(
    w: &Window,
    phrase: (bool, bool),
    entity: Option<usize>,
    q: &PreparedQuestion,
    roles: &Roles,
    index: &AnswerIndex,
) -> Verdict {
    if w.hedged {
        return Verdict::Hedged;
    }
    // A phrase the reference uses both ways claims in either polarity.
    let (negated, either) = phrase;
    let flipped = !either && w.negated != negated;
    let Some(e) = entity else {
        // A derived concept is one reference word: said inside a negation's scope it is not a
        // denied claim ("no limit to the number" for "unlimited number", "don't make a copy" for
        // "avoids making copies"), so it is only partly there.
        return if flipped && q.derived {
            Verdict::Unbound
        } else if flipped {
            Verdict::Contradicted
        } else {
            Verdict::Claimed
        };
    };
    let (about, named) = roles.of(index, w);
    match (
        about & (1 << e) != 0,
        about & q.entities[e].rivals != 0,
        flipped,
    ) {
        (true, _, false) => Verdict::Claimed,
        (true, _, true) => Verdict::Contradicted,
        // "spawn buffers the output" where exec does: the roles swapped. Only a rival the
        // clause names itself swaps them; one carried over from an earlier sentence leaves
        // the claim unbound.
        (false, true, false) if named & q.entities[e].rivals != 0 => Verdict::Contradicted,
        (false, true, false) => Verdict::Unbound,
        // "spawn does not buffer": true of the rival, silent about this entity.
        (false, true, true) => Verdict::Unbound,
        (false, false, false) => Verdict::Unbound,
        (false, false, true) => Verdict::Contradicted,
    }
}

fn match_concepts(
    q: &PreparedQuestion,
    index: &AnswerIndex,
    a: &Analyzed,
    roles: &Roles,
) -> Vec<ConceptResult> {
    q.concepts
        .iter()
        .map(|c| {
            // The strongest verdict over every place any phrasing stands, and where.
            let mut best: Option<(Verdict, usize, usize)> = None;
            let mut partial: Option<(usize, usize)> = None;
            for phrase in &c.phrases {
                for w in index.windows(phrase) {
                    let v = judge(
                        &w,
                        (phrase.negated, phrase.either),
                        c.entity,
                        q,
                        roles,
                        index,
                    );
                    if best.is_none_or(|(b, _, _)| v > b) {
                        best = Some((v, w.first, w.last));
                    }
                }
                if best.is_some_and(|(v, _, _)| v == Verdict::Claimed) {
                    break;
                }
                if partial.is_none()
                    && let PhraseMatch::Partial { first, last } = index.find(phrase)
                    && !index.content[first].hedged
                {
                    partial = Some((first, last));
                }
            }
            let (coverage, at) = match (best, partial) {
                (Some((Verdict::Claimed, f, l)), _) => (Coverage::Covered, Some((f, l))),
                (Some((Verdict::Unbound, f, l)), _) => (Coverage::Partial, Some((f, l))),
                (Some((Verdict::Contradicted, f, l)), _) => (Coverage::Contradicted, Some((f, l))),
                (_, Some((f, l))) => (Coverage::Partial, Some((f, l))),
                _ => (Coverage::Missed, None),
            };
            ConceptResult {
                name: c.name.clone(),
                weight: round3(c.weight),
                coverage,
                matched: at.map(|(f, l)| quote(index, a, f, l)),
            }
        })
        .collect()
}

/// A derived concept (one reference word) the answer names only by a synonym ("infinite" for
/// "unlimited") is partly covered, when the synonym is affirmed and not hedged. Curated concepts
/// list their own phrasings, and a synonym never contradicts.
fn cover_by_synonyms(
    q: &PreparedQuestion,
    index: &AnswerIndex,
    a: &Analyzed,
    aliases: &[Option<usize>],
    concepts: &mut [ConceptResult],
) {
    // The first affirmed position of a synonym of each stem number.
    let mut first: Vec<Option<usize>> = vec![None; q.vocabulary.stem_count()];
    let mut any = false;
    for (p, t) in index.content.iter().enumerate() {
        if let Some(target) = aliases[t.stem]
            && !t.negated
            && !t.hedged
            && first[target].is_none()
        {
            first[target] = Some(p);
            any = true;
        }
    }
    if !any {
        return;
    }
    for (result, concept) in concepts.iter_mut().zip(&q.concepts) {
        if result.coverage != Coverage::Missed {
            continue;
        }
        let at = concept
            .phrases
            .first()
            .and_then(|p| p.first_word())
            .and_then(|w| q.vocabulary.word_stem_id(w))
            .and_then(|t| first[t]);
        if let Some(p) = at {
            result.coverage = Coverage::Partial;
            result.matched = Some(quote(index, a, p, p));
        }
    }
}

fn find_misconceptions(
    q: &PreparedQuestion,
    index: &AnswerIndex,
    a: &Analyzed,
    roles: &Roles,
) -> Vec<MisconceptionHit> {
    q.misconceptions
        .iter()
        .filter_map(|m| {
            // Stated, not denied ("cluster workers do not share memory" is the opposite), and
            // said of the entity it is wrong about.
            let w = index.windows(&m.phrase).into_iter().find(|w| {
                judge(
                    w,
                    (m.phrase.negated, m.phrase.either),
                    m.entity,
                    q,
                    roles,
                    index,
                ) == Verdict::Claimed
            })?;
            Some(MisconceptionHit {
                phrase: m.phrase_text.clone(),
                why: m.why.clone(),
                matched: quote(index, a, w.first, w.last),
            })
        })
        .collect()
}

/// The answer's text from content position `first` to `last`, cut to a readable length.
fn quote(index: &AnswerIndex, a: &Analyzed, first: usize, last: usize) -> String {
    let start = a.words[index.content[first].word].span.0;
    let end = a.words[index.content[last].word].span.1;
    cut_quote(a.text.get(start..end).unwrap_or_default())
}

/// `text` cut to [`QUOTE_CHARS`] characters.
fn cut_quote(text: &str) -> String {
    if text.chars().count() > QUOTE_CHARS {
        let cut: String = text.chars().take(QUOTE_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

/// Marks answer words that belong to a run copied from the prompt. The prompt and `stem_ids` (the
/// answer's stems) are in the question's stem numbers.
fn copied_from_prompt(answer: &[Token], stem_ids: &[Option<usize>], prompt: &[usize]) -> Vec<bool> {
    let mut copied = vec![false; answer.len()];
    let min_run = COPIED_RUN.min(prompt.len());
    if min_run < 2 {
        return copied;
    }
    let answer: Vec<Option<usize>> = answer.iter().map(|t| stem_ids[t.stem]).collect();
    for i in 0..answer.len() {
        // No run starts at a word the question does not use; most answer words are such.
        if answer[i].is_none() {
            continue;
        }
        let longest = (0..prompt.len())
            .map(|j| {
                answer[i..]
                    .iter()
                    .zip(&prompt[j..])
                    .take_while(|&(&a, &p)| a == Some(p))
                    .count()
            })
            .max()
            .unwrap_or(0);
        if longest >= min_run {
            copied[i..i + longest].iter_mut().for_each(|c| *c = true);
        }
    }
    copied
}

/// "Covered: …. Missed: …. Study: …" plus what the flags mean for the person.
fn feedback(a: &Assessment) -> String {
    let mut parts: Vec<String> = Vec::new();
    if a.has(Flag::Empty) {
        return "No answer given. Write a few sentences in your own words; even a partial answer earns points.".into();
    }
    if a.has(Flag::CopiedQuestion) {
        return "This repeats the question. Answer it in your own words: what happens, why, and how you would apply it.".into();
    }
    let names = |it: &mut dyn Iterator<Item = &ConceptResult>, max: usize| {
        let list: Vec<&str> = it.take(max).map(|c| c.name.as_str()).collect();
        list.join(", ")
    };
    let limit = if a.derived_concepts { 6 } else { 10 };
    let mut by_weight: Vec<&ConceptResult> = a.concepts.iter().collect();
    by_weight.sort_by(|x, y| y.weight.total_cmp(&x.weight));
    let covered = names(
        &mut by_weight
            .iter()
            .copied()
            .filter(|c| c.coverage == Coverage::Covered),
        limit,
    );
    let partial = names(
        &mut by_weight
            .iter()
            .copied()
            .filter(|c| c.coverage == Coverage::Partial),
        limit,
    );
    let missed = names(
        &mut by_weight
            .iter()
            .copied()
            .filter(|c| c.coverage == Coverage::Missed),
        limit,
    );
    let study = names(
        &mut by_weight
            .iter()
            .copied()
            .filter(|c| c.coverage != Coverage::Covered),
        2,
    );
    if !covered.is_empty() {
        parts.push(format!("Covered: {covered}."));
    }
    if !partial.is_empty() {
        parts.push(format!("Partly: {partial}."));
    }
    let contradicted: Vec<String> = by_weight
        .iter()
        .filter(|c| c.coverage == Coverage::Contradicted)
        .take(3)
        .map(|c| match &c.matched {
            Some(q) => format!("{} (you wrote \"{q}\")", c.name),
            None => c.name.clone(),
        })
        .collect();
    if !contradicted.is_empty() {
        parts.push(format!(
            "Contradicted: {}: that is the opposite of the key idea, or said of the wrong thing.",
            contradicted.join("; ")
        ));
    }
    for r in a.reversed.iter().take(2) {
        parts.push(format!(
            "You wrote: \"{r}\": the reference says the opposite."
        ));
    }
    if !missed.is_empty() {
        parts.push(format!("Missed: {missed}."));
    }
    if !study.is_empty() {
        parts.push(format!("Study: {study}."));
    }
    for m in &a.misconceptions {
        parts.push(format!("Careful: {}", m.why));
    }
    if a.has(Flag::Hedged) {
        parts.push("Where you are unsure, say what you would expect and why: a reasoned guess earns more than \"I don't know\".".into());
    }
    if a.has(Flag::KeywordStuffing) {
        parts.push("Explain the ideas in sentences; a list of keywords earns little.".into());
    } else if a.has(Flag::OffTopic) {
        parts.push("This does not seem to address the question.".into());
    } else if a.has(Flag::TooShort) {
        parts.push("Too short to show understanding: say what happens and why.".into());
    }
    parts.join(" ")
}
