//! Placeholder: replaced by the real theme.
use ratatui::style::{Color, Modifier, Style};
#[derive(Debug, Clone)]
pub struct Theme {
    pub base: Style,
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub time: Style,
    pub author: Style,
    pub new_marker: Style,
    pub selected: Style,
    pub divider: Style,
    pub pinned: Style,
    pub removed: Style,
    pub edited: Style,
    pub status: Style,
    pub status_error: Style,
    pub status_ok: Style,
    pub highlight: Style,
    pub dim: Style,
    pub link: Style,
    pub source: [Style; 6],
}
impl Default for Theme {
    fn default() -> Self {
        let s = Style::default();
        Theme {
            base: s,
            border: s,
            border_focused: s.fg(Color::Cyan),
            title: s.add_modifier(Modifier::BOLD),
            time: s.fg(Color::Blue),
            author: s.fg(Color::Green),
            new_marker: s.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: s.add_modifier(Modifier::REVERSED),
            divider: s.fg(Color::Yellow),
            pinned: s.fg(Color::Magenta),
            removed: s.add_modifier(Modifier::CROSSED_OUT),
            edited: s.fg(Color::Cyan),
            status: s.add_modifier(Modifier::REVERSED),
            status_error: s.fg(Color::Red),
            status_ok: s,
            highlight: s.add_modifier(Modifier::UNDERLINED),
            dim: s.add_modifier(Modifier::DIM),
            link: s.fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
            source: [s; 6],
        }
    }
}
