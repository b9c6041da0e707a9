//! Pure views of the model: `draw(frame, &model)` and the layout that `update` also uses.
//!
//! Nothing here changes state or does IO. Every style comes from the theme; every marker
//! that carries meaning (NEW, removed, pinned) is a word or glyph as well as a colour.

mod detail;
mod list;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::model::{Focus, Model};
use crate::text::width;
use crate::theme::Theme;

pub use detail::detail_lines;
pub use list::{ListRow, list_layout};

/// At this width and above, the list and the detail sit side by side.
pub const WIDE: u16 = 100;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub list: Rect,
    pub detail: Rect,
    pub prompt: Option<Rect>,
    pub status: Rect,
}

/// Split `area` into panes for `model`.
pub fn panes(area: Rect, model: &Model) -> Panes {
    // The prompt line, plus one under it for what is wrong with the text.
    let prompt_rows = model
        .prompt
        .as_ref()
        .map_or(0, |p| 1 + u16::from(p.error.is_some()));
    let [body, prompt, status] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(prompt_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    let none = Rect::new(body.x, body.y, 0, 0);
    let parts = [
        Constraint::Percentage(model.split),
        Constraint::Percentage(100 - model.split),
    ];
    let [list, detail] = if model.zoom {
        [none, body]
    } else if model.detail_hidden {
        [body, none]
    } else if area.width >= WIDE {
        Layout::horizontal(parts).areas(body)
    } else {
        Layout::vertical(parts).areas(body)
    };
    Panes {
        list,
        detail,
        prompt: model.prompt.as_ref().map(|_| prompt),
        status,
    }
}

fn model_area(model: &Model) -> Rect {
    Rect::new(0, 0, model.size.0, model.size.1)
}

/// Rows of entries the list shows at the model's terminal size.
pub fn list_rows(model: &Model) -> usize {
    let height = inner(panes(model_area(model), model).list).height as usize;
    let divider = usize::from(model.divider().is_some());
    height
        .saturating_sub(list::band_rows(model, height))
        .saturating_sub(divider)
}

/// Columns of text in the detail pane at the model's terminal size.
pub fn detail_width(model: &Model) -> usize {
    inner(panes(model_area(model), model).detail).width as usize
}

/// Rows of text the detail pane shows at the model's terminal size.
pub fn detail_rows(model: &Model) -> usize {
    inner(panes(model_area(model), model).detail).height as usize
}

/// How far the detail pane can scroll for the selected entry.
pub fn detail_max_scroll(model: &Model) -> usize {
    let area = inner(panes(model_area(model), model).detail);
    detail_lines(model, area.width as usize)
        .len()
        .saturating_sub(area.height as usize)
}

/// The inside of a bordered pane.
fn inner(area: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(area)
}

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, model: &Model, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base), area);
    let p = panes(area, model);
    list::render(frame, p.list, model, theme);
    detail::render(frame, p.detail, model, theme);
    if let Some(prompt_area) = p.prompt {
        render_prompt(frame, prompt_area, model, theme);
    }
    if model.zoom || model.detail_hidden {
        // The hidden pane has no room: draw nothing of it.
    }
    status::render(frame, p.status, model, theme);
    if model.help {
        render_help(frame, area, model, theme);
    }
}

/// A bordered pane whose border shows focus.
fn pane<'a>(title: Line<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    let style = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

/// Draws `lines` one per row of `area`, each cut at its right edge, over `style`. What a
/// `Paragraph` draws without wrapping or scrolling, without building every cell's grapheme
/// and style first (the list and the detail are redrawn at every key and every poll).
fn put_lines(frame: &mut Frame, area: Rect, lines: &[Line], style: Style) {
    let buf = frame.buffer_mut();
    buf.set_style(area, style);
    for (y, line) in (area.top()..area.bottom()).zip(lines) {
        let mut x = area.x;
        for span in line {
            let room = area.right().saturating_sub(x);
            if room == 0 {
                break;
            }
            let style = line.style.patch(span.style);
            let text = span.content.as_ref();
            if crate::text::single_cells(text) {
                // A cell per character, without splitting the text into graphemes.
                for (c, at) in text.chars().zip(x..x + room) {
                    buf[(at, y)].set_char(c).set_style(style);
                    x = at + 1;
                }
            } else {
                x = buf.set_stringn(x, y, text, usize::from(room), style).0;
            }
        }
    }
}

fn focused(model: &Model, focus: Focus) -> bool {
    model.focus == focus && model.prompt.is_none()
}

fn render_prompt(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(prompt) = model.prompt.as_ref() else {
        return;
    };
    let label = prompt.kind.label();
    let mut lines = vec![Line::from(vec![
        Span::styled(label, theme.prompt),
        Span::raw(prompt.text.clone()),
    ])];
    if let Some(error) = &prompt.error {
        lines.push(Line::styled(format!("  {error}"), theme.status_error));
    }
    frame.render_widget(Paragraph::new(lines).style(theme.base), area);
    let cursor_x = area.x as usize + crate::text::width(label) + crate::text::width(&prompt.text);
    if cursor_x < area.right() as usize && area.height > 0 {
        frame.set_cursor_position((cursor_x as u16, area.y));
    }
}

