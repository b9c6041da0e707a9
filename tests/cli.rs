//! The command line as a user meets it: help, version, completions, manpage, the config
//! subcommands, and usage errors. Runs the real binary with a private HOME and
//! XDG_CONFIG_HOME so no real config is read or written.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The binary with a temporary home, so `config path` and `config init` stay in it.
fn livefeed(home: &TempDir) -> Command {
    let mut cmd = Command::cargo_bin("livefeed").unwrap();
    cmd.env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("xdg"))
        .env_remove("NO_COLOR");
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

#[test]
fn help_has_examples() {
    let home = TempDir::new().unwrap();
    let help = stdout_of(livefeed(&home).arg("--help"));
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("livefeed --follow --output jsonl"), "{help}");
    assert!(help.contains("--interval <SECONDS>"), "{help}");
}

#[test]
fn version_prints_the_version() {
    let home = TempDir::new().unwrap();
    let version = stdout_of(livefeed(&home).arg("--version"));
    assert_eq!(
        version.trim(),
        format!("livefeed {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_every_shell() {
    let home = TempDir::new().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(livefeed(&home).args(["completions", shell]));
        assert!(script.contains("livefeed"), "{shell}: {script}");
    }
}

#[test]
fn manpage_is_roff() {
    let home = TempDir::new().unwrap();
    let page = stdout_of(livefeed(&home).arg("manpage"));
    let first = page
        .lines()
        .find(|line| !line.starts_with(".ie") && !line.starts_with(".el"));
    assert!(page.contains(".TH livefeed"), "{page}");
    assert!(first.is_some_and(|line| line.starts_with('.')), "{page}");
    assert!(page.contains("\\-\\-follow"), "{page}");
}

#[test]
fn config_path_is_under_xdg_config_home() {
    let home = TempDir::new().unwrap();
    let path = stdout_of(livefeed(&home).args(["config", "path"]));
    let expected = home.path().join("xdg/livefeed/config.toml");
    assert_eq!(path.trim(), expected.display().to_string());
}

#[test]
fn config_path_falls_back_to_home() {
    let home = TempDir::new().unwrap();
    let path = stdout_of(
        livefeed(&home)
            .env_remove("XDG_CONFIG_HOME")
            .args(["config", "path"]),
    );
    let expected = home.path().join(".config/livefeed/config.toml");
    assert_eq!(path.trim(), expected.display().to_string());
}

#[test]
fn config_init_writes_once_then_refuses() {
    let home = TempDir::new().unwrap();
    let path = home.path().join("xdg/livefeed/config.toml");
    stdout_of(livefeed(&home).args(["config", "init"]));
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, livefeed::config::EXAMPLE);

    std::fs::write(&path, "interval = 5\n").unwrap();
    let output = livefeed(&home).args(["config", "init"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    // The user's file is untouched.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "interval = 5\n");
}

#[test]
fn config_check_passes_the_shipped_example() {
    let home = TempDir::new().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/livefeed.toml");
    let out = stdout_of(livefeed(&home).args(["config", "check"]).arg(&example));
    assert_eq!(out.trim(), format!("ok: {}", example.display()));
}

#[test]
fn config_check_without_a_file_checks_the_default_place() {
    let home = TempDir::new().unwrap();
    let output = livefeed(&home).args(["config", "check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    stdout_of(livefeed(&home).args(["config", "init"]));
    let out = stdout_of(livefeed(&home).args(["config", "check"]));
    assert!(out.starts_with("ok: "), "{out}");
}

#[test]
fn config_check_names_line_and_key_of_each_invalid_fixture() {
    let table = [
        ("unknown_top_level_key.toml", 3, "intervall"),
        ("unknown_source_key.toml", 5, "intervl"),
        ("bad_syntax.toml", 3, "invalid TOML"),
        ("unknown_action.toml", 4, "explode"),
        ("unknown_key_name.toml", 3, "ctrl-banana"),
        ("interval_zero.toml", 4, "interval"),
        ("unknown_theme.toml", 2, "neon"),
        ("bad_colour.toml", 4, "blurple"),
        ("wrong_type.toml", 4, "max_bytes"),
        ("duplicate_source.toml", 7, "news"),
    ];
    let home = TempDir::new().unwrap();
    for (name, line, key) in table {
        let path = fixture(name);
        let output = livefeed(&home)
            .args(["config", "check"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}");
        assert!(output.stdout.is_empty(), "{name}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        let prefix = format!("livefeed: {}: line {line}: ", path.display());
        assert!(stderr.starts_with(&prefix), "{name}: {stderr}");
        assert!(stderr.contains(key), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
    }
}

#[test]
fn an_invalid_config_stops_the_program() {
    let home = TempDir::new().unwrap();
    let output = livefeed(&home)
        .arg("--config")
        .arg(fixture("unknown_theme.toml"))
        .arg("--print")
        .arg("feed.xml")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("neon"));
}

#[test]
fn an_invalid_config_in_the_default_place_is_read_and_reported() {
    let home = TempDir::new().unwrap();
    let dir = home.path().join("xdg/livefeed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "theme = \"neon\"\n").unwrap();
    let output = livefeed(&home).arg("feed.xml").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("config.toml: line 1: unknown theme `neon`"),
        "{stderr}"
    );
}

#[test]
fn bad_usage_exits_2() {
    let home = TempDir::new().unwrap();
    let table: [&[&str]; 7] = [
        &["--interval", "0"],
        &["--interval", "soon"],
        &["--print", "--follow"],
        &["--output", "xml"],
        &["--theme", "neon"],
        &["completions", "tcsh"],
        &["config", "path", "--print"],
    ];
    for args in table {
        let output = livefeed(&home).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}
