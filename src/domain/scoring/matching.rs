//! Finding a phrase in an answer: every content word of the phrase, in any order, close together
//! and within one sentence.
//!
//! A word matches by equal Snowball stem, by a typo of at most one edit (two for words of nine
//! letters or more; none under five letters), or by writing two words as one ("thread pool" /
//! "threadpool"). Never by substring: "air" does not match "chair".

use super::FastMap;
use super::sorted_lines::{SortedLines, sorted_lines};
use super::text::{Analyzed, Shape, stem_word};

/// Lowercase English words of five letters or more (SCOWL, via Debian's wamerican; see
/// `THIRD-PARTY`), sorted bytewise, one a line.
static ENGLISH: SortedLines = sorted_lines!("english-words.txt");

/// True for an ordinary English word: such a word means itself and is never taken for a
/// misspelling of another.
pub fn is_english_word(surface: &str) -> bool {
    ENGLISH.find(surface).is_some()
}

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

    /// Most edits a typo of this word may have; `None` when it must be spelled exactly.
    fn max_edits(&self) -> Option<usize> {
        match self.shape.chars {
            n if n >= TWO_TYPO_LEN => Some(2),
            n if n >= MIN_TYPO_LEN => Some(1),
            _ => None,
        }
    }
}

impl Shape {
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
    /// The phrase states a denial ("does not block"): its words must be negated in the answer.
    pub negated: bool,
}

impl Phrase {
    /// The phrase's content words; `None` when it has none (a phrase made only of stop words).
    pub fn from_analyzed(a: &Analyzed) -> Option<Phrase> {
        let words: Vec<PhraseWord> = a
            .content()
            .map(|w| PhraseWord::new(a.stem(w).to_string(), a.surface(w).to_string()))
            .collect();
        let negated = a.words.iter().any(|w| !w.is_stop && w.negated);
        (!words.is_empty()).then_some(Phrase { words, negated })
    }

    /// The same phrase with one adjacent pair written as a single word ("thread pool" → "threadpool").
    pub fn joined_variants(&self) -> Vec<Phrase> {
        (0..self.words.len().saturating_sub(1))
            .map(|i| {
                let mut words = self.words.clone();
                let second = words.remove(i + 1);
                let surface = format!("{}{}", words[i].surface, second.surface);
                words[i] = PhraseWord::new(stem_word(&surface), surface);
                Phrase {
                    words,
                    negated: self.negated,
                }
            })
            .collect()
    }
}

/// A phrase as indices into its question's [`Vocabulary`].
#[derive(Debug, Clone)]
pub struct PreparedPhrase {
    words: Vec<usize>,
    pub negated: bool,
    /// The reference says it both affirmed and denied: either polarity states the claim.
    pub either: bool,
}

impl PreparedPhrase {
    /// The vocabulary number of the phrase's first word.
    pub fn first_word(&self) -> Option<usize> {
        self.words.first().copied()
    }

    /// Number of content words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The words a question knows. Every stem it uses (prompt, reference answer, phrases) is
/// numbered, so an answer's stems are looked up once ([`Vocabulary::stem_ids_of`]) and compared
/// by number after that. Concepts repeat words across their phrases and joined variants
/// ("worker processes", "fork workers"); an answer is searched for each distinct phrase word
/// once ([`AnswerIndex::new`]), and phrases only combine the results.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    stem_ids: FastMap<String, usize>,
    /// Phrase words by stem number: an answer word with the stem matches them.
    stem_words: Vec<Vec<usize>>,
    words: Vec<PhraseWord>,
    /// Index of each phrase word by (stem, surface), which is all its matches depend on.
    word_ids: FastMap<(String, String), usize>,
    /// Phrase words by each proper prefix of their surface, with the byte length of the prefix:
    /// an answer word equal to the prefix, followed by one equal to the rest, matches the word
    /// written in two ("thread" → threadpool at 6).
    heads: FastMap<String, Vec<(usize, usize)>>,
    /// Byte length of the longest head, and the first letters of all heads (see `letter_bit`).
    longest_head: usize,
    head_letters: u32,
    /// First letters of the phrase words long enough to be mistyped.
    typo_letters: u32,
    /// Stems of synonyms of reference words the question does not use itself, each with the
    /// stem number of the word it stands in for ("infinit" → the number of "unlimit").
    aliases: FastMap<String, usize>,
}

