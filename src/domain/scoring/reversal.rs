//! Contradiction by alignment: an answer sentence that says what a sentence of the reference
//! says, but the other way round.
//!
//! A static embedding hardly moves when a sentence is negated or a word swapped for its
//! opposite, so a reversed sentence still *aligns* with the reference sentence it reverses (its
//! closest in meaning). Aligned, it reverses that sentence when, on the words the two share, it
//! takes the other polarity ("Worker threads **cannot** run JavaScript in parallel" against
//! "Worker threads run JavaScript in parallel"), or when it puts a word's antonym where the
//! reference has the word ("child processes are **slower**" against "… are faster").
//!
//! What is not a reversal: a hedged sentence (it claims nothing), a sentence that merely leaves
//! something out, one that says the word and its opposite both (a contrast: "reads are fast,
//! writes are slow"), and a single shared word in the other polarity, which is as often a
//! different way to say the same thing ("without loading the whole file" / "loads a chunk at a
//! time").

use super::antonyms::antonyms_of_form;
use super::meaning::SentenceCosines;
use super::synonyms::synonyms_of_form;
use super::text::{Analyzed, stem_uncached};

/// An answer sentence is about a reference sentence when their meanings are at least this close
/// (cosine). Sentences on one subject reach 0.4–0.5 by sharing it; a restatement, or its
/// reversal, is above 0.6.
pub const ALIGNED: f64 = 0.6;
/// Evidence a sentence must reach to count as reversed: a shared word in the other polarity is 1,
/// an antonym in the word's place is 2. On the tuning data (Mohler 1–6, SAF training) 2 marked
/// many correct answers, mostly lists of "no X" items, and 3 cost least.
const REVERSED_AT: u32 = 3;
const ANTONYM_EVIDENCE: u32 = 2;

/// The words each reference sentence claims, to compare an aligned answer sentence with.
#[derive(Debug, Clone, Default)]
pub struct ReferenceClaims {
    /// By reference sentence number.
    sentences: Vec<Claim>,
}

#[derive(Debug, Clone, Default)]
struct Claim {
    /// Distinct content stems and whether the sentence denies them.
    stems: Vec<(String, bool)>,
    /// Stems of the antonyms of its words: (antonym stem, the word's stem, the word's polarity).
    opposites: Vec<(String, String, bool)>,
    /// Stems of the synonyms of its words that have antonyms: (synonym stem, the word's stem).
    /// An answer that says one still says the word.
    synonyms: Vec<(String, String)>,
    /// It denies something (has a word in a negation's scope).
    negates: bool,
    /// It states a rule with a condition or a restriction ("only … when", "if", "unless").
    conditional: bool,
}

/// Words that make a sentence a rule with a condition or a restriction. Such a reference
/// sentence has another branch ("only forward the packet when it came the best way"), and an
/// answer sentence with a condition of its own may be stating that branch ("if not, it is not
/// forwarded"): a denial there is the rule's other half, not its reversal.
fn is_condition_word(surface: &str) -> bool {
    matches!(
        surface,
        "if" | "unless" | "only" | "except" | "otherwise" | "else" | "whether"
    )
}

/// Which sentences of `a` have a condition word.
fn conditional_sentences(a: &Analyzed) -> Vec<bool> {
    let mut conditional = vec![false; (a.sentences as usize).max(1)];
    for w in &a.words {
        if is_condition_word(a.surface(w))
            && let Some(c) = conditional.get_mut(w.sentence as usize)
        {
            *c = true;
        }
    }
    conditional
}

