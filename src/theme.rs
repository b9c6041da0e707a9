//! Named styles for everything the screen shows.
//!
//! Views never pick colours: they take a style from the [`Theme`]. That keeps the choice of
//! colours in one place, lets users override single styles from `[colors]` in the config,
//! and makes `NO_COLOR` a matter of stripping colours here. Anything that carries meaning
//! (a new entry, the selection) also has a modifier, so it still shows without colour.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};

/// The theme names `--theme` and `theme =` accept.
pub const THEMES: [&str; 4] = ["default", "light", "high-contrast", "mono"];

/// The style names `[colors]` accepts, in the order of the [`Theme`] fields.
pub const STYLE_NAMES: [&str; 30] = [
    "base",
    "border",
    "border_focused",
    "title",
    "time",
    "author",
    "new_marker",
    "unseen",
    "selected",
    "divider",
    "pinned",
    "removed",
    "edited",
    "alert",
    "status",
    "status_error",
    "status_ok",
    "highlight",
    "dim",
    "link",
    "heading",
    "quote",
    "prompt",
    "help_key",
    "source1",
    "source2",
    "source3",
    "source4",
    "source5",
    "source6",
];

/// Every style the views use.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Everything not styled otherwise (the background of the whole screen).
    pub base: Style,
    /// Borders of unfocused panes.
    pub border: Style,
    /// Border of the focused pane.
    pub border_focused: Style,
    /// Entry titles and pane titles.
    pub title: Style,
    /// Timestamps ("5m ago", "14:02").
    pub time: Style,
    /// Author names.
    pub author: Style,
    /// The NEW marker on entries that arrived since they were last seen.
    pub new_marker: Style,
    /// Titles of entries not yet seen.
    pub unseen: Style,
    /// The selected row of the list.
    pub selected: Style,
    /// Lines between entries and between sections.
    pub divider: Style,
    /// Pinned entries (the live blog's "key points").
    pub pinned: Style,
    /// Entries the source no longer has.
    pub removed: Style,
    /// The marker on entries that changed after they were first seen.
    pub edited: Style,
    /// Entries that matched an alert word.
    pub alert: Style,
    /// The status line.
    pub status: Style,
    /// An error in the status line (a failed fetch).
    pub status_error: Style,
    /// A success in the status line (a fetch that brought something).
    pub status_ok: Style,
    /// Filter matches inside text.
    pub highlight: Style,
    /// Less important text (hints, counts).
    pub dim: Style,
    /// Links in entry text.
    pub link: Style,
    /// Headings in entry text.
    pub heading: Style,
    /// Quotes in entry text.
    pub quote: Style,
    /// The filter prompt.
    pub prompt: Style,
    /// Keys in the help overlay.
    pub help_key: Style,
    /// One style per source, to tell sources apart when several are followed.
    pub source: [Style; 6],
}

const fn fg(color: Color) -> Style {
    Style::new().fg(color)
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::default_theme()
    }
}

impl Theme {
    /// The theme `name` with the `[colors]` overrides patched over it; with `no_color`
    /// every colour is stripped and only modifiers stay.
    pub fn load(
        name: &str,
        overrides: &BTreeMap<String, String>,
        no_color: bool,
    ) -> Result<Theme, String> {
        let mut theme = Theme::named(name)?;
        for (style_name, value) in overrides {
            let style = parse_style(value)?;
            let slot = theme
                .style_mut(style_name)
                .ok_or_else(|| unknown_style(style_name))?;
            *slot = slot.patch(style);
        }
        if no_color {
            for style_name in STYLE_NAMES {
                if let Some(slot) = theme.style_mut(style_name) {
                    *slot = strip_colors(*slot);
                }
            }
        }
        Ok(theme)
    }

