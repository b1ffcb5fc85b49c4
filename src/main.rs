use std::process::ExitCode;

use clap::Parser;
use interview_bot::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    cli::init_tracing(&args);
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
