//! The terminal commands, run as a user would run them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use crate::support;

use std::io::{BufRead as _, Write as _};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        Run {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .args(args)
            .current_dir(self.dir.path())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", self.dir.path().join("t.db").display()),
            )
            .env("USER", "tester")
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn practice_with_piped_answers_scores_records_and_shows_on_the_board() {
    let r = Run::new();
    let answers = "The cluster module forks worker processes, one per CPU core, that share the same port.\n\
                   The primary balances connections round-robin and workers talk over IPC.\n\n";
    let o = r.cmd(
        &[
            "practice",
            "--topic",
            "performance",
            "--count",
            "1",
            "--seconds",
            "30",
            "--seed",
            "7",
        ],
        answers,
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("Question 1/1 · Performance"), "{out}");
    assert!(
        out.contains("You have 30 seconds"),
        "plain lines when not a terminal: {out}"
    );
    assert!(out.contains("Score: "), "{out}");
    assert!(out.contains("Reference answer:"), "{out}");
    assert!(out.contains("average"), "{out}");

    let (board, _) = text(&r.cmd(&["leaderboard", "--period", "week"], ""));
    assert!(board.contains("tester"), "{board}");
    let (stats, _) = text(&r.cmd(&["stats"], ""));
    assert!(stats.contains("Answers: 1"), "{stats}");
    assert!(stats.contains("Performance"), "{stats}");
}

#[test]
fn practice_times_out_at_the_deadline_and_stops_when_input_ends() {
    let r = Run::new();
    // No empty line and no end of input before the deadline: the answer is taken as it stands.
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args([
            "practice",
            "--count",
            "2",
            "--seconds",
            "5",
            // Time injection: a "second" of 40 ms, so the deadline passes after 200 ms.
            "--second-ms",
            "40",
            "--seed",
            "1",
            "--no-record",
        ])
        .current_dir(r.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"I would use heap snapshots.\n").unwrap();
    stdin.flush().unwrap();
    // The deadline passes on the binary's own clock: wait until it says so (not a guessed
    // while, which a loaded machine can make too short), then end the input.
    let stdout = child.stdout.take().unwrap();
    let (said, told) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("Time's up") {
                let _ = said.send(());
            }
            out.push_str(&line);
            out.push('\n');
        }
        out
    });
    let timed_out = told.recv_timeout(Duration::from_secs(30)).is_ok();
    drop(stdin);
    child.wait().unwrap();
    let out = reader.join().unwrap();
    assert!(timed_out, "no \"Time's up\": {out}");
    assert!(
        out.contains("Input ended; stopping after 1 question(s)"),
        "{out}"
    );
}

#[test]
fn score_json_is_stable_and_explains_itself() {
    let r = Run::new();
    let o = r.cmd(
        &["score", "--question", "node-libuv-thread-pool", "--json"],
        "libuv has a thread pool of four threads (UV_THREADPOOL_SIZE) for fs, crypto and zlib; sockets use epoll.",
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["question"], "node-libuv-thread-pool");
    let total = v["total"].as_u64().unwrap();
    assert!((1..=100).contains(&total));
    for key in [
        "coverage",
        "similarity",
        "fluency",
        "brevity",
        "derived_concepts",
        "concepts",
        "misconceptions",
        "flags",
        "feedback",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let covered: Vec<&str> = v["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["coverage"] == "covered")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        covered.iter().any(|n| n.contains("UV_THREADPOOL_SIZE")),
        "{covered:?}"
    );

    let (plain, _) = text(&r.cmd(&["score", "--question", "node-libuv-thread-pool"], "   "));
    assert!(plain.starts_with("Score: 0/100"), "{plain}");
    assert!(plain.contains("No answer given"), "{plain}");
}

#[test]
fn unknown_ids_topics_and_bad_banks_fail_cleanly() {
    let r = Run::new();
    let o = r.cmd(&["score", "--question", "nope"], "x");
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.starts_with("error: no question with id `nope`"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );

    let (_, err) = text(&r.cmd(&["practice", "--topic", "cooking"], ""));
    assert!(
        err.contains("unknown topic `cooking`") && err.contains("Performance"),
        "{err}"
    );

    std::fs::write(
        r.dir.path().join("bad.toml"),
        "[bank]\nid = \"b\"\nname = \"B\"\nversion = \"1\"\nlevel = \"x\"\n\n[[question]]\nid = \"b-one\"\ntopic = \"T\"\ndifficulty = \"hard\"\nprompt = \"\"\nreference = \"R\"\n",
    )
    .unwrap();
    let o = r.cmd(&["bank", "check", "bad.toml"], "");
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("bad.toml: line 11: question[1] (b-one).prompt: must not be empty"),
        "{err}"
    );

    std::fs::write(
        r.dir.path().join("bad.json"),
        "{\n  \"bank\": {\"id\": \"b\", \"name\": \"B\", \"version\": \"1\", \"level\": \"x\"},\n  \"question\": [{\"id\": \"b-one\", \"topic\": \"T\", \"difficulty\": \"hard\",\n    \"prompt\": 42, \"reference\": \"R\"}]\n}\n",
    )
    .unwrap();
    let o = r.cmd(&["bank", "check", "bad.json"], "");
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("bad.json: line 4: question[1].prompt: must be a string"),
        "{err}"
    );

    let (_, err) = text(&r.cmd(&["bank", "check", "missing.toml"], ""));
    assert!(err.contains("cannot read bank file missing.toml"), "{err}");
}

