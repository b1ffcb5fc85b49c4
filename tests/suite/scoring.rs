//! What the scorer must guarantee, checked on every question of the shipped bank.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use interview_bot::domain::bank::{Bank, Difficulty, Question, QuestionId};
use interview_bot::domain::scoring::text::is_stop_word;
use interview_bot::domain::scoring::{Corpus, Coverage, Flag, score};
use proptest::prelude::*;

fn bank() -> (Bank, Corpus) {
    let bank = Bank::shipped().expect("the shipped bank is valid");
    let corpus = Corpus::new(&bank.questions);
    (bank, corpus)
}

fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(['.', '!', '?'])
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() > 1)
        .collect()
}

#[test]
fn the_shipped_bank_has_all_34_questions_with_topics_and_difficulties() {
    let (bank, _) = bank();
    assert_eq!(bank.questions.len(), 34);
    let count = |topic: &str| bank.questions.iter().filter(|q| q.topic == topic).count();
    assert_eq!(count("Performance"), 5);
    assert_eq!(count("Architecture"), 7);
    assert_eq!(count("Testing"), 5);
    assert_eq!(count("Scalability"), 10);
    assert_eq!(count("Large Application Design"), 7);
    for q in &bank.questions {
        assert!(
            (1..=3).contains(&q.hints.len()),
            "{} has {} hints",
            q.id,
            q.hints.len()
        );
        assert!(!q.concepts.is_empty(), "{} has no curated concepts", q.id);
    }
}

#[test]
fn every_reference_answer_scores_at_least_90_and_covers_every_concept() {
    let (bank, corpus) = bank();
    for q in &bank.questions {
        let a = score(q, &q.reference, &corpus);
        assert!(
            a.total >= 90,
            "{}: reference scored {} — {}",
            q.id,
            a.total,
            a.feedback
        );
        let missed: Vec<_> = a.missed().map(|c| c.name.clone()).collect();
        assert!(missed.is_empty(), "{}: reference misses {missed:?}", q.id);
        assert!(
            a.misconceptions.is_empty(),
            "{}: reference trips {:?}",
            q.id,
            a.misconceptions
        );
    }
}

#[test]
fn the_prompt_pasted_back_scores_at_most_10() {
    let (bank, corpus) = bank();
    for q in &bank.questions {
        let a = score(q, &q.prompt, &corpus);
        assert!(a.total <= 10, "{}: prompt scored {}", q.id, a.total);
        assert!(a.has(Flag::CopiedQuestion), "{}: {:?}", q.id, a.flags);
    }
}

#[test]
fn a_keyword_salad_of_all_concept_names_scores_at_most_40() {
    let (bank, corpus) = bank();
    for q in &bank.questions {
        // Keywords without sentences: each concept's name and first phrasing, function words dropped.
        let salad: Vec<String> = q
            .concepts
            .iter()
            .map(|c| {
                let words = format!("{} {}", c.name, c.phrases[0]).to_lowercase();
                let kept: Vec<&str> = words
                    .split_whitespace()
                    .filter(|w| !is_stop_word(w))
                    .collect();
                kept.join(" ")
            })
            .collect();
        let a = score(q, &salad.join(", "), &corpus);
        assert!(
            a.total <= 40,
            "{}: salad scored {} {:?}",
            q.id,
            a.total,
            a.flags
        );
        let phrases: Vec<&str> = q
            .concepts
            .iter()
            .flat_map(|c| c.phrases.iter().flat_map(|p| p.split_whitespace()))
            .filter(|w| !is_stop_word(&w.to_lowercase()))
            .collect();
        let a = score(q, &phrases.join(" "), &corpus);
        assert!(a.total <= 40, "{}: phrase salad scored {}", q.id, a.total);
        assert!(a.has(Flag::KeywordStuffing), "{}: {:?}", q.id, a.flags);
    }
}

#[test]
fn empty_and_gibberish_answers_score_nothing() {
    let (bank, corpus) = bank();
    for q in &bank.questions {
        for blank in ["", "   \n\t ", "...", "the of and"] {
            let a = score(q, blank, &corpus);
            assert_eq!(a.total, 0, "{}: {blank:?}", q.id);
            assert!(a.has(Flag::Empty), "{}: {blank:?} {:?}", q.id, a.flags);
        }
        for junk in [
            "asdf qwer zxcv uiop hjkl",
            "lorem ipsum dolor sit amet consectetur",
            "🙂🙂🙂 ???",
        ] {
            let a = score(q, junk, &corpus);
            assert!(a.total <= 5, "{}: {junk:?} scored {}", q.id, a.total);
        }
    }
}

