//! Turning free text into comparable words.
//!
//! Technical answers are full of identifiers (`child_process.fork`, `--max-old-space-size`,
//! `SharedArrayBuffer`, `UV_THREADPOOL_SIZE`). Each identifier is kept whole (so an exact API name
//! can be recognised) and split into its parts (so "shared array buffer" written as prose matches
//! too). Every word carries its Snowball stem, so "leaks", "leaking" and "leak" are one word.
//!
//! Longer than 600 lines on purpose: it is one tokenizer — sentence, clause and fragment breaks,
//! identifiers split into parts, the lexicon caching stems — and the small word classes it
//! consults (stop words, negations, contractions); about 120 lines at the end are its tests.

use std::cell::RefCell;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use super::FastMap;
use super::matching::is_english_word;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A fragment of at most this many tokens reads as a list item, not a sentence.
pub const LIST_ITEM_MAX: usize = 4;

/// One word of a text, in order. Its lowercased form and stem are shared by every occurrence of
/// the same word ([`Analyzed::surface`], [`Analyzed::stem`]), so a word costs no allocation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Word {
    /// Index into [`Analyzed::forms`].
    pub form: usize,
    /// Byte range in the normalised text, for quoting what matched.
    pub span: (usize, usize),
    /// A grammatical word ("the", "with", "is"): it links ideas but carries none.
    pub is_stop: bool,
    /// A word that turns the meaning around ("not", "never", "doesn't").
    pub is_negation: bool,
    /// A grammatical word for judging how text reads: every stop word, and the few
    /// meaning-bearing function words ("same", "only", "before") kept for matching.
    pub is_function: bool,
    /// Clause number (clauses end at punctuation and at contrastive conjunctions).
    pub clause: u32,
    /// Sentence number (sentences end at `.`, `!`, `?`, `;` and line breaks).
    pub sentence: u32,
    /// Inside the scope of a negation: "it does **not block the loop**", "**X** is a myth".
    pub negated: bool,
    /// In a sentence that professes not knowing ("I'm not sure", "never used it").
    pub hedged: bool,
}

/// A distinct lowercased word of a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Form {
    /// Byte range of the lowercased surface (apostrophes kept) in the text's surface buffer.
    surface: (usize, usize),
    /// Index of its Snowball stem among the text's distinct stems (empty for stop words).
    pub stem: usize,
    pub is_stop: bool,
    pub is_negation: bool,
    pub is_function: bool,
    /// An ordinary English word ([`is_english_word`]): never taken for a typo of another.
    pub is_english: bool,
    pub shape: Shape,
}

/// Cheap facts about a word's spelling, which rule out most typo comparisons before any edit
/// distance is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Length in characters.
    pub chars: usize,
    pub first: Option<char>,
    /// Which ASCII letters occur.
    pub letters: u32,
}

impl Shape {
    pub fn of(surface: &str) -> Shape {
        Shape {
            chars: surface.chars().count(),
            first: surface.chars().next(),
            letters: surface
                .bytes()
                .filter(u8::is_ascii_lowercase)
                .fold(0u32, |m, c| m | 1 << (c - b'a')),
        }
    }
}

/// A text split into words, plus the whole identifiers it contained.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    /// The NFKC-normalised text the spans point into.
    pub text: String,
    /// Every word in order, stop words included.
    pub words: Vec<Word>,
    /// Distinct lowercased words, in order of first appearance.
    pub forms: Vec<Form>,
    /// Byte ranges of the distinct stems in `stem_buf`, in order of first appearance.
    stems: Vec<(usize, usize)>,
    /// Lowercased words back to back; `Form::surface` points into it.
    surface_buf: String,
    /// Stems back to back; `stems` points into it.
    stem_buf: String,
    /// Compound identifiers kept whole, lowercased (`child_process.fork`).
    pub identifiers: Vec<String>,
    /// Number of raw tokens (an identifier counts once), for judging how text reads.
    pub raw_tokens: usize,
    /// Raw tokens that are stop words.
    pub raw_stop_tokens: usize,
    /// Raw tokens that are stop words proper (not the meaning-bearing function words kept for
    /// matching, such as "before" or "only").
    pub raw_grammar_tokens: usize,
    /// Raw tokens that are words (two letters or more, or a stop word): not numbers, symbols or
    /// the one-letter variables of a formula.
    pub raw_word_tokens: usize,
    /// Raw tokens per list-like fragment (text between commas, semicolons, brackets, line breaks).
    pub fragments: Vec<usize>,
    /// Number of clauses; `Word::clause` is below it.
    pub clauses: u32,
    /// Number of sentences; `Word::sentence` is below it.
    pub sentences: u32,
}

