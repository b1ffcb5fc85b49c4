//! The built-in banks: what every one of them must hold, and that the new fresher and mid banks
//! give the same scoring guarantees as the senior bank (`tests/scoring.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use interview_bot::domain::bank::{BUILTIN_BANKS, Bank, Builtin, Difficulty, SHIPPED_BUILTIN};
use interview_bot::domain::scoring::text::is_stop_word;
use interview_bot::domain::scoring::{Corpus, Flag, score};
use interview_bot::store::{NewSchedule, Store};
use rand::SeedableRng as _;
use rand::seq::SliceRandom as _;

/// The banks issue 16 added, with their corpora as the bot and the terminal build them.
fn new_banks() -> Vec<(Bank, Corpus)> {
    ["nodejs-fresher", "nodejs-mid"]
        .into_iter()
        .map(|id| {
            let bank = Builtin::find(id)
                .unwrap_or_else(|| panic!("{id} is built in"))
                .load()
                .expect("the built-in bank is valid");
            let corpus = Corpus::for_bank(&bank);
            (bank, corpus)
        })
        .collect()
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The topics issue 16 asks every new bank to cover.
const TOPICS: [&str; 10] = [
    "Event Loop",
    "Modules and npm",
    "Async and Promises",
    "Errors",
    "Buffers and Streams",
    "HTTP and Express",
    "Testing",
    "Debugging",
    "Security",
    "Performance",
];

#[test]
fn every_builtin_bank_loads_and_declares_the_id_it_is_listed_under() {
    let banks = Bank::builtin().expect("every built-in bank is valid");
    assert_eq!(banks.len(), BUILTIN_BANKS.len());
    let levels: Vec<&str> = banks.iter().map(|b| b.meta.level.as_str()).collect();
    assert_eq!(levels, ["fresher", "mid", "senior"]);
    for (builtin, bank) in BUILTIN_BANKS.iter().zip(&banks) {
        assert_eq!(bank.meta.id, builtin.id, "{}", builtin.file);
        let on_disk = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(builtin.file),
        )
        .unwrap();
        assert_eq!(
            on_disk, builtin.toml,
            "{} is compiled in as is",
            builtin.file
        );
    }
    assert_eq!(Bank::shipped().unwrap(), SHIPPED_BUILTIN.load().unwrap());
    assert_eq!(
        Builtin::find(" NODEJS-Mid ").map(|b| b.id),
        Some("nodejs-mid")
    );
    assert_eq!(Builtin::find("nodejs"), None);
}

#[test]
fn bank_ids_and_question_ids_are_unique_across_builtin_banks() {
    let banks = Bank::builtin().unwrap();
    let mut bank_ids = HashSet::new();
    let mut question_ids = HashSet::new();
    for bank in &banks {
        assert!(bank_ids.insert(bank.meta.id.clone()), "{}", bank.meta.id);
        for q in &bank.questions {
            assert!(
                question_ids.insert(q.id.clone()),
                "{} of {} is also in another built-in bank",
                q.id,
                bank.meta.id
            );
        }
    }
    assert!(question_ids.len() >= 34 + 40 + 40);
}

#[test]
fn new_banks_have_40_questions_every_topic_and_a_difficulty_mix_for_their_level() {
    for (bank, _) in new_banks() {
        let id = &bank.meta.id;
        let n = bank.questions.len();
        assert!(n >= 40, "{id} has {n} questions");
        for topic in TOPICS {
            let count = bank.questions.iter().filter(|q| q.topic == topic).count();
            assert!(count >= 2, "{id}: {count} questions on {topic}");
        }
        assert_eq!(
            bank.topics().len(),
            TOPICS.len(),
            "{id}: {:?}",
            bank.topics()
        );
        let mix: BTreeMap<Difficulty, usize> = Difficulty::ALL
            .into_iter()
            .map(|d| {
                (
                    d,
                    bank.questions.iter().filter(|q| q.difficulty == d).count(),
                )
            })
            .collect();
        let (easy, medium, hard) = (
            mix[&Difficulty::Easy],
            mix[&Difficulty::Medium],
            mix[&Difficulty::Hard],
        );
        assert!(easy > 0 && medium > 0 && hard > 0, "{id}: {mix:?}");
        match bank.meta.level.as_str() {
            // Mostly easy and medium, a few hard ones.
            "fresher" => assert!(
                easy + medium >= n * 85 / 100 && easy >= n / 3 && hard < easy,
                "{id}: {mix:?}"
            ),
            // Mostly medium, with some easy and some hard.
            "mid" => assert!(
                medium >= n / 2 && medium > easy + hard && easy >= 3 && hard >= 3,
                "{id}: {mix:?}"
            ),
            other => panic!("{id}: unexpected level {other}"),
        }
    }
}

