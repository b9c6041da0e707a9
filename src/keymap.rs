//! Actions and the key bindings that produce them.
//!
//! The event loop never looks at raw keys: it asks the [`Keymap`] which [`Action`] a key
//! event means. Users rebind keys in the `[keys]` table of the config file; their bindings
//! are merged over the defaults here, so the help overlay (generated from the live map)
//! always shows what the keys really do.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::Deserialize;

/// Something the user can ask for with a key.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    FocusNext,
    Filter,
    NextNew,
    Refresh,
    Help,
    MarkAllSeen,
    TogglePinnedOnly,
    ShowUpdate,
    ShowChanges,
    CycleSource,
    OpenLink,
    CopyLink,
    Zoom,
    ShrinkList,
    GrowList,
    ToggleDetail,
    JumpToTime,
    PrevMatch,
    SavedFilter,
    #[serde(rename = "link_1")]
    Link1,
    #[serde(rename = "link_2")]
    Link2,
    #[serde(rename = "link_3")]
    Link3,
    #[serde(rename = "link_4")]
    Link4,
    #[serde(rename = "link_5")]
    Link5,
    #[serde(rename = "link_6")]
    Link6,
    #[serde(rename = "link_7")]
    Link7,
    #[serde(rename = "link_8")]
    Link8,
    #[serde(rename = "link_9")]
    Link9,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 35] = [
        Action::Quit,
        Action::Down,
        Action::Up,
        Action::Top,
        Action::Bottom,
        Action::PageDown,
        Action::PageUp,
        Action::FocusNext,
        Action::Filter,
        Action::NextNew,
        Action::Refresh,
        Action::Help,
        Action::MarkAllSeen,
        Action::TogglePinnedOnly,
        Action::ShowUpdate,
        Action::ShowChanges,
        Action::CycleSource,
        Action::OpenLink,
        Action::CopyLink,
        Action::Zoom,
        Action::ShrinkList,
        Action::GrowList,
        Action::ToggleDetail,
        Action::JumpToTime,
        Action::PrevMatch,
        Action::SavedFilter,
        Action::Link1,
        Action::Link2,
        Action::Link3,
        Action::Link4,
        Action::Link5,
        Action::Link6,
        Action::Link7,
        Action::Link8,
        Action::Link9,
    ];

    /// The name used in the config file (snake_case).
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Down => "down",
            Action::Up => "up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::FocusNext => "focus_next",
            Action::Filter => "filter",
            Action::NextNew => "next_new",
            Action::Refresh => "refresh",
            Action::Help => "help",
            Action::MarkAllSeen => "mark_all_seen",
            Action::TogglePinnedOnly => "toggle_pinned_only",
            Action::ShowUpdate => "show_update",
            Action::ShowChanges => "show_changes",
            Action::CycleSource => "cycle_source",
            Action::OpenLink => "open_link",
            Action::CopyLink => "copy_link",
            Action::Zoom => "zoom",
            Action::ShrinkList => "shrink_list",
            Action::GrowList => "grow_list",
            Action::ToggleDetail => "toggle_detail",
            Action::JumpToTime => "jump_to_time",
            Action::PrevMatch => "prev_match",
            Action::SavedFilter => "saved_filter",
            Action::Link1 => "link_1",
            Action::Link2 => "link_2",
            Action::Link3 => "link_3",
            Action::Link4 => "link_4",
            Action::Link5 => "link_5",
            Action::Link6 => "link_6",
            Action::Link7 => "link_7",
            Action::Link8 => "link_8",
            Action::Link9 => "link_9",
        }
    }

    /// One line for the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Down => "select the next entry (or scroll the detail down)",
            Action::Up => "select the previous entry (or scroll the detail up)",
            Action::Top => "go to the first entry",
            Action::Bottom => "go to the last entry",
            Action::PageDown => "move one page down",
            Action::PageUp => "move one page up",
            Action::FocusNext => "move the focus between the list and the detail",
            Action::Filter => "filter the entries (detail focused: search it)",
            Action::NextNew => "jump to the next new entry (in a detail search: next match)",
            Action::Refresh => "fetch every source now",
            Action::Help => "show or hide this help",
            Action::MarkAllSeen => "mark every entry as seen",
            Action::TogglePinnedOnly => "show only pinned and key-event entries, or all",
            Action::ShowUpdate => "show the new text of an entry updated while you read it",
            Action::ShowChanges => "show what the last edit of the entry changed",
            Action::CycleSource => "show all sources, then each one alone, in turn",
            Action::OpenLink => "open the entry's link, or link N after a digit, in the browser",
            Action::CopyLink => "copy the entry's link to the clipboard (OSC 52)",
            Action::Zoom => "zoom the detail to the full screen, and back",
            Action::ShrinkList => "make the list narrower",
            Action::GrowList => "make the list wider",
            Action::ToggleDetail => "hide or show the detail pane",
            Action::JumpToTime => "jump to a time: 14:30, or -30m",
            Action::PrevMatch => "previous match of the search in the detail",
            Action::SavedFilter => "apply the next saved filter from the config",
            Action::Link1 => "choose link 1 of the entry (o opens it)",
            Action::Link2 => "choose link 2 of the entry (o opens it)",
            Action::Link3 => "choose link 3 of the entry (o opens it)",
            Action::Link4 => "choose link 4 of the entry (o opens it)",
            Action::Link5 => "choose link 5 of the entry (o opens it)",
            Action::Link6 => "choose link 6 of the entry (o opens it)",
            Action::Link7 => "choose link 7 of the entry (o opens it)",
            Action::Link8 => "choose link 8 of the entry (o opens it)",
            Action::Link9 => "choose link 9 of the entry (o opens it)",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;

    fn from_str(s: &str) -> Result<Action, String> {
        Action::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown action `{s}`"))
    }
}