#[test]
fn bank_list_show_and_check_the_shipped_bank() {
    let r = Run::new();
    let (out, _) = text(&r.cmd(&["bank", "list", "--difficulty", "hard"], ""));
    assert!(out.contains("17 question(s)"), "{out}");
    let (out, _) = text(&r.cmd(&["bank", "show", "node-cluster-module-scaling"], ""));
    assert!(
        out.contains("Key concepts:") && out.contains("Hint 1:"),
        "{out}"
    );
    let bank = concat!(env!("CARGO_MANIFEST_DIR"), "/data/banks/nodejs-senior.toml");
    let (out, _) = text(&r.cmd(&["bank", "check", bank], ""));
    assert!(out.contains("ok — 34 question(s), 5 topic(s)"), "{out}");
}

#[test]
fn built_in_banks_are_listed_with_levels_and_selected_by_id() {
    let r = Run::new();
    let (out, _) = text(&r.cmd(&["bank", "list"], ""));
    for (id, level) in [
        ("nodejs-fresher", "fresher"),
        ("nodejs-mid", "mid"),
        ("nodejs-senior", "senior"),
    ] {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(id) && l.contains(level)),
            "{out}"
        );
    }
    assert!(out.contains("(nodejs-senior, level senior)"), "{out}");
    let (out, _) = text(&r.cmd(&["bank", "list", "--bank", "nodejs-fresher"], ""));
    assert!(
        out.starts_with("Fresher Node.js (nodejs-fresher, level fresher)"),
        "{out}"
    );
    assert!(
        out.contains("fresh-promise-basics") && !out.contains("node-cluster"),
        "{out}"
    );
    let (out, _) = text(&r.cmd(
        &[
            "bank",
            "list",
            "--bank",
            "NODEJS-MID",
            "--topic",
            "security",
        ],
        "",
    ));
    assert!(out.contains("mid-prototype-pollution"), "{out}");
    // A question of another built-in bank is found without --bank: ids are unique across them.
    let (out, _) = text(&r.cmd(&["bank", "show", "mid-cors"], ""));
    assert!(out.starts_with("mid-cors · HTTP and Express"), "{out}");
    let o = r.cmd(
        &["score", "--question", "fresh-promise-basics", "--json"],
        "A promise is pending until it settles once, fulfilled with a value or rejected with an error.",
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("\"question\": \"fresh-promise-basics\""),
        "{out}"
    );
    let o = r.cmd(&["bank", "list", "--bank", "nodejs-junior"], "");
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains(
            "`nodejs-junior` is neither a built-in bank (nodejs-fresher, nodejs-mid, nodejs-senior)"
        ),
        "{err}"
    );
    // Practice records a built-in bank's answers like the default bank's.
    let o = r.cmd(
        &[
            "practice",
            "--bank",
            "nodejs-mid",
            "--count",
            "1",
            "--seed",
            "3",
        ],
        "Workers and threads and the event loop.\n\n",
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let (board, _) = text(&r.cmd(&["leaderboard"], ""));
    assert!(board.contains("tester"), "{board}");
}

#[test]
fn db_backup_and_check() {
    let r = Run::new();
    assert!(r.cmd(&["db", "check"], "").status.success());
    assert!(r.cmd(&["db", "backup", "copy.db"], "").status.success());
    assert!(r.dir.path().join("copy.db").exists());
    let o = r.cmd(&["db", "backup", "copy.db"], "");
    assert_eq!(o.status.code(), Some(1), "never overwrites");
}