impl Analyzed {
    /// The content words (not stop words) in order.
    pub fn content(&self) -> impl Iterator<Item = &Word> {
        self.words.iter().filter(|w| !w.is_stop)
    }

    /// A word's lowercased surface form, as written (apostrophes kept).
    pub fn surface(&self, word: &Word) -> &str {
        self.form_surface(word.form)
    }

    /// A word's Snowball stem (empty for stop words, which are never matched).
    pub fn stem(&self, word: &Word) -> &str {
        self.stem_str(self.forms[word.form].stem)
    }

    /// The lowercased surface of a distinct form.
    pub fn form_surface(&self, form: usize) -> &str {
        let (from, to) = self.forms[form].surface;
        &self.surface_buf[from..to]
    }

    /// The text of a distinct stem.
    pub fn stem_str(&self, stem: usize) -> &str {
        let (from, to) = self.stems[stem];
        &self.stem_buf[from..to]
    }

    /// Number of distinct stems; stem indices are below this.
    pub fn stem_count(&self) -> usize {
        self.stems.len()
    }

    /// Share of raw tokens that sit in short list items (at most [`LIST_ITEM_MAX`] tokens between
    /// commas, semicolons or line breaks): near 0 for prose, even with a short list inside it;
    /// near 1 for keywords separated by commas or line breaks.
    pub fn list_item_share(&self) -> f64 {
        let total: usize = self.fragments.iter().sum();
        // One short fragment is a short answer, not a list; brevity deals with that.
        if total == 0 || self.fragments.len() < 2 {
            return 0.0;
        }
        let short: usize = self.fragments.iter().filter(|&&n| n <= LIST_ITEM_MAX).sum();
        short as f64 / total as f64
    }

    /// Share of the word tokens (see [`Analyzed::raw_word_tokens`]) that are grammatical words:
    /// a formula is not a keyword salad for lacking them.
    pub fn function_word_share_of_words(&self) -> f64 {
        if self.raw_word_tokens == 0 {
            0.0
        } else {
            self.raw_grammar_tokens as f64 / self.raw_word_tokens as f64
        }
    }

    /// Share of raw tokens that are grammatical words; prose sits around 0.3–0.5,
    /// a bare list of keywords near 0.
    pub fn function_word_ratio(&self) -> f64 {
        if self.raw_tokens == 0 {
            0.0
        } else {
            self.raw_stop_tokens as f64 / self.raw_tokens as f64
        }
    }
}