/// One key with its modifiers, as written in the config (`"ctrl-d"`, `"G"`, `"pagedown"`).
///
/// Characters never carry SHIFT: an uppercase letter already says it, and terminals
/// disagree on whether they report SHIFT with it, so both the parsed key and the incoming
/// event drop it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

/// Names of the keys that are not a single character, as written in the config.
const NAMED: [(&str, KeyCode); 16] = [
    ("down", KeyCode::Down),
    ("up", KeyCode::Up),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
];

impl Key {
    /// A key with its modifiers, normalized the same way parsed keys are.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut modifiers = modifiers;
        let mut code = code;
        if let KeyCode::Char(c) = code {
            if modifiers.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() {
                code = KeyCode::Char(c.to_ascii_uppercase());
            }
            modifiers.remove(KeyModifiers::SHIFT);
        }
        if code == KeyCode::BackTab {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        Key { code, modifiers }
    }

    /// A short label for the help overlay: arrows as symbols, the rest as in the config.
    pub fn label(&self) -> String {
        let arrow = match self.code {
            KeyCode::Down => "↓",
            KeyCode::Up => "↑",
            KeyCode::Left => "←",
            KeyCode::Right => "→",
            _ => return self.to_string(),
        };
        format!("{}{arrow}", modifier_prefix(self.modifiers))
    }
}

fn modifier_prefix(modifiers: KeyModifiers) -> String {
    let mut prefix = String::new();
    if modifiers.contains(KeyModifiers::CONTROL) {
        prefix.push_str("ctrl-");
    }
    if modifiers.contains(KeyModifiers::ALT) {
        prefix.push_str("alt-");
    }
    if modifiers.contains(KeyModifiers::SHIFT) {
        prefix.push_str("shift-");
    }
    prefix
}

impl FromStr for Key {
    type Err = String;

    fn from_str(s: &str) -> Result<Key, String> {
        let unknown = || format!("unknown key `{s}`");
        let mut rest = s;
        let mut modifiers = KeyModifiers::NONE;
        // A prefix is only a modifier when something follows it, so "-" stays a key.
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, modifier) = if lower.starts_with("ctrl-") {
                ("ctrl-", KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                ("alt-", KeyModifiers::ALT)
            } else if lower.starts_with("shift-") {
                ("shift-", KeyModifiers::SHIFT)
            } else {
                break;
            };
            if rest.len() == prefix.len() {
                return Err(unknown());
            }
            modifiers |= modifier;
            rest = &rest[prefix.len()..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() && c != ' ' => KeyCode::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some((_, code)) = NAMED.iter().find(|(name, _)| *name == lower) {
                    *code
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse().ok()) {
                    if !(1..=24).contains(&n) {
                        return Err(unknown());
                    }
                    KeyCode::F(n)
                } else {
                    return Err(unknown());
                }
            }
        };
        Ok(Key::new(code, modifiers))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&modifier_prefix(self.modifiers))?;
        if let Some((name, _)) = NAMED.iter().find(|(_, code)| *code == self.code) {
            return f.write_str(name);
        }
        match self.code {
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            // Only keys parsed from the names above are ever bound; others show as crossterm does.
            other => write!(f, "{other}"),
        }
    }
}