#[test]
fn markdown_bullets_score_like_the_same_answer_in_prose() {
    let (bank, corpus) = bank();
    for q in &bank.questions {
        let prose = sentences(&q.reference);
        let bullets: String = prose
            .iter()
            .map(|s| format!("- **{}**\n", s.trim_end_matches('.')))
            .collect();
        let a = score(q, &prose.join(" "), &corpus).total;
        let b = score(q, &bullets, &corpus).total;
        assert!(a.abs_diff(b) <= 5, "{}: prose {a} vs bullets {b}", q.id);
    }
}

#[test]
fn adding_a_missed_concept_never_lowers_the_score() {
    let (bank, corpus) = bank();
    for q in &bank.questions {
        let mut answer = String::from("In short, it depends on the workload.");
        let mut last = score(q, &answer, &corpus).total;
        for c in &q.concepts {
            answer.push_str(&format!(
                " It is important to consider {} here.",
                c.phrases[0]
            ));
            let now = score(q, &answer, &corpus);
            assert!(
                now.total >= last,
                "{}: adding {} lowered {last} to {}",
                q.id,
                c.name,
                now.total
            );
            assert!(
                now.concepts
                    .iter()
                    .any(|r| r.name == c.name && r.coverage == Coverage::Covered),
                "{}: {} not covered by its own phrase",
                q.id,
                c.name
            );
            last = now.total;
        }
    }
}

fn question<'a>(bank: &'a Bank, id: &str) -> &'a Question {
    bank.question(id)
        .unwrap_or_else(|| panic!("{id} is in the bank"))
}

#[test]
fn faithful_paraphrases_score_at_least_70() {
    let (bank, corpus) = bank();
    let cases = [
        (
            "node-cluster-module-scaling",
            "With cluster you fork one worker process per CPU core. All the workers listen on a shared port, \
             and the primary process accepts the connections and hands them out round-robin, so the load is \
             balanced across every core. The workers are separate processes with separate memory, so they \
             coordinate over IPC and keep shared state in something like Redis.",
        ),
        (
            "node-libuv-thread-pool",
            "libuv runs a small pool of worker threads, four by default, and you can change the thread pool size \
             with UV_THREADPOOL_SIZE. Network sockets don't use it because the OS kernel gives async I/O through \
             epoll or kqueue, but file system calls, crypto like pbkdf2, zlib compression and dns.lookup are \
             blocking, so they run on the pool and their callbacks come back to the event loop.",
        ),
        (
            "node-memory-leak-profiling",
            "Leaks usually come from references that never go away: globals, caches that grow forever, event \
             listeners that are never removed, closures. I start the process with node --inspect, attach Chrome \
             DevTools and take heap snapshots in the Memory tab, one before and one after putting load on it with \
             autocannon, then compare them to see which constructors keep growing.",
        ),
    ];
    for (id, answer) in cases {
        let q = question(&bank, id);
        let a = score(q, answer, &corpus);
        assert!(
            a.total >= 70,
            "{id}: paraphrase scored {} — {}",
            a.total,
            a.feedback
        );
    }
}

#[test]
fn a_misconception_costs_points_unless_negated() {
    let (bank, corpus) = bank();
    let Some(q) = bank.questions.iter().find(|q| !q.misconceptions.is_empty()) else {
        panic!("the bank has at least one misconception");
    };
    let m = &q.misconceptions[0];
    let base = format!("{} ", q.reference);
    let plain = score(q, &base, &corpus);
    let said = score(q, &format!("{base} Also, {}.", m.phrase), &corpus);
    assert!(said.has(Flag::Misconception), "{:?}", said.flags);
    assert!(
        said.total + 10 <= plain.total,
        "{} vs {}",
        said.total,
        plain.total
    );
    assert!(said.feedback.contains(&m.why));
    let negated = score(
        q,
        &format!("{base} It is not true that {}.", m.phrase),
        &corpus,
    );
    assert!(
        !negated.has(Flag::Misconception),
        "{:?}",
        negated.misconceptions
    );
}

