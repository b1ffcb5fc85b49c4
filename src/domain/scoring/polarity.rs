//! Which words of a text are denied or professed unknown.
//!
//! A claim inside the scope of a negation is not made: "spawn does **not buffer the output**",
//! "buffering everything **is a myth**". A scope starts at a cue (not, no, never, without,
//! cannot, neither, nor, n't, non-, instead of, rather than) and runs forward to the end of the
//! clause or [`SCOPE_WORDS`] content words, whichever comes first; a clause ends at punctuation
//! and at contrastive conjunctions (but, while, whereas), so "it does not block, but queues the
//! callback" denies only the blocking. A few cues deny what stands before them in the clause:
//! "… is a myth", "… is false", "… is wrong", "… is not true".
//!
//! A sentence in which the writer says they do not know ("I'm not sure", "I have never used
//! either", "no idea") is hedged: what it mentions is neither claimed nor denied. So is a guess
//! after it ("I would probably …", "maybe …").

use super::text::Analyzed;

/// Content words a forward negation reaches at most.
pub const SCOPE_WORDS: usize = 3;

/// A word can start a profession of not knowing ([`is_hedge_at`]).
const HEDGE: u8 = 1;
/// A word about truth or falsity ([`denies_after`], [`denies_before`]).
const TRUTH: u8 = 2;
/// A word that starts a denial without being a negation ("instead of", "rather than", "non-").
const OTHER: u8 = 4;

/// Which cues a word can take part in. The cue patterns are tried only where one could start:
/// most words of an answer are none of these, and a bit test is far cheaper than the patterns.
fn cues(surface: &str) -> u8 {
    let mut cues = 0;
    if matches!(
        surface,
        "don't"
            | "dont"
            | "do"
            | "didn't"
            | "not"
            | "unsure"
            | "no"
            | "never"
            | "haven't"
            | "have"
            | "can't"
            | "cannot"
            | "couldn't"
            | "i"
            | "forgot"
            | "forget"
    ) {
        cues |= HEDGE;
    }
    if is_truth(surface) || is_falsity(surface) {
        cues |= TRUTH;
    }
    if matches!(surface, "instead" | "rather" | "non") {
        cues |= OTHER;
    }
    cues
}

/// Marks `Word::negated` and `Word::hedged` in place.
pub(super) fn mark(a: &mut Analyzed) {
    let surfaces: Vec<&str> = a.words.iter().map(|w| a.surface(w)).collect();
    let n = surfaces.len();
    // Per distinct word, then per position.
    let form_cues: Vec<u8> = (0..a.forms.len())
        .map(|f| cues(a.form_surface(f)))
        .collect();
    let cue: Vec<u8> = a.words.iter().map(|w| form_cues[w.form]).collect();
    let mut negated = vec![false; n];
    let mut sentential = vec![false; n];
    let mut hedged_sentences: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < n {
        let w = &a.words[i];
        let next = surfaces.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|p| surfaces[p]);
        let here = surfaces[i];
        if cue[i] & HEDGE != 0
            && is_hedge_at(&surfaces, i)
            && (starts_sentence(a, i) || first_person_before(a, &surfaces, i))
        {
            hedged_sentences.push(w.sentence);
        }
        let forward = if w.is_negation {
            // "not only X but also Y", "no matter", "whether or not", "if not": no denial. Nor
            // "does not have to know", "need not": that denies a necessity, not the act.
            let no_denial = matches!(next, Some("only" | "just" | "matter" | "necessarily"))
                || (here == "not" && matches!(prev, Some("or" | "if" | "whether")))
                || (matches!(next, Some("have" | "has" | "need" | "needs"))
                    && surfaces.get(i + 2) == Some(&"to"))
                || here == "needn't";
            // "It is not true that …" is denied by the sentence-wide scope below, not word by
            // word.
            let before_truth = (1..=2).any(|k| {
                i + k < n && cue[i + k] & TRUTH != 0 && denies_after(&surfaces, i + k).is_some()
            });
            !no_denial && !before_truth
        } else {
            cue[i] & OTHER != 0
                && ((here == "instead" && next == Some("of"))
                    || (here == "rather" && next == Some("than"))
                    || here == "non")
        };
        if cue[i] & TRUTH != 0
            && let Some(start) = denies_after(&surfaces, i)
        {
            // "It is not true that X …": the whole rest of the sentence (a semicolon or colon
            // does not end what is denied), up to a contrast. It turns around what it covers,
            // denials included: "it is not true that spawn does not buffer" says it buffers.
            for j in start..n {
                let gap = a
                    .text
                    .get(a.words[j - 1].span.1..a.words[j].span.0)
                    .unwrap_or_default();
                if gap.contains(['.', '!', '?', '\n'])
                    || matches!(
                        surfaces[j],
                        "but" | "whereas" | "however" | "although" | "though"
                    )
                {
                    break;
                }
                sentential[j] = !sentential[j];
            }
        }
        if forward {
            let reach = if here == "non" { 1 } else { SCOPE_WORDS };
            let clause = w.clause;
            let mut left = reach;
            for (v, neg) in a.words.iter().zip(negated.iter_mut()).skip(i + 1) {
                if v.clause != clause || left == 0 {
                    break;
                }
                if !v.is_stop {
                    *neg = true;
                    left -= 1;
                }
            }
        }
        if cue[i] & TRUTH != 0 && denies_before(&surfaces, i) {
            let clause = w.clause;
            for j in (0..i).rev() {
                if a.words[j].clause != clause {
                    break;
                }
                negated[j] = true;
            }
        }
        i += 1;
    }
    // After the writer has said they do not know, a guess ("I would probably …", "maybe …")
    // is still not knowing.
    if let Some(&first) = hedged_sentences.iter().min() {
        for (i, w) in a.words.iter().enumerate() {
            if w.sentence > first
                && matches!(
                    surfaces[i],
                    "probably" | "maybe" | "perhaps" | "guess" | "might"
                )
                && !hedged_sentences.contains(&w.sentence)
            {
                hedged_sentences.push(w.sentence);
            }
        }
    }
    for ((w, neg), whole) in a.words.iter_mut().zip(negated).zip(sentential) {
        w.negated = neg != whole;
        w.hedged = hedged_sentences.contains(&w.sentence);
    }
}