/// Normalise, tokenise, stem.
///
/// Nothing is allocated per word: the text is cut into lowercased parts (appended to one buffer),
/// then each part is looked up in the thread's lexicon, which numbers the distinct words (forms)
/// and stems of the text so callers can count and compare them as integers.
pub fn analyze(input: &str) -> Analyzed {
    // ASCII is already in NFKC: skip the normalisation tables for the common case; of the
    // folded characters only the backtick is ASCII.
    let text: String = if input.is_ascii() {
        input.replace('`', "'")
    } else {
        input
            .nfkc()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' => '\'',
                c => c,
            })
            .collect()
    };
    // Sized for a word every five bytes, so the buffers rarely grow.
    let mut out = Analyzed {
        words: Vec::with_capacity(text.len() / 5),
        forms: Vec::with_capacity(text.len() / 5),
        stems: Vec::with_capacity(text.len() / 5),
        surface_buf: String::with_capacity(text.len()),
        stem_buf: String::with_capacity(text.len()),
        ..Analyzed::default()
    };
    LEXICON.with_borrow_mut(|lexicon| {
        lexicon.start_text();
        let mut parts = Vec::new();
        let mut fragment = 0;
        let mut last_end = 0;
        let (mut clause, mut sentence) = (0u32, 0u32);
        for (start, raw) in raw_tokens(&text) {
            split_parts(raw, &mut parts);
            if parts.is_empty() {
                continue;
            }
            let gap = &text[last_end..start];
            if fragment > 0 && gap.contains(is_fragment_break) {
                out.fragments.push(fragment);
                fragment = 0;
            }
            if !out.words.is_empty() {
                if breaks_sentence(gap) {
                    sentence += 1;
                    clause += 1;
                } else if breaks_clause(gap) {
                    clause += 1;
                }
            }
            fragment += 1;
            last_end = start + raw.len();
            out.raw_tokens += 1;
            if raw.chars().filter(|c| c.is_alphabetic()).nth(1).is_some()
                || (parts.len() == 1 && is_stop_word(&raw.to_lowercase()))
            {
                out.raw_word_tokens += 1;
            }
            let whole = parts.len() == 1;
            if !whole {
                out.identifiers.push(raw.to_lowercase());
            }
            for &(offset, part) in &parts {
                // Lowercased into one buffer; the lexicon turns it into a form of this text.
                let from = out.surface_buf.len();
                if part.is_ascii() {
                    out.surface_buf.push_str(part);
                    out.surface_buf[from..].make_ascii_lowercase();
                } else {
                    out.surface_buf.push_str(&part.to_lowercase());
                }
                let lowered = (from, out.surface_buf.len());
                let form = lexicon.form_in(&mut out, lowered);
                let Form {
                    is_stop,
                    is_negation,
                    is_function,
                    ..
                } = out.forms[form];
                if is_function && whole {
                    out.raw_stop_tokens += 1;
                }
                if is_stop && whole {
                    out.raw_grammar_tokens += 1;
                }
                // "but", "while", "whereas" start a clause of their own.
                if !out.words.is_empty() && is_contrastive(out.form_surface(form)) {
                    clause += 1;
                }
                out.words.push(Word {
                    form,
                    span: (start + offset, start + offset + part.len()),
                    is_stop,
                    // Inside a name ("import/no-cycle", "no-cache") a "no" names, not denies.
                    is_negation: is_negation && whole,
                    is_function,
                    clause,
                    sentence,
                    negated: false,
                    hedged: false,
                });
            }
        }
        if fragment > 0 {
            out.fragments.push(fragment);
        }
        out.clauses = clause + 1;
        out.sentences = sentence + 1;
    });
    out.text = text;
    super::polarity::mark(&mut out);
    out
}

/// Characters between two words that end a sentence.
fn is_sentence_break(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '\n')
}

/// A sentence break between two words. A full stop ends a sentence only when a space (or a
/// closing bracket or quote) follows it: in ".gitignore", ".env" or "../" it is part of a name.
fn breaks_sentence(gap: &str) -> bool {
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '.' {
            if chars
                .peek()
                .is_some_and(|&n| n.is_whitespace() || matches!(n, ')' | ']' | '"' | '\''))
            {
                return true;
            }
        } else if is_sentence_break(c) {
            return true;
        }
    }
    false
}

/// Characters between two words that end a clause (a sentence break does too).
fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | ':' | '(' | ')' | '[' | ']' | '—' | '–' | '|' | '•' | '·'
    )
}

