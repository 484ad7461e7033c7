//! Closing an isolation on a copy of a network, and the pressures that follow.
//!
//! [`closed_network`] applies an [`Isolation`] to a clone of the base
//! network: the links its valves sit on are closed (a valve on link L at
//! node N closes L), so are the links inside the shut segments, whose
//! junctions ask no demand; controls and rule actions that would reopen any
//! of these links are dropped. [`pressure_run`] simulates a network over
//! its whole period and keeps each junction's lowest pressure.

use super::isolation::Isolation;
use super::segments::Segments;
use super::valves::ValveLayer;
use crate::hydraulics::{HydraulicsError, Simulation};
use crate::network::{DemandModel, InitialStatus, Network, NodeKind};
use crate::scenario::run::PRESSURE_TIE_M;

/// A copy of `net` with `isolation` in force.
pub fn closed_network(
    net: &Network,
    layer: &ValveLayer,
    segments: &Segments,
    isolation: &Isolation,
) -> Network {
    let mut closed = vec![false; net.links.len()];
    for &v in &isolation.valves_to_close {
        closed[layer.valves[v].link.ix()] = true;
    }
    for &s in &isolation.shut {
        for &k in &segments.segments[s].links {
            closed[k.ix()] = true;
        }
    }

    let mut edited = net.clone();
    for (link, &shut) in edited.links.iter_mut().zip(&closed) {
        if shut {
            link.initial_status = InitialStatus::Closed;
        }
    }
    for &s in &isolation.shut {
        for &i in &segments.segments[s].nodes {
            if let NodeKind::Junction(j) = &mut edited.nodes[i.ix()].kind {
                j.demands.clear();
            }
        }
    }
    edited.controls.retain(|c| !closed[c.action.link.ix()]);
    for rule in &mut edited.rules {
        rule.then_actions.retain(|a| !closed[a.link.ix()]);
        rule.else_actions.retain(|a| !closed[a.link.ix()]);
    }
    edited
        .rules
        .retain(|r| !r.then_actions.is_empty() || !r.else_actions.is_empty());
    edited
}

/// A copy of `net` that runs pressure-dependent demands: the network's own
/// PDA settings if it has them, otherwise PDA with no demand at or below
/// 0 pressure and the full demand from `required_pressure_m` up (exponent
/// 0.5, EPANET's default).
pub fn with_pda(net: &Network, required_pressure_m: f64) -> Network {
    let mut pda = net.clone();
    if pda.options.demand_model == DemandModel::Dda {
        pda.options.demand_model = DemandModel::Pda;
        pda.options.minimum_pressure_m = 0.0;
        pda.options.required_pressure_m = required_pressure_m;
    }
    pda
}

/// The lowest junction pressures of a whole run, and the demand it delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct PressureRun {
    /// The lowest pressure head of every node over the periods it was
    /// supplied, m; `f64::INFINITY` for a node never supplied, and for
    /// tanks and reservoirs.
    pub min_pressure_m: Vec<f64>,
    /// When each node's lowest pressure occurred first (to within
    /// [`PRESSURE_TIE_M`]), s.
    pub min_at_s: Vec<u64>,
    /// Whether each node was cut off from every source in some period.
    pub ever_cut_off: Vec<bool>,
    /// When each node was first cut off, s.
    pub cut_off_at_s: Vec<Option<u64>>,
    /// Periods solved.
    pub periods: usize,
    /// Periods that did not converge.
    pub unconverged: usize,
    /// Demand asked of all junctions over the run, m³.
    pub demand_asked_m3: f64,
    /// Demand delivered over the run, m³ (less than asked under PDA).
    pub demand_delivered_m3: f64,
}

/// Simulates `net` over its whole period, keeping each junction's lowest
/// pressure. Volumes are each period's demand times the step that follows
/// it; a single-period run counts its one period as one second.
pub fn pressure_run(net: &Network) -> Result<PressureRun, HydraulicsError> {
    let n = net.nodes.len();
    let mut run = PressureRun {
        min_pressure_m: vec![f64::INFINITY; n],
        min_at_s: vec![0; n],
        ever_cut_off: vec![false; n],
        cut_off_at_s: vec![None; n],
        periods: 0,
        unconverged: 0,
        demand_asked_m3: 0.0,
        demand_delivered_m3: 0.0,
    };
    let mut sim = Simulation::new(net)?;
    loop {
        let outcome = sim.solve_period();
        run.periods += 1;
        if !outcome.converged {
            run.unconverged += 1;
        }
        let state = sim.state();
        for (i, node) in net.nodes.iter().enumerate() {
            if !node.is_junction() {
                continue;
            }
            if !state.connected[i] {
                run.ever_cut_off[i] = true;
                run.cut_off_at_s[i].get_or_insert(sim.time_s());
                continue;
            }
            let pressure_m = state.head_m[i] - node.elevation_m;
            if pressure_m < run.min_pressure_m[i] {
                // The time moves only for a pressure lower by more than
                // rounding (a periodic run reaches its lowest every day).
                if pressure_m < run.min_pressure_m[i] - PRESSURE_TIE_M {
                    run.min_at_s[i] = sim.time_s();
                }
                run.min_pressure_m[i] = pressure_m;
            }
        }
        let asked: f64 = state.full_demand_m3s.iter().sum();
        let delivered: f64 = state.demand_flow_m3s.iter().sum();
        let step_s = sim.advance();
        let weight_s = if step_s == 0 && run.periods == 1 {
            1.0
        } else {
            step_s as f64
        };
        run.demand_asked_m3 += asked * weight_s;
        run.demand_delivered_m3 += delivered * weight_s;
        if step_s == 0 {
            break;
        }
    }
    Ok(run)
}

/// Junctions still in service (outside every segment `isolation` takes out
/// of service) whose lowest pressure in the run `after` the closure is
/// below `service_m` (m of head), or that the run found cut off at some
/// time; lowest pressure first (cut-off ones, with no pressure, last).
pub fn below_service(
    net: &Network,
    segments: &Segments,
    isolation: &Isolation,
    after: &PressureRun,
    service_m: f64,
) -> Vec<usize> {
    let mut out_of_service = vec![false; net.nodes.len()];
    for s in isolation.out_of_service() {
        for &i in &segments.segments[s].nodes {
            out_of_service[i.ix()] = true;
        }
    }
    let mut low: Vec<usize> = (0..net.nodes.len())
        .filter(|&i| net.nodes[i].is_junction() && !out_of_service[i])
        .filter(|&i| after.ever_cut_off[i] || after.min_pressure_m[i] < service_m)
        .collect();
    low.sort_by(|&a, &b| after.min_pressure_m[a].total_cmp(&after.min_pressure_m[b]));
    low
}
