//! Conservation laws over extended-period runs of random small networks.
//!
//! proptest builds networks of 3 to 15 junctions on a random spanning tree
//! fed by one or two reservoirs, with a few extra pipes closing loops, a
//! cylindrical tank, sometimes a pump from a low reservoir, random demands
//! on a random pattern, and some emitters and pipe leaks. Each is run for
//! four hours. Two physical laws must hold at every hydraulic time:
//!
//! - continuity at every junction: Σ inflows − Σ outflows − demand −
//!   emitter flow − leakage = 0, to 1e-6 of the water entering the
//!   network from its reservoirs and tanks;
//! - storage in every tank: from one time to the next, its level changes
//!   by net inflow × step / area (the explicit Euler step of EPANET's
//!   `tanklevels`), except where the tank stops at its maximum or minimum;
//!   and a tank at its maximum level (within 1e-9 m) takes in no water,
//!   one at its minimum gives none (to 1e-6 m³/s, what a closed pipe's
//!   tiny conductance lets through is far less).

use std::fmt::Write;

use pipenet::hydraulics::Simulation;
use pipenet::network::{Network, NodeKind};
use proptest::collection::vec;
use proptest::prelude::*;

/// Pipe diameters to pick from, mm.
const DIAMETERS_MM: [f64; 5] = [150.0, 200.0, 250.0, 300.0, 400.0];

/// The random choices that make one network.
#[derive(Debug, Clone)]
struct Spec {
    /// Per junction: elevation m, base demand L/s, pick of the node it
    /// hangs from (among the reservoirs and earlier junctions).
    junctions: Vec<(f64, f64, usize)>,
    /// Head of each supplying reservoir, m (one or two).
    reservoir_heads: Vec<f64>,
    /// Where the second reservoir joins: a junction pick.
    second_reservoir_at: usize,
    /// Extra pipes closing loops: picks of their two junctions.
    loops: Vec<(usize, usize)>,
    /// Per pipe (tree, loops, reservoir, tank): length m, diameter pick,
    /// Hazen-Williams C, leak area mm² per 100 m (0 for most pipes).
    pipes: Vec<(f64, usize, f64, f64)>,
    /// Demand pattern multipliers (hourly).
    pattern: Vec<f64>,
    /// Emitter coefficient at each junction pick, L/s per m^0.5.
    emitters: Vec<(usize, f64)>,
    /// Tank: junction pick, elevation m, initial level fraction, diameter m.
    tank: (usize, f64, f64, f64),
    /// A pump from a low reservoir to this junction pick, if any.
    pump_at: Option<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (3usize..=15, 1usize..=2, 0usize..=3).prop_flat_map(|(n, n_reservoirs, n_loops)| {
        let n_pipes = n + n_loops + 2;
        (
            vec((0.0..25.0f64, 0.1..3.0f64, any::<usize>()), n),
            vec(55.0..80.0f64, n_reservoirs),
            any::<usize>(),
            vec((any::<usize>(), any::<usize>()), n_loops),
            vec(
                (
                    50.0..1000.0f64,
                    0..DIAMETERS_MM.len(),
                    90.0..140.0f64,
                    prop_oneof![4 => Just(0.0), 1 => 0.1..2.0f64],
                ),
                n_pipes,
            ),
            vec(0.2..2.0f64, 1..6),
            vec((any::<usize>(), 0.05..0.5f64), 0..3),
            (any::<usize>(), 30.0..45.0f64, 0.1..0.9f64, 3.0..15.0f64),
            proptest::option::of(any::<usize>()),
        )
            .prop_map(
                |(
                    junctions,
                    reservoir_heads,
                    second_reservoir_at,
                    loops,
                    pipes,
                    pattern,
                    emitters,
                    tank,
                    pump_at,
                )| Spec {
                    junctions,
                    reservoir_heads,
                    second_reservoir_at,
                    loops,
                    pipes,
                    pattern,
                    emitters,
                    tank,
                    pump_at,
                },
            )
    })
}