/// A clause break between two words; the empty brackets of a call ("spawn() buffers") are part
/// of the name before them, not a break.
fn breaks_clause(gap: &str) -> bool {
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '(' && chars.peek() == Some(&')') {
            chars.next();
            continue;
        }
        if is_clause_break(c) {
            return true;
        }
    }
    false
}

/// Conjunctions that set what follows against what came before.
pub(super) fn is_contrastive(surface: &str) -> bool {
    matches!(
        surface,
        "but"
            | "while"
            | "whereas"
            | "although"
            | "though"
            | "however"
            | "unlike"
            | "except"
            | "otherwise"
            | "instead"
    )
}

/// Characters that separate list items (a full stop ends a sentence, which is not a list item).
fn is_fragment_break(c: char) -> bool {
    matches!(c, ',' | ';' | '\n' | '|' | '•' | '·')
}

/// What scoring needs to know about a lowercased word, whatever text it appears in.
struct Lexeme {
    /// Index into `Lexicon::stems`; stop words have the empty stem (they are never matched).
    stem: usize,
    is_stop: bool,
    is_negation: bool,
    is_function: bool,
    is_english: bool,
    shape: Shape,
    /// The text (`Lexicon::text`) in which the word was last seen, and its form index there.
    seen_in: u64,
    form: usize,
}

struct Stem {
    text: Box<str>,
    /// The text in which the stem was last seen, and its stem index there.
    seen_in: u64,
    index: usize,
}

/// Words looked up recently on this thread. Answers share most of their vocabulary, and Snowball
/// stemming is the largest single cost of scoring; one hash lookup here also replaces the stop
/// word search, the English word list search and the spelling facts for typos, and numbers the
/// text's distinct words and stems. It changes no result.
#[derive(Default)]
struct Lexicon {
    ids: FastMap<Box<str>, usize>,
    lexemes: Vec<Lexeme>,
    stem_ids: FastMap<Box<str>, usize>,
    stems: Vec<Stem>,
    /// Counts the texts analysed, to tell this text's forms from earlier ones.
    text: u64,
}

/// Words kept before the lexicon starts afresh.
const LEXICON_LIMIT: usize = 50_000;

thread_local! {
    static LEXICON: RefCell<Lexicon> = RefCell::new(Lexicon::default());
}

impl Lexicon {
    fn start_text(&mut self) {
        // Only between texts: form and stem indices of the current text live in the entries.
        if self.lexemes.len() >= LEXICON_LIMIT {
            *self = Lexicon {
                text: self.text,
                ..Lexicon::default()
            };
        }
        self.text += 1;
    }

    /// The form index in `out` of the word at `surface` (a range of `out.surface_buf`), adding
    /// the form, and its stem, the first time the word occurs in this text.
    fn form_in(&mut self, out: &mut Analyzed, surface: (usize, usize)) -> usize {
        let id = self.id(&out.surface_buf[surface.0..surface.1]);
        let lexeme = &mut self.lexemes[id];
        if lexeme.seen_in != self.text {
            let stem = &mut self.stems[lexeme.stem];
            if stem.seen_in != self.text {
                stem.seen_in = self.text;
                stem.index = out.stems.len();
                let from = out.stem_buf.len();
                out.stem_buf.push_str(&stem.text);
                out.stems.push((from, out.stem_buf.len()));
            }
            lexeme.seen_in = self.text;
            lexeme.form = out.forms.len();
            out.forms.push(Form {
                surface,
                stem: stem.index,
                is_stop: lexeme.is_stop,
                is_negation: lexeme.is_negation,
                is_function: lexeme.is_function,
                is_english: lexeme.is_english,
                shape: lexeme.shape,
            });
        }
        lexeme.form
    }

