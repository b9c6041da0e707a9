//! The one-line prompts: the filter (applied as you type), the search inside the detail,
//! and the time to jump to.

use jiff::Timestamp;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Model;

/// What the prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Search,
    Time,
}

/// The prompt being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// What is wrong with the text, shown under the prompt.
    pub error: Option<String>,
    /// Position in the filter history while walking it with ↑/↓.
    history_pos: Option<usize>,
}

impl PromptKind {
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::Filter => "filter: ",
            PromptKind::Search => "search: ",
            PromptKind::Time => "jump to (14:30 or -30m): ",
        }
    }
}

impl Model {
    pub(super) fn open_prompt(&mut self, kind: PromptKind) {
        let text = match kind {
            PromptKind::Filter => self.filter.clone(),
            PromptKind::Search => self.search.clone(),
            PromptKind::Time => String::new(),
        };
        self.prompt = Some(Prompt {
            kind,
            text,
            error: None,
            history_pos: None,
        });
    }

    pub(super) fn on_prompt_key(&mut self, key: KeyEvent) -> bool {
        let Some(prompt) = self.prompt.as_mut() else {
            return false;
        };
        let kind = prompt.kind;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => return self.close_prompt(true),
            KeyCode::Esc => return self.close_prompt(false),
            KeyCode::Char('c') if ctrl => return self.close_prompt(false),
            KeyCode::Up | KeyCode::Down if kind == PromptKind::Filter => {
                let len = self.history.len();
                if len == 0 {
                    return false;
                }
                let pos = match (key.code, prompt.history_pos) {
                    (KeyCode::Up, None) => Some(len - 1),
                    (KeyCode::Up, Some(p)) => Some(p.saturating_sub(1)),
                    (KeyCode::Down, Some(p)) if p + 1 < len => Some(p + 1),
                    _ => None,
                };
                prompt.history_pos = pos;
                prompt.text = pos.map_or(String::new(), |p| self.history[p].clone());
            }
            KeyCode::Char('u') if ctrl => prompt.text.clear(),
            KeyCode::Char('w') if ctrl => {
                let trimmed = prompt.text.trim_end().len();
                let cut = prompt.text[..trimmed].rfind(' ').map_or(0, |i| i + 1);
                prompt.text.truncate(cut);
            }
            KeyCode::Backspace => {
                prompt.text.pop();
            }
            KeyCode::Char(c) if !ctrl => prompt.text.push(c),
            _ => return false,
        }
        let text = prompt.text.clone();
        match kind {
            PromptKind::Filter => self.try_filter(&text),
            PromptKind::Search => {
                self.search = text;
                self.search_line = None;
                self.next_match(true);
            }
            PromptKind::Time => {}
        }
        true
    }

    /// Enter keeps what the prompt did (or jumps, for a time); Esc undoes it.
    fn close_prompt(&mut self, keep: bool) -> bool {
        let Some(prompt) = self.prompt.take() else {
            return false;
        };
        match (prompt.kind, keep) {
            (PromptKind::Filter, true) => {
                let f = self.filter.trim().to_string();
                if !f.is_empty() && self.history.last() != Some(&f) {
                    self.history.push(f);
                }
            }
            (PromptKind::Filter, false) => self.set_filter(String::new()),
            (PromptKind::Search, false) => {
                self.search.clear();
                self.search_line = None;
            }
            (PromptKind::Search, true) => {}
            (PromptKind::Time, true) => match parse_when(&prompt.text, self.now, &self.tz) {
                Some(t) => self.jump_to(t),
                None => {
                    self.notice = Some(format!("not a time: {:?} (use 14:30 or -30m)", prompt.text))
                }
            },
            (PromptKind::Time, false) => {}
        }
        true
    }

    /// Apply `text` as the filter if it is valid; otherwise say why and keep the last one.
    pub(super) fn try_filter(&mut self, text: &str) {
        match self.compile(text) {
            Ok(query) => {
                if let Some(p) = self.prompt.as_mut() {
                    p.error = None;
                }
                self.query = query;
                self.filter = text.to_string();
                self.refilter_keep_selection();
            }
            Err(e) => {
                if let Some(p) = self.prompt.as_mut() {
                    p.error = Some(e);
                }
            }
        }
    }

    /// `f`: the next saved filter, then none again.
    pub(super) fn next_saved_filter(&mut self) -> bool {
        if self.saved_filters.is_empty() {
            self.notice = Some("no saved filters: add them under [filters] in the config".into());
            return true;
        }
        let next = match self.saved_pos {
            None => Some(0),
            Some(p) if p + 1 < self.saved_filters.len() => Some(p + 1),
            Some(_) => None,
        };
        self.saved_pos = next;
        let (name, query) = next.map_or((String::new(), String::new()), |p| {
            self.saved_filters[p].clone()
        });
        if self.compile(&query).is_err() {
            self.notice = Some(format!("the saved filter {name} is not valid"));
            return true;
        }
        self.set_filter(query);
        if !name.is_empty() {
            self.notice = Some(format!("filter {name}"));
        }
        true
    }

    /// Select the visible entry whose time is nearest to `t`.
    fn jump_to(&mut self, t: Timestamp) {
        let vis = self.visible();
        let best = vis
            .iter()
            .enumerate()
            .min_by_key(|(_, i)| {
                let s = self.store.item(**i);
                s.time().duration_since(t).as_secs().unsigned_abs()
            })
            .map(|(pos, _)| pos);
        if let Some(pos) = best {
            let key = self.key_at(pos);
            self.select(key);
        }
    }
}

/// `14:30` (today in `tz`, or yesterday if that is still ahead) or `-30m` / `-2h` / `-90s`.
pub fn parse_when(s: &str, now: Timestamp, tz: &jiff::tz::TimeZone) -> Option<Timestamp> {
    let s = s.trim();
    if let Some(rel) = s.strip_prefix('-') {
        let (num, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit())?);
        let n: i64 = num.parse().ok()?;
        let secs = match unit {
            "s" => n,
            "m" => n * 60,
            "h" => n * 3600,
            "d" => n * 86_400,
            _ => return None,
        };
        return now.checked_sub(jiff::SignedDuration::from_secs(secs)).ok();
    }
    let (h, m) = s.split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    let today = now.to_zoned(tz.clone()).date();
    let at = today.at(h, m, 0, 0).to_zoned(tz.clone()).ok()?.timestamp();
    if at > now {
        at.checked_sub(jiff::SignedDuration::from_hours(24)).ok()
    } else {
        Some(at)
    }
}
