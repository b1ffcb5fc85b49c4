//! Finding a phrase in an answer: every content word of the phrase, in any order, close together.
//!
//! A word matches by equal Snowball stem, by a typo of at most one edit (two for words of nine
//! letters or more; none under five letters), or by writing two words as one ("thread pool" /
//! "threadpool"). Never by substring: "air" does not match "chair".

use std::collections::HashMap;

use super::text::{Analyzed, stem_word};

/// Extra positions allowed between the words of a phrase.
const WINDOW_SLACK: usize = 3;
/// Words shorter than this must be spelled exactly.
const MIN_TYPO_LEN: usize = 5;
/// Words at least this long tolerate two edits.
const TWO_TYPO_LEN: usize = 9;

/// A phrase word as prepared from a bank, with what the typo check needs precomputed.
#[derive(Debug, Clone)]
pub struct PhraseWord {
    pub stem: String,
    pub surface: String,
    shape: Shape,
}

impl PhraseWord {
    pub fn new(stem: String, surface: String) -> Self {
        let shape = Shape::of(&surface);
        PhraseWord {
            stem,
            surface,
            shape,
        }
    }
}

/// Cheap facts about a word that rule out most typo comparisons before any edit distance.
#[derive(Debug, Clone, Copy)]
struct Shape {
    chars: usize,
    first: Option<char>,
    /// Which ASCII letters occur.
    letters: u32,
}

impl Shape {
    fn of(surface: &str) -> Shape {
        Shape {
            chars: surface.chars().count(),
            first: surface.chars().next(),
            letters: surface
                .bytes()
                .filter(u8::is_ascii_lowercase)
                .fold(0u32, |m, c| m | 1 << (c - b'a')),
        }
    }

    /// Could `self` be `other` with at most `max_edits` edits? People rarely mistype the first
    /// letter, and each edit changes at most two letters of the set of letters used.
    fn may_be_typo_of(&self, other: &Shape, max_edits: usize) -> bool {
        self.chars >= MIN_TYPO_LEN
            && self.chars.abs_diff(other.chars) <= max_edits
            && self.first == other.first
            && (self.letters ^ other.letters).count_ones() as usize <= 2 * max_edits
    }
}

/// One way of saying a concept, reduced to its content words.
#[derive(Debug, Clone)]
pub struct Phrase {
    pub words: Vec<PhraseWord>,
}

impl Phrase {
    /// The phrase's content words; `None` when it has none (a phrase made only of stop words).
    pub fn from_analyzed(a: &Analyzed) -> Option<Phrase> {
        let words: Vec<PhraseWord> = a
            .content()
            .map(|w| PhraseWord::new(w.stem.clone(), w.surface.clone()))
            .collect();
        (!words.is_empty()).then_some(Phrase { words })
    }

    /// The same phrase with one adjacent pair written as a single word ("thread pool" → "threadpool").
    pub fn joined_variants(&self) -> Vec<Phrase> {
        (0..self.words.len().saturating_sub(1))
            .map(|i| {
                let mut words = self.words.clone();
                let second = words.remove(i + 1);
                let surface = format!("{}{}", words[i].surface, second.surface);
                words[i] = PhraseWord::new(stem_word(&surface), surface);
                Phrase { words }
            })
            .collect()
    }
}

/// How well a phrase was found.
#[derive(Debug, Clone, PartialEq)]
pub enum PhraseMatch {
    /// All words close together; the answer positions of the match.
    Full {
        first: usize,
        last: usize,
    },
    /// At least half the words of a multi-word phrase, anywhere.
    Partial {
        first: usize,
        last: usize,
    },
    None,
}

/// An answer's content words, indexed for phrase lookups.
pub struct AnswerIndex<'a> {
    /// Content words that count (not stop words, not copied from the question), in order.
    pub content: Vec<Token<'a>>,
    by_stem: HashMap<&'a str, Vec<usize>>,
    by_surface: HashMap<&'a str, Vec<usize>>,
    /// Distinct surfaces long enough for typo tolerance, with their shapes and positions.
    long_surfaces: Vec<(&'a str, Shape, Vec<usize>)>,
}

/// A content word of the answer.
#[derive(Debug, Clone, Copy)]
pub struct Token<'a> {
    pub stem: &'a str,
    pub surface: &'a str,
    /// Index into `Analyzed::words`.
    pub word: usize,
}

impl<'a> AnswerIndex<'a> {
    pub fn new(content: Vec<Token<'a>>) -> Self {
        let mut by_stem: HashMap<&str, Vec<usize>> = HashMap::with_capacity(content.len());
        let mut by_surface: HashMap<&str, Vec<usize>> = HashMap::with_capacity(content.len());
        for (pos, t) in content.iter().enumerate() {
            by_stem.entry(t.stem).or_default().push(pos);
            by_surface.entry(t.surface).or_default().push(pos);
        }
        let mut long_surfaces: Vec<(&str, Shape, Vec<usize>)> = by_surface
            .iter()
            .map(|(s, p)| (*s, Shape::of(s), p.clone()))
            .filter(|(_, shape, _)| shape.chars >= MIN_TYPO_LEN)
            .collect();
        long_surfaces.sort_unstable_by(|a, b| a.0.cmp(b.0));
        AnswerIndex {
            content,
            by_stem,
            by_surface,
            long_surfaces,
        }
    }