    /// One of the built-in themes, without overrides.
    pub fn named(name: &str) -> Result<Theme, String> {
        match name {
            "default" => Ok(Theme::default_theme()),
            "light" => Ok(Theme::light()),
            "high-contrast" => Ok(Theme::high_contrast()),
            "mono" => Ok(Theme::mono()),
            _ => Err(format!(
                "unknown theme `{name}` (known themes: {})",
                THEMES.join(", ")
            )),
        }
    }

    /// The style called `name` in `[colors]`, to change it.
    pub fn style_mut(&mut self, name: &str) -> Option<&mut Style> {
        Some(match name {
            "base" => &mut self.base,
            "border" => &mut self.border,
            "border_focused" => &mut self.border_focused,
            "title" => &mut self.title,
            "time" => &mut self.time,
            "author" => &mut self.author,
            "new_marker" => &mut self.new_marker,
            "unseen" => &mut self.unseen,
            "selected" => &mut self.selected,
            "divider" => &mut self.divider,
            "pinned" => &mut self.pinned,
            "removed" => &mut self.removed,
            "edited" => &mut self.edited,
            "alert" => &mut self.alert,
            "status" => &mut self.status,
            "status_error" => &mut self.status_error,
            "status_ok" => &mut self.status_ok,
            "highlight" => &mut self.highlight,
            "dim" => &mut self.dim,
            "link" => &mut self.link,
            "heading" => &mut self.heading,
            "quote" => &mut self.quote,
            "prompt" => &mut self.prompt,
            "help_key" => &mut self.help_key,
            "source1" => &mut self.source[0],
            "source2" => &mut self.source[1],
            "source3" => &mut self.source[2],
            "source4" => &mut self.source[3],
            "source5" => &mut self.source[4],
            "source6" => &mut self.source[5],
            _ => return None,
        })
    }

    /// The style for the `index`-th source, cycling when there are more than six.
    pub fn source_style(&self, index: usize) -> Style {
        self.source[index % self.source.len()]
    }

