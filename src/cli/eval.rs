//! `interview-bot eval FILE.csv`: how well the scorer agrees with human graders.
//!
//! Every answer is scored against its row's reference answer. Concepts are derived from the
//! reference (no training on the grades) unless the row's question id is a question of the bank,
//! whose curated concepts and misconceptions are then used. One least-squares line maps scores to
//! the grade scale for the RMSE; the same line is used for every group.
//!
//! Figures are reported for a fixed tuning split and a held-out split, each with a bootstrap 95%
//! interval for Pearson r, next to a one-line baseline (the share of the reference's words that
//! the answer contains), so a figure can be read against something simple.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use rand::SeedableRng as _;
use rand::{Rng as _, rngs::Xoshiro256PlusPlus};

use crate::domain::bank::{Bank, Difficulty, Question, QuestionId};
use crate::domain::scoring::{self, Corpus, Parts, WordOverlap};
use crate::domain::stats::{Agreement, LinearMap, pearson, pearson_interval};

#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// CSV file with a header row.
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: Columns,
    /// Exit non-zero when Pearson r on the reported rows (held out, or all) is below this.
    #[arg(long)]
    pub min_pearson: Option<f64>,
    /// Write one line per answer (split, group, grade, score, baseline, flags) to this CSV file.
    #[arg(long)]
    pub dump: Option<PathBuf>,
    /// A bank whose questions' ids may appear in the id column (the shipped banks always do).
    #[arg(long)]
    pub bank: Option<PathBuf>,
    /// Also report what each part of the judge adds: the figures again with the embedding
    /// table, the synonyms, then contradiction turned off, one at a time.
    #[arg(long)]
    pub parts: bool,
    /// Also score the rows through the configured AI judge (`--judge-url`, `--judge-model` or
    /// their environment variables) and print its agreement beside the built-in scorer's on the
    /// same rows, with the request count and time. Sends the answers to that server.
    #[arg(long)]
    pub judge: bool,
    /// With --judge: how many rows to send, spread evenly over the file.
    #[arg(long, default_value_t = 100, requires = "judge")]
    pub limit: usize,
    #[command(flatten)]
    pub judge_settings: crate::cli::settings::JudgeArgs,
}

/// Which CSV columns hold what. Unset columns are found by their usual names, so both
/// `../shared/eval` sets work without flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Columns {
    /// Default: `question`.
    #[arg(long)]
    pub question_col: Option<String>,
    /// Default: `reference_answer`.
    #[arg(long)]
    pub reference_col: Option<String>,
    /// Default: `student_answer`.
    #[arg(long)]
    pub answer_col: Option<String>,
    /// Default: `score_avg`, else `score`.
    #[arg(long)]
    pub grade_col: Option<String>,
    /// Column to break the figures down by ("" for none). Default: `assignment`, else
    /// `question_id`.
    #[arg(long)]
    pub group_col: Option<String>,
    /// Column naming a bank question, whose curated concepts are then used. Default:
    /// `question_id` when present.
    #[arg(long)]
    pub id_col: Option<String>,
}

/// Which rows tuning may look at and which are held out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// A `split` column: `training` rows tune, every other value is held out (SAF).
    Column,
    /// An `assignment` column: assignments 1–6 tune, 7 and later are held out (Mohler).
    Assignments,
    /// No split recognised: all rows are reported together.
    None,
}

/// One scored row.
#[derive(Debug, Clone)]
pub struct EvalRow {
    pub score: f64,
    /// Share of the reference's distinct content words present in the answer, 0–100.
    pub baseline: f64,
    pub grade: f64,
    pub group: String,
    /// True when the row belongs to the held-out split.
    pub held_out: bool,
    pub flags: String,
    /// The scorer's relevance (share of the answer about its question), 0–1.
    pub relevance: f64,
    /// The scorer's other parts (coverage, similarity, fluency, brevity, semantic, alignment), for studying
    /// disagreements in the dump.
    pub parts: [f64; 6],
    /// True when the row's question was found in a bank (curated concepts used).
    pub curated: bool,
}

