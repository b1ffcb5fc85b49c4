//! Meaning as a vector: the static sentence-embedding table distilled from all-MiniLM-L6-v2
//! (`data/embeddings.py`, notice in THIRD-PARTY). A text's vector is the mean of its WordPiece
//! tokens' rows; the cosine of two such vectors says how close their meanings are, also when they
//! share no word ("the main thread is never held up" ~ "does not block the event loop").
//!
//! The table is compiled into the binary and read where it lies: rows are int8 with one f32 scale
//! each, the vocabulary is a hash table (written by the script) probed in place. Nothing is parsed or
//! copied at start-up beyond the headers.

use std::sync::OnceLock;

use super::wordpiece::{self, UNK};

/// Dimensions of a vector (the table's header must agree).
pub const DIMS: usize = 256;

static TABLE_BYTES: &[u8] = include_bytes!("../../../data/embeddings.bin");
const MAGIC: &[u8; 8] = b"IBEMB2\0\0";

/// A text's meaning: the sum of its tokens' rows (cosine does not care for the count).
#[derive(Debug, Clone, PartialEq)]
pub struct Vector(pub [f32; DIMS]);

impl Default for Vector {
    fn default() -> Self {
        Vector([0.0; DIMS])
    }
}

impl Vector {
    pub fn add(&mut self, other: &Vector) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += b;
        }
    }

    pub fn dot(&self, other: &Vector) -> f32 {
        dot(&self.0, &other.0)
    }

    pub fn norm(&self) -> f32 {
        self.dot(self).sqrt()
    }

    /// Cosine similarity, 0 for an empty vector.
    pub fn cosine(&self, other: &Vector) -> f64 {
        self.cosine_by_norms(other, self.norm(), other.norm())
    }

    /// [`Vector::cosine`] with both lengths already known (kept by callers that compare one
    /// vector with many).
    pub fn cosine_by_norms(&self, other: &Vector, norm: f32, other_norm: f32) -> f64 {
        let n = norm * other_norm;
        if n > 0.0 {
            f64::from(self.dot(other) / n)
        } else {
            0.0
        }
    }
}

/// Dimensions kept for comparing single tokens: the table's dimensions are ordered by variance
/// (PCA), and on the tuning data the first 32 tell tokens apart as well as 64 or all 256 (the
/// score's agreement with graders on Mohler 1–6 and SAF training within 0.005 of 64's) at an
/// eighth of the cost of all 256.
pub const TOKEN_DIMS: usize = 32;

/// A token's direction in its first [`TOKEN_DIMS`] dimensions (unit length), and its full row's
/// length (the frequency weight: common tokens are short).
pub fn token_unit(row: &Vector) -> ([f32; TOKEN_DIMS], f32) {
    let weight = row.norm();
    let mut unit = [0.0f32; TOKEN_DIMS];
    unit.copy_from_slice(&row.0[..TOKEN_DIMS]);
    let n = dot(&unit, &unit).sqrt();
    if n > 0.0 {
        unit.iter_mut().for_each(|x| *x /= n);
    }
    (unit, weight)
}

/// Dot product in eight independent lanes: a plain sum is one serial chain the compiler may not
/// reorder, which it can vectorise this way.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    let tail: f32 = a
        .chunks_exact(8)
        .remainder()
        .iter()
        .zip(b.chunks_exact(8).remainder())
        .map(|(x, y)| x * y)
        .sum();
    lanes.iter().sum::<f32>() + tail
}

/// The embedded table.
pub struct Table {
    rows: usize,
    scales: &'static [u8],
    values: &'static [u8],
    vocab: Vocab,
}

/// The model's vocabulary, probed in place.
pub struct Vocab {
    rows: usize,
    ends: &'static [u8],
    text: &'static [u8],
    /// Open-addressing slots (id + 1, 0 when empty), a power of two of them.
    slots: &'static [u8],
    mask: usize,
}

/// FNV-1a, 32 bits: what data/embeddings.py hashes the tokens with.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The `i`-th little-endian u32 of `bytes`; 0 past the end (the layout is checked when the
/// table is opened, so only a defect reads there).
fn u32_at(bytes: &[u8], i: usize) -> u32 {
    bytes
        .get(4 * i..)
        .and_then(<[u8]>::first_chunk::<4>)
        .map_or(0, |b| u32::from_le_bytes(*b))
}