fn starts_sentence(a: &Analyzed, i: usize) -> bool {
    // The cue is the first or second word of its sentence ("Not sure, but …", "No idea").
    let s = a.words[i].sentence;
    i < 2 || a.words[i - 2].sentence != s
}

fn first_person_before(a: &Analyzed, surfaces: &[&str], i: usize) -> bool {
    let s = a.words[i].sentence;
    (i.saturating_sub(3)..i).any(|j| {
        a.words[j].sentence == s
            && matches!(
                surfaces[j],
                "i" | "i'm" | "im" | "i've" | "ive" | "i'd" | "me" | "honestly"
            )
    })
}

/// Word sequences that profess not knowing, matched at position `i`.
fn is_hedge_at(surfaces: &[&str], i: usize) -> bool {
    HEDGES
        .iter()
        .any(|h| surfaces.len() >= i + h.len() && h.iter().zip(&surfaces[i..]).all(|(a, b)| a == b))
}

/// What people write when they do not know.
const HEDGES: &[&[&str]] = &[
    &["don't", "know"],
    &["dont", "know"],
    &["do", "not", "know"],
    &["didn't", "know"],
    &["not", "sure"],
    &["unsure"],
    &["no", "idea"],
    &["no", "clue"],
    &["never", "used"],
    &["never", "worked"],
    &["haven't", "used"],
    &["have", "not", "used"],
    &["not", "familiar"],
    &["can't", "remember"],
    &["cannot", "remember"],
    &["don't", "remember"],
    &["can't", "say"],
    &["cannot", "say"],
    &["couldn't", "say"],
    &["not", "certain"],
    &["i", "guess"],
    &["forgot"],
    &["forget"],
];

/// Words that deny what they are said of ("… is a myth", "it is false that …").
fn is_falsity(surface: &str) -> bool {
    matches!(
        surface,
        "myth" | "false" | "wrong" | "incorrect" | "untrue" | "misconception"
    )
}

/// Words that deny when negated ("it is not true that …").
fn is_truth(surface: &str) -> bool {
    matches!(surface, "true" | "correct" | "right" | "case")
}

/// "It is not true that …", "it is a myth that …", "it is false that …": a denial of the
/// sentence that follows. The index of the first denied word ("that" and what follows it).
fn denies_after(surfaces: &[&str], i: usize) -> Option<usize> {
    if i >= surfaces.len() {
        return None;
    }
    let negated_truth = is_truth(surfaces[i])
        && i >= 1
        && (matches!(surfaces[i - 1], "not" | "never" | "isn't" | "aren't")
            || (surfaces[i - 1] == "the"
                && i >= 2
                && matches!(surfaces[i - 2], "not" | "isn't" | "aren't")));
    (negated_truth || is_falsity(surfaces[i]))
        .then_some(i + 1)
        .filter(|&next| surfaces.get(next) == Some(&"that"))
}

