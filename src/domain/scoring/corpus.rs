//! What the scorer knows before it sees an answer: word rarity across the bank (idf) and each
//! question prepared once (phrases analysed into one vocabulary, reference weights computed).
//!
//! Longer than 600 lines on purpose: preparing a question fills one vocabulary that idf, concept
//! phrases, entities, sentence topics and the polarity taken from the reference all index into,
//! so they are built here together; about 40 lines at the end are its tests.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::embedding::Vector;
use super::matching::{
    AnswerIndex, Phrase, PhraseWord, PreparedPhrase, Vocabulary, content_tokens,
};
use super::meaning::Meaning;
use super::reversal::ReferenceClaims;
use super::synonyms::{self, SYNONYM_CREDIT};
use super::text::{Analyzed, analyze, stem_uncached};
use super::{FastMap, Parts};
use crate::domain::bank::{Bank, Question, QuestionId};

/// Words of the question prompt weigh this much in similarity and derived concepts:
/// repeating the question must earn (almost) nothing.
pub const PROMPT_WORD_FACTOR: f64 = 0.25;

/// A sentence (or answer) closer in meaning to another question than to its own by more than
/// this cosine is about that other question. Static embeddings of one subject's texts sit close
/// together, so only a clear lead counts.
pub const MEANING_FOREIGN_MARGIN: f64 = 0.1;
/// ... and past the margin, this much more lead takes all of it away.
pub const MEANING_FOREIGN_RAMP: f64 = 0.1;

/// Word rarity over a set of questions, plus every question prepared for scoring.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Every stem of the corpus's questions: its idf and where it is in their topics.
    stems: FastMap<String, CorpusStem>,
    unseen_idf: f64,
    /// Each question of the corpus, prepared at its first use: a `score` process scores one
    /// question of a bank, and preparing the other thirty-odd was most of its CPU time.
    prepared: HashMap<QuestionId, Lazy>,
    /// Every question the corpus knows (background ones too), for telling which question a
    /// sentence of an answer is about; `CorpusStem::topics` numbers them.
    topic_ids: Vec<QuestionId>,
    /// Which parts of the judge are on.
    parts: Parts,
    /// The meaning of each question's topic text, numbered as `topic_ids`.
    /// Each topic's meaning and its length (kept: every answer is compared with all of them).
    topic_meanings: Vec<(Vector, f32)>,
}

/// A question and, once asked for, its prepared form.
#[derive(Debug, Clone)]
struct Lazy {
    question: Question,
    prepared: OnceLock<PreparedQuestion>,
}

/// What the corpus knows of a stem.
#[derive(Debug, Clone)]
struct CorpusStem {
    idf: f64,
    /// The stem's weight in each question's topic vector (prompt, reference and phrasings;
    /// tf-idf, unit length) that has it, by question number: an inverted index.
    topics: Vec<(usize, f64)>,
}

/// The corpus's facts for each distinct stem of one answer (by stem index), looked up once per
/// answer rather than once per use.
pub struct AnswerStems<'c> {
    idf: Vec<f64>,
    topics: Vec<&'c [(usize, f64)]>,
}

/// The text a question's topic vector is made of.
fn topic_text(q: &Question) -> String {
    let mut text = format!("{}\n{}", q.prompt, q.reference);
    for c in &q.concepts {
        for p in &c.phrases {
            text.push('\n');
            text.push_str(p);
        }
    }
    text
}

/// A concept ready to be looked for.
#[derive(Debug, Clone)]
pub struct PreparedConcept {
    pub name: String,
    pub weight: f64,
    pub phrases: Vec<PreparedPhrase>,
    /// Index into `PreparedQuestion::entities`: what the claim is about, if it names it.
    pub entity: Option<usize>,
}

/// A misconception ready to be looked for.
#[derive(Debug, Clone)]
pub struct PreparedMisconception {
    pub phrase_text: String,
    pub why: String,
    pub phrase: PreparedPhrase,
    pub entity: Option<usize>,
}

/// A thing a question's claims are about ("exec"), in the ways it is named.
#[derive(Debug, Clone)]
pub struct Entity {
    pub aliases: Vec<PreparedPhrase>,
    /// Bit set of the other entities it is contrasted with (those sharing no name with it).
    pub rivals: u32,
}