#[test]
fn every_new_question_is_curated_like_the_senior_bank() {
    for (bank, _) in new_banks() {
        let prefix = match bank.meta.level.as_str() {
            "fresher" => "fresh-",
            _ => "mid-",
        };
        for q in &bank.questions {
            let id = &q.id;
            assert!(id.as_str().starts_with(prefix), "{id}");
            let len = words(&q.reference);
            assert!((60..=150).contains(&len), "{id}: reference of {len} words");
            assert!(
                (1..=3).contains(&q.hints.len()),
                "{id}: {} hints",
                q.hints.len()
            );
            assert!(
                (3..=5).contains(&q.concepts.len()),
                "{id}: {} concepts",
                q.concepts.len()
            );
            assert!(
                q.misconceptions.len() >= 2,
                "{id}: fewer than 2 misconceptions"
            );
            for c in &q.concepts {
                assert!(c.phrases.len() >= 2, "{id}: {} has one phrasing", c.name);
                assert!(c.weight > 0.0 && c.weight <= 10.0, "{id}: {}", c.name);
            }
            // A subject is a way to name something the reference talks about.
            let reference = q.reference.to_lowercase();
            let subjects = q
                .concepts
                .iter()
                .map(|c| &c.subject)
                .chain(q.misconceptions.iter().map(|m| &m.subject));
            for subject in subjects.filter(|s| !s.is_empty()) {
                assert!(
                    subject
                        .iter()
                        .any(|s| reference.contains(&s.to_lowercase())),
                    "{id}: the reference never names the subject {subject:?}"
                );
            }
        }
    }
}

#[test]
fn every_new_reference_scores_at_least_90_covers_every_concept_and_trips_nothing() {
    for (bank, corpus) in new_banks() {
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
                "{}: the reference states a misconception {:?}",
                q.id,
                a.misconceptions
            );
        }
    }
}

#[test]
fn every_new_misconception_costs_points_when_a_candidate_says_it() {
    for (bank, corpus) in new_banks() {
        for q in &bank.questions {
            for m in &q.misconceptions {
                let a = score(q, &format!("I think that {}.", m.phrase), &corpus);
                assert!(
                    a.has(Flag::Misconception),
                    "{}: saying {:?} is not caught (a negation word in the phrase never matches)",
                    q.id,
                    m.phrase
                );
            }
        }
    }
}

#[test]
fn a_new_prompt_pasted_back_scores_at_most_10() {
    for (bank, corpus) in new_banks() {
        for q in &bank.questions {
            let a = score(q, &q.prompt, &corpus);
            assert!(a.total <= 10, "{}: prompt scored {}", q.id, a.total);
            assert!(a.has(Flag::CopiedQuestion), "{}: {:?}", q.id, a.flags);
        }
    }
}

#[test]
fn a_keyword_salad_of_a_new_question_scores_at_most_40() {
    for (bank, corpus) in new_banks() {
        for q in &bank.questions {
            // As in tests/scoring.rs: each concept's name and first phrasing, function words dropped.
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
}

#[test]
fn an_empty_answer_to_a_new_question_scores_0() {
    for (bank, corpus) in new_banks() {
        for q in &bank.questions {
            for blank in ["", "   \n\t ", "...", "the of and"] {
                let a = score(q, blank, &corpus);
                assert_eq!(a.total, 0, "{}: {blank:?}", q.id);
                assert!(a.has(Flag::Empty), "{}: {blank:?} {:?}", q.id, a.flags);
            }
        }
    }
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// `Store::next_drop_question` is how a daily drop picks its question: it walks a shuffled
/// order of the pool it is given. Given every question of the three built-in banks, it posts
/// each once before repeating any, so more than 100 days pass without a repeat.
#[tokio::test]
async fn a_daily_drop_over_all_three_banks_repeats_no_question_for_over_100_days() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let store = Store::connect(&url).await.unwrap();
    let now = t("2026-01-01T00:00:00Z");
    let mut pool = Vec::new();
    for builtin in &BUILTIN_BANKS {
        let bank = builtin.load().unwrap();
        let stored = store
            .store_bank(None, &bank, builtin.toml, None, now)
            .await
            .unwrap();
        pool.extend(
            bank.questions
                .iter()
                .filter_map(|q| stored.question_id(q.id.as_str())),
        );
    }
    assert!(pool.len() > 100, "{} questions", pool.len());
    let schedule = store
        .create_schedule(
            &NewSchedule {
                guild_id: 1,
                channel_id: 10,
                local_time: "09:00",
                timezone: "UTC",
                weekdays: 127,
                bank_id: None,
                topic: None,
                difficulty: None,
                window_hours: 24,
                ping_role_id: None,
                thread: false,
                created_by: 7,
            },
            now,
        )
        .await
        .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let mut posted = Vec::new();
    for _day in 0..pool.len() + 1 {
        let q = store
            .next_drop_question(schedule, &pool, now, |v| v.shuffle(&mut rng))
            .await
            .unwrap()
            .expect("the pool is not empty");
        posted.push(q);
    }
    let first_round: HashSet<i64> = posted[..pool.len()].iter().copied().collect();
    assert_eq!(
        first_round.len(),
        pool.len(),
        "a question repeated within the first {} days",
        pool.len()
    );
    // The order is a shuffle, not bank order, and a new round starts once all were posted.
    assert_ne!(posted[..pool.len()], pool[..]);
    assert!(pool.contains(&posted[pool.len()]));
    store.close().await;
}