    /// The word's index, stemming it the first time.
    fn id(&mut self, surface: &str) -> usize {
        if let Some(&id) = self.ids.get(surface) {
            return id;
        }
        let is_stop = is_stop_word(surface);
        let stem = if is_stop {
            String::new()
        } else {
            stem_uncached(surface)
        };
        let stem = match self.stem_ids.get(stem.as_str()) {
            Some(&s) => s,
            None => {
                self.stems.push(Stem {
                    text: stem.as_str().into(),
                    seen_in: 0,
                    index: 0,
                });
                self.stem_ids.insert(stem.into(), self.stems.len() - 1);
                self.stems.len() - 1
            }
        };
        self.lexemes.push(Lexeme {
            stem,
            is_stop,
            is_negation: is_negation_word(surface),
            is_function: is_stop || KEPT_FUNCTION.contains(&surface),
            is_english: is_english_word(surface),
            shape: Shape::of(surface),
            seen_in: 0,
            form: 0,
        });
        self.ids.insert(surface.into(), self.lexemes.len() - 1);
        self.lexemes.len() - 1
    }
}

/// The stem used for matching; possessives and contractions are dropped first.
pub fn stem_word(surface: &str) -> String {
    if is_stop_word(surface) {
        // The lexicon keeps no stems for stop words.
        return stem_uncached(surface);
    }
    LEXICON.with_borrow_mut(|lexicon| {
        let id = lexicon.id(surface);
        lexicon.stems[lexicon.lexemes[id].stem].text.to_string()
    })
}

/// The stem [`stem_word`] gives, without keeping the word in the lexicon that caches answer
/// words: for words stemmed once and never looked up again (the synonyms of a reference's
/// words, tens of thousands of them over the banks).
pub fn stem_uncached(surface: &str) -> String {
    let base = surface
        .strip_suffix("'s")
        .or_else(|| surface.strip_suffix('\''))
        .unwrap_or(surface);
    if base.chars().any(|c| c.is_ascii_digit()) || base.len() <= 2 {
        return base.to_string();
    }
    if let Some(digits) = number_word(base) {
        return digits.to_string();
    }
    STEMMER.stem(base).into_owned()
}

/// A small number written as a word means what its digits do: "one element" is "1 element".
fn number_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "zero" => "0",
        "one" => "1",
        "two" => "2",
        "three" => "3",
        "four" => "4",
        "five" => "5",
        "six" => "6",
        "seven" => "7",
        "eight" => "8",
        "nine" => "9",
        "ten" => "10",
        "eleven" => "11",
        "twelve" => "12",
        _ => return None,
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_connector(c: char) -> bool {
    matches!(c, '_' | '.' | '-' | '/' | '\'' | '$' | '#' | '@' | ':')
}

/// Maximal runs of word characters and inner connectors, trimmed of connectors at either end
/// (`--max-old-space-size` → `max-old-space-size`, `end.` → `end`).
fn raw_tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let is_token_char = |c: char| is_word_char(c) || is_connector(c);
    let mut chars = text.char_indices();
    std::iter::from_fn(move || {
        loop {
            let (start, _) = chars.find(|&(_, c)| is_token_char(c))?;
            let end = chars
                .find(|&(_, c)| !is_token_char(c))
                .map_or(text.len(), |(i, _)| i);
            let token = &text[start..end];
            let trimmed_start = token.trim_start_matches(is_connector);
            let trimmed = trimmed_start.trim_end_matches(is_connector);
            if !trimmed.is_empty() {
                return Some((start + token.len() - trimmed_start.len(), trimmed));
            }
        }
    })
}

