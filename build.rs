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
//! Looked at again when those variables change (set them before building the tests); a server
//! installed later is seen after `touch build.rs`.

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
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