    /// Terminal default colours and the 16 ANSI names only, so it works on any terminal and
    /// on dark and light backgrounds alike (no yellow or white text, which vanish on one).
    fn default_theme() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            base: Style::new(),
            border: fg(Color::DarkGray),
            border_focused: fg(Color::Cyan).add_modifier(bold),
            title: Style::new().add_modifier(bold),
            time: fg(Color::Blue),
            author: fg(Color::Magenta),
            new_marker: fg(Color::Green).add_modifier(bold),
            unseen: Style::new().add_modifier(bold),
            selected: Style::new().add_modifier(Modifier::REVERSED | bold),
            divider: fg(Color::DarkGray),
            pinned: fg(Color::Cyan).add_modifier(bold),
            removed: fg(Color::DarkGray).add_modifier(Modifier::CROSSED_OUT),
            edited: fg(Color::Magenta).add_modifier(Modifier::ITALIC),
            alert: fg(Color::Red).add_modifier(bold),
            status: Style::new().add_modifier(Modifier::REVERSED),
            status_error: fg(Color::Red).add_modifier(bold),
            status_ok: fg(Color::Green),
            highlight: Style::new().add_modifier(Modifier::UNDERLINED | bold),
            dim: Style::new().add_modifier(Modifier::DIM),
            link: fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
            heading: Style::new().add_modifier(bold),
            quote: Style::new().add_modifier(Modifier::ITALIC),
            prompt: fg(Color::Cyan).add_modifier(bold),
            help_key: fg(Color::Cyan).add_modifier(bold),
            source: [
                fg(Color::Blue),
                fg(Color::Magenta),
                fg(Color::Green),
                fg(Color::Cyan),
                fg(Color::Red),
                fg(Color::DarkGray),
            ],
        }
    }

    /// Dark text on a white background, whatever the terminal's own colours are.
    fn light() -> Theme {
        let ink = Color::Rgb(0x1c, 0x1c, 0x1c);
        let paper = Color::Rgb(0xfa, 0xfa, 0xf7);
        let grey = Color::Rgb(0x6e, 0x6e, 0x6e);
        let blue = Color::Rgb(0x1a, 0x4f, 0xa0);
        let green = Color::Rgb(0x1e, 0x6b, 0x2a);
        let red = Color::Rgb(0xa8, 0x1c, 0x1c);
        let purple = Color::Rgb(0x6a, 0x2c, 0x91);
        let teal = Color::Rgb(0x0b, 0x6a, 0x6e);
        let bold = Modifier::BOLD;
        Theme {
            base: Style::new().fg(ink).bg(paper),
            border: fg(grey),
            border_focused: fg(blue).add_modifier(bold),
            title: fg(ink).add_modifier(bold),
            time: fg(blue),
            author: fg(purple),
            new_marker: fg(green).add_modifier(bold),
            unseen: Style::new().add_modifier(bold),
            selected: fg(blue).add_modifier(Modifier::REVERSED | bold),
            divider: fg(grey),
            pinned: fg(teal).add_modifier(bold),
            removed: fg(grey).add_modifier(Modifier::CROSSED_OUT),
            edited: fg(purple).add_modifier(Modifier::ITALIC),
            alert: fg(red).add_modifier(bold),
            status: Style::new().fg(paper).bg(ink),
            status_error: fg(red).add_modifier(bold),
            status_ok: fg(green),
            highlight: Style::new()
                .bg(Color::Rgb(0xff, 0xe5, 0x8f))
                .add_modifier(Modifier::UNDERLINED),
            dim: fg(grey),
            link: fg(blue).add_modifier(Modifier::UNDERLINED),
            heading: fg(ink).add_modifier(bold),
            quote: fg(grey).add_modifier(Modifier::ITALIC),
            prompt: fg(blue).add_modifier(bold),
            help_key: fg(blue).add_modifier(bold),
            source: [fg(blue), fg(purple), fg(green), fg(teal), fg(red), fg(grey)],
        }
    }

    /// Bright text on black with strong modifiers, for low vision or bright rooms.
    fn high_contrast() -> Theme {
        let bold = Modifier::BOLD;
        let bright = |color| fg(color).add_modifier(bold);
        Theme {
            base: Style::new().fg(Color::White).bg(Color::Black),
            border: fg(Color::White),
            border_focused: bright(Color::LightYellow),
            title: bright(Color::White),
            time: bright(Color::LightCyan),
            author: bright(Color::LightMagenta),
            new_marker: Style::new()
                .fg(Color::Black)
                .bg(Color::LightGreen)
                .add_modifier(bold),
            unseen: bright(Color::White),
            selected: fg(Color::LightYellow).add_modifier(Modifier::REVERSED | bold),
            divider: fg(Color::White),
            pinned: bright(Color::LightCyan).add_modifier(Modifier::UNDERLINED),
            removed: fg(Color::Gray).add_modifier(Modifier::CROSSED_OUT),
            edited: bright(Color::LightMagenta).add_modifier(Modifier::ITALIC),
            alert: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(bold),
            status: Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(bold),
            status_error: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(bold),
            status_ok: bright(Color::LightGreen),
            highlight: Style::new()
                .fg(Color::Black)
                .bg(Color::LightCyan)
                .add_modifier(bold | Modifier::UNDERLINED),
            dim: fg(Color::Gray),
            link: bright(Color::LightCyan).add_modifier(Modifier::UNDERLINED),
            heading: bright(Color::White).add_modifier(Modifier::UNDERLINED),
            quote: fg(Color::White).add_modifier(Modifier::ITALIC),
            prompt: bright(Color::LightYellow),
            help_key: bright(Color::LightYellow),
            source: [
                bright(Color::LightCyan),
                bright(Color::LightMagenta),
                bright(Color::LightGreen),
                bright(Color::LightYellow),
                bright(Color::LightRed),
                bright(Color::White),
            ],
        }
    }

    /// No colours at all: only bold, reverse, underline, italic and dim.
    fn mono() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().add_modifier(Modifier::DIM);
        let plain = Style::new();
        Theme {
            base: plain,
            border: dim,
            border_focused: bold,
            title: bold,
            time: dim,
            author: plain.add_modifier(Modifier::ITALIC),
            new_marker: bold.add_modifier(Modifier::REVERSED),
            unseen: bold,
            selected: plain.add_modifier(Modifier::REVERSED),
            divider: dim,
            pinned: bold.add_modifier(Modifier::UNDERLINED),
            removed: dim.add_modifier(Modifier::CROSSED_OUT),
            edited: plain.add_modifier(Modifier::ITALIC),
            alert: bold.add_modifier(Modifier::UNDERLINED),
            status: plain.add_modifier(Modifier::REVERSED),
            status_error: bold.add_modifier(Modifier::REVERSED),
            status_ok: bold,
            highlight: plain.add_modifier(Modifier::UNDERLINED),
            dim,
            link: plain.add_modifier(Modifier::UNDERLINED),
            heading: bold,
            quote: plain.add_modifier(Modifier::ITALIC),
            prompt: bold,
            help_key: bold,
            source: [bold, plain, bold, plain, bold, plain],
        }
    }
}

