//! Fire flow: the largest flow each hydrant delivers at a chosen time while it and every other junction stay above a residual pressure.
//!
//! The network is first run as it stands up to the chosen time T. Its
//! state there (tank levels, the statuses and settings controls gave the
//! links, pattern values at T) becomes a single-period network, the
//! *snapshot*, in which the solver is still free to close check valves,
//! pumps that cannot deliver and links of full or empty tanks. A fire
//! demand Q is added at the hydrant, and Q is found by bisection: the
//! largest Q at which the solution converges and every junction whose
//! pressure at T was at or above the residual stays at or above it (the
//! hydrant always counts). Demands are as the network states them (demand
//! driven unless the file asks for PDA).

use crate::hydraulics::{HydraulicState, HydraulicsError, LinkStatus, Simulation};
use crate::network::{Demand, InitialStatus, LinkKind, Network, NodeKind, Pattern};

/// How fire flows are searched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FireFlowSettings {
    /// Residual pressure every constrained junction keeps, m of head (14 m ≈ 20 psi).
    pub residual_pressure_m: f64,
    /// The time of the fire, s from the start of the run.
    pub time_s: u64,
    /// First trial flow, m³/s, doubled until the pressure fails (default 0.01).
    pub first_trial_m3s: f64,
    /// Largest flow tried, m³/s (default 20).
    pub max_flow_m3s: f64,
    /// Bisection stops when the bracket is this fraction of the flow (default 1e-4).
    pub relative_tolerance: f64,
}

impl Default for FireFlowSettings {
    fn default() -> Self {
        FireFlowSettings {
            residual_pressure_m: 14.0,
            time_s: 0,
            first_trial_m3s: 0.01,
            max_flow_m3s: 20.0,
            relative_tolerance: 1e-4,
        }
    }
}

/// The fire flow of one hydrant.
#[derive(Debug, Clone, PartialEq)]
pub struct HydrantFlow {
    /// The hydrant's node index.
    pub node: usize,
    /// Largest flow found, m³/s (0 when the hydrant is below the residual already).
    pub flow_m3s: f64,
    /// The junction whose pressure fails first just above that flow
    /// (`None` when the search stopped at the largest flow tried, or the
    /// solution failed to converge instead).
    pub limiting_node: Option<usize>,
    /// Pressure at the hydrant at the fire flow, m.
    pub hydrant_pressure_m: f64,
    /// Solutions computed.
    pub trials: usize,
}

/// The network at time T as a single period (see the module documentation).
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The single-period network.
    pub network: Network,
    /// Pressure of every node at T without a fire, m.
    pub pressure_m: Vec<f64>,
}

fn status_at(kind: &LinkKind, status: LinkStatus) -> InitialStatus {
    match (kind, status) {
        (LinkKind::Pipe(p), _) if p.check_valve => InitialStatus::Open,
        (_, LinkStatus::Closed) => InitialStatus::Closed,
        (LinkKind::Valve(_), LinkStatus::Active | LinkStatus::XFcv | LinkStatus::XPressure) => {
            InitialStatus::Active
        }
        _ => InitialStatus::Open,
    }
}

/// Builds the snapshot of `net` at `time_s`.
pub fn snapshot_at(net: &Network, time_s: u64) -> Result<Snapshot, HydraulicsError> {
    let mut sim = Simulation::new(net)?;
    loop {
        sim.solve_period();
        if sim.time_s() >= time_s || sim.advance() == 0 {
            break;
        }
    }
    let at_s = sim.time_s();
    let state: HydraulicState = sim.state().clone();

    let mut snap = net.clone();
    for (i, node) in snap.nodes.iter_mut().enumerate() {
        if let NodeKind::Tank(tank) = &mut node.kind {
            tank.initial_level_m = state.head_m[i] - node.elevation_m;
        }
    }
    for (k, link) in snap.links.iter_mut().enumerate() {
        link.initial_status = status_at(&link.kind, state.status[k]);
        match &mut link.kind {
            LinkKind::Pump(p) => {
                if let Some(speed) = state.setting[k] {
                    p.speed = speed;
                }
                p.speed_pattern = None;
                if p.speed <= 0.0 {
                    link.initial_status = InitialStatus::Closed;
                }
            }
            LinkKind::Valve(v) => {
                if let Some(setting) = state.setting[k] {
                    v.setting = setting;
                }
            }
            LinkKind::Pipe(_) => {}
        }
    }
    snap.controls.clear();
    snap.rules.clear();
    snap.times.duration_s = 0;
    snap.times.pattern_start_s += at_s;
    snap.times.start_clock_s = (snap.times.start_clock_s + at_s) % 86_400;
    let pressure_m = net
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| state.head_m[i] - n.elevation_m)
        .collect();
    Ok(Snapshot {
        network: snap,
        pressure_m,
    })
}

/// Solves the snapshot with a fire demand and returns the lowest pressure
/// over the constrained junctions, m, and where; `None` if it did not converge.
fn lowest_pressure(
    net: &Network,
    constrained: &[usize],
) -> Result<Option<(f64, usize, Vec<f64>)>, HydraulicsError> {
    let mut sim = Simulation::new(net)?;
    let outcome = sim.solve_period();
    if !outcome.converged {
        return Ok(None);
    }
    let state = sim.state();
    let pressure: Vec<f64> = net
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if state.connected[i] {
                state.head_m[i] - n.elevation_m
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    let (node, p) = constrained
        .iter()
        .map(|&i| (i, pressure[i]))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, f64::INFINITY));
    Ok(Some((p, node, pressure)))
}

