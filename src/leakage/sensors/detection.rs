//! Burst detection: which junctions see each burst of a batch as a pressure drop of at least a threshold.
//!
//! The network is run as it stands to the time T of the analysis and its
//! state there becomes a single period (the fire-flow
//! [`snapshot`](crate::leakage::fire_flow::snapshot_at): tank levels, link
//! statuses and settings, pattern values at T). A demand-driven network is
//! made pressure-dependent there as a burst makes it (from 0 to
//! [`DEFAULT_REQUIRED_PRESSURE_M`] of head, unless edits say otherwise), so
//! that the network with and without a burst follow the same demand law.
//! Each pipe of the batch bursts at T in a copy of that snapshot
//! ([`crate::scenario::burst`]); the bursts run in parallel through
//! [`crate::scenario::batch::run_each`], and come back in batch order.
//!
//! A junction *detects* a burst when its pressure with the burst is at
//! least the threshold below its pressure without it, both at T. This is
//! the drop a logger sees as soon as the burst starts, before tanks drain
//! or controls respond.

use crate::hydraulics::Simulation;
use crate::leakage::fire_flow::snapshot_at;
use crate::network::{DemandModel, Network};
use crate::scenario::batch::{burst_scenario, guarded, run_each, BatchOptions};
use crate::scenario::burst::DEFAULT_REQUIRED_PRESSURE_M;
use crate::scenario::{BurstSpec, Edit, Scenario};

use super::SensorError;

/// How the bursts of a detection batch are made and judged.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionSettings {
    /// The time of the bursts, s from the start of the run.
    pub time_s: u64,
    /// Smallest pressure drop a logger detects, m of head.
    pub threshold_m: f64,
    /// The burst's shape (its pipe and start are replaced per burst).
    pub burst: BurstSpec,
    /// Edits applied to the snapshot before the bursts (a
    /// `pressure_dependent` edit, say).
    pub edits: Vec<Edit>,
    /// Worker threads for the batch.
    pub threads: usize,
}

/// What a batch of bursts shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The burst pipes, in batch order.
    pub pipes: Vec<String>,
    /// Pressure head of every node of the network at T without a burst, m.
    pub pressure_m: Vec<f64>,
    /// For each burst, the junctions (node indices, in node order) that
    /// detect it, or why the burst could not be solved.
    pub detected_by: Vec<Result<Vec<usize>, String>>,
    /// Notes the snapshot's edits left (demand model changed, ...).
    pub notes: Vec<String>,
}

impl Detection {
    /// Bursts that were solved.
    pub fn solved(&self) -> usize {
        self.detected_by.iter().filter(|d| d.is_ok()).count()
    }

    /// For each node, the bursts (batch positions) it detects.
    pub fn by_node(&self, node_count: usize) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); node_count];
        for (b, nodes) in self.detected_by.iter().enumerate() {
            for &i in nodes.iter().flatten() {
                out[i].push(b);
            }
        }
        out
    }
}

/// The snapshot at T, pressure-dependent as the bursts will be, with the
/// settings' edits applied.
fn burst_base(
    net: &Network,
    settings: &DetectionSettings,
) -> Result<(Network, Vec<String>), SensorError> {
    let mut edits = Vec::new();
    if net.options.demand_model == DemandModel::Dda {
        edits.push(Edit::PressureDependent {
            minimum_pressure: Some(0.0),
            required_pressure: Some(DEFAULT_REQUIRED_PRESSURE_M / net.units().pressure),
            exponent: None,
        });
    }
    edits.extend(settings.edits.iter().cloned());
    let snapshot = snapshot_at(net, settings.time_s)?;
    let scenario = Scenario {
        name: "sensor snapshot".into(),
        edits,
        ..Scenario::default()
    };
    let applied = scenario
        .apply(&snapshot.network)
        .map_err(|e| SensorError::Edit(e.to_string()))?;
    let mut notes = applied.notes;
    if net.options.demand_model == DemandModel::Dda {
        notes.push(format!(
            "pressure-dependent demands (PDA) from 0 to {:.4} {} for the bursts and the \
             pressures they are compared with (the network was demand-driven)",
            applied.network.options.required_pressure_m / net.units().pressure,
            net.options.pressure_units.keyword()
        ));
    }
    Ok((applied.network, notes))
}

/// Pressure head of every node of a single-period network, m, or why it
/// has none.
fn solve(net: &Network) -> Result<Vec<f64>, String> {
    let mut sim = Simulation::new(net).map_err(|e| e.to_string())?;
    if !sim.solve_period().converged {
        return Err("the solution did not converge".into());
    }
    let state = sim.state();
    Ok((net.nodes.iter().enumerate())
        .map(|(i, n)| state.head_m[i] - n.elevation_m)
        .collect())
}

/// Bursts each pipe of `pipes` at T and finds the junctions that detect it.
/// `progress` is called once per burst solved, from any thread.
pub fn detect(
    net: &Network,
    pipes: &[String],
    settings: &DetectionSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<Detection, SensorError> {
    for id in pipes {
        match net.link_ix(id).map(|k| &net.link(k).kind) {
            Some(crate::network::LinkKind::Pipe(_)) => {}
            Some(_) => return Err(SensorError::NotAPipe(id.clone())),
            None => return Err(SensorError::UnknownPipe(id.clone())),
        }
    }
    let (base, notes) = burst_base(net, settings)?;
    let pressure_m = solve(&base).map_err(SensorError::Baseline)?;

    let mut template = settings.burst.clone();
    template.start = None;
    let scenarios: Vec<Scenario> = (pipes.iter())
        .map(|pipe| burst_scenario(pipe, &template, &[]))
        .collect();
    let node_count = net.nodes.len();
    let threshold_m = settings.threshold_m;
    let work = |_: usize, scenario: &Scenario| {
        guarded(|| {
            let applied = scenario.apply(&base).map_err(|e| e.to_string())?;
            let burst = solve(&applied.network)?;
            Ok((0..node_count)
                .filter(|&i| net.nodes[i].is_junction())
                .filter(|&i| pressure_m[i] - burst[i] >= threshold_m)
                .collect())
        })
    };
    let pool = BatchOptions {
        threads: settings.threads,
        ..BatchOptions::default()
    };
    let detected_by = run_each(&scenarios, &pool, progress, work)?;
    Ok(Detection {
        pipes: pipes.to_vec(),
        pressure_m,
        detected_by,
        notes,
    })
}
