//! Words that mean the same as a reference word: one answer says "infinite" where the reference
//! says "unlimited". A synonym is weaker evidence than the word itself (a word has several senses
//! and the list cannot tell which one the answer means), so it earns part of the credit the word
//! would.
//!
//! The list is WordNet 3.0's synsets reduced by `data/synonyms.py` (see there for the rules: small
//! synsets of one-word lemmas, and a satellite adjective with the head it is similar to).

use super::sorted_lines::sorted_lines;
use super::text::{is_negation_word, is_stop_word};
use super::wordnet::List;

/// Share of a word's credit its synonym earns: in similarity, and for a derived concept (a
/// synonym covers it partly).
pub const SYNONYM_CREDIT: f64 = 0.5;

/// One line per word, "word synonym synonym …", sorted bytewise (its notice: `THIRD-PARTY`).
static LIST: List = List::new(sorted_lines!("synonyms.txt"));

/// Words whose meaning is a comparison, an order or a polarity: a "synonym" of such a word is
/// too often its neighbour on a scale ("same" / "like", "last" / "worst") for partial credit to
/// be right, and the scorer keeps them exact on purpose.
const EXACT_ONLY: &[&str] = &[
    "after",
    "before",
    "different",
    "equal",
    "false",
    "first",
    "higher",
    "identical",
    "larger",
    "last",
    "least",
    "less",
    "like",
    "lower",
    "more",
    "most",
    "only",
    "same",
    "similar",
    "smaller",
    "true",
    "unlike",
];

fn may_stand_in(word: &str) -> bool {
    !is_stop_word(word) && !is_negation_word(word) && !EXACT_ONLY.contains(&word)
}

/// The synonyms of a lowercase word as written in a text: of the word itself if the list has
/// it, else of the first lemma a regular inflection leads to; none for a word that must be said
/// exactly.
pub fn synonyms_of_form(surface: &str) -> impl Iterator<Item = &'static str> {
    LIST.lookup(surface)
        .filter(|(lemma, _)| may_stand_in(lemma))
        .into_iter()
        .flat_map(|(_, synonyms)| synonyms.filter(|s| may_stand_in(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_come_from_the_list_and_never_for_words_said_exactly() {
        let of = |w: &str| synonyms_of_form(w).collect::<Vec<_>>();
        assert!(of("unlimited").contains(&"infinite"));
        assert!(of("infinite").contains(&"unlimited"));
        assert!(of("minimum").contains(&"minimal"));
        assert!(of("same").is_empty(), "a comparison is said exactly");
        assert!(of("different").is_empty());
        assert!(!of("lowest").contains(&"last"));
        assert!(of("qwertyuiop").is_empty());
        assert!(
            of("routes").contains(&"path"),
            "an inflection finds its lemma"
        );
        assert!(of("deleted").contains(&"erase"));
    }

    /// WordNet's everyday synonyms that would credit the opposite idea in technical text are
    /// unlinked by data/synonyms.py (its MISLEADING list).
    #[test]
    fn synonyms_that_mislead_in_technical_text_are_not_listed() {
        let of = |w: &str| synonyms_of_form(w).collect::<Vec<_>>();
        for (a, b) in [
            ("heap", "stack"),
            ("synchronous", "concurrent"),
            ("synchronous", "parallel"),
            ("asynchronous", "serial"),
            ("client", "node"),
            ("promise", "hope"),
            ("thread", "string"),
            ("memory", "storage"),
            ("fork", "branch"),
        ] {
            assert!(!of(a).contains(&b), "{a} ~ {b}");
            assert!(!of(b).contains(&a), "{b} ~ {a}");
        }
    }
}