/// The default bindings, as they would be written in the config.
pub const DEFAULT_BINDINGS: [(&str, Action); 40] = [
    ("q", Action::Quit),
    ("ctrl-c", Action::Quit),
    ("j", Action::Down),
    ("down", Action::Down),
    ("k", Action::Up),
    ("up", Action::Up),
    ("g", Action::Top),
    ("home", Action::Top),
    ("G", Action::Bottom),
    ("end", Action::Bottom),
    ("pagedown", Action::PageDown),
    ("pageup", Action::PageUp),
    ("tab", Action::FocusNext),
    ("/", Action::Filter),
    ("n", Action::NextNew),
    ("r", Action::Refresh),
    ("?", Action::Help),
    ("a", Action::MarkAllSeen),
    ("p", Action::TogglePinnedOnly),
    ("u", Action::ShowUpdate),
    ("d", Action::ShowChanges),
    ("s", Action::CycleSource),
    ("o", Action::OpenLink),
    ("y", Action::CopyLink),
    ("z", Action::Zoom),
    ("<", Action::ShrinkList),
    (">", Action::GrowList),
    ("v", Action::ToggleDetail),
    ("t", Action::JumpToTime),
    ("N", Action::PrevMatch),
    ("f", Action::SavedFilter),
    ("1", Action::Link1),
    ("2", Action::Link2),
    ("3", Action::Link3),
    ("4", Action::Link4),
    ("5", Action::Link5),
    ("6", Action::Link6),
    ("7", Action::Link7),
    ("8", Action::Link8),
    ("9", Action::Link9),
];

/// The value of a `[keys]` entry that removes a default binding.
pub const UNBIND: &str = "none";

/// Which action each key means: the defaults with the user's bindings merged over them.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: HashMap<Key, Action>,
}

impl Keymap {
    /// Merges `user` (key string → action name, or `"none"` to unbind) over the defaults.
    /// The error names the key string or action name that is not known.
    pub fn new(user: &BTreeMap<String, String>) -> Result<Keymap, String> {
        let mut bindings = HashMap::new();
        for (key, action) in DEFAULT_BINDINGS {
            bindings.insert(key.parse::<Key>()?, action);
        }
        for (key, action) in user {
            let parsed: Key = key.parse()?;
            if action == UNBIND {
                bindings.remove(&parsed);
            } else {
                bindings.insert(parsed, action.parse()?);
            }
        }
        Ok(Keymap { bindings })
    }