impl Vocab {
    fn token(&self, id: usize) -> &'static [u8] {
        let start = if id == 0 {
            0
        } else {
            u32_at(self.ends, id - 1) as usize
        };
        let end = u32_at(self.ends, id) as usize;
        &self.text[start..end]
    }

    /// The id of a token (a word, or `##` and a continuation).
    pub fn id(&self, token: &str) -> Option<u32> {
        let token = token.as_bytes();
        let mut at = fnv1a32(token) as usize & self.mask;
        // The table is at most half full, so probing ends at an empty slot soon.
        loop {
            let slot = u32_at(self.slots, at);
            if slot == 0 {
                return None;
            }
            if self.token(slot as usize - 1) == token {
                return Some(slot - 1);
            }
            at = (at + 1) & self.mask;
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

impl Table {
    /// The table compiled into the binary. Its layout is checked by a test (and by
    /// data/embeddings.py, which writes it): a malformed table is a build defect, not input.
    pub fn get() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        TABLE.get_or_init(|| Table::from_bytes(TABLE_BYTES))
    }

    fn from_bytes(bytes: &'static [u8]) -> Table {
        assert!(
            bytes.len() > 16 && &bytes[..8] == MAGIC,
            "embedding table header"
        );
        let rows = u32_at(&bytes[8..], 0) as usize;
        let dims = u32_at(&bytes[8..], 1) as usize;
        assert_eq!(dims, DIMS, "embedding table dimensions");
        let (scales, rest) = bytes[16..].split_at(4 * rows);
        let (values, rest) = rest.split_at(rows * dims);
        let (ends, rest) = rest.split_at(4 * rows);
        let text_len = u32_at(ends, rows - 1) as usize;
        let (text, index) = rest.split_at(text_len);
        let slot_count = u32_at(index, 0) as usize;
        let slots = &index[4..];
        assert!(
            slot_count.is_power_of_two() && slot_count > rows && slots.len() == 4 * slot_count,
            "embedding table index"
        );
        Table {
            rows,
            scales,
            values,
            vocab: Vocab {
                rows,
                ends,
                text,
                slots,
                mask: slot_count - 1,
            },
        }
    }

    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Token `id`'s row (zero for an id the table does not have).
    pub fn row(&self, id: u32) -> Vector {
        let mut v = Vector::default();
        self.add_row(id, &mut v);
        v
    }

    /// Adds token `id`'s row to `v`.
    pub fn add_row(&self, id: u32, v: &mut Vector) {
        let id = id as usize;
        if id >= self.rows {
            return;
        }
        let scale = f32::from_le_bytes([
            self.scales[4 * id],
            self.scales[4 * id + 1],
            self.scales[4 * id + 2],
            self.scales[4 * id + 3],
        ]);
        let row = &self.values[id * DIMS..(id + 1) * DIMS];
        for (a, &q) in v.0.iter_mut().zip(row) {
            *a += scale * f32::from(q as i8);
        }
    }

    /// The vector of a whole text (`[UNK]` tokens carry no meaning and are left out).
    pub fn embed(&self, text: &str) -> Vector {
        let mut v = Vector::default();
        wordpiece::tokenize(&self.vocab, text, |_, id| {
            if id != UNK {
                self.add_row(id, &mut v);
            }
        });
        v
    }

    /// Calls `each(offset, id)` for the tokens of `text` (see [`wordpiece::tokenize`]).
    pub fn tokens(&self, text: &str, each: impl FnMut(usize, u32)) {
        wordpiece::tokenize(&self.vocab, text, each);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_the_models_vocabulary() {
        let t = Table::get();
        assert_eq!(t.vocab().len(), 30_522);
        assert_eq!(t.vocab().id("[UNK]"), Some(UNK));
        assert_eq!(t.vocab().id("[CLS]"), Some(101));
        assert_eq!(t.vocab().id("the"), Some(1996));
        assert_eq!(t.vocab().id("##s"), Some(2015));
        assert_eq!(t.vocab().id("notaword-at-all"), None);
        // Every token is found at its own id: the index is complete.
        for id in 0..t.vocab().len() {
            let token = std::str::from_utf8(t.vocab().token(id)).unwrap_or_default();
            assert_eq!(t.vocab().id(token), Some(id as u32), "{token}");
        }
    }

    #[test]
    fn meaning_is_closer_for_paraphrases_than_for_other_subjects() {
        let t = Table::get();
        let a = t.embed("The event loop is not blocked while the database query runs.");
        let para = t
            .embed("While waiting for the database, the main thread keeps serving other requests.");
        let other = t.embed("Use a Content Security Policy header against cross-site scripting.");
        assert!(
            a.cosine(&para) > a.cosine(&other) + 0.1,
            "{} vs {}",
            a.cosine(&para),
            a.cosine(&other)
        );
    }
}