impl Vocabulary {
    /// The number of a stem, numbering it if it is new.
    pub fn stem_id(&mut self, stem: &str) -> usize {
        if let Some(&id) = self.stem_ids.get(stem) {
            return id;
        }
        self.stem_ids
            .insert(stem.to_string(), self.stem_words.len());
        self.stem_words.push(Vec::new());
        self.stem_words.len() - 1
    }

    /// Every numbered stem with its number.
    pub fn stems(&self) -> impl Iterator<Item = (&str, usize)> {
        self.stem_ids.iter().map(|(s, &id)| (s.as_str(), id))
    }

    pub fn stem_count(&self) -> usize {
        self.stem_words.len()
    }

    /// The number of each of an analysed text's stems (by stem index), if the question uses it.
    pub fn stem_ids_of(&self, a: &Analyzed) -> Vec<Option<usize>> {
        (0..a.stem_count())
            .map(|s| self.stem_ids.get(a.stem_str(s)).copied())
            .collect()
    }

    /// Let `stem` stand in for stem number `target`, unless the question uses `stem` itself or
    /// it already stands in for another word.
    pub fn add_alias(&mut self, stem: String, target: usize) {
        if !self.stem_ids.contains_key(&stem) {
            self.aliases.entry(stem).or_insert(target);
        }
    }

    /// For each of an analysed text's stems the question does not use (`None` in `stem_ids`,
    /// [`Vocabulary::stem_ids_of`]), the stem number it is a synonym of, if any.
    pub fn alias_ids_of(&self, a: &Analyzed, stem_ids: &[Option<usize>]) -> Vec<Option<usize>> {
        if self.aliases.is_empty() {
            return vec![None; stem_ids.len()];
        }
        stem_ids
            .iter()
            .enumerate()
            .map(|(s, id)| match id {
                Some(_) => None,
                None => self.aliases.get(a.stem_str(s)).copied(),
            })
            .collect()
    }

    /// The stem number of phrase word `w`.
    pub fn word_stem_id(&self, w: usize) -> Option<usize> {
        self.stem_ids.get(&self.words[w].stem).copied()
    }

    /// Add a phrase's words (those not already known) and refer to them by index.
    pub fn prepare(&mut self, phrase: &Phrase) -> PreparedPhrase {
        PreparedPhrase {
            words: phrase.words.iter().map(|w| self.intern(w)).collect(),
            negated: phrase.negated,
            either: false,
        }
    }

    fn intern(&mut self, word: &PhraseWord) -> usize {
        let key = (word.stem.clone(), word.surface.clone());
        if let Some(&id) = self.word_ids.get(&key) {
            return id;
        }
        let id = self.words.len();
        self.word_ids.insert(key, id);
        let stem = self.stem_id(&word.stem);
        self.stem_words[stem].push(id);
        for (split, _) in word.surface.char_indices().skip(1) {
            self.heads
                .entry(word.surface[..split].to_string())
                .or_default()
                .push((id, split));
            self.longest_head = self.longest_head.max(split);
            self.head_letters |= letter_bit(word.shape.first);
        }
        if word.max_edits().is_some() {
            self.typo_letters |= letter_bit(word.shape.first);
        }
        self.words.push(word.clone());
        id
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

/// One place where all words of a phrase stand close together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Answer positions (into `AnswerIndex::content`) of the first and last matched word.
    pub first: usize,
    pub last: usize,
    /// Some matched word is inside a negation's scope.
    pub negated: bool,
    /// Some matched word is in a sentence that professes not knowing.
    pub hedged: bool,
}

/// A content word of the answer.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    /// Index into `Analyzed::words`.
    pub word: usize,
    /// Index into `Analyzed::forms`.
    pub form: usize,
    /// The word's stem index (see `Analyzed::stem_str`).
    pub stem: usize,
    pub clause: u32,
    pub sentence: u32,
    pub negated: bool,
    pub hedged: bool,
}