#[test]
fn the_token_never_appears_in_logs() {
    let r = Run::new();
    let token = "MTIzNDU2Nzg5.fake-token-must-not-leak.XYZ";
    // No network here: the bot fails to reach Discord and exits; whatever it logged on the way,
    // at the most verbose level, must not contain the token.
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(["run"])
        .current_dir(r.dir.path())
        .env("DISCORD_TOKEN", token)
        .env("RUST_LOG", "trace")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", r.dir.path().join("t.db").display()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(4);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(!stderr.is_empty(), "the run logged something to check");
    assert!(
        !stdout.contains(token) && !stderr.contains(token),
        "the token leaked:\n{stderr}"
    );
    assert!(
        !stderr.contains("fake-token-must-not-leak"),
        "part of the token leaked"
    );

    // config check masks it too.
    let o = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(["config", "check"])
        .env("DISCORD_TOKEN", token)
        .output()
        .unwrap();
    let (stdout, _) = text(&o);
    assert!(o.status.success());
    assert!(
        stdout.contains("discord_token = MTIz…(") && !stdout.contains("fake-token"),
        "{stdout}"
    );
}

#[test]
fn config_check_names_each_source_and_refuses_unknown_keys() {
    let r = Run::new();
    std::fs::write(
        r.dir.path().join("bot.toml"),
        "discord_token = \"file-token-value\"\ndatabase_url = \"sqlite://from-file.db\"\n\nlobby_seconds = 45\ndrop_grace_minutes = 30\n",
    )
    .unwrap();
    // Run::cmd sets DATABASE_URL in the environment: it beats the file.
    let o = r.cmd(
        &[
            "config",
            "check",
            "--config",
            "bot.toml",
            "--drop-grace-minutes",
            "10",
        ],
        "",
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        out.contains("discord_token = file…(16 chars)  (file bot.toml line 1)"),
        "{out}"
    );
    assert!(!out.contains("file-token-value"), "{out}");
    assert!(
        out.contains("/t.db  (env DATABASE_URL)") && !out.contains("from-file.db"),
        "{out}"
    );
    assert!(
        out.contains("lobby_seconds = 45  (file bot.toml line 4)"),
        "{out}"
    );
    assert!(
        out.contains("drop_grace_minutes = 10  (flag --drop-grace-minutes)"),
        "{out}"
    );
    assert!(
        out.contains("button_cooldown_ms = 2000  (default)"),
        "{out}"
    );

    std::fs::write(
        r.dir.path().join("typo.toml"),
        "# settings\nlobby_seconds = 45\nmetrics_adr = \"127.0.0.1:9100\"\n",
    )
    .unwrap();
    let o = r.cmd(&["run", "--config", "typo.toml"], "");
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: typo.toml: line 3: unknown key `metrics_adr`; known keys: "),
        "{err}"
    );
}