/// The `.inp` text of a spec.
fn inp_text(s: &Spec) -> String {
    let n = s.junctions.len();
    let junction = |pick: usize| format!("J{}", pick % n + 1);
    let mut t = String::from("[TITLE]\nrandom network\n\n[JUNCTIONS]\n");
    for (i, (elevation, demand, _)) in s.junctions.iter().enumerate() {
        let _ = writeln!(t, "J{} {elevation:.3} {demand:.4} DEM", i + 1);
    }
    t.push_str("\n[RESERVOIRS]\n");
    for (r, head) in s.reservoir_heads.iter().enumerate() {
        let _ = writeln!(t, "R{} {head:.3}", r + 1);
    }
    if s.pump_at.is_some() {
        t.push_str("RLOW 5\n");
    }
    let (tank_at, tank_elevation, fraction, diameter) = s.tank;
    let _ = writeln!(
        t,
        "\n[TANKS]\nT1 {tank_elevation:.3} {:.3} 0.5 6 {diameter:.3}",
        0.5 + 5.5 * fraction
    );

    // Pipes: the tree (junction i hangs from R1 or an earlier junction),
    // the loops, the second reservoir's pipe, the tank's pipe.
    let mut ends = Vec::new();
    for (i, &(_, _, pick)) in s.junctions.iter().enumerate() {
        let parent = pick % (i + 1);
        let from = if parent == 0 {
            "R1".to_string()
        } else {
            format!("J{parent}")
        };
        ends.push((from, format!("J{}", i + 1)));
    }
    for &(a, b) in &s.loops {
        ends.push((junction(a), junction(b)));
    }
    if s.reservoir_heads.len() > 1 {
        ends.push(("R2".to_string(), junction(s.second_reservoir_at)));
    }
    ends.push((junction(tank_at), "T1".to_string()));
    t.push_str("\n[PIPES]\n");
    let mut leaks = String::new();
    for (k, ((from, to), &(length, d, c, leak))) in ends.iter().zip(&s.pipes).enumerate() {
        if from == to {
            continue; // a loop drawn onto one junction
        }
        let _ = writeln!(t, "P{k} {from} {to} {length:.2} {} {c:.2}", DIAMETERS_MM[d]);
        if leak > 0.0 {
            let _ = writeln!(leaks, "P{k} {leak:.3} 0");
        }
    }
    if let Some(at) = s.pump_at {
        let _ = writeln!(
            t,
            "\n[PUMPS]\nPU1 RLOW {} HEAD PC\n\n[CURVES]\nPC 20 70",
            junction(at)
        );
    }
    let _ = writeln!(t, "\n[LEAKAGE]\n{leaks}\n[EMITTERS]");
    for &(at, ke) in &s.emitters {
        let _ = writeln!(t, "{} {ke:.3}", junction(at));
    }
    t.push_str("\n[PATTERNS]\nDEM");
    for m in &s.pattern {
        let _ = write!(t, " {m:.3}");
    }
    t.push_str(
        "\n\n[TIMES]\nDuration 4:00\nHydraulic Timestep 1:00\nReport Timestep 1:00\n\n\
         [OPTIONS]\nUnits LPS\nHeadloss H-W\n\n[END]\n",
    );
    t
}

/// Largest continuity error at a junction, as a fraction of the water
/// entering from reservoirs and tanks.
fn worst_continuity_error(net: &Network, sim: &Simulation) -> (f64, String) {
    let state = sim.state();
    let mut net_inflow = vec![0.0; net.nodes.len()];
    for (k, link) in net.links.iter().enumerate() {
        net_inflow[link.to.ix()] += state.flow_m3s[k];
        net_inflow[link.from.ix()] -= state.flow_m3s[k];
    }
    let supplied: f64 = net
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| !node.is_junction())
        .map(|(i, _)| (-state.node_demand_m3s[i]).max(0.0))
        .sum();
    let mut worst = (0.0, String::new());
    for (i, node) in net.nodes.iter().enumerate() {
        if !node.is_junction() {
            continue;
        }
        let residual = net_inflow[i]
            - state.demand_flow_m3s[i]
            - state.emitter_flow_m3s[i]
            - state.leakage_flow_m3s[i];
        let relative = residual.abs() / supplied.max(1e-9);
        if relative > worst.0 {
            worst = (relative, format!("{} at {} s", node.id, sim.time_s()));
        }
    }
    worst
}

