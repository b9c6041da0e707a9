//! Reading comfortably: links, the clipboard, zoom and split, search inside the detail.

use std::borrow::Cow;

use super::{Effect, Focus, Model};

impl Model {
    /// A digit: choose link N of the selected entry for the next `o` or `y`.
    pub(super) fn pick_link(&mut self, n: usize) -> bool {
        let count = self.selected_entry().map_or(0, |s| s.entry.links().len());
        if n > count {
            self.notice = Some(format!("this entry has {count} links"));
            self.link_pick = None;
        } else {
            self.link_pick = Some(n);
            self.notice = Some(format!("link {n} chosen: o opens it, y copies it"));
        }
        true
    }

    /// The chosen link, else the entry's own link; http(s) only.
    fn target_link(&mut self) -> Result<String, String> {
        let pick = self.link_pick.take();
        let Some(s) = self.selected_entry() else {
            return Err("no entry selected".into());
        };
        let link = match pick {
            Some(n) => s.entry.links().nth(n - 1).map(str::to_string),
            None => s.entry.url().map(Cow::into_owned),
        };
        let link = link.ok_or_else(|| match s.entry.links().len() {
            0 => "this entry has no link".to_string(),
            1 => {
                "this entry has no link of its own: 1 then o opens the link in its text".to_string()
            }
            n => {
                format!("this entry has no link of its own: 1–{n} then o opens a link in its text")
            }
        })?;
        safe_url(&link).ok_or_else(|| "only http and https links are opened".to_string())
    }

    pub(super) fn open_link(&mut self) -> Vec<Effect> {
        match self.target_link() {
            Ok(url) => {
                self.notice = Some(format!("opening {url}"));
                vec![Effect::Open(url)]
            }
            Err(why) => {
                self.notice = Some(why);
                vec![]
            }
        }
    }

    pub(super) fn copy_link(&mut self) -> Vec<Effect> {
        if !self.osc52 {
            self.notice = Some("copying is off (osc52 = false in the config)".into());
            return vec![];
        }
        match self.target_link() {
            Ok(url) => {
                self.notice = Some(format!("copied {url}"));
                vec![Effect::Copy(url)]
            }
            Err(why) => {
                self.notice = Some(why);
                vec![]
            }
        }
    }

    /// `<` / `>`: move the split between list and detail.
    pub(super) fn resize_split(&mut self, delta: i16) -> bool {
        let split = (self.split as i16 + delta).clamp(15, 85) as u16;
        let changed = split != self.split;
        self.split = split;
        self.keep_selection_in_view();
        changed
    }

    /// Scroll the detail to the next (or previous) line holding the search text.
    pub(super) fn next_match(&mut self, forward: bool) -> bool {
        if self.search.is_empty() {
            return false;
        }
        let needle = crate::query::fold(&self.search);
        let width = crate::ui::detail_width(self);
        let lines: Vec<usize> = crate::ui::detail_lines(self, width)
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                crate::query::fold(&text).contains(&needle)
            })
            .map(|(n, _)| n)
            .collect();
        let current = self.search_line;
        let next = if forward {
            lines
                .iter()
                .find(|&&n| current.is_none_or(|c| n > c))
                .or(lines.first())
        } else {
            lines
                .iter()
                .rev()
                .find(|&&n| current.is_some_and(|c| n < c))
                .or(lines.last())
        };
        match next {
            Some(&n) => {
                self.search_line = Some(n);
                self.detail_scroll = n.min(crate::ui::detail_max_scroll(self));
                self.focus = Focus::Detail;
            }
            None => self.notice = Some(format!("{:?} is not in this entry", self.search)),
        }
        true
    }
}

/// The URL if it is http(s), cleaned of anything a terminal or a browser could misread.
pub fn safe_url(raw: &str) -> Option<String> {
    let clean = crate::text::one_line(raw);
    let url = reqwest::Url::parse(&clean).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}