/// The figures for one set of rows.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub agreement: Agreement,
    /// Bootstrap 95% interval for Pearson r.
    pub interval: Option<(f64, f64)>,
    /// Pearson r of the baseline on the same rows.
    pub baseline: Option<f64>,
}

/// Figures over all rows, per split and per group.
#[derive(Debug, Clone)]
pub struct EvalReport {
    pub split: Split,
    pub overall: Agreement,
    /// `all`, then `tuning` and `held out` when the file has a split.
    pub parts: Vec<Part>,
    pub groups: Vec<(String, Agreement)>,
}

impl EvalReport {
    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    /// The held-out part when there is one, otherwise all rows.
    pub fn reported(&self) -> &Part {
        self.part("held out").unwrap_or(&self.parts[0])
    }
}

/// Resamples for the bootstrap intervals, and the fixed seed that makes them reproducible. The
/// generator is xoshiro256++ (a fixed algorithm, so the intervals are the same on every machine
/// and rand version): the bootstrap draws millions of indices, and ChaCha12's cryptographic
/// strength buys nothing here (it cost 6% of eval's instructions on Mohler).
const RESAMPLES: usize = 1000;
const SEED: u64 = 2011;

/// A uniform index below `n` by one multiply (Lemire's method without the rejection step: its
/// bias, under n / 2^64, is far below anything a bootstrap interval shows).
fn index_below(rng: &mut Xoshiro256PlusPlus, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Read, score and measure. Errors name the CSV line.
pub fn evaluate(path: &Path, columns: &Columns) -> anyhow::Result<(Vec<EvalRow>, EvalReport)> {
    let mut each = evaluate_with(path, columns, None, &[Parts::default()])?;
    each.pop().context("one set of figures per set of parts")
}

/// [`evaluate`], with an extra bank whose question ids may appear in the id column, once for
/// each of `each_parts` (the parts of the judge that are on): the file is read and the corpus
/// built once.
pub fn evaluate_with(
    path: &Path,
    columns: &Columns,
    extra: Option<&Bank>,
    each_parts: &[Parts],
) -> anyhow::Result<Vec<(Vec<EvalRow>, EvalReport)>> {
    let Graded {
        questions,
        curated,
        rows: pending,
        split,
    } = read(path, columns, extra)?;
    let mut corpus = Corpus::new(&questions);
    let baselines: Vec<WordOverlap> = questions
        .iter()
        .map(|q| WordOverlap::new(&q.reference))
        .collect();
    let mut each = Vec::new();
    for &parts in each_parts {
        corpus = corpus.with_parts(parts);
        let rows: Vec<EvalRow> = pending
            .iter()
            .map(|(qi, answer, grade, group, held_out)| {
                let (qi, grade, held_out) = (*qi, *grade, *held_out);
                let group = group.clone();
                let q = &questions[qi];
                let a = scoring::score(q, answer, &corpus);
                let flags: Vec<String> = a
                    .flags
                    .iter()
                    .map(|f| format!("{f:?}").to_lowercase())
                    .collect();
                EvalRow {
                    score: f64::from(a.total),
                    baseline: 100.0 * baselines[qi].of(answer),
                    grade,
                    group,
                    held_out,
                    flags: flags.join(" "),
                    relevance: a.relevance,
                    parts: [
                        a.coverage,
                        a.similarity,
                        a.fluency,
                        a.brevity,
                        a.semantic,
                        a.alignment,
                    ],
                    curated: curated[qi],
                }
            })
            .collect();
        let report =
            measure(&rows, split.clone()).context("the scores or grades have no variance")?;
        each.push((rows, report));
    }
    Ok(each)
}

/// A graded CSV as read: its questions (one per distinct question and reference), whether each
/// came from a bank, and its rows as (question index, answer, grade, group, held out).
pub struct Graded {
    pub questions: Vec<Question>,
    pub curated: Vec<bool>,
    pub rows: Vec<(usize, String, f64, String, bool)>,
    pub split: Split,
}

/// Read a graded CSV. Errors name the CSV line.
pub fn read(path: &Path, columns: &Columns, extra: Option<&Bank>) -> anyhow::Result<Graded> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .clone();
    let has = |name: &str| headers.iter().any(|h| h == name);
    let pick = |given: &Option<String>, usual: &[&str]| -> String {
        given.clone().unwrap_or_else(|| {
            usual
                .iter()
                .find(|n| has(n))
                .map_or(usual[0], |n| *n)
                .to_string()
        })
    };
    let col = |name: &str| -> anyhow::Result<usize> {
        headers.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}: no column `{name}`; the columns are: {}",
                path.display(),
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })
    };
    let grade_name = pick(&columns.grade_col, &["score_avg", "score"]);
    let (qc, rc, ac, gc) = (
        col(&pick(&columns.question_col, &["question"]))?,
        col(&pick(&columns.reference_col, &["reference_answer"]))?,
        col(&pick(&columns.answer_col, &["student_answer"]))?,
        col(&grade_name)?,
    );
    // Neither usual column: no groups (not an error about a column nobody asked for).
    let group_name = columns.group_col.clone().unwrap_or_else(|| {
        ["assignment", "question_id"]
            .into_iter()
            .find(|n| has(n))
            .unwrap_or_default()
            .to_string()
    });
    let group_col = if group_name.is_empty() {
        None
    } else {
        Some(col(&group_name)?)
    };
    let id_col = match &columns.id_col {
        Some(name) if name.is_empty() => None,
        Some(name) => Some(col(name)?),
        None => headers.iter().position(|h| h == "question_id"),
    };
    let split = if has("split") {
        Split::Column
    } else if group_name == "assignment" {
        Split::Assignments
    } else {
        Split::None
    };
    let split_col = headers.iter().position(|h| h == "split");

    // The banks are parsed only when the file names questions by id.
    let mut banks: Vec<Bank> = Vec::new();
    if id_col.is_some() {
        banks = Bank::builtin().unwrap_or_default();
        banks.extend(extra.cloned());
    }
    let mut questions: Vec<Question> = Vec::new();
    let mut curated: Vec<bool> = Vec::new();
    let mut by_text: HashMap<(String, String), usize> = HashMap::new();
    let mut pending: Vec<(usize, String, f64, String, bool)> = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: bad CSV", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or_default().to_string();
        let grade_text = field(gc);
        let Ok(grade) = grade_text.trim().parse::<f64>() else {
            bail!(
                "{}: line {line}: grade `{grade_text}` in column `{grade_name}` is not a number",
                path.display(),
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
            let banked = id_col
                .map(field)
                .and_then(|id| banks.iter().find_map(|b| b.question(id.trim()).cloned()));
            curated.push(banked.is_some());
            questions.push(match banked {
                Some(q) => q,
                None => Question {
                    id: QuestionId::parse(&format!("eval-{}", next + 1))
                        .map_err(anyhow::Error::msg)?,
                    topic: "eval".into(),
                    difficulty: Difficulty::Medium,
                    prompt: key.0,
                    reference: key.1,
                    concepts: Vec::new(),
                    misconceptions: Vec::new(),
                    hints: Vec::new(),
                },
            });
        }
        let group = group_col.map(field).unwrap_or_default();
        let held_out = match split {
            Split::Column => split_col.is_some_and(|c| field(c).trim() != "training"),
            Split::Assignments => group.trim().parse::<u32>().is_ok_and(|a| a >= 7),
            Split::None => false,
        };
        pending.push((qi, field(ac), grade, group, held_out));
    }
    if pending.len() < 2 {
        bail!("{}: needs at least two graded rows", path.display());
    }
    Ok(Graded {
        questions,
        curated,
        rows: pending,
        split,
    })
}

