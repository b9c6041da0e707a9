//! The detail pane: the selected entry in full, wrapped to the pane's width.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use unicode_segmentation::UnicodeSegmentation;

use super::{ago, focused, full_time, pane, put_lines, styled};
use crate::entry::Entry;
use crate::keymap::Action;
use crate::model::{Focus, LastResult, Model};
use crate::store::Stored;
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let block = pane(
        Line::styled(" detail ", theme.title),
        focused(model, Focus::Detail),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let lines = styled_lines(model, inner.width as usize, theme);
    let start = model.detail_scroll.min(lines.len());
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(start)
        .take(inner.height as usize)
        .collect();
    put_lines(frame, inner, &shown, theme.base);
}

/// The detail's lines without styles (used to bound scrolling).
pub fn detail_lines(model: &Model, width: usize) -> Vec<Line<'static>> {
    styled_lines(model, width, &Theme::default())
}

fn styled_lines(model: &Model, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out: Vec<Line<'static>> = Vec::new();
    let Some(stored) = model.selected.as_ref().and_then(|k| model.store.get(k)) else {
        if model.store.is_empty() {
            push_wrapped(&mut out, "waiting for the first entry", width, theme.dim);
        }
        return out;
    };
    // The version held on screen while the user reads, or the current one.
    let current;
    let e = match &model.held {
        Some(held) => held,
        None => {
            current = stored.to_entry();
            &current
        }
    };
    if let Some(at) = stored.edited_at().filter(|_| model.held.is_some()) {
        let text = format!(
            "Updated at {} while you were reading: press {} for the new text, {} for the changes",
            super::clock(model, at),
            key_for(model, Action::ShowUpdate),
            key_for(model, Action::ShowChanges),
        );
        push_wrapped(&mut out, &text, width, theme.alert);
        out.push(Line::raw(""));
    }
    if model.show_changes
        && let Some(before) = stored.previous().last()
    {
        changes(&mut out, model, stored, before, width, theme);
        return out;
    }
    let mut flags = Vec::new();
    if stored.vanished {
        flags.push(styled("REMOVED (gone from the source)", theme.removed));
    } else if e.removed {
        flags.push(styled("REMOVED", theme.removed));
    }
    if e.pinned {
        flags.push(styled("PINNED", theme.pinned));
    }
    if e.key_event {
        flags.push(styled("KEY EVENT", theme.pinned));
    }
    if let Some(at) = stored.edited_at() {
        flags.push(styled(
            format!(
                "edited {} ({} shows changes)",
                super::clock(model, at),
                key_for(model, Action::ShowChanges)
            ),
            theme.edited,
        ));
    }
    if stored.future {
        flags.push(styled("time is in the future", theme.alert));
    }
    if !flags.is_empty() {
        let mut spans = Vec::new();
        for (n, f) in flags.into_iter().enumerate() {
            if n > 0 {
                spans.push(styled(" · ", theme.dim));
            }
            spans.push(f);
        }
        out.push(Line::from(spans));
    }
    let title_style = if stored.is_removed() {
        theme.title.patch(theme.removed)
    } else {
        theme.title
    };
    if !e.title.is_empty() {
        push_wrapped(&mut out, &e.title, width, title_style);
    }
    if !e.authors.is_empty() {
        push_wrapped(
            &mut out,
            &format!("By {}", e.authors.join(", ")),
            width,
            theme.author,
        );
    }
    if let Some(p) = e.published {
        let text = format!("Published {} ({})", full_time(model, p), ago(model.now, p));
        push_wrapped(&mut out, &text, width, theme.time);
    }
    if let Some(u) = e.updated.filter(|u| Some(*u) != e.published) {
        let text = format!("Updated {} ({})", full_time(model, u), ago(model.now, u));
        push_wrapped(&mut out, &text, width, theme.time);
    }
    out.push(Line::raw(""));
    let body_style = if stored.is_removed() {
        theme.removed
    } else {
        theme.base
    };
    if stored.partial {
        // Only the headline is known: the body is on its way, or its document was broken.
        let state = model.sources.get(stored.source);
        let note = match state.and_then(|s| s.last.as_ref()) {
            Some(LastResult::Error(why)) if !state.is_some_and(|s| s.fetching) => {
                format!("the text could not be read: {why}")
            }
            _ => "reading the text…".to_string(),
        };
        push_wrapped(&mut out, &note, width, theme.dim);
    }
    for line in e.text.lines() {
        push_wrapped(&mut out, line, width, body_style);
    }
    for img in &e.images {
        let mut text = String::from("[image]");
        if let Some(c) = &img.caption {
            text.push(' ');
            text.push_str(c);
        }
        if let Some(c) = &img.credit {
            text.push_str(" — ");
            text.push_str(c);
        }
        if let (None, None, Some(u)) = (&img.caption, &img.credit, &img.url) {
            text.push(' ');
            text.push_str(u);
        }
        out.push(Line::raw(""));
        push_wrapped(&mut out, &text, width, theme.dim);
    }
    if !e.links.is_empty() {
        out.push(Line::raw(""));
        for (n, link) in e.links.iter().enumerate() {
            push_wrapped(&mut out, &format!("[{}] {link}", n + 1), width, theme.link);
        }
    }
    if let Some(url) = &e.url {
        out.push(Line::raw(""));
        push_wrapped(&mut out, &format!("Link: {url}"), width, theme.link);
    }
    mark_matches(&mut out, model, theme);
    out
}

