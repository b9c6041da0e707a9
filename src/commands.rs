//! The subcommands: completions, manpage and config path/init/check.
//!
//! They never start the terminal UI or touch the network; each writes to standard output,
//! reports problems on standard error as one line, and returns the exit code.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, Command, ConfigCommand};
use crate::config::{self, Config};

/// Runs one subcommand and returns its exit code (0 on success, 1 on failure).
pub fn run(command: &Command) -> ExitCode {
    let result = match command {
        Command::Completions { shell } => completions(*shell),
        Command::Manpage => manpage(),
        Command::Config { action } => match action {
            ConfigCommand::Path => config_path(),
            ConfigCommand::Init => config_init(),
            ConfigCommand::Check { file } => config_check(file.as_deref()),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("livefeed: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes all of `bytes` to standard output. A closed pipe (`| head`) is not an error
/// worth a message, but it still ends the command.
fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(format!("cannot write to standard output: {err}")),
    }
}

fn completions(shell: clap_complete::Shell) -> Result<(), String> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "livefeed", &mut script);
    write_stdout(&script)
}

fn manpage() -> Result<(), String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|err| format!("cannot render the manual page: {err}"))?;
    write_stdout(&page)
}

fn default_path() -> Result<std::path::PathBuf, String> {
    config::config_path().ok_or_else(|| {
        "cannot tell where the config file goes: no home directory (set HOME or \
         XDG_CONFIG_HOME)"
            .to_string()
    })
}

fn config_path() -> Result<(), String> {
    let path = default_path()?;
    write_stdout(format!("{}\n", path.display()).as_bytes())
}

fn config_init() -> Result<(), String> {
    let path = default_path()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    }
    // create_new refuses an existing file atomically, so a config is never overwritten.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|err| {
            if err.kind() == io::ErrorKind::AlreadyExists {
                format!(
                    "{} already exists; not overwriting it (remove it first to start over)",
                    path.display()
                )
            } else {
                format!("cannot create {}: {err}", path.display())
            }
        })?;
    file.write_all(config::EXAMPLE.as_bytes())
        .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    write_stdout(format!("wrote {}\n", path.display()).as_bytes())
}

fn config_check(file: Option<&Path>) -> Result<(), String> {
    let path = match file {
        Some(path) => path.to_path_buf(),
        None => default_path()?,
    };
    if file.is_none() && !path.exists() {
        return Err(format!(
            "{}: no config file there (the built-in defaults apply; `livefeed config init` \
             writes one)",
            path.display()
        ));
    }
    Config::from_file(&path).map_err(|err| err.to_string())?;
    write_stdout(format!("ok: {}\n", path.display()).as_bytes())
}
