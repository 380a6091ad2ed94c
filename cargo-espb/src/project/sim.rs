//! espb.toml `[sim]`: how `cargo espb run` simulates the project's module.
//!
//! ```toml
//! [sim]
//! for = "10s"                      # default run length (--for)
//! gpio-script = "sim/inputs.txt"   # GPIO inputs (--gpio-script)
//! nvs = "sim/nvs.txt"              # file backing NVS (--nvs)
//! seed = 1                         # esp_random's seed (--seed)
//! fs = ["/spiffs=sim/spiffs"]      # folders behind the module's files (--fs)
//!
//! # Natives the simulator lacks (the project's own firmware functions):
//! [sim.stubs]
//! read_sensor = { returns = [20, 21, 22] }  # successive calls; the last repeats
//! led_on = { print = true }                 # returns 0; each call is printed
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SimSection {
    #[serde(rename = "for")]
    pub run_for: Option<String>,
    pub gpio_script: Option<PathBuf>,
    pub nvs: Option<PathBuf>,
    pub seed: Option<u64>,
    #[serde(default)]
    pub fs: Vec<String>,
    #[serde(default)]
    pub stubs: BTreeMap<String, StubSpec>,
}

/// One `[sim.stubs]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StubSpec {
    #[serde(default)]
    pub returns: Returns,
    #[serde(default)]
    pub print: bool,
}

/// `returns = 3` or `returns = [1, 2, 3]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Returns {
    One(i64),
    Each(Vec<i64>),
}

impl Default for Returns {
    fn default() -> Returns {
        Returns::Each(Vec::new())
    }
}

impl SimSection {
    /// The stubs, for the simulator.
    pub fn stubs(&self) -> Vec<espb_sim::stubs::Stub> {
        self.stubs
            .iter()
            .map(|(name, s)| {
                let returns = match &s.returns {
                    Returns::One(v) => vec![*v],
                    Returns::Each(v) => v.clone(),
                };
                espb_sim::stubs::Stub::new(name, returns, s.print)
            })
            .collect()
    }
}