/// Split an identifier into parts at connectors and camelCase boundaries; an apostrophe stays
/// inside its word ("doesn't", "node's"). `parts` is reused across calls to save allocations.
fn split_parts<'t>(token: &'t str, parts: &mut Vec<(usize, &'t str)>) {
    parts.clear();
    // Most tokens are plain words (ASCII letters and digits, perhaps capitalised): one part.
    let bytes = token.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        parts.push((0, token));
        return;
    }
    let mut push = |start: usize, part: &'t str| {
        let part = part.trim_end_matches('\'');
        if part.chars().any(is_word_char) {
            parts.push((start, part));
        }
    };
    let mut start: Option<usize> = None;
    let mut prev: Option<char> = None;
    for (i, c) in token.char_indices() {
        let before = prev.replace(c);
        if is_connector(c) && c != '\'' {
            if let Some(s) = start.take() {
                push(s, &token[s..i]);
            }
            continue;
        }
        if c == '\'' && start.is_none() {
            continue;
        }
        let Some(s) = start else {
            start = Some(i);
            continue;
        };
        // A part has started, so this is not the token's first character.
        let before = before.unwrap_or(c);
        let next = token[i + c.len_utf8()..].chars().next();
        let lower_to_upper = before.is_lowercase() && c.is_uppercase();
        let acronym_end =
            before.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase);
        if lower_to_upper || acronym_end {
            push(s, &token[s..i]);
            start = Some(i);
        }
    }
    if let Some(s) = start {
        push(s, &token[s..]);
    }
}

/// Function words that decide meaning ("they are the **same**", "**only** one thread", "runs
/// **before** I/O callbacks"): matched and weighed like content words, but counted as grammar
/// when judging whether text reads as prose.
const KEPT_FUNCTION: &[&str] = &[
    "after", "all", "before", "both", "few", "fewer", "less", "more", "most", "only", "same",
];

pub fn is_negation_word(surface: &str) -> bool {
    matches!(
        surface,
        "not" | "no" | "never" | "without" | "cannot" | "neither" | "nor" | "none" | "nothing"
    ) || surface.ends_with("n't")
        || is_unmarked_contraction(surface)
}

/// "dont", "doesnt", "isnt": negated auxiliaries typed without their apostrophe, as answers
/// written in a hurry often have them. ("cant" and "wont" are words too, but rare ones.)
fn is_unmarked_contraction(surface: &str) -> bool {
    matches!(
        surface,
        "aint"
            | "arent"
            | "cant"
            | "couldnt"
            | "didnt"
            | "doesnt"
            | "dont"
            | "hadnt"
            | "hasnt"
            | "havent"
            | "isnt"
            | "mustnt"
            | "neednt"
            | "shouldnt"
            | "wasnt"
            | "werent"
            | "wont"
            | "wouldnt"
    )
}

/// English function words, in the spirit of the common IR stop lists. Kept short on purpose:
/// domain verbs and nouns ("use", "process", "data") carry meaning in technical answers.
pub fn is_stop_word(surface: &str) -> bool {
    // No stop word is longer than 10 bytes; most words of an answer are ruled out here.
    surface.len() <= 10
        && (STOP.binary_search(&surface).is_ok() || is_unmarked_contraction(surface))
}

