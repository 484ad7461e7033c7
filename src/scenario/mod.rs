//! Scenarios: edits to a copy of a network, what to report, and running them one by one or in batches.
//!
//! A [`Scenario`] is a list of [`Edit`]s on a base network plus a
//! [`ReportSpec`]. [`Scenario::apply`] clones the base and edits the clone;
//! the base is never changed, so one base serves any number of scenarios
//! (in parallel too: see [`batch`]). Scenario files are TOML, read by
//! [`file::read_file`]; `docs/scenarios.md` lists every edit type and its
//! fields with an example of each, and `examples/scenarios/` has commented
//! examples.
//!
//! ```
//! use pipenet::scenario::{Edit, Scenario};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/networks/epanet/Net1.inp");
//! let base = pipenet::inp::read_file(path)?.network;
//! let scenario = Scenario::from_toml_str(
//!     r#"
//!     name = "pipe 10 shut at 6:00"
//!     [[edit]]
//!     type = "close"
//!     link = "10"
//!     at = "6:00"
//!     "#,
//!     "example.toml",
//! )?;
//! assert!(matches!(scenario.edits[0], Edit::Close { .. }));
//! let applied = scenario.apply(&base)?;
//! assert_eq!(applied.network.controls.len(), base.controls.len() + 1);
//! let summary = pipenet::scenario::run::simulate(&applied, &Default::default())?;
//! assert_eq!(summary.unbalanced_periods, 0);
//! # Ok(())
//! # }
//! ```

pub mod batch;
pub mod burst;
pub mod burst_isolation;
mod edits;
pub mod file;
mod network_edit;
pub mod night;
pub mod prv_grid;
pub mod run;
pub mod segment_batch;
mod time;
pub mod zones;

use serde::Deserialize;

pub use burst::{BurstSite, BurstSpec};
pub use edits::{Edit, EditProblem, ScheduleStep};
pub use file::{Origin, ScenarioFileError};
pub use time::SimTime;

use crate::network::Network;

/// A set of edits on a base network, and what to report about the result.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A short name, used in rows and messages.
    pub name: String,
    /// What the scenario is about.
    #[serde(default)]
    pub description: String,
    /// The edits, applied in order (`[[edit]]` tables in a file).
    #[serde(default, rename = "edit")]
    pub edits: Vec<Edit>,
    /// What to report.
    #[serde(default)]
    pub report: ReportSpec,
    /// Where the scenario was read from, to place errors; `None` if built in code.
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// What a scenario reports beyond its summary.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Pressure below which a customer junction (one with demand) counts as
    /// under-served, in the file's pressure units; 20 m of head if absent.
    pub service_pressure: Option<f64>,
    /// Nodes whose lowest and highest pressure are reported.
    #[serde(default)]
    pub nodes: Vec<String>,
    /// Links whose lowest and highest flow are reported.
    #[serde(default)]
    pub links: Vec<String>,
}

/// The edited copy of a network and what the edits did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The edited network.
    pub network: Network,
    /// Where each burst went.
    pub bursts: Vec<BurstSite>,
    /// Things the edits did that the user may not expect (an option
    /// changed, controls removed with a link, ...).
    pub notes: Vec<String>,
    /// The scenario's report settings.
    pub report: ReportSpec,
}

/// An edit that cannot be applied: which, where in its file, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}scenario '{scenario}', edit {edit} ({kind}): {problem}")]
pub struct ApplyError {
    /// `file:line: ` when the scenario came from a file, else empty.
    pub location: String,
    /// The scenario's name.
    pub scenario: String,
    /// The edit's number, from 1.
    pub edit: usize,
    /// The edit's type.
    pub kind: &'static str,
    /// What is wrong.
    pub problem: Box<EditProblem>,
}

impl Scenario {
    /// Reads one scenario from TOML text; `file_name` is used in errors.
    pub fn from_toml_str(text: &str, file_name: &str) -> Result<Scenario, ScenarioFileError> {
        let mut all = file::read_str(text, file_name)?;
        if all.len() != 1 {
            return Err(ScenarioFileError::Invalid {
                file: file_name.to_string(),
                line: 1,
                message: format!("holds {} scenarios, expected one", all.len()),
            });
        }
        Ok(all.remove(0))
    }

    /// A copy of `base` with the edits applied in order. `base` is not changed.
    pub fn apply(&self, base: &Network) -> Result<Applied, ApplyError> {
        let mut network = base.clone();
        let mut notes = Vec::new();
        let mut bursts = Vec::new();
        let units = network.units();
        for (n, edit) in self.edits.iter().enumerate() {
            let mut ed = edits::Editor {
                net: &mut network,
                units,
                notes: &mut notes,
            };
            let done = match edit {
                Edit::Burst(spec) => burst::apply(&mut ed, spec).map(|site| bursts.push(site)),
                _ => ed.apply(edit),
            };
            done.map_err(|problem| self.apply_error(n, edit, problem))?;
        }
        self.check_report(&network)
            .map_err(|(n, problem)| ApplyError {
                location: self.location(n, problem.field()),
                scenario: self.name.clone(),
                edit: 0,
                kind: "report",
                problem: Box::new(problem),
            })?;
        Ok(Applied {
            network,
            bursts,
            notes,
            report: self.report.clone(),
        })
    }

    fn apply_error(&self, n: usize, edit: &Edit, problem: EditProblem) -> ApplyError {
        ApplyError {
            location: self.location(n, problem.field()),
            scenario: self.name.clone(),
            edit: n + 1,
            kind: edit.kind(),
            problem: Box::new(problem),
        }
    }

    /// `file:line: ` of field `field` of edit `n`, or of the edit, or "".
    fn location(&self, n: usize, field: &str) -> String {
        match &self.origin {
            Some(origin) => format!("{}:{}: ", origin.file, origin.line_of(n, field)),
            None => String::new(),
        }
    }

    /// Checks that the ids the report names exist in the edited network.
    fn check_report(&self, net: &Network) -> Result<(), (usize, EditProblem)> {
        let report_slot = usize::MAX;
        for id in &self.report.nodes {
            if net.node_ix(id).is_none() {
                let problem = EditProblem::UnknownNode {
                    field: "nodes",
                    id: id.clone(),
                };
                return Err((report_slot, problem));
            }
        }
        for id in &self.report.links {
            if net.link_ix(id).is_none() {
                let problem = EditProblem::UnknownLink {
                    field: "links",
                    id: id.clone(),
                };
                return Err((report_slot, problem));
            }
        }
        Ok(())
    }
}
