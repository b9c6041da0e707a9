//! Placeholder: replaced by the filter language.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}