impl ReferenceClaims {
    pub fn of(reference: &Analyzed) -> ReferenceClaims {
        let mut sentences = vec![Claim::default(); (reference.sentences as usize).max(1)];
        for w in reference.content().filter(|w| !w.hedged) {
            let Some(claim) = sentences.get_mut(w.sentence as usize) else {
                continue;
            };
            let stem = reference.stem(w).to_string();
            let mut has_antonym = false;
            for antonym in antonyms_of_form(reference.surface(w)) {
                let opposite = stem_uncached(antonym);
                if opposite != stem {
                    claim.opposites.push((opposite, stem.clone(), w.negated));
                    has_antonym = true;
                }
            }
            if has_antonym {
                for synonym in synonyms_of_form(reference.surface(w)) {
                    claim.synonyms.push((stem_uncached(synonym), stem.clone()));
                }
            }
            claim.negates |= w.negated;
            claim.stems.push((stem, w.negated));
        }
        for (claim, conditional) in sentences.iter_mut().zip(conditional_sentences(reference)) {
            claim.conditional = conditional;
        }
        // A word the reference both affirms and denies, in one sentence or across two ("no
        // connect or disconnect" of one service, "with connect and disconnect" of another), has
        // no polarity to reverse: an answer saying it either way says what some sentence says.
        let mut said: Vec<(&str, bool)> = sentences
            .iter()
            .flat_map(|c| c.stems.iter().map(|(s, n)| (s.as_str(), *n)))
            .collect();
        said.sort_unstable();
        said.dedup();
        let both: Vec<String> = said
            .windows(2)
            .filter(|p| p[0].0 == p[1].0)
            .map(|p| p[0].0.to_string())
            .collect();
        for claim in &mut sentences {
            claim.stems.sort();
            claim.stems.dedup();
            claim.stems.retain(|(s, _)| both.binary_search(s).is_err());
            // A sentence that has both ends of a scale ("synchronous or asynchronous") contrasts
            // them: an answer's use of either reverses nothing.
            let stems = claim.stems.clone();
            claim
                .opposites
                .retain(|(o, _, _)| !stems.iter().any(|(s, _)| s == o));
            claim.opposites.sort();
            claim.opposites.dedup();
        }
        ReferenceClaims { sentences }
    }
}

/// An answer sentence that reverses a reference sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    pub answer_sentence: usize,
    pub reference_sentence: usize,
    /// The answer sentence as written.
    pub quote: String,
}

/// The answer's sentences that reverse a sentence of the reference, at most one per reference
/// sentence (the first).
pub fn find(
    answer: &Analyzed,
    cosines: &SentenceCosines,
    claims: &ReferenceClaims,
) -> Vec<Reversal> {
    let mut found: Vec<Reversal> = Vec::new();
    // Each sentence's claimed words, sorted, so "does it say this stem this way?" is a search.
    let mut words: Vec<Vec<(&str, bool)>> = Vec::new();
    for w in answer.content().filter(|w| !w.hedged) {
        let j = w.sentence as usize;
        if words.len() <= j {
            words.resize_with(j + 1, Vec::new);
        }
        words[j].push((answer.stem(w), w.negated));
    }
    for said in &mut words {
        said.sort_unstable();
        said.dedup();
    }
    let conditional = conditional_sentences(answer);
    for (row, &j) in cosines.answer.iter().enumerate() {
        let Some((i, cos)) = cosines.best_reference(row) else {
            continue;
        };
        if cos < ALIGNED || found.iter().any(|r| r.reference_sentence == i) {
            continue;
        }
        let Some(claim) = claims.sentences.get(i) else {
            continue;
        };
        let words = words.get(j).map_or(&[][..], Vec::as_slice);
        let says = |stem: &str, negated: bool| words.binary_search(&(stem, negated)).is_ok();
        // Polarity differs only where one sentence denies and the other does not: where both
        // have a negation, a word on either side of it ("the base case is not included" / "no
        // base case") is scope, not a different claim. Where both state a rule with a
        // condition, the answer's denial may be the other branch ([`is_condition_word`]).
        let other_branch = claim.conditional && conditional.get(j).copied().unwrap_or(false);
        let mut flips = 0;
        if claim.negates != words.iter().any(|&(_, n)| n) && !other_branch {
            for (stem, negated) in &claim.stems {
                // Said the other way, and not also the same way (a restatement with a correction).
                if says(stem, !negated) && !says(stem, *negated) {
                    flips += 1;
                }
            }
        }
        let mut antonyms = 0;
        for (opposite, word, negated) in &claim.opposites {
            if !says(opposite, *negated) {
                continue;
            }
            let still_said = says(word, *negated)
                || claim
                    .synonyms
                    .iter()
                    .any(|(syn, w)| w == word && says(syn, *negated));
            if !still_said {
                antonyms += 1;
            }
        }
        // Denied and swapped for its opposite is said again ("cannot be accessed outside" /
        // "only accessed inside"): two reversals undo each other.
        let evidence = if flips > 0 && antonyms > 0 {
            0
        } else {
            flips + ANTONYM_EVIDENCE * antonyms
        };
        if evidence >= REVERSED_AT {
            found.push(Reversal {
                answer_sentence: j,
                reference_sentence: i,
                quote: sentence_text(answer, j),
            });
        }
    }
    found
}

