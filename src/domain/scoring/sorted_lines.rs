//! A sorted word list compiled into the binary together with the offsets of its lines, which
//! `build.rs` writes at build time. A lookup is a binary search over the text as it is: nothing
//! is split or collected when a process starts (splitting the three lists into vectors at first
//! use was a fifth of a `score` process's CPU time).

/// One list: its text and, per line, the byte offset where the line starts (`u32`, little
/// endian), followed by one past the end of the last line's text plus its newline.
pub struct SortedLines {
    text: &'static str,
    starts: &'static [u8],
}

/// Embeds a list of `data/` and the line index `build.rs` wrote for it.
macro_rules! sorted_lines {
    ($file:literal) => {
        $crate::domain::scoring::sorted_lines::SortedLines::new(
            include_str!(concat!("../../../data/", $file)),
            include_bytes!(concat!(env!("OUT_DIR"), "/", $file, ".lines")),
        )
    };
}
pub(super) use sorted_lines;

impl SortedLines {
    pub const fn new(text: &'static str, starts: &'static [u8]) -> SortedLines {
        SortedLines { text, starts }
    }

    pub fn len(&self) -> usize {
        (self.starts.len() / 4).saturating_sub(1)
    }

    fn start(&self, i: usize) -> usize {
        let at = i * 4;
        match self.starts.get(at..at + 4) {
            Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
            _ => self.text.len(),
        }
    }

    /// Line `i`, without its newline.
    pub fn line(&self, i: usize) -> &'static str {
        let text = self.text;
        let (start, end) = (self.start(i), self.start(i + 1).saturating_sub(1));
        text.get(start..end.max(start).min(text.len()))
            .unwrap_or("")
    }

    /// The first word of line `i` (up to its first space).
    pub fn key(&self, i: usize) -> &'static str {
        let line = self.line(i);
        line.split_once(' ').map_or(line, |(key, _)| key)
    }

    /// The line whose first word is `key`, if any.
    pub fn find(&self, key: &str) -> Option<&'static str> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(self.line(mid)),
            }
        }
        None
    }

    #[cfg(test)]
    pub fn lines(&self) -> impl Iterator<Item = &'static str> + '_ {
        (0..self.len()).map(|i| self.line(i))
    }

    /// The whole text, as `include_str!` gave it.
    #[cfg(test)]
    pub fn text(&self) -> &'static str {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list the scorer embeds, by name.
    fn lists() -> [(&'static str, SortedLines); 3] {
        [
            ("english-words.txt", sorted_lines!("english-words.txt")),
            ("synonyms.txt", sorted_lines!("synonyms.txt")),
            ("antonyms.txt", sorted_lines!("antonyms.txt")),
        ]
    }

    #[test]
    fn the_index_reads_back_exactly_the_text_source() {
        for (name, list) in lists() {
            let source: Vec<&str> = list.text().lines().collect();
            let indexed: Vec<&str> = list.lines().collect();
            assert_eq!(indexed, source, "{name}");
            assert!(list.len() > 1_000, "{name}");
        }
    }

    #[test]
    fn each_list_is_sorted_by_its_first_word_so_binary_search_finds_every_line() {
        for (name, list) in lists() {
            for i in 1..list.len() {
                assert!(
                    list.key(i - 1) < list.key(i),
                    "{name}: line {i} out of order"
                );
            }
            for i in (0..list.len()).step_by(97) {
                assert_eq!(list.find(list.key(i)), Some(list.line(i)), "{name}");
            }
            assert_eq!(list.find("zzzzzz-not-a-word"), None);
            assert_eq!(list.find(""), None);
        }
    }

    #[test]
    fn a_text_without_a_final_newline_and_an_empty_index_read_safely() {
        let list = SortedLines::new("ab\ncd", &[0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0]);
        assert_eq!(list.lines().collect::<Vec<_>>(), ["ab", "cd"]);
        assert_eq!(list.find("cd"), Some("cd"));
        let empty = SortedLines::new("", &[]);
        assert_eq!(empty.len(), 0);
        assert_eq!(empty.find("a"), None);
    }
}
