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

/// Found by the `solver` target. J12 sits cut off behind the closed pipe
/// P12 from J3; when it asks for no water it is held at the mean head
/// across its closed links, and those links are left out of their
/// connected ends' equations. At 1:00 every demand drops to zero (DEM's
/// second hour; it repeats every two), and P12
/// kept 8.3e-7 m³/s, the residue of the trials, while J3's only other pipe
/// carried nothing: the water appeared from nowhere at J3. A closed link
/// into a part that draws nothing carries nothing, and every connected
/// junction balances at every period.
#[test]
fn closed_link_into_a_zero_demand_cut_off_part_carries_no_flow() {
    let mut text = String::from("[JUNCTIONS]\nJ1 55 -0.1 DEM\nJ2 77 7.7 DEM\n");
    for j in 3..=11 {
        text += &format!("J{j} 5 -5.1 DEM\n");
    }
    text += "J12 33 -10.6 DEM\n[RESERVOIRS]\nR1 20\n[PIPES]\n";
    let pipes = [
        ("R1", "J1"),
        ("J1", "J2"),
        ("J1", "J3"),
        ("J1", "J4"),
        ("J1", "J5"),
        ("J1", "J6"),
        ("J2", "J7"),
        ("J5", "J8"),
        ("J7", "J9"),
        ("J5", "J10"),
        ("J7", "J11"),
    ];
    for (k, (a, b)) in pipes.iter().enumerate() {
        text += &format!("P{} {a} {b} 2686 100 0.01 5 OPEN\n", k + 1);
    }
    text += "P12 J3 J12 403 100 0.014 1 CLOSED\n\
             [PUMPS]\nPU1 R1 J8 HEAD CPU1 SPEED 0\n[STATUS]\nPU1 CLOSED\n\
             [CURVES]\nCPU1 4 31\n[PATTERNS]\nDEM 1 0\n\
             [CONTROLS]\nLINK P4 OPEN IF NODE J8 ABOVE 86\n\
             [OPTIONS]\nUNITS LPS\nHEADLOSS C-M\n\
             [TIMES]\nDURATION 4:00\nHYDRAULIC TIMESTEP 0:22\nPATTERN TIMESTEP 1:00\n[END]\n";
    let net = pipenet::inp::read_str(&text, "tie.inp").unwrap().network;
    let mut sim = Simulation::new(&net).unwrap();
    let p12 = net.link_ix("P12").unwrap().ix();
    let j12 = net.node_ix("J12").unwrap().ix();
    loop {
        assert!(sim.solve_period().converged);
        let t = sim.time_s();
        let state = sim.state();
        if state.full_demand_m3s[j12] == 0.0 {
            // J12 asks for nothing (at 1:00 and 3:00, DEM's zeros).
            assert_eq!(state.flow_m3s[p12], 0.0, "P12 at {t} s");
        }
        // The fuzz target's bound: 1e-6 of the water supplied, plus for
        // each link at the junction the flow that rounding the heads
        // (64 ulps of the largest) gives at the largest conductance a link
        // gets (1 / RQTOL, 1e-7 ft/cfs).
        let supplied_m3s: f64 = (0..net.nodes.len())
            .filter(|&i| !net.nodes[i].is_junction())
            .map(|i| state.node_demand_m3s[i].abs())
            .sum();
        let largest_head_m = (state.head_m.iter()).fold(1.0_f64, |m, h| m.max(h.abs()));
        let per_link_m3s = 64.0 * f64::EPSILON * largest_head_m / (1e-7 * 0.3048 / 0.028316846592);
        for (i, node) in net.nodes.iter().enumerate() {
            if !node.is_junction() || !state.connected[i] {
                continue;
            }
            let links = (net.links.iter())
                .filter(|l| l.from.ix() == i || l.to.ix() == i)
                .count();
            let residual = continuity_residual_m3s(&net, &sim, i);
            assert!(
                residual.abs() <= 1e-6 * supplied_m3s + links as f64 * per_link_m3s,
                "{} gains {residual:e} m3/s at {t} s",
                node.id
            );
        }
        if sim.advance() == 0 {
            break;
        }
    }
}
