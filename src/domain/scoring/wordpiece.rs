//! The WordPiece tokenizer of all-MiniLM-L6-v2, exactly as its tokenizer.json defines it: BERT's
//! normalizer (clean text, CJK characters set apart, accents stripped, lowercase), BERT's
//! pre-tokenizer (split on whitespace, each punctuation character on its own), then greedy
//! longest-match-first WordPiece with `##` continuations and `[UNK]` for a word that cannot be
//! spelled (or is over 100 characters). `tests/fixtures/wordpiece.tsv`, written by the model's own
//! `tokenizers` package (data/embeddings.py), is the check.
//!
//! Each token comes with the byte offset, in the original text, of the word it belongs to, so the
//! scorer can tell which sentence a token is in.

use unicode_normalization::char::decompose_canonical;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

use super::embedding::Vocab;

/// Id of `[UNK]` in the model's vocabulary.
pub const UNK: u32 = 100;
/// A longer word is one `[UNK]` (tokenizer.json: `max_input_chars_per_word`).
const MAX_WORD_CHARS: usize = 100;

/// Calls `emit(offset, id)` for every token of `text`, in order; `offset` is where the token's
/// word starts in `text`.
pub fn tokenize(vocab: &Vocab, text: &str, mut emit: impl FnMut(usize, u32)) {
    if text
        .bytes()
        .all(|b| b.is_ascii_graphic() || b" \t\n\r".contains(&b))
    {
        return tokenize_plain_ascii(vocab, text, emit);
    }
    let mut word = String::new();
    let mut word_chars = 0usize;
    let mut word_start = 0usize;
    let mut piece = String::new();
    let mut flush = |word: &mut String, chars: &mut usize, start: usize| {
        if !word.is_empty() {
            wordpiece(vocab, word, *chars, &mut piece, |id| emit(start, id));
            word.clear();
            *chars = 0;
        }
    };
    for (offset, original) in text.char_indices() {
        normalize(original, |c| {
            if is_whitespace(c) {
                flush(&mut word, &mut word_chars, word_start);
            } else if is_punctuation(c) {
                flush(&mut word, &mut word_chars, word_start);
                word.push(c);
                word_chars = 1;
                flush(&mut word, &mut word_chars, offset);
            } else {
                if word.is_empty() {
                    word_start = offset;
                }
                word.push(c);
                word_chars += 1;
            }
        });
    }
    flush(&mut word, &mut word_chars, word_start);
}

/// [`tokenize`] of a text of printable ASCII and whitespace, most answers: the normalizer only
/// lowercases it (no character is removed, decomposed or set apart), so words are slices of the
/// lowercased text at the original offsets, with no character-by-character copying.
fn tokenize_plain_ascii(vocab: &Vocab, text: &str, mut emit: impl FnMut(usize, u32)) {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut piece = String::new();
    let mut start = 0usize;
    let mut flush = |start: usize, end: usize, piece: &mut String| {
        if let Some(word) = lower.get(start..end).filter(|w| !w.is_empty()) {
            wordpiece(vocab, word, end - start, piece, |id| emit(start, id));
        }
    };
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_whitespace() {
            flush(start, i, &mut piece);
            start = i + 1;
        } else if b.is_ascii_punctuation() {
            flush(start, i, &mut piece);
            flush(i, i + 1, &mut piece);
            start = i + 1;
        }
    }
    flush(start, bytes.len(), &mut piece);
}

/// Calls `out` with the normalizer's output for one input character (each step is per
/// character: removal, padding, canonical decomposition with the marks dropped, lowercase).
fn normalize(c: char, mut out: impl FnMut(char)) {
    // Most text is ASCII: no decomposition, no marks, one lowercase form, and the control
    // characters are the C0 ones and DEL.
    if c.is_ascii() {
        match c {
            '\t' | '\n' | '\r' | ' ' => out(' '),
            '\0'..='\u{1f}' | '\u{7f}' => {}
            _ => out(c.to_ascii_lowercase()),
        }
        return;
    }
    if c == '\0' || c == '\u{fffd}' || is_control(c) {
        return;
    }
    if is_whitespace(c) {
        out(' ');
    } else if is_cjk(c) {
        out(' ');
        out(c);
        out(' ');
    } else {
        decompose_canonical(c, |d| {
            if d.general_category() != GeneralCategory::NonspacingMark {
                d.to_lowercase().for_each(&mut out);
            }
        });
    }
}

/// Greedy longest-match-first over one pre-tokenized word.
fn wordpiece(
    vocab: &Vocab,
    word: &str,
    chars: usize,
    piece: &mut String,
    mut emit: impl FnMut(u32),
) {
    if chars > MAX_WORD_CHARS {
        emit(UNK);
        return;
    }
    if let Some(id) = vocab.id(word) {
        emit(id);
        return;
    }
    // Char boundaries, so a piece never splits a character.
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(word.len()))
        .collect();
    let mut ids: Vec<u32> = Vec::new();
    let mut start = 0usize;
    while start < bounds.len() - 1 {
        let mut found = None;
        for end in (start + 1..bounds.len()).rev() {
            let sub = &word[bounds[start]..bounds[end]];
            let id = if start == 0 {
                vocab.id(sub)
            } else {
                piece.clear();
                piece.push_str("##");
                piece.push_str(sub);
                vocab.id(piece)
            };
            if let Some(id) = id {
                found = Some((id, end));
                break;
            }
        }
        match found {
            Some((id, end)) => {
                ids.push(id);
                start = end;
            }
            None => {
                emit(UNK);
                return;
            }
        }
    }
    ids.into_iter().for_each(emit);
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r') || (!c.is_ascii() && c.is_whitespace())
}

fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Unassigned
            | GeneralCategory::PrivateUse
    )
}

fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    c.general_category_group() == GeneralCategoryGroup::Punctuation
}

/// The CJK Unified Ideograph blocks BERT sets apart as words of their own.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::embedding::Table;

    fn ids(text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        tokenize(Table::get().vocab(), text, |_, id| out.push(id));
        out
    }

    /// Every text of the fixture tokenizes to the ids the model's own tokenizer gave.
    #[test]
    fn tokenizes_as_the_models_tokenizer_json() {
        let fixture = include_str!("../../../tests/fixtures/wordpiece.tsv");
        let mut checked = 0;
        let mut wrong = Vec::new();
        for line in fixture.lines() {
            let Some((text, expected)) = line.split_once('\t') else {
                continue;
            };
            let text = text
                .replace("\\n", "\n")
                .replace("\\t", "\t")
                .replace("\\\\", "\\");
            let expected: Vec<u32> = expected
                .split_whitespace()
                .filter_map(|s| s.parse().ok())
                .collect();
            if ids(&text) != expected {
                wrong.push(format!("{text:?}: {:?} != {expected:?}", ids(&text)));
            }
            checked += 1;
        }
        assert!(checked > 600, "the fixture holds {checked} texts");
        assert!(
            wrong.is_empty(),
            "{} differ:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }

    #[test]
    fn offsets_point_at_each_tokens_word() {
        let text = "Naïve worker_threads!";
        let mut offsets = Vec::new();
        tokenize(Table::get().vocab(), text, |o, _| offsets.push(o));
        assert_eq!(offsets.first(), Some(&0));
        let underscore = text.find('_').unwrap_or_default();
        assert!(offsets.contains(&underscore));
        assert_eq!(offsets.last(), Some(&(text.len() - 1)));
    }
}
