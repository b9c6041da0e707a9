//! The TOML configuration: embedded defaults < user file < command line.
//!
//! `config/livefeed.toml` is both the documented example users copy and the source of every
//! default, so the two can never disagree: it is embedded and parsed first, and the user's
//! file is merged over it table by table (user keys win, arrays replace). Errors name the
//! file, the line and the key, because a config file is edited by hand and a bare
//! "invalid type" helps nobody.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use etcetera::BaseStrategy;
use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use crate::cli::Cli;
use crate::keymap::{self, Action, Key, Keymap};
use crate::theme::{self, Theme};
use document::{Step, check_known_keys, key_of_value, line_of, merge, one_line, span_at};

mod document;

/// The documented example config, which also holds every default.
pub const EXAMPLE: &str = include_str!("../config/livefeed.toml");

/// A config file that cannot be read or is not valid. Displays as one plain sentence:
/// `config.toml: line 7: unknown key `intervall` (known keys: ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file as the user named it (or a description like "built-in defaults").
    pub file: String,
    /// The 1-based line the problem is on, when it is known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}: line {line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The whole configuration, after merging and validation.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Seconds between polls (at least 1).
    pub interval: u64,
    /// One of [`theme::THEMES`].
    pub theme: String,
    /// Whether the mouse selects and scrolls.
    pub mouse: bool,
    /// Whether links are copied with OSC 52.
    pub osc52: bool,
    /// Entries kept per source.
    pub max_entries: usize,
    /// Alert words for every source.
    #[serde(default)]
    pub alerts: Vec<String>,
    /// Program and arguments run for each alert (the headline is appended).
    #[serde(default)]
    pub notify: Vec<String>,
    /// "off", "osc9" or "osc777": a desktop notification through the terminal.
    pub desktop_notify: String,
    pub limits: Limits,
    /// Style name (see [`theme::STYLE_NAMES`]) → style, patched over the theme.
    #[serde(default)]
    pub colors: BTreeMap<String, String>,
    /// Key (as [`Key`] parses it) → action name, merged over the default bindings.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Saved filters: name → query, applied in turn with the `saved_filter` key.
    #[serde(default)]
    pub filters: BTreeMap<String, String>,
    /// The `[[source]]` blocks.
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceConfig>,
}

/// Caps on what a source may send, so a broken or hostile server cannot exhaust memory.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_bytes: u64,
    /// Seconds.
    pub connect_timeout: u64,
    /// Seconds.
    pub read_timeout: u64,
    /// Seconds.
    pub total_timeout: u64,
    pub max_entries_per_response: usize,
    pub max_entry_bytes: usize,
    pub max_depth: usize,
}

/// One `[[source]]` block: a named source with its own settings.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub name: String,
    pub url: String,
    /// Seconds between polls of this source, instead of the global interval.
    #[serde(default)]
    pub interval: Option<u64>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Alert words for this source, on top of the global ones.
    #[serde(default)]
    pub alerts: Vec<String>,
    /// How to read a JSON source; interpreted by the format that uses it.
    #[serde(default)]
    pub mapping: Option<toml::Table>,
}

impl SourceConfig {
    /// The `[source.mapping]` table as a JSON mapping, if the source has one.
    pub fn json_mapping(&self) -> Result<Option<crate::format::mapping::Mapping>, String> {
        self.mapping
            .clone()
            .map(|t| {
                t.try_into()
                    .map_err(|e: toml::de::Error| one_line(e.message()))
            })
            .transpose()
    }
}

/// Top-level keys, as in [`Config`].
pub const KNOWN_KEYS: [&str; 13] = [
    "interval",
    "filters",
    "notify",
    "desktop_notify",
    "theme",
    "mouse",
    "osc52",
    "max_entries",
    "alerts",
    "limits",
    "colors",
    "keys",
    "source",
];
/// Keys of `[limits]`, as in [`Limits`].
pub const LIMIT_KEYS: [&str; 7] = [
    "max_bytes",
    "connect_timeout",
    "read_timeout",
    "total_timeout",
    "max_entries_per_response",
    "max_entry_bytes",
    "max_depth",
];
/// Keys of a `[[source]]` block, as in [`SourceConfig`].
pub const SOURCE_KEYS: [&str; 6] = ["name", "url", "interval", "headers", "alerts", "mapping"];

/// Where the user's config file is looked for: `livefeed/config.toml` in the XDG config
/// directory (`$XDG_CONFIG_HOME`, else `~/.config`), whether or not it exists. `None` when
/// there is no home directory to put it in.
pub fn config_path() -> Option<PathBuf> {
    let strategy = etcetera::choose_base_strategy().ok()?;
    Some(strategy.config_dir().join("livefeed").join("config.toml"))
}