fn part(name: &str, rows: &[&EvalRow]) -> Option<Part> {
    let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let grades: Vec<f64> = rows.iter().map(|r| r.grade).collect();
    let baseline: Vec<f64> = rows.iter().map(|r| r.baseline).collect();
    let agreement = Agreement::measure(&scores, &grades, None)?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let interval = pearson_interval(&scores, &grades, RESAMPLES, |n| index_below(&mut rng, n));
    Some(Part {
        name: name.to_string(),
        agreement,
        interval,
        baseline: pearson(&baseline, &grades),
    })
}

fn measure(rows: &[EvalRow], split: Split) -> Option<EvalReport> {
    let all: Vec<&EvalRow> = rows.iter().collect();
    let mut parts = vec![part("all", &all)?];
    if split != Split::None {
        let (held, tuning): (Vec<&EvalRow>, Vec<&EvalRow>) = all.iter().partition(|r| r.held_out);
        parts.extend(part("tuning", &tuning));
        parts.extend(part("held out", &held));
    }
    let overall = parts[0].agreement.clone();
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
    Some(EvalReport {
        split,
        overall,
        parts,
        groups,
    })
}

/// Sort "2" before "10" (and "10.1" before "10.2").
fn natural_key(s: &str) -> (u64, String) {
    let head = s.split('.').next().unwrap_or(s);
    (head.parse::<u64>().unwrap_or(u64::MAX), s.to_string())
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.3}"))
}