/// Whether the user asked for no colours: `NO_COLOR` set to anything but the empty string
/// (see no-color.org). The caller passes the answer to [`Theme::load`].
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

fn unknown_style(name: &str) -> String {
    format!(
        "unknown style `{name}` (known styles: {})",
        STYLE_NAMES.join(", ")
    )
}

/// Whether `name` is a style `[colors]` may override.
pub fn is_style_name(name: &str) -> bool {
    STYLE_NAMES.contains(&name)
}

/// Keeps a style's modifiers and drops its colours.
fn strip_colors(style: Style) -> Style {
    Style::new()
        .add_modifier(style.add_modifier)
        .remove_modifier(style.sub_modifier)
}

const MODIFIERS: [(&str, Modifier); 10] = [
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underline", Modifier::UNDERLINED),
    ("underlined", Modifier::UNDERLINED),
    ("reverse", Modifier::REVERSED),
    ("reversed", Modifier::REVERSED),
    ("crossed_out", Modifier::CROSSED_OUT),
    ("strikethrough", Modifier::CROSSED_OUT),
    ("blink", Modifier::SLOW_BLINK),
];

/// Parses a `[colors]` value: words separated by spaces, each a modifier (`bold`, `dim`,
/// `italic`, `underline`, `reverse`, `crossed_out`, `blink`) or a foreground colour, and
/// `on COLOUR` for the background. Colours are ANSI names (`yellow`, `lightblue`,
/// `darkgray`), `#rrggbb`, a 0-255 palette index, or `reset` for the terminal's own.
/// Example: `"bold yellow on blue"`.
pub fn parse_style(value: &str) -> Result<Style, String> {
    let mut style = Style::new();
    let mut words = value.split_whitespace();
    let mut any = false;
    while let Some(word) = words.next() {
        any = true;
        let lower = word.to_ascii_lowercase();
        if let Some((_, modifier)) = MODIFIERS.iter().find(|(name, _)| *name == lower) {
            style = style.add_modifier(*modifier);
        } else if lower == "on" {
            let color = words
                .next()
                .ok_or_else(|| format!("invalid style `{value}`: `on` needs a colour after it"))?;
            style = style.bg(parse_color(color, value)?);
        } else {
            style = style.fg(parse_color(word, value)?);
        }
    }
    if !any {
        return Err("invalid style ``: give a colour or a modifier".to_string());
    }
    Ok(style)
}

