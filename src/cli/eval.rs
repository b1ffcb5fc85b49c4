//! `interview-bot eval FILE.csv`: how well the scorer agrees with human graders.
//!
//! Every answer is scored against its row's reference answer with concepts derived from the
//! reference (no curated keywords, no training on the grades). One least-squares line maps
//! scores to the grade scale for the RMSE; the same line is used for every group.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::domain::bank::{Difficulty, Question, QuestionId};
use crate::domain::scoring::{self, Corpus};
use crate::domain::stats::{Agreement, LinearMap};

#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// CSV file with a header row.
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: Columns,
    /// Exit non-zero when Pearson r over all rows is below this.
    #[arg(long)]
    pub min_pearson: Option<f64>,
}

/// Which CSV columns hold what (defaults fit the Mohler data set).
#[derive(Debug, Clone, clap::Args)]
pub struct Columns {
    #[arg(long, default_value = "question")]
    pub question_col: String,
    #[arg(long, default_value = "reference_answer")]
    pub reference_col: String,
    #[arg(long, default_value = "student_answer")]
    pub answer_col: String,
    #[arg(long, default_value = "score_avg")]
    pub grade_col: String,
    /// Column to break the figures down by; empty for none.
    #[arg(long, default_value = "assignment")]
    pub group_col: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            question_col: "question".into(),
            reference_col: "reference_answer".into(),
            answer_col: "student_answer".into(),
            grade_col: "score_avg".into(),
            group_col: "assignment".into(),
        }
    }
}

/// One scored row.
#[derive(Debug, Clone)]
pub struct EvalRow {
    pub score: f64,
    pub grade: f64,
    pub group: String,
}

/// Figures over all rows and per group.
#[derive(Debug, Clone)]
pub struct EvalReport {
    pub overall: Agreement,
    pub groups: Vec<(String, Agreement)>,
}

/// Read, score and measure. Errors name the CSV line.
pub fn evaluate(path: &Path, columns: &Columns) -> anyhow::Result<(Vec<EvalRow>, EvalReport)> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .clone();
    let col = |name: &str| -> anyhow::Result<usize> {
        headers.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}: no column `{name}`; the columns are: {}",
                path.display(),
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })
    };
    let (qc, rc, ac, gc) = (
        col(&columns.question_col)?,
        col(&columns.reference_col)?,
        col(&columns.answer_col)?,
        col(&columns.grade_col)?,
    );
    let group_col = if columns.group_col.is_empty() {
        None
    } else {
        Some(col(&columns.group_col)?)
    };

    let mut questions: Vec<Question> = Vec::new();
    let mut by_text: HashMap<(String, String), usize> = HashMap::new();
    let mut pending: Vec<(usize, String, f64, String)> = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: bad CSV", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or_default().to_string();
        let grade_text = field(gc);
        let Ok(grade) = grade_text.trim().parse::<f64>() else {
            bail!(
                "{}: line {line}: grade `{grade_text}` in column `{}` is not a number",
                path.display(),
                columns.grade_col
            );
        };
        let key = (field(qc), field(rc));
        if key.1.trim().is_empty() {
            bail!(
                "{}: line {line}: the reference answer is empty",
                path.display()
            );
        }
        let next = questions.len();
        let qi = *by_text.entry(key.clone()).or_insert(next);
        if qi == next {
            questions.push(Question {
                id: QuestionId::parse(&format!("eval-{}", next + 1)).map_err(anyhow::Error::msg)?,
                topic: "eval".into(),
                difficulty: Difficulty::Medium,
                prompt: key.0,
                reference: key.1,
                concepts: Vec::new(),
                misconceptions: Vec::new(),
                hints: Vec::new(),
            });
        }
        let group = group_col.map(field).unwrap_or_default();
        pending.push((qi, field(ac), grade, group));
    }
    if pending.len() < 2 {
        bail!("{}: needs at least two graded rows", path.display());
    }
    let corpus = Corpus::new(&questions);
    let rows: Vec<EvalRow> = pending
        .into_iter()
        .map(|(qi, answer, grade, group)| EvalRow {
            score: f64::from(scoring::score(&questions[qi], &answer, &corpus).total),
            grade,
            group,
        })
        .collect();
    let report = measure(&rows).context("the scores or grades have no variance")?;
    Ok((rows, report))
}

fn measure(rows: &[EvalRow]) -> Option<EvalReport> {
    let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let grades: Vec<f64> = rows.iter().map(|r| r.grade).collect();
    let overall = Agreement::measure(&scores, &grades, None)?;
    let mut grouped: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for r in rows {
        let e = grouped.entry(r.group.clone()).or_default();
        e.0.push(r.score);
        e.1.push(r.grade);
    }
    let mut groups: Vec<(String, Agreement)> = grouped
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .filter_map(|(g, (s, gr))| Some((g, Agreement::measure(&s, &gr, Some(overall.map))?)))
        .collect();
    groups.sort_by_key(|g| natural_key(&g.0));
    Some(EvalReport { overall, groups })
}

/// Sort "2" before "10".
fn natural_key(s: &str) -> (u64, String) {
    (s.parse::<u64>().unwrap_or(u64::MAX), s.to_string())
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.3}"))
}

fn print_line(label: &str, a: &Agreement) {
    say!(
        "{label:<12} n={:<5} pearson={:<6} spearman={:<6} rmse={:.3}",
        a.n,
        fmt_opt(a.pearson),
        fmt_opt(a.spearman),
        a.rmse
    );
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let (_, report) = evaluate(&args.file, &args.columns)?;
    let LinearMap { intercept, slope } = report.overall.map;
    say!("map: grade ≈ {intercept:.3} + {slope:.5} · score");
    print_line("all", &report.overall);
    for (group, a) in &report.groups {
        print_line(&format!("{} {group}", args.columns.group_col), a);
    }
    if let (Some(min), Some(r)) = (args.min_pearson, report.overall.pearson)
        && r < min
    {
        eprintln!("pearson {r:.3} is below the required {min:.3}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
