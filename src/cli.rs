//! Placeholder: replaced by the real command line.
use clap::{Parser, ValueEnum};
use std::path::PathBuf;
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    #[default]
    Text,
    Jsonl,
}
#[derive(Debug, Parser)]
pub struct Cli {
    pub sources: Vec<String>,
    #[arg(long)]
    pub print: bool,
    #[arg(long)]
    pub follow: bool,
    #[arg(long, value_enum, default_value_t)]
    pub output: Output,
    #[arg(long)]
    pub interval: Option<u64>,
    #[arg(long)]
    pub config: Option<PathBuf>,
}
