//! The entry list: newest at the top, one row per entry, only the visible rows are built.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{clock, focused, pane, styled};
use crate::model::{Focus, Model};
use crate::store::Stored;
use crate::text::truncate;
use crate::theme::Theme;

/// The marker column: a word, so NEW is never told by colour alone.
pub const NEW_MARK: &str = "NEW";

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let visible = model.visible();
    let total = model.store.len();
    let count = if visible.len() == total {
        format!(" entries ({total}) ")
    } else {
        format!(" entries ({} of {total}) ", visible.len())
    };
    let block = pane(
        Line::styled(count, theme.title),
        focused(model, Focus::List),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let offset = model.list_offset();
    let selected = model.selected_pos();
    let width = inner.width as usize;
    let lines: Vec<Line> = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner.height as usize)
        .map(|(pos, &i)| {
            row(
                model,
                model.store.item(i),
                width,
                selected == Some(pos),
                theme,
            )
        })
        .collect();
    if lines.is_empty() {
        let msg = if total == 0 {
            "waiting for the first entry"
        } else {
            "no entry matches the filter"
        };
        frame.render_widget(Paragraph::new(styled(msg, theme.dim)), inner);
        return;
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One list row: marker, time, author, headline; cut to `width` cells.
fn row(model: &Model, s: &Stored, width: usize, selected: bool, theme: &Theme) -> Line<'static> {
    let e = &s.entry;
    let mut spans: Vec<Span> = Vec::with_capacity(6);
    if s.new {
        spans.push(styled(NEW_MARK, theme.new_marker));
        spans.push(Span::raw(" "));
    } else if e.pinned || e.key_event {
        spans.push(styled("KEY", theme.pinned));
        spans.push(Span::raw(" "));
    } else {
        spans.push(Span::raw("    "));
    }
    spans.push(styled(clock(model, s.time()), theme.time));
    spans.push(Span::raw(" "));
    if let Some(author) = e.authors.first() {
        spans.push(styled(truncate(author, 18), theme.author));
        spans.push(Span::raw(" · "));
    }
    let headline = if e.title.is_empty() {
        e.text.lines().next().unwrap_or("").to_string()
    } else {
        e.title.clone()
    };
    let mut headline_style = theme.base;
    if e.removed {
        headline_style = headline_style.patch(theme.removed);
        spans.push(styled("removed ", theme.removed));
    }
    spans.push(styled(headline, headline_style));
    let line = fit(spans, width);
    if selected {
        line.patch_style(theme.selected)
    } else {
        line
    }
}

/// Cut a row of spans to `width` cells, padding the rest so a selection bar spans the row.
fn fit(spans: Vec<Span<'static>>, width: usize) -> Line<'static> {
    let mut out = Vec::with_capacity(spans.len() + 1);
    let mut used = 0;
    for span in spans {
        let w = crate::text::width(&span.content);
        if used + w <= width {
            used += w;
            out.push(span);
        } else {
            let cut = truncate(&span.content, width - used);
            used += crate::text::width(&cut);
            out.push(Span::styled(cut, span.style));
            break;
        }
    }
    if used < width {
        out.push(Span::raw(" ".repeat(width - used)));
    }
    Line::from(out)
}