/// The fire flow of one hydrant in a snapshot.
pub fn hydrant_flow(
    snapshot: &Snapshot,
    hydrant: usize,
    settings: &FireFlowSettings,
) -> Result<HydrantFlow, HydraulicsError> {
    let residual = settings.residual_pressure_m;
    let mut result = HydrantFlow {
        node: hydrant,
        flow_m3s: 0.0,
        limiting_node: Some(hydrant),
        hydrant_pressure_m: snapshot.pressure_m[hydrant],
        trials: 0,
    };
    if snapshot.pressure_m[hydrant] < residual {
        return Ok(result);
    }
    let constrained: Vec<usize> = (0..snapshot.network.nodes.len())
        .filter(|&i| {
            snapshot.network.nodes[i].is_junction()
                && (i == hydrant || snapshot.pressure_m[i] >= residual)
        })
        .collect();

    // The fire demand: a constant pattern, divided by the demand multiplier
    // the solver applies to every demand.
    let mut net = snapshot.network.clone();
    let pattern = net.patterns.len();
    net.patterns.push(Pattern {
        id: "pipenet-fire-flow".into(),
        multipliers: vec![1.0],
    });
    let multiplier = if net.options.demand_multiplier > 0.0 {
        net.options.demand_multiplier
    } else {
        1.0
    };
    let NodeKind::Junction(junction) = &mut net.nodes[hydrant].kind else {
        return Ok(result);
    };
    junction.demands.push(Demand {
        base_m3s: 0.0,
        pattern: Some(crate::network::PatternIx(pattern as u32)),
        category: Some("fire flow".into()),
    });
    let mut trial = |q: f64,
                     result: &mut HydrantFlow|
     -> Result<Option<(f64, usize, Vec<f64>)>, HydraulicsError> {
        if let NodeKind::Junction(j) = &mut net.nodes[hydrant].kind {
            if let Some(d) = j.demands.last_mut() {
                d.base_m3s = q / multiplier;
            }
        }
        result.trials += 1;
        lowest_pressure(&net, &constrained)
    };
    let ok =
        |s: &Option<(f64, usize, Vec<f64>)>| s.as_ref().is_some_and(|(p, _, _)| *p >= residual);

    // Bracket: double until the pressure fails.
    let (mut lo, mut hi) = (0.0, settings.first_trial_m3s);
    let mut lo_pressure = snapshot.pressure_m[hydrant];
    let mut failed = loop {
        let s = trial(hi, &mut result)?;
        if !ok(&s) {
            break s;
        }
        lo = hi;
        lo_pressure = s.as_ref().map_or(lo_pressure, |(_, _, p)| p[hydrant]);
        if hi >= settings.max_flow_m3s {
            result.flow_m3s = lo;
            result.limiting_node = None;
            result.hydrant_pressure_m = lo_pressure;
            return Ok(result);
        }
        hi = (2.0 * hi).min(settings.max_flow_m3s);
    };

    // Bisect.
    while hi - lo > settings.relative_tolerance * hi {
        let mid = 0.5 * (lo + hi);
        let s = trial(mid, &mut result)?;
        if ok(&s) {
            lo = mid;
            lo_pressure = s.as_ref().map_or(lo_pressure, |(_, _, p)| p[hydrant]);
        } else {
            hi = mid;
            failed = s;
        }
    }
    result.flow_m3s = lo;
    result.limiting_node = failed.map(|(_, node, _)| node);
    result.hydrant_pressure_m = lo_pressure;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Junction, Link, Node, Pipe, Reservoir};

    /// A reservoir at 50 m head feeding one junction at 0 m through a
    /// Hazen-Williams pipe; the fire flow is where the loss is 50 − 14 = 36 m.
    #[test]
    fn one_pipe_by_hand() {
        let mut net = Network::new();
        let r = net
            .add_node(Node::new(
                "R",
                NodeKind::Reservoir(Reservoir::default()),
                50.0,
            ))
            .unwrap();
        let j = net
            .add_node(Node::new("J", NodeKind::Junction(Junction::default()), 0.0))
            .unwrap();
        net.add_link(Link::new(
            "P",
            r,
            j,
            LinkKind::Pipe(Pipe::new(1000.0, 0.3, 100.0)),
        ))
        .unwrap();
        let snap = snapshot_at(&net, 0).unwrap();
        let flow = hydrant_flow(&snap, j.ix(), &FireFlowSettings::default()).unwrap();
        // EPANET's H-W loss in SI: h = 10.667 C^-1.852 d^-4.871 L q^1.852, so
        // q = (36 / (10.667 · 100^-1.852 · 0.3^-4.871 · 1000))^(1/1.852).
        let r_coeff = 10.667 * 100f64.powf(-1.852) * 0.3f64.powf(-4.871) * 1000.0;
        let expected = (36.0 / r_coeff).powf(1.0 / 1.852);
        assert!(
            (flow.flow_m3s - expected).abs() / expected < 2e-3,
            "{} vs {expected}",
            flow.flow_m3s
        );
        assert_eq!(flow.limiting_node, Some(j.ix()));
    }
}