/// At most this many entities per question (they are a bit set).
const MAX_ENTITIES: usize = 32;

/// A sentence this many times closer to another question than to its own is about that one.
pub const FOREIGN_MARGIN: f64 = 2.0;
/// ... provided it is at least this close to it (cosine).
pub const FOREIGN_MIN: f64 = 0.3;
/// An answer as a whole at least this close to another question (cosine), and
/// [`FOREIGN_MARGIN`] times as close to it as to its own, answers that other question.
pub const ANSWER_FOREIGN_MIN: f64 = 0.4;
/// Answers shorter than this many content words are not judged for relevance: a short answer
/// has too few sentences to say which question they belong to.
pub const MIN_JUDGED_ANSWER: usize = 20;
/// A sentence with fewer distinct content words is counted but never judged foreign.
pub const MIN_JUDGED_SENTENCE: usize = 4;
/// A reference word used with the other polarity ("blocks" where the reference says "does not
/// block") still shows the answer is on the subject: half the similarity credit, not none.
pub const OPPOSITE_POLARITY_CREDIT: f64 = 0.5;
/// A sentence with this many distinct words, none of them the question's, is unrelated.
pub const UNRELATED_WORDS: usize = 6;

/// How close one sentence (or a whole answer) is to its question and to the closest other one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentenceTopic {
    /// Cosine with the question's own topic vector.
    pub own: f64,
    /// Highest cosine with another question's topic vector.
    pub other: f64,
    /// Sum of the idf of its counted words (repeats included).
    pub mass: f64,
    /// Distinct counted stems.
    pub distinct: usize,
}

/// Phrases written without a denial take their polarity from the reference answer. A phrase the
/// reference states only denied ("it is **not a security boundary**") is a claim when denied; one
/// it states both ways ("isolate it from the real disk", "without touching the real disk") is a
/// claim either way. A phrase the reference does not state follows its concept: denied if the
/// reference states the concept only denied, either way if both ways. Everything else keeps its
/// own polarity.
fn take_polarity_from_reference(
    concepts: &mut [PreparedConcept],
    reference: &Analyzed,
    vocabulary: &Vocabulary,
) {
    let stem_ids = vocabulary.stem_ids_of(reference);
    let index = AnswerIndex::new(reference, content_tokens(reference), vocabulary, &stem_ids);
    // How often the reference states a phrase affirmed and denied. Only where it says the
    // phrase, its words together (at most one other word among them): "runInContext" is not
    // stated by "… run untrusted code in the context".
    let stated = |phrase: &PreparedPhrase| {
        let (mut affirmed, mut denied) = (0, 0);
        for w in index.windows(phrase) {
            if w.last - w.first > phrase.len() {
                continue;
            }
            if w.negated {
                denied += 1;
            } else {
                affirmed += 1;
            }
        }
        (affirmed, denied)
    };
    let polarity = |(affirmed, denied): (usize, usize)| match (affirmed, denied) {
        (_, 0) => None,
        (0, _) => Some(true),
        _ => Some(false),
    };
    for concept in concepts.iter_mut() {
        let counts: Vec<(usize, usize)> = concept
            .phrases
            .iter()
            .map(|p| if p.negated { (0, 0) } else { stated(p) })
            .collect();
        let whole = counts.iter().fold((0, 0), |(a, d), &(x, y)| (a + x, d + y));
        for (phrase, &count) in concept.phrases.iter_mut().zip(&counts) {
            if phrase.negated {
                continue;
            }
            let own = if count == (0, 0) { whole } else { count };
            match polarity(own) {
                Some(true) => phrase.negated = true,
                Some(false) => phrase.either = true,
                None => {}
            }
        }
    }
}

/// What similarity needs of a stem the question uses (numbered by its [`Vocabulary`]).
#[derive(Debug, Clone, Default)]
struct Term {
    idf: f64,
    in_prompt: bool,
    /// Its weight in the question's unit topic vector (prompt, reference, phrasings).
    topic: f64,
    /// Its weight in the reference answer's tf-idf vector, as affirmed `[0]` and as denied `[1]`
    /// ("does not block"), if the reference has it so.
    reference: [Option<f64>; 2],
}

