//! Regression guard: agreement with human graders on the Mohler and SAF data sets must not fall,
//! and the held-out parts stay at issue 11's targets.
//!
//! The data lives beside the checkout (`../shared/eval/mohler.csv`), never in the repository.
//! Without it the test says why and passes; with `REQUIRE_EVAL_DATA=1` (set by CI) a missing file fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use std::path::Path;

use interview_bot::cli::eval::{Columns, evaluate};

/// A little under the measured 0.603 (all Mohler answers, with the embedding table), so changes that lose agreement are
/// caught (scores are deterministic: the figure does not wobble).
const PEARSON_FLOOR: f64 = 0.59;
/// Floors on the parts nothing was tuned on, under today's figures: Mohler assignments 7–12
/// (0.607 with the embedding table, 0.601 without) and SAF `unseen_answers` (0.746; 0.734).
const MOHLER_HELD_OUT_TARGET: f64 = 0.60;
const SAF_UNSEEN_TARGET: f64 = 0.74;

/// The data set at `../shared/eval/NAME`, or `None` (the test passes, saying why) when it is
/// absent and CI did not require it.
fn eval_data(name: &str) -> Option<std::path::PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/eval")
        .join(name);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("REQUIRE_EVAL_DATA").is_none(),
        "REQUIRE_EVAL_DATA is set but {} is missing",
        path.display()
    );
    println!(
        "skipped: {} not found (it is not part of the repository)",
        path.display()
    );
    None
}

fn held_out_pearson(report: &interview_bot::cli::eval::EvalReport) -> f64 {
    report
        .part("held out")
        .and_then(|p| p.agreement.pearson)
        .expect("a held-out part whose scores vary")
}

#[test]
#[cfg_attr(
    not(ib_eval_mohler),
    ignore = "../shared/eval/mohler.csv is not here (it is not part of the repository)"
)]
fn scorer_agrees_with_human_graders_on_mohler() {
    let Some(path) = eval_data("mohler.csv") else {
        return;
    };
    let (rows, report) = evaluate(&path, &Columns::default()).expect("the data set is readable");
    assert_eq!(rows.len(), 2273);
    let r = report.overall.pearson.expect("scores vary");
    println!(
        "pearson {r:.3}, spearman {:?}, rmse {:.3}",
        report.overall.spearman, report.overall.rmse
    );
    assert!(
        r >= PEARSON_FLOOR,
        "pearson {r:.3} fell below {PEARSON_FLOOR}"
    );
    let held_out = held_out_pearson(&report);
    assert!(
        held_out >= MOHLER_HELD_OUT_TARGET,
        "held-out pearson {held_out:.3} below {MOHLER_HELD_OUT_TARGET}"
    );
    assert_eq!(report.groups.len(), 12, "one line per assignment");
    for (group, a) in &report.groups {
        assert!(
            a.pearson.is_some_and(|p| p > 0.15),
            "assignment {group}: {:?}",
            a.pearson
        );
    }
}

#[test]
#[cfg_attr(
    not(ib_eval_saf),
    ignore = "../shared/eval/saf.csv is not here (it is not part of the repository)"
)]
fn scorer_agrees_with_human_graders_on_unseen_saf_answers() {
    let Some(path) = eval_data("saf.csv") else {
        return;
    };
    let (_, report) = evaluate(&path, &Columns::default()).expect("the data set is readable");
    let unseen = held_out_pearson(&report);
    assert!(
        unseen >= SAF_UNSEEN_TARGET,
        "unseen_answers pearson {unseen:.3} below {SAF_UNSEEN_TARGET}"
    );
}

/// A file with only the four needed columns (no assignment or question id to group by) is
/// evaluated as one group; it was refused for lacking an `assignment` column nobody asked for.
#[test]
fn a_csv_with_only_question_reference_answer_and_grade_is_evaluated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("plain.csv");
    std::fs::write(
        &file,
        "question,reference_answer,student_answer,score_avg\n\
         What is a heap?,Memory for objects allocated at run time.,Run-time object memory.,5\n\
         What is a heap?,Memory for objects allocated at run time.,A kind of list.,1\n\
         What is a heap?,Memory for objects allocated at run time.,Where objects are allocated while running.,4\n",
    )
    .expect("write");
    let (rows, report) = evaluate(&file, &Columns::default()).expect("evaluated");
    assert_eq!(rows.len(), 3);
    assert!(report.groups.len() <= 1, "{:?}", report.groups);
}

#[test]
fn a_bad_csv_is_refused_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "question,reference_answer,student_answer,score_avg,assignment\nq,r,a,5,1\nq,r,b,high,1\n",
    )
    .expect("write");
    let err = evaluate(&file, &Columns::default())
        .expect_err("refused")
        .to_string();
    assert!(err.contains("line 3") && err.contains("`high`"), "{err}");
    let err = evaluate(
        &file,
        &Columns {
            grade_col: Some("grade".into()),
            ..Columns::default()
        },
    )
    .expect_err("refused")
    .to_string();
    assert!(err.contains("no column `grade`"), "{err}");
}