#[test]
fn feedback_names_covered_and_missed_concepts() {
    let (bank, corpus) = bank();
    let q = question(&bank, "node-cluster-module-scaling");
    let a = score(
        q,
        "The primary process balances load round-robin across the workers, which is how it scales.",
        &corpus,
    );
    assert!(a.feedback.starts_with("Covered: "), "{}", a.feedback);
    assert!(a.feedback.contains("Missed: "), "{}", a.feedback);
    assert!(a.feedback.contains("Study: "), "{}", a.feedback);
    let lb = a
        .concepts
        .iter()
        .find(|c| c.coverage == Coverage::Covered)
        .expect("one concept covered");
    assert!(
        lb.matched
            .as_deref()
            .is_some_and(|m| m.to_lowercase().contains("round")),
        "{lb:?}"
    );
}

#[test]
fn scoring_is_deterministic() {
    let (bank, corpus) = bank();
    let q = &bank.questions[0];
    let answer = "Take heap snapshots with --inspect and compare them under load.";
    assert_eq!(score(q, answer, &corpus), score(q, answer, &corpus));
}

#[test]
fn a_100_kb_answer_is_scored_within_range() {
    let (bank, corpus) = bank();
    let q = &bank.questions[0];
    let big: String = q.reference.chars().cycle().take(100_000).collect();
    let a = score(q, &big, &corpus);
    assert!(a.total <= 100);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_utf8_scores_within_0_to_100_without_panicking(text in any::<String>()) {
        let (bank, corpus) = bank();
        let a = score(&bank.questions[1], &text, &corpus);
        prop_assert!(a.total <= 100);
        prop_assert!((0.0..=1.0).contains(&a.coverage) && (0.0..=1.0).contains(&a.similarity));
    }

    #[test]
    fn mixed_technical_text_never_panics(
        words in prop::collection::vec(
            prop::sample::select(vec!["child_process.fork", "--max-old-space-size=4096", "SharedArrayBuffer",
                "UV_THREADPOOL_SIZE", "ß", "İ", "’", "--", "...", "é", "日本語", "\u{200b}", "a", "heap", "not"]),
            0..400)
    ) {
        let (bank, corpus) = bank();
        for q in bank.questions.iter().take(3) {
            let a = score(q, &words.join(" "), &corpus);
            prop_assert!(a.total <= 100);
        }
    }
}

/// One answer of the graded set written for the shipped bank.
#[derive(serde::Deserialize)]
struct GradedAnswer {
    question: String,
    level: String,
    text: String,
}

#[derive(serde::Deserialize)]
struct GradedSet {
    answer: Vec<GradedAnswer>,
}

/// Scores of the graded set by question and level, printed as a table for tuning.
fn graded_scores() -> Vec<(String, String, u8, String)> {
    let (bank, corpus) = bank();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/graded-nodejs-senior.toml"),
    )
    .expect("the graded set is in the repository");
    let set: GradedSet = toml::from_str(&text).expect("the graded set parses");
    set.answer
        .iter()
        .map(|g| {
            let q = question(&bank, &g.question);
            let a = score(q, &g.text, &corpus);
            (g.question.clone(), g.level.clone(), a.total, a.feedback)
        })
        .collect()
}