/// The key bound to `action`, for hints ("?" when it is unbound).
fn key_for(model: &Model, action: Action) -> String {
    model
        .keymap
        .help()
        .into_iter()
        .find(|(_, a)| *a == action)
        .map(|(keys, _)| keys.split(", ").next().unwrap_or("?").to_string())
        .unwrap_or_else(|| "?".into())
}

/// The last edit as a word diff: removed words struck through, added words highlighted.
fn changes(
    out: &mut Vec<Line<'static>>,
    model: &Model,
    stored: &Stored,
    before: &Entry,
    width: usize,
    theme: &Theme,
) {
    let when = stored.edited_at().map_or(String::new(), |at| {
        format!(" at {}", super::clock(model, at))
    });
    let head = format!(
        "Changes in the edit{when} ({} closes):",
        key_for(model, Action::ShowChanges)
    );
    push_wrapped(out, &head, width, theme.title);
    out.push(Line::raw(""));
    let old = format!("{}\n\n{}", before.title, before.text);
    let new = format!("{}\n\n{}", stored.title(), stored.text());
    let diff = similar::TextDiff::from_words(&old, &new);
    let mut words: Vec<(String, Style)> = Vec::new();
    for change in diff.iter_all_changes() {
        let style = match change.tag() {
            similar::ChangeTag::Equal => theme.base,
            similar::ChangeTag::Delete => theme.removed,
            similar::ChangeTag::Insert => theme.highlight,
        };
        words.push((change.value().to_string(), style));
    }
    out.extend(wrap_spans(&words, width));
}

/// Lay out styled pieces of text (words and the whitespace between them) into lines.
fn wrap_spans(pieces: &[(String, Style)], width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut cur: Vec<ratatui::text::Span<'static>> = Vec::new();
    let mut used = 0;
    for (text, style) in pieces {
        let mut parts = text.split('\n').peekable();
        while let Some(part) = parts.next() {
            for piece in wrap(part, width) {
                let w = crate::text::width(&piece);
                if used + w > width && used > 0 {
                    lines.push(Line::from(std::mem::take(&mut cur)));
                    used = 0;
                }
                let piece = if used == 0 {
                    piece.trim_start().to_string()
                } else {
                    piece
                };
                used += crate::text::width(&piece);
                cur.push(ratatui::text::Span::styled(piece, *style));
            }
            if parts.peek().is_some() {
                lines.push(Line::from(std::mem::take(&mut cur)));
                used = 0;
            }
        }
    }
    if !cur.is_empty() {
        lines.push(Line::from(cur));
    }
    lines
}

