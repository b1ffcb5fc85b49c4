//! What the scorer must guarantee, checked on every question of the shipped bank.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use interview_bot::domain::bank::{Bank, Question};
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