/// A question reduced to what scoring needs.
#[derive(Debug, Clone)]
pub struct PreparedQuestion {
    pub id: QuestionId,
    pub concepts: Vec<PreparedConcept>,
    pub entities: Vec<Entity>,
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
    /// What the reference answer means, sentence by sentence.
    pub meaning: Meaning,
    /// What each reference sentence claims, word by word (for spotting a reversal of it).
    pub claims: ReferenceClaims,
}

/// tf-idf weight: sublinear term frequency, idf, prompt words damped.
fn weight(count: usize, idf: f64, in_prompt: bool) -> f64 {
    let damp = if in_prompt { PROMPT_WORD_FACTOR } else { 1.0 };
    (1.0 + (count as f64).ln()) * idf * damp
}

impl Corpus {
    /// The same corpus with only `parts` of the judge on (for measuring what each adds).
    pub fn with_parts(mut self, parts: Parts) -> Corpus {
        self.parts = parts;
        self
    }

    pub fn parts(&self) -> Parts {
        self.parts
    }

    /// Build idf over the questions (each question's prompt and reference is one document); each
    /// question is prepared when first scored.
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
        let stems = df
            .into_iter()
            .map(|(s, d)| {
                let stem = CorpusStem {
                    idf: idf_of(d),
                    topics: Vec::new(),
                };
                (s, stem)
            })
            .collect();
        let mut corpus = Corpus {
            stems,
            unseen_idf: idf_of(0),
            prepared: HashMap::new(),
            topic_ids: Vec::new(),
            parts: Parts::default(),
            topic_meanings: Vec::new(),
        };
        for (d, q) in questions.iter().chain(background).enumerate() {
            corpus.topic_ids.push(q.id.clone());
            let topic = analyze(&topic_text(q));
            let whole = Meaning::of(&topic).whole;
            let norm = whole.norm();
            corpus.topic_meanings.push((whole, norm));
            for (stem, w) in corpus.topic_vector(&topic) {
                let unseen_idf = corpus.unseen_idf;
                corpus
                    .stems
                    .entry(stem)
                    .or_insert_with(|| CorpusStem {
                        idf: unseen_idf,
                        topics: Vec::new(),
                    })
                    .topics
                    .push((d, w));
            }
        }
        for q in questions {
            let lazy = Lazy {
                question: q.clone(),
                prepared: OnceLock::new(),
            };
            corpus.prepared.insert(q.id.clone(), lazy);
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

    /// A text's unit-length tf-idf vector by stem.
    fn topic_vector(&self, a: &Analyzed) -> Vec<(String, f64)> {
        let mut counts: FastMap<&str, usize> = FastMap::default();
        for w in a.content() {
            *counts.entry(a.stem(w)).or_default() += 1;
        }
        let mut v: Vec<(String, f64)> = counts
            .into_iter()
            .map(|(s, c)| (s.to_string(), weight(c, self.idf(s), false)))
            .collect();
        // Sorted before summing, so the norm does not depend on the map's order.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|(_, x)| *x /= norm);
        }
        v
    }

