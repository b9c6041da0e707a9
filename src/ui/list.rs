//! The entry list: newest at the top, one row per entry, only the visible rows are built.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{clock, focused, pane, put_lines, styled};
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
    let width = inner.width as usize;
    let selected = model.selected_pos();
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    for kind in list_layout(model, area) {
        lines.push(match kind {
            ListRow::Pinned(i) => {
                let s = model.store.item(i);
                let spans = vec![
                    styled("PIN", theme.pinned),
                    Span::raw(" "),
                    styled(clock(model, s.time()), theme.time),
                    Span::raw(" "),
                    styled(headline(s), theme.pinned),
                ];
                fit(spans, width)
            }
            ListRow::Rule => Line::styled("─".repeat(width), theme.dim),
            ListRow::Divider => {
                let label = " new since you last looked ";
                let fill = width.saturating_sub(label.len() + 2);
                fit(
                    vec![styled(
                        format!("──{label}{}", "─".repeat(fill)),
                        theme.divider,
                    )],
                    width,
                )
            }
            ListRow::Entry(pos) => {
                let s = model.store.item(visible[pos]);
                row(model, s, width, selected == Some(pos), theme)
            }
        });
    }
    if visible.is_empty() {
        let msg = if total == 0 {
            "waiting for the first entry"
        } else {
            "no entry matches the filter"
        };
        lines.push(Line::from(styled(msg, theme.dim)));
    }
    put_lines(frame, inner, &lines, Style::default());
}

/// What each row of the list pane (inside its border) shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListRow {
    /// A pinned entry in the band at the top (slab index).
    Pinned(usize),
    /// The rule under the band.
    Rule,
    /// The "new since you last looked" divider.
    Divider,
    /// The entry at this position of the visible list.
    Entry(usize),
}

/// The rows of the list pane `area`, top to bottom (used to draw and to map clicks).
pub fn list_layout(model: &Model, area: Rect) -> Vec<ListRow> {
    let height = area.height.saturating_sub(2) as usize;
    let band = band_rows(model, height);
    let mut rows = Vec::with_capacity(height);
    if band > 0 {
        rows.extend(
            model
                .pinned
                .iter()
                .take(band - 1)
                .map(|&i| ListRow::Pinned(i)),
        );
        rows.push(ListRow::Rule);
    }
    let offset = model.list_offset();
    let divider = model.divider();
    for pos in offset..model.visible().len() {
        if rows.len() >= height {
            break;
        }
        if divider == Some(pos) && pos > offset {
            rows.push(ListRow::Divider);
            if rows.len() >= height {
                break;
            }
        }
        rows.push(ListRow::Entry(pos));
    }
    rows
}

/// Rows the pinned band takes at the top of a list pane `height` rows high: up to three
/// pinned entries and a rule, never more than a third of the pane.
pub fn band_rows(model: &Model, height: usize) -> usize {
    let pinned = model.pinned.len().min(3).min(height / 3);
    if pinned == 0 { 0 } else { pinned + 1 }
}

/// The headline, or the first line of the text when there is none.
fn headline(s: &Stored) -> String {
    let title = s.title();
    if title.is_empty() {
        s.text().lines().next().unwrap_or("").to_string()
    } else {
        title.into_owned()
    }
}

/// One list row: marker, time, author, headline; cut to `width` cells.
fn row(model: &Model, s: &Stored, width: usize, selected: bool, theme: &Theme) -> Line<'static> {
    let e = &s.entry;
    let mut spans: Vec<Span> = Vec::with_capacity(8);
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
    if model.sources.len() > 1 {
        let name = model.sources.get(s.source).map_or(String::new(), |src| {
            src.short
                .clone()
                .or(src.title.clone())
                .unwrap_or(src.label.clone())
        });
        spans.push(styled(truncate(&name, 12), theme.source_style(s.source)));
        spans.push(Span::raw(" "));
    }
    if s.future {
        spans.push(styled("⚠ ", theme.alert));
    }
    if let Some(author) = e.authors().next() {
        let author = truncate(author, 18);
        let marks = model.query.highlights(&author);
        spans.extend(super::highlighted(
            &author,
            theme.author,
            &marks,
            theme.highlight,
        ));
        spans.push(Span::raw(" · "));
    }
    let mut headline_style = theme.base;
    if s.is_removed() {
        headline_style = headline_style.patch(theme.removed);
        spans.push(styled("removed", theme.removed));
        spans.push(Span::raw(" "));
    }
    let head = headline(s);
    let marks = model.query.highlights(&head);
    spans.extend(super::highlighted(
        &head,
        headline_style,
        &marks,
        theme.highlight,
    ));
    if let Some(at) = s.edited_at() {
        spans.push(styled(
            format!(" (edited {})", clock(model, at)),
            theme.edited,
        ));
    }
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