/// Log lines of a child's stderr, collected by a thread as they come.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn follow(stream: impl std::io::Read + Send + 'static) -> (Lines, std::thread::JoinHandle<()>) {
        let lines = Lines::default();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stream).lines() {
                let Ok(line) = line else { return };
                sink.0.lock().unwrap().push(line);
            }
        });
        (lines, reader)
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// The first JSON log line whose message is `message`, waiting up to `timeout`.
    async fn wait_message(&self, message: &str, timeout: Duration) -> serde_json::Value {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.all().iter().find_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                (v["fields"]["message"] == message).then_some(v)
            });
            if let Some(v) = found {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "no log line {message:?} within {timeout:?}; logs:\n{}",
                self.all().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_health_and_a_sigterm_stops_it_cleanly_within_5_seconds() {
    let fake =
        support::discord::FakeDiscord::start(support::discord::GuildSpec::default_with_members(1))
            .await;
    let r = Run::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args([
            "run",
            "--api-base",
            &fake.base_url(),
            "--dev-guild-id",
            "1000",
            "--metrics-addr",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ])
        .current_dir(r.dir.path())
        .env("DISCORD_TOKEN", "fake-token")
        // Info for every crate (serenity and poise included), as an operator would run it.
        .env("RUST_LOG", "info")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", r.dir.path().join("t.db").display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (logs, reader) = Lines::follow(child.stderr.take().unwrap());

    assert!(
        fake.wait_ready(Duration::from_secs(20)).await,
        "the bot connected to the fake gateway; logs:\n{}",
        logs.all().join("\n")
    );
    logs.wait_message("commands registered; ready", Duration::from_secs(10))
        .await;
    let serving = logs
        .wait_message("serving /metrics and /healthz", Duration::from_secs(1))
        .await;
    let addr: std::net::SocketAddr = serving["fields"]["addr"].as_str().unwrap().parse().unwrap();
    let health = support::http::get(addr, "/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    // The container health check asks the same endpoint.
    let addr_arg = addr.to_string();
    let check = r.cmd(&["health", "--metrics-addr", &addr_arg], "");
    assert!(check.status.success(), "{:?}", text(&check));
    assert_eq!(text(&check).0, "ok\n");

    // A member answers a question: info-level logs must not carry what they wrote.
    let i = fake
        .slash_command(
            5000,
            2000,
            "question",
            serde_json::json!([{ "name": "id", "type": 3, "value": "node-cluster-module-scaling" }]),
        )
        .await;
    i.response(&fake, Duration::from_secs(10)).await.unwrap();
    let message = i.original(&fake).unwrap();
    let answer_id = message["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let modal = fake
        .click(5000, &message, &answer_id)
        .await
        .modal(&fake, Duration::from_secs(10))
        .await
        .unwrap();
    let secret_answer = "ZEBRA-MARKER the primary forks workers that share one port";
    let scored = fake
        .submit_modal(
            5000,
            2000,
            modal["custom_id"].as_str().unwrap(),
            &[("answer", secret_answer)],
        )
        .await
        .reply(&fake, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(
        scored.to_string().contains("Forks worker processes"),
        "{scored}"
    );

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!(
                "still running 5 s after SIGTERM; logs:\n{}",
                logs.all().join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    reader.join().unwrap();
    let all = logs.all().join("\n");
    assert_eq!(status.code(), Some(0), "{all}");
    for message in ["shutting down", "shutdown complete"] {
        assert!(
            all.contains(&format!("\"message\":\"{message}\"")),
            "{message:?} not logged:\n{all}"
        );
    }
    assert!(!all.contains("\"level\":\"ERROR\""), "{all}");
    assert!(!all.contains("fake-token"), "{all}");
    assert!(
        !all.contains("ZEBRA-MARKER"),
        "answer text logged at info:\n{all}"
    );
    let check = r.cmd(&["health", "--metrics-addr", &addr_arg], "");
    assert_eq!(check.status.code(), Some(1), "the bot is gone");
    assert!(
        text(&check)
            .1
            .contains("cannot reach the bot's health endpoint"),
        "{:?}",
        text(&check)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_discord_refuses_stops_run_with_advice_and_without_the_token() {
    let fake =
        support::discord::FakeDiscord::start(support::discord::GuildSpec::default_with_members(1))
            .await;
    fake.only_accept_token("the-real-token");
    let r = Run::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(["run", "--api-base", &fake.base_url()])
        .current_dir(r.dir.path())
        .env("DISCORD_TOKEN", "an-old-reset-token")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", r.dir.path().join("t.db").display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("still running 20 s after Discord refused the token");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("Discord refused the bot token") && err.contains("Reset Token"),
        "{err}"
    );
    assert!(!err.contains("an-old-reset-token"), "{err}");
}

/// `eval --judge` sends the rows to the configured model and prints both judges' agreement on
/// the same rows, with the request count; without a model it says what to set.
#[tokio::test]
async fn eval_with_the_ai_judge_prints_both_agreements_side_by_side() {
    use crate::support::model_server::{ModelServer, Reply};
    let model = ModelServer::start(Reply::score(50)).await;
    for score in [10, 90, 30, 70, 20] {
        model.then(Reply::score(score));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("graded.csv");
    let mut csv = String::from("question,reference_answer,student_answer,score_avg\n");
    for (answer, grade) in [
        (
            "The event loop runs callbacks when the call stack is empty.",
            5,
        ),
        ("No idea.", 0),
        ("It runs callbacks from queues once the stack is empty.", 4),
        ("It is a thread pool.", 1),
        (
            "Callbacks wait in queues and run when the stack empties.",
            4,
        ),
        ("Something about loops.", 1),
    ] {
        csv.push_str(&format!(
            "What does the event loop do?,It runs queued callbacks when the call stack is empty.,{answer},{grade}\n"
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let base = model.base_url();
    let path = file.clone();
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .arg("eval")
            .arg(&path)
            .args(["--judge", "--limit", "6", "--judge-url", &base])
            .env("JUDGE_MODEL", "test-model")
            .env("JUDGE_API_KEY", "sk-eval")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("AI judge: 6 requests in"), "{stdout}");
    assert!(
        stdout.contains("6 valid, 0 rejected, 0 without a reply"),
        "{stdout}"
    );
    assert!(stdout.contains("on the 6 rows the AI judged:"), "{stdout}");
    assert!(
        stdout.contains("built-in   r = ") && stdout.contains("AI         r = "),
        "{stdout}"
    );
    assert!(!stdout.contains("sk-eval"), "{stdout}");
    assert_eq!(model.requests().len(), 6);
    assert_eq!(model.authorizations()[0].as_deref(), Some("Bearer sk-eval"));

    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .arg("eval")
            .arg(&file)
            .arg("--judge")
            .env_remove("JUDGE_URL")
            .env_remove("JUDGE_MODEL")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let (_, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(stderr.contains("--judge-url and --judge-model"), "{stderr}");
}
