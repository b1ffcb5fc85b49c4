//! A PostgreSQL server for the tests that need one, and an empty database per test.
//!
//! The server is, in order: the one `IB_TEST_POSTGRES_URL` names (an admin URL; `.ci/run`
//! starts a throwaway cluster and sets it), or a throwaway cluster this test process starts
//! itself when PostgreSQL's binaries are installed (it stops when the process ends), or none:
//! then the PostgreSQL tests are built ignored (`build.rs` sets the cfg `ib_postgres` only when
//! a server can be had), so `cargo test` reports them as ignored rather than passed — unless
//! `REQUIRE_POSTGRES=1` (set in CI), where they run and a missing server fails them. If a
//! server was expected at build time but cannot be had when the test runs, [`fresh_database`]
//! prints why and returns `None`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection as _;

/// The admin URL of a server to create databases on, or why there is none.
fn server() -> &'static Result<String, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("IB_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Ok(url),
        _ => start_throwaway_cluster(),
    })
}

/// A new, empty database for one test: its URL, or `None` (after saying why) when no
/// PostgreSQL server can be had here.
pub async fn fresh_database() -> Option<String> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin = match server() {
        Ok(url) => url.clone(),
        Err(why) => {
            if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("REQUIRE_POSTGRES=1 but no PostgreSQL server: {why}");
            }
            eprintln!("skipped on PostgreSQL: {why}");
            return None;
        }
    };
    let name = format!(
        "ib_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = connect_with_retry(&admin).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {admin}: {e}"));
    conn.close().await.ok();
    Some(with_database(&admin, &name))
}

/// `admin` with its database path replaced by `name`.
fn with_database(admin: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin).expect("IB_TEST_POSTGRES_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// The server may still be starting (a fresh cluster takes a moment to accept connections).
async fn connect_with_retry(url: &str) -> sqlx::PgConnection {
    let started = Instant::now();
    loop {
        match sqlx::PgConnection::connect(url).await {
            Ok(c) => return c,
            Err(e) if started.elapsed() > Duration::from_secs(30) => {
                panic!("cannot connect to PostgreSQL at {url}: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// PostgreSQL's server binaries: on PATH, or where Debian's packages put them.
fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
    });
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs `program args` as the `postgres` user when this process is root (PostgreSQL refuses
/// to run as root).
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// initdb + postgres on a free loopback port in a temporary directory. A watchdog shell stops
/// the server and removes the directory once this test process has exited.
fn start_throwaway_cluster() -> Result<String, String> {
    let bin = bin_dir().ok_or("no PostgreSQL server binaries (initdb, postgres) here")?;
    let dir = std::env::temp_dir().join(format!("ib-test-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if is_root() {
        let chowned = Command::new("chown")
            .args(["postgres:", &dir.to_string_lossy()])
            .status()
            .map_err(|e| e.to_string())?;
        if !chowned.success() {
            return Err("running as root and cannot hand the cluster to a `postgres` user".into());
        }
    }
    let data = dir.join("data");
    let out = as_server_user(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "-D"])
        .arg(&data)
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let server = format!(
        "{} -D {} -p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        bin.join("postgres").display(),
        data.display(),
        dir.display()
    );
    // The watchdog outlives this process by design: it polls for the parent's exit, then stops
    // the server (SIGINT: fast shutdown) and removes the cluster.
    let watchdog = format!(
        "{server} >{log} 2>&1 & pg=$!; while [ -d /proc/{parent} ]; do sleep 1; done; kill -INT $pg; wait $pg; rm -rf {dir}",
        log = dir.join("log").display(),
        parent = std::process::id(),
        dir = dir.display(),
    );
    as_server_user(Path::new("/bin/sh"))
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))?;
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}