/// The content words (not stop words) of an analysed text, in order.
pub fn content_tokens(a: &Analyzed) -> Vec<Token> {
    a.words
        .iter()
        .enumerate()
        .filter(|(_, w)| !w.is_stop)
        .map(|(i, w)| Token {
            word: i,
            form: w.form,
            stem: a.forms[w.form].stem,
            clause: w.clause,
            sentence: w.sentence,
            negated: w.negated,
            hedged: w.hedged,
        })
        .collect()
}

/// `strsim::osa_distance(a, b) <= max_edits`, computed the same way (optimal string alignment:
/// insertions, deletions, substitutions, adjacent transpositions) but on the stack for words of
/// up to `STACK` characters, as typo candidates are; strsim allocates three rows per call.
fn within_edits(a: &str, b: &str, max_edits: usize) -> bool {
    const STACK: usize = 32;
    let mut b_chars = ['\0'; STACK];
    let mut b_len = 0;
    for c in b.chars() {
        if b_len == STACK {
            return strsim::osa_distance(a, b) <= max_edits;
        }
        b_chars[b_len] = c;
        b_len += 1;
    }
    let b_chars = &b_chars[..b_len];
    let mut before_prev = [0; STACK + 1];
    let mut prev = [0; STACK + 1];
    let mut curr = [0; STACK + 1];
    for j in 0..=b_len {
        before_prev[j] = j;
        prev[j] = j;
    }
    let mut prev_a = None;
    for (i, a_char) in a.chars().enumerate() {
        curr[0] = i + 1;
        for j in 0..b_len {
            let b_char = b_chars[j];
            let cost = usize::from(a_char != b_char);
            curr[j + 1] = (curr[j] + 1).min(prev[j + 1] + 1).min(prev[j] + cost);
            let transposed = j > 0 && prev_a == Some(b_char) && b_chars[j - 1] == a_char;
            if cost == 1 && transposed {
                curr[j + 1] = curr[j + 1].min(before_prev[j - 1] + 1);
            }
        }
        before_prev = prev;
        prev = curr;
        prev_a = Some(a_char);
    }
    prev[b_len] <= max_edits
}

/// Buckets for words by first letter: a–z, then everything else.
const LETTER_BUCKETS: usize = 27;

fn letter_bucket(first: Option<char>) -> usize {
    match first {
        Some(c @ 'a'..='z') => c as usize - 'a' as usize,
        _ => LETTER_BUCKETS - 1,
    }
}

/// A word's first-letter bucket as a bit, for sets of first letters.
fn letter_bit(first: Option<char>) -> u32 {
    1 << letter_bucket(first)
}

/// Positions grouped by key (a counting sort): each key's positions, ascending.
struct Groups {
    starts: Vec<usize>,
    positions: Vec<usize>,
}

impl Groups {
    fn new(keys: impl Iterator<Item = usize> + Clone, key_count: usize) -> Groups {
        let mut starts = vec![0; key_count + 1];
        for k in keys.clone() {
            starts[k + 1] += 1;
        }
        for k in 0..key_count {
            starts[k + 1] += starts[k];
        }
        let mut next = starts.clone();
        let mut positions = vec![0; starts[key_count]];
        for (pos, k) in keys.enumerate() {
            positions[next[k]] = pos;
            next[k] += 1;
        }
        Groups { starts, positions }
    }

    fn get(&self, key: usize) -> &[usize] {
        &self.positions[self.starts[key]..self.starts[key + 1]]
    }
}

/// An answer's content words, with where each word of a question's vocabulary occurs in them.
pub struct AnswerIndex {
    /// Content words that count (not stop words, not copied from the question), in order.
    pub content: Vec<Token>,
    /// Answer positions of every vocabulary word, back to back; `spans[w]` delimits word w's.
    positions: Vec<usize>,
    spans: Vec<(usize, usize)>,
}

