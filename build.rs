//! Tells the test suite which optional things this machine has, so that a test needing one that
//! is absent is reported by `cargo test` as *ignored*, with why, instead of passing without
//! running (libtest cannot ignore a test at run time; a cfg set here can, at build time):
//!
//! - `ib_postgres`: a PostgreSQL server for the tests: `IB_TEST_POSTGRES_URL` names one, or
//!   PostgreSQL's server binaries (`initdb`) are installed (the harness then starts a throwaway
//!   cluster), or `REQUIRE_POSTGRES=1` (CI: the tests run and a missing server fails them).
//! - `ib_eval_mohler`, `ib_eval_saf`: the scorer's evaluation data beside the checkout
//!   (`../shared/eval/mohler.csv`, `saf.csv`), or `REQUIRE_EVAL_DATA=1` (CI: they run and a
//!   missing file fails them).
//!
//! It also writes the line index of each sorted word list the scorer embeds
//! (`src/domain/scoring/sorted_lines.rs`): the lists are then searched as they are, with nothing
//! split or collected at run time.
//!
//! Looked at again when those variables change (set them before building the tests); a server
//! installed later is seen after `touch build.rs`.

use std::path::Path;

/// The sorted lists of `data/` the scorer searches in place.
const SORTED_LISTS: [&str; 3] = ["english-words.txt", "synonyms.txt", "antonyms.txt"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if let Err(e) = write_line_indexes() {
        println!("cargo::error=could not index the word lists of data/: {e}");
    }
    for var in [
        "IB_TEST_POSTGRES_URL",
        "REQUIRE_POSTGRES",
        "REQUIRE_EVAL_DATA",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    for cfg in ["ib_postgres", "ib_eval_mohler", "ib_eval_saf"] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    let set = |var: &str| std::env::var(var).is_ok_and(|v| !v.is_empty());
    let required = |var: &str| std::env::var(var).is_ok_and(|v| v == "1");
    if set("IB_TEST_POSTGRES_URL") || required("REQUIRE_POSTGRES") || initdb_installed() {
        println!("cargo::rustc-cfg=ib_postgres");
    }
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let eval = Path::new(&manifest).join("../shared/eval");
    for (cfg, file) in [("ib_eval_mohler", "mohler.csv"), ("ib_eval_saf", "saf.csv")] {
        if required("REQUIRE_EVAL_DATA") || eval.join(file).is_file() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}

/// `initdb` on `PATH` or where Debian's packages put it (as `tests/support/postgres.rs` looks).
fn initdb_installed() -> bool {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("initdb").is_file()));
    on_path
        || std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
            versions
                .filter_map(Result::ok)
                .any(|v| v.path().join("bin/initdb").is_file())
        })
}

/// For each list, the byte offset of every line's start as little-endian `u32`, then one past
/// the end of the last line and its newline (see `SortedLines`).
fn write_line_indexes() -> std::io::Result<()> {
    let out = std::env::var_os("OUT_DIR").ok_or_else(|| std::io::Error::other("OUT_DIR unset"))?;
    for name in SORTED_LISTS {
        let source = Path::new("data").join(name);
        println!("cargo::rerun-if-changed={}", source.display());
        let text = std::fs::read(&source)?;
        let too_big = || std::io::Error::other(format!("{name} is over 4 GiB"));
        let mut starts = vec![0u32];
        for (i, &b) in text.iter().enumerate() {
            if b == b'\n' {
                starts.push(u32::try_from(i + 1).map_err(|_| too_big())?);
            }
        }
        if !text.is_empty() && !text.ends_with(b"\n") {
            starts.push(u32::try_from(text.len() + 1).map_err(|_| too_big())?);
        }
        if text.is_empty() {
            starts.clear();
        }
        let bytes: Vec<u8> = starts.iter().flat_map(|s| s.to_le_bytes()).collect();
        std::fs::write(Path::new(&out).join(format!("{name}.lines")), bytes)?;
    }
    Ok(())
}
