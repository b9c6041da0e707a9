//! The mouse: the wheel scrolls the pane under the pointer, a click selects an entry or
//! moves the focus to the pane clicked.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{Focus, Model};
use crate::ui::{self, ListRow};

/// Rows one wheel notch scrolls.
const WHEEL: isize = 3;

impl Model {
    pub(super) fn on_mouse(&mut self, event: MouseEvent) -> bool {
        if !self.mouse || self.prompt.is_some() || self.help {
            return false;
        }
        let area = Rect::new(0, 0, self.size.0, self.size.1);
        let panes = ui::panes(area, self);
        let at = Position::new(event.column, event.row);
        let in_list = panes.list.contains(at);
        let in_detail = panes.detail.contains(at);
        match event.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if event.kind == MouseEventKind::ScrollDown {
                    WHEEL
                } else {
                    -WHEEL
                };
                if in_list {
                    self.scroll_list(delta)
                } else if in_detail {
                    let max = ui::detail_max_scroll(self) as isize;
                    let to = (self.detail_scroll as isize + delta).clamp(0, max) as usize;
                    let changed = to != self.detail_scroll;
                    self.detail_scroll = to;
                    changed
                } else {
                    false
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if in_detail {
                    let changed = self.focus != Focus::Detail;
                    self.focus = Focus::Detail;
                    return changed;
                }
                if !in_list {
                    return false;
                }
                self.focus = Focus::List;
                let inner_top = panes.list.y + 1;
                if event.row < inner_top {
                    return true;
                }
                let row = (event.row - inner_top) as usize;
                match ui::list_layout(self, panes.list).get(row) {
                    Some(ListRow::Entry(pos)) => {
                        let key = self.key_at(*pos);
                        self.select(key);
                    }
                    Some(ListRow::Pinned(i)) => {
                        let key = self.store.item(*i).key();
                        if self.position(&key).is_some() {
                            self.select(Some(key));
                        }
                    }
                    _ => {}
                }
                true
            }
            _ => false,
        }
    }

    /// Scroll the list view (not the selection) by `delta` rows.
    fn scroll_list(&mut self, delta: isize) -> bool {
        let len = self.visible().len();
        if len == 0 {
            return false;
        }
        let offset = self.list_offset() as isize;
        let rows = ui::list_rows(self) as isize;
        let max = (len as isize - rows).max(0);
        let to = (offset + delta).clamp(0, max) as usize;
        if to as isize == offset {
            return false;
        }
        self.list_top = if to == 0 { None } else { self.key_at(to) };
        true
    }
}