#[test]
fn graded_answers_are_ordered_on_every_question() {
    let scores = graded_scores();
    let (bank, _) = bank();
    let mut problems = Vec::new();
    for q in &bank.questions {
        let id = q.id.as_str();
        let of = |level: &str| -> Vec<u8> {
            scores
                .iter()
                .filter(|(qid, l, _, _)| qid == id && l == level)
                .map(|s| s.2)
                .collect()
        };
        let (complete, paraphrase, partial, contradiction, off_topic, hedged) = (
            of("complete"),
            of("paraphrase"),
            of("partial"),
            of("contradiction"),
            of("off_topic"),
            of("hedged"),
        );
        assert!(
            !complete.is_empty()
                && !paraphrase.is_empty()
                && !partial.is_empty()
                && !contradiction.is_empty()
                && !off_topic.is_empty(),
            "{id}: the graded set has every level"
        );
        let best = *complete.iter().max().unwrap_or(&0);
        let mut check = |ok: bool, what: String| {
            if !ok {
                problems.push(format!("{id}: {what}"));
            }
        };
        for &s in complete.iter().chain(&paraphrase) {
            check(s >= 70, format!("complete/paraphrase {s} < 70"));
        }
        let low = contradiction
            .iter()
            .chain(&off_topic)
            .copied()
            .max()
            .unwrap_or(0);
        for &s in &partial {
            check(
                s < best && s > low,
                format!("partial {s} not between {low} and {best}"),
            );
        }
        for &s in &contradiction {
            check(s <= 40, format!("contradiction {s} > 40"));
            check(
                s + 40 <= best,
                format!("contradiction {s} not 40 below {best}"),
            );
        }
        for &s in &off_topic {
            check(s <= 20, format!("off-topic {s} > 20"));
        }
        for &s in &hedged {
            check(s <= 20, format!("hedged {s} > 20"));
        }
    }
    for (q, level, s, feedback) in &scores {
        println!("{s:>3} {level:<13} {q}  | {feedback}");
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The cases issue 11 reported, each a way a wrong or irrelevant answer used to score high.
mod reported {
    use super::*;

    const SWAPPED: &str = "exec() streams output in real time via stdout and stderr and uses less memory, \
        while spawn() buffers the entire command output in memory before returning it to a callback, so spawn \
        is limited by maxBuffer.";

    #[test]
    fn swapped_roles_score_low_and_say_what_was_contradicted() {
        let (bank, corpus) = bank();
        let q = question(&bank, "node-exec-vs-spawn");
        let right = score(q, &q.reference, &corpus);
        let a = score(q, SWAPPED, &corpus);
        assert!(
            a.total <= 40,
            "swapped roles scored {} — {}",
            a.total,
            a.feedback
        );
        assert!(
            right.total >= a.total + 40,
            "{} vs {}",
            right.total,
            a.total
        );
        let contradicted: Vec<_> = a
            .concepts
            .iter()
            .filter(|c| c.coverage == Coverage::Contradicted)
            .collect();
        assert!(!contradicted.is_empty(), "{:?}", a.concepts);
        assert!(contradicted.iter().all(|c| c.matched.is_some()));
        assert!(a.feedback.contains("Contradicted"), "{}", a.feedback);
        assert!(
            a.has(Flag::Contradiction) || a.has(Flag::Misconception),
            "{:?}",
            a.flags
        );
    }

    #[test]
    fn professed_ignorance_earns_nothing_for_what_it_mentions() {
        let (bank, corpus) = bank();
        let q = question(&bank, "node-exec-vs-spawn");
        let a = score(
            q,
            "I do not know whether exec or spawn buffers output in memory or streams it through stdout; \
             I have never used either.",
            &corpus,
        );
        assert!(
            a.total <= 15,
            "hedged answer scored {} — {}",
            a.total,
            a.feedback
        );
        assert!(a.has(Flag::Hedged), "{:?}", a.flags);
        assert!(a.covered().next().is_none(), "{:?}", a.concepts);
    }

    #[test]
    fn a_reference_negated_sentence_by_sentence_scores_low() {
        let (bank, corpus) = bank();
        for q in &bank.questions {
            // "X does Y." → "It is not true that X does Y."
            let negated: String = sentences(&q.reference)
                .iter()
                .map(|s| format!("It is not true that {} ", s.trim_end_matches('.')))
                .map(|s| s + ". ")
                .collect();
            let a = score(q, &negated, &corpus);
            assert!(
                a.total <= 40,
                "{}: negated reference scored {}",
                q.id,
                a.total
            );
            assert!(
                a.covered().count() * 2 <= a.concepts.len(),
                "{}: negated reference still covers {:?}",
                q.id,
                a.concepts
            );
        }
    }

    #[test]
    fn other_questions_references_do_not_earn_points() {
        let (bank, corpus) = bank();
        let all: String = bank
            .questions
            .iter()
            .map(|q| q.reference.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        let mut worst_other = (0, String::new());
        for q in &bank.questions {
            let a = score(q, &all, &corpus);
            assert!(
                a.total <= 30,
                "{}: all references pasted scored {}",
                q.id,
                a.total
            );
            for other in bank.questions.iter().filter(|o| o.id != q.id) {
                let s = score(q, &other.reference, &corpus).total;
                if s > worst_other.0 {
                    worst_other = (s, format!("{} answered with {}", q.id, other.id));
                }
            }
        }
        assert!(
            worst_other.0 <= 20,
            "another question's reference scored {}: {}",
            worst_other.0,
            worst_other.1
        );
    }

    #[test]
    fn padding_a_good_answer_with_unrelated_text_costs() {
        let (bank, corpus) = bank();
        for (i, q) in bank.questions.iter().enumerate() {
            // Three other references, about three times the answer's length.
            let padding: Vec<&str> = (1..=3)
                .map(|k| {
                    bank.questions[(i + k * 7) % bank.questions.len()]
                        .reference
                        .as_str()
                })
                .collect();
            let padded = format!("{}\n\n{}", q.reference, padding.join("\n\n"));
            let a = score(q, &padded, &corpus);
            assert!(
                a.total <= 30,
                "{}: padded reference scored {}",
                q.id,
                a.total
            );
        }
    }

    #[test]
    fn strings_of_concept_phrases_are_flagged_and_score_at_most_40() {
        let (bank, corpus) = bank();
        for q in &bank.questions {
            // Every phrasing of every concept, function words and all, run together.
            let run: Vec<&str> = q
                .concepts
                .iter()
                .flat_map(|c| c.phrases.iter().map(String::as_str))
                .collect();
            for salad in [run.join(" "), run.join(", "), run.join(" … ")] {
                let a = score(q, &salad, &corpus);
                assert!(a.total <= 40, "{}: {salad:?} scored {}", q.id, a.total);
                assert!(
                    a.has(Flag::KeywordStuffing),
                    "{}: {salad:?} {:?}",
                    q.id,
                    a.flags
                );
            }
        }
    }

    #[test]
    fn words_that_decide_meaning_are_not_stop_words() {
        for w in [
            "same",
            "different",
            "only",
            "all",
            "both",
            "more",
            "less",
            "before",
            "after",
        ] {
            assert!(!is_stop_word(w), "{w}");
        }
        let (bank, corpus) = bank();
        let a = score(&bank.questions[0], "they are the same", &corpus);
        assert!(!a.has(Flag::Empty), "{:?}", a.flags);
    }
}

/// Questions without curated concepts (an imported bank, an `eval` set): the scorer has only the
/// reference's words, so words that mean the same must reach them.
mod other_words {
    use super::*;

    fn plain(id: &str, prompt: &str, reference: &str) -> Question {
        Question {
            id: QuestionId::parse(id).unwrap(),
            topic: "cpp".into(),
            difficulty: Difficulty::Medium,
            prompt: prompt.into(),
            reference: reference.into(),
            concepts: Vec::new(),
            misconceptions: Vec::new(),
            hints: Vec::new(),
        }
    }

    fn scored(q: &Question, answer: &str) -> interview_bot::domain::scoring::Assessment {
        score(q, answer, &Corpus::new(std::slice::from_ref(q)))
    }

    #[test]
    fn a_synonym_of_a_reference_word_earns_part_of_its_credit() {
        let q = plain(
            "cpp-constructors",
            "How many constructors can be created for a class?",
            "An unlimited number of constructors.",
        );
        let synonym = scored(
            &q,
            "An infinite amount of them, each with its own parameters.",
        );
        let unrelated = scored(&q, "A purple amount of them, each with its own parameters.");
        let exact = scored(
            &q,
            "An unlimited amount of them, each with its own parameters.",
        );
        let unlimited = |a: &interview_bot::domain::scoring::Assessment| {
            a.concepts
                .iter()
                .find(|c| c.name == "unlimited")
                .map(|c| (c.coverage, c.matched.clone()))
        };
        assert_eq!(
            unlimited(&synonym),
            Some((Coverage::Partial, Some("infinite".to_string())))
        );
        assert_eq!(unlimited(&unrelated).map(|c| c.0), Some(Coverage::Missed));
        assert_eq!(unlimited(&exact).map(|c| c.0), Some(Coverage::Covered));
        assert!(
            unrelated.total < synonym.total && synonym.total < exact.total,
            "unrelated {} < synonym {} < exact {}",
            unrelated.total,
            synonym.total,
            exact.total
        );
        let denied = scored(&q, "Not an infinite amount of them, only a few.");
        assert_eq!(
            unlimited(&denied).map(|c| c.0),
            Some(Coverage::Missed),
            "a denied synonym earns nothing"
        );
    }

    #[test]
    fn comparisons_get_no_synonyms() {
        let q = plain(
            "cpp-copies",
            "Do the two copies hold equal values?",
            "They hold the same values.",
        );
        let like = scored(&q, "They hold like values.");
        let same = like.concepts.iter().find(|c| c.name == "same").unwrap();
        assert_eq!(same.coverage, Coverage::Missed, "like is not same");
    }

    #[test]
    fn a_number_in_words_is_the_number_in_digits() {
        let q = plain(
            "merge-base-case",
            "What is the base case of a recursive merge sort?",
            "When the size of the array to be sorted is 1.",
        );
        let words = scored(&q, "When the array has a size of one.");
        let digits = scored(&q, "When the array has a size of 1.");
        assert_eq!(words.total, digits.total);
        assert!(
            words
                .concepts
                .iter()
                .any(|c| c.name == "1" && c.coverage == Coverage::Covered)
        );
    }
}

/// The fresher and mid banks' graded answers (tests/fixtures/graded-nodejs-{fresher,mid}.toml),
/// by question: (question id, paraphrase score, contradiction scores).
fn fixture_scores() -> Vec<(String, String, u8, Vec<u8>)> {
    let mut out = Vec::new();
    for level in ["fresher", "mid"] {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let bank = interview_bot::cli::load_bank_file(
            &root.join(format!("data/banks/nodejs-{level}.toml")),
        )
        .expect("the shipped bank loads");
        let corpus = Corpus::for_bank(&bank);
        let text = std::fs::read_to_string(
            root.join(format!("tests/fixtures/graded-nodejs-{level}.toml")),
        )
        .expect("the graded set is in the repository");
        let set: GradedSet = toml::from_str(&text).expect("the graded set parses");
        for q in &bank.questions {
            let of = |l: &str| -> Vec<u8> {
                set.answer
                    .iter()
                    .filter(|g| g.question == q.id.as_str() && g.level == l)
                    .map(|g| score(q, &g.text, &corpus).total)
                    .collect()
            };
            let (paraphrase, contradiction) = (of("paraphrase"), of("contradiction"));
            assert!(
                !paraphrase.is_empty() && contradiction.len() >= 2,
                "{}: a paraphrase and two contradictions",
                q.id
            );
            out.push((
                level.to_string(),
                q.id.to_string(),
                paraphrase[0],
                contradiction,
            ));
        }
    }
    out
}

/// Every contradiction, written from the reference by reversing its claims, scores below 50 and
/// below that question's paraphrase, which keeps at least 60.
#[test]
#[ignore = "issue 25: not met yet (8 Dec: 94 of the 176 contradictions score 50 or more, mostly swapped roles and opposites no reversal rule catches); run with --ignored"]
fn contradictions_of_the_fresher_and_mid_banks_score_below_50_and_their_paraphrase() {
    let mut problems = Vec::new();
    for (level, id, p, contradictions) in fixture_scores() {
        if p < 60 {
            problems.push(format!("{level} {id}: paraphrase {p} < 60"));
        }
        for c in contradictions {
            if c >= 50 || c >= p {
                problems.push(format!("{level} {id}: contradiction {c} (paraphrase {p})"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Until the test above holds, a ratchet: every paraphrase keeps 60, and no more contradictions
/// score 50 or more (or as much as their paraphrase) than on 8 Dec. Lower the bound as the
/// scorer catches more; a change that lets more through fails here.
#[test]
fn contradiction_fixtures_do_not_lose_ground() {
    const AT_MOST: usize = 94;
    let scores = fixture_scores();
    let low: Vec<String> = scores
        .iter()
        .filter(|s| s.2 < 60)
        .map(|s| format!("{} {}: {}", s.0, s.1, s.2))
        .collect();
    assert!(low.is_empty(), "paraphrases under 60: {low:?}");
    let through = scores
        .iter()
        .flat_map(|(_, _, p, cs)| cs.iter().map(move |c| (*p, *c)))
        .filter(|&(p, c)| c >= 50 || c >= p)
        .count();
    assert!(
        through <= AT_MOST,
        "{through} contradictions score 50 or more (or as much as their paraphrase); at most {AT_MOST} did on 8 Dec"
    );
    assert_eq!(scores.iter().map(|s| s.3.len()).sum::<usize>(), 176);
}