    /// The corpus's facts for each distinct stem of `a`, for [`Corpus::similarity`] and
    /// [`Corpus::relevance`].
    pub fn answer_stems(&self, a: &Analyzed) -> AnswerStems<'_> {
        let mut stems = AnswerStems {
            idf: Vec::with_capacity(a.stem_count()),
            topics: Vec::with_capacity(a.stem_count()),
        };
        for s in 0..a.stem_count() {
            let known = self.stems.get(a.stem_str(s));
            stems.idf.push(known.map_or(self.unseen_idf, |k| k.idf));
            stems
                .topics
                .push(known.map_or(&[], |k| k.topics.as_slice()));
        }
        stems
    }

    /// How close each sentence of an answer (and the answer as a whole, last) is to its own
    /// question's topic and to the closest other question's: cosines of binary idf vectors of
    /// the counted words (`tokens`: stem index into `a` and sentence number).
    pub fn topic_profile(
        &self,
        q: &PreparedQuestion,
        stems: &AnswerStems,
        stem_ids: &[Option<usize>],
        tokens: &[(usize, u32)],
    ) -> Vec<SentenceTopic> {
        let own_doc = self.topic_ids.iter().position(|id| *id == q.id);
        let mut out = Vec::new();
        let mut i = 0;
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        while i < tokens.len() {
            let sentence = tokens[i].1;
            let end = tokens[i..]
                .iter()
                .position(|t| t.1 != sentence)
                .map_or(tokens.len(), |k| i + k);
            ranges.push((i, end));
            i = end;
        }
        ranges.push((0, tokens.len()));
        let mut dots = vec![0.0; self.topic_ids.len()];
        // The range (numbered from 1) in which each stem was last counted.
        let mut seen_in = vec![0; stems.idf.len()];
        for (range, (from, to)) in ranges.into_iter().enumerate() {
            dots.iter_mut().for_each(|d| *d = 0.0);
            let (mut own, mut squares, mut mass) = (0.0, 0.0, 0.0);
            let mut distinct = 0;
            for &(stem, _) in &tokens[from..to] {
                let idf = match stem_ids[stem] {
                    Some(t) => q.terms[t].idf,
                    None => stems.idf[stem],
                };
                mass += idf;
                if seen_in[stem] == range + 1 {
                    continue;
                }
                seen_in[stem] = range + 1;
                distinct += 1;
                squares += idf * idf;
                if let Some(t) = stem_ids[stem] {
                    own += idf * q.terms[t].topic;
                }
                for &(d, w) in stems.topics[stem] {
                    dots[d] += idf * w;
                }
            }
            let norm = squares.sqrt().max(f64::MIN_POSITIVE);
            let other = dots
                .iter()
                .enumerate()
                .filter(|&(d, _)| Some(d) != own_doc)
                .map(|(_, &x)| x / norm)
                .fold(0.0, f64::max);
            out.push(SentenceTopic {
                own: own / norm,
                other,
                mass,
                distinct,
            });
        }
        out
    }

    /// Whether an answer is about its question by meaning: 1 unless the answer as a whole is
    /// closer to another question of the corpus than to this one by more than
    /// [`MEANING_FOREIGN_MARGIN`], falling to 0 over [`MEANING_FOREIGN_RAMP`]. Catches an answer to another question told in words of its own. Sentence by sentence
    /// static embeddings place too loosely (on the tuning data that judged many right answers
    /// foreign), so single sentences are left to the word-based relevance.
    pub fn meaning_relevance(&self, q: &PreparedQuestion, answer: &Meaning) -> f64 {
        let Some(own) = self.topic_ids.iter().position(|id| *id == q.id) else {
            return 1.0;
        };
        if self.topic_meanings.len() < 2 {
            return 1.0;
        }
        let v = &answer.whole;
        let v_norm = v.norm();
        let mut other = f64::MIN;
        let mut mine = 0.0;
        for (d, (t, t_norm)) in self.topic_meanings.iter().enumerate() {
            let c = v.cosine_by_norms(t, v_norm, *t_norm);
            if d == own {
                mine = c;
            } else {
                other = other.max(c);
            }
        }
        (1.0 - (other - mine - MEANING_FOREIGN_MARGIN) / MEANING_FOREIGN_RAMP).clamp(0.0, 1.0)
    }

    /// How much of an answer is about its question rather than about another question the
    /// corpus knows (or about nothing it knows): the idf-weighted share of its counted words
    /// that sit in sentences about this question, 0–1. A sentence is foreign when it is at least
    /// [`FOREIGN_MARGIN`] times as close to another question as to this one, or when it is long
    /// and shares no word with this question at all.
    pub fn relevance(
        &self,
        q: &PreparedQuestion,
        stems: &AnswerStems,
        stem_ids: &[Option<usize>],
        tokens: &[(usize, u32)],
    ) -> f64 {
        // A short answer has too few words to say which question it belongs to.
        if tokens.len() < MIN_JUDGED_ANSWER {
            return 1.0;
        }
        let mut profile = self.topic_profile(q, stems, stem_ids, tokens);
        // The answer as a whole is another question's: nothing of it is about this one.
        if let Some(whole) = profile.pop()
            && whole.other >= ANSWER_FOREIGN_MIN
            && whole.other >= FOREIGN_MARGIN * whole.own
        {
            return 0.0;
        }
        let (mut total, mut foreign) = (0.0, 0.0);
        for s in &profile {
            let judged = s.distinct >= MIN_JUDGED_SENTENCE;
            let unrelated = judged && s.own == 0.0 && s.distinct >= UNRELATED_WORDS;
            let other = if judged { s.other } else { 0.0 };
            if unrelated || (other >= FOREIGN_MIN && other >= FOREIGN_MARGIN * s.own) {
                foreign += s.mass;
            }
            total += s.mass;
        }
        if total == 0.0 {
            1.0
        } else {
            1.0 - foreign / total
        }
    }

    pub fn idf(&self, stem: &str) -> f64 {
        self.stems.get(stem).map_or(self.unseen_idf, |s| s.idf)
    }

    /// The prepared form of a question in this corpus, if it was built with it.
    pub fn prepared(&self, id: &QuestionId) -> Option<&PreparedQuestion> {
        let lazy = self.prepared.get(id)?;
        Some(lazy.prepared.get_or_init(|| self.prepare(&lazy.question)))
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
        let reference_stems: Vec<(usize, bool)> = reference
            .content()
            .map(|w| (vocabulary.stem_id(reference.stem(w)), w.negated))
            .collect();

        let mut entity_keys: Vec<Vec<String>> = Vec::new();
        let mut entities: Vec<Entity> = Vec::new();
        let mut entity_of = |subject: &[String], vocabulary: &mut Vocabulary| -> Option<usize> {
            let aliases: Vec<Phrase> = subject
                .iter()
                .filter_map(|s| Phrase::from_analyzed(&analyze(s)))
                .collect();
            if aliases.is_empty() {
                return None;
            }
            let key: Vec<String> = aliases
                .iter()
                .map(|p| {
                    p.words
                        .iter()
                        .map(|w| w.stem.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            // Two subjects that share a name are the same entity.
            if let Some(e) = entity_keys
                .iter()
                .position(|k| k.iter().any(|name| key.contains(name)))
            {
                return Some(e);
            }
            if entities.len() == MAX_ENTITIES {
                return None;
            }
            entity_keys.push(key);
            entities.push(Entity {
                aliases: aliases.iter().map(|p| vocabulary.prepare(p)).collect(),
                rivals: 0,
            });
            Some(entities.len() - 1)
        };

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
                        entity: entity_of(&c.subject, &mut vocabulary),
                    }
                })
                .collect()
        };
        let mut concepts = concepts;
        if !derived {
            take_polarity_from_reference(&mut concepts, &reference, &vocabulary);
        }
        let misconceptions = q
            .misconceptions
            .iter()
            .filter_map(|m| {
                let phrase = Phrase::from_analyzed(&analyze(&m.phrase))?;
                Some(PreparedMisconception {
                    phrase_text: m.phrase.clone(),
                    why: m.why.clone(),
                    phrase: vocabulary.prepare(&phrase),
                    entity: entity_of(&m.subject, &mut vocabulary),
                })
            })
            .collect();
        // Entities sharing no name are contrasted with each other.
        let count = entities.len();
        for (e, entity) in entities.iter_mut().enumerate() {
            let all = if count >= 32 {
                u32::MAX
            } else {
                (1 << count) - 1
            };
            entity.rivals = all & !(1 << e);
        }

        // Every numbered stem gets its idf here, phrase-only ones too, saving a lookup per
        // answer word the question knows.
        let mut terms = vec![Term::default(); vocabulary.stem_count()];
        for (stem, id) in vocabulary.stems() {
            terms[id].idf = self.idf(stem);
        }
        for &t in &prompt_sequence {
            terms[t].in_prompt = true;
        }
        let mut counts = vec![[0; 2]; terms.len()];
        for &(t, negated) in &reference_stems {
            counts[t][usize::from(negated)] += 1;
        }
        for (term, count) in terms.iter_mut().zip(&counts) {
            let (idf, in_prompt) = (term.idf, term.in_prompt);
            for (slot, &c) in term.reference.iter_mut().zip(count) {
                if c > 0 {
                    *slot = Some(weight(c, idf, in_prompt));
                }
            }
        }
        for (stem, w) in self.topic_vector(&analyze(&topic_text(q))) {
            let id = vocabulary.stem_id(&stem);
            if id < terms.len() {
                terms[id].topic = w;
            }
        }
        // Synonyms of the reference's words stand in for them, once every stem the question
        // uses is numbered (a word the question uses means itself).
        let mut looked_up = HashSet::new();
        for w in reference.content() {
            if !looked_up.insert(reference.surface(w)) {
                continue;
            }
            let target = vocabulary.stem_id(reference.stem(w));
            for synonym in synonyms::synonyms_of_form(reference.surface(w)) {
                vocabulary.add_alias(stem_uncached(synonym), target);
            }
        }
        let reference_norm = terms
            .iter()
            .flat_map(|t| t.reference)
            .flatten()
            .map(|x| x * x)
            .sum::<f64>()
            .sqrt();
        PreparedQuestion {
            id: q.id.clone(),
            concepts,
            entities,
            derived,
            misconceptions,
            vocabulary,
            terms,
            reference_norm,
            reference_len: reference_stems.len(),
            prompt_sequence,
            meaning: Meaning::of(&reference),
            claims: ReferenceClaims::of(&reference),
        }
    }

    /// Cosine between the tf-idf vectors of an answer's counted words (`stems`: stem index into
    /// `a` and whether the word is denied) and of the question's reference answer, except that an
    /// answer longer than the reference is normalised by √(|answer|·|reference|) rather than
    /// |answer|; 0 when either is empty. A denied word and the same word affirmed are different terms: "does not block"
    /// shares nothing with "blocks". `stem_ids` is [`Vocabulary::stem_ids_of`] for `a`, `known`
    /// [`Corpus::answer_stems`].
    pub fn similarity(
        q: &PreparedQuestion,
        known: &AnswerStems,
        stem_ids: &[Option<usize>],
        aliases: &[Option<usize>],
        stems: impl Iterator<Item = (usize, bool)>,
    ) -> f64 {
        let mut counts = vec![[0; 2]; known.idf.len()];
        for (s, negated) in stems {
            counts[s][usize::from(negated)] += 1;
        }
        let mut squares = 0.0;
        let mut dot = 0.0;
        for (s, count) in counts.iter().enumerate() {
            if count == &[0, 0] {
                continue;
            }
            let (idf, in_prompt, reference, credit) = match (stem_ids[s], aliases[s]) {
                (Some(t), _) => (
                    q.terms[t].idf,
                    q.terms[t].in_prompt,
                    q.terms[t].reference,
                    1.0,
                ),
                // A synonym of a reference word shares part of that word's weight.
                (None, Some(t)) => (known.idf[s], false, q.terms[t].reference, SYNONYM_CREDIT),
                // Every prompt stem is a term, so this word is not damped.
                (None, None) => (known.idf[s], false, [None, None], 0.0),
            };
            for polarity in 0..2 {
                if count[polarity] == 0 {
                    continue;
                }
                let x = weight(count[polarity], idf, in_prompt);
                if let Some(y) = reference[polarity] {
                    dot += credit * x * y;
                }
                if let Some(y) = reference[1 - polarity] {
                    dot += credit * OPPOSITE_POLARITY_CREDIT * x * y;
                }
                squares += x * x;
            }
        }
        let norm = squares.sqrt();
        if norm == 0.0 || q.reference_norm == 0.0 {
            return 0.0;
        }
        // An answer longer than the reference is normalised by the geometric mean of the two
        // lengths: explaining more than the reference says costs less than plain cosine charges.
        let norm = if norm > q.reference_norm {
            (norm * q.reference_norm).sqrt()
        } else {
            norm
        };
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
                    negated: w.negated,
                };
                PreparedConcept {
                    name: surface.to_string(),
                    weight: self.idf(stem) * damp,
                    phrases: vec![vocabulary.prepare(&phrase)],
                    entity: None,
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