const STOP: &[&str] = &[
    "a",
    "about",
    "above",
    "again",
    "against",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "aren't",
    "as",
    "at",
    "be",
    "because",
    "been",
    "being",
    "below",
    "between",
    "but",
    "by",
    "can",
    "can't",
    "cannot",
    "could",
    "couldn't",
    "did",
    "didn't",
    "do",
    "does",
    "doesn't",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "eg",
    "etc",
    "for",
    "from",
    "further",
    "had",
    "hadn't",
    "has",
    "hasn't",
    "have",
    "haven't",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "ie",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "itself",
    "just",
    "let's",
    "may",
    "me",
    "might",
    "must",
    "mustn't",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "shall",
    "she",
    "should",
    "shouldn't",
    "so",
    "some",
    "such",
    "than",
    "that",
    "that's",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "there's",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "wasn't",
    "we",
    "were",
    "weren't",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "won't",
    "would",
    "wouldn't",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(text: &str) -> Vec<String> {
        let a = analyze(text);
        a.words.iter().map(|w| a.surface(w).to_string()).collect()
    }

    #[test]
    fn a_full_stop_inside_a_name_ends_no_sentence() {
        assert_eq!(
            analyze("add package-lock.json to .gitignore now").sentences,
            1
        );
        assert_eq!(analyze("strip ../ from the name").sentences, 1);
        assert_eq!(analyze("It blocks. Then it resumes.").sentences, 2);
        assert_eq!(analyze("spawn() buffers nothing").clauses, 1);
    }

    #[test]
    fn stop_list_is_sorted_for_binary_search() {
        assert!(
            STOP.windows(2).all(|w| w[0] < w[1]),
            "STOP must stay sorted"
        );
        assert!(STOP.iter().all(|w| w.len() <= 10));
        // is_stop_word relies on binary search; an unsorted insert would silently miss words.
        for w in ["a", "the", "with", "yourselves", "doesn't", "it's", "eg"] {
            assert!(is_stop_word(w), "{w}");
        }
        assert!(!is_stop_word("process"));
    }

    #[test]
    fn identifiers_are_kept_whole_and_split() {
        let a = analyze(
            "Use child_process.fork and --max-old-space-size=4096 with SharedArrayBuffer; set UV_THREADPOOL_SIZE.",
        );
        assert!(a.identifiers.contains(&"child_process.fork".to_string()));
        assert!(a.identifiers.contains(&"max-old-space-size".to_string()));
        assert!(a.identifiers.contains(&"sharedarraybuffer".to_string()));
        assert!(a.identifiers.contains(&"uv_threadpool_size".to_string()));
        let s = surfaces("child_process.fork SharedArrayBuffer UV_THREADPOOL_SIZE HTTPServer");
        assert_eq!(
            s,
            [
                "child",
                "process",
                "fork",
                "shared",
                "array",
                "buffer",
                "uv",
                "threadpool",
                "size",
                "http",
                "server"
            ]
        );
    }

    #[test]
    fn punctuation_at_edges_is_trimmed() {
        assert_eq!(
            surfaces("end. (start) \"quoted\" --flag"),
            ["end", "start", "quoted", "flag"]
        );
    }

    #[test]
    fn numbers_and_unmarked_contractions() {
        let a = analyze("One element; 1 element. It doesnt split");
        assert_eq!(a.stem(&a.words[0]), "1", "a number word means its digits");
        assert_eq!(a.stem(&a.words[2]), "1");
        assert!(
            a.words[5].is_negation && a.words[5].is_stop,
            "doesnt is doesn't"
        );
    }

    #[test]
    fn stems_and_flags() {
        let a = analyze("Leaking snapshots doesn't help");
        assert_eq!(a.stem(&a.words[0]), "leak");
        assert!(a.stem(&a.words[2]).is_empty(), "stop words are not stemmed");
        assert_eq!(a.stem(&a.words[1]), "snapshot");
        assert!(a.words[2].is_negation && a.words[2].is_stop);
        assert!(!a.words[3].is_stop);
    }

    #[test]
    fn unicode_is_normalised() {
        // Full-width letters and curly apostrophes are folded to their plain forms.
        let a = analyze("ｈｅａｐ doesn\u{2019}t");
        assert_eq!(a.surface(&a.words[0]), "heap");
        assert!(a.words[1].is_negation);
        let accented = analyze("Café naïve Größe");
        assert_eq!(accented.words.len(), 3);
    }

    #[test]
    fn function_word_ratio_separates_prose_from_keyword_lists() {
        let prose = analyze(
            "The cluster module forks one worker per core and the primary balances connections between them.",
        );
        let list = analyze("cluster module fork worker round robin load balancing port sharing");
        assert!(prose.function_word_ratio() > 0.25);
        assert!(list.function_word_ratio() < 0.05);
        assert_eq!(prose.list_item_share(), 0.0);
        let commas = analyze(
            "heap snapshots, chrome devtools, compare snapshots under load,\n- growing counts",
        );
        assert_eq!(commas.fragments, [2, 2, 4, 2]);
        assert_eq!(commas.list_item_share(), 1.0);
        let sentences =
            analyze("Use heap snapshots. Compare them under load. Look for growing objects.");
        assert_eq!(sentences.fragments, [11]);
    }
}