impl AnswerIndex {
    /// Find every vocabulary word in `content`: by equal stem, as two answer words
    /// ("thread pool" for "threadpool") and, only when neither finds it, as a typo. The positions
    /// of each word come in that order, which decides ties between equally good matches.
    /// `stem_ids` is [`Vocabulary::stem_ids_of`] for `a`.
    pub fn new(
        a: &Analyzed,
        content: Vec<Token>,
        vocabulary: &Vocabulary,
        stem_ids: &[Option<usize>],
    ) -> Self {
        let by_form = Groups::new(content.iter().map(|t| t.form), a.forms.len());
        let by_stem = Groups::new(content.iter().map(|t| t.stem), a.stem_count());
        let counted_forms = || (0..a.forms.len()).filter(|&f| !by_form.get(f).is_empty());

        // Answer stem of each vocabulary word, when the answer has it.
        let mut word_stem: Vec<Option<usize>> = vec![None; vocabulary.words.len()];
        for stem in (0..a.stem_count()).filter(|&s| !by_stem.get(s).is_empty()) {
            let Some(id) = stem_ids[stem] else {
                continue;
            };
            for &w in &vocabulary.stem_words[id] {
                word_stem[w] = Some(stem);
            }
        }

        // Vocabulary words written as two answer words: (word, split, position), in the order the
        // search by split point finds them.
        let mut split_hits: Vec<(usize, usize, usize)> = Vec::new();
        for form in counted_forms() {
            let surface = a.form_surface(form);
            // Most answer words are longer than any head or start with a letter no phrase word
            // does: skip their lookup.
            if surface.len() > vocabulary.longest_head
                || vocabulary.head_letters & letter_bit(a.forms[form].shape.first) == 0
            {
                continue;
            }
            let Some(heads) = vocabulary.heads.get(surface) else {
                continue;
            };
            for &(w, split) in heads {
                let tail = &vocabulary.words[w].surface[split..];
                for &p in by_form.get(form) {
                    if content
                        .get(p + 1)
                        .is_some_and(|next| a.form_surface(next.form) == tail)
                    {
                        split_hits.push((w, split, p));
                    }
                }
            }
        }
        split_hits.sort_unstable();

        // Distinct answer words that could be typos of a phrase word, grouped by first letter
        // (a typo keeps it).
        let long: Vec<usize> = counted_forms()
            .filter(|&f| {
                let shape = a.forms[f].shape;
                shape.chars >= MIN_TYPO_LEN
                    && vocabulary.typo_letters & letter_bit(shape.first) != 0
                    // "throughout" is a word of its own, never a typo of "throughput".
                    && !a.forms[f].is_english
            })
            .collect();
        let long_by_letter = Groups::new(
            long.iter().map(|&f| letter_bucket(a.forms[f].shape.first)),
            LETTER_BUCKETS,
        );

        let mut positions = Vec::with_capacity(content.len());
        let mut spans = Vec::with_capacity(vocabulary.words.len());
        let mut split_hits = split_hits.into_iter().peekable();
        let mut typos: Vec<usize> = Vec::new();
        for (w, word) in vocabulary.words.iter().enumerate() {
            let from = positions.len();
            if let Some(stem) = word_stem[w] {
                positions.extend_from_slice(by_stem.get(stem));
            }
            while let Some((_, _, p)) = split_hits.next_if(|&(hit, _, _)| hit == w) {
                positions.push(p);
            }
            if let (true, Some(max_edits)) = (positions.len() == from, word.max_edits()) {
                typos.clear();
                typos.extend(
                    long_by_letter
                        .get(letter_bucket(word.shape.first))
                        .iter()
                        .map(|&i| long[i])
                        .filter(|&f| {
                            a.forms[f].shape.may_be_typo_of(&word.shape, max_edits)
                                && within_edits(a.form_surface(f), &word.surface, max_edits)
                        }),
                );
                typos.sort_unstable_by(|&x, &y| a.form_surface(x).cmp(a.form_surface(y)));
                for &f in &typos {
                    positions.extend_from_slice(by_form.get(f));
                }
            }
            spans.push((from, positions.len()));
        }
        AnswerIndex {
            content,
            positions,
            spans,
        }
    }

    pub fn word_count(&self) -> usize {
        self.content.len()
    }

    /// Answer positions where vocabulary word `w` appears.
    fn positions(&self, w: usize) -> &[usize] {
        let (from, to) = self.spans[w];
        &self.positions[from..to]
    }

    /// A phrase is said within one sentence: "… maxBuffer. Spawn streams …" is not "spawn
    /// buffers".
    fn same_sentence(&self, p: usize, q: usize) -> bool {
        self.content[p].sentence == self.content[q].sentence
    }