    /// The action a key event means, if any. Key releases mean nothing.
    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        self.bindings
            .get(&Key::new(event.code, event.modifiers))
            .copied()
    }

    /// Every bound action in [`Action::ALL`] order with its keys, e.g. `("j, ↓", Down)`.
    pub fn help(&self) -> Vec<(String, Action)> {
        Action::ALL
            .into_iter()
            .filter_map(|action| {
                let mut keys: Vec<&Key> = self
                    .bindings
                    .iter()
                    .filter(|(_, a)| **a == action)
                    .map(|(k, _)| k)
                    .collect();
                if keys.is_empty() {
                    return None;
                }
                // Plain characters first, then named keys, then keys with modifiers.
                keys.sort_by_key(|k| {
                    let plain_char = matches!(k.code, KeyCode::Char(_));
                    (!k.modifiers.is_empty(), !plain_char, k.to_string())
                });
                let labels: Vec<String> = keys.iter().map(|k| k.label()).collect();
                Some((labels.join(", "), action))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn user(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, a)| (k.to_string(), a.to_string()))
            .collect()
    }

    #[test]
    fn every_default_key_resolves_to_its_action() {
        let map = Keymap::new(&BTreeMap::new()).unwrap();
        let table = [
            (KeyCode::Char('q'), KeyModifiers::NONE, Action::Quit),
            (KeyCode::Char('c'), KeyModifiers::CONTROL, Action::Quit),
            (KeyCode::Char('j'), KeyModifiers::NONE, Action::Down),
            (KeyCode::Down, KeyModifiers::NONE, Action::Down),
            (KeyCode::Char('k'), KeyModifiers::NONE, Action::Up),
            (KeyCode::Up, KeyModifiers::NONE, Action::Up),
            (KeyCode::Char('g'), KeyModifiers::NONE, Action::Top),
            (KeyCode::Home, KeyModifiers::NONE, Action::Top),
            (KeyCode::Char('G'), KeyModifiers::NONE, Action::Bottom),
            (KeyCode::Char('G'), KeyModifiers::SHIFT, Action::Bottom),
            (KeyCode::Char('g'), KeyModifiers::SHIFT, Action::Bottom),
            (KeyCode::End, KeyModifiers::NONE, Action::Bottom),
            (KeyCode::PageDown, KeyModifiers::NONE, Action::PageDown),
            (KeyCode::PageUp, KeyModifiers::NONE, Action::PageUp),
            (KeyCode::Tab, KeyModifiers::NONE, Action::FocusNext),
            (KeyCode::Char('/'), KeyModifiers::NONE, Action::Filter),
            (KeyCode::Char('n'), KeyModifiers::NONE, Action::NextNew),
            (KeyCode::Char('r'), KeyModifiers::NONE, Action::Refresh),
            (KeyCode::Char('?'), KeyModifiers::NONE, Action::Help),
            (KeyCode::Char('?'), KeyModifiers::SHIFT, Action::Help),
            (KeyCode::Char('a'), KeyModifiers::NONE, Action::MarkAllSeen),
            (
                KeyCode::Char('p'),
                KeyModifiers::NONE,
                Action::TogglePinnedOnly,
            ),
        ];
        for (code, modifiers, action) in table {
            assert_eq!(
                map.action(&press(code, modifiers)),
                Some(action),
                "{code:?} {modifiers:?}"
            );
        }
        assert_eq!(
            map.action(&press(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action(&press(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            None
        );
    }

    #[test]
    fn key_release_means_nothing() {
        let map = Keymap::new(&BTreeMap::new()).unwrap();
        let mut event = press(KeyCode::Char('q'), KeyModifiers::NONE);
        event.kind = KeyEventKind::Release;
        assert_eq!(map.action(&event), None);
        event.kind = KeyEventKind::Repeat;
        assert_eq!(map.action(&event), Some(Action::Quit));
    }

    #[test]
    fn user_bindings_replace_and_add() {
        let map = Keymap::new(&user(&[("j", "up"), ("ctrl-x", "quit"), ("q", "none")])).unwrap();
        let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(map.action(&j), Some(Action::Up));
        let ctrl_x = press(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_x), Some(Action::Quit));
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(&q), None);
        // Defaults for other keys stay.
        let down = press(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(map.action(&down), Some(Action::Down));
    }

    #[test]
    fn unknown_key_and_action_are_named() {
        let err = Keymap::new(&user(&[("ctrl-banana", "quit")])).unwrap_err();
        assert!(err.contains("ctrl-banana"), "{err}");
        let err = Keymap::new(&user(&[("ctrl-x", "explode")])).unwrap_err();
        assert!(err.contains("explode"), "{err}");
        for bad in ["", "ctrl-", "f0", "f99", "nope", "ctrl-nope"] {
            assert!(bad.parse::<Key>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn keys_round_trip_through_display() {
        let table = [
            "j",
            "J",
            "ctrl-d",
            "alt-x",
            "ctrl-alt-x",
            "f5",
            "f12",
            "down",
            "up",
            "left",
            "right",
            "pageup",
            "pagedown",
            "home",
            "end",
            "tab",
            "backtab",
            "enter",
            "esc",
            "space",
            "backspace",
            "?",
            "/",
            "<",
            ">",
            "-",
            "ctrl-space",
            "shift-down",
        ];
        for text in table {
            let key: Key = text.parse().unwrap();
            assert_eq!(key.to_string(), text);
            assert_eq!(key.to_string().parse::<Key>().unwrap(), key);
        }
    }

    #[test]
    fn shift_with_a_letter_means_the_uppercase_letter() {
        assert_eq!(
            "shift-j".parse::<Key>().unwrap(),
            "J".parse::<Key>().unwrap()
        );
        assert_eq!(
            "CTRL-D".parse::<Key>().unwrap(),
            "ctrl-D".parse::<Key>().unwrap()
        );
        assert_eq!("PageDown".parse::<Key>().unwrap().code, KeyCode::PageDown);
    }

    #[test]
    fn actions_round_trip_by_name() {
        for action in Action::ALL {
            assert_eq!(action.name().parse::<Action>(), Ok(action));
            assert!(!action.description().is_empty());
            let parsed: Action = toml::Value::String(action.name().into())
                .try_into()
                .unwrap();
            assert_eq!(parsed, action);
        }
        assert!("explode".parse::<Action>().unwrap_err().contains("explode"));
    }

    #[test]
    fn help_lists_live_bindings_in_action_order() {
        let map = Keymap::new(&user(&[("x", "help")])).unwrap();
        let help = map.help();
        let actions: Vec<Action> = help.iter().map(|(_, a)| *a).collect();
        assert_eq!(actions, Action::ALL.to_vec());
        let keys_of = |action| help.iter().find(|(_, a)| *a == action).unwrap().0.clone();
        assert_eq!(keys_of(Action::Down), "j, ↓");
        assert_eq!(keys_of(Action::Quit), "q, ctrl-c");
        assert_eq!(keys_of(Action::Help), "?, x");

        let map = Keymap::new(&user(&[("p", "none")])).unwrap();
        assert!(
            map.help()
                .iter()
                .all(|(_, a)| *a != Action::TogglePinnedOnly)
        );
    }
}