fn render_help(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    for (keys, action) in model.keymap.help() {
        if action.name().starts_with("link_") {
            links.push(keys);
        } else {
            entries.push((keys, action.description().to_string()));
        }
    }
    if !links.is_empty() {
        let keys = if links.len() == 9
            && links
                .iter()
                .enumerate()
                .all(|(n, k)| *k == (n + 1).to_string())
        {
            "1 … 9".to_string()
        } else {
            links.join(", ")
        };
        entries.push((
            keys,
            "choose link N of the entry (o opens it, y copies it)".into(),
        ));
    }
    entries.push((
        "in the filter".into(),
        "words, \"phrases\", -word, title: author: source: text:, is:new, since:30m".into(),
    ));
    entries.push((
        String::new(),
        "Enter keeps the filter, Esc clears it, ↑/↓ walk this run's filters".into(),
    ));
    let key_w = entries.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let line = |(keys, desc): &(String, String)| {
        Line::from(vec![
            Span::styled(format!("{keys:>key_w$}  "), theme.help_key),
            Span::raw(desc.clone()),
        ])
    };
    let rows = area.height.saturating_sub(2) as usize;
    let lines: Vec<Line> = entries.iter().map(line).collect();
    let popup = if lines.len() <= rows || rows == 0 {
        let w = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
        centered(area, w, lines.len() as u16 + 2)
    } else {
        centered(area, area.width, area.height)
    };
    frame.render_widget(Clear, popup);
    let block = pane(
        Line::styled(" keys (any key closes) ", theme.title),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    // As many columns as it takes to show every line.
    let per_col = (inner.height as usize).max(1);
    let cols = lines.len().div_ceil(per_col).max(1);
    let areas = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols]).split(inner);
    for (n, chunk) in lines.chunks(per_col).enumerate() {
        if let Some(a) = areas.get(n) {
            frame.render_widget(Paragraph::new(chunk.to_vec()).style(theme.base), *a);
        }
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// "12s ago", "4m ago", "3h ago", "2d ago".
pub fn ago(now: jiff::Timestamp, then: jiff::Timestamp) -> String {
    let secs = now.as_second() - then.as_second();
    if secs < 0 {
        return "just now".into();
    }
    match secs {
        0..60 => format!("{secs}s ago"),
        60..3600 => format!("{}m ago", secs / 60),
        3600..86400 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86400),
    }
}

/// "in 18s", "in 4m", or "now".
pub fn until(now: jiff::Timestamp, then: jiff::Timestamp) -> String {
    let secs = then.as_second() - now.as_second();
    match secs {
        ..=0 => "now".into(),
        1..60 => format!("in {secs}s"),
        60..3600 => format!("in {}m", secs / 60),
        _ => format!("in {}h", secs / 3600),
    }
}

/// Local clock time `HH:MM` (with the date when it is not today).
pub fn clock(model: &Model, t: jiff::Timestamp) -> String {
    let zt = t.to_zoned(model.tz.clone());
    let today = model.now.to_zoned(model.tz.clone()).date();
    if zt.date() == today {
        zt.strftime("%H:%M").to_string()
    } else {
        zt.strftime("%b %d %H:%M").to_string()
    }
}

/// Full local date and time for the detail pane.
pub fn full_time(model: &Model, t: jiff::Timestamp) -> String {
    t.to_zoned(model.tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A span with a style, for brevity.
fn styled(text: impl Into<String>, style: Style) -> Span<'static> {
    Span::styled(text.into(), style)
}

/// `text` as spans in `style`, with the byte `ranges` in `mark` (the highlight patched over).
pub fn highlighted(
    text: &str,
    style: Style,
    ranges: &[std::ops::Range<usize>],
    mark: Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut at = 0;
    for r in ranges {
        if r.start < at
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        if r.start > at {
            spans.push(Span::styled(text[at..r.start].to_string(), style));
        }
        spans.push(Span::styled(text[r.clone()].to_string(), style.patch(mark)));
        at = r.end;
    }
    if at < text.len() || spans.is_empty() {
        spans.push(Span::styled(text[at..].to_string(), style));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::style::{Color, Modifier};

    /// `put_lines` draws exactly what ratatui's own `set_line` draws, whether it takes the
    /// text a cell per character or not, cut at the edge of the area, over its style.
    #[test]
    fn lines_are_put_as_set_line_puts_them() {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let red = Style::default().fg(Color::Red);
        let lines = vec![
            Line::from(vec![
                Span::styled("NEW", bold),
                Span::raw(" 14:02 Storm reaches the coast"),
            ]),
            Line::from(vec![
                Span::raw("Café · "),
                Span::styled("日本語の見出し", red),
            ]),
            Line::styled("e\u{301}cole 👩\u{200d}👩 ok", red),
            Line::from(vec![
                Span::raw(""),
                Span::styled("x", bold),
                Span::raw("yz"),
            ]),
            Line::styled("── “Quoted” – ½ · Ærøskøbing ─────────", red),
            Line::from("a line far longer than the area it is put in, cut at its edge"),
        ];
        let base = Style::default().bg(Color::Blue);
        for width in [0, 1, 5, 12, 17, 40] {
            let area = Rect::new(3, 1, width, 6);
            let mut terminal = Terminal::new(TestBackend::new(50, 8)).expect("a test terminal");
            terminal
                .draw(|frame| put_lines(frame, area, &lines, base))
                .expect("drawn");
            let mut want = Buffer::empty(Rect::new(0, 0, 50, 8));
            want.set_style(area, base);
            for (y, line) in (area.top()..area.bottom()).zip(&lines) {
                want.set_line(area.x, y, line, area.width);
            }
            assert_eq!(terminal.backend().buffer(), &want, "width {width}");
        }
    }
}