fn parse_color(word: &str, value: &str) -> Result<Color, String> {
    word.parse::<Color>().map_err(|_| {
        format!(
            "invalid style `{value}`: `{word}` is neither a colour nor a modifier \
             (colours: names like yellow or lightblue, #rrggbb, 0-255; modifiers: bold, dim, \
             italic, underline, reverse, crossed_out, blink)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_styles(theme: &mut Theme) -> Vec<(&'static str, Style)> {
        STYLE_NAMES
            .iter()
            .map(|name| (*name, *theme.style_mut(name).unwrap()))
            .collect()
    }

    #[test]
    fn every_style_name_has_a_field() {
        let mut theme = Theme::named("default").unwrap();
        assert_eq!(all_styles(&mut theme).len(), STYLE_NAMES.len());
        assert!(theme.style_mut("nope").is_none());
    }

    #[test]
    fn no_color_leaves_no_colour_in_any_theme() {
        for name in THEMES {
            let mut theme = Theme::load(name, &BTreeMap::new(), true).unwrap();
            for (style_name, style) in all_styles(&mut theme) {
                assert_eq!(style.fg, None, "{name} {style_name}");
                assert_eq!(style.bg, None, "{name} {style_name}");
                assert_eq!(
                    strip_colors(style),
                    style,
                    "{name} {style_name} keeps a colour"
                );
            }
        }
    }

    #[test]
    fn no_color_also_strips_overridden_colours() {
        let colors = BTreeMap::from([("new_marker".to_string(), "yellow on blue".to_string())]);
        let theme = Theme::load("default", &colors, true).unwrap();
        assert_eq!(theme.new_marker.fg, None);
        assert_eq!(theme.new_marker.bg, None);
    }

    #[test]
    fn new_and_selection_never_rely_on_colour_alone() {
        for name in THEMES {
            let theme = Theme::load(name, &BTreeMap::new(), true).unwrap();
            assert!(!theme.new_marker.add_modifier.is_empty(), "{name} new");
            assert!(!theme.selected.add_modifier.is_empty(), "{name} selected");
        }
    }

    #[test]
    fn mono_has_no_colours() {
        let mut theme = Theme::named("mono").unwrap();
        for (style_name, style) in all_styles(&mut theme) {
            assert_eq!(strip_colors(style), style, "{style_name}");
        }
    }

    #[test]
    fn default_theme_uses_only_ansi_named_colours() {
        let mut theme = Theme::named("default").unwrap();
        for (style_name, style) in all_styles(&mut theme) {
            for color in [style.fg, style.bg].into_iter().flatten() {
                assert!(
                    !matches!(color, Color::Rgb(..) | Color::Indexed(_)),
                    "{style_name}: {color:?}"
                );
            }
        }
    }

    #[test]
    fn overrides_patch_the_named_style() {
        let colors = BTreeMap::from([
            ("new_marker".to_string(), "yellow".to_string()),
            ("selected".to_string(), "reverse".to_string()),
            ("source3".to_string(), "bold #ff8800 on 17".to_string()),
        ]);
        let theme = Theme::load("default", &colors, false).unwrap();
        assert_eq!(theme.new_marker.fg, Some(Color::Yellow));
        // The theme's modifier stays, so NEW still shows without colour.
        assert!(theme.new_marker.add_modifier.contains(Modifier::BOLD));
        assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(theme.source[2].fg, Some(Color::Rgb(0xff, 0x88, 0x00)));
        assert_eq!(theme.source[2].bg, Some(Color::Indexed(17)));
        assert!(theme.source[2].add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn unknown_names_are_errors_that_name_them() {
        let err = Theme::load("neon", &BTreeMap::new(), false).unwrap_err();
        assert!(err.contains("neon"), "{err}");
        let colors = BTreeMap::from([("sparkle".to_string(), "red".to_string())]);
        let err = Theme::load("default", &colors, false).unwrap_err();
        assert!(err.contains("sparkle"), "{err}");
        for bad in ["", "blurple", "red on", "bold on nope"] {
            assert!(parse_style(bad).is_err(), "{bad:?} parsed");
        }
    }
}