    /// Every place where all words of the phrase stand within `len + WINDOW_SLACK` positions
    /// of one another (one window per position of the phrase's first word), tightest first.
    pub fn windows(&self, phrase: &PreparedPhrase) -> Vec<Window> {
        let window = phrase.words.len() + WINDOW_SLACK;
        let mut found: Vec<Window> = Vec::new();
        let Some((&anchor_word, rest)) = phrase.words.split_first() else {
            return found;
        };
        for &anchor in self.positions(anchor_word) {
            let mut w = Window {
                first: anchor,
                last: anchor,
                negated: self.content[anchor].negated,
                hedged: self.content[anchor].hedged,
            };
            let all_near = rest.iter().all(|&word| {
                let near = self
                    .positions(word)
                    .iter()
                    .copied()
                    .filter(|&p| p.abs_diff(anchor) < window && self.same_sentence(p, anchor))
                    .min_by_key(|&p| p.abs_diff(anchor));
                if let Some(p) = near {
                    w.first = w.first.min(p);
                    w.last = w.last.max(p);
                    w.negated |= self.content[p].negated;
                    w.hedged |= self.content[p].hedged;
                }
                near.is_some()
            });
            if all_near && !found.contains(&w) {
                found.push(w);
            }
        }
        found.sort_by_key(|w| (w.last - w.first, w.first));
        found
    }

    /// Look for a phrase: all words within `len + WINDOW_SLACK` positions of one another.
    pub fn find(&self, phrase: &PreparedPhrase) -> PhraseMatch {
        let window = phrase.words.len() + WINDOW_SLACK;
        let mut best: Option<(usize, usize)> = None;
        if let Some((&anchor_word, rest)) = phrase.words.split_first() {
            for &anchor in self.positions(anchor_word) {
                let mut first = anchor;
                let mut last = anchor;
                let all_near = rest.iter().all(|&w| {
                    let near = self
                        .positions(w)
                        .iter()
                        .copied()
                        .filter(|&p| p.abs_diff(anchor) < window && self.same_sentence(p, anchor))
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
        // The first position of each word found anywhere.
        let found = phrase
            .words
            .iter()
            .filter_map(|&w| self.positions(w).first().copied());
        let (count, first, last) = found.fold((0, usize::MAX, 0), |(n, f, l), p| {
            (n + 1, f.min(p), l.max(p))
        });
        if phrase.words.len() >= 2 && count * 2 >= phrase.words.len() {
            return PhraseMatch::Partial { first, last };
        }
        PhraseMatch::None
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::analyze;
    use super::*;

    fn phrase(text: &str) -> Phrase {
        Phrase::from_analyzed(&analyze(text)).unwrap()
    }

    fn find(answer: &str, p: &Phrase) -> PhraseMatch {
        let mut vocabulary = Vocabulary::default();
        let prepared = vocabulary.prepare(p);
        let a = analyze(answer);
        let stem_ids = vocabulary.stem_ids_of(&a);
        AnswerIndex::new(&a, content_tokens(&a), &vocabulary, &stem_ids).find(&prepared)
    }

    fn finds(answer: &str, p: &str) -> PhraseMatch {
        find(answer, &phrase(p))
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
            finds("throughout the day", "throughput"),
            PhraseMatch::None,
            "a real word is not a typo of another"
        );
        assert!(is_english_word("throughout") && !is_english_word("colection"));
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
    fn within_edits_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "snapshots",
            "snapshtos",
            "snpashots",
            "colection",
            "collection",
            "garbage",
            "grabage",
            "naïve",
            "naive",
            "größe",
            "grösse",
            "threadpool",
            "thraedpool",
            "abcdefghijklmnopqrstuvwxyzabcdefghij",
            "abcdefghijklmnopqrstuvwxyzabcdefghji",
        ];
        for a in words {
            for b in words {
                let distance = strsim::osa_distance(a, b);
                for max in 0..4 {
                    assert_eq!(within_edits(a, b, max), distance <= max, "{a} {b} {max}");
                }
            }
        }
    }

    #[test]
    fn compounds_match_split_and_joined() {
        let joined = phrase("thread pool").joined_variants();
        assert_eq!(joined[0].words[0].surface, "threadpool");
        assert!(matches!(
            find("the threadpool has four threads", &joined[0]),
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
