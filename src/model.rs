//! UI state and the one pure `update`.
//!
//! The model owns the store and everything the screen shows. `update` takes one message,
//! changes the state, and says whether anything visible changed plus which side effects
//! (quit, fetch now) the event loop should carry out. It does no IO, so every behaviour
//! here is tested with plain values and no terminal.

use jiff::Timestamp;
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use crate::entry::Snapshot;
use crate::keymap::{Action, Keymap};
use crate::query::{Facts, Query, fold};
use crate::store::{Key, Store};

mod mouse;
mod prompt;
mod reading;

pub use prompt::{Prompt, PromptKind, parse_when};
pub use reading::safe_url;

/// Which pane keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

/// The result of one poll of a source, as the poller reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum PollResult {
    /// A new document was fetched and parsed.
    Snapshot(Snapshot),
    /// The server answered 304 Not Modified.
    NotModified,
    /// The body was byte-for-byte the one seen last time (not parsed again).
    Unchanged,
    /// Fetching or parsing failed; the text says why (e.g. `HTTP 500`, `timeout`).
    Failed(String),
}

/// A message from the outside world.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// The terminal now has this size (columns, rows).
    Resize(u16, u16),
    /// Time passed (relative times may need a redraw).
    Tick(Timestamp),
    /// The loading indicator moves on.
    Spin,
    Mouse(ratatui::crossterm::event::MouseEvent),
    /// A poll of `source` started.
    Fetching {
        source: usize,
    },
    /// The headlines of a big first document of `source`, read before its bodies (a
    /// `partial` snapshot); the poll's `Fetched` follows.
    Preview {
        source: usize,
        snapshot: Snapshot,
    },
    /// Nothing else to do: fold some of the entries not folded yet (see
    /// [`Model::has_unfolded`]).
    Idle,
    /// A poll of `source` finished at `at`; the next one is due at `next_due`.
    Fetched {
        source: usize,
        at: Timestamp,
        result: PollResult,
        next_due: Option<Timestamp>,
    },
}

/// Side effects `update` asks the event loop for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Poll every source now.
    FetchNow,
    /// A new entry matched an alert word: ring the bell, notify (the headline is clean).
    Alert {
        source: usize,
        headline: String,
    },
    /// Open this http(s) URL in the user's browser.
    Open(String),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
}

/// What the status line knows about one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceState {
    /// The source as the user gave it (URL, path, or config name).
    pub label: String,
    /// The blog's title, once a fetch named it.
    pub title: Option<String>,
    pub fetching: bool,
    /// When the last successful fetch (including 304) finished.
    pub last_ok: Option<Timestamp>,
    /// What the last poll gave: `None` before the first one ends.
    pub last: Option<LastResult>,
    pub next_due: Option<Timestamp>,
    /// The source says the blog is over.
    pub ended: bool,
    /// Consecutive empty responses from a source that had entries, and since when.
    pub empty_streak: u32,
    pub empty_since: Option<Timestamp>,
    /// Lower-cased alert words for this source (global ones included).
    pub alerts: Vec<String>,
    /// A short name for list rows when several sources are followed.
    pub short: Option<String>,
    /// What a safety limit cut from the last document.
    pub limited: Option<String>,
}

/// The name a source goes by: its config name, else the blog's title, else as given.
pub fn source_label(s: &SourceState) -> String {
    s.short
        .clone()
        .or_else(|| s.title.clone())
        .unwrap_or_else(|| s.label.clone())
}

impl SourceState {
    /// The source has answered with no entries several times over some minutes.
    pub fn reports_nothing(&self) -> bool {
        self.empty_streak >= EMPTY_STREAK
            && self.empty_since.is_some_and(|since| {
                self.last_ok
                    .is_some_and(|ok| ok.duration_since(since) >= EMPTY_SPAN)
            })
    }
}

/// Empty responses in a row before the status line says the source reports nothing...
pub const EMPTY_STREAK: u32 = 3;
/// ...over at least this long.
pub const EMPTY_SPAN: jiff::SignedDuration = jiff::SignedDuration::from_mins(2);

/// How many entries ahead a filter pass asks for the text it will read.
const PREFETCH: usize = 8;

/// The last poll's outcome, as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastResult {
    Fetched,
    NotModified,
    Error(String),
}

