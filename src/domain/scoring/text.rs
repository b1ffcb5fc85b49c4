//! Turning free text into comparable words.
//!
//! Technical answers are full of identifiers (`child_process.fork`, `--max-old-space-size`,
//! `SharedArrayBuffer`, `UV_THREADPOOL_SIZE`). Each identifier is kept whole (so an exact API name
//! can be recognised) and split into its parts (so "shared array buffer" written as prose matches
//! too). Every word carries its Snowball stem, so "leaks", "leaking" and "leak" are one word.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A fragment of at most this many tokens reads as a list item, not a sentence.
pub const LIST_ITEM_MAX: usize = 4;

/// One word of a text, after normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Lowercased surface form, as written (apostrophes kept).
    pub surface: String,
    /// Snowball stem of the surface form.
    pub stem: String,
    /// Byte range in the normalised text, for quoting what matched.
    pub span: (usize, usize),
    /// A grammatical word ("the", "with", "is"): it links ideas but carries none.
    pub is_stop: bool,
    /// A word that turns the meaning around ("not", "never", "doesn't").
    pub is_negation: bool,
}

/// A text split into words, plus the whole identifiers it contained.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    /// The NFKC-normalised text the spans point into.
    pub text: String,
    /// Every word in order, stop words included.
    pub words: Vec<Word>,
    /// Compound identifiers kept whole, lowercased (`child_process.fork`).
    pub identifiers: Vec<String>,
    /// Number of raw tokens (an identifier counts once), for judging how text reads.
    pub raw_tokens: usize,
    /// Raw tokens that are stop words.
    pub raw_stop_tokens: usize,
    /// Raw tokens per list-like fragment (text between commas, semicolons, brackets, line breaks).
    pub fragments: Vec<usize>,
}

