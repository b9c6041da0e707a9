//! Placeholder: replaced by the real configuration.
use std::collections::BTreeMap;
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_bytes: u64,
    pub connect_timeout: u64,
    pub read_timeout: u64,
    pub total_timeout: u64,
    pub max_entries_per_response: usize,
    pub max_entry_bytes: usize,
    pub max_depth: usize,
}
#[derive(Debug, Clone, Default)]
pub struct SourceConfig {
    pub name: String,
    pub url: String,
    pub interval: Option<u64>,
    pub headers: BTreeMap<String, String>,
    pub alerts: Vec<String>,
}
#[derive(Debug, Clone)]
pub struct Config {
    pub interval: u64,
    pub theme: String,
    pub mouse: bool,
    pub osc52: bool,
    pub max_entries: usize,
    pub alerts: Vec<String>,
    pub limits: Limits,
    pub colors: BTreeMap<String, String>,
    pub keys: BTreeMap<String, String>,
    pub sources: Vec<SourceConfig>,
}
impl Default for Config {
    fn default() -> Self {
        Config {
            interval: 30,
            theme: "default".into(),
            mouse: true,
            osc52: true,
            max_entries: 10000,
            alerts: vec![],
            limits: Limits {
                max_bytes: 16 << 20,
                connect_timeout: 10,
                read_timeout: 30,
                total_timeout: 60,
                max_entries_per_response: 5000,
                max_entry_bytes: 262144,
                max_depth: 256,
            },
            colors: BTreeMap::new(),
            keys: BTreeMap::new(),
            sources: vec![],
        }
    }
}
impl Config {
    pub fn find_source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name == name)
    }
}