fn print_line(label: &str, a: &Agreement) {
    say!(
        "{label:<14} n={:<5} pearson={:<6} spearman={:<6} rmse={:.3}",
        a.n,
        fmt_opt(a.pearson),
        fmt_opt(a.spearman),
        a.rmse
    );
}

fn print_part(p: &Part) {
    let a = &p.agreement;
    let interval = p
        .interval
        .map_or_else(String::new, |(lo, hi)| format!(" [{lo:.3}, {hi:.3}]"));
    say!(
        "{:<14} n={:<5} pearson={}{interval} spearman={} rmse={:.3}  baseline pearson={}",
        p.name,
        a.n,
        fmt_opt(a.pearson),
        fmt_opt(a.spearman),
        a.rmse,
        fmt_opt(p.baseline)
    );
}

fn dump(path: &Path, rows: &[EvalRow]) -> anyhow::Result<()> {
    let mut out = String::from(
        "row,split,group,grade,score,baseline,relevance,coverage,similarity,fluency,brevity,semantic,alignment,curated,flags\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let split = if r.held_out { "held_out" } else { "tuning" };
        let _ = writeln!(
            out,
            "{},{split},{},{},{},{:.1},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{},{}",
            i + 1,
            r.group,
            r.grade,
            r.score,
            r.baseline,
            r.relevance,
            r.parts[0],
            r.parts[1],
            r.parts[2],
            r.parts[3],
            r.parts[4],
            r.parts[5],
            r.curated,
            r.flags
        );
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let extra = match &args.bank {
        Some(file) => Some(crate::cli::load_bank_file(file)?),
        None => None,
    };
    let all = Parts::default();
    let without = [
        (
            "embeddings",
            Parts {
                embeddings: false,
                ..all
            },
        ),
        (
            "synonyms",
            Parts {
                synonyms: false,
                ..all
            },
        ),
        (
            "contradiction",
            Parts {
                contradiction: false,
                ..all
            },
        ),
    ];
    let mut each_parts = vec![all];
    if args.parts {
        each_parts.extend(without.iter().map(|(_, p)| *p));
    }
    let mut each =
        evaluate_with(&args.file, &args.columns, extra.as_ref(), &each_parts)?.into_iter();
    let (rows, report) = each.next().context("figures with every part on")?;
    let LinearMap { intercept, slope } = report.overall.map;
    let split = match report.split {
        Split::Column => "split column: `training` tunes, the rest is held out",
        Split::Assignments => "assignments 1–6 tune, 7–12 are held out",
        Split::None => "no split",
    };
    say!("{split}; bootstrap 95% intervals over {RESAMPLES} resamples");
    say!("map: grade ≈ {intercept:.3} + {slope:.5} · score");
    for p in &report.parts {
        print_part(p);
    }
    let group = args.columns.group_col.as_deref().unwrap_or("group");
    for (g, a) in &report.groups {
        print_line(&format!("{group} {g}"), a);
    }
    if args.parts {
        say!("{} with one part of the judge off:", report.reported().name);
        for ((name, _), (_, r)) in without.iter().zip(each) {
            let mut p = r.reported().clone();
            p.name = format!("− {name}");
            print_part(&p);
        }
    }
    if args.judge {
        judge_eval(&args, extra.as_ref())?;
    }
    if let Some(file) = &args.dump {
        dump(file, &rows)?;
        say!("wrote {} rows to {}", rows.len(), file.display());
    }
    if let (Some(min), Some(r)) = (args.min_pearson, report.reported().agreement.pearson)
        && r < min
    {
        eprintln!("pearson {r:.3} is below the required {min:.3}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// `eval --judge`: up to `--limit` rows, spread evenly over the file, through the configured AI
/// judge, and both judges' agreement with the grades on the rows the AI judged.
fn judge_eval(args: &EvalArgs, extra: Option<&Bank>) -> anyhow::Result<()> {
    use crate::app::judge::{AiJudge, NoVerdict};
    use crate::cli::settings::{FileLayer, JudgeSettings};
    let settings = JudgeSettings::resolve(&args.judge_settings.given, &FileLayer::defaults())?;
    let config = settings.config.context(
        "--judge needs the AI judge's server and model: --judge-url and --judge-model (or JUDGE_URL and JUDGE_MODEL)",
    )?;
    let graded = read(&args.file, &args.columns, extra)?;
    let n = graded.rows.len();
    let take = args.limit.min(n);
    let picked: Vec<usize> = (0..take).map(|i| i * n / take.max(1)).collect();
    let corpus = Corpus::new(&graded.questions);
    let client = crate::judge_client::OpenAiClient::new(
        &config.url,
        &config.model,
        config.api_key.clone(),
        config.limits.timeout,
    )?;
    let judge = std::sync::Arc::new(AiJudge::new(
        std::sync::Arc::new(client),
        config.limits,
        crate::ops::Metrics::new(),
    ));
    say!(
        "AI judge: sending {take} answers to {} at {} ({} at a time)…",
        config.model,
        crate::store::redact_url(&config.url),
        config.limits.concurrency
    );
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let verdicts = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (slot, &r) in picked.iter().enumerate() {
            let judge = judge.clone();
            let (qi, answer) = (graded.rows[r].0, graded.rows[r].1.clone());
            let question = graded.questions[qi].clone();
            set.spawn(async move { (slot, judge.verdict(&question, &answer).await) });
        }
        let mut out = vec![None; picked.len()];
        while let Some(done) = set.join_next().await {
            if let Ok((slot, v)) = done {
                out[slot] = Some(v);
            }
        }
        out
    });
    let took = started.elapsed();
    let (mut builtin, mut ai, mut grades) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rejected, mut failed) = (0, 0);
    for (slot, &r) in picked.iter().enumerate() {
        let (qi, answer, grade, _, _) = &graded.rows[r];
        match &verdicts[slot] {
            Some(Ok(v)) => {
                let q = &graded.questions[*qi];
                builtin.push(f64::from(scoring::score(q, answer, &corpus).total));
                ai.push(f64::from(v.score));
                grades.push(*grade);
            }
            Some(Err(NoVerdict::Rejected(_))) => rejected += 1,
            _ => failed += 1,
        }
    }
    say!(
        "AI judge: {take} requests in {:.1} s: {} valid, {rejected} rejected, {failed} without a reply",
        took.as_secs_f64(),
        ai.len()
    );
    let line = |name: &str, scores: &[f64]| {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
        let r = pearson(scores, &grades);
        let interval = pearson_interval(scores, &grades, RESAMPLES, |n| index_below(&mut rng, n));
        match (r, interval) {
            (Some(r), Some((lo, hi))) => say!("  {name:<10} r = {r:.3} [{lo:.3}, {hi:.3}]"),
            (Some(r), None) => say!("  {name:<10} r = {r:.3}"),
            _ => say!("  {name:<10} r = (no variance)"),
        }
    };
    if ai.len() >= 2 {
        say!("on the {} rows the AI judged:", ai.len());
        line("built-in", &builtin);
        line("AI", &ai);
    }
    Ok(())
}