/// "… is a myth", "… are false", "… is simply wrong", "… is not true": a denial of what stands
/// before it in the clause.
fn denies_before(surfaces: &[&str], i: usize) -> bool {
    let denial = is_falsity(surfaces[i])
        || (matches!(surfaces[i], "true" | "correct" | "right")
            && i >= 1
            && matches!(surfaces[i - 1], "not" | "never" | "isn't" | "aren't"));
    if !denial {
        return false;
    }
    // Counted back over fillers to the copula: "is a myth", "is simply wrong", "is not true".
    let mut j = i;
    while j > 0 {
        j -= 1;
        match surfaces[j] {
            "is" | "are" | "was" | "were" | "isn't" | "aren't" | "it's" | "that's" => return true,
            "a" | "an" | "completely" | "simply" | "just" | "totally" | "entirely" | "not"
            | "never" | "actually" | "plain" | "also" => continue,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::text::analyze;

    /// The content words of `text` that are negated.
    fn negated(text: &str) -> Vec<String> {
        let a = analyze(text);
        a.words
            .iter()
            .filter(|w| w.negated && !w.is_stop)
            .map(|w| a.surface(w).to_string())
            .collect()
    }

    fn hedged(text: &str) -> bool {
        analyze(text).words.iter().any(|w| w.hedged)
    }

    #[test]
    fn every_cue_pattern_starts_at_a_word_marked_for_it() {
        for surface in super::HEDGES.iter().map(|h| h[0]) {
            assert!(super::cues(surface) & super::HEDGE != 0, "{surface}");
        }
    }

    #[test]
    fn negation_reaches_to_the_end_of_its_clause() {
        assert_eq!(
            negated("Spawn does not buffer the output, but streams it to stdout."),
            ["buffer", "output"]
        );
        assert_eq!(negated("It never blocks while the pool works"), ["blocks"]);
        assert_eq!(negated("exec doesn't stream data"), ["stream", "data"]);
        assert_eq!(
            negated("Use streams instead of reading the whole file"),
            ["reading", "whole", "file"]
        );
        assert_eq!(negated("a non-blocking call"), ["blocking"]);
        assert!(negated("Spawn streams output to stdout.").is_empty());
    }

    #[test]
    fn denying_a_necessity_denies_nothing_it_names() {
        assert!(negated("The routers do not have to know the spanning tree.").is_empty());
        assert!(negated("A node doesn't need to store the whole table.").is_empty());
        assert!(negated("You needn't restart the server.").is_empty());
        assert_eq!(
            negated("The routers do not know the tree."),
            ["know", "tree"]
        );
    }

    #[test]
    fn some_cues_deny_what_comes_before() {
        assert_eq!(
            negated("That the vm module is a secure sandbox is a myth."),
            ["vm", "module", "secure", "sandbox"]
        );
        assert_eq!(
            negated("Workers share memory is not true"),
            ["workers", "share", "memory", "true"]
        );
        assert!(negated("It returns an error for wrong input").is_empty());
    }

    #[test]
    fn it_is_not_true_that_denies_the_rest_of_the_sentence() {
        assert_eq!(
            negated("It is not true that workers share memory, and they use IPC."),
            ["workers", "share", "memory", "use", "ipc"]
        );
        assert_eq!(
            negated("It is a myth that vm is a sandbox, but it isolates globals."),
            ["vm", "sandbox"]
        );
        assert!(negated("It is true that workers talk over IPC").is_empty());
        assert!(
            !negated("It is not true that spawn does not buffer.").contains(&"buffer".to_string()),
            "a denial denied is a claim"
        );
    }

    #[test]
    fn not_only_and_whether_or_not_deny_nothing() {
        assert!(negated("Not only does it fork workers, it balances load").is_empty());
        assert!(negated("Check whether or not the cache grows").is_empty());
    }

    #[test]
    fn professed_ignorance_hedges_the_sentence() {
        assert!(hedged(
            "I do not know whether exec or spawn buffers output."
        ));
        assert!(hedged("Not sure, but maybe exec buffers."));
        assert!(hedged("I have never used either."));
        assert!(hedged(
            "I think there is a middleware, but I couldn't say what it does."
        ));
        assert!(!hedged(
            "If the leak is not sure to show, take snapshots under load."
        ));
        assert!(!hedged("Spawn streams output."));
        let a = analyze("I'm not sure. Maybe exec buffers. Spawn streams.");
        assert!(a.words[4].hedged && !a.words.last().is_some_and(|w| w.hedged));
        assert!(!hedged("Exec buffers. Maybe spawn streams."));
        let a = analyze("Spawn streams output. I'm not sure about exec.");
        assert!(!a.words[0].hedged && a.words.last().is_some_and(|w| w.hedged));
    }
}
