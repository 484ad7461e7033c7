//! Regressions found by the cargo-fuzz targets in `fuzz/`: each test names the input that broke and what was wrong.

use pipenet::hydraulics::Simulation;
use pipenet::network::Network;

/// Net inflow minus delivered demand, emitter and leakage flow at node `i`, m³/s.
fn continuity_residual_m3s(net: &Network, sim: &Simulation, i: usize) -> f64 {
    let state = sim.state();
    let mut inflow_m3s = 0.0;
    for (k, link) in net.links.iter().enumerate() {
        if link.to.ix() == i {
            inflow_m3s += state.flow_m3s[k];
        }
        if link.from.ix() == i {
            inflow_m3s -= state.flow_m3s[k];
        }
    }
    inflow_m3s - state.demand_flow_m3s[i] - state.emitter_flow_m3s[i] - state.leakage_flow_m3s[i]
}

/// Found by the `solver` target. J1 injects 3.1 L/s (a negative demand)
/// behind check valves that all point into it, so the solver cuts it off;
/// J2, which asks for no water, is cut off in the trials too, and held at
/// the mean head across its closed links (63.5 m, between R2 and T1).
/// Then T1's check valve P4 opened towards J2 and J2 was connected again,
/// but the solver declared convergence with the flows of the trial in
/// which J2 was still held: 8.27 L/s ran from T1 into J2 and vanished
/// there, and J2 kept the head of 63.5 m. With nowhere for the water to
/// go, P4 carries no flow and J2 must stand at T1's head, 68 m.
#[test]
fn reconnected_zero_demand_junction_is_solved_again_not_left_at_its_pin() {
    let text = "\
[JUNCTIONS]
J1 25 -3.1
J2 69 0
[RESERVOIRS]
R1 20
R2 59
[TANKS]
T1 55 13 0 16 27 0 * YES
[PIPES]
P1 R1 J1 1 50 84 4 CV
P2 J1 J2 256 50 131 0 CV
P3 R2 J2 1 50 84 4 CV
P4 T1 J2 1 50 84 4 CV
[OPTIONS]
UNITS LPS
HEADLOSS H-W
DEMAND MODEL PDA
MINIMUM PRESSURE 0
REQUIRED PRESSURE 15
UNBALANCED CONTINUE 10
[TIMES]
DURATION 0
[END]
";
    let net = pipenet::inp::read_str(text, "reconnected.inp")
        .unwrap()
        .network;
    let mut sim = Simulation::new(&net).unwrap();
    let outcome = sim.solve_period();
    assert!(outcome.converged);

    let j2 = net.node_ix("J2").unwrap().ix();
    let t1 = net.node_ix("T1").unwrap().ix();
    let p4 = net.link_ix("P4").unwrap().ix();
    let state = sim.state();
    assert!(state.connected[j2]);
    let residual = continuity_residual_m3s(&net, &sim, j2);
    assert!(
        residual.abs() < 1e-6,
        "J2 gains {residual:e} m3/s (was 8.27e-3)"
    );
    assert!(
        state.flow_m3s[p4].abs() < 1e-6,
        "P4 carries {} m3/s",
        state.flow_m3s[p4]
    );
    let (head_j2, head_t1) = (state.head_m[j2], state.head_m[t1]);
    assert!(
        (head_j2 - head_t1).abs() < 1e-3,
        "J2 at {head_j2} m, T1 at {head_t1} m (J2 was left at 63.5 m)"
    );
}