/// Checks one tank's level after a step of `step_s` from `head_m` at net
/// inflow `inflow_m3s`; returns a description of a violation.
fn tank_step_error(
    net: &Network,
    i: usize,
    head_m: f64,
    inflow_m3s: f64,
    step_s: u64,
    new_head_m: f64,
) -> Option<String> {
    let node = &net.nodes[i];
    let NodeKind::Tank(tank) = &node.kind else {
        return None;
    };
    let area = std::f64::consts::PI * tank.diameter_m * tank.diameter_m / 4.0;
    let predicted = head_m + inflow_m3s * step_s as f64 / area;
    let max_head = node.elevation_m + tank.max_level_m;
    let min_head = node.elevation_m + tank.min_level_m;
    // EPANET sets a tank full or empty when it is within one second's
    // flow of it.
    let one_second = inflow_m3s.abs() / area;
    let tolerance = 1e-5 * (predicted - head_m).abs() + 1e-9;
    let stopped_full = (new_head_m - max_head).abs() < 1e-9 && predicted >= max_head - one_second;
    let stopped_empty = (new_head_m - min_head).abs() < 1e-9 && predicted <= min_head + one_second;
    // EPANET ignores a net flow of at most 1e-6 cfs (QZERO).
    let negligible = inflow_m3s.abs() <= 1e-6 * 0.028317 && new_head_m == head_m;
    if (new_head_m - predicted).abs() <= tolerance || stopped_full || stopped_empty || negligible {
        None
    } else {
        Some(format!(
            "tank {} over {step_s} s from {head_m} m at {inflow_m3s} m3/s: {new_head_m} m, \
             want {predicted} m",
            node.id
        ))
    }
}

/// Checks that tank `i` takes no water while full and gives none while
/// empty (the random tanks cannot overflow); returns a description of a
/// violation.
fn full_or_empty_tank_error(net: &Network, sim: &Simulation, i: usize) -> Option<String> {
    let node = &net.nodes[i];
    let NodeKind::Tank(tank) = &node.kind else {
        return None;
    };
    let state = sim.state();
    let inflow: f64 = net
        .links
        .iter()
        .enumerate()
        .map(|(k, link)| {
            let q = state.flow_m3s[k];
            f64::from(link.to.ix() == i) * q - f64::from(link.from.ix() == i) * q
        })
        .sum();
    let head = state.head_m[i];
    let full = head >= node.elevation_m + tank.max_level_m - 1e-9;
    let empty = head <= node.elevation_m + tank.min_level_m + 1e-9;
    if (full && inflow > 1e-6) || (empty && inflow < -1e-6) {
        Some(format!(
            "tank {} at {head} m takes {inflow} m3/s at {} s",
            node.id,
            sim.time_s()
        ))
    } else {
        None
    }
}

/// 256 cases by default (a fraction of a second); `PROPTEST_CASES=20000`
/// for a deeper search.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn junctions_conserve_mass_and_tanks_integrate_their_inflow(s in spec()) {
        let text = inp_text(&s);
        let net = pipenet::inp::read_str(&text, "random.inp")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?
            .network;
        let mut sim = Simulation::new(&net)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let tanks: Vec<usize> = (0..net.nodes.len())
            .filter(|&i| matches!(net.nodes[i].kind, NodeKind::Tank(_)))
            .collect();
        loop {
            let outcome = sim.solve_period();
            prop_assert!(outcome.converged, "t={} s did not converge\n{text}", sim.time_s());
            let (worst, at) = worst_continuity_error(&net, &sim);
            prop_assert!(worst <= 1e-6, "continuity error {worst:e} of the inflow at {at}\n{text}");

            for &i in &tanks {
                let error = full_or_empty_tank_error(&net, &sim, i);
                prop_assert!(error.is_none(), "{}\n{text}", error.unwrap_or_default());
            }

            let before: Vec<(f64, f64)> = tanks
                .iter()
                .map(|&i| (sim.state().head_m[i], sim.state().node_demand_m3s[i]))
                .collect();
            let step = sim.advance();
            if step == 0 {
                break;
            }
            for (&i, &(head, inflow)) in tanks.iter().zip(&before) {
                let error =
                    tank_step_error(&net, i, head, inflow, step, sim.state().head_m[i]);
                prop_assert!(error.is_none(), "{}\n{text}", error.unwrap_or_default());
            }
        }
    }
}