    pub fn word_count(&self) -> usize {
        self.content.len()
    }

    /// Answer positions where a phrase word appears.
    fn positions(&self, word: &PhraseWord) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .by_stem
            .get(word.stem.as_str())
            .cloned()
            .unwrap_or_default();
        // Two answer words written where the phrase has one ("thread pool" for "threadpool").
        for (split, _) in word.surface.char_indices().skip(1) {
            let (head, tail) = word.surface.split_at(split);
            if let Some(starts) = self.by_surface.get(head) {
                out.extend(
                    starts
                        .iter()
                        .filter(|&&p| self.content.get(p + 1).is_some_and(|n| n.surface == tail)),
                );
            }
        }
        if out.is_empty() && word.shape.chars >= MIN_TYPO_LEN {
            let max_edits = if word.shape.chars >= TWO_TYPO_LEN {
                2
            } else {
                1
            };
            for (surface, shape, positions) in &self.long_surfaces {
                if shape.may_be_typo_of(&word.shape, max_edits)
                    && strsim::osa_distance(surface, &word.surface) <= max_edits
                {
                    out.extend(positions);
                }
            }
        }
        out
    }

    /// Look for a phrase: all words within `len + WINDOW_SLACK` positions of one another.
    pub fn find(&self, phrase: &Phrase) -> PhraseMatch {
        let per_word: Vec<Vec<usize>> = phrase.words.iter().map(|w| self.positions(w)).collect();
        let window = phrase.words.len() + WINDOW_SLACK;
        let mut best: Option<(usize, usize)> = None;
        if let Some((anchor_list, rest)) = per_word.split_first() {
            for &anchor in anchor_list {
                let mut first = anchor;
                let mut last = anchor;
                let all_near = rest.iter().all(|positions| {
                    let near = positions
                        .iter()
                        .copied()
                        .filter(|&p| p.abs_diff(anchor) < window)
                        .min_by_key(|&p| p.abs_diff(anchor));
                    if let Some(p) = near {
                        first = first.min(p);
                        last = last.max(p);
                    }
                    near.is_some()
                });
                if all_near && best.is_none_or(|(f, l)| last - first < l - f) {
                    best = Some((first, last));
                }
            }
        }
        if let Some((first, last)) = best {
            return PhraseMatch::Full { first, last };
        }
        let found: Vec<usize> = per_word.iter().filter_map(|p| p.first().copied()).collect();
        if phrase.words.len() >= 2 && found.len() * 2 >= phrase.words.len() {
            let first = found.iter().copied().min().unwrap_or(0);
            let last = found.iter().copied().max().unwrap_or(0);
            return PhraseMatch::Partial { first, last };
        }
        PhraseMatch::None
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::analyze;
    use super::*;

    fn index(a: &Analyzed) -> AnswerIndex<'_> {
        AnswerIndex::new(
            a.words
                .iter()
                .enumerate()
                .filter(|(_, w)| !w.is_stop)
                .map(|(i, w)| Token {
                    stem: &w.stem,
                    surface: &w.surface,
                    word: i,
                })
                .collect(),
        )
    }

    fn phrase(text: &str) -> Phrase {
        Phrase::from_analyzed(&analyze(text)).unwrap()
    }

    fn finds(answer: &str, p: &str) -> PhraseMatch {
        let a = analyze(answer);
        index(&a).find(&phrase(p))
    }

    #[test]
    fn phrases_match_in_any_order_within_a_window() {
        assert!(matches!(
            finds("we take snapshots of the heap", "heap snapshot"),
            PhraseMatch::Full { .. }
        ));
        assert!(matches!(
            finds(
                "heap usage grows; much later, after many unrelated words, a snapshot",
                "heap snapshot"
            ),
            PhraseMatch::Partial { .. }
        ));
    }

    #[test]
    fn typos_scale_with_word_length_and_never_substring() {
        assert!(matches!(
            finds("take a snapshtos", "snapshots"),
            PhraseMatch::Full { .. }
        ));
        assert!(matches!(
            finds("garbage colection", "garbage collection"),
            PhraseMatch::Full { .. }
        ));
        assert_eq!(finds("the chair", "air"), PhraseMatch::None);
        assert_eq!(
            finds("a ram disk", "rom"),
            PhraseMatch::None,
            "no typos under five letters"
        );
        assert_eq!(
            finds("cluster", "clusters module"),
            PhraseMatch::Partial { first: 0, last: 0 }
        );
    }

    #[test]
    fn compounds_match_split_and_joined() {
        let joined = phrase("thread pool").joined_variants();
        assert_eq!(joined[0].words[0].surface, "threadpool");
        let a = analyze("the threadpool has four threads");
        assert!(matches!(
            index(&a).find(&joined[0]),
            PhraseMatch::Full { .. }
        ));
        assert!(matches!(
            finds("the thread pool", "threadpool"),
            PhraseMatch::Full { .. }
        ));
        assert!(matches!(
            finds("raise UV_THREADPOOL_SIZE to 8", "uv threadpool size"),
            PhraseMatch::Full { .. }
        ));
    }
}
