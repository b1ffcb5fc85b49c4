//! Words that say the opposite of a word: "slow" of "fast", "disable" of "enable", "asynchronous"
//! of "synchronous". An answer that puts the opposite where the reference has the word, in a
//! sentence that otherwise says the same thing, reverses that claim ("child processes are
//! slower" against "… are faster").
//!
//! The list is WordNet 3.0's direct antonym pointers, with a few technical pairs added and a few
//! removed, by `data/antonyms.py` (see there for the rules).

use super::sorted_lines::sorted_lines;
use super::text::{is_negation_word, is_stop_word};
use super::wordnet::List;

/// One line per word, "word antonym antonym …", sorted bytewise (its notice: `THIRD-PARTY`).
static LIST: List = List::new(sorted_lines!("antonyms.txt"));

/// The antonyms of a lowercase word as written (or of its lemma). Grammatical words and
/// negations have none here: their reversals are polarity's business (`polarity.rs`).
pub fn antonyms_of_form(surface: &str) -> impl Iterator<Item = &'static str> {
    let usable = |w: &str| !is_stop_word(w) && !is_negation_word(w);
    LIST.lookup(surface)
        .filter(|(lemma, _)| usable(lemma))
        .into_iter()
        .flat_map(move |(_, antonyms)| antonyms.filter(move |a| usable(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn antonyms_are_the_other_end_of_a_scale() {
        let of = |w: &str| antonyms_of_form(w).collect::<Vec<_>>();
        assert!(of("fast").contains(&"slow"));
        assert!(of("faster").contains(&"slower"));
        assert!(of("enables").contains(&"disables"));
        assert!(of("enabled").contains(&"disabled"));
        assert!(of("synchronous").contains(&"asynchronous"));
        assert!(of("blocking").contains(&"nonblocking"));
        assert!(of("strong").contains(&"weak"));
        // Two halves of one thing are not opposites in technical text.
        assert!(!of("input").contains(&"output"));
        assert!(!of("client").contains(&"server"));
        assert!(of("qwertyuiop").is_empty());
    }
}
