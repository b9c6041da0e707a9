//! The status line: blog title, `N new`, each source's last fetch and next poll, the filter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{ago, styled, until};
use crate::model::{LastResult, Model, SourceState};
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let [mut sources, counts, rest] = status_parts(model, theme);
    let width = area.width as usize;
    // Too long: blog titles give way first, so counts and states stay readable.
    let over = (columns(&sources) + columns(&counts) + columns(&rest)).saturating_sub(width);
    shrink(&mut sources, theme.status.patch(theme.title), 8, over);
    // Still no room for `N new`: error messages give way too (to their first words), then
    // what still does not fit of the sources' part is cut. What follows the counts is
    // clipped at the edge.
    let room = width.saturating_sub(columns(&counts));
    if !counts.is_empty() && columns(&sources) > room {
        let over = columns(&sources) - room;
        shrink(
            &mut sources,
            theme.status.patch(theme.status_error),
            16,
            over,
        );
        cut(&mut sources, room);
    }
    sources.extend(counts);
    sources.extend(rest);
    frame.render_widget(
        Paragraph::new(Line::from(sources)).style(theme.status),
        area,
    );
}

/// How many columns `spans` take.
fn columns(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// The spans of `style` shortened, in order, each to no fewer than `least` columns, until
/// `over` columns are saved or none is left to shorten.
fn shrink(spans: &mut [Span<'static>], style: Style, least: usize, mut over: usize) {
    for span in spans.iter_mut().filter(|s| s.style == style) {
        if over == 0 {
            break;
        }
        let w = crate::text::width(&span.content);
        let keep = w.saturating_sub(over).max(least.min(w));
        over -= w - keep;
        span.content = crate::text::truncate(&span.content, keep).into();
    }
}

/// `spans` cut to `width` columns (the last one kept ends with `…`), if wider.
fn cut(spans: &mut Vec<Span<'static>>, width: usize) {
    let mut used = 0;
    for (n, span) in spans.iter_mut().enumerate() {
        let w = crate::text::width(&span.content);
        if used + w > width {
            span.content = crate::text::truncate(&span.content, width - used).into();
            spans.truncate(n + 1);
            return;
        }
        used += w;
    }
}

/// The status line in three parts: each source's name and state; `N new` (and how many
/// arrived above a paused list); the rest (the filter, notices, the help key).
fn status_parts(model: &Model, theme: &Theme) -> [Vec<Span<'static>>; 3] {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let sep = || Span::raw(" · ");
    for (n, source) in model.sources.iter().enumerate() {
        if n > 0 {
            spans.push(Span::raw(" | "));
        }
        spans.push(styled(source_name(source), theme.status.patch(theme.title)));
        if source.ended {
            spans.push(sep());
            spans.push(Span::raw("ended"));
        }
        if source.reports_nothing() {
            spans.push(sep());
            spans.push(styled(
                "source reports no entries",
                theme.status.patch(theme.status_error),
            ));
        }
        if let Some(limited) = &source.limited {
            spans.push(sep());
            spans.push(styled(
                format!("limit: {limited}"),
                theme.status.patch(theme.status_error),
            ));
        }
        let evicted = model.store.evicted(n);
        if evicted > 0 {
            spans.push(sep());
            spans.push(Span::raw(format!("{evicted} oldest dropped")));
        }
        spans.push(sep());
        spans.extend(fetch_state(model, source, theme));
        if let Some(due) = source.next_due.filter(|_| !source.fetching) {
            // After an error the next poll is a retry.
            let word = if matches!(source.last, Some(LastResult::Error(_))) {
                ", retry"
            } else {
                " · next"
            };
            spans.push(Span::raw(format!("{word} {}", until(model.now, due))));
        }
    }
    let sources = std::mem::take(&mut spans);
    let new = model.new_count();
    if new > 0 {
        spans.push(sep());
        spans.push(styled(
            format!("{new} new"),
            theme.status.patch(theme.new_marker),
        ));
    }
    if let Some(above) = model.new_above() {
        spans.push(sep());
        if above > 0 {
            spans.push(styled(
                format!("paused · {above} new ↑"),
                theme.status.patch(theme.new_marker),
            ));
        } else {
            spans.push(Span::raw("paused"));
        }
    }
    let counts = std::mem::take(&mut spans);
    if let Some(only) = model.source_only {
        let name = model.sources.get(only).map(source_name).unwrap_or_default();
        spans.push(sep());
        spans.push(Span::raw(format!("only {name}")));
    }
    if model.pinned_only {
        spans.push(sep());
        spans.push(Span::raw("key events only"));
    }
    if !model.filter.is_empty() {
        spans.push(sep());
        spans.push(Span::raw(format!(
            "filter: {} · {} of {}",
            model.filter,
            model.visible().len(),
            model.store.len()
        )));
        if model.hidden_new > 0 {
            spans.push(styled(
                format!(" · +{} hidden", model.hidden_new),
                theme.status.patch(theme.new_marker),
            ));
        }
    }
    if let Some(notice) = &model.notice {
        spans.push(sep());
        spans.push(styled(notice.clone(), theme.status.patch(theme.alert)));
    }
    spans.push(sep());
    spans.push(Span::raw("? help"));
    [sources, counts, spans]
}

/// The blog's title once known, else the source as given.
fn source_name(s: &SourceState) -> String {
    s.title.clone().unwrap_or_else(|| s.label.clone())
}

fn fetch_state(model: &Model, s: &SourceState, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    if s.fetching {
        if s.last.is_none() {
            const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
            out.push(Span::raw(format!(
                "{} loading",
                FRAMES[model.spin % FRAMES.len()]
            )));
        } else {
            out.push(Span::raw("fetching…"));
        }
        return out;
    }
    match &s.last {
        None => out.push(Span::raw("waiting")),
        Some(LastResult::Error(why)) => {
            out.push(styled(
                format!("error: {why}"),
                theme.status.patch(theme.status_error),
            ));
            if let Some(ok) = s.last_ok {
                out.push(Span::raw(format!(" (last ok {})", ago(model.now, ok))));
            }
        }
        Some(last) => {
            if let Some(ok) = s.last_ok {
                out.push(Span::raw(format!("fetched {}", ago(model.now, ok))));
            }
            if *last == LastResult::NotModified {
                out.push(Span::raw(", not modified"));
            }
        }
    }
    out
}