/// Sentence `j` of `a` as written, from its first word to its last.
fn sentence_text(a: &Analyzed, j: usize) -> String {
    let mut words = a.words.iter().filter(|w| w.sentence as usize == j);
    let Some(first) = words.next() else {
        return String::new();
    };
    let end = words.next_back().unwrap_or(first).span.1;
    a.text
        .get(first.span.0..end)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::meaning::Meaning;
    use crate::domain::scoring::text::analyze;

    fn reversals(reference: &str, answer: &str) -> Vec<Reversal> {
        let (r, a) = (analyze(reference), analyze(answer));
        let cosines = Meaning::of(&a).cosines(&Meaning::of(&r));
        find(&a, &cosines, &ReferenceClaims::of(&r))
    }

    #[test]
    fn a_sentence_denying_the_references_claim_is_quoted() {
        let found = reversals(
            "Worker threads run JavaScript in parallel on other cores.",
            "Worker threads cannot run JavaScript in parallel on other cores.",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].quote,
            "Worker threads cannot run JavaScript in parallel on other cores"
        );
    }

    #[test]
    fn restating_omitting_or_double_reversing_is_no_reversal() {
        let reference = "Worker threads run JavaScript in parallel on other cores.";
        assert!(reversals(reference, "Worker threads execute JavaScript in parallel.").is_empty());
        assert!(reversals(reference, "Worker threads exist.").is_empty());
        assert!(
            reversals(
                "Local variables can only be accessed inside the function.",
                "A local variable cannot be accessed outside the function."
            )
            .is_empty()
        );
        assert!(
            reversals(
                "If the base case is not included the recursion never ends.",
                "With no base case the recursion never ends."
            )
            .is_empty()
        );
    }

    #[test]
    fn a_word_the_reference_says_both_ways_is_not_reversed() {
        let reference = "The first service has no handshake and no acknowledgements. \
                         The second service has a handshake and acknowledgements and retries.";
        // True of the second service; it also reads as the first sentence turned around.
        let answer = "The service has a handshake, acknowledgements and retries.";
        assert!(reversals(reference, answer).is_empty());
        // A word the reference says only one way still is.
        let reference =
            "The first service has no handshake and no acknowledgements and no retries.";
        assert_eq!(reversals(reference, answer).len(), 1);
    }

    #[test]
    fn the_other_branch_of_a_conditional_rule_is_not_its_reversal() {
        let reference = "A router forwards the packet to its neighbours only if it arrived over the best route.";
        let other_branch = "If the packet did not arrive over the best route, the router does not forward it to its neighbours.";
        assert!(reversals(reference, other_branch).is_empty());
        let reversed =
            "A router never forwards the packet to its neighbours, even over the best route.";
        assert_eq!(reversals(reference, reversed).len(), 1);
    }
}
