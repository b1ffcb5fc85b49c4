//! A word list derived from WordNet by a script under data/: one line per word, "word related
//! related …", words sorted bytewise. The synonyms (`synonyms.rs`) and antonyms (`antonyms.rs`)
//! are two such lists; both are looked up by a word as written, or by its lemma.

use std::sync::OnceLock;

/// WordNet's regular detachments (its "morphy" rules) for finding the lemma of an inflected word:
/// "buffers" → "buffer", "copies" → "copy", "stored" → "store".
const DETACHMENTS: &[(&str, &str)] = &[
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("s", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("er", ""),
    ("est", ""),
];

/// One list, compiled in; its lines are split into (word, rest) at first use.
pub struct List {
    text: &'static str,
    lines: OnceLock<Vec<(&'static str, &'static str)>>,
}

impl List {
    pub const fn new(text: &'static str) -> List {
        List {
            text,
            lines: OnceLock::new(),
        }
    }

    pub(super) fn lines(&self) -> &[(&'static str, &'static str)] {
        self.lines.get_or_init(|| {
            self.text
                .lines()
                .filter_map(|line| line.split_once(' '))
                .collect()
        })
    }

    /// The related words of `word`, space-separated as the list has them.
    fn entry(&self, word: &str) -> Option<&'static str> {
        let lines = self.lines();
        lines
            .binary_search_by(|(w, _)| (*w).cmp(word))
            .ok()
            .map(|i| lines[i].1)
    }

    /// The lemma a lowercase word as written is listed under (the word itself if the list has it,
    /// else the first lemma a regular inflection leads to) and its related words.
    pub fn lookup(&self, surface: &str) -> Option<(String, impl Iterator<Item = &'static str>)> {
        let (lemma, line) = self
            .entry(surface)
            .map(|line| (surface.to_string(), line))
            .or_else(|| {
                DETACHMENTS.iter().find_map(|(suffix, ending)| {
                    let stem = surface.strip_suffix(suffix).filter(|s| s.len() >= 2)?;
                    let lemma = format!("{stem}{ending}");
                    self.entry(&lemma).map(|line| (lemma, line))
                })
            })?;
        Some((lemma, line.split(' ').filter(|s| !s.is_empty())))
    }
}
