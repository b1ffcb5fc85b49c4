//! Copy detection: an answer that repeats a long run of words of a source (the reference answer,
//! or another member's answer to the same round question or drop) is a copy.
//!
//! Words are compared lowercased, split on anything that is not a letter or a digit, so
//! punctuation, case and line breaks do not hide a paste. Runs are found through hashed word
//! n-grams of the source, so a check is linear in both texts.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

/// How many words in a row an answer may share with a source before it counts as copied. Honest
/// answers share short phrases ("the event loop", "one per CPU core") but not twelve words.
pub const COPY_RUN_WORDS: usize = 12;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn gram_hash(gram: &[String]) -> u64 {
    let mut h = DefaultHasher::new();
    gram.hash(&mut h);
    h.finish()
}

/// True when `answer` repeats at least [`COPY_RUN_WORDS`] consecutive words of `source`.
pub fn repeats_run(answer: &str, source: &str) -> bool {
    repeats_run_of(answer, source, COPY_RUN_WORDS)
}

/// True when `answer` repeats at least `run` consecutive words of `source` (`run` ≥ 1).
pub fn repeats_run_of(answer: &str, source: &str, run: usize) -> bool {
    let run = run.max(1);
    let (a, s) = (words(answer), words(source));
    if a.len() < run || s.len() < run {
        return false;
    }
    let grams: HashSet<u64> = s.windows(run).map(gram_hash).collect();
    a.windows(run)
        .any(|g| grams.contains(&gram_hash(g)) && s.windows(run).any(|x| x == g))
}

/// Whether an answer is a copy of the reference or of any of `others`.
pub fn is_copy<'a>(
    answer: &str,
    reference: &str,
    others: impl IntoIterator<Item = &'a str>,
) -> bool {
    repeats_run(answer, reference) || others.into_iter().any(|o| repeats_run(answer, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "The cluster module lets a primary process fork worker processes that \
        share one server port; the primary distributes incoming connections round-robin, and \
        workers are separate processes that communicate over IPC.";

    #[test]
    fn a_pasted_reference_is_a_copy_whatever_its_case_and_punctuation() {
        assert!(repeats_run(REFERENCE, REFERENCE));
        let shouted = REFERENCE.to_uppercase().replace([',', ';'], "\n");
        assert!(repeats_run(
            &format!("My answer: {shouted} That's it."),
            REFERENCE
        ));
    }

    #[test]
    fn an_honest_answer_sharing_short_phrases_is_not() {
        let honest = "Cluster forks worker processes, one per core, and they share the server \
            port. The primary process hands out connections round-robin; workers talk over IPC.";
        assert!(!repeats_run(honest, REFERENCE));
        assert!(!is_copy(honest, REFERENCE, ["something else entirely"]));
    }

    #[test]
    fn eleven_words_in_a_row_pass_and_twelve_do_not() {
        let eleven = "the cluster module lets a primary process fork worker processes that";
        let twelve = "the cluster module lets a primary process fork worker processes that share";
        assert!(!repeats_run(eleven, REFERENCE));
        assert!(repeats_run(twelve, REFERENCE));
    }

    #[test]
    fn copying_another_members_answer_counts_too() {
        let first = "Workers are forked by the primary and every worker listens on the same port \
            because the primary owns the socket and passes connections to them.";
        let copy = format!("I think {first}");
        assert!(is_copy(&copy, REFERENCE, [first]));
        assert!(!is_copy(&copy, REFERENCE, []));
    }

    #[test]
    fn short_texts_are_never_copies() {
        assert!(!repeats_run("", REFERENCE));
        assert!(!repeats_run("the cluster module", "the cluster module"));
        assert!(repeats_run_of(
            "the cluster module",
            "the cluster module",
            3
        ));
    }
}