impl Default for Config {
    /// The built-in defaults alone.
    fn default() -> Config {
        // Cannot fail: EXAMPLE is a constant, and the `embedded_defaults_are_valid` test
        // parses exactly this.
        Config::from_str_named("", "built-in defaults").expect("embedded defaults are valid")
    }
}

impl Config {
    /// Loads the defaults with the user's file over them: `explicit` (which must exist)
    /// or else the file at [`config_path`] if there is one.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::from_file(path);
        }
        match config_path() {
            Some(path) if path.exists() => Config::from_file(&path),
            _ => Config::from_str_named("", "built-in defaults"),
        }
    }

    /// Reads and validates one file; errors name it as given.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            file: file.clone(),
            line: None,
            message: format!("cannot read the config file: {err}"),
        })?;
        Config::from_str_named(&text, &file)
    }

    /// Parses `text` over the defaults and validates the result; `name` is the file name
    /// errors mention.
    pub fn from_str_named(text: &str, name: &str) -> Result<Config, ConfigError> {
        let user = DeTable::parse(text).map_err(|err| ConfigError {
            file: name.to_string(),
            line: err.span().map(|span| line_of(text, span.start)),
            message: format!("invalid TOML: {}", one_line(err.message())),
        })?;
        let at = |path: &[Step], message: String| ConfigError {
            file: name.to_string(),
            line: span_at(user.get_ref(), path).map(|span| line_of(text, span.start)),
            message,
        };
        check_known_keys(user.get_ref()).map_err(|(path, message)| at(&path, message))?;

        let defaults = DeTable::parse(EXAMPLE).map_err(|err| ConfigError {
            file: "built-in defaults".to_string(),
            line: err.span().map(|span| line_of(EXAMPLE, span.start)),
            message: format!("invalid TOML: {}", one_line(err.message())),
        })?;
        let mut merged = defaults.into_inner();
        merge(&mut merged, user.get_ref().clone());
        let span = user.span();
        let deserializer = toml::de::Deserializer::from(Spanned::new(span, merged));
        // Every key of the user's file is known by now, so errors here are wrong types,
        // and their spans point into the user's file.
        let config = Config::deserialize(deserializer).map_err(|err| {
            let span = err.span().filter(|span| span.start < text.len());
            let key = span
                .as_ref()
                .and_then(|span| key_of_value(user.get_ref(), span));
            let mut message = one_line(err.message()).replace("struct Limits", "a table");
            if key.as_deref() == Some("source") && message.ends_with("expected a sequence") {
                message.push_str(" (write each source as a [[source]] block, with two brackets)");
            }
            ConfigError {
                file: name.to_string(),
                line: span.map(|span| line_of(text, span.start)),
                message: match key {
                    Some(key) => format!("`{key}`: {message}"),
                    None => message,
                },
            }
        })?;
        config
            .validate()
            .map_err(|(path, message)| at(&path, message))?;
        Ok(config)
    }

    /// The `[[source]]` block called `name`.
    pub fn find_source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|source| source.name == name)
    }

    /// Puts the command-line options over the file's values (`--interval`, `--theme`,
    /// `--alert`). Clap has already checked their values.
    pub fn apply_args(&mut self, cli: &Cli) {
        if let Some(interval) = cli.interval {
            self.interval = interval;
        }
        if let Some(theme) = &cli.theme {
            self.theme.clone_from(theme);
        }
        self.alerts.extend(cli.alerts.iter().cloned());
    }

    /// The key bindings: defaults with `[keys]` merged over them.
    pub fn keymap(&self) -> Result<Keymap, String> {
        Keymap::new(&self.keys)
    }

    /// The theme with `[colors]` patched over it; `no_color` strips every colour.
    pub fn load_theme(&self, no_color: bool) -> Result<Theme, String> {
        Theme::load(&self.theme, &self.colors, no_color)
    }

    /// Checks what types cannot: ranges, names of themes, keys, actions and styles.
    /// The error carries the path of the offending key, to find its line.
    fn validate(&self) -> Result<(), (Vec<Step>, String)> {
        let top = |key: &str| vec![Step::Key(key.to_string())];
        let nested =
            |table: &str, key: &str| vec![Step::Key(table.to_string()), Step::Key(key.to_string())];
        if self.interval == 0 {
            return Err((top("interval"), at_least_one("interval")));
        }
        if self.max_entries == 0 {
            return Err((top("max_entries"), at_least_one("max_entries")));
        }
        Theme::named(&self.theme).map_err(|err| (top("theme"), err))?;
        if !["off", "osc9", "osc777"].contains(&self.desktop_notify.as_str()) {
            let message = format!(
                "unknown desktop_notify `{}` (use off, osc9 or osc777)",
                self.desktop_notify
            );
            return Err((top("desktop_notify"), message));
        }
        let limits = [
            ("max_bytes", self.limits.max_bytes),
            ("connect_timeout", self.limits.connect_timeout),
            ("read_timeout", self.limits.read_timeout),
            ("total_timeout", self.limits.total_timeout),
            (
                "max_entries_per_response",
                self.limits.max_entries_per_response as u64,
            ),
            ("max_entry_bytes", self.limits.max_entry_bytes as u64),
            ("max_depth", self.limits.max_depth as u64),
        ];
        for (key, value) in limits {
            if value == 0 {
                return Err((
                    nested("limits", key),
                    at_least_one(&format!("[limits] {key}")),
                ));
            }
        }
        for (key, action) in &self.keys {
            let here = || nested("keys", key);
            key.parse::<Key>().map_err(|err| {
                let hint = "keys look like j, G, ?, ctrl-d, alt-x, f5, pagedown, space";
                (here(), format!("[keys] \"{key}\": {err} ({hint})"))
            })?;
            if action != keymap::UNBIND {
                action.parse::<Action>().map_err(|err| {
                    let known: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                    let known = known.join(", ");
                    (
                        here(),
                        format!("[keys] \"{key}\": {err} (known actions: {known}, or none)"),
                    )
                })?;
            }
        }
        for (style, value) in &self.colors {
            let here = || nested("colors", style);
            if !theme::is_style_name(style) {
                let known = theme::STYLE_NAMES.join(", ");
                let message = format!("[colors]: unknown style `{style}` (known styles: {known})");
                return Err((here(), message));
            }
            theme::parse_style(value)
                .map_err(|err| (here(), format!("[colors] \"{style}\": {err}")))?;
        }
        let mut names = HashSet::new();
        for (index, source) in self.sources.iter().enumerate() {
            let here = |key: &str| {
                vec![
                    Step::Key("source".to_string()),
                    Step::Index(index),
                    Step::Key(key.to_string()),
                ]
            };
            if source.interval == Some(0) {
                let message = at_least_one(&format!("[[source]] \"{}\": interval", source.name));
                return Err((here("interval"), message));
            }
            if source.url.trim().is_empty() {
                let message = format!("[[source]] \"{}\": url is empty", source.name);
                return Err((here("url"), message));
            }
            if !names.insert(source.name.as_str()) {
                let message = format!("[[source]]: the name \"{}\" is used twice", source.name);
                return Err((here("name"), message));
            }
            if let Err(e) = source.json_mapping() {
                let message = format!("[[source]] \"{}\": mapping: {e}", source.name);
                return Err((here("mapping"), message));
            }
        }
        Ok(())
    }
}

