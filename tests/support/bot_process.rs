//! The release binary as a separate process against the loopback Discord server, for the tests
//! that kill it (SIGKILL) and start it again: the fault test and the two-process shard test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::discord::FakeDiscord;

/// A running `interview-bot run` whose stderr goes to a log file.
pub struct BotProcess {
    child: Child,
    log: PathBuf,
}

impl BotProcess {
    /// Start the release binary on `db` against `fake` with the fast timings these tests share
    /// (round seconds of 20 ms, drop hours of 400 ms, 1.5 s leases, 15 s lobbies, no button
    /// cooldown) and `extra` arguments; then wait until `connected` holds and it registered its
    /// commands. Fails with the log when the process exits or does not connect in time.
    pub async fn start(
        fake: &FakeDiscord,
        db: &str,
        extra: &[&str],
        log: &Path,
        connected: impl Fn(&FakeDiscord) -> bool,
    ) -> BotProcess {
        let calls = fake.calls().len();
        let api_base = fake.base_url();
        let mut args = vec![
            "run",
            "--api-base",
            &api_base,
            "--second-ms",
            "20",
            "--drop-hour-ms",
            "400",
            "--lease-ms",
            "1500",
            "--lobby-seconds",
            "15",
            "--button-cooldown-ms",
            "0",
        ];
        args.extend_from_slice(extra);
        let child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .args(&args)
            .env("DISCORD_TOKEN", "fake-token")
            .env("DATABASE_URL", db)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut bot = BotProcess {
            child,
            log: log.to_path_buf(),
        };
        // Generous: under a loaded machine (a parallel build) starting took over 20 s once.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !connected(fake) {
            let exited = bot.child.try_wait().unwrap();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "the bot process never connected ({exited:?}): {}",
                bot.log_text()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        fake.wait_for_new_call(calls, Duration::from_secs(20), |c| {
            c.method == "PUT" && c.path.ends_with("/commands")
        })
        .await
        .expect("commands registered");
        // poise stores its data right after registration returns.
        tokio::time::sleep(Duration::from_millis(100)).await;
        bot
    }

    /// The process id, to kill it from another task.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where the process's stderr goes.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// What the process wrote to stderr so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL (std's kill on Unix): no shutdown code runs.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        // A failing test must not leave a bot running against the next test's server.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
