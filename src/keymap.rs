//! Placeholder: replaced by the real key map.
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
}
impl Action {
    pub const ALL: [Action; 17] = [Action::ShowUpdate, Action::ShowChanges, Action::CycleSource, 
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
    ];
    pub fn name(&self) -> &'static str {
        "x"
    }
    pub fn description(&self) -> &'static str {
        "x"
    }
}
#[derive(Debug, Clone)]
pub struct Keymap;
impl Keymap {
    pub fn new(_user: &BTreeMap<String, String>) -> Result<Keymap, String> {
        Ok(Keymap)
    }
    pub fn action(&self, k: &KeyEvent) -> Option<Action> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        Some(match k.code {
            KeyCode::Char('c') if ctrl => Action::Quit,
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Char('j') | KeyCode::Down => Action::Down,
            KeyCode::Char('k') | KeyCode::Up => Action::Up,
            KeyCode::Char('g') | KeyCode::Home => Action::Top,
            KeyCode::Char('G') | KeyCode::End => Action::Bottom,
            KeyCode::PageDown => Action::PageDown,
            KeyCode::PageUp => Action::PageUp,
            KeyCode::Tab => Action::FocusNext,
            KeyCode::Char('/') => Action::Filter,
            KeyCode::Char('n') => Action::NextNew,
            KeyCode::Char('r') => Action::Refresh,
            KeyCode::Char('?') => Action::Help,
            KeyCode::Char('a') => Action::MarkAllSeen,
            KeyCode::Char('p') => Action::TogglePinnedOnly,
            KeyCode::Char('u') => Action::ShowUpdate,
            KeyCode::Char('d') => Action::ShowChanges,
            KeyCode::Char('s') => Action::CycleSource,
            _ => return None,
        })
    }
    pub fn help(&self) -> Vec<(String, Action)> {
        Action::ALL
            .iter()
            .map(|a| (a.name().to_string(), *a))
            .collect()
    }
}