fn at_least_one(key: &str) -> String {
    format!("{key} must be at least 1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::from_str_named(text, "config.toml")
    }

    fn error(text: &str) -> ConfigError {
        load(text).unwrap_err()
    }

    #[test]
    fn embedded_defaults_are_valid() {
        let config = load("").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.interval, 30);
        assert_eq!(config.theme, "default");
        assert!(config.mouse);
        assert!(config.osc52);
        assert_eq!(config.max_entries, 10000);
        assert!(config.alerts.is_empty());
        assert!(config.sources.is_empty());
        assert_eq!(
            config.limits,
            Limits {
                max_bytes: 16 * 1024 * 1024,
                connect_timeout: 10,
                read_timeout: 30,
                total_timeout: 60,
                max_entries_per_response: 50000,
                max_entry_bytes: 262144,
                max_depth: 256,
            }
        );
    }

    #[test]
    fn example_documents_every_key() {
        for key in KNOWN_KEYS.iter().chain(&LIMIT_KEYS).chain(&SOURCE_KEYS) {
            assert!(
                EXAMPLE.contains(&format!("{key} ="))
                    || EXAMPLE.contains(&format!("[{key}]"))
                    || EXAMPLE.contains(&format!("[[{key}]]"))
                    || EXAMPLE.contains(&format!(".{key}]")),
                "{key} is not in the example"
            );
        }
    }

    #[test]
    fn user_values_win_and_tables_merge() {
        let config = load(
            "interval = 5\n[limits]\nmax_depth = 64\n[keys]\n\"ctrl-x\" = \"quit\"\n\
             [[source]]\nname = \"a\"\nurl = \"https://example.com/a\"\ninterval = 7\n",
        )
        .unwrap();
        assert_eq!(config.interval, 5);
        assert_eq!(config.limits.max_depth, 64);
        assert_eq!(config.limits.max_bytes, 16 * 1024 * 1024);
        assert_eq!(config.keys.get("ctrl-x").map(String::as_str), Some("quit"));
        let source = config.find_source("a").unwrap();
        assert_eq!(source.interval, Some(7));
        assert!(config.find_source("b").is_none());
    }

    #[test]
    fn arrays_replace() {
        let config = load("alerts = [\"flood\"]\n").unwrap();
        assert_eq!(config.alerts, vec!["flood".to_string()]);
    }

    #[test]
    fn source_mapping_is_checked_against_the_json_mapping() {
        let config = load(
            "[[source]]\nname = \"j\"\nurl = \"x.json\"\n[source.mapping]\nentries = \"/items\"\ntitle = \"/t\"\n",
        )
        .unwrap();
        let mapping = config.sources[0].json_mapping().unwrap().unwrap();
        assert_eq!(mapping.entries, "/items");
        let err = load(
            "[[source]]\nname = \"j\"\nurl = \"x.json\"\n[source.mapping]\nentries = \"/items\"\nanything = 3\n",
        )
        .unwrap_err();
        assert!(err.message.contains("anything"), "{err}");
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let table: [(&str, usize, &[&str]); 14] = [
            (
                "theme = \"mono\"\nintervall = 3\n",
                2,
                &[
                    "unknown key `intervall` (did you mean `interval`?",
                    "known keys: interval",
                ],
            ),
            ("[limits]\n\nmax_byte = 1\n", 3, &["max_byte", "[limits]"]),
            (
                "[[source]]\nname = \"a\"\nurll = \"x\"\n",
                3,
                &["urll", "[[source]]"],
            ),
            ("interval = 3\ntheme = \n", 2, &["invalid TOML"]),
            (
                "[keys]\n\"ctrl-x\" = \"explode\"\n",
                2,
                &["[keys] \"ctrl-x\"", "unknown action `explode`"],
            ),
            (
                "[keys]\n\n\"ctrl-banana\" = \"quit\"\n",
                3,
                &["ctrl-banana"],
            ),
            ("\ninterval = 0\n", 2, &["interval must be at least 1"]),
            ("theme = \"neon\"\n", 1, &["unknown theme `neon`"]),
            (
                "[colors]\nnew_marker = \"blurple\"\n",
                2,
                &["new_marker", "blurple"],
            ),
            ("[colors]\nsparkle = \"red\"\n", 2, &["sparkle"]),
            ("mouse = \"yes\"\n", 1, &["`mouse`: invalid type"]),
            (
                "[source]\nname = \"a\"\n",
                1,
                &["`source`", "[[source]] block"],
            ),
            (
                "[limits]\nmax_depth = \"deep\"\n",
                2,
                &["`limits.max_depth`: invalid type"],
            ),
            (
                "[[source]]\nname = \"a\"\nurl = \"u\"\n[[source]]\nname = \"b\"\nurl = \"u\"\ninterval = 0\n",
                7,
                &["\"b\"", "interval"],
            ),
        ];
        for (text, line, needles) in table {
            let err = error(text);
            assert_eq!(err.file, "config.toml", "{text:?}");
            assert_eq!(err.line, Some(line), "{text:?}: {err}");
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("config.toml: line {line}: ")),
                "{shown}"
            );
            for needle in needles {
                assert!(shown.contains(needle), "{text:?}: {shown} lacks {needle}");
            }
            assert!(!shown.contains('\n'), "{shown}");
        }
    }

    #[test]
    fn duplicate_source_names_are_errors() {
        let err =
            error("[[source]]\nname = \"a\"\nurl = \"u\"\n[[source]]\nname = \"a\"\nurl = \"v\"\n");
        assert_eq!(err.line, Some(5), "{err}");
        assert!(err.message.contains("twice"), "{err}");
    }

    #[test]
    fn command_line_wins_over_the_file() {
        use clap::Parser;
        let mut config = load("interval = 20\nalerts = [\"flood\"]\n").unwrap();
        let cli = Cli::parse_from([
            "livefeed",
            "--interval",
            "3",
            "--theme",
            "mono",
            "--alert",
            "fire",
        ]);
        config.apply_args(&cli);
        assert_eq!(config.interval, 3);
        assert_eq!(config.theme, "mono");
        assert_eq!(config.alerts, ["flood", "fire"]);
        assert!(config.load_theme(true).is_ok());

        let mut config = load("interval = 20\n").unwrap();
        config.apply_args(&Cli::parse_from(["livefeed"]));
        assert_eq!(config.interval, 20);
    }

    #[test]
    fn unbinding_a_key_is_valid() {
        let config = load("[keys]\nq = \"none\"\n").unwrap();
        assert!(config.keymap().is_ok());
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/livefeed.toml"))).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/livefeed.toml"),
            "{err}"
        );
    }
}
