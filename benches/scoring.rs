//! Scorer throughput on answers of 100, 1,000 and 4,000 characters.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use interview_bot::domain::bank::Bank;
use interview_bot::domain::scoring::{Corpus, score};

fn answer_of(len: usize, source: &str) -> String {
    let mut s: String = source.chars().cycle().take(len).collect();
    // End on a word boundary so every size is realistic text.
    while s.len() > len.saturating_sub(10) && !s.ends_with(' ') && s.pop().is_some() {}
    s
}

fn bench(c: &mut Criterion) {
    let Ok(bank) = Bank::shipped() else {
        panic!("the shipped bank must load");
    };
    let corpus = Corpus::new(&bank.questions);
    let q = &bank.questions[1];
    // A realistic mix: a paraphrase of the reference answer with other questions' text after it.
    let source = format!(
        "{} {} {}",
        q.reference, bank.questions[5].reference, bank.questions[9].reference
    );
    let mut group = c.benchmark_group("score");
    for len in [100, 1_000, 4_000] {
        // Different answers each iteration (windows over the text), so nothing is scored twice
        // in a row; stems of the bank's vocabulary are warm, as they are in a running bot.
        let answers: Vec<String> = (0..64)
            .map(|i| {
                let skip = (i * 37) % (source.len() / 2);
                answer_of(len, &source.chars().skip(skip).collect::<String>())
            })
            .collect();
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(len), &answers, |b, answers| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % answers.len();
                score(q, &answers[i], &corpus)
            });
        });
    }
    group.finish();
    c.bench_function("corpus/build-34-questions", |b| {
        b.iter(|| Corpus::new(&bank.questions))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
