//! Wiring only: arguments → config → mode → exit code.

use std::process::ExitCode;

use clap::Parser;
use livefeed::cli::Cli;
use livefeed::commands;
use livefeed::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(command) = &cli.command {
        return commands::run(command);
    }
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("livefeed: {err}");
            return ExitCode::FAILURE;
        }
    };
    config.apply_args(&cli);
    eprintln!("livefeed: the viewer is not wired in yet");
    ExitCode::FAILURE
}
