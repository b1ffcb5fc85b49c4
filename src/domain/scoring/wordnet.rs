//! A word list derived from WordNet by a script under data/: one line per word, "word related
//! related …", words sorted bytewise. The synonyms (`synonyms.rs`) and antonyms (`antonyms.rs`)
//! are two such lists; both are looked up by a word as written, or by its lemma.

use super::sorted_lines::SortedLines;

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

/// One list, compiled in and searched in place.
pub struct List {
    lines: SortedLines,
}

impl List {
    pub const fn new(lines: SortedLines) -> List {
        List { lines }
    }

    /// The related words of `word`, space-separated as the list has them.
    fn entry(&self, word: &str) -> Option<&'static str> {
        let line = self.lines.find(word)?;
        Some(line.split_once(' ').map_or("", |(_, related)| related))
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
