//! Placeholder: replaced by the real demo.
use std::time::Duration;
pub const DEMO_SOURCE: &str = "demo:";
pub struct Demo;
impl Demo {
    pub fn new(_start: jiff::Timestamp) -> Self {
        Demo
    }
    pub fn document(&self, _elapsed: Duration) -> String {
        String::new()
    }
    pub fn next_change(&self, _elapsed: Duration) -> Option<Duration> {
        None
    }
}