impl Analyzed {
    /// The content words (not stop words) in order.
    pub fn content(&self) -> impl Iterator<Item = &Word> {
        self.words.iter().filter(|w| !w.is_stop)
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
pub fn analyze(input: &str) -> Analyzed {
    let fold = |c| match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' => '\'',
        c => c,
    };
    // ASCII is already in NFKC: skip the normalisation tables for the common case.
    let text: String = if input.is_ascii() {
        input.chars().map(fold).collect()
    } else {
        input.nfkc().map(fold).collect()
    };
    let mut out = Analyzed {
        words: Vec::with_capacity(text.len() / 5),
        ..Analyzed::default()
    };
    let mut fragment = 0;
    let mut last_end = 0;
    for (start, raw) in raw_tokens(&text) {
        let parts = split_parts(raw);
        if parts.is_empty() {
            continue;
        }
        if fragment > 0 && text[last_end..start].contains(is_fragment_break) {
            out.fragments.push(fragment);
            fragment = 0;
        }
        fragment += 1;
        last_end = start + raw.len();
        out.raw_tokens += 1;
        let whole = parts.len() == 1;
        if !whole {
            out.identifiers.push(raw.to_lowercase());
        }
        for (offset, part) in parts {
            let surface = if part.is_ascii() {
                part.to_ascii_lowercase()
            } else {
                part.to_lowercase()
            };
            let is_stop = is_stop_word(&surface);
            if is_stop && whole {
                out.raw_stop_tokens += 1;
            }
            // Stop words are never matched, so their stems are never needed.
            let stem = if is_stop {
                String::new()
            } else {
                stem_word(&surface)
            };
            let is_negation = is_negation_word(&surface);
            out.words.push(Word {
                is_stop,
                is_negation,
                span: (start + offset, start + offset + part.len()),
                surface,
                stem,
            });
        }
    }
    if fragment > 0 {
        out.fragments.push(fragment);
    }
    out.text = text;
    out
}

/// Characters that separate list items (a full stop ends a sentence, which is not a list item).
fn is_fragment_break(c: char) -> bool {
    matches!(c, ',' | ';' | '\n' | '|' | '•' | '·')
}

/// Words stemmed recently on this thread. Answers share most of their vocabulary, and Snowball
/// stemming is the largest single cost of scoring; the cache changes no result.
const STEM_CACHE_LIMIT: usize = 50_000;

thread_local! {
    static STEM_CACHE: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The stem used for matching; possessives and contractions are dropped first.
pub fn stem_word(surface: &str) -> String {
    if let Some(hit) = STEM_CACHE.with_borrow(|c| c.get(surface).cloned()) {
        return hit;
    }
    let stem = stem_uncached(surface);
    STEM_CACHE.with_borrow_mut(|c| {
        if c.len() >= STEM_CACHE_LIMIT {
            c.clear();
        }
        c.insert(surface.to_string(), stem.clone());
    });
    stem
}

fn stem_uncached(surface: &str) -> String {
    let base = surface
        .strip_suffix("'s")
        .or_else(|| surface.strip_suffix('\''))
        .unwrap_or(surface);
    if base.chars().any(|c| c.is_ascii_digit()) || base.len() <= 2 {
        return base.to_string();
    }
    STEMMER.stem(base).into_owned()
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
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_word_char(c) || is_connector(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            tokens.push((s, &text[s..i]));
        }
    }
    if let Some(s) = start {
        tokens.push((s, &text[s..]));
    }
    tokens.into_iter().filter_map(|(s, tok)| {
        let trimmed_start = tok.trim_start_matches(is_connector);
        let lead = tok.len() - trimmed_start.len();
        let trimmed = trimmed_start.trim_end_matches(is_connector);
        (!trimmed.is_empty()).then_some((s + lead, trimmed))
    })
}

/// Split an identifier into parts at connectors and camelCase boundaries; an apostrophe stays
/// inside its word ("doesn't", "node's").
fn split_parts(token: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let chars: Vec<(usize, char)> = token.char_indices().collect();
    let mut start: Option<usize> = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        if is_connector(c) && c != '\'' {
            if let Some(s) = start.take() {
                parts.push((s, &token[s..i]));
            }
            continue;
        }
        if c == '\'' && start.is_none() {
            continue;
        }
        if let Some(s) = start {
            let prev = chars[k - 1].1;
            let next = chars.get(k + 1).map(|&(_, n)| n);
            let lower_to_upper = prev.is_lowercase() && c.is_uppercase();
            let acronym_end =
                prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase);
            if lower_to_upper || acronym_end {
                parts.push((s, &token[s..i]));
                start = Some(i);
            }
        } else {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        parts.push((s, &token[s..]));
    }
    parts
        .into_iter()
        .map(|(s, p)| (s, p.trim_end_matches('\'')))
        .filter(|(_, p)| p.chars().any(is_word_char))
        .collect()
}

fn is_negation_word(surface: &str) -> bool {
    matches!(
        surface,
        "not" | "no" | "never" | "without" | "cannot" | "neither" | "nor" | "none" | "nothing"
    ) || surface.ends_with("n't")
}

/// English function words, in the spirit of the common IR stop lists. Kept short on purpose:
/// domain verbs and nouns ("use", "process", "data") carry meaning in technical answers.
pub fn is_stop_word(surface: &str) -> bool {
    // No stop word is longer than 10 bytes; most words of an answer are ruled out here.
    surface.len() <= 10 && STOP.binary_search(&surface).is_ok()
}

const STOP: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
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
    "before",
    "being",
    "below",
    "between",
    "both",
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
    "few",
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
    "more",
    "most",
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
    "only",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
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
        analyze(text).words.into_iter().map(|w| w.surface).collect()
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
    fn stems_and_flags() {
        let a = analyze("Leaking snapshots doesn't help");
        assert_eq!(a.words[0].stem, "leak");
        assert!(a.words[2].stem.is_empty(), "stop words are not stemmed");
        assert_eq!(a.words[1].stem, "snapshot");
        assert!(a.words[2].is_negation && a.words[2].is_stop);
        assert!(!a.words[3].is_stop);
    }

    #[test]
    fn unicode_is_normalised() {
        // Full-width letters and curly apostrophes are folded to their plain forms.
        let a = analyze("ｈｅａｐ doesn\u{2019}t");
        assert_eq!(a.words[0].surface, "heap");
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