fn push_wrapped(out: &mut Vec<Line<'static>>, text: &str, width: usize, style: Style) {
    for l in wrap(text, width) {
        out.push(Line::styled(l, style));
    }
}

/// Mark the filter's matches and the detail search's matches in the lines from `from` on.
fn mark_matches(out: &mut [Line<'static>], model: &Model, theme: &Theme) {
    let search = (!model.search.is_empty())
        .then(|| crate::query::parse(&model.search, model.now, &model.tz).ok())
        .flatten();
    if model.query.is_empty() && search.is_none() {
        return;
    }
    for line in out.iter_mut() {
        if line.spans.len() != 1 {
            continue;
        }
        let text = line.spans[0].content.to_string();
        let style = line.spans[0].style;
        let mut ranges = model.query.highlights(&text);
        if let Some(q) = &search {
            ranges.extend(q.highlights(&text));
            ranges.sort_by_key(|r| r.start);
        }
        if !ranges.is_empty() {
            line.spans = super::highlighted(&text, style, &ranges, theme.highlight);
        }
    }
}

/// Word-wrap one line of text to `width` cells. Continuation lines of a list item or a
/// quote are indented under its text. Words longer than a line are broken between
/// graphemes. An empty line stays one empty line.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    if crate::text::width(line) <= width {
        return vec![line.to_string()];
    }
    // A quote keeps its bar on every line; other prefixes hang their text under the first.
    let quoted = line.starts_with("│ ");
    let indent = hanging_indent(line);
    let indent = if indent * 2 > width { 0 } else { indent };
    let lead = if quoted && indent >= 2 {
        format!("│{}", " ".repeat(indent - 1))
    } else {
        " ".repeat(indent)
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0;
    for word in line.split(' ') {
        let w = crate::text::width(word);
        let sep = usize::from(cur_w > 0);
        if cur_w + sep + w <= width {
            if sep == 1 {
                cur.push(' ');
            }
            cur.push_str(word);
            cur_w += sep + w;
            continue;
        }
        if cur_w > 0 {
            out.push(std::mem::take(&mut cur));
            cur.clone_from(&lead);
            cur_w = indent;
        }
        // Break a word that is longer than the room left on an empty line.
        for g in word.graphemes(true) {
            let gw = crate::text::width(g);
            if cur_w + gw > width && cur_w > indent {
                out.push(std::mem::take(&mut cur));
                cur.clone_from(&lead);
                cur_w = indent;
            }
            cur.push_str(g);
            cur_w += gw;
        }
    }
    if cur_w > 0 || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Width of a leading "• ", "│ ", "1. " or indentation, to hang continuation lines under.
fn hanging_indent(line: &str) -> usize {
    let trimmed = line.trim_start_matches(' ');
    let lead = line.len() - trimmed.len();
    let marker = ["• ", "│ ", "> ", "- "]
        .iter()
        .find(|m| trimmed.starts_with(**m))
        .map(|m| crate::text::width(m))
        .or_else(|| {
            let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
            (digits > 0 && trimmed[digits..].starts_with(". ")).then_some(digits + 2)
        })
        .unwrap_or(0);
    lead + marker
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_on_words_and_breaks_long_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn quotes_keep_their_bar_on_every_line() {
        assert_eq!(wrap("│ one two three", 9), ["│ one two", "│ three"]);
    }

    #[test]
    fn list_items_hang_under_their_text() {
        assert_eq!(wrap("• one two three", 9), ["• one two", "  three"]);
    }

    #[test]
    fn wide_characters_count_two_cells() {
        assert_eq!(wrap("日本語 日本", 6), ["日本語", "日本"]);
        for l in wrap("日本語日本語日本語", 5) {
            assert!(crate::text::width(&l) <= 5);
        }
    }
}
