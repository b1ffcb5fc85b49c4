//! What a text means, sentence by sentence: the embedding vector of each sentence the analyser
//! found, so an answer can be compared with the reference as a whole and sentence against
//! sentence, also where the two share no word.

use super::embedding::{TOKEN_DIMS, Table, Vector, token_unit};
use super::text::Analyzed;
use super::wordpiece::UNK;

/// One sentence's meaning.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub vector: Vector,
    /// WordPiece tokens in it (how much it says).
    pub tokens: u32,
    /// It professes not knowing: it claims nothing either way.
    pub hedged: bool,
    /// The vector's length, kept: every cosine with another sentence needs it.
    pub norm: f32,
}

impl Sentence {
    /// Cosine with another sentence, 0 when either is empty.
    pub fn cosine(&self, other: &Sentence) -> f64 {
        self.vector
            .cosine_by_norms(&other.vector, self.norm, other.norm)
    }
}

/// A distinct token of the text's content words (not grammatical words, not hedged).
#[derive(Debug, Clone)]
pub struct ContentToken {
    pub id: u32,
    /// The token's frequency weight (rare tokens weigh more).
    pub weight: f32,
}

/// A text's meaning.
#[derive(Debug, Clone, Default)]
pub struct Meaning {
    /// By `Word::sentence`.
    pub sentences: Vec<Sentence>,
    /// Every sentence that is not hedged, together.
    pub whole: Vector,
    /// Distinct content tokens, by id.
    pub content: Vec<ContentToken>,
    /// Their unit directions ([`token_unit`]) in blocks of [`LANES`] tokens, dimension by
    /// dimension: `units[b * TOKEN_DIMS + d][l]` is coordinate `d` of content token
    /// `b * LANES + l` (zero past the last token). One token of another text is then compared
    /// with a block of them in [`TOKEN_DIMS`] steps whose sums stay in registers, which the
    /// compiler vectorises, instead of a dot product (and its horizontal sum) per pair.
    units: Vec<[f32; LANES]>,
}

/// Tokens compared at once in [`Meaning::soft_recall`].
const LANES: usize = 8;

impl Meaning {
    /// The meaning of an analysed text (its tokens are assigned to the sentence of the word they
    /// start in, or follow).
    pub fn of(a: &Analyzed) -> Meaning {
        let table = Table::get();
        let mut sentences = vec![Sentence::default(); (a.sentences as usize).max(1)];
        for w in &a.words {
            if let Some(s) = sentences.get_mut(w.sentence as usize) {
                s.hedged |= w.hedged;
            }
        }
        // (token, sentence, content word?); sorted by token, so each distinct token's row is read
        // from the table once.
        let mut tokens: Vec<(u32, u32, bool)> = Vec::new();
        let mut at = 0usize;
        table.tokens(&a.text, |offset, id| {
            if id == UNK {
                return;
            }
            while at + 1 < a.words.len() && a.words[at + 1].span.0 <= offset {
                at += 1;
            }
            let word = a.words.get(at);
            // A number word means its digits ("one" is "1"), as the analyser's stems say.
            let id = match word {
                Some(w)
                    if a.stem(w).bytes().all(|b| b.is_ascii_digit()) && !a.stem(w).is_empty() =>
                {
                    table.vocab().id(a.stem(w)).unwrap_or(id)
                }
                _ => id,
            };
            let sentence = word.map_or(0, |w| w.sentence);
            tokens.push((id, sentence, word.is_some_and(|w| !w.is_stop && !w.hedged)));
        });
        tokens.sort_unstable();
        let mut content = Vec::new();
        let mut content_units: Vec<[f32; TOKEN_DIMS]> = Vec::new();
        for same in tokens.chunk_by(|x, y| x.0 == y.0) {
            let id = same[0].0;
            for &(_, sentence, _) in same {
                if let Some(s) = sentences.get_mut(sentence as usize) {
                    table.add_row(id, &mut s.vector);
                    s.tokens += 1;
                }
            }
            if same.iter().any(|t| t.2) {
                let (unit, weight) = token_unit(&table.row(id));
                content.push(ContentToken { id, weight });
                content_units.push(unit);
            }
        }
        for s in &mut sentences {
            s.norm = s.vector.norm();
        }
        let mut whole = Vector::default();
        for s in sentences.iter().filter(|s| !s.hedged) {
            whole.add(&s.vector);
        }
        let mut units = vec![[0.0f32; LANES]; content_units.len().div_ceil(LANES) * TOKEN_DIMS];
        for (i, unit) in content_units.iter().enumerate() {
            for (d, &x) in unit.iter().enumerate() {
                units[(i / LANES) * TOKEN_DIMS + d][i % LANES] = x;
            }
        }
        Meaning {
            sentences,
            whole,
            content,
            units,
        }
    }

    /// Content token `i`'s unit direction.
    fn unit(&self, i: usize) -> [f32; TOKEN_DIMS] {
        std::array::from_fn(|d| self.units[(i / LANES) * TOKEN_DIMS + d][i % LANES])
    }

