//! Command-line definitions.
//!
//! Only the shape of the command line lives here (clap derive); what the subcommands do is
//! in `commands`, and how options combine with the config file is in `config`. Clap
//! rejects bad usage with exit code 2 before anything runs.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand, ValueEnum};

use crate::theme::THEMES;

const EXAMPLES: &str = "\
Examples:
  Follow a live blog page in the terminal:
    livefeed https://www.theguardian.com/world/live/2024/jul/05/uk-general-election-results-live

  Follow two feeds at once, their entries merged in one list:
    livefeed https://feeds.bbci.co.uk/news/rss.xml https://www.aljazeera.com/xml/rss/all.xml

  Follow a source named in the config file, polling every 10 seconds:
    livefeed --interval 10 election

  Print the entries once as JSON lines, oldest first:
    livefeed --print --output jsonl https://example.com/live/storm-updates

  Follow into a script, one title per new entry:
    livefeed --follow --output jsonl https://example.com/live/storm-updates | jq -r .title

  Alert on words, and write a log of fetches:
    livefeed --alert earthquake --alert tsunami --log /tmp/livefeed.log https://example.com/live

Config: `livefeed config path` shows where the config file is read from;
`livefeed config init` writes a documented one.";

/// Follow news live blogs in the terminal.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
#[command(
    name = "livefeed",
    version,
    about,
    long_about = "Follow news live blogs in the terminal: a list of entries with a detail \
                  pane, new entries marked as they arrive. With --print or --follow, \
                  entries go to standard output for scripts instead.",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// An http(s) address of a live blog page or feed, a local file, or the name of a
    /// source in the config file.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,

    /// Fetch once, print the entries oldest first, and exit.
    #[arg(long, conflicts_with = "follow")]
    pub print: bool,

    /// Print the entries, then keep polling and print new ones until interrupted.
    #[arg(long)]
    pub follow: bool,

    /// Output format of --print and --follow.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Output::Text)]
    pub output: Output,

    /// Seconds between polls (at least 1); overrides the config.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub interval: Option<u64>,

    /// Read the config from FILE instead of the default place.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Write a log of fetches and errors to FILE.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Raise an alert when a new or edited entry contains WORD (repeatable).
    #[arg(long = "alert", value_name = "WORD")]
    pub alerts: Vec<String>,

    /// Colour theme; overrides the config.
    #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(THEMES))]
    pub theme: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How `--print` and `--follow` write entries.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Human-readable blocks of text.
    Text,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print a shell completion script to standard output.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output.
    Manpage,
    /// Show, create or check the config file.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
}

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum ConfigCommand {
    /// Print where the config file is looked for.
    Path,
    /// Write the documented example config there (never overwrites).
    Init,
    /// Check a config file (by default the one in the default place).
    Check {
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("livefeed").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn options_parse() {
        let cli = parse(&[
            "--follow",
            "--output",
            "jsonl",
            "--interval",
            "5",
            "--alert",
            "a",
            "--alert",
            "b",
            "--theme",
            "mono",
            "https://example.com/live",
            "local.json",
        ])
        .unwrap();
        assert!(cli.follow && !cli.print);
        assert_eq!(cli.output, Output::Jsonl);
        assert_eq!(cli.interval, Some(5));
        assert_eq!(cli.alerts, ["a", "b"]);
        assert_eq!(cli.theme.as_deref(), Some("mono"));
        assert_eq!(cli.sources, ["https://example.com/live", "local.json"]);
        assert_eq!(cli.command, None);
    }

    #[test]
    fn bad_usage_is_rejected() {
        for args in [
            &["--interval", "0"][..],
            &["--print", "--follow"],
            &["--output", "xml"],
            &["--theme", "neon"],
            &["config", "path", "--print"],
            &["config", "init", "extra"],
            &["completions", "tcsh"],
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }

    #[test]
    fn subcommands_parse() {
        let cli = parse(&["config", "check", "x.toml"]).unwrap();
        let expected = ConfigCommand::Check {
            file: Some("x.toml".into()),
        };
        assert_eq!(cli.command, Some(Command::Config { action: expected }));
    }
}