/// Everything the screen shows.
#[derive(Debug)]
pub struct Model {
    pub store: Store,
    pub sources: Vec<SourceState>,
    pub keymap: Keymap,
    pub now: Timestamp,
    pub focus: Focus,
    /// The selected entry, anchored by identity.
    pub selected: Option<Key>,
    /// The entry shown on the list's first row; `None` means the list is at the top.
    pub list_top: Option<Key>,
    /// Lines the detail pane is scrolled down by.
    pub detail_scroll: usize,
    /// The active filter (as typed).
    pub filter: String,
    pub prompt: Option<Prompt>,
    pub pinned_only: bool,
    /// Show one source only (`None`: all of them).
    pub source_only: Option<usize>,
    pub help: bool,
    /// Frame of the loading indicator.
    pub spin: usize,
    /// A one-off message for the status line (cleared by the next key).
    pub notice: Option<String>,
    /// The link chosen with a digit key, for `o` / `y`.
    pub link_pick: Option<usize>,
    /// The detail fills the screen.
    pub zoom: bool,
    /// The detail pane is hidden.
    pub detail_hidden: bool,
    /// Width (or height) of the list, in percent of the screen.
    pub split: u16,
    /// The search inside the detail pane, and the detail line of the current match.
    pub search: String,
    pub search_line: Option<usize>,
    /// Filters typed in this run, oldest first.
    pub history: Vec<String>,
    /// Saved filters from the config: (name, query).
    pub saved_filters: Vec<(String, String)>,
    /// Which saved filter `f` applied last.
    pub saved_pos: Option<usize>,
    /// Copy links with OSC 52.
    pub osc52: bool,
    /// New entries the filter hides.
    pub hidden_new: usize,
    /// The compiled filter.
    pub query: Query,
    /// What the visible list was last computed with (query, store version, pinned only,
    /// source), so a narrower query can filter the previous result.
    filtered: Option<(Query, u64, bool, Option<usize>)>,
    /// For each entry of `visible`, where the filter's anchor word first occurs in it.
    hits: Vec<Hit>,
    /// The last few results, newest first, so a backspace finds its result again.
    recent: Vec<Recent>,
    pub mouse: bool,
    /// The version of the selected entry the user was reading when the source edited it;
    /// shown until they ask for the new text.
    pub held: Option<crate::entry::Entry>,
    /// The detail shows what the last edit changed.
    pub show_changes: bool,
    /// Entries merged after this arrival mark are "new since you last looked".
    pub looked: u64,
    /// Per-source cap on entries held.
    pub max_entries: usize,
    /// Entries of the list that are pinned (slab indexes, newest first).
    pub pinned: Vec<usize>,
    pub size: (u16, u16),
    /// The zone times are shown in.
    pub tz: jiff::tz::TimeZone,
    /// Slab indexes of the entries that pass the filter, newest first; `None` = all.
    visible: Option<Vec<usize>>,
}

impl Model {
    pub fn new(labels: Vec<String>, keymap: Keymap, now: Timestamp) -> Self {
        Model {
            store: Store::new(),
            sources: labels
                .into_iter()
                .map(|label| SourceState {
                    label,
                    ..SourceState::default()
                })
                .collect(),
            keymap,
            now,
            focus: Focus::List,
            selected: None,
            list_top: None,
            detail_scroll: 0,
            filter: String::new(),
            prompt: None,
            pinned_only: false,
            source_only: None,
            help: false,
            spin: 0,
            notice: None,
            link_pick: None,
            zoom: false,
            detail_hidden: false,
            split: 40,
            search: String::new(),
            search_line: None,
            history: Vec::new(),
            saved_filters: Vec::new(),
            saved_pos: None,
            osc52: true,
            hidden_new: 0,
            query: Query::default(),
            filtered: None,
            hits: Vec::new(),
            recent: Vec::new(),
            mouse: true,
            held: None,
            show_changes: false,
            looked: 0,
            max_entries: 10_000,
            pinned: Vec::new(),
            size: (80, 24),
            tz: jiff::tz::TimeZone::system(),
            visible: None,
        }
    }

    /// Slab indexes of the listed entries, newest first.
    pub fn visible(&self) -> &[usize] {
        self.visible.as_deref().unwrap_or(self.store.order())
    }

    /// Position of `key` in the visible list.
    pub fn position(&self, key: &Key) -> Option<usize> {
        let idx = self.store.index_of(key)?;
        self.visible().iter().position(|&i| i == idx)
    }

    pub fn selected_pos(&self) -> Option<usize> {
        self.selected.as_ref().and_then(|k| self.position(k))
    }