    /// How much of `reference`'s content the text says, token by token: each distinct content
    /// token of the reference counts by the closest token of the text (1 when the same token is
    /// there, else the cosine of their directions), weighted by rarity. A paraphrase scores high
    /// without sharing the words; a text about something else stays near chance.
    pub fn soft_recall(&self, reference: &Meaning) -> f64 {
        let (mut sum, mut weight) = (0.0f64, 0.0f64);
        for (i, r) in reference.content.iter().enumerate() {
            let best = if self.content.binary_search_by_key(&r.id, |t| t.id).is_ok() {
                1.0
            } else {
                let unit = reference.unit(i);
                let mut best = 0.0f32;
                for block in self.units.chunks_exact(TOKEN_DIMS) {
                    let mut dots = [0.0f32; LANES];
                    for (x, column) in unit.iter().zip(block) {
                        for (d, c) in dots.iter_mut().zip(column) {
                            *d += x * c;
                        }
                    }
                    best = dots.iter().copied().fold(best, f32::max);
                }
                best
            };
            sum += f64::from(r.weight) * f64::from(best.clamp(0.0, 1.0));
            weight += f64::from(r.weight);
        }
        if weight > 0.0 { sum / weight } else { 0.0 }
    }

    /// Sentences that say something (not hedged, not empty).
    pub fn claims(&self) -> impl Iterator<Item = (usize, &Sentence)> {
        self.sentences
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.hedged && s.tokens > 0)
    }

    /// The cosine of each claim of `self` with each claim of `reference`, computed once for
    /// both alignment and reversal.
    pub fn cosines(&self, reference: &Meaning) -> SentenceCosines {
        let answer: Vec<usize> = self.claims().map(|(j, _)| j).collect();
        let of_reference: Vec<usize> = reference.claims().map(|(i, _)| i).collect();
        let mut cos = Vec::with_capacity(answer.len() * of_reference.len());
        for &j in &answer {
            for &i in &of_reference {
                cos.push(self.sentences[j].cosine(&reference.sentences[i]));
            }
        }
        SentenceCosines {
            answer,
            reference: of_reference,
            cos,
        }
    }

    /// See [`SentenceCosines::alignment`].
    pub fn alignment(&self, reference: &Meaning) -> Alignment {
        self.cosines(reference).alignment(reference)
    }
}

/// Cosines between the claims of an answer and of a reference (sentence numbers of each, and
/// the cosines answer-major).
#[derive(Debug, Clone, Default)]
pub struct SentenceCosines {
    pub answer: Vec<usize>,
    pub reference: Vec<usize>,
    cos: Vec<f64>,
}

impl SentenceCosines {
    /// The reference sentence closest to the `row`-th answer claim, with its cosine.
    pub fn best_reference(&self, row: usize) -> Option<(usize, f64)> {
        let n = self.reference.len();
        self.cos
            .get(row * n..(row + 1) * n)?
            .iter()
            .zip(&self.reference)
            .map(|(&c, &i)| (i, c))
            .max_by(|x, y| x.1.total_cmp(&y.1))
    }

    /// For each sentence of `reference`, how closely the best sentence of the answer says it
    /// (cosine), and which one; weighted by the reference sentence's length, the mean is how much
    /// of the reference the answer says in some sentence of its own.
    pub fn alignment(&self, reference: &Meaning) -> Alignment {
        let n = self.reference.len();
        let mut pairs = Vec::new();
        let (mut sum, mut weight) = (0.0, 0.0);
        for (col, &i) in self.reference.iter().enumerate() {
            let w = f64::from(reference.sentences[i].tokens);
            weight += w;
            let best = self
                .answer
                .iter()
                .enumerate()
                .map(|(row, &j)| (j, self.cos[row * n + col]))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((j, cos)) = best {
                sum += w * cos.max(0.0);
                pairs.push((i, j, cos));
            }
        }
        Alignment {
            mean: if weight > 0.0 { sum / weight } else { 0.0 },
            pairs,
        }
    }
}

/// How the sentences of an answer line up with the reference's.
#[derive(Debug, Clone, Default)]
pub struct Alignment {
    /// Length-weighted mean over the reference's sentences of the best cosine, 0–1.
    pub mean: f64,
    /// (reference sentence, best answer sentence, cosine).
    pub pairs: Vec<(usize, usize, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::embedding::Table;
    use crate::domain::scoring::text::analyze;

    #[test]
    fn each_sentence_gets_its_own_vector_and_hedges_say_nothing() {
        let m = Meaning::of(&analyze(
            "Streams process data in chunks. I'm not sure about backpressure.",
        ));
        assert_eq!(m.sentences.len(), 2);
        assert!(m.sentences.iter().all(|s| s.tokens > 0));
        assert!(!m.sentences[0].hedged && m.sentences[1].hedged);
        assert_eq!(m.whole, m.sentences[0].vector);
        // "backpressure" is in a hedged sentence: not content the answer claims.
        let streams = Table::get().vocab().id("streams");
        assert!(m.content.iter().any(|t| Some(t.id) == streams));
        let back = Table::get().vocab().id("back");
        assert!(!m.content.iter().any(|t| Some(t.id) == back));
    }

    #[test]
    fn soft_recall_credits_a_paraphrase_over_another_subject() {
        let reference = Meaning::of(&analyze("Node.js is fast because its I/O never blocks."));
        let para = Meaning::of(&analyze("It is quick since input and output do not stall."));
        let other = Meaning::of(&analyze("Hash passwords with bcrypt before storing them."));
        assert!(para.soft_recall(&reference) > other.soft_recall(&reference));
        assert!((reference.soft_recall(&reference) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_sentence_saying_the_reference_in_other_words_aligns_best() {
        let reference = Meaning::of(&analyze(
            "The event loop stays free while the file is read. Errors go to the callback.",
        ));
        let answer = Meaning::of(&analyze(
            "A failure is passed to the callback function as its first argument. Reading the file does not hold up the main thread.",
        ));
        let a = answer.alignment(&reference);
        assert_eq!(a.pairs.len(), 2);
        assert_eq!((a.pairs[0].0, a.pairs[0].1), (0, 1));
        assert_eq!((a.pairs[1].0, a.pairs[1].1), (1, 0));
    }
}