    /// The first visible row's position in the list.
    pub fn list_offset(&self) -> usize {
        self.list_top
            .as_ref()
            .and_then(|k| self.position(k))
            .unwrap_or(0)
    }

    fn key_at(&self, pos: usize) -> Option<Key> {
        self.visible().get(pos).map(|&i| self.store.item(i).key())
    }

    /// Whether some entries are not folded for the filter yet: a source's first document
    /// is shown before it is folded, and folded in [`Msg::Idle`] steps while nothing else
    /// happens (or at once by the first filter).
    pub fn has_unfolded(&self) -> bool {
        self.store.has_unfolded()
    }

    /// Whether to fold in [`Msg::Idle`] steps now: some entries are not folded, and no
    /// first document is being read (the cores are reading it).
    pub fn folding_due(&self) -> bool {
        self.has_unfolded() && !self.loading()
    }

    /// Handle one message. Returns whether anything visible changed, and the effects.
    pub fn update(&mut self, msg: Msg) -> (bool, Vec<Effect>) {
        match msg {
            Msg::Key(key) => {
                let had_notice = self.notice.take().is_some();
                let (changed, effects) = self.on_key(key);
                (changed || had_notice, effects)
            }
            Msg::Mouse(event) => (self.on_mouse(event), vec![]),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.keep_selection_in_view();
                (true, vec![])
            }
            Msg::Tick(now) => {
                self.now = now;
                (true, vec![])
            }
            Msg::Spin => {
                self.spin = self.spin.wrapping_add(1);
                (true, vec![])
            }
            Msg::Idle => {
                // What shows does not change: the folded form reads the same.
                self.store.fold_some(1);
                (false, vec![])
            }
            Msg::Fetching { source } => {
                let changed = self.source_mut(source).is_some_and(|s| {
                    let was = s.fetching;
                    s.fetching = true;
                    !was
                });
                (changed, vec![])
            }
            Msg::Preview { source, snapshot } => {
                if let Some(state) = self.sources.get_mut(source)
                    && snapshot.title.is_some()
                {
                    state.title.clone_from(&snapshot.title);
                }
                let now = self.now;
                let effects = self.absorb(source, snapshot, now);
                (true, effects)
            }
            Msg::Fetched {
                source,
                at,
                result,
                next_due,
            } => {
                self.now = self.now.max(at);
                let effects = self.on_fetched(source, at, result, next_due);
                (true, effects)
            }
        }
    }

    fn source_mut(&mut self, source: usize) -> Option<&mut SourceState> {
        self.sources.get_mut(source)
    }

    fn on_fetched(
        &mut self,
        source: usize,
        at: Timestamp,
        result: PollResult,
        next_due: Option<Timestamp>,
    ) -> Vec<Effect> {
        let had_entries = self.store.held(source) > 0;
        let Some(state) = self.sources.get_mut(source) else {
            return vec![];
        };
        state.fetching = false;
        state.next_due = next_due;
        let snapshot = match result {
            PollResult::Snapshot(snapshot) => snapshot,
            PollResult::NotModified | PollResult::Unchanged => {
                state.last_ok = Some(at);
                state.last = Some(LastResult::NotModified);
                return vec![];
            }
            PollResult::Failed(why) => {
                state.last = Some(LastResult::Error(why));
                return vec![];
            }
        };
        state.last_ok = Some(at);
        state.last = Some(LastResult::Fetched);
        state.limited.clone_from(&snapshot.limited);
        if snapshot.title.is_some() {
            state.title.clone_from(&snapshot.title);
        }
        state.ended = snapshot.ended || snapshot.coverage_end.is_some_and(|end| end <= at);
        if snapshot.is_empty() && had_entries {
            state.empty_streak += 1;
            state.empty_since.get_or_insert(at);
        } else {
            state.empty_streak = 0;
            state.empty_since = None;
        }
        self.absorb(source, snapshot, at)
    }

    /// Merge a snapshot of `source` into the store, and follow up: alerts for new entries,
    /// the selection, eviction, the filter.
    fn absorb(&mut self, source: usize, snapshot: Snapshot, at: Timestamp) -> Vec<Effect> {
        let first_merge = self.store.is_empty() && self.looked == 0;
        let report = self.store.merge(source, snapshot, at);
        if first_merge {
            self.looked = self.store.seq_mark();
        }
        let mut effects = Vec::new();
        if !report.baseline {
            let words = &self.sources[source].alerts;
            for &i in &report.added {
                let s = self.store.item(i);
                if words.iter().any(|w| s.matches_all(std::slice::from_ref(w))) {
                    effects.push(Effect::Alert {
                        source,
                        headline: s.title().into_owned(),
                    });
                }
            }
        }
        if let Some(sel) = &self.selected
            && self.held.is_none()
            && report.edited.contains(sel)
        {
            self.held = self
                .store
                .get(sel)
                .and_then(|s| s.previous().last().cloned());
        }
        let evicted = self
            .store
            .evict(source, self.max_entries, self.selected.as_ref());
        if report.changed() || evicted > 0 {
            self.refilter();
            if self.selected.is_none() {
                let first = self.key_at(0);
                self.select_quietly(first);
            }
        }
        effects
    }

    fn on_key(&mut self, key: KeyEvent) -> (bool, Vec<Effect>) {
        if key.kind == KeyEventKind::Release {
            return (false, vec![]);
        }
        if self.prompt.is_some() {
            return (self.on_prompt_key(key), vec![]);
        }
        if self.help {
            // Any key closes the help; the quit keys still quit.
            self.help = false;
            if self.keymap.action(&key) == Some(Action::Quit) {
                return (true, vec![Effect::Quit]);
            }
            return (true, vec![]);
        }
        match self.keymap.action(&key) {
            Some(action) => self.act(action),
            None => (false, vec![]),
        }
    }

    /// Carry out one action of the key map.
    pub fn act(&mut self, action: Action) -> (bool, Vec<Effect>) {
        let page = self.page_len();
        let changed = match action {
            Action::Quit => return (false, vec![Effect::Quit]),
            Action::Refresh => return (false, vec![Effect::FetchNow]),
            Action::Down => self.step(1),
            Action::Up => self.step(-1),
            Action::PageDown => self.step(page as isize),
            Action::PageUp => self.step(-(page as isize)),
            Action::Top => self.step(isize::MIN),
            Action::Bottom => self.step(isize::MAX),
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::List => Focus::Detail,
                    Focus::Detail => Focus::List,
                };
                true
            }
            Action::Filter => {
                let kind = if self.focus == Focus::Detail {
                    PromptKind::Search
                } else {
                    PromptKind::Filter
                };
                self.open_prompt(kind);
                true
            }
            Action::NextNew if self.focus == Focus::Detail && !self.search.is_empty() => {
                self.next_match(true)
            }
            Action::PrevMatch => self.next_match(false),
            Action::NextNew => self.next_new(),
            Action::JumpToTime => {
                self.open_prompt(PromptKind::Time);
                true
            }
            Action::SavedFilter => self.next_saved_filter(),
            Action::OpenLink => return (true, self.open_link()),
            Action::CopyLink => return (true, self.copy_link()),
            Action::Zoom => {
                self.zoom = !self.zoom;
                if self.zoom {
                    self.focus = Focus::Detail;
                }
                true
            }
            Action::ToggleDetail => {
                self.detail_hidden = !self.detail_hidden;
                self.zoom = false;
                self.focus = Focus::List;
                true
            }
            Action::ShrinkList => self.resize_split(-5),
            Action::GrowList => self.resize_split(5),
            Action::Link1 => self.pick_link(1),
            Action::Link2 => self.pick_link(2),
            Action::Link3 => self.pick_link(3),
            Action::Link4 => self.pick_link(4),
            Action::Link5 => self.pick_link(5),
            Action::Link6 => self.pick_link(6),
            Action::Link7 => self.pick_link(7),
            Action::Link8 => self.pick_link(8),
            Action::Link9 => self.pick_link(9),
            Action::Help => {
                self.help = !self.help;
                true
            }
            Action::MarkAllSeen => {
                self.looked = self.store.seq_mark();
                self.store.mark_all_seen();
                self.hidden_new = 0;
                true
            }
            Action::ShowUpdate => self.held.take().is_some(),
            Action::ShowChanges => {
                let edited = self
                    .selected_entry()
                    .is_some_and(|s| !s.previous().is_empty());
                let changed = edited || self.show_changes;
                self.show_changes = edited && !self.show_changes;
                self.detail_scroll = 0;
                changed
            }
            Action::CycleSource => {
                if self.sources.len() < 2 {
                    return (false, vec![]);
                }
                self.source_only = match self.source_only {
                    None => Some(0),
                    Some(n) if n + 1 < self.sources.len() => Some(n + 1),
                    Some(_) => None,
                };
                self.refilter_keep_selection();
                true
            }
            Action::TogglePinnedOnly => {
                self.pinned_only = !self.pinned_only;
                self.refilter_keep_selection();
                true
            }
        };
        (changed, vec![])
    }

    /// Move by `delta` rows in the focused pane (saturating at both ends).
    fn step(&mut self, delta: isize) -> bool {
        match self.focus {
            Focus::List => {
                let len = self.visible().len();
                if len == 0 {
                    return false;
                }
                let cur = self.selected_pos().unwrap_or(0) as isize;
                let target = cur.saturating_add(delta).clamp(0, len as isize - 1) as usize;
                let key = self.key_at(target);
                if key == self.selected {
                    return false;
                }
                self.select(key);
                true
            }
            Focus::Detail => {
                let max = crate::ui::detail_max_scroll(self);
                let target = (self.detail_scroll as isize)
                    .saturating_add(delta)
                    .clamp(0, max as isize) as usize;
                let changed = target != self.detail_scroll;
                self.detail_scroll = target;
                changed
            }
        }
    }

    /// Select the next new entry below the selection, wrapping to the top.
    fn next_new(&mut self) -> bool {
        let vis = self.visible();
        let start = self.selected_pos().map_or(0, |p| p + 1);
        let n = vis.len();
        let found = (0..n)
            .map(|k| (start + k) % n)
            .find(|&p| self.store.item(vis[p]).new);
        match found {
            Some(p) => {
                let key = self.key_at(p);
                self.select(key);
                true
            }
            None => false,
        }
    }

    /// The selected entry as stored.
    pub fn selected_entry(&self) -> Option<&crate::store::Stored> {
        self.selected.as_ref().and_then(|k| self.store.get(k))
    }

    /// Make `key` the selection: it is seen, the detail starts at its top, and it is in view.
    fn select(&mut self, key: Option<Key>) {
        if let Some(k) = &key {
            self.store.mark_seen(k);
        }
        self.select_quietly(key);
    }

    /// Move the selection without marking the entry seen (the program moved it, not the
    /// user).
    fn select_quietly(&mut self, key: Option<Key>) {
        if key != self.selected {
            self.detail_scroll = 0;
            self.held = None;
            self.show_changes = false;
            self.link_pick = None;
            self.search_line = None;
        }
        self.selected = key;
        self.keep_selection_in_view();
    }

    /// Scroll the list just enough that the selected row is visible.
    fn keep_selection_in_view(&mut self) {
        let Some(pos) = self.selected_pos() else {
            return;
        };
        let rows = crate::ui::list_rows(self).max(1);
        let offset = self.list_offset();
        let new_offset = if pos < offset {
            pos
        } else if pos >= offset + rows {
            pos + 1 - rows
        } else {
            offset
        };
        // No blank rows below the last entry while entries are hidden above (after the
        // window grew, say): the selection stays in view either way.
        let new_offset = new_offset.min(self.visible().len().saturating_sub(rows));
        if new_offset != offset || self.list_top.is_some() && new_offset == 0 {
            self.list_top = if new_offset == 0 {
                None
            } else {
                self.key_at(new_offset)
            };
        }
    }

    fn page_len(&self) -> usize {
        match self.focus {
            Focus::List => crate::ui::list_rows(self).saturating_sub(1).max(1),
            Focus::Detail => crate::ui::detail_rows(self).saturating_sub(1).max(1),
        }
    }

    /// Parse a filter; the error says what is wrong and where.
    fn compile(&self, text: &str) -> Result<Query, String> {
        crate::query::parse(text, self.now, &self.tz)
            .map_err(|e| format!("{} (at column {})", e.message, e.column + 1))
    }

    /// Apply a new filter, keeping the selection when it still matches. An invalid filter
    /// changes nothing and says why in the status line.
    pub fn set_filter(&mut self, filter: String) {
        match self.compile(&filter) {
            Ok(query) => {
                self.query = query;
                self.filter = filter;
                self.refilter_keep_selection();
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// After the filter changed: keep the selection if it still shows, else move it to the
    /// first entry shown (without counting that as the user having seen it); when nothing
    /// shows, the selection stays where it was, so clearing the filter brings it back.
    fn refilter_keep_selection(&mut self) {
        self.refilter();
        self.list_top = None;
        if self.selected_pos().is_none() {
            if let Some(first) = self.key_at(0) {
                self.select_quietly(Some(first));
            }
        } else {
            self.keep_selection_in_view();
        }
    }

    /// Recompute which entries the filter lets through.
    fn refilter(&mut self) {
        let (pinned_only, only) = (self.pinned_only, self.source_only);
        let version = self.store.version();
        // Typing one more letter only narrows: filter the last result, not everything.
        let narrowing = matches!(&self.filtered,
            Some((q, v, p, o)) if *v == version && *p == pinned_only && *o == only
                && self.visible.is_some() && q.is_narrowed_by(&self.query));
        let filtering = !self.query.is_empty() || pinned_only || only.is_some();
        if filtering {
            // A filter reads the folded form of every entry.
            self.store.fold_all();
        }
        let key = (self.query.clone(), version, pinned_only, only);
        // A filter shown a moment ago (a backspace): take its result back.
        if let Some(k) = self.recent.iter().position(|r| filtering && r.key == key) {
            let again = self.recent.remove(k);
            self.stash();
            self.visible = Some(again.visible);
            self.hits = again.hits;
            self.pinned = again.pinned;
            self.hidden_new = again.hidden_new;
            self.filtered = Some(again.key);
            return;
        }
        if !filtering {
            // Everything shows: only the pinned entries are to be found, and the store
            // keeps them apart, so a merge into a big store does not read every entry.
            self.stash();
            self.hidden_new = 0;
            self.visible = None;
            self.hits = Vec::new();
            self.filtered = Some(key);
            self.pinned = self.store.pinned();
            return;
        }
        let previous = self.visible.take();
        let names: Vec<String> = self
            .sources
            .iter()
            .map(|s| fold(&source_label(s)))
            .collect();
        // Typing on at the end of a word: in each entry, the longer word can only occur
        // where the shorter one did or later, so each search starts there.
        // Terms the last filter had too need no second test on what it let through.
        let (shift, known) = match &self.filtered {
            Some((q, ..)) if narrowing => (q.anchor_shift(&self.query), self.query.known_terms(q)),
            _ => (None, Vec::new()),
        };
        let store = &self.store;
        let query = &self.query;
        let keep = |s: &crate::store::Stored, from: usize| {
            if !narrowing
                && ((pinned_only && !s.entry.pinned && !s.entry.key_event)
                    || only.is_some_and(|o| s.source != o))
            {
                return None;
            }
            query.matches_known(
                &s.folded,
                || Facts {
                    source: names.get(s.source).map_or("", String::as_str),
                    new: s.new,
                    pinned: s.entry.pinned || s.entry.key_event,
                    edited: s.edited_at().is_some(),
                    removed: s.is_removed(),
                    time: s.entry.time(),
                },
                from,
                &known,
            )
        };
        let previous_hits = std::mem::take(&mut self.hits);
        let candidates: &[usize] = match &previous {
            Some(prev) if narrowing => prev,
            _ => store.order(),
        };
        // Only the anchor changed and the new one starts where the old one did: the bytes
        // kept from there settle most entries without reading them again.
        let quick = shift == Some(0) && query.only_anchor_unknown(&known);
        let needle = query.anchor_needle().unwrap_or_default();
        // Entries whose text will be read are asked for this far ahead (see
        // `Folded::prefetch`).
        let ahead = if quick { 0 } else { PREFETCH };
        // One pass: what shows, which of it is pinned, and how many new entries it hides.
        let scan = |range: std::ops::Range<usize>| {
            let mut part = Part::default();
            let end = range.end;
            for n in range {
                if ahead > 0 && n + ahead < end {
                    let folded = &store.item(candidates[n + ahead]).folded;
                    if query.may_read(folded) {
                        folded.prefetch();
                    }
                }
                let i = candidates[n];
                let previous_hit = previous_hits.get(n).filter(|_| shift.is_some());
                let hit = match previous_hit {
                    Some(hit) if quick && hit.bytes().starts_with(needle) => *hit,
                    _ => {
                        let s = store.item(i);
                        let mut hit = Hit::flags_of(s);
                        let from = match (previous_hit, shift) {
                            (Some(h), Some(shift)) => (h.at as usize).saturating_sub(shift),
                            _ => 0,
                        };
                        let Some(at) = keep(s, from) else {
                            continue;
                        };
                        hit.set_place(s.folded.all(), at);
                        hit
                    }
                };
                part.visible.push(i);
                part.hits.push(hit);
                if hit.pinned {
                    part.pinned.push(i);
                }
                part.shown_new += usize::from(hit.new);
            }
            part
        };
        // Reading many entries waits on memory more than on the processor: on a big blog,
        // let every core read its share.
        let parts = crate::par::each(&crate::par::stretches(candidates.len(), 16_384), scan);
        let mut visible = Vec::new();
        let mut hits = Vec::new();
        let mut pinned = Vec::new();
        let mut shown_new = 0;
        for part in parts {
            visible.extend(part.visible);
            hits.extend(part.hits);
            pinned.extend(part.pinned);
            shown_new += part.shown_new;
        }
        let hidden_new = store.new_count() - shown_new;
        // The result just replaced may be wanted back by a backspace.
        self.visible = previous;
        self.hits = previous_hits;
        self.stash();
        self.hidden_new = hidden_new;
        self.visible = Some(visible);
        self.hits = hits;
        self.filtered = Some(key);
        self.pinned = pinned;
    }

    /// Keep the current result among the recent ones (at most four, all from the current
    /// store version).
    fn stash(&mut self) {
        let (Some(visible), Some(key)) = (self.visible.take(), self.filtered.take()) else {
            return;
        };
        let version = self.store.version();
        self.recent.retain(|r| r.key.1 == version && r.key != key);
        if key.1 == version {
            self.recent.insert(
                0,
                Recent {
                    key,
                    visible,
                    hits: std::mem::take(&mut self.hits),
                    pinned: self.pinned.clone(),
                    hidden_new: self.hidden_new,
                },
            );
            self.recent.truncate(4);
        }
    }

    /// Where the "new since you last looked" divider goes: the list position of the first
    /// entry that was there before, when entries that arrived after the mark are above it.
    pub fn divider(&self) -> Option<usize> {
        let vis = self.visible();
        let above = vis
            .iter()
            .take_while(|&&i| self.store.item(i).seq >= self.looked)
            .count();
        (above > 0 && above < vis.len()).then_some(above)
    }

    /// New entries above the first visible row, while the list is scrolled away from the top.
    pub fn new_above(&self) -> Option<usize> {
        self.list_top.as_ref()?;
        let offset = self.list_offset();
        Some(
            self.visible()[..offset]
                .iter()
                .filter(|&&i| self.store.item(i).new)
                .count(),
        )
    }

    /// A first fetch is under way (the status line shows a spinner).
    pub fn loading(&self) -> bool {
        self.sources.iter().any(|s| s.fetching && s.last.is_none())
    }

    /// How many listed entries are new.
    pub fn new_count(&self) -> usize {
        self.store.new_count()
    }
}

/// What filtering one stretch of the candidates found.
#[derive(Debug, Default)]
struct Part {
    visible: Vec<usize>,
    hits: Vec<Hit>,
    pinned: Vec<usize>,
    shown_new: usize,
}

/// One earlier filter result: its key (query, store version, pinned only, source only) and
/// what it showed.
#[derive(Debug)]
struct Recent {
    key: (Query, u64, bool, Option<usize>),
    visible: Vec<usize>,
    hits: Vec<Hit>,
    pinned: Vec<usize>,
    hidden_new: usize,
}

/// Where a filter's anchor first occurs in one entry that passed it, with a copy of the
/// bytes there, and the entry's flags: enough to test the next keystroke's filter on most
/// entries without reading them again.
#[derive(Debug, Clone, Copy, Default)]
struct Hit {
    /// Byte offset in the entry's folded text (a lower bound when `len` is 0).
    at: u32,
    len: u8,
    bytes: [u8; 10],
    pinned: bool,
    new: bool,
}

impl Hit {
    fn flags_of(s: &crate::store::Stored) -> Hit {
        Hit {
            pinned: s.entry.pinned,
            new: s.new,
            ..Hit::default()
        }
    }

    /// Remember `at` in `text`; past 4 GiB only the start (0) is kept, a valid lower bound.
    fn set_place(&mut self, text: &str, at: usize) {
        let Ok(short) = u32::try_from(at) else {
            return;
        };
        let tail = text.as_bytes().get(at..).unwrap_or_default();
        let len = tail.len().min(self.bytes.len());
        self.bytes[..len].copy_from_slice(&tail[..len]);
        self.len = len as u8;
        self.at = short;
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

#[cfg(test)]
mod tests;
